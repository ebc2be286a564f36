using System;

namespace Autosnap.Model
{
    /// <summary>The status classes of the retention contract (docs/retention.md, "Status classes").</summary>
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
    }
}
