using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;
using static Autosnap.Tests.Rotation.Images;

namespace Autosnap.Tests.Rotation
{
    /// <summary>docs/retention.md, "Worked example", verbatim: both policies, every image.</summary>
    public class WorkedExampleTests
    {
        // Good images of pool (web1, daily) at 00:05 UTC each day from Jan 1 to Jan 20, plus one SAVING image from
        // Jan 21 and one ERROR image from Jan 10.
        private static List<AutoSnapshot> Pool()
        {
            List<AutoSnapshot> pool = Daily("2026-01-01", 20);
            pool.Add(At("2026-01-21T00:05Z", "SAVING"));
            pool.Add(At("2026-01-10T00:05Z", "ERROR", id: "error-2026-01-10"));
            return pool;
        }

        private static IEnumerable<string> Days(int from, int to) =>
            Enumerable.Range(from, to - from + 1).Reverse().Select(day => $"2026-01-{day:D2}T00:05");

        [Fact]
        public void Retention_3_keeps_Jan_20_to_17_deletes_Jan_1_to_16_and_the_error_and_leaves_the_saving_image()
        {
            IReadOnlyList<RotationDecision> plan = RetentionPlanner.Plan(Pool(), RetentionPolicy.FromRetention(3));

            Assert.Equal(new[] { "2026-01-21T00:05" }.Concat(Days(17, 20)), plan.KeptIds());
            Assert.Equal(Days(10, 16).Concat(new[] { "error-2026-01-10" }).Concat(Days(1, 9)), plan.DeletedIds());

            Assert.Equal(new[] { "pending (saving)" }, plan.For("2026-01-21T00:05").Reasons);
            foreach (string kept in Days(17, 20)) Assert.Equal(new[] { "retention: newest 4 good" }, plan.For(kept).Reasons);
            foreach (string deleted in Days(1, 16)) Assert.Equal(new[] { "not among the newest 4 good" }, plan.For(deleted).Reasons);
            Assert.Equal(new[] { "failed; a newer good image exists" }, plan.For("error-2026-01-10").Reasons);
        }

        [Fact]
        public void KeepDaily_3_KeepWeekly_3_in_UTC_keeps_Jan_20_19_18_and_11_with_their_rules()
        {
            RetentionPolicy policy = RetentionPolicy.FromRules(new BucketRules { KeepDaily = 3, KeepWeekly = 3 }, TimeZones.Find("UTC"));

            IReadOnlyList<RotationDecision> plan = RetentionPlanner.Plan(Pool(), policy);

            Assert.Equal(
                new[]
                {
                    "2026-01-21T00:05 Keep pending (saving)",
                    "2026-01-20T00:05 Keep daily 2026-01-20; weekly 2026-W04",
                    "2026-01-19T00:05 Keep daily 2026-01-19",
                    "2026-01-18T00:05 Keep daily 2026-01-18; weekly 2026-W03",
                    "2026-01-17T00:05 Delete not kept by any rule",
                    "2026-01-16T00:05 Delete not kept by any rule",
                    "2026-01-15T00:05 Delete not kept by any rule",
                    "2026-01-14T00:05 Delete not kept by any rule",
                    "2026-01-13T00:05 Delete not kept by any rule",
                    "2026-01-12T00:05 Delete not kept by any rule",
                    "2026-01-11T00:05 Keep weekly 2026-W02",
                    "2026-01-10T00:05 Delete not kept by any rule",
                    "error-2026-01-10 Delete failed; a newer good image exists",
                    "2026-01-09T00:05 Delete not kept by any rule",
                    "2026-01-08T00:05 Delete not kept by any rule",
                    "2026-01-07T00:05 Delete not kept by any rule",
                    "2026-01-06T00:05 Delete not kept by any rule",
                    "2026-01-05T00:05 Delete not kept by any rule",
                    "2026-01-04T00:05 Delete not kept by any rule",
                    "2026-01-03T00:05 Delete not kept by any rule",
                    "2026-01-02T00:05 Delete not kept by any rule",
                    "2026-01-01T00:05 Delete not kept by any rule",
                },
                plan.Table());
        }

        [Fact]
        public void KeepWeekly_5_also_keeps_Jan_4_and_then_the_oldest_good_image_because_weekly_has_one_left()
        {
            RetentionPolicy policy = RetentionPolicy.FromRules(new BucketRules { KeepDaily = 3, KeepWeekly = 5 }, TimeZones.Find("UTC"));

            IReadOnlyList<RotationDecision> plan = RetentionPlanner.Plan(Pool(), policy);

            Assert.Equal(new[] { "2026-01-21T00:05", "2026-01-20T00:05", "2026-01-19T00:05", "2026-01-18T00:05", "2026-01-11T00:05",
                                 "2026-01-04T00:05", "2026-01-01T00:05" }, plan.KeptIds());
            Assert.Equal(new[] { "weekly 2026-W01" }, plan.For("2026-01-04T00:05").Reasons);
            Assert.Equal(new[] { "oldest kept: weekly has 1 left" }, plan.For("2026-01-01T00:05").Reasons);
        }

        [Fact]
        public void The_ISO_weeks_of_the_example_are_as_the_contract_says()
        {
            // Jan 1 2026 is a Thursday: week 1 runs Dec 29..Jan 4, week 2 Jan 5..11, week 3 Jan 12..18, week 4 Jan 19..25.
            Assert.Equal("2026-W01", IsoWeek.Of(new System.DateTime(2025, 12, 29)).ToString());
            Assert.Equal("2026-W01", IsoWeek.Of(new System.DateTime(2026, 1, 4)).ToString());
            Assert.Equal("2026-W02", IsoWeek.Of(new System.DateTime(2026, 1, 5)).ToString());
            Assert.Equal("2026-W02", IsoWeek.Of(new System.DateTime(2026, 1, 11)).ToString());
            Assert.Equal("2026-W03", IsoWeek.Of(new System.DateTime(2026, 1, 12)).ToString());
            Assert.Equal("2026-W03", IsoWeek.Of(new System.DateTime(2026, 1, 18)).ToString());
            Assert.Equal("2026-W04", IsoWeek.Of(new System.DateTime(2026, 1, 19)).ToString());
            Assert.Equal("2026-W04", IsoWeek.Of(new System.DateTime(2026, 1, 25)).ToString());
        }
    }
}
