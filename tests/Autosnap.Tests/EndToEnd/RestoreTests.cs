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
        private const string PublicNet = "00000000-0000-0000-0000-000000000000";
        private const string ServiceNet = "11111111-1111-1111-1111-111111111111";

        private static CloudSettings Instant() => new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, VolumeSeconds = 0 };

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
            // Rackspace: the addresses' labels matched against os-networksv2 (public, then ServiceNet)
            Assert.Equal(PublicNet + "," + ServiceNet, point.Properties[AutosnapMetadata.RestoreNetworks]);
            Assert.Equal("demo-key", point.Properties[AutosnapMetadata.RestoreKeyName]);
            Assert.Equal("default", point.Properties[AutosnapMetadata.RestoreSecurityGroups]);
            Assert.Equal("nova", point.Properties[AutosnapMetadata.RestoreAvailabilityZone]);

            RackspaceServer restored = await Restore(cloud).RestoreAsNewAsync(point, new RestoreOptions(), CancellationToken.None);
            ServerWaitResult ready = await WaitAsync(cloud, restored);

            Assert.True(ready.IsActive, ready.Server?.Status);
            Assert.NotEqual(web.Id, restored.Id);
            Assert.Equal(point.Name + "-restore", ready.Server!.Name);
            Assert.Equal("general1-2", ready.Server.FlavorId);
            Assert.Equal(point.Id, ready.Server.ImageId);
            Assert.Equal(point.Id, ready.Server.Metadata[AutosnapMetadata.RestoredFrom]);
            Assert.Equal("demo-key", ready.Server.KeyName);
            Assert.Equal(new[] { "default" }, ready.Server.SecurityGroups);
            Assert.Equal(new[] { "private", "public" }, ready.Server.Addresses.Keys.OrderBy(k => k));
            Assert.Equal(1, await cloud.CountAsync("POST /servers"));
            Assert.Empty(cloud.Host.Warnings);

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

        [Fact]
        public async Task Volume_backed_and_data_volume_restore_points_come_back_with_their_volumes()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            ComputeClient compute = cloud.Snapshots.Compute(cloud.Region);
            var cinder = new BlockStorageClient(cloud.Session.Cloud, cloud.Region, cloud.Host);

            // Volume-backed: the image's mapping makes the root volume from its Cinder snapshot.
            RackspaceServer bfv = await cloud.ServerAsync("bfv01");
            AutoSnapshot bfvPoint = await SnapshotAsync(cloud, bfv);
            Assert.True(bfvPoint.IsVolumeBacked);
            RestorePlan bfvPlan = await Restore(cloud).PlanAsync(bfvPoint, new RestoreOptions(), CancellationToken.None);
            Assert.Empty(bfvPlan.Request.BlockDevices);
            RackspaceServer bfvCopy = await Restore(cloud).BootAsync(bfvPlan, CancellationToken.None);
            Assert.True((await WaitAsync(cloud, bfvCopy)).IsActive);
            var root = Assert.Single(await compute.ListVolumeAttachmentsAsync(bfvCopy.Id, CancellationToken.None));
            Assert.DoesNotContain(root.VolumeId, (await compute.ListVolumeAttachmentsAsync(bfv.Id, CancellationToken.None)).Select(a => a.VolumeId));

            // -IncludeVolumes: the image is the root disk, each data-volume snapshot a new volume attached at boot.
            RackspaceServer app = await cloud.ServerAsync("app01");
            AutoSnapshot appPoint = await SnapshotAsync(cloud, app, includeVolumes: true);
            VolumeSnapshot dataSnapshot = Assert.Single(appPoint.VolumeSnapshots!);
            RestorePlan appPlan = await Restore(cloud).PlanAsync(appPoint, new RestoreOptions(), CancellationToken.None);
            Assert.Equal(new[] { dataSnapshot.Id }, appPlan.DataVolumeSnapshotIds);
            Assert.Contains("1 data volume(s)", appPlan.Describe());
            RackspaceServer appCopy = await Restore(cloud).BootAsync(appPlan, CancellationToken.None);
            Assert.True((await WaitAsync(cloud, appCopy)).IsActive);
            var data = Assert.Single(await compute.ListVolumeAttachmentsAsync(appCopy.Id, CancellationToken.None));
            Assert.NotEqual(dataSnapshot.VolumeId, data.VolumeId);

            // Restored data stays when the server goes; a throwaway server can take its volumes with it.
            Assert.True(await Restore(cloud).DeleteServerAsync(appCopy.Id, cloud.Region, CancellationToken.None));
            await cloud.AdvanceClockAsync(TimeSpan.FromMinutes(1));
            Assert.NotNull(await cinder.GetVolumeSizeAsync(data.VolumeId, CancellationToken.None));
            RestorePlan throwaway = await Restore(cloud).PlanAsync(bfvPoint, new RestoreOptions { DeleteVolumesWithServer = true }, CancellationToken.None);
            Assert.All(throwaway.Request.BlockDevices, d => Assert.True(d.DeleteOnTermination));
            RackspaceServer temp = await Restore(cloud).BootAsync(throwaway, CancellationToken.None);
            Assert.True((await WaitAsync(cloud, temp)).IsActive);
            string tempRoot = Assert.Single(await compute.ListVolumeAttachmentsAsync(temp.Id, CancellationToken.None)).VolumeId;
            Assert.True(await Restore(cloud).DeleteServerAsync(temp.Id, cloud.Region, CancellationToken.None));
            await cloud.AdvanceClockAsync(TimeSpan.FromMinutes(1));
            Assert.Null(await cinder.GetVolumeSizeAsync(tempRoot, CancellationToken.None));
        }

        [Fact]
        public async Task Refusals_come_before_anything_is_sent_quota_no_network_on_rackspace_and_a_volume_backed_rebuild()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer web = await cloud.ServerAsync("web01");
            RackspaceServer bfv = await cloud.ServerAsync("bfv01");
            AutoSnapshot point = await SnapshotAsync(cloud, web);
            AutoSnapshot bfvPoint = await SnapshotAsync(cloud, bfv);
            int servers = (await cloud.Snapshots.ListServersAsync(cloud.Region, null, CancellationToken.None)).Count;

            await cloud.ConfigureAsync($"{{\"maxTotalInstances\": {servers}}}");
            var quota = await Assert.ThrowsAsync<RestoreRefusedException>(() => Restore(cloud).RestoreAsNewAsync(point, new RestoreOptions(), CancellationToken.None));
            Assert.Equal(RestoreRefusal.Quota, quota.Reason);
            Assert.Contains($"instances: {servers} of {servers} used", quota.Message);
            await cloud.ConfigureAsync("{\"maxTotalInstances\": 100, \"maxTotalRAMSize\": 4096}");
            var ram = await Assert.ThrowsAsync<RestoreRefusedException>(() =>
                Restore(cloud).RestoreAsNewAsync(point, new RestoreOptions { Flavor = "general1-8" }, CancellationToken.None));
            Assert.Contains("RAM:", ram.Message);
            await cloud.ConfigureAsync("{\"maxTotalRAMSize\": 131072}");

            // Rackspace's compute API has no microversions, so no server without a network.
            var none = await Assert.ThrowsAsync<RestoreRefusedException>(() =>
                Restore(cloud).RestoreAsNewAsync(point, new RestoreOptions { Networks = new[] { "none" } }, CancellationToken.None));
            Assert.Equal(RestoreRefusal.NotSupported, none.Reason);
            Assert.Contains("2.37", none.Message);
            var unknownNetwork = await Assert.ThrowsAsync<RestoreRefusedException>(() =>
                Restore(cloud).RestoreAsNewAsync(point, new RestoreOptions { Networks = new[] { "nosuch" } }, CancellationToken.None));
            Assert.Equal("Network", unknownNetwork.Parameter);

            var rebuild = await Assert.ThrowsAsync<RestoreRefusedException>(() =>
                Restore(cloud).RestoreInPlaceAsync(bfvPoint, false, CloudHarness.QuickWait(), CancellationToken.None));
            Assert.Equal(RestoreRefusal.NotSupported, rebuild.Reason);
            Assert.Contains("as a new server", rebuild.Message);

            Assert.Equal(0, await cloud.CountAsync("POST /servers"));
            Assert.Equal(2, await cloud.CountAsync("POST /servers/{id}/action"));   // the two createImage calls above
            Assert.Empty(cloud.Host.Asked);
        }

        [Fact]
        public async Task On_openstack_each_recorded_value_can_be_overridden_and_none_boots_without_a_network()
        {
            await using var cloud = await OpenStackCloud.StartAsync(Instant());
            RackspaceServer web = await cloud.Snapshots.ResolveServerAsync("web01", "DFW", CancellationToken.None);
            AutoSnapshot point = await SnapshotAsync(cloud.Snapshots, web);
            // Neutron: the server's ports say which networks it is on
            Assert.Equal(PublicNet + "," + ServiceNet, string.Join(",", point.Properties[AutosnapMetadata.RestoreNetworks].Split(',').OrderBy(n => n)));

            var restore = new RestoreService(cloud.Session, cloud.Host);
            RackspaceServer copy = await restore.RestoreAsNewAsync(point, new RestoreOptions
            {
                Name = "web01-check", Flavor = "m1.medium", Networks = new[] { "isolated" }, KeyName = "demo-key",
                SecurityGroups = new[] { "web" }, AvailabilityZone = "nova",
            }, CancellationToken.None);
            ServerWaitResult ready = await restore.WaitForServerAsync(copy.Id, "DFW", copy.Name, CloudHarness.QuickWait(), CancellationToken.None);
            Assert.True(ready.IsActive);
            Assert.Equal("3", ready.Server!.FlavorId);
            Assert.Equal(new[] { "isolated" }, ready.Server.Addresses.Keys);
            Assert.Equal(new[] { "web" }, ready.Server.SecurityGroups);

            RackspaceServer dark = await restore.RestoreAsNewAsync(point, new RestoreOptions { Networks = new[] { "none" } }, CancellationToken.None);
            ServerWaitResult darkReady = await restore.WaitForServerAsync(dark.Id, "DFW", dark.Name, CloudHarness.QuickWait(), CancellationToken.None);
            Assert.True(darkReady.IsActive);
            Assert.Empty(darkReady.Server!.Addresses);

            // 2.93 is offered here, but a volume-backed restore point still cannot be rebuilt in place.
            RackspaceServer bfv = await cloud.Snapshots.ResolveServerAsync("bfv01", "DFW", CancellationToken.None);
            AutoSnapshot bfvPoint = await SnapshotAsync(cloud.Snapshots, bfv);
            Assert.Equal(new Version(2, 93), await cloud.Snapshots.Compute("DFW").GetMaxMicroversionAsync(CancellationToken.None));
            var refused = await Assert.ThrowsAsync<RestoreRefusedException>(() =>
                restore.RestoreInPlaceAsync(bfvPoint, false, CloudHarness.QuickWait(), CancellationToken.None));
            Assert.Equal(RestoreRefusal.NotSupported, refused.Reason);
            Assert.Empty(cloud.Host.Asked);
        }

        [Fact]
        public async Task InPlace_never_runs_without_confirmation_and_a_safety_snapshot()
        {
            await using var cloud = await CloudHarness.StartAsync(Instant());
            RackspaceServer web = await cloud.ServerAsync("web01");
            AutoSnapshot point = await SnapshotAsync(cloud, web);
            ComputeClient compute = cloud.Snapshots.Compute(cloud.Region);
            string imageBefore = (await compute.FindServerAsync(web.Id, CancellationToken.None))!.ImageId!;
            Assert.NotEqual(point.Id, imageBefore);

            // Not confirmed: nothing at all, not even the safety snapshot.
            cloud.Host.Approve = false;
            Assert.Null(await Restore(cloud).RestoreInPlaceAsync(point, false, CloudHarness.QuickWait(), CancellationToken.None));
            Assert.Single(cloud.Host.Asked);
            Assert.Empty(await cloud.PoolAsync(web, AutosnapMetadata.SafetySchedule));
            cloud.Host.Approve = true;

            // A safety snapshot that fails: no rebuild.
            await cloud.ConfigureAsync("{\"snapshotFailRate\": 1}");
            var failed = await Assert.ThrowsAsync<RestoreRefusedException>(() =>
                Restore(cloud).RestoreInPlaceAsync(point, false, CloudHarness.QuickWait(), CancellationToken.None));
            Assert.Contains("nothing was rebuilt", failed.Message);
            Assert.Equal(imageBefore, (await compute.FindServerAsync(web.Id, CancellationToken.None))!.ImageId);
            await cloud.ConfigureAsync("{\"snapshotFailRate\": 0}");

            InPlaceResult? done = await Restore(cloud).RestoreInPlaceAsync(point, false, CloudHarness.QuickWait(), CancellationToken.None);
            Assert.NotNull(done);
            AutoSnapshot safety = done!.SafetySnapshot!;
            Assert.Equal(SnapshotState.Good, safety.State);
            Assert.True(safety.IsPinned);
            Assert.Equal(AutosnapMetadata.SafetySchedule, safety.Schedule);
            Assert.Equal(web.Id, safety.ServerId);
            ServerWaitResult rebuilt = await WaitAsync(cloud, done.Server);
            Assert.True(rebuilt.IsActive);
            Assert.Equal(web.Id, rebuilt.Server!.Id);
            Assert.Equal(point.Id, rebuilt.Server.ImageId);

            // Rotation never deletes it: not as part of the user's pool, not when its own pool is rotated to nothing.
            await cloud.Rotation.RotatePoolAsync(cloud.Region, web.Id, "daily", RetentionPolicy.FromRetention(0), null, null, CancellationToken.None);
            await cloud.Rotation.RotatePoolAsync(cloud.Region, web.Id, AutosnapMetadata.SafetySchedule, RetentionPolicy.FromRetention(0), null, null, CancellationToken.None);
            Assert.Contains(await cloud.PoolAsync(web, AutosnapMetadata.SafetySchedule), i => i.Id == safety.Id);
            Assert.DoesNotContain(await cloud.PoolAsync(web, "daily"), i => i.Id == safety.Id);

            // -NoSafetySnapshot: confirmed, and no new safety snapshot.
            Assert.NotNull(await Restore(cloud).RestoreInPlaceAsync(point, true, CloudHarness.QuickWait(), CancellationToken.None));
            Assert.Single(await cloud.PoolAsync(web, AutosnapMetadata.SafetySchedule));
            Assert.Contains(cloud.Host.Asked, a => a.Contains("WITHOUT a safety snapshot"));
        }

        private static async Task<AutoSnapshot> SnapshotAsync(SnapshotService snapshots, RackspaceServer server)
        {
            string id = await snapshots.StartAsync(server, "daily", null, null, CancellationToken.None);
            WaitResult done = await snapshots.WaitAsync(id, server.Region, server.Name, CloudHarness.QuickWait(), CancellationToken.None);
            Assert.True(done.IsGood, done.Snapshot?.StatusText);
            return done.Snapshot!;
        }

        /// <summary>The demo account through Keystone v3: Nova's v2.1 endpoint (microversions to 2.93) and Neutron.</summary>
        private sealed class OpenStackCloud : IAsyncDisposable
        {
            private OpenStackCloud(Autosnap.LocalCloud.LocalCloudServer server, CloudSession cloud, RecordingHost host)
            {
                Server = server;
                Cloud = cloud;
                Host = host;
                Session = new RackspaceSession(cloud, "DFW");
                Snapshots = new SnapshotService(Session, host);
            }

            public Autosnap.LocalCloud.LocalCloudServer Server { get; }
            public CloudSession Cloud { get; }
            public RecordingHost Host { get; }
            public RackspaceSession Session { get; }
            public SnapshotService Snapshots { get; }

            public static async Task<OpenStackCloud> StartAsync(CloudSettings settings)
            {
                var server = await Autosnap.LocalCloud.LocalCloudServer.StartAsync(new Autosnap.LocalCloud.LocalCloudOptions { Settings = settings });
                var cloud = new CloudSession(server.IdentityV3Uri,
                    new PasswordCredential("demo", CloudHarness.Secret("demo-password")) { ProjectName = "demo" }, CloudHarness.FastRetries());
                var host = new RecordingHost();
                await cloud.AuthenticateAsync(host, CancellationToken.None);
                return new OpenStackCloud(server, cloud, host);
            }

            public async ValueTask DisposeAsync()
            {
                Cloud.Dispose();
                await Server.DisposeAsync();
            }
        }
    }
}
