using System;
using System.Globalization;

namespace Autosnap.Rotation
{
    /// <summary>
    /// Every reason string the planner writes into <see cref="Model.RotationDecision.Reasons"/>. They are short, stable
    /// and meant for a table column, a -WhatIf line and a test assertion alike; changing one is a breaking change.
    /// </summary>
    /// <remarks>
    /// <para>Keep, by a rule (an image may have several; they appear in rule order
    /// last, hourly, daily, weekly, monthly, yearly, within):</para>
    /// <list type="bullet">
    /// <item>"retention: newest 8 good" (-Retention 7 keeps the newest 8)</item>
    /// <item>"last 3"</item>
    /// <item>"hourly 2026-10-25 02:00+02:00", "daily 2026-01-20", "weekly 2026-W04", "monthly 2026-01", "yearly 2026":
    /// the newest image of that bucket, in the policy's time zone</item>
    /// <item>"oldest kept: daily has 2 left": the oldest good image, kept because the rule still had count left
    /// after the walk (history shorter than the rule), in place of that rule's bucket reason</item>
    /// <item>"within 7.00:00:00 of newest": created less than that duration before the newest good image</item>
    /// <item>"newest good image": the safety net; no valid policy needs it, so seeing it means a rule is broken</item>
    /// </list>
    /// <para>Keep, outside the rules:</para>
    /// <list type="bullet">
    /// <item>"pinned"</item>
    /// <item>"pending (saving)", "pending (queued)"...: the status in lower case</item>
    /// <item>"pending (created after the run started)": younger than the run and not the run's own image</item>
    /// <item>"failed; kept: no newer good image", "failed; kept on request" (the policy keeps failed images)</item>
    /// <item>"crash-consistent; kept: no newer good image", "crash-consistent; kept on request": the pool requires
    /// application-consistent restore points</item>
    /// <item>"gone (ignored)": deleted or pending_delete already; listed, never acted on</item>
    /// </list>
    /// <para>Delete:</para>
    /// <list type="bullet">
    /// <item>"not kept by any rule" (bucket rules), "not among the newest 8 good" (-Retention 7)</item>
    /// <item>"failed; a newer good image exists", "crash-consistent; a newer good image exists"</item>
    /// </list>
    /// </remarks>
    public static class RetentionReasons
    {
        public const string Pinned = "pinned";

        /// <summary>Kept: Glance marks the image protected, so the cloud would refuse to delete it (treated like a pin).</summary>
        public const string Protected = "protected";
        public const string Gone = "gone (ignored)";
        public const string PendingAfterRunStarted = "pending (created after the run started)";
        public const string NewestGoodImage = "newest good image";
        public const string NotKeptByAnyRule = "not kept by any rule";
        public const string FailedNewerGoodExists = "failed; a newer good image exists";
        public const string FailedNoNewerGood = "failed; kept: no newer good image";
        public const string FailedKeptOnRequest = "failed; kept on request";

        /// <summary>A crash-consistent restore point in a pool that requires application-consistent ones: never counted.</summary>
        public const string CrashConsistentNewerGoodExists = "crash-consistent; a newer good image exists";
        public const string CrashConsistentNoNewerGood = "crash-consistent; kept: no newer good image";
        public const string CrashConsistentKeptOnRequest = "crash-consistent; kept on request";

        /// <summary>"pending (saving)": the cloud's status in lower case.</summary>
        public static string Pending(string status)
        {
            string text = (status ?? string.Empty).Trim().ToLowerInvariant();
            return "pending (" + (text.Length == 0 ? "no status" : text) + ")";
        }

        /// <summary>"unknown for more than 01:00:00": an UNKNOWN image the plan counts as failed.</summary>
        public static string UnknownTooLong(TimeSpan after) => Invariant($"unknown for more than {after:c}");

        /// <summary>"retention: newest 8 good".</summary>
        public static string Retention(long keeps) => Invariant($"retention: newest {keeps} good");

        /// <summary>"not among the newest 8 good".</summary>
        public static string NotInRetention(long keeps) => Invariant($"not among the newest {keeps} good");

        /// <summary>"last 3".</summary>
        public static string Last(int count) => Invariant($"last {count}");

        /// <summary>"within 7.00:00:00 of newest".</summary>
        public static string Within(TimeSpan within) => "within " + FormatDuration(within) + " of newest";

        internal static string Bucket(BucketKind kind, string label) => Buckets.Name(kind) + " " + label;

        internal static string Oldest(BucketKind kind, int left) => Invariant($"oldest kept: {Buckets.Name(kind)} has {left} left");

        /// <summary>A TimeSpan the way PowerShell and .NET print it everywhere ("c"): 7.00:00:00, 12:00:00.</summary>
        internal static string FormatDuration(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
