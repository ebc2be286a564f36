using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>
    /// Rackspace Scheduled Images end to end on LocalCloud: detected, warned about once per server in a policy run,
    /// disabled and enabled again; refused on an OpenStack cloud without a request to the extension; and the
    /// service's images are never Autosnap's to rotate.
    /// </summary>
    public sealed class ScheduledImagesTests
    {
        private const string ScheduleRoute = "GET /servers/{id}/rax-si-image-schedule";

        private static async Task<List<SnapshotJobResult>> RunPolicyAsync(CloudHarness cloud, params (RackspaceServer Server, string Schedule)[] jobs)
        {
            var plan = new PolicyRunPlan();
            foreach (var (server, schedule) in jobs) plan.Jobs.Add(new FleetJob(server, cloud.Job(schedule, RetentionPolicy.FromRetention(3))));
            var results = new List<SnapshotJobResult>();
            await new FleetRunner(cloud.Session, cloud.Host).RunPlanAsync(plan, 1, r => { lock (results) results.Add(r); }, CancellationToken.None);
            return results;
        }

        [Fact]
        public async Task A_schedule_is_detected_warned_about_once_per_server_per_run_disabled_and_enabled_again()
        {
            await using CloudHarness cloud = await CloudHarness.StartAsync();
            var service = new ScheduledImagesService(cloud.Session, cloud.Host);
            RackspaceServer web = await cloud.ServerAsync("web01");
            RackspaceServer db = await cloud.ServerAsync("db01");
            Assert.Equal(ScheduledImagesState.NotChecked, web.ScheduledImages);

            ImageSchedule enabled = await service.EnableAsync(web, 7, null, CancellationToken.None);
            Assert.Equal((7, (DayOfWeek?)null), (enabled.Retention, enabled.DayOfWeek));
            await service.AttachAsync(web, CancellationToken.None);
            await service.AttachAsync(db, CancellationToken.None);
            Assert.Equal((ScheduledImagesState.Daily, (int?)7), (web.ScheduledImages, web.ScheduledImageRetention));
            Assert.Equal((ScheduledImagesState.Off, (int?)null), (db.ScheduledImages, db.ScheduledImageRetention));

            // two schedules of web01 and one of db01 in one run: one warning, for web01, and the night still succeeds
            List<SnapshotJobResult> results = await RunPolicyAsync(cloud, (web, "daily"), (web, "weekly"), (db, "daily"));
            Assert.All(results, r => Assert.Equal(JobStatus.Succeeded, r.Status));
            string warning = Assert.Single(cloud.Host.Warnings, w => w.Contains("Rackspace Scheduled Images"));
            Assert.Contains(web.Id, warning);
            Assert.Contains("daily, retention 7", warning);
            Assert.Contains("Disable-RackspaceScheduledImage", warning);
            // one look per server in the run, after the two of AttachAsync above
            Assert.Equal(2 + 2, await cloud.CountAsync(ScheduleRoute));
            // the extension list is read once per session
            Assert.Equal(1, await cloud.CountAsync("GET /extensions"));

            // handed over to Autosnap: no schedule, no warning
            Assert.True(await service.DisableAsync(web, CancellationToken.None));
            Assert.False(await service.DisableAsync(web, CancellationToken.None));
            await service.AttachAsync(web, CancellationToken.None);
            Assert.Equal(ScheduledImagesState.Off, web.ScheduledImages);
            while (cloud.Host.Warnings.TryDequeue(out _)) { }
            await RunPolicyAsync(cloud, (web, "daily"));
            Assert.DoesNotContain(cloud.Host.Warnings, w => w.Contains("Rackspace Scheduled Images"));

            // and back: weekly on Saturdays
            ImageSchedule weekly = await service.EnableAsync(web, 5, DayOfWeek.Saturday, CancellationToken.None);
            Assert.Equal(ScheduledImagesState.Weekly, weekly.State);
            await service.AttachAsync(web, CancellationToken.None);
            Assert.Equal((ScheduledImagesState.Weekly, (int?)5, (DayOfWeek?)DayOfWeek.Saturday),
                (web.ScheduledImages, web.ScheduledImageRetention, web.ScheduledImageDayOfWeek));
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => service.EnableAsync(web, 0, null, CancellationToken.None));
        }

        [Fact]
        public async Task An_OpenStack_cloud_says_unsupported_and_nothing_is_sent_to_the_extension()
        {
            await using CloudHarness rackspace = await CloudHarness.StartAsync();
            using var cloud = new CloudSession(rackspace.Server.IdentityV3Uri,
                new PasswordCredential("demo", CloudHarness.Secret("demo-password")) { ProjectName = "demo" }, CloudHarness.FastRetries());
            var host = new RecordingHost();
            await cloud.AuthenticateAsync(host, CancellationToken.None);
            var session = new RackspaceSession(cloud, cloud.ResolveRegion("DFW"));
            var service = new ScheduledImagesService(session, host);
            RackspaceServer web = await new SnapshotService(session, host).ResolveServerAsync("web01", session.Region, CancellationToken.None);

            Assert.False(await service.IsSupportedAsync(session.Region, CancellationToken.None));
            await service.AttachAsync(web, CancellationToken.None);
            Assert.Equal(ScheduledImagesState.Unsupported, web.ScheduledImages);
            var refused = await Assert.ThrowsAsync<ScheduledImagesUnsupportedException>(() => service.EnableAsync(web, 7, null, CancellationToken.None));
            Assert.Contains("rax-si-image-schedule", refused.Message);
            await Assert.ThrowsAsync<ScheduledImagesUnsupportedException>(() => service.DisableAsync(web, CancellationToken.None));

            var plan = new PolicyRunPlan();
            plan.Jobs.Add(new FleetJob(web, new JobOptions("daily", RetentionPolicy.FromRetention(1)) { Wait = CloudHarness.QuickWait() }));
            await new FleetRunner(session, host).RunPlanAsync(plan, 1, _ => { }, CancellationToken.None);
            Assert.Empty(host.Warnings);
            foreach (string route in new[] { ScheduleRoute, "POST /servers/{id}/rax-si-image-schedule", "DELETE /servers/{id}/rax-si-image-schedule" })
            {
                Assert.Equal(0, await rackspace.CountAsync(route));
            }
        }

        [Fact]
        public async Task The_services_images_are_marked_as_its_own_and_rotation_never_deletes_them()
        {
            await using CloudHarness cloud = await CloudHarness.StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            await new ScheduledImagesService(cloud.Session, cloud.Host).EnableAsync(web, 3, null, CancellationToken.None);
            await cloud.AdvanceClockAsync(TimeSpan.FromDays(3));

            IReadOnlyList<AutoSnapshot> before = await cloud.ImagesOfAsync(web);
            List<AutoSnapshot> service = before.Where(i => i.Origin == SnapshotOrigin.ScheduledImages).ToList();
            Assert.Equal(3, service.Count);
            Assert.All(service, i => Assert.False(i.IsAutosnap));
            Assert.All(service, i => Assert.StartsWith("Daily-web01-", i.Name));

            // Autosnap's own job with the smallest retention: its pool rotates, the service's images stay
            for (int run = 0; run < 2; run++)
            {
                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(web, cloud.Job("daily", RetentionPolicy.FromRetention(0)), CancellationToken.None);
                Assert.Equal(JobStatus.Succeeded, result.Status);
            }
            IReadOnlyList<AutoSnapshot> after = await cloud.ImagesOfAsync(web);
            Assert.Equal(service.Select(i => i.Id).OrderBy(i => i), after.Where(i => i.Origin == SnapshotOrigin.ScheduledImages).Select(i => i.Id).OrderBy(i => i));
            Assert.Single(after, i => i.Origin == SnapshotOrigin.Autosnap);

            // a plan that is handed a service image refuses it, as it refuses every image that is not Autosnap's
            Assert.Throws<ArgumentException>(() => RetentionPlanner.Plan(new[] { service[0] }, RetentionPolicy.FromRetention(0), new PlanOptions()));
        }

        [Theory]
        [InlineData("org.openstack__1__created_by", "scheduled_images_service", SnapshotOrigin.ScheduledImages)]
        [InlineData("org.openstack__1__created-by", "scheduled-images-service", SnapshotOrigin.ScheduledImages)]
        [InlineData("org.openstack__1__created_by", "someone_else", SnapshotOrigin.Other)]
        [InlineData("image_type", "snapshot", SnapshotOrigin.Other)]
        public void Origin_follows_the_created_by_metadata_in_either_spelling(string key, string value, SnapshotOrigin origin)
        {
            var image = new AutoSnapshot("id-1", "Daily-web01-1772422200", "active", DateTimeOffset.UtcNow, "DFW",
                new Dictionary<string, string> { [key] = value, ["instance_uuid"] = "server-1" });
            Assert.Equal(origin, image.Origin);
            Assert.False(image.IsAutosnap);
        }

        [Fact]
        public void An_image_with_Autosnaps_metadata_is_Autosnaps_whatever_else_it_carries()
        {
            var image = new AutoSnapshot("id-1", "x", "active", DateTimeOffset.UtcNow, "DFW", new Dictionary<string, string>
            {
                [AutosnapMetadata.Schedule] = "daily", [AutosnapMetadata.Server] = "server-1", ["instance_uuid"] = "server-1",
                [ScheduledImagesExtension.CreatedByKey] = ScheduledImagesExtension.CreatedByValue,
            });
            Assert.Equal(SnapshotOrigin.Autosnap, image.Origin);
        }
    }
}
