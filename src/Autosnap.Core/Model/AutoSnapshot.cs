using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace Autosnap.Model
{
    /// <summary>
    /// A restore point as Autosnap sees it: an image of a server plus the volume snapshots that belong to it (those its
    /// block_device_mapping names, and data-volume snapshots tagged with its id); who owns it (metadata), which pool
    /// it belongs to (server + schedule), the status class of the whole, and when it was created.
    /// </summary>
    public sealed class AutoSnapshot
    {
        public AutoSnapshot(
            string id,
            string name,
            string status,
            DateTimeOffset created,
            string? region,
            IReadOnlyDictionary<string, string>? properties = null,
            long? size = null,
            int? progress = null,
            bool isProtected = false,
            IReadOnlyList<VolumeSnapshot>? volumeSnapshots = null)
        {
            Id = id ?? throw new ArgumentNullException(nameof(id));
            Name = name ?? string.Empty;
            Status = status ?? string.Empty;
            Created = created.ToUniversalTime();
            Region = region;
            Properties = properties ?? new Dictionary<string, string>();
            Size = size;
            Progress = progress;
            IsProtected = isProtected;

            ImageState = SnapshotStates.Classify(Status);
            (BlockDeviceSnapshotIds, BlockDeviceMappingError) = ParseBlockDeviceMapping(Get(AutosnapMetadata.BlockDeviceMapping));
            ExpectedDataVolumes = int.TryParse(Get(AutosnapMetadata.Volumes), NumberStyles.None, CultureInfo.InvariantCulture, out int volumes) ? volumes : 0;
            VolumeSnapshots = volumeSnapshots;
            State = ClassifyWhole();
            ServerId = Get(AutosnapMetadata.InstanceUuid) ?? Get(AutosnapMetadata.Server);
            string? schedule = Get(AutosnapMetadata.Schedule);
            string? ownerServer = Get(AutosnapMetadata.Server);
            // Ours only when both keys are there and agree with the image's own server link.
            IsAutosnap = !string.IsNullOrEmpty(schedule) && !string.IsNullOrEmpty(ownerServer) &&
                         (ServerId == null || string.Equals(ServerId, ownerServer, StringComparison.OrdinalIgnoreCase));
            Schedule = IsAutosnap ? schedule : null;
            IsPinned = string.Equals(Get(AutosnapMetadata.Pinned), "true", StringComparison.OrdinalIgnoreCase);
            RestoreVerifiedMark = RestoreTestMark.Parse(Get(AutosnapMetadata.RestoreVerified));
            RestoreFailedMark = RestoreTestMark.Parse(Get(AutosnapMetadata.RestoreFailed));
            Consistency = SnapshotConsistencies.Parse(Get(AutosnapMetadata.Consistency));
        }

        /// <summary>When a restore test last booted a server from this image and passed (autosnap_restore_verified); null: never.</summary>
        public DateTimeOffset? RestoreVerified => RestoreVerifiedMark?.Time;

        /// <summary>When a restore test of this image last failed (autosnap_restore_failed); null: never.</summary>
        public DateTimeOffset? RestoreFailed => RestoreFailedMark?.Time;

        /// <summary>Why the last failed restore test of this image failed.</summary>
        public string? RestoreFailedReason => RestoreFailedMark?.Reason;

        /// <summary>The image's last restore test outcome: the newer of the two marks (a tie counts as failed).</summary>
        public bool? LastRestoreTestPassed =>
            RestoreVerified == null && RestoreFailed == null ? (bool?)null : RestoreFailed == null || (RestoreVerified != null && RestoreVerified > RestoreFailed);

        internal RestoreTestMark? RestoreVerifiedMark { get; }

        internal RestoreTestMark? RestoreFailedMark { get; }

        /// <summary>
        /// Application (a before-snapshot hook paused writes while the disk was captured) or Crash; null when the image
        /// does not say (made before Autosnap recorded it, or not Autosnap's).
        /// </summary>
        public SnapshotConsistency? Consistency { get; }

        /// <summary>The image id (a UUID).</summary>
        public string Id { get; }

        /// <summary>The image name. For people only: ownership is never decided by it.</summary>
        public string Name { get; }

        /// <summary>The id of the server the image was taken of, when the cloud records it.</summary>
        public string? ServerId { get; }

        /// <summary>The schedule (pool) of an Autosnap image; null for images that are not Autosnap's.</summary>
        public string? Schedule { get; }

        /// <summary>True when the image carries Autosnap's ownership metadata.</summary>
        public bool IsAutosnap { get; }

        /// <summary>True when a user pinned the image: never deleted, never counted.</summary>
        public bool IsPinned { get; }

        /// <summary>Glance's protected flag: the cloud refuses to delete such an image.</summary>
        public bool IsProtected { get; }

        /// <summary>The status as the cloud reports it (active, queued, saving, killed, ACTIVE, SAVING, ERROR...).</summary>
        public string Status { get; }

        /// <summary>
        /// The status class that retention works with, of the whole restore point: good only when the image is good and
        /// every volume snapshot is available (SnapshotStates.ClassifyRestorePoint).
        /// </summary>
        public SnapshotState State { get; }

        /// <summary>The image's status and, for a restore point with volume snapshots, theirs ("active; volumes: available, error").</summary>
        public string StatusText =>
            !HasVolumeParts
                ? Status
                : VolumeSnapshots == null
                    ? $"{Status}; volumes: not read"
                    : $"{Status}; volumes: " + string.Join(", ", VolumeSnapshots.Select(v => v.Status)
                        .Concat(MissingVolumeSnapshotIds.Select(_ => "missing"))
                        .Concat(Enumerable.Repeat("missing", Math.Max(0, ExpectedDataVolumes - VolumeSnapshots.Count(v => !BlockDeviceSnapshotIds.Contains(v.Id)))))
                        .DefaultIfEmpty("none"));

        /// <summary>The class of the image alone.</summary>
        public SnapshotState ImageState { get; }

        /// <summary>
        /// The volume snapshots of the restore point, as block storage reports them; null when they were not looked up
        /// (an image-only restore point, or a listing that did not ask).
        /// </summary>
        public IReadOnlyList<VolumeSnapshot>? VolumeSnapshots { get; }

        /// <summary>The Cinder snapshot ids the image's block_device_mapping names (a volume-backed server's volumes).</summary>
        public IReadOnlyList<string> BlockDeviceSnapshotIds { get; }

        /// <summary>Why block_device_mapping could not be read, when it could not; such a restore point is never deleted.</summary>
        public string? BlockDeviceMappingError { get; }

        /// <summary>How many data volumes -IncludeVolumes snapshotted for this image (autosnap_volumes).</summary>
        public int ExpectedDataVolumes { get; }

        /// <summary>True when the restore point has (or should have) volume snapshots.</summary>
        public bool HasVolumeParts => BlockDeviceSnapshotIds.Count > 0 || ExpectedDataVolumes > 0 || BlockDeviceMappingError != null ||
                                      (VolumeSnapshots?.Count ?? 0) > 0;

        /// <summary>True for an image of a volume-backed server (its data lives in Cinder snapshots).</summary>
        public bool IsVolumeBacked => BlockDeviceSnapshotIds.Count > 0 ||
                                      string.Equals(Get(AutosnapMetadata.VolumeBacked), "true", StringComparison.OrdinalIgnoreCase);

        /// <summary>Every volume snapshot id of the restore point: the ones the image names and the ones found tagged with it.</summary>
        public IReadOnlyList<string> VolumeSnapshotIds =>
            BlockDeviceSnapshotIds.Concat(VolumeSnapshots?.Select(v => v.Id) ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal).ToList();

        /// <summary>Volume snapshots the image names that block storage no longer has: the restore point lost a part.</summary>
        public IReadOnlyList<string> MissingVolumeSnapshotIds =>
            VolumeSnapshots == null
                ? Array.Empty<string>()
                : BlockDeviceSnapshotIds.Where(id => !VolumeSnapshots.Any(v => v.Id == id)).ToList();

        /// <summary>The restore point's real size in bytes: the image plus its volume snapshots (a volume-backed image itself is 0 bytes).</summary>
        public long? RealSize =>
            VolumeSnapshots == null || VolumeSnapshots.Count == 0
                ? Size
                : (Size ?? 0) + VolumeSnapshots.Sum(v => v.SizeBytes ?? 0);

        /// <summary>When the cloud created the image, in UTC.</summary>
        public DateTimeOffset Created { get; }

        /// <summary>Glance's min_disk: the smallest root disk (GiB) a server booted from the image needs; 0 when not set.</summary>
        public int MinDiskGB { get; internal set; }

        /// <summary>Glance's min_ram: the least memory (MiB) a server booted from the image needs; 0 when not set.</summary>
        public int MinRamMB { get; internal set; }

        /// <summary>Size in bytes, when known.</summary>
        public long? Size { get; }

        /// <summary>Upload progress in percent, where the API reports one.</summary>
        public int? Progress { get; }

        /// <summary>The region the image lives in.</summary>
        public string? Region { get; }

        /// <summary>The session the image was read through, so piped objects reach the same account.</summary>
        public RackspaceSession? Session { get; internal set; }

        /// <summary>
        /// Set on the images New-AutoSnapshot returns: when such an image is piped into rotation and is not good,
        /// rotation of its pool is skipped (a job rotates only after its new snapshot is good).
        /// </summary>
        internal bool CreatedByNewAutoSnapshot { get; set; }

        /// <summary>Every property (metadata) of the image.</summary>
        public IReadOnlyDictionary<string, string> Properties { get; }

        /// <summary>
        /// True when the name follows the original autosnap.py convention, "&lt;server name&gt;-autosnap-&lt;server id&gt;".
        /// Such images are adopted only on request (-AdoptLegacy).
        /// </summary>
        public bool IsLegacyNamed =>
            ServerId != null && Name.EndsWith("-autosnap-" + ServerId, StringComparison.OrdinalIgnoreCase);

        public override string ToString() => $"{Name} ({Id})";

        private string? Get(string key) => Properties.TryGetValue(key, out string? value) ? value : null;

        /// <summary>The same restore point with its volume snapshots as block storage reports them now.</summary>
        public AutoSnapshot WithVolumeSnapshots(IReadOnlyList<VolumeSnapshot> volumeSnapshots) =>
            new AutoSnapshot(Id, Name, Status, Created, Region, Properties, Size, Progress, IsProtected, volumeSnapshots)
                { Session = Session, CreatedByNewAutoSnapshot = CreatedByNewAutoSnapshot, MinDiskGB = MinDiskGB, MinRamMB = MinRamMB };

        private SnapshotState ClassifyWhole()
        {
            if (!HasVolumeParts) return ImageState;
            if (VolumeSnapshots == null || BlockDeviceMappingError != null)
            {
                // Parts we could not see: never counted as good, never deleted for being bad (pending), unless the image
                // itself says failed or gone.
                return ImageState == SnapshotState.Good ? SnapshotState.Pending : ImageState;
            }
            int missingTagged = Math.Max(0, ExpectedDataVolumes - VolumeSnapshots.Count(v => !BlockDeviceSnapshotIds.Contains(v.Id)));
            return SnapshotStates.ClassifyRestorePoint(ImageState, VolumeSnapshots.Select(v => v.State), MissingVolumeSnapshotIds.Count + missingTagged);
        }

        /// <summary>
        /// The snapshot ids of Nova's block_device_mapping property: a JSON list (Glance v2 stores it as a string) of
        /// block device entries, of which those with a snapshot_id are the volumes' snapshots.
        /// </summary>
        public static (IReadOnlyList<string> SnapshotIds, string? Error) ParseBlockDeviceMapping(string? json)
        {
            if (string.IsNullOrWhiteSpace(json)) return (Array.Empty<string>(), null);
            try
            {
                JToken token = JToken.Parse(json!);
                if (!(token is JArray list)) return (Array.Empty<string>(), "block_device_mapping is not a list");
                var ids = new List<string>();
                foreach (JToken entry in list)
                {
                    if (!(entry is JObject device)) return (Array.Empty<string>(), "an entry of block_device_mapping is not an object");
                    if (device["snapshot_id"] is JValue { Type: JTokenType.String } id && ((string)id!).Length > 0 && !ids.Contains((string)id!))
                    {
                        ids.Add((string)id!);
                    }
                }
                return (ids, null);
            }
            catch (Newtonsoft.Json.JsonException e)
            {
                return (Array.Empty<string>(), "block_device_mapping is not JSON: " + e.Message);
            }
        }
    }
}
