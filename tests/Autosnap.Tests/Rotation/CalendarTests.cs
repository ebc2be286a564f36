using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;
using static Autosnap.Tests.Rotation.Images;

namespace Autosnap.Tests.Rotation
{
    /// <summary>Buckets on a real calendar: DST in two zones both ways, leap years, ISO-8601 weeks.</summary>
    public class CalendarTests
    {
        // 2026 transitions: Berlin Mar 29 02:00 -> 03:00 and Oct 25 03:00 -> 02:00;
        // New York Mar 8 02:00 -> 03:00 and Nov 1 02:00 -> 01:00.
        public static IEnumerable<object[]> Transitions() => new[]
        {
            new object[] { "Europe/Berlin", 2026, 3, 29 },
            new object[] { "Europe/Berlin", 2026, 10, 25 },
            new object[] { "America/New_York", 2026, 3, 8 },
            new object[] { "America/New_York", 2026, 11, 1 },
        };

        private static List<AutoSnapshot> WallClockSeries(TimeZoneInfo zone, DateTime firstDay, int hour, int minute, int days)
        {
            // The first day's wall time is plain (a few days before the transition); the series moves along the wall clock from there.
            DateTimeOffset start = Local(zone, firstDay.Date.AddHours(hour).AddMinutes(minute));
            var series = new SnapshotSeries(start, TimeSpan.FromDays(1), days) { WallClock = zone };
            return series.Generate().Select(image => At(image.Created)).ToList();
        }

        private static string[] DailyLabels(IEnumerable<RotationDecision> plan) =>
            plan.SelectMany(d => d.Reasons).Where(r => r.StartsWith("daily ", StringComparison.Ordinal)).ToArray();

        private static string[] Dates(DateTime from, int days) =>
            Enumerable.Range(0, days).Reverse().Select(d => "daily " + from.AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray();

        [Theory]
        [MemberData(nameof(Transitions))]
        public void A_nightly_series_at_00_05_local_is_one_image_per_local_day_across_DST(string zoneId, int year, int month, int day)
        {
            TimeZoneInfo zone = TimeZones.Find(zoneId);
            var firstDay = new DateTime(year, month, day).AddDays(-5);
            List<AutoSnapshot> pool = WallClockSeries(zone, firstDay, 0, 5, 10);

            var all = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepDaily = 10 }, zone));
            var four = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepDaily = 4 }, zone));

            Assert.Empty(all.DeletedIds());
            Assert.Equal(Dates(firstDay, 10), DailyLabels(all));
            Assert.Equal(Dates(firstDay.AddDays(6), 4), DailyLabels(four));
            Assert.Equal(6, four.DeletedIds().Length);
        }

        [Theory]
        [MemberData(nameof(Transitions))]
        public void Two_images_a_day_keep_the_later_one_of_each_local_day_neither_doubling_nor_dropping_a_day(string zoneId, int year, int month, int day)
        {
            // 00:30 and 23:30 local: on the UTC calendar these land on other days than on the local one.
            TimeZoneInfo zone = TimeZones.Find(zoneId);
            var firstDay = new DateTime(year, month, day).AddDays(-4);
            List<AutoSnapshot> pool = WallClockSeries(zone, firstDay, 0, 30, 8).Concat(WallClockSeries(zone, firstDay, 23, 30, 8)).ToList();

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepDaily = 6 }, zone));

            Assert.Equal(Dates(firstDay.AddDays(2), 6), DailyLabels(plan));
            Assert.All(
                plan.Where(d => d.Action == RotationAction.Keep),
                kept => Assert.Equal(new TimeSpan(23, 30, 0), TimeZoneInfo.ConvertTime(kept.Created, zone).TimeOfDay));
        }

        [Theory]
        [InlineData("Europe/Berlin", 2026, 3, 29, 23)]
        [InlineData("Europe/Berlin", 2026, 10, 25, 25)]
        [InlineData("America/New_York", 2026, 3, 8, 23)]
        [InlineData("America/New_York", 2026, 11, 1, 25)]
        public void An_hourly_series_has_as_many_hourly_buckets_as_the_day_has_hours_and_one_daily_bucket(string zoneId, int year, int month, int day, int hours)
        {
            TimeZoneInfo zone = TimeZones.Find(zoneId);
            // Every real hour from midnight of the day before to 23:00 of the day after.
            var date = new DateTime(year, month, day);
            DateTimeOffset dayBefore = Local(zone, date.AddDays(-1));
            int count = (int)(Local(zone, date.AddDays(2)) - dayBefore).TotalHours;
            List<AutoSnapshot> pool = new SnapshotSeries(dayBefore, TimeSpan.FromHours(1), count).Generate().Select(i => At(i.Created)).ToList();
            string label = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

            var hourly = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepHourly = 1000 }, zone));
            var daily = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepDaily = 3 }, zone));

            Assert.Equal(hours, hourly.Count(d => d.Reasons.Single().StartsWith("hourly " + label, StringComparison.Ordinal)));
            Assert.Equal(hours, hourly.Select(d => d.Reasons.Single()).Where(r => r.StartsWith("hourly " + label, StringComparison.Ordinal)).Distinct().Count());
            Assert.Equal(3, daily.KeptIds().Length);
            Assert.Single(DailyLabels(daily), "daily " + label);
            Assert.All(
                daily.Where(d => d.Action == RotationAction.Keep),
                kept => Assert.Equal(23, TimeZoneInfo.ConvertTime(kept.Created, zone).Hour));
        }

        [Fact]
        public void The_hour_that_repeats_is_two_hourly_buckets_told_apart_by_their_offset()
        {
            // Berlin, Oct 25 2026: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
            var pool = new[] { At("2026-10-25T00:30Z"), At("2026-10-25T01:30Z") };

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepHourly = 2 }, Berlin));

            Assert.Equal(
                new[]
                {
                    "2026-10-25T01:30 Keep hourly 2026-10-25 02:00+01:00",
                    "2026-10-25T00:30 Keep hourly 2026-10-25 02:00+02:00",
                },
                plan.Table());
        }

        [Theory]
        [InlineData("Europe/Berlin", 2026, 3, 29, 2, 30, "2026-03-29T01:00Z")]
        [InlineData("America/New_York", 2026, 3, 8, 2, 30, "2026-03-08T07:00Z")]
        [InlineData("Europe/Berlin", 2026, 10, 25, 2, 30, "2026-10-25T00:30Z")]
        [InlineData("America/New_York", 2026, 11, 1, 1, 30, "2026-11-01T05:30Z")]
        public void A_nightly_series_at_a_wall_time_that_is_skipped_or_repeats_still_has_one_image_per_day(
            string zoneId, int year, int month, int day, int hour, int minute, string thatNight)
        {
            TimeZoneInfo zone = TimeZones.Find(zoneId);
            var firstDay = new DateTime(year, month, day).AddDays(-3);
            List<AutoSnapshot> pool = WallClockSeries(zone, firstDay, hour, minute, 7);

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepDaily = 5 }, zone));

            // Skipped: the run fires when the gap ends. Repeated: it fires once, the first time.
            Assert.Contains(pool, image => image.Created == Time(thatNight));
            Assert.Equal(Dates(firstDay.AddDays(2), 5), DailyLabels(plan));
        }

        [Theory]
        [InlineData("Europe/Berlin", "2026-10-25T00:30Z", "2026-10-25T01:30Z", "daily 2026-10-25")]
        [InlineData("America/New_York", "2026-11-01T05:30Z", "2026-11-01T06:30Z", "daily 2026-11-01")]
        public void Images_at_both_occurrences_of_a_repeated_time_share_one_day(string zoneId, string first, string second, string label)
        {
            TimeZoneInfo zone = TimeZones.Find(zoneId);
            var pool = new[] { At(first), At(second), At("2026-10-20T12:00Z") };

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepDaily = 2 }, zone));

            Assert.Equal(new[] { label }, plan.For(Images.IdOf(Time(second))).Reasons);
            Assert.Equal(new[] { "not kept by any rule" }, plan.For(Images.IdOf(Time(first))).Reasons);
        }

        [Fact]
        public void Weeks_follow_the_local_calendar()
        {
            // Sunday Jan 11 2026 23:30 in New York is Monday 04:30 UTC: in New York it still belongs to W02.
            AutoSnapshot monday = At(Local(NewYork, 2026, 1, 12, 10, 0));
            AutoSnapshot sunday = At(Local(NewYork, 2026, 1, 11, 23, 30));
            AutoSnapshot newYear = At("2026-01-01T12:00Z");
            var pool = new[] { newYear, sunday, monday };

            var local = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepWeekly = 2 }, NewYork));
            var utc = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepWeekly = 2 }));

            Assert.Equal(new[] { monday.Id, sunday.Id }, local.KeptIds());
            Assert.Equal(new[] { "weekly 2026-W02" }, local.For(sunday.Id).Reasons);
            Assert.Equal(new[] { monday.Id, newYear.Id }, utc.KeptIds());
        }

        [Fact]
        public void February_29_is_a_day_of_its_own()
        {
            var pool = new[] { "2024-02-28", "2024-02-29", "2024-03-01" }.Select(d => At(d + "T12:00Z"));

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepDaily = 3, KeepMonthly = 2 }));

            Assert.Equal(
                new[]
                {
                    "2024-03-01T12:00 Keep daily 2024-03-01; monthly 2024-03",
                    "2024-02-29T12:00 Keep daily 2024-02-29; monthly 2024-02",
                    "2024-02-28T12:00 Keep daily 2024-02-28",
                },
                plan.Table());
        }

        [Fact]
        public void February_29_local_is_February_28_on_the_UTC_calendar()
        {
            AutoSnapshot image = At(Local(Berlin, 2024, 2, 29, 0, 30));

            var plan = RetentionPlanner.Plan(new[] { image }, Rules(new BucketRules { KeepDaily = 1 }, Berlin));

            Assert.Equal("2024-02-28T23:30", image.Id);
            Assert.Equal(new[] { "daily 2024-02-29" }, plan.Single().Reasons);
        }

        [Theory]
        [InlineData(2024, 366)]
        [InlineData(2025, 365)]
        [InlineData(2000, 366)]
        [InlineData(2100, 365)]
        public void A_year_of_nightly_images_has_as_many_days_as_the_year(int year, int days)
        {
            List<AutoSnapshot> pool = Daily($"{year}-01-01", 367);

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepDaily = 1000, KeepYearly = 5 }));

            Assert.Equal(days, DailyLabels(plan).Count(label => label.StartsWith($"daily {year}-", StringComparison.Ordinal)));
            Assert.Equal(new[] { $"yearly {year + 1}", $"yearly {year}" }, plan.SelectMany(d => d.Reasons).Where(r => r.StartsWith("yearly", StringComparison.Ordinal)));
        }

        [Fact]
        public void IsoWeek_agrees_with_the_runtime_for_every_day_from_1990_to_2060()
        {
            for (var date = new DateTime(1990, 1, 1); date.Year <= 2060; date = date.AddDays(1))
            {
                IsoWeek week = IsoWeek.Of(date);
                Assert.True(
                    week.Year == ISOWeek.GetYear(date) && week.Week == ISOWeek.GetWeekOfYear(date),
                    $"{date:yyyy-MM-dd}: {week}, runtime {ISOWeek.GetYear(date)}-W{ISOWeek.GetWeekOfYear(date):D2}");
            }
        }

        [Theory]
        [InlineData("2025-12-29", "2026-W01")]
        [InlineData("2025-12-31", "2026-W01")]
        [InlineData("2020-12-28", "2020-W53")]
        [InlineData("2021-01-03", "2020-W53")]
        [InlineData("2021-01-04", "2021-W01")]
        [InlineData("2026-12-28", "2026-W53")]
        [InlineData("2027-01-03", "2026-W53")]
        [InlineData("2027-01-04", "2027-W01")]
        [InlineData("2024-12-30", "2025-W01")]
        public void ISO_weeks_around_new_year(string date, string week)
        {
            Assert.Equal(week, IsoWeek.Of(DateTime.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToString());
        }

        [Theory]
        [InlineData(2015, 53)]
        [InlineData(2020, 53)]
        [InlineData(2026, 53)]
        [InlineData(2032, 53)]
        [InlineData(2021, 52)]
        [InlineData(2024, 52)]
        [InlineData(2025, 52)]
        public void Long_ISO_years_have_53_weeks(int year, int weeks)
        {
            Assert.Equal(weeks, IsoWeek.WeeksIn(year));
        }

        [Fact]
        public void December_29_to_31_share_week_1_of_the_next_year_with_early_January()
        {
            var pool = new[] { "2025-12-26", "2025-12-31", "2026-01-02" }.Select(d => At(d + "T12:00Z"));

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepWeekly = 3 }));

            Assert.Equal(
                new[]
                {
                    "2026-01-02T12:00 Keep weekly 2026-W01",
                    "2025-12-31T12:00 Delete not kept by any rule",
                    "2025-12-26T12:00 Keep weekly 2025-W52",
                },
                plan.Table());
        }

        [Fact]
        public void Week_53_is_a_week_like_any_other()
        {
            var pool = new[] { "2026-12-27", "2026-12-28", "2027-01-03", "2027-01-04" }.Select(d => At(d + "T12:00Z"));

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepWeekly = 3 }));

            Assert.Equal(
                new[]
                {
                    "2027-01-04T12:00 Keep weekly 2027-W01",
                    "2027-01-03T12:00 Keep weekly 2026-W53",
                    "2026-12-28T12:00 Delete not kept by any rule",
                    "2026-12-27T12:00 Keep weekly 2026-W52",
                },
                plan.Table());
        }

        [Fact]
        public void Years_and_months_are_calendar_ones_not_ISO_week_years()
        {
            // Jan 2 2021 is in ISO week 2020-W53, but in calendar year and month 2021-01.
            var pool = new[] { At("2020-12-31T12:00Z"), At("2021-01-02T12:00Z") };

            var plan = RetentionPlanner.Plan(pool, Rules(new BucketRules { KeepWeekly = 2, KeepMonthly = 2, KeepYearly = 2 }));

            Assert.Equal(
                new[]
                {
                    "2021-01-02T12:00 Keep weekly 2020-W53; monthly 2021-01; yearly 2021",
                    "2020-12-31T12:00 Keep oldest kept: weekly has 1 left; monthly 2020-12; yearly 2020",
                },
                plan.Table());
        }
    }
}
