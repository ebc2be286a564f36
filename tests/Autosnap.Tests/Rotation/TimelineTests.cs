using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;
using static Autosnap.Tests.Rotation.Images;

namespace Autosnap.Tests.Rotation
{
    public class TimelineTests
    {
        private const string Legend = "# kept  P pinned  ~ pending  ! failed  - deleted  x failed, deleted  . no image";
        private const string Several = "A column with several images shows the first of # P ~ ! - x.";

        private static List<AutoSnapshot> WorkedExample()
        {
            List<AutoSnapshot> pool = Daily("2026-01-01", 20);
            pool.Add(At("2026-01-21T00:05Z", "SAVING"));
            pool.Add(At("2026-01-10T00:05Z", "ERROR", id: "error-2026-01-10"));
            return pool;
        }

        private static IReadOnlyList<RotationDecision> KeepAll(IEnumerable<AutoSnapshot> pool) =>
            RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepLast = 100000 }));

        [Fact]
        public void The_worked_example_under_retention_3()
        {
            var plan = RetentionPlanner.Plan(WorkedExample(), RetentionPolicy.FromRetention(3));

            Assert.Equal(
                new[]
                {
                    "Timeline in UTC: a row per month, a column per day",
                    "day      1   5    10   15   20   25   30",
                    "2026-01  ----------------####~..........  5 of 22 kept",
                    Legend,
                    Several,
                },
                RetentionTimeline.Render(plan, TimeZoneInfo.Utc));
        }

        [Fact]
        public void The_worked_example_under_daily_3_weekly_3()
        {
            var plan = RetentionPlanner.Plan(WorkedExample(), Rules(new BucketRules { KeepDaily = 3, KeepWeekly = 3 }));

            Assert.Equal(
                "2026-01  ----------#------###~..........  5 of 22 kept",
                RetentionTimeline.Render(plan, TimeZoneInfo.Utc, TimelineScale.Day)[2]);
        }

        [Fact]
        public void Every_mark_has_its_character()
        {
            var pool = new[]
            {
                At("2026-02-01T00:05Z", "ERROR"), At("2026-02-02T00:05Z"), At("2026-02-03T00:05Z", pinned: true),
                At("2026-02-04T00:05Z"), At("2026-02-05T00:05Z", "ERROR"), At("2026-02-06T00:05Z", "DELETED"),
                At("2026-02-07T00:05Z"), At("2026-02-08T00:05Z", "queued"), At("2026-02-09T00:05Z"),
            };
            var options = new PlanOptions { RunStarted = Time("2026-02-08T12:00Z") };

            var plan = RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(0), options);

            // Feb 6 is gone: left out, so it shows as a day without an image.
            Assert.Equal("2026-02  x-P-x.#~~...................     4 of 8 kept", RetentionTimeline.Render(plan, TimeZoneInfo.Utc)[2]);
            Assert.Equal(new char?[] { '~', '~', '#', null, 'x', '-', 'P', '-', 'x' }, plan.Select(RetentionTimeline.MarkOf));
        }

        [Fact]
        public void A_failed_image_kept_for_want_of_a_newer_good_one_is_an_exclamation_mark()
        {
            var plan = RetentionPlanner.Plan(new[] { At("2026-02-01T00:05Z"), At("2026-02-02T00:05Z", "killed") }, RetentionPolicy.FromRetention(0));

            Assert.Equal("2026-02  #!..........................     2 of 2 kept", RetentionTimeline.Render(plan, TimeZoneInfo.Utc)[2]);
        }

        [Fact]
        public void Months_without_images_are_rows_too()
        {
            var plan = KeepAll(new[] { At("2026-01-31T12:00Z"), At("2026-04-01T12:00Z") });

            Assert.Equal(
                new[]
                {
                    "2026-01  ..............................#  1 of 1 kept",
                    "2026-02  ............................",
                    "2026-03  ...............................",
                    "2026-04  #.............................   1 of 1 kept",
                },
                RetentionTimeline.Render(plan, TimeZoneInfo.Utc, TimelineScale.Day).Skip(2).Take(4));
        }

        [Fact]
        public void February_of_a_leap_year_has_29_columns()
        {
            var plan = KeepAll(Daily("2024-02-27", 4));

            Assert.Equal("2024-02  ..........................###    3 of 3 kept", RetentionTimeline.Render(plan, TimeZoneInfo.Utc, TimelineScale.Day)[2]);
        }

        [Fact]
        public void Days_are_local_days_of_the_zone_given()
        {
            // 23:30 UTC on Jan 31 is Feb 1 in Berlin.
            var plan = KeepAll(new[] { At("2026-01-31T23:30Z") });

            Assert.Equal("2026-01  ..............................#  1 of 1 kept", RetentionTimeline.Render(plan, TimeZoneInfo.Utc)[2]);
            Assert.Equal("2026-02  #...........................     1 of 1 kept", RetentionTimeline.Render(plan, Berlin)[2]);
        }

        [Fact]
        public void The_hour_DST_skips_has_no_column_and_the_hour_it_repeats_holds_two_images()
        {
            // Every real hour of Berlin's Mar 29 and Oct 25 2026: 23 and 25 images.
            var spring = new SnapshotSeries(Local(Berlin, 2026, 3, 29, 0, 0), TimeSpan.FromHours(1), 23).Generate();
            var autumn = new SnapshotSeries(Local(Berlin, 2026, 10, 25, 0, 0), TimeSpan.FromHours(1), 25).Generate();
            var plan = KeepAll(spring.Concat(autumn).Select(image => At(image.Created)));

            IReadOnlyList<string> lines = RetentionTimeline.Render(plan, Berlin, TimelineScale.Hour);

            Assert.Equal("Timeline in Europe/Berlin: a row per day, a column per hour", lines[0]);
            Assert.Equal("hour        0     6     12    18   23", lines[1]);
            Assert.Equal("2026-03-29  ## #####################  23 of 23 kept", lines[2]);
            Assert.Equal("2026-03-30  ........................", lines[3]);
            Assert.Equal("2026-10-25  ########################  25 of 25 kept", lines.Single(line => line.StartsWith("2026-10-25", StringComparison.Ordinal)));
            Assert.Equal(Several, lines.Last());
            Assert.Equal(2 + 211 + 1 + 1, lines.Count); // title, header, Mar 29 .. Oct 25, legend, note
        }

        [Fact]
        public void Week_columns_follow_ISO_weeks_and_a_52_week_year_has_no_53rd()
        {
            var plan = KeepAll(new[] { "2025-12-27", "2025-12-29", "2026-12-31", "2027-01-02" }.Select(d => At(d + "T12:00Z")));

            Assert.Equal(
                new[]
                {
                    "Timeline in UTC: a row per ISO year, a column per ISO week",
                    "week  1        10        20        30        40        50",
                    "2025  ...................................................#   1 of 1 kept",
                    "2026  #...................................................#  3 of 3 kept",
                    Legend,
                    Several,
                },
                RetentionTimeline.Render(plan, TimeZoneInfo.Utc, TimelineScale.Week));
        }

        [Fact]
        public void Month_columns_are_the_months_of_the_year()
        {
            var plan = KeepAll(new[] { "2025-11-15", "2026-02-01", "2026-12-31" }.Select(d => At(d + "T12:00Z")));

            Assert.Equal(
                new[]
                {
                    "Timeline in UTC: a row per year, a column per month",
                    "month JFMAMJJASOND",
                    "2025  ..........#.  1 of 1 kept",
                    "2026  .#.........#  2 of 2 kept",
                    Legend,
                },
                RetentionTimeline.Render(plan, TimeZoneInfo.Utc, TimelineScale.Month));
        }

        [Theory]
        [InlineData(1, 60, TimelineScale.Hour)]       // hourly for 2.5 days
        [InlineData(1, 24 * 400, TimelineScale.Day)]  // hourly for 400 days: too many rows by the hour
        [InlineData(24, 400, TimelineScale.Day)]
        [InlineData(24 * 7, 100, TimelineScale.Week)]
        [InlineData(24 * 30, 40, TimelineScale.Month)]
        [InlineData(24, 3000, TimelineScale.Week)]    // 8 years of nights: 99 months is too many rows
        [InlineData(24, 1, TimelineScale.Day)]
        public void Auto_picks_the_scale_from_the_gaps_and_the_number_of_rows(int hours, int count, TimelineScale expected)
        {
            var entries = new SnapshotSeries(Time("2026-01-01T00:05Z"), TimeSpan.FromHours(hours), count).Generate()
                .Select(image => new RetentionTimeline.Entry(image.Created, '#')).ToList();

            Assert.Equal(expected, RetentionTimeline.ChooseScale(entries, TimeZoneInfo.Utc));
        }

        [Fact]
        public void A_simulation_shows_deleted_images_and_survivors()
        {
            var series = new SnapshotSeries(Time("2026-03-01T00:05Z"), TimeSpan.FromDays(1), 10) { FailedRuns = new[] { 3, 9 } };
            SimulationResult result = RetentionSimulator.Simulate(series, RetentionPolicy.FromRetention(2));

            Assert.Equal("2026-03  ---x--###!.....................  4 of 10 kept", RetentionTimeline.Render(result, TimeZoneInfo.Utc)[2]);
        }

        [Fact]
        public void Four_hundred_days_fit_an_80_column_ASCII_console_at_every_scale()
        {
            var series = new SnapshotSeries(Local(Berlin, 2026, 1, 1, 0, 5), TimeSpan.FromDays(1), 400) { WallClock = Berlin, FailureRate = 0.05, Seed = 42 };
            SimulationResult result = RetentionSimulator.Simulate(series, Rules(new BucketRules { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12 }, Berlin));

            foreach (TimelineScale scale in Enum.GetValues(typeof(TimelineScale)))
            {
                IReadOnlyList<string> lines = RetentionTimeline.Render(result, Berlin, scale);
                Assert.All(lines, line => Assert.True(line.Length <= 80, $"{scale}: {line.Length} columns: {line}"));
                Assert.All(lines, line => Assert.All(line, c => Assert.InRange(c, ' ', '~')));
            }

            IReadOnlyList<string> auto = RetentionTimeline.Render(result, Berlin);
            Assert.Equal(2 + 14 + 1, auto.Count); // title, header, Jan 2026 .. Feb 2027, legend
            Assert.Equal(result.Survivors.Count, auto.Skip(2).Take(14).Sum(line => line.Count(c => c == '#' || c == '!')));
        }

        [Fact]
        public void No_images_is_said_plainly()
        {
            Assert.Equal(
                new[] { "Timeline in UTC: a row per month, a column per day", "(no images)" },
                RetentionTimeline.Render(Array.Empty<RotationDecision>(), TimeZoneInfo.Utc));
        }

        [Fact]
        public void Null_arguments_are_refused()
        {
            Assert.Throws<ArgumentNullException>(() => RetentionTimeline.Render((IEnumerable<RotationDecision>)null!, TimeZoneInfo.Utc));
            Assert.Throws<ArgumentNullException>(() => RetentionTimeline.Render((SimulationResult)null!, TimeZoneInfo.Utc));
            Assert.Throws<ArgumentNullException>(() => RetentionTimeline.Render(Array.Empty<RotationDecision>(), null!));
        }
    }
}
