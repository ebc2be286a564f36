using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;
using static Autosnap.Tests.Rotation.Images;

namespace Autosnap.Tests.Rotation
{
    /// <summary>docs/retention.md, "Safety rules", for both kinds of policy; plus what the planner refuses to plan.</summary>
    public class SafetyRuleTests
    {
        public static IEnumerable<object[]> Policies()
        {
            yield return new object[] { RetentionPolicy.FromRetention(0) };
            yield return new object[] { RetentionPolicy.FromRetention(3) };
            yield return new object[] { Rules(new BucketRules { KeepLast = 1 }) };
            yield return new object[] { Rules(new BucketRules { KeepDaily = 2, KeepWeekly = 1 }, Berlin) };
            yield return new object[] { Rules(new BucketRules { KeepWithin = TimeSpan.FromMinutes(1) }) };
        }

        [Theory]
        [MemberData(nameof(Policies))]
        public void Without_a_good_image_nothing_is_deleted(RetentionPolicy policy)
        {
            var pool = new[]
            {
                At("2026-02-01T00:05Z", "ERROR"), At("2026-02-02T00:05Z", "killed"), At("2026-02-03T00:05Z", "SAVING"),
                At("2026-02-04T00:05Z", "DELETED"), At("2026-02-05T00:05Z", "queued"),
            };

            var plan = RetentionPlanner.Plan(pool, policy);

            Assert.Empty(plan.DeletedIds());
            Assert.Equal(new[] { "failed; kept: no newer good image" }, plan.For("2026-02-01T00:05").Reasons);
            Assert.Equal(new[] { "failed; kept: no newer good image" }, plan.For("2026-02-02T00:05").Reasons);
        }

        [Theory]
        [MemberData(nameof(Policies))]
        public void The_newest_good_image_is_kept_by_every_policy(RetentionPolicy policy)
        {
            List<AutoSnapshot> pool = Daily("2025-01-01", 400);

            var plan = RetentionPlanner.Plan(pool, policy);

            Assert.Equal(RotationAction.Keep, plan.For("2026-02-04T00:05").Action);
            Assert.DoesNotContain(RetentionReasons.NewestGoodImage, plan.For("2026-02-04T00:05").Reasons);
        }

        [Fact]
        public void The_newest_good_image_survives_even_rules_that_keep_nothing()
        {
            // A broken rule set, which no valid policy can express: the planner's own safety net still keeps the newest.
            List<AutoSnapshot> pool = Daily("2026-01-01", 3);
            pool.Add(At("2026-01-04T00:05Z", "ERROR"));

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(1), null, (policy, counted) => counted.Select(_ => new List<string>()).ToArray());

            Assert.Equal(
                new[]
                {
                    "2026-01-04T00:05 Keep failed; kept: no newer good image",
                    "2026-01-03T00:05 Keep newest good image",
                    "2026-01-02T00:05 Delete not among the newest 2 good",
                    "2026-01-01T00:05 Delete not among the newest 2 good",
                },
                plan.Table());
        }

        [Fact]
        public void Rules_that_answer_for_another_list_are_refused()
        {
            Assert.Throws<InvalidOperationException>(
                () => RetentionPlanner.Plan(Daily("2026-01-01", 3), RetentionPolicy.FromRetention(1), null, (policy, counted) => new List<string>[1]));
        }

        [Theory]
        [InlineData("SAVING", "pending (saving)")]
        [InlineData("queued", "pending (queued)")]
        [InlineData("saving", "pending (saving)")]
        [InlineData("uploading", "pending (uploading)")]
        [InlineData("importing", "pending (importing)")]
        [InlineData("UNKNOWN", "pending (unknown)")]
        [InlineData("", "pending (no status)")]
        public void Pending_images_are_never_deleted_nor_counted(string status, string reason)
        {
            // Pending images, old and new, among good ones: keep-last-2 must still keep two GOOD images.
            List<AutoSnapshot> pool = Daily("2026-01-01", 5);
            pool.Add(At("2025-12-01T00:05Z", status));
            pool.Add(At("2026-01-06T00:05Z", status));

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepLast = 2 }));

            Assert.Equal(
                new[]
                {
                    $"2026-01-06T00:05 Keep {reason}",
                    "2026-01-05T00:05 Keep last 2",
                    "2026-01-04T00:05 Keep last 2",
                    "2026-01-03T00:05 Delete not kept by any rule",
                    "2026-01-02T00:05 Delete not kept by any rule",
                    "2026-01-01T00:05 Delete not kept by any rule",
                    $"2025-12-01T00:05 Keep {reason}",
                },
                plan.Table());
        }

        [Theory]
        [InlineData("ERROR")]
        [InlineData("killed")]
        public void Failed_images_never_count_and_go_once_a_newer_good_image_exists(string status)
        {
            var pool = new[]
            {
                At("2026-01-01T00:05Z"), At("2026-01-02T00:05Z", status), At("2026-01-03T00:05Z"),
                At("2026-01-04T00:05Z", status), At("2026-01-05T00:05Z", status),
            };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(1));

            Assert.Equal(
                new[]
                {
                    "2026-01-05T00:05 Keep failed; kept: no newer good image",
                    "2026-01-04T00:05 Keep failed; kept: no newer good image",
                    "2026-01-03T00:05 Keep retention: newest 2 good",
                    "2026-01-02T00:05 Delete failed; a newer good image exists",
                    "2026-01-01T00:05 Keep retention: newest 2 good",
                },
                plan.Table());
        }

        [Fact]
        public void Failed_images_are_kept_when_the_policy_asks()
        {
            var pool = new[] { At("2026-01-01T00:05Z", "ERROR"), At("2026-01-02T00:05Z"), At("2026-01-03T00:05Z", "ERROR") };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0).WithKeepFailed());

            Assert.Equal(
                new[]
                {
                    "2026-01-03T00:05 Keep failed; kept on request",
                    "2026-01-02T00:05 Keep retention: newest 1 good",
                    "2026-01-01T00:05 Keep failed; kept on request",
                },
                plan.Table());
        }

        [Fact]
        public void Pinned_images_are_kept_and_not_counted()
        {
            var pool = new[]
            {
                At("2025-06-01T00:05Z", pinned: true), At("2026-01-01T00:05Z"), At("2026-01-02T00:05Z"),
                At("2026-01-03T00:05Z"), At("2026-01-04T00:05Z", pinned: true),
            };

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepLast = 2 }));

            Assert.Equal(
                new[]
                {
                    "2026-01-04T00:05 Keep pinned",
                    "2026-01-03T00:05 Keep last 2",
                    "2026-01-02T00:05 Keep last 2",
                    "2026-01-01T00:05 Delete not kept by any rule",
                    "2025-06-01T00:05 Keep pinned",
                },
                plan.Table());
        }

        [Fact]
        public void On_equal_timestamps_the_runs_own_image_counts_as_the_newest()
        {
            // Clouds stamp whole seconds: two snapshots of the same second must not cost the job its fresh one.
            var pool = new[] { At("2026-01-01T00:05Z", id: "a-older"), At("2026-01-01T00:05Z", id: "b-own") };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0), new PlanOptions { OwnImageIds = new[] { "b-own" } });

            Assert.Equal(new[] { "b-own Keep retention: newest 1 good", "a-older Delete not among the newest 1 good" },
                plan.Select(d => $"{d.Id} {d.Action} {d.Reason}"));
        }

        [Fact]
        public void Protected_images_are_kept_like_pinned_ones_because_the_cloud_refuses_to_delete_them()
        {
            AutoSnapshot Protect(AutoSnapshot image) =>
                new AutoSnapshot(image.Id, image.Name, image.Status, image.Created, image.Region, image.Properties, isProtected: true);
            var pool = new[] { Protect(At("2025-06-01T00:05Z")), At("2026-01-01T00:05Z"), At("2026-01-02T00:05Z"), At("2026-01-03T00:05Z") };

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepLast = 2 }));

            Assert.Equal(
                new[]
                {
                    "2026-01-03T00:05 Keep last 2",
                    "2026-01-02T00:05 Keep last 2",
                    "2026-01-01T00:05 Delete not kept by any rule",
                    "2025-06-01T00:05 Keep protected",
                },
                plan.Table());
        }

        [Fact]
        public void A_pinned_image_does_not_take_its_days_bucket()
        {
            // The pinned image is the newest of Jan 2; daily still keeps Jan 2's newest unpinned image.
            var pool = new[] { At("2026-01-01T12:00Z"), At("2026-01-02T06:00Z"), At("2026-01-02T18:00Z", pinned: true) };

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepDaily = 1 }));

            Assert.Equal(
                new[]
                {
                    "2026-01-02T18:00 Keep pinned",
                    "2026-01-02T06:00 Keep daily 2026-01-02",
                    "2026-01-01T12:00 Delete not kept by any rule",
                },
                plan.Table());
        }

        [Fact]
        public void Pinned_failed_and_pinned_pending_images_are_kept()
        {
            var pool = new[]
            {
                At("2026-01-01T00:05Z", "ERROR", pinned: true), At("2026-01-02T00:05Z"),
                At("2026-01-03T00:05Z", "SAVING", pinned: true),
            };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0));

            Assert.Equal(
                new[]
                {
                    "2026-01-03T00:05 Keep pending (saving); pinned",
                    "2026-01-02T00:05 Keep retention: newest 1 good",
                    "2026-01-01T00:05 Keep pinned",
                },
                plan.Table());
        }

        [Fact]
        public void A_pinned_good_image_is_a_newer_good_image_for_failed_ones()
        {
            var pool = new[] { At("2026-01-01T00:05Z", "ERROR"), At("2026-01-02T00:05Z", pinned: true) };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0));

            Assert.Equal(new[] { "failed; a newer good image exists" }, plan.For("2026-01-01T00:05").Reasons);
        }

        [Theory]
        [InlineData("DELETED")]
        [InlineData("deleted")]
        [InlineData("pending_delete")]
        public void Gone_images_are_listed_and_ignored(string status)
        {
            var pool = new[] { At("2026-01-01T00:05Z"), At("2026-01-02T00:05Z", status), At("2026-01-03T00:05Z") };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(1));

            Assert.Equal(
                new[]
                {
                    "2026-01-03T00:05 Keep retention: newest 2 good",
                    "2026-01-02T00:05 Keep gone (ignored)",
                    "2026-01-01T00:05 Keep retention: newest 2 good",
                },
                plan.Table());
        }

        [Fact]
        public void Retention_counts_good_images_only()
        {
            var pool = new[]
            {
                At("2026-01-01T00:05Z"), At("2026-01-02T00:05Z"), At("2026-01-03T00:05Z", "ERROR"),
                At("2026-01-04T00:05Z", pinned: true), At("2026-01-05T00:05Z", "DELETED"), At("2026-01-06T00:05Z"),
                At("2026-01-07T00:05Z", "SAVING"),
            };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(1));

            Assert.Equal(new[] { "2026-01-07T00:05", "2026-01-06T00:05", "2026-01-05T00:05", "2026-01-04T00:05", "2026-01-02T00:05" }, plan.KeptIds());
            Assert.Equal(new[] { "2026-01-03T00:05", "2026-01-01T00:05" }, plan.DeletedIds());
        }

        [Fact]
        public void Retention_0_keeps_only_the_newest_good_image()
        {
            var plan = RetentionPlanner.Plan(Daily("2026-01-01", 4), RetentionPolicy.FromRetention(0));

            Assert.Equal(new[] { "2026-01-04T00:05" }, plan.KeptIds());
        }

        [Fact]
        public void Images_created_after_the_run_started_are_pending_unless_they_are_the_runs_own()
        {
            // The run started at 00:00; an image of another run (00:07, already ACTIVE) and one that failed (00:06)
            // appeared meanwhile. Only the run's own image (00:05) counts among the young ones.
            var pool = new[]
            {
                At("2026-01-01T00:05Z"), At("2026-01-02T00:05Z"), At("2026-01-03T00:00Z"),
                At("2026-01-03T00:05Z", id: "own"), At("2026-01-03T00:06Z", "ERROR", id: "other-failed"),
                At("2026-01-03T00:07Z", id: "other"),
            };
            var options = new PlanOptions { RunStarted = Time("2026-01-03T00:00Z"), OwnImageIds = new[] { "own" } };

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepLast = 2 }), options);

            Assert.Equal(
                new[]
                {
                    "other Keep pending (created after the run started)",
                    "other-failed Keep pending (created after the run started)",
                    "own Keep last 2",
                    "2026-01-03T00:00 Keep last 2",
                    "2026-01-02T00:05 Delete not kept by any rule",
                    "2026-01-01T00:05 Delete not kept by any rule",
                },
                plan.Table());
        }

        [Fact]
        public void Without_its_own_image_a_run_counts_none_of_the_young_ones()
        {
            var pool = new[] { At("2026-01-01T00:05Z"), At("2026-01-02T00:05Z"), At("2026-01-03T00:05Z") };
            var options = new PlanOptions { RunStarted = Time("2026-01-02T00:05Z") };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0), options);

            // Created exactly at the start is not younger than the run.
            Assert.Equal(
                new[]
                {
                    "2026-01-03T00:05 Keep pending (created after the run started)",
                    "2026-01-02T00:05 Keep retention: newest 1 good",
                    "2026-01-01T00:05 Delete not among the newest 1 good",
                },
                plan.Table());
        }

        [Fact]
        public void An_UNKNOWN_image_older_than_UnknownFailsAfter_counts_as_failed_and_goes_once_a_newer_good_image_exists()
        {
            var pool = new[]
            {
                At("2026-01-01T00:05Z", "UNKNOWN", id: "unknown-old"), At("2026-01-01T00:06Z", "queued", id: "queued-old"),
                At("2026-01-02T00:05Z"), At("2026-01-02T12:00Z", "deactivated", id: "deactivated-old"),
                At("2026-01-02T12:01Z", "SAVING", id: "saving-old"), At("2026-01-03T00:04Z", "UNKNOWN", id: "unknown-young"),
                At("2026-01-03T00:05Z", id: "own"),
            };
            var options = new PlanOptions { RunStarted = Time("2026-01-03T00:05Z"), OwnImageIds = new[] { "own" }, UnknownFailsAfter = TimeSpan.FromHours(2) };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(1), options);

            // SAVING, queued and statuses Autosnap does not know (deactivated) are pending however old; UNKNOWN times out.
            Assert.Equal(
                new[]
                {
                    "own Keep retention: newest 2 good",
                    "unknown-young Keep pending (unknown)",
                    "saving-old Keep pending (saving)",
                    "deactivated-old Keep pending (deactivated)",
                    "2026-01-02T00:05 Keep retention: newest 2 good",
                    "queued-old Keep pending (queued)",
                    "unknown-old Delete unknown for more than 02:00:00; failed; a newer good image exists",
                },
                plan.Table());
            Assert.Equal(RetentionTimeline.FailedDeleted, RetentionTimeline.MarkOf(plan.For("unknown-old")));
        }

        [Fact]
        public void An_UNKNOWN_image_is_kept_without_a_newer_good_image_when_pinned_or_on_request_and_without_UnknownFailsAfter()
        {
            var pool = new[] { At("2026-01-01T00:05Z", "UNKNOWN", id: "unknown"), At("2026-01-01T00:06Z", "UNKNOWN", id: "pinned", pinned: true), At("2026-01-02T00:05Z", "ERROR", id: "failed") };
            var timesOut = new PlanOptions { RunStarted = Time("2026-01-03T00:05Z"), UnknownFailsAfter = TimeSpan.FromHours(2) };

            Assert.Equal(
                new[] { "failed Keep failed; kept: no newer good image", "pinned Keep pinned", "unknown Keep unknown for more than 02:00:00; failed; kept: no newer good image" },
                RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0), timesOut).Table());

            var withGood = pool.Append(At("2026-01-03T00:05Z")).ToArray();
            Assert.Equal(new[] { "pinned", "unknown" },
                RetentionPlanner.Plan(withGood, RetentionPolicy.FromRetention(0).WithKeepFailed(), timesOut).KeptIds().Where(id => id == "unknown" || id == "pinned").OrderBy(id => id));
            string[] deletedWithoutTimeout = RetentionPlanner.Plan(withGood, RetentionPolicy.FromRetention(0), new PlanOptions { RunStarted = Time("2026-01-03T00:05Z") }).DeletedIds();
            Assert.DoesNotContain("unknown", deletedWithoutTimeout);
            Assert.DoesNotContain("pinned", deletedWithoutTimeout);
        }

        [Fact]
        public void A_young_pinned_image_is_pending_and_pinned()
        {
            var pool = new[] { At("2026-01-01T00:05Z"), At("2026-01-02T00:05Z", pinned: true) };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0), new PlanOptions { RunStarted = Time("2026-01-02T00:00Z") });

            Assert.Equal(new[] { "pending (created after the run started)", "pinned" }, plan.For("2026-01-02T00:05").Reasons);
        }

        [Fact]
        public void PlanOptions_treats_null_own_ids_as_none()
        {
            var options = new PlanOptions { OwnImageIds = null! };

            Assert.Empty(options.OwnImageIds);
        }

        [Fact]
        public void Decisions_come_newest_first_with_ties_broken_by_id()
        {
            var pool = new[]
            {
                At("2026-01-01T00:05Z", id: "b"), At("2026-01-02T00:05Z", id: "z"), At("2026-01-01T00:05Z", id: "a"),
                At("2026-01-01T00:05Z", id: "B"), At("2026-01-03T00:05Z", id: "m"),
            };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(2));

            Assert.Equal(new[] { "m", "z", "B", "a", "b" }, plan.Select(d => d.Id));
            Assert.Equal(new[] { "m", "z", "B" }, plan.KeptIds());
        }

        [Fact]
        public void An_empty_pool_is_an_empty_plan()
        {
            Assert.Empty(RetentionPlanner.Plan(Array.Empty<AutoSnapshot>(), RetentionPolicy.FromRetention(1)));
        }

        [Fact]
        public void A_foreign_image_is_refused()
        {
            var foreign = new AutoSnapshot("manual", "web1-before-upgrade", "ACTIVE", Time("2026-01-01T00:00Z"), "DFW");

            var error = Assert.Throws<ArgumentException>(() => RetentionPlanner.Plan(new[] { At("2026-01-02T00:05Z"), foreign }, RetentionPolicy.FromRetention(0)));

            Assert.Contains("is not Autosnap's", error.Message);
        }

        [Fact]
        public void Images_of_another_server_or_schedule_are_refused()
        {
            AutoSnapshot ours = At("2026-01-02T00:05Z");
            AutoSnapshot weekly = At(Time("2026-01-01T00:05Z"), schedule: "weekly");
            AutoSnapshot otherServer = At(Time("2026-01-01T00:05Z"), server: "6f1c2b3a-0000-4000-8000-00000000bb02");

            Assert.Contains("plan one pool at a time", Assert.Throws<ArgumentException>(() => RetentionPlanner.Plan(new[] { ours, weekly }, RetentionPolicy.FromRetention(0))).Message);
            Assert.Contains("plan one pool at a time", Assert.Throws<ArgumentException>(() => RetentionPlanner.Plan(new[] { ours, otherServer }, RetentionPolicy.FromRetention(0))).Message);
        }

        [Fact]
        public void A_server_id_differing_only_in_case_is_the_same_pool()
        {
            var pool = new[] { At("2026-01-02T00:05Z"), At(Time("2026-01-01T00:05Z"), server: Server.ToUpperInvariant()) };

            Assert.Equal(2, RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0)).Count);
        }

        [Fact]
        public void A_listing_with_an_id_twice_is_refused()
        {
            var pool = new[] { At("2026-01-01T00:05Z", id: "x"), At("2026-01-02T00:05Z", id: "x") };

            Assert.Contains("twice", Assert.Throws<ArgumentException>(() => RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0))).Message);
        }

        [Fact]
        public void Null_arguments_are_refused()
        {
            Assert.Throws<ArgumentNullException>(() => RetentionPlanner.Plan(null!, RetentionPolicy.FromRetention(0)));
            Assert.Throws<ArgumentNullException>(() => RetentionPlanner.Plan(Array.Empty<AutoSnapshot>(), null!));
            Assert.Throws<ArgumentException>(() => RetentionPlanner.Plan(new AutoSnapshot[] { null! }, RetentionPolicy.FromRetention(0)));
        }

        // The final check, fed plans that break one rule each: it must refuse every one of them.
        public static IEnumerable<object[]> BrokenPlans()
        {
            RotationDecision Keep(AutoSnapshot image) => new RotationDecision(image, RotationAction.Keep, new[] { "x" });
            RotationDecision Delete(AutoSnapshot image) => new RotationDecision(image, RotationAction.Delete, new[] { "x" });
            AutoSnapshot good1 = At("2026-01-01T00:05Z"), good2 = At("2026-01-02T00:05Z"), good3 = At("2026-01-03T00:05Z");

            yield return new object[] { "the newest good image", new[] { Delete(good3), Keep(good2) }, null! };
            yield return new object[] { "the newest good image", new[] { Keep(At("2026-01-04T00:05Z", "ERROR")), Delete(good3), Keep(good2) }, null! };
            yield return new object[] { "a pending image", new[] { Delete(At("2026-01-04T00:05Z", "SAVING")), Keep(good3) }, null! };
            yield return new object[] { "a pending image", new[] { Delete(good3), Keep(good2) }, new PlanOptions { RunStarted = Time("2026-01-02T12:00Z") } };
            yield return new object[] { "a pinned image", new[] { Keep(good3), Delete(At("2026-01-02T00:05Z", pinned: true)) }, null! };
            yield return new object[] { "a gone image", new[] { Keep(good3), Delete(At("2026-01-02T00:05Z", "DELETED")) }, null! };
            yield return new object[] { "a failed image with no newer good image", new[] { Delete(At("2026-01-04T00:05Z", "ERROR")), Keep(good3) }, null! };
            yield return new object[] { "a failed image with no newer good image", new[] { Delete(At("2026-01-04T00:05Z", "ERROR")) }, null! };
            yield return new object[] { "a failed image with no newer good image", new[] { Keep(At("2026-01-04T00:05Z", pinned: true, status: "SAVING")), Delete(At("2026-01-03T00:05Z", "ERROR")), Keep(good1) }, null! };
        }

        [Theory]
        [MemberData(nameof(BrokenPlans))]
        public void The_final_check_refuses_a_plan_that_breaks_a_safety_rule(string violation, RotationDecision[] plan, PlanOptions? options)
        {
            var error = Assert.Throws<InvalidOperationException>(
                () => RetentionPlanner.CheckSafety(plan, RetentionPolicy.FromRetention(0), options ?? new PlanOptions()));

            Assert.Contains($"the plan deletes {violation}", error.Message);
        }

        [Fact]
        public void The_final_check_refuses_deleting_failed_images_the_policy_keeps()
        {
            var plan = new[]
            {
                new RotationDecision(At("2026-01-02T00:05Z"), RotationAction.Keep, new[] { "x" }),
                new RotationDecision(At("2026-01-01T00:05Z", "ERROR"), RotationAction.Delete, new[] { "x" }),
            };

            RetentionPlanner.CheckSafety(plan, RetentionPolicy.FromRetention(0), new PlanOptions());
            var error = Assert.Throws<InvalidOperationException>(
                () => RetentionPlanner.CheckSafety(plan, RetentionPolicy.FromRetention(0).WithKeepFailed(), new PlanOptions()));
            Assert.Contains("a failed image the policy keeps", error.Message);
        }

        [Fact]
        public void The_final_check_accepts_a_sound_plan()
        {
            var plan = new[]
            {
                new RotationDecision(At("2026-01-03T00:05Z"), RotationAction.Keep, new[] { "x" }),
                new RotationDecision(At("2026-01-02T00:05Z"), RotationAction.Delete, new[] { "x" }),
                new RotationDecision(At("2026-01-01T00:05Z", "ERROR"), RotationAction.Delete, new[] { "x" }),
            };

            RetentionPlanner.CheckSafety(plan, RetentionPolicy.FromRetention(0), new PlanOptions());
        }
    }
}
