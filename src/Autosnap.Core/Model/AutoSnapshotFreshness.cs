using System;

namespace Autosnap.Model
{
    /// <summary>The verdict on one pool. The numbers are the Nagios plugin exit codes.</summary>
    public enum FreshnessStatus
    {
        /// <summary>The newest good image is younger than the warning age.</summary>
        Ok = 0,
        /// <summary>The newest good image is older than the warning age.</summary>
        Warning = 1,
        /// <summary>The newest good image is older than the critical age, or there is none.</summary>
        Critical = 2,
        /// <summary>The pool could not be checked (the listing failed, the server was not found).</summary>
        Unknown = 3,
    }

    /// <summary>
    /// How fresh one pool (server, schedule) is: its newest good image and that image's age on the cloud's clock,
    /// judged against the warning and critical ages. Test-AutoSnapshotFreshness writes one per pool.
    /// </summary>
    public sealed class AutoSnapshotFreshness
    {
        internal AutoSnapshotFreshness(string region, string? serverId, string? serverName, string? schedule, FreshnessStatus status, string message,
                                       TimeSpan warning, TimeSpan critical)
        {
            Region = region;
            ServerId = serverId;
            ServerName = serverName;
            Schedule = schedule;
            Status = status;
            Message = message;
            Warning = warning;
            Critical = critical;
        }

        /// <summary>The region of the pool (or of the listing that failed).</summary>
        public string Region { get; }

        /// <summary>The server of the pool; null for a region whose listing failed, or a server name that was not found.</summary>
        public string? ServerId { get; }

        /// <summary>The server's name, when the server exists and could be read (or the name asked for, when no such server was found).</summary>
        public string? ServerName { get; }

        /// <summary>The schedule of the pool; null when a server was asked for without -Schedule and has no pool at all.</summary>
        public string? Schedule { get; }

        public FreshnessStatus Status { get; }

        /// <summary>The verdict in words, e.g. "newest good 3d02h ago (critical 2d)".</summary>
        public string Message { get; }

        /// <summary>The newest good (ACTIVE) image of the pool, when it has one.</summary>
        public AutoSnapshot? NewestGood { get; internal set; }

        /// <summary>When the newest good image was created (UTC).</summary>
        public DateTimeOffset? NewestGoodCreated => NewestGood?.Created;

        /// <summary>The newest good image's age on the cloud's clock.</summary>
        public TimeSpan? Age { get; internal set; }

        /// <summary>Failed images newer than the newest good one: runs that did not produce a snapshot.</summary>
        public int FailedSinceGood { get; internal set; }

        /// <summary>Images in the pool, of every status but gone.</summary>
        public int ImageCount { get; internal set; }

        /// <summary>The cloud's time when the pool was checked; ages are measured from it.</summary>
        public DateTimeOffset? CheckedAt { get; internal set; }

        /// <summary>
        /// The verdict on the pool's restore tests alone, when the check judged them (-RestoreTestedWithin): CRITICAL when
        /// the last test failed, WARNING when the newest verified test is too old or missing. Already part of <see cref="Status"/>.
        /// </summary>
        public FreshnessStatus? RestoreStatus { get; internal set; }

        /// <summary>The newest verified restore test of any image of the pool (cloud time), when the check judged restore tests.</summary>
        public DateTimeOffset? RestoreVerified { get; internal set; }

        /// <summary>The newest failed restore test of any image of the pool (cloud time), when the check judged restore tests.</summary>
        public DateTimeOffset? RestoreFailed { get; internal set; }

        /// <summary>Why that restore test failed.</summary>
        public string? RestoreFailedReason { get; internal set; }

        /// <summary>The warning age the pool was judged by.</summary>
        public TimeSpan Warning { get; }

        /// <summary>The critical age the pool was judged by.</summary>
        public TimeSpan Critical { get; }

        /// <summary>"web1/daily": the server's name (or id) and the schedule; "all pools in DFW" for a region that could not be listed.</summary>
        public string Pool => (ServerName ?? ServerId) is string server
            ? server + "/" + (Schedule ?? "*")
            : "all pools in " + Region;

        public override string ToString() => $"{Pool}: {Status.ToString().ToUpperInvariant()} - {Message}";
    }
}
