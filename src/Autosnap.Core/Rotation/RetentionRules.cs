using System;
using System.Collections.Generic;

namespace Autosnap.Rotation
{
    /// <summary>
    /// The rules of a policy applied to the images that count. Only the rules live here; which images count, and
    /// everything the safety rules demand, is the planner's job.
    /// </summary>
    internal static class RetentionRules
    {
        /// <summary>
        /// For each image of <paramref name="counted"/> (good, unpinned, not pending; newest first) the reasons the
        /// policy keeps it, in rule order. An empty list means no rule keeps it.
        /// </summary>
        public static List<string>[] Evaluate(RetentionPolicy policy, IReadOnlyList<Model.AutoSnapshot> counted)
        {
            var reasons = new List<string>[counted.Count];
            for (int i = 0; i < reasons.Length; i++) reasons[i] = new List<string>();
            if (counted.Count == 0) return reasons;

            if (policy.RetentionKeeps is long keeps)
            {
                for (int i = 0; i < counted.Count && i < keeps; i++) reasons[i].Add(RetentionReasons.Retention(keeps));
                return reasons;
            }

            BucketRules rules = policy.RulesNoCopy!;
            for (int i = 0; i < counted.Count && i < rules.KeepLast; i++) reasons[i].Add(RetentionReasons.Last(rules.KeepLast));

            foreach (BucketKind kind in Buckets.All)
            {
                ApplyBucketRule(kind, rules.CountOf(kind), policy.TimeZone, counted, reasons);
            }

            if (rules.KeepWithin is TimeSpan within)
            {
                // Measured from the newest good image, not from now: when snapshots stop or keep failing, the
                // history does not age away.
                DateTimeOffset newest = counted[0].Created;
                for (int i = 0; i < counted.Count && newest - counted[i].Created < within; i++)
                {
                    reasons[i].Add(RetentionReasons.Within(within));
                }
            }

            return reasons;
        }

        /// <summary>
        /// restic forget: walking newest to oldest, an image whose bucket differs from the last bucket this rule kept
        /// is kept, until the count is used up. So the newest image of each bucket wins and empty buckets do not count.
        /// When count is left after the walk, the oldest image is kept too, so a young history is not thinned at its start.
        /// </summary>
        private static void ApplyBucketRule(
            BucketKind kind, int count, TimeZoneInfo zone, IReadOnlyList<Model.AutoSnapshot> counted, List<string>[] reasons)
        {
            if (count <= 0) return;

            int left = count;
            string? lastKeptBucket = null;
            bool oldestKept = false;
            for (int i = 0; i < counted.Count && left > 0; i++)
            {
                string bucket = Buckets.Label(kind, counted[i].Created, zone);
                if (bucket == lastKeptBucket) continue;

                reasons[i].Add(RetentionReasons.Bucket(kind, bucket));
                lastKeptBucket = bucket;
                left--;
                oldestKept = i == counted.Count - 1;
            }

            if (left > 0 && !oldestKept)
            {
                reasons[counted.Count - 1].Add(RetentionReasons.Oldest(kind, left));
            }
        }
    }
}
