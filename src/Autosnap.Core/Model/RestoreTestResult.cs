using System;

namespace Autosnap.Model
{
    /// <summary>How a pool's restore test ended.</summary>
    public enum RestoreTestOutcome
    {
        /// <summary>A throwaway server booted from the restore point became ACTIVE (and passed validation); the image says so.</summary>
        Verified,

        /// <summary>The throwaway server went to ERROR, did not become ACTIVE in time, or failed validation; the image says so.</summary>
        Failed,

        /// <summary>Nothing was booted: the pool has no good restore point, no flavor fits, or the quota has no room. The image is unchanged.</summary>
        Skipped,

        /// <summary>A policy's restore test that is not due yet (the pool's last test is younger than "every").</summary>
        NotDue,
    }

    /// <summary>
    /// One pool's restore test: which restore point was booted, on which flavor, how long the boot took, and the
    /// outcome with its reason. Test-AutoSnapshotRestore writes one per pool; autosnap.ps1 counts the failed ones.
    /// </summary>
    public sealed class RestoreTestResult
    {
        public RestoreTestResult(string region, string serverId, string? serverName, string schedule)
        {
            Region = region;
            ServerId = serverId;
            ServerName = serverName;
            Schedule = schedule;
        }

        /// <summary>The region of the pool.</summary>
        public string Region { get; }

        /// <summary>The pool's server (the original, which a restore test never touches).</summary>
        public string ServerId { get; }

        /// <summary>The server's name, when the server exists.</summary>
        public string? ServerName { get; }

        /// <summary>The pool's schedule.</summary>
        public string Schedule { get; }

        /// <summary>"web1/daily": the server's name (or id) and the schedule.</summary>
        public string Pool => (ServerName ?? ServerId) + "/" + Schedule;

        /// <summary>The restore point booted (or that would have been); null when the pool has none.</summary>
        public string? ImageId { get; set; }

        public string? ImageName { get; set; }

        /// <summary>When the booted restore point was created.</summary>
        public DateTimeOffset? ImageCreated { get; set; }

        /// <summary>The flavor of the throwaway server (name, or id when the cloud gives no name).</summary>
        public string? Flavor { get; set; }

        /// <summary>The throwaway server's network ("none" for none; null for the cloud's choice).</summary>
        public string? Network { get; set; }

        /// <summary>The throwaway server's id; it is deleted before the result is written (see <see cref="ThrowawayDeleted"/>).</summary>
        public string? ThrowawayServerId { get; set; }

        /// <summary>True once the delete of the throwaway server was accepted (or it was already gone).</summary>
        public bool ThrowawayDeleted { get; set; }

        /// <summary>Cloud seconds from the boot request to ACTIVE (or to ERROR, or to the timeout).</summary>
        public double? BootSeconds { get; set; }

        public RestoreTestOutcome Outcome { get; set; } = RestoreTestOutcome.Skipped;

        /// <summary>Why the test failed or was skipped; for a verified test, what was checked.</summary>
        public string? Reason { get; set; }

        /// <summary>When the test ran, on the cloud's clock (the time written on the image).</summary>
        public DateTimeOffset? TestedAt { get; set; }

        /// <summary>True when the test was skipped because the compute quota had no room for the throwaway server(s).</summary>
        public bool QuotaExceeded { get; set; }

        /// <summary>True when the result was written on the image (autosnap_restore_verified / autosnap_restore_failed).</summary>
        public bool Recorded { get; set; }

        public override string ToString() =>
            $"{Pool}: {Outcome}" + (ImageName == null ? string.Empty : $" ({ImageName})") + (Reason == null ? string.Empty : $" - {Reason}");
    }
}
