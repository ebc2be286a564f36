using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;
using CloudSettings = Autosnap.LocalCloud.State.CloudSettings;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>
    /// Restore points with volumes against LocalCloud's block storage: volume-backed servers (bfv01) and data volumes
    /// (app01 with -IncludeVolumes), rotation that leaks no Cinder snapshot, leftovers finished, the quota check.
    /// </summary>
    public class VolumeTests
    {
        private static CloudSettings Instant(int maxSnapshots = 10) =>
            new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, MaxTotalSnapshots = maxSnapshots };

        private static BlockStorageClient Cinder(CloudHarness cloud) => new BlockStorageClient(cloud.Session.Cloud, cloud.Region, cloud.Host);

        private static Task<IReadOnlyList<VolumeSnapshot>> AllVolumeSnapshotsAsync(CloudHarness cloud) =>
            Cinder(cloud).ListSnapshotsAsync(CancellationToken.None);

        private static Task<SnapshotJobResult> RunJob(CloudHarness cloud, RackspaceServer server, int retention, bool includeVolumes = false) =>
            new SnapshotJob(cloud.Session, cloud.Host).RunAsync(server, new JobOptions("daily", RetentionPolicy.FromRetention(retention))
            {
                Wait = CloudHarness.QuickWait(),
                IncludeVolumes = includeVolumes,
            }, CancellationToken.None);

        private static async Task<string> RootVolumeAsync(CloudHarness cloud, RackspaceServer server) =>
            (await cloud.Snapshots.Compute(cloud.Region).ListVolumeAttachmentsAsync(server.Id, CancellationToken.None)).Single().VolumeId;

        [Fact]
        public async Task Thirty_nights_of_a_volume_backed_server_with_retention_3_leave_exactly_the_kept_restore_points_volume_snapshots()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer bfv = await cloud.ServerAsync("bfv01");
            Assert.True(bfv.IsVolumeBacked);
            // Someone else's snapshot of the same volume: Autosnap did not cause it, so it must survive every night.
            VolumeSnapshot foreign = await Cinder(cloud).CreateSnapshotAsync(await RootVolumeAsync(cloud, bfv), "manual before upgrade", "by hand",
                new Dictionary<string, string>(), CancellationToken.None);

            for (int night = 0; night < 30; night++)
            {
                SnapshotJobResult result = await RunJob(cloud, bfv, 3);
                Assert.True(result.Status == JobStatus.Succeeded, $"night {night + 1}: {result.Message}");
                Assert.Equal(SnapshotState.Good, result.Snapshot!.State);
                Assert.Single(result.Snapshot.VolumeSnapshots!);
                await cloud.AdvanceClockAsync(TimeSpan.FromDays(1));
            }

            IReadOnlyList<AutoSnapshot> pool = await cloud.PoolAsync(bfv, "daily");
            Assert.Equal(4, pool.Count);    // retention 3 = 3 old + the new one
            Assert.All(pool, point =>
            {
                Assert.Equal(SnapshotState.Good, point.State);
                Assert.True(point.IsVolumeBacked);
                Assert.Equal(0, point.Size);
                Assert.Equal(20L * 1024 * 1024 * 1024, point.RealSize);
            });
            var keptParts = pool.SelectMany(p => p.VolumeSnapshotIds).ToList();
            var cinder = await AllVolumeSnapshotsAsync(cloud);
            var ours = cinder.Where(v => v.Id != foreign.Id).ToList();
            // The count the issue asks for: every Cinder snapshot is a part of a kept restore point, and no more.
            Assert.Equal(keptParts.Count, ours.Count);
            Assert.Equal(keptParts.OrderBy(i => i), ours.Select(v => v.Id).OrderBy(i => i));
            Assert.All(ours, v =>
            {
                Assert.True(v.IsAutosnap);
                Assert.Equal(bfv.Id, v.ServerId);
                Assert.Contains(pool, p => p.Id == v.ImageId);
            });
            Assert.Contains(cinder, v => v.Id == foreign.Id);
        }

        [Fact]
        public async Task On_openstack_the_catalogs_cinder_v3_serves_the_same_restore_points()
        {
            await using var server = await Autosnap.LocalCloud.LocalCloudServer.StartAsync(
                new Autosnap.LocalCloud.LocalCloudOptions { Settings = Instant() });
            var host = new RecordingHost();
            using var admin = new System.Net.Http.HttpClient();
            using var cloud = new CloudSession(server.IdentityV3Uri,
                new PasswordCredential("demo", CloudHarness.Secret("demo-password")) { ProjectName = "demo" }, CloudHarness.FastRetries());
            await cloud.AuthenticateAsync(host, CancellationToken.None);
            var (url, isV1) = cloud.Identity.Catalog.BlockStorage("DFW")!.Value;
            Assert.False(isV1);
            Assert.Contains("/v3/", url.AbsoluteUri);
            var session = new RackspaceSession(cloud, "DFW");
            var snapshots = new SnapshotService(session, host);
            RackspaceServer bfv = await snapshots.ResolveServerAsync("bfv01", "DFW", CancellationToken.None);
            for (int night = 0; night < 3; night++)
            {
                SnapshotJobResult result = await new SnapshotJob(session, host).RunAsync(bfv,
                    new JobOptions("daily", RetentionPolicy.FromRetention(0)) { Wait = CloudHarness.QuickWait() }, CancellationToken.None);
                Assert.True(result.Status == JobStatus.Succeeded, result.Message);
                using var advance = new System.Net.Http.StringContent("{\"advance\":\"1.00:00:00\"}", System.Text.Encoding.UTF8, "application/json");
                (await admin.PostAsync(new Uri(server.BaseUri + "__admin/clock"), advance)).EnsureSuccessStatusCode();
            }
            var pool = await new SnapshotFinder(session, host).ListPoolAsync("DFW", bfv.Id, "daily", CancellationToken.None);
            AutoSnapshot kept = Assert.Single(pool);
            var cinder = await new BlockStorageClient(cloud, "DFW", host).ListSnapshotsAsync(CancellationToken.None);
            Assert.Equal(kept.VolumeSnapshotIds, cinder.Select(v => v.Id));
            Assert.Equal(20, cinder.Single().Size);
        }

        [Fact]
        public async Task Volume_backed_images_are_found_without_server_or_schedule_although_they_have_no_image_type()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer bfv = await cloud.ServerAsync("bfv01");
            Assert.Equal(JobStatus.Succeeded, (await RunJob(cloud, bfv, 1)).Status);
            var all = new List<AutoSnapshot>();
            await cloud.Finder.ListAsync(cloud.Region, new SnapshotFilter(), all.Add, CancellationToken.None);
            AutoSnapshot point = Assert.Single(all, i => i.ServerId == bfv.Id);
            Assert.False(point.Properties.ContainsKey("image_type"));
            Assert.Single(point.VolumeSnapshots!);
            Assert.Equal("available", point.VolumeSnapshots![0].Status);
        }

        [Fact]
        public async Task Include_volumes_makes_the_data_volume_part_of_the_restore_point_and_rotation_deletes_it_with_the_image()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer app = await cloud.ServerAsync("app01");
            Assert.False(app.IsVolumeBacked);
            for (int night = 0; night < 4; night++)
            {
                SnapshotJobResult result = await RunJob(cloud, app, 1, includeVolumes: true);
                Assert.True(result.Status == JobStatus.Succeeded, result.Message);
                VolumeSnapshot part = Assert.Single(result.Snapshot!.VolumeSnapshots!);
                Assert.Equal(50, part.Size);
                Assert.Equal(result.Snapshot.Id, part.ImageId);
                Assert.Equal("1", result.Snapshot.Properties[AutosnapMetadata.Volumes]);
                await cloud.AdvanceClockAsync(TimeSpan.FromDays(1));
            }
            IReadOnlyList<AutoSnapshot> pool = await cloud.PoolAsync(app, "daily");
            Assert.Equal(2, pool.Count);
            Assert.All(pool, p => Assert.Equal(SnapshotState.Good, p.State));
            var cinder = await AllVolumeSnapshotsAsync(cloud);
            Assert.Equal(pool.SelectMany(p => p.VolumeSnapshotIds).OrderBy(i => i), cinder.Select(v => v.Id).OrderBy(i => i));
        }

        [Fact]
        public async Task Without_include_volumes_an_image_backed_server_makes_no_volume_snapshot_and_no_block_storage_call()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer app = await cloud.ServerAsync("app01");
            SnapshotJobResult result = await RunJob(cloud, app, 1);
            Assert.Equal(JobStatus.Succeeded, result.Status);
            Assert.Null(result.Snapshot!.VolumeSnapshots);
            Assert.Empty(await AllVolumeSnapshotsAsync(cloud));
        }

        [Fact]
        public async Task A_full_snapshot_quota_fails_the_job_at_once_naming_the_quota_and_usage_and_makes_nothing()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant(maxSnapshots: 1));
            RackspaceServer bfv = await cloud.ServerAsync("bfv01");
            await Cinder(cloud).CreateSnapshotAsync(await RootVolumeAsync(cloud, bfv), "someone else's", "", new Dictionary<string, string>(), CancellationToken.None);

            SnapshotJobResult result = await RunJob(cloud, bfv, 3);

            Assert.Equal(JobStatus.Failed, result.Status);
            Assert.Contains("maxTotalSnapshots is 1", result.Message);
            Assert.Contains("1 are in use", result.Message);
            Assert.Contains("none of the snapshots in use are Autosnap's leftovers", result.Message);
            Assert.Contains("Nothing was deleted", result.Message);
            Assert.Empty(await cloud.PoolAsync(bfv, "daily"));
            Assert.Single(await AllVolumeSnapshotsAsync(cloud));
        }

        [Fact]
        public async Task The_quota_error_counts_autosnaps_leftovers_and_reclaim_leftovers_cleans_them_and_nothing_else()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant(maxSnapshots: 2));
            RackspaceServer bfv = await cloud.ServerAsync("bfv01");
            string volume = await RootVolumeAsync(cloud, bfv);
            // A leftover: tagged by Autosnap, its image long gone. And a stranger's snapshot.
            VolumeSnapshot leftover = await Cinder(cloud).CreateSnapshotAsync(volume, "snapshot for bfv01-daily-old", "",
                RestorePointParts.Ownership(bfv.Id, "weekly", Guid.NewGuid().ToString()), CancellationToken.None);
            VolumeSnapshot stranger = await Cinder(cloud).CreateSnapshotAsync(volume, "by hand", "", new Dictionary<string, string>(), CancellationToken.None);

            CloudException error = await Assert.ThrowsAsync<CloudException>(() =>
                cloud.Snapshots.StartAsync(bfv, "daily", null, null, CancellationToken.None));
            Assert.Equal(CloudErrorKind.QuotaExceeded, error.Kind);
            Assert.Contains("1 of the snapshots in use are Autosnap's own leftovers", error.Message);
            Assert.Equal(2, (await AllVolumeSnapshotsAsync(cloud)).Count);

            string imageId = await cloud.Snapshots.StartAsync(bfv, "daily", null, null, CancellationToken.None,
                new VolumeOptions { ReclaimLeftovers = true });
            var remaining = await AllVolumeSnapshotsAsync(cloud);
            Assert.DoesNotContain(remaining, v => v.Id == leftover.Id);
            Assert.Contains(remaining, v => v.Id == stranger.Id);
            Assert.Contains(remaining, v => v.ImageId == imageId);
        }

        [Fact]
        public async Task A_part_that_cannot_be_deleted_is_reported_and_the_next_rotation_finishes_it()
        {
            // Volume snapshots take 600 s of virtual time: one still creating cannot be deleted (Cinder refuses).
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 600 });
            RackspaceServer bfv = await cloud.ServerAsync("bfv01");
            string imageId = await cloud.Snapshots.StartAsync(bfv, "daily", null, null, CancellationToken.None);
            AutoSnapshot point = (await cloud.Snapshots.FindImageAsync(imageId, cloud.Region, CancellationToken.None))!;
            Assert.Equal(SnapshotState.Pending, point.State);                 // image active, its volume snapshot creating
            VolumeSnapshot part = Assert.Single(point.VolumeSnapshots!);
            Assert.Equal(imageId, part.ImageId);                               // tagged right after creation

            var parts = new RestorePointParts(cloud.Session, cloud.Region, cloud.Host);
            var (deleted, outcomes) = await parts.DeleteAsync(point, CancellationToken.None);
            Assert.True(deleted);
            VolumeSnapshotDeletion failed = Assert.Single(outcomes);
            Assert.Equal(RotationOutcome.Failed, failed.Outcome);
            Assert.Contains(part.Id, failed.Error);
            Assert.Null(await cloud.Snapshots.FindImageAsync(imageId, cloud.Region, CancellationToken.None));

            // The next night (snapshots quick now): a new restore point, and the leftover of the old one goes.
            await cloud.AdvanceClockAsync(TimeSpan.FromDays(1));
            await cloud.ConfigureAsync("{\"volumeSnapshotSeconds\": 0}");
            SnapshotJobResult result = await RunJob(cloud, bfv, 3);
            Assert.True(result.Status == JobStatus.Succeeded, result.Message);
            VolumeSnapshotDeletion finished = Assert.Single(result.Rotation!.Leftovers);
            Assert.Equal(part.Id, finished.Snapshot.Id);
            Assert.Equal(RotationOutcome.Deleted, finished.Outcome);
            var cinder = await AllVolumeSnapshotsAsync(cloud);
            Assert.Equal(result.Snapshot!.VolumeSnapshotIds, cinder.Select(v => v.Id));
        }

        [Fact]
        public async Task A_part_already_being_deleted_when_cinder_refuses_the_delete_counts_as_deleted()
        {
            // What a lost answer to a DELETE leaves: the snapshot is deleting, and the DELETE asked again gets Cinder's
            // 400 "status must be available or error". The soak saw jobs fail on it although nothing was wrong.
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer bfv = await cloud.ServerAsync("bfv01");
            string imageId = await cloud.Snapshots.StartAsync(bfv, "daily", null, null, CancellationToken.None);
            AutoSnapshot point = (await cloud.Snapshots.FindImageAsync(imageId, cloud.Region, CancellationToken.None))!;
            VolumeSnapshot part = Assert.Single(point.VolumeSnapshots!);
            await cloud.ConfigureAsync("{\"volumeSnapshotSeconds\": 600}");
            Assert.True(await Cinder(cloud).DeleteSnapshotAsync(part.Id, CancellationToken.None));

            var parts = new RestorePointParts(cloud.Session, cloud.Region, cloud.Host);
            var (deleted, outcomes) = await parts.DeleteAsync(point, CancellationToken.None);
            Assert.True(deleted);
            VolumeSnapshotDeletion outcome = Assert.Single(outcomes);
            Assert.True(outcome.Outcome == RotationOutcome.Deleted, outcome.Error);
            Assert.Equal("deleting", (await Cinder(cloud).FindSnapshotAsync(part.Id, CancellationToken.None))!.Status);

            // A refusal for another reason is still a failure: a snapshot still creating cannot be deleted.
            string second = await cloud.Snapshots.StartAsync(bfv, "daily", null, null, CancellationToken.None);
            AutoSnapshot creating = (await cloud.Snapshots.FindImageAsync(second, cloud.Region, CancellationToken.None))!;
            var (_, refused) = await parts.DeleteAsync(creating, CancellationToken.None);
            Assert.Equal(RotationOutcome.Failed, Assert.Single(refused).Outcome);
        }

        [Fact]
        public async Task After_a_refused_request_exactly_the_snapshots_named_for_it_on_the_servers_volumes_are_cleaned()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer bfv = await cloud.ServerAsync("bfv01");
            string volume = await RootVolumeAsync(cloud, bfv);
            var none = new Dictionary<string, string>();
            // What Nova leaves after a refusal: "snapshot for <requested name>", no metadata. And two look-alikes.
            VolumeSnapshot left = await Cinder(cloud).CreateSnapshotAsync(volume, "snapshot for bfv01-daily-20260301T000500Z", "", none, CancellationToken.None);
            VolumeSnapshot otherName = await Cinder(cloud).CreateSnapshotAsync(volume, "snapshot for bfv01-daily-20260228T000500Z", "", none, CancellationToken.None);
            string otherVolume = (await cloud.Snapshots.Compute(cloud.Region).ListVolumeAttachmentsAsync((await cloud.ServerAsync("app01")).Id, CancellationToken.None)).Single().VolumeId;
            VolumeSnapshot otherServer = await Cinder(cloud).CreateSnapshotAsync(otherVolume, "snapshot for bfv01-daily-20260301T000500Z", "", none, CancellationToken.None);

            var parts = new RestorePointParts(cloud.Session, cloud.Region, cloud.Host);
            int found = await parts.CleanRefusedAsync(bfv, "daily", "bfv01-daily-20260301T000500Z", "token-1", new[] { volume }, CancellationToken.None);

            Assert.Equal(1, found);
            var remaining = (await AllVolumeSnapshotsAsync(cloud)).Select(v => v.Id).ToList();
            Assert.DoesNotContain(left.Id, remaining);
            Assert.Contains(otherName.Id, remaining);
            Assert.Contains(otherServer.Id, remaining);
        }

        [Fact]
        public async Task After_a_cinder_500_inside_novas_loop_the_job_fails_and_exactly_the_snapshots_left_for_its_request_are_cleaned()
        {
            // Nova's second Cinder call of each volume-backed createImage fails: 500 ClientException, no image, the first
            // volume's snapshot ("snapshot for <requested name>", no metadata) stays. Which volume that is varies.
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, NovaCinderErrorAt = 2 });
            await cloud.AdminAsync(HttpMethod.Post, "servers",
                "{\"count\":1,\"namePrefix\":\"twovol-\",\"region\":\"" + cloud.Region + "\",\"bootVolumeGb\":20,\"dataVolumeGb\":50}");
            RackspaceServer server = await cloud.ServerAsync("twovol-001");
            Assert.True(server.IsVolumeBacked);
            var volumes = (await cloud.Snapshots.Compute(cloud.Region).ListVolumeAttachmentsAsync(server.Id, CancellationToken.None)).Select(a => a.VolumeId).ToList();
            Assert.Equal(2, volumes.Count);
            var none = new Dictionary<string, string>();
            VolumeSnapshot stranger = await Cinder(cloud).CreateSnapshotAsync(volumes[0], "by hand", "", none, CancellationToken.None);
            string otherVolume = await RootVolumeAsync(cloud, await cloud.ServerAsync("bfv01"));
            VolumeSnapshot strangerElsewhere = await Cinder(cloud).CreateSnapshotAsync(otherVolume, "snapshot for twovol-001-daily", "", none, CancellationToken.None);

            SnapshotJobResult result = await RunJob(cloud, server, 3);

            Assert.Equal(JobStatus.Failed, result.Status);
            Assert.Contains("ClientException", result.Message);
            Assert.Empty(await cloud.PoolAsync(server, "daily"));
            Assert.Contains(cloud.Host.Warnings, w => w.Contains("left 1 volume snapshot(s) behind"));
            var remaining = (await AllVolumeSnapshotsAsync(cloud)).Select(v => v.Id).OrderBy(id => id, StringComparer.Ordinal).ToList();
            Assert.Equal(new[] { stranger.Id, strangerElsewhere.Id }.OrderBy(id => id, StringComparer.Ordinal), remaining);
        }
    }
}
