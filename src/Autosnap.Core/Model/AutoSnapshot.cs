using System;
using System.Collections.Generic;

namespace Autosnap.Model
{
    /// <summary>
    /// An image of a server as Autosnap sees it: who owns it (metadata), which pool it belongs to
    /// (server + schedule), its status class and when it was created.
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
            bool isProtected = false)
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

            State = SnapshotStates.Classify(Status);
            ServerId = Get(AutosnapMetadata.InstanceUuid) ?? Get(AutosnapMetadata.Server);
            string? schedule = Get(AutosnapMetadata.Schedule);
            string? ownerServer = Get(AutosnapMetadata.Server);
            // Ours only when both keys are there and agree with the image's own server link.
            IsAutosnap = !string.IsNullOrEmpty(schedule) && !string.IsNullOrEmpty(ownerServer) &&
                         (ServerId == null || string.Equals(ServerId, ownerServer, StringComparison.OrdinalIgnoreCase));
            Schedule = IsAutosnap ? schedule : null;
            IsPinned = string.Equals(Get(AutosnapMetadata.Pinned), "true", StringComparison.OrdinalIgnoreCase);
        }

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

        /// <summary>The status class that retention works with.</summary>
        public SnapshotState State { get; }

        /// <summary>When the cloud created the image, in UTC.</summary>
        public DateTimeOffset Created { get; }

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
    }
}
