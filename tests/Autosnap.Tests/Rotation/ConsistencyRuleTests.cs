using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;

namespace Autosnap.Tests.Rotation
{
    /// <summary>
    /// docs/retention.md, "Consistency": a pool that requires application-consistent restore points counts only those;
    /// a crash-consistent one is treated like a failed one (never counted, kept until a newer good one exists).
    /// </summary>
    public class ConsistencyRuleTests
    {
        private static AutoSnapshot Point(string day, string? consistency, string status = "ACTIVE")
        {
            AutoSnapshot plain = Images.At(day + "T00:05Z", status);
            var properties = new Dictionary<string, string>(plain.Properties);
            if (consistency != null) properties[AutosnapMetadata.Consistency] = consistency;
            return new AutoSnapshot(plain.Id, plain.Name, plain.Status, plain.Created, plain.Region, properties);
        }

        private static readonly PlanOptions Required = new PlanOptions { RequireApplicationConsistency = true };

        [Fact]
        public void Crash_consistent_points_are_not_counted_and_go_once_a_newer_good_one_exists()
        {
            var pool = new[]
            {
                Point("2026-03-05", "crash"), Point("2026-03-04", "application"), Point("2026-03-03", "crash"),
                Point("2026-03-02", "application"), Point("2026-03-01", null),
            };

            IReadOnlyList<RotationDecision> plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(1), Required);

            Assert.Equal(new[]
            {
                "2026-03-05T00:05 Keep crash-consistent; kept: no newer good image",
                "2026-03-04T00:05 Keep retention: newest 2 good",
                "2026-03-03T00:05 Delete crash-consistent; a newer good image exists",
                "2026-03-02T00:05 Keep retention: newest 2 good",
                // made before Autosnap recorded consistency: counted as it always was
                "2026-03-01T00:05 Delete not among the newest 2 good",
            }, plan.Table());
        }

        [Fact]
        public void Without_the_requirement_crash_consistent_points_count_like_any_other()
        {
            var pool = new[] { Point("2026-03-03", "crash"), Point("2026-03-02", "application"), Point("2026-03-01", "crash") };

            IReadOnlyList<RotationDecision> plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(1), new PlanOptions());

            Assert.Equal(new[] { "2026-03-03T00:05", "2026-03-02T00:05" }, plan.KeptIds());
            Assert.Equal(new[] { "2026-03-01T00:05" }, plan.DeletedIds());
        }

        [Fact]
        public void A_pool_of_only_crash_consistent_points_loses_nothing()
        {
            var pool = Enumerable.Range(1, 9).Select(day => Point($"2026-03-{day:00}", "crash")).ToList();

            IReadOnlyList<RotationDecision> plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0), Required);

            Assert.Empty(plan.DeletedIds());
            Assert.All(plan, d => Assert.Equal(RetentionReasons.CrashConsistentNoNewerGood, d.Reason));
        }

        [Fact]
        public void KeepFailed_keeps_crash_consistent_points_too_and_pins_still_win()
        {
            var pinned = Images.At("2026-03-01T00:05Z", pinned: true);
            var pool = new List<AutoSnapshot> { Point("2026-03-03", "application"), Point("2026-03-02", "crash"), pinned };

            IReadOnlyList<RotationDecision> kept = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0).WithKeepFailed(), Required);
            IReadOnlyList<RotationDecision> plain = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0), Required);

            Assert.Equal(RetentionReasons.CrashConsistentKeptOnRequest, kept.For("2026-03-02T00:05").Reason);
            Assert.Empty(kept.DeletedIds());
            Assert.Equal(new[] { "2026-03-02T00:05" }, plain.DeletedIds());
            Assert.Equal(RetentionReasons.Pinned, plain.For("2026-03-01T00:05").Reason);
        }

        [Fact]
        public void The_safety_net_refuses_a_plan_that_deletes_a_crash_consistent_point_with_no_newer_good_one()
        {
            AutoSnapshot crash = Point("2026-03-02", "crash");
            var plan = new[] { new RotationDecision(crash, RotationAction.Delete, new[] { "broken rule" }) };

            var error = Assert.Throws<InvalidOperationException>(() => RetentionPlanner.CheckSafety(plan, RetentionPolicy.FromRetention(1), Required));

            Assert.Contains("a crash-consistent image with no newer good image", error.Message);
        }
    }
}
