using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;
using static Autosnap.Tests.Rotation.Images;

namespace Autosnap.Tests.Rotation
{
    /// <summary>Each bucket rule alone, then together: restic forget semantics (docs/retention.md, "Policies" 2).</summary>
    public class BucketRuleTests
    {
        private static IReadOnlyList<RotationDecision> Plan(IEnumerable<AutoSnapshot> pool, BucketRules rules, TimeZoneInfo? zone = null) =>
            RetentionPlanner.Plan(pool, Rules(rules, zone));

        [Fact]
        public void KeepLast_keeps_the_newest_n()
        {
            var plan = Plan(Daily("2026-03-01", 5), new BucketRules { KeepLast = 3 });

            Assert.Equal(
                new[]
                {
                    "2026-03-05T00:05 Keep last 3",
                    "2026-03-04T00:05 Keep last 3",
                    "2026-03-03T00:05 Keep last 3",
                    "2026-03-02T00:05 Delete not kept by any rule",
                    "2026-03-01T00:05 Delete not kept by any rule",
                },
                plan.Table());
        }

        [Fact]
        public void KeepLast_larger_than_the_pool_keeps_all_without_an_oldest_reason()
        {
            var plan = Plan(Daily("2026-03-01", 2), new BucketRules { KeepLast = 5 });

            Assert.Equal(new[] { "2026-03-02T00:05 Keep last 5", "2026-03-01T00:05 Keep last 5" }, plan.Table());
        }

        [Fact]
        public void KeepHourly_keeps_the_newest_image_of_each_hour()
        {
            var pool = new[] { "10:00", "10:30", "11:15", "12:05", "12:45" }.Select(t => At($"2026-03-01T{t}Z"));

            var plan = Plan(pool, new BucketRules { KeepHourly = 2 });

            Assert.Equal(
                new[]
                {
                    "2026-03-01T12:45 Keep hourly 2026-03-01 12:00+00:00",
                    "2026-03-01T12:05 Delete not kept by any rule",
                    "2026-03-01T11:15 Keep hourly 2026-03-01 11:00+00:00",
                    "2026-03-01T10:30 Delete not kept by any rule",
                    "2026-03-01T10:00 Delete not kept by any rule",
                },
                plan.Table());
        }

        [Fact]
        public void KeepDaily_keeps_the_newest_image_of_each_day()
        {
            var pool = new[] { "03-01T08:00", "03-01T20:00", "03-02T08:00", "03-02T20:00", "03-03T08:00", "03-03T20:00" }
                .Select(t => At($"2026-{t}Z"));

            var plan = Plan(pool, new BucketRules { KeepDaily = 2 });

            Assert.Equal(new[] { "2026-03-03T20:00", "2026-03-02T20:00" }, plan.KeptIds());
            Assert.Equal(new[] { "daily 2026-03-03" }, plan.For("2026-03-03T20:00").Reasons);
            Assert.Equal(new[] { "daily 2026-03-02" }, plan.For("2026-03-02T20:00").Reasons);
        }

        [Fact]
        public void Days_without_images_do_not_count()
        {
            var pool = new[] { "2026-03-01", "2026-03-05", "2026-03-09" }.Select(d => At(d + "T00:05Z"));

            var plan = Plan(pool, new BucketRules { KeepDaily = 2 });

            // Not "the last two calendar days" (Mar 8 and 9), but the two newest days that have an image.
            Assert.Equal(new[] { "2026-03-09T00:05", "2026-03-05T00:05" }, plan.KeptIds());
        }

        [Fact]
        public void KeepWeekly_keeps_the_newest_image_of_each_ISO_week()
        {
            // Mon Mar 2 .. Sun Mar 8 is 2026-W10; Mon Mar 9 starts W11.
            var pool = new[] { "2026-02-27", "2026-03-02", "2026-03-08", "2026-03-09", "2026-03-10" }.Select(d => At(d + "T00:05Z"));

            var plan = Plan(pool, new BucketRules { KeepWeekly = 3 });

            Assert.Equal(
                new[]
                {
                    "2026-03-10T00:05 Keep weekly 2026-W11",
                    "2026-03-09T00:05 Delete not kept by any rule",
                    "2026-03-08T00:05 Keep weekly 2026-W10",
                    "2026-03-02T00:05 Delete not kept by any rule",
                    "2026-02-27T00:05 Keep weekly 2026-W09",
                },
                plan.Table());
        }

        [Fact]
        public void KeepMonthly_keeps_the_newest_image_of_each_month()
        {
            var pool = new[] { "2026-01-31", "2026-02-15", "2026-02-28", "2026-03-01", "2026-04-02" }.Select(d => At(d + "T00:05Z"));

            var plan = Plan(pool, new BucketRules { KeepMonthly = 3 });

            Assert.Equal(
                new[]
                {
                    "2026-04-02T00:05 Keep monthly 2026-04",
                    "2026-03-01T00:05 Keep monthly 2026-03",
                    "2026-02-28T00:05 Keep monthly 2026-02",
                    "2026-02-15T00:05 Delete not kept by any rule",
                    "2026-01-31T00:05 Delete not kept by any rule",
                },
                plan.Table());
        }

        [Fact]
        public void KeepYearly_keeps_the_newest_image_of_each_year()
        {
            var pool = new[] { "2024-12-31", "2025-06-01", "2025-12-31", "2026-01-01" }.Select(d => At(d + "T00:05Z"));

            var plan = Plan(pool, new BucketRules { KeepYearly = 2 });

            Assert.Equal(
                new[]
                {
                    "2026-01-01T00:05 Keep yearly 2026",
                    "2025-12-31T00:05 Keep yearly 2025",
                    "2025-06-01T00:05 Delete not kept by any rule",
                    "2024-12-31T00:05 Delete not kept by any rule",
                },
                plan.Table());
        }

        [Fact]
        public void A_rule_with_count_left_after_the_walk_keeps_the_oldest_image_too()
        {
            // Three days of two images each: daily 7 keeps the newest of each day and has 4 left at the end, so
            // the oldest image (the first of Mar 1) stays as well, as restic does.
            var pool = new[] { "03-01T06:00", "03-01T18:00", "03-02T06:00", "03-02T18:00", "03-03T06:00", "03-03T18:00" }
                .Select(t => At($"2026-{t}Z"));

            var plan = Plan(pool, new BucketRules { KeepDaily = 7 });

            Assert.Equal(
                new[]
                {
                    "2026-03-03T18:00 Keep daily 2026-03-03",
                    "2026-03-03T06:00 Delete not kept by any rule",
                    "2026-03-02T18:00 Keep daily 2026-03-02",
                    "2026-03-02T06:00 Delete not kept by any rule",
                    "2026-03-01T18:00 Keep daily 2026-03-01",
                    "2026-03-01T06:00 Keep oldest kept: daily has 4 left",
                },
                plan.Table());
        }

        [Fact]
        public void The_oldest_image_gets_its_bucket_reason_when_the_walk_kept_it_anyway()
        {
            var plan = Plan(Daily("2026-03-01", 3), new BucketRules { KeepDaily = 7 });

            Assert.Equal(new[] { "daily 2026-03-01" }, plan.For("2026-03-01T00:05").Reasons);
            Assert.All(plan, decision => Assert.Equal(RotationAction.Keep, decision.Action));
        }

        [Fact]
        public void The_oldest_image_goes_once_every_rule_has_used_its_count()
        {
            var pool = new[] { "03-01T06:00", "03-01T18:00", "03-02T06:00", "03-02T18:00" }.Select(t => At($"2026-{t}Z"));

            var plan = Plan(pool, new BucketRules { KeepDaily = 2 });

            Assert.Equal(RotationAction.Delete, plan.For("2026-03-01T06:00").Action);
        }

        [Fact]
        public void Each_rule_with_count_left_names_itself_on_the_oldest_image()
        {
            var pool = new[] { "03-02T06:00", "03-02T18:00" }.Select(t => At($"2026-{t}Z"));

            var plan = Plan(pool, new BucketRules { KeepDaily = 1, KeepWeekly = 3, KeepMonthly = 2 });

            Assert.Equal(
                new[]
                {
                    "2026-03-02T18:00 Keep daily 2026-03-02; weekly 2026-W10; monthly 2026-03",
                    "2026-03-02T06:00 Keep oldest kept: weekly has 2 left; oldest kept: monthly has 1 left",
                },
                plan.Table());
        }

        [Fact]
        public void KeepWithin_is_measured_from_the_newest_good_image_not_from_now()
        {
            // Years old: measured from now, nothing would be within 3 days.
            var plan = Plan(Daily("2019-05-01", 10), new BucketRules { KeepWithin = TimeSpan.FromDays(3) });

            Assert.Equal(new[] { "2019-05-10T00:05", "2019-05-09T00:05", "2019-05-08T00:05" }, plan.KeptIds());
            Assert.Equal(new[] { "within 3.00:00:00 of newest" }, plan.For("2019-05-08T00:05").Reasons);
        }

        [Fact]
        public void KeepWithin_keeps_images_strictly_younger_than_the_duration()
        {
            // May 7 is exactly 3 days older than May 10: "newer than 3 days" (restic) does not include it.
            var plan = Plan(Daily("2026-05-01", 10), new BucketRules { KeepWithin = TimeSpan.FromDays(3) });

            Assert.Equal(RotationAction.Delete, plan.For("2026-05-07T00:05").Action);

            var withMinute = Plan(Daily("2026-05-01", 10), new BucketRules { KeepWithin = TimeSpan.FromDays(3).Add(TimeSpan.FromMinutes(1)) });
            Assert.Equal(RotationAction.Keep, withMinute.For("2026-05-07T00:05").Action);
        }

        [Fact]
        public void KeepWithin_ignores_newer_failed_pending_and_pinned_images()
        {
            // A week of failures after May 10, a stuck upload, and a pinned image: none of them moves the anchor,
            // so the history within 2 days of the newest good image survives.
            List<AutoSnapshot> pool = Daily("2026-05-01", 10);
            pool.AddRange(Enumerable.Range(11, 7).Select(day => At($"2026-05-{day}T00:05Z", "ERROR")));
            pool.Add(At("2026-05-18T00:05Z", "queued"));
            pool.Add(At("2026-05-19T00:05Z", pinned: true));

            var plan = Plan(pool, new BucketRules { KeepWithin = TimeSpan.FromDays(2) });

            Assert.Equal(new[] { "2026-05-10T00:05", "2026-05-09T00:05" }, plan.Where(d => d.State == SnapshotState.Good && !d.Snapshot.IsPinned).KeptIds());
        }

        [Fact]
        public void Rules_overlap_and_are_ORed_so_one_image_serves_several()
        {
            var plan = Plan(Daily("2026-03-01", 10), new BucketRules { KeepLast = 1, KeepDaily = 1, KeepWeekly = 1, KeepWithin = TimeSpan.FromHours(1) });

            // borg would keep a second image for weekly; restic's rules share the newest one.
            Assert.Equal(new[] { "2026-03-10T00:05" }, plan.KeptIds());
            Assert.Equal(
                new[] { "last 1", "daily 2026-03-10", "weekly 2026-W11", "within 01:00:00 of newest" },
                plan.For("2026-03-10T00:05").Reasons);
        }

        [Fact]
        public void A_GFS_policy_over_100_days_keeps_exactly_the_union_of_its_rules()
        {
            List<AutoSnapshot> pool = Daily("2026-01-01", 100); // Jan 1 .. Apr 10

            var plan = Plan(pool, new BucketRules { KeepLast = 2, KeepDaily = 5, KeepWeekly = 3, KeepMonthly = 3 });

            Assert.Equal(
                new[]
                {
                    "2026-04-10T00:05 Keep last 2; daily 2026-04-10; weekly 2026-W15; monthly 2026-04",
                    "2026-04-09T00:05 Keep last 2; daily 2026-04-09",
                    "2026-04-08T00:05 Keep daily 2026-04-08",
                    "2026-04-07T00:05 Keep daily 2026-04-07",
                    "2026-04-06T00:05 Keep daily 2026-04-06",
                    "2026-04-05T00:05 Keep weekly 2026-W14",
                    "2026-03-31T00:05 Keep monthly 2026-03",
                    "2026-03-29T00:05 Keep weekly 2026-W13",
                    "2026-02-28T00:05 Keep monthly 2026-02",
                },
                plan.Where(d => d.Action == RotationAction.Keep).Table());
            Assert.Equal(91, plan.DeletedIds().Length);
        }

        [Fact]
        public void Bucket_rules_ignore_the_input_order()
        {
            List<AutoSnapshot> pool = Daily("2026-01-01", 60);
            var rules = new BucketRules { KeepDaily = 4, KeepWeekly = 3, KeepMonthly = 2 };
            var shuffled = pool.OrderBy(image => image.Id.GetHashCode()).Reverse().ToList();

            Assert.Equal(Plan(pool, rules).Table(), Plan(shuffled, rules).Table());
        }
    }
}
