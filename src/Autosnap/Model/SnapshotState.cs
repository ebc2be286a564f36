using System;
using System.Collections.Generic;
using System.Linq;

namespace Autosnap.Model
{
    /// <summary>The status classes of the retention contract (docs: retention.md, "Status classes").</summary>
    public enum SnapshotState
    {
        /// <summary>ACTIVE / active: a restorable image. Only these count toward retention.</summary>
        Good,
        /// <summary>queued, saving, uploading, importing (and anything younger than the run): never deleted, never counted.</summary>
        Pending,
        /// <summary>ERROR / killed (and UNKNOWN past the user's timeout): never counted, removed once a newer good image exists.</summary>
        Failed,
        /// <summary>DELETED / pending_delete: ignored.</summary>
        Gone,
    }

    public static class SnapshotStates
    {
        /// <summary>
        /// UNKNOWN, the status a cloud reports when it cannot tell (Nova's image view for any Glance status it has no name
        /// for). Pending like the others, but the contract lets it count as failed once it is older than a timeout the
        /// user sets. Other statuses Autosnap does not know (deactivated, anything new) stay pending: never deleted.
        /// </summary>
        public static bool IsUnknown(string? status) =>
            string.Equals((status ?? string.Empty).Trim(), "unknown", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Classifies a status as Glance v2 (lower case) or the Nova image proxy (upper case) reports it.
        /// Unknown statuses are Pending: an image we do not understand is never deleted and never counted.
        /// </summary>
        public static SnapshotState Classify(string? status)
        {
            switch ((status ?? string.Empty).Trim().ToLowerInvariant())
            {
                case "active":
                    return SnapshotState.Good;
                case "error":
                case "killed":
                    return SnapshotState.Failed;
                case "deleted":
                case "pending_delete":
                    return SnapshotState.Gone;
                default:
                    // queued, saving, uploading, importing, deactivated, unknown, and anything new
                    return SnapshotState.Pending;
            }
        }

        /// <summary>
        /// Classifies a block storage (Cinder, Cloud Block Storage) snapshot status: available is good; creating (and
        /// anything new) pending; error and error_deleting failed; deleting and deleted gone.
        /// </summary>
        public static SnapshotState ClassifyVolume(string? status)
        {
            switch ((status ?? string.Empty).Trim().ToLowerInvariant())
            {
                case "available":
                    return SnapshotState.Good;
                case "error":
                case "error_deleting":
                    return SnapshotState.Failed;
                case "deleting":
                case "deleted":
                    return SnapshotState.Gone;
                default:
                    return SnapshotState.Pending;
            }
        }

        /// <summary>
        /// The class of a whole restore point (an image and its volume snapshots): good only when the image is good and
        /// every part is good; a part that failed, is going or is missing makes it failed (the image alone cannot be
        /// restored); a part still being made keeps it pending. A gone image is gone whatever its parts.
        /// </summary>
        public static SnapshotState ClassifyRestorePoint(SnapshotState image, IEnumerable<SnapshotState> parts, int missingParts)
        {
            if (image == SnapshotState.Gone) return SnapshotState.Gone;
            var states = parts.ToList();
            if (missingParts > 0 || states.Any(p => p == SnapshotState.Failed || p == SnapshotState.Gone)) return SnapshotState.Failed;
            if (image == SnapshotState.Failed) return SnapshotState.Failed;
            if (image == SnapshotState.Pending || states.Any(p => p == SnapshotState.Pending)) return SnapshotState.Pending;
            return SnapshotState.Good;
        }
    }
}
