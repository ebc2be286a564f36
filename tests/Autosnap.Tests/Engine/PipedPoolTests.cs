using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;
using Autosnap.Tests.EndToEnd;
using Xunit;
using static Autosnap.Tests.Rotation.Images;

namespace Autosnap.Tests.Engine
{
    /// <summary>
    /// Piped images into pools (Invoke-SnapshotRotation and Get-SnapshotRetentionPlan share it), the orphaned-pool
    /// fallback, and the rule that a new snapshot must be good before its pool rotates.
    /// </summary>
    public class PipedPoolTests
    {
        private static readonly DateTimeOffset LongAgo = new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero);

        [Fact]
        public void Images_group_by_region_server_and_schedule_each_image_once()
        {
            const string other = "6f1c2b3a-0000-4000-8000-00000000bb02";
            AutoSnapshot first = At("2026-01-01T00:05Z");
            var foreign = new AutoSnapshot("manual", "web1-manual", "ACTIVE", Time("2026-01-02T00:05Z"), "DFW", new Dictionary<string, string>());
            var images = new List<AutoSnapshot>
            {
                first,
                At(Time("2026-01-02T00:05Z"), server: Server.ToUpperInvariant()),   // the same server, spelt in capitals
                first,                                                          // piped twice
                At(Time("2026-01-03T00:05Z"), schedule: "weekly"),
                At(Time("2026-01-04T00:05Z"), server: other),
                foreign,
            };

            IReadOnlyList<PipedPool> pools = PipedPools.Group(images, out IReadOnlyList<AutoSnapshot> notOurs);

            Assert.Equal(new[] { foreign }, notOurs);
            Assert.Equal(3, pools.Count);
            PipedPool daily = pools[0];
            Assert.Equal(Server, daily.ServerId);
            Assert.Equal("daily", daily.Schedule);
            Assert.Equal("DFW", daily.Region);
            Assert.Equal(new[] { "2026-01-01T00:05", "2026-01-02T00:05" }, daily.Images.Select(i => i.Id));
            Assert.Equal(("weekly", Server), (pools[1].Schedule, pools[1].ServerId));
            Assert.Equal(("daily", other), (pools[2].Schedule, pools[2].ServerId));
            Assert.Empty(daily.NewSnapshots);
        }

        [Fact]
        public void Images_without_a_region_make_a_pool_without_one()
        {
            var properties = new Dictionary<string, string> { [AutosnapMetadata.Schedule] = "daily", [AutosnapMetadata.Server] = Server };
            var image = new AutoSnapshot("a", "web1-a", "ACTIVE", Time("2026-01-01T00:05Z"), null, properties);
            Assert.Null(Assert.Single(PipedPools.Group(new[] { image }, out _)).Region);
        }

        private static async Task<(RackspaceServer Server, PipedPool Pool, AutoSnapshot New)> PoolWithNewSnapshotAsync(CloudHarness cloud, string newStatus)
        {
            RackspaceServer web = await cloud.ServerAsync("web01");
            await cloud.SeedImagesAsync(web, 4, "active", LongAgo, TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "old-");
            string newId = (await cloud.SeedImagesAsync(web, 1, newStatus, LongAgo.AddDays(10), TimeSpan.FromDays(1), CloudHarness.Ownership(web, "daily"), "new-")).Single();
            IReadOnlyList<AutoSnapshot> listed = await cloud.PoolAsync(web, "daily");
            AutoSnapshot created = listed.Single(i => i.Id == newId);
            created.CreatedByNewAutoSnapshot = true;   // what New-AutoSnapshot marks on the snapshot it writes
            return (web, Assert.Single(PipedPools.Group(listed, out _)), created);
        }

        [Fact]
        public async Task A_new_snapshot_that_is_not_good_leaves_its_pool_untouched()
        {
            await using var cloud = await CloudHarness.StartAsync();
            (RackspaceServer web, PipedPool pool, AutoSnapshot created) = await PoolWithNewSnapshotAsync(cloud, "killed");
            Assert.Equal(new[] { created }, pool.NewSnapshots);

            var error = await Assert.ThrowsAsync<NewSnapshotNotGoodException>(() =>
                cloud.Rotation.RotatePipedPoolAsync(pool, cloud.Region, RetentionPolicy.FromRetention(0), CancellationToken.None));

            Assert.Same(created, error.Snapshot);
            Assert.Contains("nothing was deleted", error.Message);
            Assert.Equal(5, (await cloud.PoolAsync(web, "daily")).Count);
        }

        [Fact]
        public async Task A_good_new_snapshot_rotates_its_pool_and_is_kept()
        {
            await using var cloud = await CloudHarness.StartAsync();
            (RackspaceServer web, PipedPool pool, AutoSnapshot created) = await PoolWithNewSnapshotAsync(cloud, "active");

            PoolRotation rotation = await cloud.Rotation.RotatePipedPoolAsync(pool, cloud.Region, RetentionPolicy.FromRetention(1), CancellationToken.None);

            Assert.Equal(3, rotation.Deleted);
            IReadOnlyList<AutoSnapshot> left = await cloud.PoolAsync(web, "daily");
            Assert.Equal(2, left.Count);
            Assert.Contains(left, i => i.Id == created.Id);
        }

        [Fact]
        public async Task A_gone_server_id_is_an_orphaned_pool_with_a_warning_and_a_gone_name_is_not_found()
        {
            await using var cloud = await CloudHarness.StartAsync();
            string goneId = Guid.NewGuid().ToString();

            RackspaceServer? orphan = await cloud.Snapshots.ResolvePoolServerAsync(goneId, cloud.Region, "daily", "planning", CancellationToken.None);
            Assert.Null(orphan);
            Assert.Contains($"Server {goneId} no longer exists in {cloud.Region}; planning its orphaned pool 'daily'.", cloud.Host.Warnings);

            var error = await Assert.ThrowsAsync<CloudException>(() =>
                cloud.Snapshots.ResolvePoolServerAsync("no-such-server", cloud.Region, "daily", "planning", CancellationToken.None));
            Assert.Equal(CloudErrorKind.NotFound, error.Kind);

            RackspaceServer? web = await cloud.Snapshots.ResolvePoolServerAsync("web01", cloud.Region, "daily", "planning", CancellationToken.None);
            Assert.Equal("web01", web!.Name);
        }
    }
}
