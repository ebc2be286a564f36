using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using Autosnap.Cloud;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;

namespace Autosnap.Tests.Volumes
{
    /// <summary>A restore point (an image and its volume snapshots) as pure logic: parsing, classification, size, retention.</summary>
    public class RestorePointTests
    {
        private const string Server = "6f1c2b3a-0000-4000-8000-00000000bf01";
        private const string SnapA = "11111111-0000-4000-8000-00000000000a";
        private const string SnapB = "11111111-0000-4000-8000-00000000000b";
        private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 3, 1, 0, 5, 0, TimeSpan.Zero);

        // The shape real Nova writes for a volume-backed server's image (Glance v2 stores it as a JSON string).
        private static string Mapping(params string[] snapshotIds) =>
            "[" + string.Join(",", snapshotIds.Select((id, i) =>
                $"{{\"source_type\": \"snapshot\", \"destination_type\": \"volume\", \"snapshot_id\": \"{id}\", \"volume_id\": null, " +
                $"\"device_name\": \"/dev/vd{(char)('a' + i)}\", \"boot_index\": {(i == 0 ? "0" : "null")}, \"volume_size\": 20, \"delete_on_termination\": false}}")) + "]";

        private static AutoSnapshot Image(string status = "active", string? mapping = null, int dataVolumes = 0, DateTimeOffset? created = null, string id = "img-1")
        {
            var properties = new Dictionary<string, string>
            {
                [AutosnapMetadata.Schedule] = "daily",
                [AutosnapMetadata.Server] = Server,
            };
            if (mapping != null) properties[AutosnapMetadata.BlockDeviceMapping] = mapping;
            if (dataVolumes > 0) properties[AutosnapMetadata.Volumes] = dataVolumes.ToString();
            return new AutoSnapshot(id, "bfv01-daily", status, created ?? T0, "DFW", properties, size: 0);
        }

        private static VolumeSnapshot Part(string id, string status, int size = 20, string? imageId = null) =>
            new VolumeSnapshot(id, "vol-" + id.Substring(id.Length - 1), "snapshot for bfv01-daily", status, size, T0, "DFW",
                imageId == null ? null : new Dictionary<string, string>
                {
                    [AutosnapMetadata.Server] = Server, [AutosnapMetadata.Schedule] = "daily", [AutosnapMetadata.Image] = imageId,
                });

        [Fact]
        public void Block_device_mapping_names_one_snapshot_per_volume()
        {
            var (ids, error) = AutoSnapshot.ParseBlockDeviceMapping(Mapping(SnapA, SnapB));
            Assert.Null(error);
            Assert.Equal(new[] { SnapA, SnapB }, ids);
        }

        [Fact]
        public void Entries_without_a_snapshot_are_not_parts_and_garbage_is_an_error_not_an_empty_list()
        {
            var (ids, error) = AutoSnapshot.ParseBlockDeviceMapping("[{\"source_type\": \"blank\", \"snapshot_id\": null, \"device_name\": \"/dev/vdb\"}]");
            Assert.Empty(ids);
            Assert.Null(error);
            Assert.NotNull(AutoSnapshot.ParseBlockDeviceMapping("[{\"snapshot_id\": ").Error);
            Assert.NotNull(AutoSnapshot.ParseBlockDeviceMapping("{\"snapshot_id\": \"x\"}").Error);
        }

        [Fact]
        public void An_image_without_volumes_is_classified_as_before()
        {
            AutoSnapshot image = Image();
            Assert.False(image.HasVolumeParts);
            Assert.Equal(SnapshotState.Good, image.State);
            Assert.Equal("active", image.StatusText);
        }

        [Theory]
        [InlineData("available", "available", SnapshotState.Good)]
        [InlineData("available", "creating", SnapshotState.Pending)]
        [InlineData("creating", "error", SnapshotState.Failed)]
        [InlineData("available", "error_deleting", SnapshotState.Failed)]
        [InlineData("available", "deleting", SnapshotState.Failed)]
        public void A_volume_backed_image_is_good_only_when_every_part_is_available(string a, string b, SnapshotState expected)
        {
            AutoSnapshot point = Image(mapping: Mapping(SnapA, SnapB)).WithVolumeSnapshots(new[] { Part(SnapA, a), Part(SnapB, b) });
            Assert.Equal(expected, point.State);
            Assert.Equal(SnapshotState.Good, point.ImageState);
        }

        [Fact]
        public void A_part_the_image_names_that_block_storage_no_longer_has_makes_it_failed()
        {
            AutoSnapshot point = Image(mapping: Mapping(SnapA, SnapB)).WithVolumeSnapshots(new[] { Part(SnapA, "available") });
            Assert.Equal(SnapshotState.Failed, point.State);
            Assert.Equal(new[] { SnapB }, point.MissingVolumeSnapshotIds);
            Assert.Equal("active; volumes: available, missing", point.StatusText);
        }

        [Fact]
        public void Parts_not_looked_up_are_never_good_and_never_failed()
        {
            AutoSnapshot point = Image(mapping: Mapping(SnapA));
            Assert.Null(point.VolumeSnapshots);
            Assert.Equal(SnapshotState.Pending, point.State);
            Assert.Equal(SnapshotState.Failed, Image("error", Mapping(SnapA)).State);
        }

        [Fact]
        public void An_unreadable_mapping_is_pending_so_it_is_never_deleted()
        {
            AutoSnapshot point = Image(mapping: "not json").WithVolumeSnapshots(Array.Empty<VolumeSnapshot>());
            Assert.True(point.HasVolumeParts);
            Assert.Equal(SnapshotState.Pending, point.State);
        }

        [Fact]
        public void Data_volume_parts_are_counted_against_what_the_image_expects()
        {
            AutoSnapshot image = Image("active", dataVolumes: 1);
            Assert.Equal(SnapshotState.Failed, image.WithVolumeSnapshots(Array.Empty<VolumeSnapshot>()).State);
            AutoSnapshot whole = image.WithVolumeSnapshots(new[] { Part(SnapA, "available", 50, "img-1") });
            Assert.Equal(SnapshotState.Good, whole.State);
            Assert.Equal(new[] { SnapA }, whole.VolumeSnapshotIds);
        }

        [Fact]
        public void The_real_size_is_the_image_plus_its_volume_snapshots()
        {
            AutoSnapshot point = Image(mapping: Mapping(SnapA, SnapB)).WithVolumeSnapshots(new[] { Part(SnapA, "available", 20), Part(SnapB, "available", 50) });
            Assert.Equal(0, point.Size);
            Assert.Equal(70L * 1024 * 1024 * 1024, point.RealSize);
            Assert.True(point.IsVolumeBacked);
        }

        [Theory]
        [InlineData("available", SnapshotState.Good)]
        [InlineData("creating", SnapshotState.Pending)]
        [InlineData("error", SnapshotState.Failed)]
        [InlineData("error_deleting", SnapshotState.Failed)]
        [InlineData("deleting", SnapshotState.Gone)]
        [InlineData("something-new", SnapshotState.Pending)]
        public void Volume_snapshot_statuses(string status, SnapshotState expected) =>
            Assert.Equal(expected, SnapshotStates.ClassifyVolume(status));

        [Fact]
        public void Only_snapshots_tagged_with_server_schedule_and_image_are_autosnaps()
        {
            Assert.True(Part(SnapA, "available", imageId: "img-1").IsAutosnap);
            Assert.False(Part(SnapA, "available").IsAutosnap);
            var partial = new VolumeSnapshot(SnapA, "v", "n", "available", 1, T0, "DFW",
                new Dictionary<string, string> { [AutosnapMetadata.Server] = Server, [AutosnapMetadata.Schedule] = "daily" });
            Assert.False(partial.IsAutosnap);
        }

        [Fact]
        public void Retention_counts_restore_points_a_broken_one_does_not_count()
        {
            // Four nights; the second lost a part. Retention 1 keeps the newest two good restore points (nights 3 and 4),
            // the broken one goes (a newer good one exists), and so does night 1.
            const string SnapC = "11111111-0000-4000-8000-00000000000c", SnapD = "11111111-0000-4000-8000-00000000000d";
            var pool = new List<AutoSnapshot>
            {
                Image(mapping: Mapping(SnapA), created: T0, id: "night-1").WithVolumeSnapshots(new[] { Part(SnapA, "available") }),
                Image(mapping: Mapping(SnapB), created: T0.AddDays(1), id: "night-2").WithVolumeSnapshots(Array.Empty<VolumeSnapshot>()),
                Image(mapping: Mapping(SnapC), created: T0.AddDays(2), id: "night-3").WithVolumeSnapshots(new[] { Part(SnapC, "available") }),
                Image(mapping: Mapping(SnapD), created: T0.AddDays(3), id: "night-4").WithVolumeSnapshots(new[] { Part(SnapD, "available") }),
            };
            var decisions = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(1), null);
            Assert.Equal(new[] { "night-1", "night-2" }, decisions.Where(d => d.Action == RotationAction.Delete).Select(d => d.Id).OrderBy(i => i));
            Assert.Equal(new[] { SnapB }, decisions.Single(d => d.Id == "night-2").VolumeSnapshotIds);
        }

        [Theory]
        [InlineData(403, "Quota exceeded for resources: ['snapshots'].", null, true)]
        [InlineData(413, "SnapshotLimitExceeded: Maximum number of snapshots allowed (10) exceeded", null, true)]
        [InlineData(413, "SnapshotLimitExceeded: Maximum number of snapshots allowed (0) exceeded", "0", true)]
        [InlineData(413, "This request was rate-limited.", "30", false)]
        [InlineData(413, "Maximum number of snapshots allowed (10) exceeded", "30", false)]
        [InlineData(403, "Policy doesn't allow image:delete to be performed.", null, false)]
        [InlineData(429, "Quota exceeded", null, false)]
        public void A_full_quota_is_told_from_a_rate_limit(int status, string message, string? retryAfter, bool quota) =>
            Assert.Equal(quota, CloudHttp.IsQuotaRefusal((HttpStatusCode)status, message, retryAfter));
    }
}
