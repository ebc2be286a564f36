using System;
using System.Collections.Generic;

namespace Autosnap.Model
{
    /// <summary>
    /// A Cinder (or Rackspace Cloud Block Storage) snapshot of one volume: a part of a restore point when it belongs
    /// to an image (named in the image's block_device_mapping, or tagged with autosnap_image).
    /// </summary>
    public sealed class VolumeSnapshot
    {
        private const long GiB = 1024L * 1024 * 1024;

        public VolumeSnapshot(string id, string volumeId, string name, string status, int? size, DateTimeOffset? created, string region,
                              IReadOnlyDictionary<string, string>? metadata = null, string? description = null)
        {
            Id = id ?? throw new ArgumentNullException(nameof(id));
            VolumeId = volumeId ?? string.Empty;
            Name = name ?? string.Empty;
            Status = status ?? string.Empty;
            Size = size;
            Created = created?.ToUniversalTime();
            Region = region;
            Metadata = metadata ?? new Dictionary<string, string>();
            Description = description;
            State = SnapshotStates.ClassifyVolume(Status);
        }

        /// <summary>The snapshot id (a UUID).</summary>
        public string Id { get; }

        /// <summary>The volume it is a snapshot of.</summary>
        public string VolumeId { get; }

        /// <summary>The name (v1: display_name). Nova names the snapshots of a volume-backed server "snapshot for &lt;image name&gt;".</summary>
        public string Name { get; }

        public string? Description { get; }

        /// <summary>creating, available, deleting, error, error_deleting...</summary>
        public string Status { get; }

        /// <summary>The status class: available is good, creating pending, error and error_deleting failed.</summary>
        public SnapshotState State { get; }

        /// <summary>Size in GB (GiB), as the block storage API reports it.</summary>
        public int? Size { get; }

        /// <summary>Size in bytes.</summary>
        public long? SizeBytes => Size.HasValue ? Size.Value * GiB : (long?)null;

        public DateTimeOffset? Created { get; }

        public string Region { get; }

        /// <summary>The snapshot's metadata; Autosnap's keys say whose it is.</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <summary>The image (restore point) Autosnap made this snapshot for, from its metadata; null when untagged.</summary>
        public string? ImageId => Get(AutosnapMetadata.Image);

        /// <summary>The server of the restore point, from Autosnap's metadata.</summary>
        public string? ServerId => Get(AutosnapMetadata.Server);

        /// <summary>The schedule (pool) of the restore point, from Autosnap's metadata.</summary>
        public string? Schedule => Get(AutosnapMetadata.Schedule);

        /// <summary>
        /// True when Autosnap tagged it (server, schedule and image): the only Cinder snapshots Autosnap ever deletes
        /// other than through the image that names them.
        /// </summary>
        public bool IsAutosnap => !string.IsNullOrEmpty(ServerId) && !string.IsNullOrEmpty(Schedule) && !string.IsNullOrEmpty(ImageId);

        public override string ToString() => $"volume snapshot {Id} of volume {VolumeId} ({Size?.ToString() ?? "?"} GB, {Status})";

        private string? Get(string key) => Metadata.TryGetValue(key, out string? value) && value.Length > 0 ? value : null;
    }

    /// <summary>A volume attached to a server (Nova's os-volume_attachments).</summary>
    public sealed class VolumeAttachment
    {
        public VolumeAttachment(string volumeId, string? device)
        {
            VolumeId = volumeId;
            Device = device;
        }

        public string VolumeId { get; }

        /// <summary>/dev/vda, /dev/xvdb...</summary>
        public string? Device { get; }
    }

    /// <summary>The absolute limits of block storage that bound snapshots (Cinder's GET /limits); -1 is unlimited.</summary>
    public sealed class BlockStorageLimits
    {
        public BlockStorageLimits(long maxSnapshots, long snapshotsUsed, long maxGigabytes, long gigabytesUsed)
        {
            MaxSnapshots = maxSnapshots;
            SnapshotsUsed = snapshotsUsed;
            MaxGigabytes = maxGigabytes;
            GigabytesUsed = gigabytesUsed;
        }

        /// <summary>maxTotalSnapshots.</summary>
        public long MaxSnapshots { get; }

        /// <summary>totalSnapshotsUsed.</summary>
        public long SnapshotsUsed { get; }

        /// <summary>maxTotalVolumeGigabytes (volumes and snapshots share it).</summary>
        public long MaxGigabytes { get; }

        /// <summary>totalGigabytesUsed.</summary>
        public long GigabytesUsed { get; }
    }
}
