using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Xunit;

namespace Autosnap.Tests.Engine
{
    /// <summary>The pure rules of a restore: reading restore hints, which restore points may be restored, quotas, microversions.</summary>
    public class RestoreRulesTests
    {
        private const string ServerId = "0b1c2d3e-0000-4000-8000-000000000001";

        private static AutoSnapshot Image(string status = "active", IReadOnlyList<VolumeSnapshot>? volumes = null, params (string Key, string Value)[] properties) =>
            new AutoSnapshot(Guid.NewGuid().ToString(), "web01-daily", status, DateTimeOffset.UtcNow, "DFW",
                properties.Concat(new[] { ("autosnap_schedule", "daily"), ("autosnap_server", ServerId) }).ToDictionary(p => p.Item1, p => p.Item2),
                volumeSnapshots: volumes);

        [Fact]
        public void Hints_read_back_as_recorded_and_an_old_image_has_none()
        {
            RestoreHints hints = RestoreHints.Read(Image("active", null,
                ("autosnap_flavor", "general1-2"), ("autosnap_networks", "net-a, net-b"), ("autosnap_key_name", "ops"),
                ("autosnap_security_groups", "default,web"), ("autosnap_availability_zone", "az1")));
            Assert.Equal("general1-2", hints.FlavorId);
            Assert.Equal(new[] { "net-a", "net-b" }, hints.NetworkIds);
            Assert.False(hints.NoNetwork);
            Assert.Equal("ops", hints.KeyName);
            Assert.Equal(new[] { "default", "web" }, hints.SecurityGroups);
            Assert.Equal("az1", hints.AvailabilityZone);

            RestoreHints none = RestoreHints.Read(Image("active", null, ("autosnap_networks", "none")));
            Assert.True(none.NoNetwork);
            Assert.Empty(none.NetworkIds!);

            RestoreHints old = RestoreHints.Read(Image());
            Assert.Null(old.FlavorId);
            Assert.Null(old.NetworkIds);
            Assert.False(old.NoNetwork);
            Assert.Empty(old.SecurityGroups);
        }

        [Theory]
        [InlineData("queued")]
        [InlineData("saving")]
        public void A_restore_of_a_pending_restore_point_is_refused(string status)
        {
            var refused = Assert.Throws<RestoreRefusedException>(() => RestoreService.EnsureRestorable(Image(status)));
            Assert.Equal(RestoreRefusal.NotGood, refused.Reason);
            Assert.Contains("still being made", refused.Message);
        }

        [Fact]
        public void A_restore_of_a_failed_restore_point_is_refused_also_when_only_a_volume_snapshot_failed_or_is_missing()
        {
            Assert.Equal(RestoreRefusal.NotGood, Assert.Throws<RestoreRefusedException>(() => RestoreService.EnsureRestorable(Image("killed"))).Reason);

            // -IncludeVolumes: one data volume expected, its snapshot in error.
            var broken = new VolumeSnapshot("s1", "v1", "n", "error", 10, DateTimeOffset.UtcNow, "DFW",
                new Dictionary<string, string> { ["autosnap_image"] = "x" });
            var failedPart = Image("active", new[] { broken }, ("autosnap_volumes", "1"));
            Assert.Equal(SnapshotState.Failed, failedPart.State);
            Assert.Contains("failed", Assert.Throws<RestoreRefusedException>(() => RestoreService.EnsureRestorable(failedPart)).Message);

            // Volume-backed: the image names a Cinder snapshot that block storage no longer has.
            var missing = Image("active", Array.Empty<VolumeSnapshot>(), ("block_device_mapping", "[{\"snapshot_id\":\"gone-1\",\"boot_index\":0}]"));
            var refused = Assert.Throws<RestoreRefusedException>(() => RestoreService.EnsureRestorable(missing));
            Assert.Contains("gone-1", refused.Message);

            RestoreService.EnsureRestorable(Image("active"));
        }

        [Fact]
        public void The_quota_says_which_of_instances_cores_and_ram_has_no_room_and_minus_one_is_unlimited()
        {
            var flavor = new RackspaceFlavor("general1-2", "2 GB", 2048, 2, 40, "DFW");
            Assert.Null(new ComputeQuota(-1, 500, -1, 900, -1, 1 << 30).WhyNotRoomFor(flavor));
            Assert.Null(new ComputeQuota(10, 9, 20, 18, 4096, 2048).WhyNotRoomFor(flavor));
            string why = new ComputeQuota(10, 10, 20, 19, 4096, 3000).WhyNotRoomFor(flavor)!;
            Assert.Contains("instances: 10 of 10 used", why);
            Assert.Contains("cores: 19 of 20 used, 2 more needed", why);
            Assert.Contains("RAM: 3000 of 4096 MiB used, 2048 MiB more needed", why);
            Assert.Contains("instances", new ComputeQuota(10, 8, -1, 0, -1, 0).WhyNotRoomFor(flavor, servers: 3));
        }

        [Theory]
        [InlineData("https://nova.example:8774/v2.1/4f1c", "https://nova.example:8774/v2.1/")]
        [InlineData("https://nova.example:8774/v2.1", "https://nova.example:8774/v2.1/")]
        [InlineData("https://dfw.servers.example/v2/123456", "https://dfw.servers.example/v2/")]
        [InlineData("http://127.0.0.1:5000/compute/dfw/v2.1", "http://127.0.0.1:5000/compute/dfw/v2.1/")]
        public void The_version_document_is_the_endpoint_up_to_its_version(string endpoint, string document) =>
            Assert.Equal(document, ComputeClient.VersionDocumentUrl(new Uri(endpoint)).AbsoluteUri);

        [Fact]
        public void Microversions_compare_as_numbers_and_an_empty_version_means_none()
        {
            Assert.True(ComputeClient.ParseMicroversion("2.93") >= ComputeClient.VolumeBackedRebuildMicroversion);
            Assert.True(ComputeClient.ParseMicroversion("2.9") < ComputeClient.NoNetworkMicroversion);
            Assert.True(ComputeClient.ParseMicroversion("2.40") > ComputeClient.NoNetworkMicroversion);
            Assert.Null(ComputeClient.ParseMicroversion(""));
            Assert.Null(ComputeClient.ParseMicroversion("latest"));
        }
    }
}
