using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using CloudSettings = Autosnap.LocalCloud.State.CloudSettings;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>The nightly job against LocalCloud: the original script's promise, and none of its flaws.</summary>
    public class SnapshotJobTests
    {
        private static readonly DateTimeOffset LongAgo = new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero);

        private static async Task<SnapshotJobResult> RunJob(CloudHarness cloud, RackspaceServer server, string schedule, RetentionPolicy policy,
                                                            Action<JobOptions>? configure = null)
        {
            JobOptions options = cloud.Job(schedule, policy);
            configure?.Invoke(options);
            return await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(server, options, CancellationToken.None);
        }

        [Fact]
        public async Task Five_runs_with_retention_2_leave_exactly_three_good_images()
        {
            await using var cloud = await CloudHarness.StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            for (int run = 0; run < 5; run++)
            {
                SnapshotJobResult result = await RunJob(cloud, web, "daily", RetentionPolicy.FromRetention(2));
                Assert.Equal(JobStatus.Succeeded, result.Status);
                await cloud.AdvanceClockAsync(TimeSpan.FromDays(1));
            }
            var pool = await cloud.PoolAsync(web, "daily");
            Assert.Equal(3, pool.Count);
            Assert.All(pool, image => Assert.Equal(SnapshotState.Good, image.State));
        }

        [Fact]
        public async Task Daily_weekly_and_monthly_pools_of_one_server_never_touch_each_other()
        {
            await using var cloud = await CloudHarness.StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            await cloud.SeedImagesAsync(web, 5, "active", LongAgo, TimeSpan.FromDays(7), CloudHarness.Ownership(web, "weekly"), "weekly-");
            await cloud.SeedImagesAsync(web, 3, "active", LongAgo, TimeSpan.FromDays(30), CloudHarness.Ownership(web, "monthly"), "monthly-");

            for (int run = 0; run < 4; run++)
            {
                Assert.Equal(JobStatus.Succeeded, (await RunJob(cloud, web, "daily", RetentionPolicy.FromRetention(1))).Status);
                await cloud.AdvanceClockAsync(TimeSpan.FromDays(1));
            }

            Assert.Equal(2, (await cloud.PoolAsync(web, "daily")).Count);
            Assert.Equal(5, (await cloud.PoolAsync(web, "weekly")).Count);
            Assert.Equal(3, (await cloud.PoolAsync(web, "monthly")).Count);
        }

        [Fact]
        public async Task Foreign_and_legacy_named_images_are_never_touched_unless_legacy_is_adopted()
        {
            await using var cloud = await CloudHarness.StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            var plain = new Dictionary<string, string> { ["image_type"] = "snapshot" };
            await cloud.SeedImagesAsync(web, 3, "active", LongAgo, TimeSpan.FromDays(1), plain, "manual-");
            var scheduledImages = new Dictionary<string, string> { ["org.openstack__1__created_by"] = "scheduled_images_service" };
            await cloud.SeedImagesAsync(web, 2, "active", LongAgo, TimeSpan.FromDays(1), scheduledImages, "Daily-web01-");
            // The original script's images: all with the same name, made by a plain createImage without metadata.
            var compute = cloud.Snapshots.Compute(cloud.Region);
            for (int i = 0; i < 4; i++)
            {
                await compute.CreateImageAsync(web.Id, $"web01-autosnap-{web.Id}", new Dictionary<string, string>(), CancellationToken.None);
                await cloud.AdvanceClockAsync(TimeSpan.FromDays(1));
            }

            for (int run = 0; run < 3; run++)
            {
                SnapshotJobResult result = await RunJob(cloud, web, "daily", RetentionPolicy.FromRetention(0));
                Assert.Equal(JobStatus.Succeeded, result.Status);
                // Runs in the same second: the fresh snapshot is the one kept, never an older one with the same stamp.
                Assert.Equal(result.Snapshot!.Id, Assert.Single(result.Decisions, d => d.Action == RotationAction.Keep).Id);
            }
            var images = await cloud.ImagesOfAsync(web);
            Assert.Equal(3, images.Count(i => i.Name.StartsWith("manual-")));
            Assert.Equal(2, images.Count(i => i.Name.StartsWith("Daily-web01-")));
            Assert.Equal(4, images.Count(i => i.IsLegacyNamed));
            Assert.Single(await cloud.PoolAsync(web, "daily"));

            // Asked for, legacy images join the pool and rotate with it; the other foreign images stay.
            SnapshotJobResult adopted = await RunJob(cloud, web, "daily", RetentionPolicy.FromRetention(1), o => o.AdoptLegacy = true);
            Assert.Equal(JobStatus.Succeeded, adopted.Status);
            Assert.Equal(4, adopted.Adopted);
            images = await cloud.ImagesOfAsync(web);
            Assert.Equal(0, images.Count(i => i.IsLegacyNamed && !i.IsAutosnap));
            Assert.Equal(2, (await cloud.PoolAsync(web, "daily")).Count);
            Assert.Equal(5, images.Count(i => !i.IsAutosnap));
        }

        [Fact]
        public async Task Saving_images_are_left_alone_and_not_counted_however_old_and_error_images_are_cleaned()
        {
            await using var cloud = await CloudHarness.StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            IReadOnlyList<string> saving = await cloud.SeedImagesAsync(web, 2, "saving", LongAgo, TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "saving-");
            IReadOnlyList<string> failed = await cloud.SeedImagesAsync(web, 2, "killed", LongAgo.AddDays(3), TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "failed-");
            await cloud.SeedImagesAsync(web, 3, "active", LongAgo.AddDays(5), TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "good-");

            // Months older than the job's 30 s timeout: SAVING is pending however old (only UNKNOWN times out).
            SnapshotJobResult result = await RunJob(cloud, web, "daily", RetentionPolicy.FromRetention(1));

            Assert.Equal(JobStatus.Succeeded, result.Status);
            var pool = await cloud.PoolAsync(web, "daily");
            Assert.Equal(saving.OrderBy(i => i), pool.Where(i => i.State == SnapshotState.Pending).Select(i => i.Id).OrderBy(i => i));
            Assert.DoesNotContain(pool, i => failed.Contains(i.Id));
            // retention 1 keeps two good images: the new one and the newest old one; SAVING ones did not count.
            Assert.Equal(2, pool.Count(i => i.State == SnapshotState.Good));
        }

        [Fact]
        public async Task An_UNKNOWN_image_older_than_the_wait_timeout_is_removed_as_failed_once_the_new_one_is_good()
        {
            await using var cloud = await CloudHarness.StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            string unknown = (await cloud.SeedImagesAsync(web, 1, "unknown", LongAgo, TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "unknown-")).Single();
            // Just as old, but of statuses the contract keeps pending however old, or that Autosnap does not know.
            string queued = (await cloud.SeedImagesAsync(web, 1, "queued", LongAgo, TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "queued-")).Single();
            string deactivated = (await cloud.SeedImagesAsync(web, 1, "deactivated", LongAgo, TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "odd-")).Single();
            await cloud.SeedImagesAsync(web, 2, "active", LongAgo.AddDays(1), TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "good-");

            SnapshotJobResult result = await RunJob(cloud, web, "daily", RetentionPolicy.FromRetention(5));

            Assert.Equal(JobStatus.Succeeded, result.Status);
            RotationDecision decision = result.Rotation!.Decisions.Single(d => d.Id == unknown);
            Assert.Equal(RotationAction.Delete, decision.Action);
            Assert.Equal(RotationOutcome.Deleted, decision.Outcome);
            Assert.Equal("unknown for more than 00:00:30; failed; a newer good image exists", decision.Reason);
            Assert.Equal(RotationAction.Keep, result.Rotation.Decisions.Single(d => d.Id == queued).Action);
            Assert.Equal(RotationAction.Keep, result.Rotation.Decisions.Single(d => d.Id == deactivated).Action);
            var pool = await cloud.PoolAsync(web, "daily");
            Assert.DoesNotContain(pool, i => i.Id == unknown);
            Assert.Contains(pool, i => i.Id == queued);
            Assert.Contains(pool, i => i.Id == deactivated);
            Assert.Equal(3, pool.Count(i => i.State == SnapshotState.Good));
        }

        [Fact]
        public async Task A_failed_new_snapshot_deletes_nothing()
        {
            await using var cloud = await CloudHarness.StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            await cloud.SeedImagesAsync(web, 4, "active", LongAgo, TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "good-");
            await cloud.ConfigureAsync("{\"snapshotFailRate\": 1}");

            SnapshotJobResult result = await RunJob(cloud, web, "daily", RetentionPolicy.FromRetention(0));

            Assert.Equal(JobStatus.Failed, result.Status);
            Assert.Contains("nothing was deleted", result.Message);
            Assert.Equal(0, await cloud.CountAsync("DELETE /v2/images/{id}"));
            Assert.Equal(4, (await cloud.PoolAsync(web, "daily")).Count(i => i.State == SnapshotState.Good));
        }

        [Fact]
        public async Task A_snapshot_that_outlasts_the_timeout_deletes_nothing()
        {
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 60 });
            RackspaceServer web = await cloud.ServerAsync("web01");
            await cloud.SeedImagesAsync(web, 3, "active", LongAgo, TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "good-");

            SnapshotJobResult result = await RunJob(cloud, web, "daily", RetentionPolicy.FromRetention(0), o => o.Wait = CloudHarness.QuickWait(timeoutSeconds: 1));

            Assert.Equal(JobStatus.Failed, result.Status);
            Assert.Contains("still", result.Message);
            Assert.Equal(SnapshotState.Pending, result.Snapshot!.State);
            Assert.Equal(0, await cloud.CountAsync("DELETE /v2/images/{id}"));
        }

        [Fact]
        public async Task A_running_snapshot_is_reported_as_such_not_as_a_raw_409()
        {
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 60 });
            RackspaceServer web = await cloud.ServerAsync("web01");
            await cloud.Snapshots.StartAsync(web, "daily", null, null, CancellationToken.None);

            var error = await Assert.ThrowsAsync<CloudException>(() => cloud.Snapshots.StartAsync(web, "weekly", null, null, CancellationToken.None));

            Assert.Equal(CloudErrorKind.Conflict, error.Kind);
            Assert.Contains("already running on server web01", error.Message);
            Assert.Contains("image_", error.Message);
        }

        [Fact]
        public async Task A_listing_that_fails_deletes_nothing()
        {
            await using var cloud = await CloudHarness.StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            await cloud.SeedImagesAsync(web, 5, "active", LongAgo, TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "good-");
            await cloud.ConfigureAsync("{\"faultRate\": 1, \"faultKinds\": [\"503\", \"garbage\"], \"faultServices\": [\"image\"]}");

            await Assert.ThrowsAsync<CloudException>(() =>
                cloud.Rotation.RotatePoolAsync(cloud.Region, web.Id, "daily", RetentionPolicy.FromRetention(0), null, null, CancellationToken.None));

            await cloud.ConfigureAsync("{\"faultRate\": 0}");
            Assert.Equal(0, await cloud.CountAsync("DELETE /v2/images/{id}"));
            Assert.Equal(5, (await cloud.PoolAsync(web, "daily")).Count);
        }

        [Fact]
        public async Task WhatIf_asks_about_every_deletion_and_deletes_nothing()
        {
            await using var cloud = await CloudHarness.StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            await cloud.SeedImagesAsync(web, 5, "active", LongAgo, TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "good-");
            cloud.Host.Approve = false;

            PoolRotation rotation = await cloud.Rotation.RotatePoolAsync(cloud.Region, web.Id, "daily", RetentionPolicy.FromRetention(1), null, null, CancellationToken.None);

            Assert.Equal(3, rotation.Decisions.Count(d => d.Action == RotationAction.Delete));
            Assert.All(rotation.Decisions.Where(d => d.Action == RotationAction.Delete), d => Assert.Equal(RotationOutcome.Skipped, d.Outcome));
            Assert.Equal(3, cloud.Host.Asked.Count(a => a.StartsWith("Delete snapshot: not among the newest 2 good")));
            Assert.Equal(0, await cloud.CountAsync("DELETE /v2/images/{id}"));
        }

        [Fact]
        public async Task An_expired_token_is_renewed_and_the_job_goes_on()
        {
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0, TokenTtlSeconds = 3600 });
            RackspaceServer web = await cloud.ServerAsync("web01");
            Assert.Equal(JobStatus.Succeeded, (await RunJob(cloud, web, "daily", RetentionPolicy.FromRetention(2))).Status);

            // The cloud's clock jumps; the client's idea of it is stale, so the first call meets a 401 and renews.
            await cloud.AdvanceClockAsync(TimeSpan.FromHours(2));
            Assert.Equal(JobStatus.Succeeded, (await RunJob(cloud, web, "daily", RetentionPolicy.FromRetention(2))).Status);

            Assert.Equal(2, await cloud.CountAsync("POST /v2.0/tokens"));
            Assert.Contains(cloud.Host.Messages, m => m.Contains("refused the token"));
        }

        [Fact]
        public async Task A_retried_create_after_a_lost_answer_never_makes_a_second_snapshot()
        {
            // Half the compute answers are lost AFTER the work was done (or refused before it): the client must look
            // for the image its request created before asking again.
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings
            {
                SnapshotSeconds = 0, FaultRate = 0.5, FaultKinds = new[] { "500", "503", "reset", "garbage" }, FaultPhase = "after",
                FaultServices = new[] { "compute" }, Seed = 11,
            });
            RackspaceServer web = await cloud.ServerAsync("web01");
            var returned = new List<string>();
            for (int i = 0; i < 12; i++)
            {
                try
                {
                    string id = await cloud.Snapshots.StartAsync(web, "daily", null, null, CancellationToken.None);
                    returned.Add(id);
                    await cloud.AdminAsync(HttpMethod.Post, "snapshots", "{\"advanceSeconds\": 60}");
                }
                catch (CloudException)
                {
                    // a lost answer three times over: reported, and (checked below) no stray image left behind
                }
            }
            await cloud.ConfigureAsync("{\"faultRate\": 0}");
            var pool = await cloud.PoolAsync(web, "daily");
            Assert.NotEmpty(returned);
            Assert.Equal(returned.OrderBy(i => i), pool.Select(i => i.Id).OrderBy(i => i));
            Assert.Equal(pool.Count, pool.Select(i => i.Properties[AutosnapMetadata.Request]).Distinct().Count());
        }
    }
}
