using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Autosnap.Rotation;

namespace Autosnap.Policy
{
    /// <summary>
    /// The retention fields as a policy file or a server's metadata gives them, turned into a
    /// <see cref="RetentionPolicy"/> by RetentionPolicy's own factories: its checks decide, its ErrorId is carried,
    /// and the message names the field in the vocabulary of the format (keepDaily in a file, daily in metadata).
    /// </summary>
    internal sealed class RetentionInput
    {
        /// <summary>The largest count a policy accepts: 100000 daily images are 273 years; anything above is a typo.</summary>
        public const int MaxCount = 100000;

        internal static readonly string[] CountFields = { "keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly" };

        private readonly Dictionary<string, long> counts = new Dictionary<string, long>(StringComparer.Ordinal);

        public RetentionInput(Func<string, string> nameOf)
        {
            NameOf = nameOf;
        }

        /// <summary>How the format calls a field: "keepDaily" to "keepDaily" (file) or "daily" (metadata).</summary>
        public Func<string, string> NameOf { get; }

        /// <summary>N of "retention": N, and where it was given (relative to the policy).</summary>
        public long? Retention { get; private set; }

        public object[] RetentionPath { get; private set; } = { "retention", "retention" };

        public TimeSpan? KeepWithin { get; set; }
        public string? TimeZone { get; set; }
        public bool KeepFailed { get; set; }

        public void SetRetention(long value, params object[] path)
        {
            Retention = value;
            RetentionPath = path;
        }

        public void SetCount(string field, long value) => counts[field] = value;

        public bool HasBucketRules => counts.Count > 0 || KeepWithin.HasValue;

        public RetentionPolicy Build(Sites sites)
        {
            if (Retention.HasValue) CheckRange(Retention.Value, sites.At(RetentionPath));
            foreach (string field in CountFields)
            {
                if (counts.TryGetValue(field, out long count)) CheckRange(count, sites.At("retention", field));
            }

            if (Retention.HasValue && !HasBucketRules && TimeZone != null)
            {
                throw sites.At("retention", "timeZone").Error(PolicyException.FieldConflict,
                    "a time zone applies to bucket rules only; " + NameOf("retention") + " N keeps the newest N+1 whatever the calendar. Remove it.");
            }

            try
            {
                TimeZoneInfo? zone = TimeZone == null ? null : FindZone(sites);
                BucketRules? rules = HasBucketRules ? Rules() : null;
                int? retention = Retention.HasValue ? Clamp(Retention.Value) : (int?)null;
                return RetentionPolicy.FromParameters(retention, rules, zone).WithKeepFailed(KeepFailed);
            }
            catch (RetentionPolicyException e)
            {
                throw Explain(e, sites);
            }
        }

        private TimeZoneInfo FindZone(Sites sites)
        {
            try
            {
                return TimeZones.Find(TimeZone!);
            }
            catch (RetentionPolicyException e)
            {
                throw sites.At("retention", "timeZone").Error(e.ErrorId, SnapshotPolicy.Lower(e.Message), e);
            }
        }

        private BucketRules Rules() => new BucketRules
        {
            KeepLast = Count("keepLast"),
            KeepHourly = Count("keepHourly"),
            KeepDaily = Count("keepDaily"),
            KeepWeekly = Count("keepWeekly"),
            KeepMonthly = Count("keepMonthly"),
            KeepYearly = Count("keepYearly"),
            KeepWithin = KeepWithin,
        };

        private int Count(string field) => counts.TryGetValue(field, out long value) ? Clamp(value) : 0;

        private static int Clamp(long value) => (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, value));

        private static void CheckRange(long value, ErrorSite site)
        {
            if (value > MaxCount)
            {
                throw site.Error(PolicyException.ValueOutOfRange,
                    "must be at most " + MaxCount.ToString(CultureInfo.InvariantCulture) + ", not " + value.ToString(CultureInfo.InvariantCulture) + ".");
            }
        }

        private PolicyException Explain(RetentionPolicyException e, Sites sites)
        {
            string rules = string.Join(", ", CountFields.Concat(new[] { "keepWithin" }).Select(NameOf));
            switch (e.ErrorId)
            {
                case RetentionPolicyException.NegativeCount:
                {
                    bool isRetention = e.ParamName == "Retention";
                    string field = isRetention ? "retention" : "k" + e.ParamName!.Substring(1);
                    long value = isRetention ? Retention.GetValueOrDefault() : counts[field];
                    ErrorSite site = isRetention ? sites.At(RetentionPath) : sites.At("retention", field);
                    return site.Error(e.ErrorId, "must be 0 or more, not " + value.ToString(CultureInfo.InvariantCulture) + ".", e);
                }

                case RetentionPolicyException.InvalidWithin:
                    return sites.At("retention", "keepWithin").Error(e.ErrorId,
                        "must be longer than zero, not " + PolicyDuration.Format(KeepWithin.GetValueOrDefault()) + ".", e);

                case RetentionPolicyException.KeepsNothing:
                    return sites.At("retention").Error(e.ErrorId,
                        "keeps nothing: every count is 0 and " + NameOf("keepWithin") + " is not set. Give at least one of " + rules +
                        " a value above zero, or use " + NameOf("retention") + " N.", e);

                case RetentionPolicyException.Conflict:
                    return sites.At("retention").Error(e.ErrorId,
                        NameOf("retention") + " N cannot be combined with bucket rules (" +
                        string.Join(", ", CountFields.Where(counts.ContainsKey).Concat(KeepWithin.HasValue ? new[] { "keepWithin" } : new string[0]).Select(NameOf)) +
                        "); use one or the other.", e);

                case RetentionPolicyException.Missing:
                    return sites.At("retention").Error(e.ErrorId,
                        "no rule says what to keep: give " + NameOf("retention") + " N (keeps the newest N+1 good images), or at least one of " +
                        rules + ".", e);

                default:
                    return sites.At("retention").Error(e.ErrorId, e.Message, e);
            }
        }
    }
}
