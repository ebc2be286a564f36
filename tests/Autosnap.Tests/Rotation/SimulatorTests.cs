using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;
using static Autosnap.Tests.Rotation.Images;

namespace Autosnap.Tests.Rotation
{
    /// <summary>The series generator and the incremental simulation of the nightly job.</summary>
    public class SimulatorTests
    {
        private static readonly DateTimeOffset Jan1 = Time("2026-01-01T00:05Z");

        private static RetentionPolicy Gfs(TimeZoneInfo? zone = null) =>
            Rules(new BucketRules { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12 }, zone);

        private static string[] OneShotKept(SnapshotSeries series, RetentionPolicy policy) =>
            RetentionPlanner.Plan(series.Generate(), policy).KeptIds();

        private static string[] Ids(IEnumerable<AutoSnapshot> images) => images.Select(image => image.Id).ToArray();

        [Fact]
        public void Four_hundred_nightly_runs_with_5_percent_failures_under_GFS()
        {
            var series = new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 400) { FailureRate = 0.05, Seed = 42 };

            SimulationResult result = RetentionSimulator.Simulate(series, Gfs());

            int failures = result.Runs.Count(run => !run.ImageGood);
            Assert.InRange(failures, 10, 35);
            Assert.Equal(400, result.Runs.Count);
            Assert.True(result.NeverWithoutGoodImage);
            Assert.All(result.Runs.SkipWhile(run => !run.ImageGood), run => Assert.True(run.GoodImagesAfter >= 1));
            Assert.All(result.Runs.Where(run => !run.ImageGood), run => Assert.Empty(run.Deleted));
            Assert.Equal(OneShotKept(series, Gfs()), Ids(result.Survivors));

            // 7 days, 4 weeks, 12 months overlap; at most 23 good images, and every failure but a trailing one is cleaned.
            var survivors = result.FinalPlan;
            Assert.InRange(survivors.Count(d => d.State == SnapshotState.Good), 18, 23);
            Assert.All(survivors, d => Assert.Equal(RotationAction.Keep, d.Action));
            Assert.Equal(400 - survivors.Count, result.TotalDeleted);
            Assert.Equal(result.TotalDeleted, result.Images.Count(image => image.DeletedInRun.HasValue));
        }

        [Fact]
        public void The_survivors_of_400_clean_nights_are_the_GFS_calendar()
        {
            // Jan 1 2026 .. Feb 4 2027, no failures: the newest image of the last 7 days, 4 ISO weeks and 12 months.
            var series = new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 400);

            SimulationResult result = RetentionSimulator.Simulate(series, Gfs());

            Assert.Equal(
                new[]
                {
                    "2027-02-04T00:05", "2027-02-03T00:05", "2027-02-02T00:05", "2027-02-01T00:05", "2027-01-31T00:05",
                    "2027-01-30T00:05", "2027-01-29T00:05", "2027-01-24T00:05", "2027-01-17T00:05", "2026-12-31T00:05",
                    "2026-11-30T00:05", "2026-10-31T00:05", "2026-09-30T00:05", "2026-08-31T00:05", "2026-07-31T00:05",
                    "2026-06-30T00:05", "2026-05-31T00:05", "2026-04-30T00:05", "2026-03-31T00:05",
                },
                result.Survivors.Select(image => IdOf(image.Created)));
            Assert.Equal(new[] { "daily 2027-01-31", "weekly 2027-W04", "monthly 2027-01" }, result.FinalPlan.Single(d => IdOf(d.Created) == "2027-01-31T00:05").Reasons);
        }

        public static IEnumerable<object[]> Cases()
        {
            var policies = new (string Name, RetentionPolicy Policy)[]
            {
                ("retention 0", RetentionPolicy.FromRetention(0)),
                ("retention 6", RetentionPolicy.FromRetention(6)),
                ("last 3", Rules(new BucketRules { KeepLast = 3 })),
                ("GFS", Gfs()),
                ("GFS Berlin", Gfs(Berlin)),
                ("hourly+daily NY", Rules(new BucketRules { KeepHourly = 24, KeepDaily = 7, KeepWeekly = 2 }, NewYork)),
                ("within+daily", Rules(new BucketRules { KeepWithin = TimeSpan.FromDays(3), KeepDaily = 5, KeepYearly = 1 })),
                ("young history", Rules(new BucketRules { KeepMonthly = 36, KeepYearly = 10 })),
                ("keep failed", Rules(new BucketRules { KeepLast = 2, KeepWeekly = 3 }).WithKeepFailed()),
            };
            var series = new (string Name, Func<SnapshotSeries> Make)[]
            {
                ("400 nights", () => new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 400)),
                ("Berlin 02:30 wall clock", () => new SnapshotSeries(Local(Berlin, 2026, 1, 1, 2, 30), TimeSpan.FromDays(1), 400) { WallClock = Berlin }),
                ("every 5 hours", () => new SnapshotSeries(Jan1, TimeSpan.FromHours(5), 500)),
                ("weekly", () => new SnapshotSeries(Jan1, TimeSpan.FromDays(7), 120)),
            };
            foreach (var policy in policies)
            {
                foreach (var made in series)
                {
                    foreach (double rate in new[] { 0.0, 0.05, 0.4 })
                    {
                        yield return new object[] { policy.Name, made.Name, rate, policy.Policy, made.Make };
                    }
                }
            }
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Incremental_runs_leave_exactly_what_one_plan_over_the_whole_series_keeps(
            string policyName, string seriesName, double failureRate, RetentionPolicy policy, Func<SnapshotSeries> makeSeries)
        {
            _ = policyName + seriesName; // in the test name only
            SnapshotSeries series = makeSeries();
            series.FailureRate = failureRate;
            series.Seed = 7;

            SimulationResult result = RetentionSimulator.Simulate(series, policy);

            Assert.Equal(OneShotKept(series, policy), Ids(result.Survivors));
            Assert.True(result.NeverWithoutGoodImage);
            Assert.All(result.FinalPlan, d => Assert.Equal(RotationAction.Keep, d.Action));
        }

        [Fact]
        public void A_failed_run_deletes_nothing_and_the_next_good_run_cleans_its_image()
        {
            var series = new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 6) { FailedRuns = new[] { 2, 3 } };

            SimulationResult result = RetentionSimulator.Simulate(series, RetentionPolicy.FromRetention(1));

            Assert.Equal(new[] { true, true, false, false, true, true }, result.Runs.Select(run => run.ImageGood));
            Assert.Equal(new[] { false, false, false, false, true, true }, result.Runs.Select(run => run.Deleted.Count > 0));
            Assert.Equal(new[] { "sim-000003", "sim-000002", "sim-000000" }, result.Runs[4].Deleted);
            Assert.Equal(new[] { "failed; a newer good image exists" }, result.Images[2].DeleteReasons);
            Assert.Equal(4, result.Images[2].DeletedInRun);
            Assert.Equal(new[] { "sim-000005", "sim-000004" }, Ids(result.Survivors));
            Assert.Equal(new[] { 1, 2, 3, 4, 2, 2 }, result.Runs.Select(run => run.ImagesAfter));
            Assert.Equal(new[] { 1, 2, 2, 2, 2, 2 }, result.Runs.Select(run => run.GoodImagesAfter));
        }

        [Fact]
        public void Trailing_failures_stay_and_the_good_images_stay_as_the_last_good_run_left_them()
        {
            var series = new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 30) { FailedRuns = new[] { 27, 28, 29 } };

            SimulationResult result = RetentionSimulator.Simulate(series, Rules(new BucketRules { KeepDaily = 3, KeepWithin = TimeSpan.FromDays(2) }));

            Assert.Equal(
                new[]
                {
                    "sim-000029 Keep failed; kept: no newer good image",
                    "sim-000028 Keep failed; kept: no newer good image",
                    "sim-000027 Keep failed; kept: no newer good image",
                    "sim-000026 Keep daily 2026-01-27; within 2.00:00:00 of newest",
                    "sim-000025 Keep daily 2026-01-26; within 2.00:00:00 of newest",
                    "sim-000024 Keep daily 2026-01-25",
                },
                result.FinalPlan.Table());
        }

        [Fact]
        public void A_series_that_starts_with_failures_deletes_nothing_until_its_first_good_image()
        {
            var series = new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 5) { FailedRuns = new[] { 0, 1, 2 } };

            SimulationResult result = RetentionSimulator.Simulate(series, RetentionPolicy.FromRetention(0));

            Assert.Equal(new[] { 0, 0, 0 }, result.Runs.Take(3).Select(run => run.GoodImagesAfter));
            Assert.Equal(new[] { "sim-000002", "sim-000001", "sim-000000" }, result.Runs[3].Deleted);
            Assert.True(result.NeverWithoutGoodImage);
            Assert.Equal(new[] { "sim-000004" }, Ids(result.Survivors));
        }

        [Fact]
        public void The_runs_own_image_counts_although_it_is_younger_than_the_run()
        {
            // Retention 0 keeps exactly one good image: if the run's new image were pending, it would keep the old one
            // as well and the pool would grow by one every night.
            SimulationResult result = RetentionSimulator.Simulate(new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 10), RetentionPolicy.FromRetention(0));

            Assert.All(result.Runs, run => Assert.Equal(1, run.ImagesAfter));
        }

        [Fact]
        public void A_run_whose_image_is_still_pending_rotates_nothing()
        {
            var images = new[] { At("2026-01-01T00:05Z"), At("2026-01-02T00:05Z"), At("2026-01-03T00:05Z", "SAVING") };

            SimulationResult result = RetentionSimulator.Simulate(images, RetentionPolicy.FromRetention(0));

            Assert.Equal(new[] { true, true, false }, result.Runs.Select(run => run.Rotated));
            Assert.Equal(new[] { "2026-01-03T00:05", "2026-01-02T00:05" }, Ids(result.Survivors));
        }

        [Fact]
        public void The_same_seed_gives_the_same_failures_and_another_seed_other_ones()
        {
            string Pattern(int seed) => new string(
                new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 200) { FailureRate = 0.2, Seed = seed }
                    .Generate().Select(image => image.State == SnapshotState.Failed ? 'x' : '.').ToArray());

            Assert.Equal(Pattern(1), Pattern(1));
            Assert.NotEqual(Pattern(1), Pattern(2));
            Assert.InRange(Pattern(1).Count(c => c == 'x'), 20, 60);
        }

        [Fact]
        public void FailedRuns_add_to_the_random_failures_without_shifting_them()
        {
            var random = new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 50) { FailureRate = 0.3, Seed = 5 }.Generate();
            var both = new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 50) { FailureRate = 0.3, Seed = 5, FailedRuns = new[] { 0, 49 } }.Generate();

            for (int i = 1; i < 49; i++) Assert.Equal(random[i].State, both[i].State);
            Assert.Equal(SnapshotState.Failed, both[0].State);
            Assert.Equal(SnapshotState.Failed, both[49].State);
        }

        [Fact]
        public void Rates_of_0_and_1_mean_never_and_always()
        {
            Assert.All(new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 100) { Seed = 3 }.Generate(), i => Assert.Equal(SnapshotState.Good, i.State));
            Assert.All(new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 100) { FailureRate = 1 }.Generate(), i => Assert.Equal(SnapshotState.Failed, i.State));
        }

        [Fact]
        public void Generated_images_are_Autosnaps_images_of_one_pool()
        {
            var series = new SnapshotSeries(Jan1, TimeSpan.FromHours(6), 3) { ServerId = Server, Schedule = "six-hourly" };

            IReadOnlyList<AutoSnapshot> images = series.Generate();

            Assert.All(images, image =>
            {
                Assert.True(image.IsAutosnap);
                Assert.Equal(Server, image.ServerId);
                Assert.Equal("six-hourly", image.Schedule);
            });
            Assert.Equal(new[] { "sim-000000", "sim-000001", "sim-000002" }, Ids(images));
            Assert.Equal("six-hourly-20260101T0605Z", images[1].Name);
            Assert.Equal(new[] { Jan1, Jan1.AddHours(6), Jan1.AddHours(12) }, images.Select(i => i.Created));
        }

        [Fact]
        public void A_wall_clock_series_stays_at_its_local_time_across_DST()
        {
            var series = new SnapshotSeries(Local(Berlin, 2026, 3, 25, 0, 5), TimeSpan.FromDays(1), 10) { WallClock = Berlin };

            IReadOnlyList<DateTimeOffset> times = series.Times();

            Assert.All(times, time => Assert.Equal(new TimeSpan(0, 5, 0), TimeZoneInfo.ConvertTime(time, Berlin).TimeOfDay));
            Assert.Equal(Time("2026-03-28T23:05Z"), times[4]);
            Assert.Equal(Time("2026-03-29T22:05Z"), times[5]); // the 23-hour day
            Assert.Equal(TimeSpan.FromHours(23), times[5] - times[4]);
        }

        [Fact]
        public void A_fixed_interval_series_ignores_the_wall_clock()
        {
            // Clocks go forward on Mar 29 at 02:00: from Mar 30 on, 24 hours after 00:05 CET is 01:05 CEST.
            var series = new SnapshotSeries(Local(Berlin, 2026, 3, 28, 0, 5), TimeSpan.FromDays(1), 3);

            Assert.Equal(new[] { "00:05", "00:05", "01:05" }, series.Times().Select(t => TimeZoneInfo.ConvertTime(t, Berlin).ToString("HH:mm")));
        }

        [Theory]
        [InlineData(2026, 3, 29, 2, 30, "2026-03-29T01:00Z")] // skipped: the end of the gap, 03:00 CEST
        [InlineData(2026, 3, 29, 2, 0, "2026-03-29T01:00Z")]
        [InlineData(2026, 10, 25, 2, 30, "2026-10-25T00:30Z")] // repeated: the first occurrence, CEST
        [InlineData(2026, 10, 25, 3, 0, "2026-10-25T02:00Z")]
        [InlineData(2026, 7, 1, 2, 30, "2026-07-01T00:30Z")]
        public void Wall_clock_times_land_where_a_scheduler_fires(int year, int month, int day, int hour, int minute, string expected)
        {
            Assert.Equal(Time(expected), SnapshotSeries.AtWallClock(new DateTime(year, month, day, hour, minute, 0), Berlin));
        }

        [Fact]
        public void Invalid_series_are_refused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new SnapshotSeries(Jan1, TimeSpan.Zero, 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => new SnapshotSeries(Jan1, TimeSpan.FromDays(1), -1));
            Assert.Throws<ArgumentOutOfRangeException>(() => new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 1) { FailureRate = 1.5 }.Generate());
            Assert.Throws<ArgumentOutOfRangeException>(() => new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 1) { FailureRate = double.NaN }.Generate());
            Assert.Throws<ArgumentException>(() => new SnapshotSeries(Jan1, TimeSpan.FromHours(12), 1) { WallClock = Berlin }.Times());
            Assert.Empty(new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 0).Generate());
        }
    }
}
