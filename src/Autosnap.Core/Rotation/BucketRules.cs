using System;
using System.Collections.Generic;
using System.Globalization;

namespace Autosnap.Rotation
{
    /// <summary>
    /// The restic-style rules of a bucketed policy (-KeepLast, -KeepHourly ... -KeepYearly, -KeepWithin).
    /// A plain settable bag, so cmdlets and the policy file can fill it; <see cref="RetentionPolicy.FromRules"/>
    /// validates it and takes a copy, so changing it afterwards does not change a policy.
    /// </summary>
    public sealed class BucketRules
    {
        /// <summary>Keep the newest n good images.</summary>
        public int KeepLast { get; set; }

        /// <summary>Keep the newest image of each of the newest n hours that have images.</summary>
        public int KeepHourly { get; set; }

        /// <summary>Keep the newest image of each of the newest n local calendar days that have images.</summary>
        public int KeepDaily { get; set; }

        /// <summary>Keep the newest image of each of the newest n ISO-8601 weeks (Monday to Sunday) that have images.</summary>
        public int KeepWeekly { get; set; }

        /// <summary>Keep the newest image of each of the newest n calendar months that have images.</summary>
        public int KeepMonthly { get; set; }

        /// <summary>Keep the newest image of each of the newest n calendar years that have images.</summary>
        public int KeepYearly { get; set; }

        /// <summary>
        /// Keep every good image created less than this long before the newest good image (not before now, so a run
        /// of failures never ages the history away). The newest good image is the newest one that counts: pinned and
        /// pending images do not move it.
        /// </summary>
        public TimeSpan? KeepWithin { get; set; }

        /// <summary>True when at least one rule would keep something.</summary>
        public bool KeepsAnything =>
            KeepLast > 0 || KeepHourly > 0 || KeepDaily > 0 || KeepWeekly > 0 || KeepMonthly > 0 || KeepYearly > 0 ||
            (KeepWithin.HasValue && KeepWithin.Value > TimeSpan.Zero);

        public BucketRules Clone() => (BucketRules)MemberwiseClone();

        /// <summary>"last 3, daily 7, weekly 4, within 7.00:00:00": the rules that are set, in rule order.</summary>
        public override string ToString()
        {
            var parts = new List<string>();
            if (KeepLast != 0) parts.Add(Invariant($"last {KeepLast}"));
            foreach (BucketKind kind in Buckets.All)
            {
                int count = CountOf(kind);
                if (count != 0) parts.Add(Invariant($"{Buckets.Name(kind)} {count}"));
            }
            if (KeepWithin.HasValue) parts.Add("within " + RetentionReasons.FormatDuration(KeepWithin.Value));
            return parts.Count == 0 ? "no rules" : string.Join(", ", parts);
        }

        internal int CountOf(BucketKind kind)
        {
            switch (kind)
            {
                case BucketKind.Hourly: return KeepHourly;
                case BucketKind.Daily: return KeepDaily;
                case BucketKind.Weekly: return KeepWeekly;
                case BucketKind.Monthly: return KeepMonthly;
                case BucketKind.Yearly: return KeepYearly;
                default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
            }
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
