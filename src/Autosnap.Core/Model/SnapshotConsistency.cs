using System;

namespace Autosnap.Model
{
    /// <summary>What a restore point holds: the disk as an application left it on purpose, or as after a power cut.</summary>
    public enum SnapshotConsistency
    {
        /// <summary>No hook paused writes (none was given, or it failed and onHookFailure said snapshot anyway).</summary>
        Crash,

        /// <summary>A before-snapshot hook succeeded: writes were paused from its end until the disk was captured.</summary>
        Application,
    }

    /// <summary>The metadata form of <see cref="SnapshotConsistency"/>: "application" or "crash".</summary>
    public static class SnapshotConsistencies
    {
        public const string Application = "application";
        public const string Crash = "crash";

        public static string ToMetadata(SnapshotConsistency consistency) =>
            consistency == SnapshotConsistency.Application ? Application : Crash;

        /// <summary>The value of autosnap_consistency; null for none or anything else (never guessed).</summary>
        public static SnapshotConsistency? Parse(string? value) =>
            string.Equals(value, Application, StringComparison.OrdinalIgnoreCase) ? SnapshotConsistency.Application
            : string.Equals(value, Crash, StringComparison.OrdinalIgnoreCase) ? SnapshotConsistency.Crash
            : (SnapshotConsistency?)null;
    }
}
