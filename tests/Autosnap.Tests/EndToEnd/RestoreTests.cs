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
using CloudSettings = Autosnap.LocalCloud.State.CloudSettings;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>
    /// Restore against LocalCloud: what a snapshot records for a restore, a new server from a restore point (recorded
    /// values and overrides), refusals, and in place after a safety snapshot.
    /// </summary>
    public class RestoreTests
    {
        private static CloudSettings Instant() => new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0 };

        private static async Task<AutoSnapshot> SnapshotAsync(CloudHarness cloud, RackspaceServer server, string schedule = "daily", bool includeVolumes = false)
        {
            string id = await cloud.Snapshots.StartAsync(server, schedule, null, null, CancellationToken.None, new VolumeOptions { IncludeVolumes = includeVolumes });
            WaitResult done = await cloud.Snapshots.WaitAsync(id, server.Region, server.Name, CloudHarness.QuickWait(), CancellationToken.None);
            Assert.True(done.IsGood, done.Snapshot?.StatusText);
            return done.Snapshot!;
        }

        private static RestoreService Restore(CloudHarness cloud) => new RestoreService(cloud.Session, cloud.Host);

        private static Task<ServerWaitResult> WaitAsync(CloudHarness cloud, RackspaceServer server) =>
            Restore(cloud).WaitForServerAsync(server.Id, server.Region, server.Name, CloudHarness.QuickWait(), CancellationToken.None);

        [Fact]
        public async Task A_snapshot_records_the_flavor_and_a_new_server_boots_from_it_with_it_and_is_deleted_by_id()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer web = await cloud.ServerAsync("web01");
            AutoSnapshot point = await SnapshotAsync(cloud, web);
            Assert.Equal(web.FlavorId, point.Properties[AutosnapMetadata.RestoreFlavor]);
            Assert.Equal("general1-2", web.FlavorId);

            RackspaceServer restored = await Restore(cloud).RestoreAsNewAsync(point, new RestoreOptions(), CancellationToken.None);
            ServerWaitResult ready = await WaitAsync(cloud, restored);

            Assert.True(ready.IsActive, ready.Server?.Status);
            Assert.NotEqual(web.Id, restored.Id);
            Assert.Equal(point.Name + "-restore", ready.Server!.Name);
            Assert.Equal("general1-2", ready.Server.FlavorId);
            Assert.Equal(point.Id, ready.Server.ImageId);
            Assert.Equal(point.Id, ready.Server.Metadata[AutosnapMetadata.RestoredFrom]);
            Assert.Equal(1, await cloud.CountAsync("POST /servers"));

            Assert.True(await Restore(cloud).DeleteServerAsync(restored.Id, restored.Region, CancellationToken.None));
            Assert.Null(await cloud.Snapshots.Compute(cloud.Region).FindServerAsync(restored.Id, CancellationToken.None));
            Assert.False(await Restore(cloud).DeleteServerAsync(restored.Id, restored.Region, CancellationToken.None));
            // the original is untouched
            Assert.Equal("ACTIVE", (await cloud.ServerAsync("web01")).Status);
        }

        [Fact]
        public async Task An_old_image_without_restore_metadata_names_the_missing_flavor_and_restores_with_what_the_user_gives()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer web = await cloud.ServerAsync("web01");
            string oldId = (await cloud.SeedImagesAsync(web, 1, "active", DateTimeOffset.UtcNow.AddDays(-30), TimeSpan.FromDays(1),
                CloudHarness.Ownership(web, "daily"), "old-")).Single();
            AutoSnapshot old = (await Restore(cloud).FindRestorePointAsync(oldId, cloud.Region, CancellationToken.None))!;

            var refused = await Assert.ThrowsAsync<RestoreRefusedException>(() => Restore(cloud).PlanAsync(old, new RestoreOptions(), CancellationToken.None));
            Assert.Equal(RestoreRefusal.MissingParameter, refused.Reason);
            Assert.Equal("Flavor", refused.Parameter);
            Assert.Contains("-Flavor", refused.Message);

            var unknown = await Assert.ThrowsAsync<RestoreRefusedException>(() =>
                Restore(cloud).PlanAsync(old, new RestoreOptions { Flavor = "no-such-flavor" }, CancellationToken.None));
            Assert.Equal(RestoreRefusal.InvalidParameter, unknown.Reason);

            // by name, as Get-RackspaceFlavor shows it
            RackspaceServer restored = await Restore(cloud).RestoreAsNewAsync(old, new RestoreOptions { Flavor = "1 GB General Purpose v1", Name = "web01-back" },
                CancellationToken.None);
            ServerWaitResult ready = await WaitAsync(cloud, restored);
            Assert.True(ready.IsActive);
            Assert.Equal("general1-1", ready.Server!.FlavorId);
            Assert.Equal("web01-back", ready.Server.Name);
            Assert.Empty(cloud.Host.Warnings);
        }

        [Fact]
        public async Task A_restore_of_a_failed_or_pending_restore_point_is_refused()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer web = await cloud.ServerAsync("web01");
            var ownership = CloudHarness.Ownership(web, "daily");
            ownership[AutosnapMetadata.RestoreFlavor] = "general1-2";
            foreach (string status in new[] { "killed", "saving", "queued" })
            {
                string id = (await cloud.SeedImagesAsync(web, 1, status, DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromDays(1), ownership, status + "-")).Single();
                AutoSnapshot point = (await Restore(cloud).FindRestorePointAsync(id, cloud.Region, CancellationToken.None))!;
                var refused = await Assert.ThrowsAsync<RestoreRefusedException>(() => Restore(cloud).RestoreAsNewAsync(point, new RestoreOptions(), CancellationToken.None));
                Assert.Equal(RestoreRefusal.NotGood, refused.Reason);
                var inPlace = await Assert.ThrowsAsync<RestoreRefusedException>(() =>
                    Restore(cloud).RestoreInPlaceAsync(point, false, CloudHarness.QuickWait(), CancellationToken.None));
                Assert.Equal(RestoreRefusal.NotGood, inPlace.Reason);
            }
            Assert.Equal(0, await cloud.CountAsync("POST /servers"));
            Assert.Equal(0, await cloud.CountAsync("POST /servers/{id}/action"));
            Assert.Empty(cloud.Host.Asked);
        }

        [Fact]
        public async Task A_lost_answer_to_the_boot_request_never_makes_a_second_server()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer web = await cloud.ServerAsync("web01");
            AutoSnapshot point = await SnapshotAsync(cloud, web);
            RestorePlan plan = await Restore(cloud).PlanAsync(point, new RestoreOptions(), CancellationToken.None);
            // Half the compute answers are lost AFTER the work was done: the client must look for the server its request
            // made (by the request marker in its metadata) before asking again.
            await cloud.ConfigureAsync("{\"faultRate\": 0.5, \"faultKinds\": [\"500\", \"503\", \"reset\", \"garbage\"], \"faultPhase\": \"after\", " +
                                       "\"faultServices\": [\"compute\"], \"seed\": 11}");
            var returned = new List<string>();
            for (int i = 0; i < 8; i++)
            {
                try
                {
                    returned.Add(await cloud.Snapshots.Compute(cloud.Region).CreateServerAsync(plan.Request, CancellationToken.None));
                }
                catch (CloudException)
                {
                    // lost three times over: reported; checked below that it left no stray server
                }
            }
            await cloud.ConfigureAsync("{\"faultRate\": 0}");
            var restored = (await cloud.Snapshots.ListServersAsync(cloud.Region, null, CancellationToken.None))
                .Where(s => s.Metadata.TryGetValue(AutosnapMetadata.RestoredFrom, out string? from) && from == point.Id).ToList();
            Assert.NotEmpty(returned);
            Assert.Equal(returned.OrderBy(i => i), restored.Select(s => s.Id).OrderBy(i => i));
            Assert.Contains(cloud.Host.Messages, m => m.Contains("but it made server"));
        }
    }
}
