using System;
using System.Globalization;

namespace Autosnap.Rotation
{
    /// <summary>
    /// What a rotation keeps: either -Retention N (the newest N+1 good images) or restic-style bucket rules in a
    /// time zone, plus whether failed images are kept. Immutable and always valid: the factories refuse negative
    /// counts, a policy that keeps nothing, and -Retention combined with bucket rules.
    /// </summary>
    public sealed class RetentionPolicy
    {
        private readonly BucketRules? rules;

        private RetentionPolicy(int? retention, BucketRules? rules, TimeZoneInfo timeZone, bool keepFailed)
        {
            Retention = retention;
            this.rules = rules;
            TimeZone = timeZone;
            KeepFailed = keepFailed;
        }

        /// <summary>N of -Retention N; null for a bucketed policy.</summary>
        public int? Retention { get; }

        /// <summary>How many good images a -Retention policy keeps (N+1; a long so that N = int.MaxValue cannot overflow); null for a bucketed policy.</summary>
        public long? RetentionKeeps => Retention + 1L;

        /// <summary>A copy of the bucket rules; null for a -Retention policy.</summary>
        public BucketRules? Rules => rules?.Clone();

        /// <summary>The zone whose calendar defines hours, days, weeks, months and years. UTC for -Retention, which has no calendar.</summary>
        public TimeZoneInfo TimeZone { get; }

        /// <summary>True when failed images are kept rather than removed once a newer good image exists (safety rule 3).</summary>
        public bool KeepFailed { get; }

        internal BucketRules? RulesNoCopy => rules;

        /// <summary>-Retention N: keep the newest N+1 good images (N old ones plus the new one, as the original script did).</summary>
        public static RetentionPolicy FromRetention(int retention)
        {
            if (retention < 0)
            {
                throw new RetentionPolicyException(
                    RetentionPolicyException.NegativeCount,
                    Invariant($"-Retention must be 0 or more, not {retention}. -Retention N keeps the newest N+1 good images."),
                    "Retention");
            }

            return new RetentionPolicy(retention, null, TimeZoneInfo.Utc, keepFailed: false);
        }

        /// <summary>Bucket rules with restic forget semantics, on the calendar of <paramref name="timeZone"/>.</summary>
        public static RetentionPolicy FromRules(BucketRules rules, TimeZoneInfo timeZone)
        {
            if (rules == null) throw new ArgumentNullException(nameof(rules));
            if (timeZone == null) throw new ArgumentNullException(nameof(timeZone));

            BucketRules copy = rules.Clone();
            RequireNotNegative("KeepLast", copy.KeepLast);
            RequireNotNegative("KeepHourly", copy.KeepHourly);
            RequireNotNegative("KeepDaily", copy.KeepDaily);
            RequireNotNegative("KeepWeekly", copy.KeepWeekly);
            RequireNotNegative("KeepMonthly", copy.KeepMonthly);
            RequireNotNegative("KeepYearly", copy.KeepYearly);
            if (copy.KeepWithin.HasValue && copy.KeepWithin.Value <= TimeSpan.Zero)
            {
                throw new RetentionPolicyException(
                    RetentionPolicyException.InvalidWithin,
                    "-KeepWithin must be a positive duration, not " + RetentionReasons.FormatDuration(copy.KeepWithin.Value) + ".",
                    "KeepWithin");
            }

            if (!copy.KeepsAnything)
            {
                throw new RetentionPolicyException(
                    RetentionPolicyException.KeepsNothing,
                    "The policy keeps nothing: -KeepLast, -KeepHourly, -KeepDaily, -KeepWeekly, -KeepMonthly and -KeepYearly " +
                    "are all 0 and -KeepWithin is not set. Give at least one of them a value above zero, or use -Retention.",
                    "KeepLast");
            }

            return new RetentionPolicy(null, copy, timeZone, keepFailed: false);
        }

        /// <summary>
        /// The policy as a cmdlet or a policy file gives it: <paramref name="retention"/> when -Retention was given,
        /// <paramref name="rules"/> when any -Keep* parameter was given (pass null otherwise), and the time zone of the
        /// bucket rules (null: the local zone of this machine; ignored by -Retention, which has no calendar).
        /// </summary>
        public static RetentionPolicy FromParameters(int? retention, BucketRules? rules, TimeZoneInfo? timeZone)
        {
            if (retention.HasValue && rules != null)
            {
                throw new RetentionPolicyException(
                    RetentionPolicyException.Conflict,
                    Invariant($"-Retention {retention.Value} cannot be combined with bucket rules ({rules}). ") +
                    "Use either -Retention or -KeepLast, -KeepHourly, -KeepDaily, -KeepWeekly, -KeepMonthly, -KeepYearly and -KeepWithin.",
                    "Retention");
            }

            if (retention.HasValue) return FromRetention(retention.Value);
            if (rules != null) return FromRules(rules, timeZone ?? TimeZoneInfo.Local);

            throw new RetentionPolicyException(
                RetentionPolicyException.Missing,
                "No retention policy: give -Retention N, or at least one of -KeepLast, -KeepHourly, -KeepDaily, -KeepWeekly, " +
                "-KeepMonthly, -KeepYearly and -KeepWithin.",
                "Retention");
        }

        /// <summary>The same policy, keeping failed images (true) or removing them once a newer good image exists (false).</summary>
        public RetentionPolicy WithKeepFailed(bool keepFailed = true) => new RetentionPolicy(Retention, rules, TimeZone, keepFailed);

        /// <summary>"retention 7 (keeps 8)", "last 3, daily 7, weekly 4 in Europe/Berlin", plus ", keeping failed images".</summary>
        public override string ToString()
        {
            string text = Retention.HasValue
                ? Invariant($"retention {Retention.Value} (keeps {RetentionKeeps})")
                : rules + " in " + TimeZone.Id;
            return KeepFailed ? text + ", keeping failed images" : text;
        }

        private static void RequireNotNegative(string parameter, int value)
        {
            if (value < 0)
            {
                throw new RetentionPolicyException(
                    RetentionPolicyException.NegativeCount,
                    Invariant($"-{parameter} must be 0 or more, not {value}."),
                    parameter);
            }
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
