using System;
using System.Collections.Generic;
using System.Globalization;

namespace Autosnap.Rotation
{
    /// <summary>The calendar buckets of the bucket rules, in the order the rules are applied and reported.</summary>
    internal enum BucketKind
    {
        Hourly,
        Daily,
        Weekly,
        Monthly,
        Yearly,
    }

    /// <summary>
    /// Which calendar bucket an instant falls into, in a given time zone. The label is both the bucket's identity
    /// (two instants share a bucket exactly when their labels are equal) and what a person reads in a reason.
    /// </summary>
    internal static class Buckets
    {
        public static readonly IReadOnlyList<BucketKind> All = new[]
        {
            BucketKind.Hourly, BucketKind.Daily, BucketKind.Weekly, BucketKind.Monthly, BucketKind.Yearly,
        };

        /// <summary>The rule's name as reasons and summaries spell it: "hourly", "daily", "weekly", "monthly", "yearly".</summary>
        public static string Name(BucketKind kind)
        {
            switch (kind)
            {
                case BucketKind.Hourly: return "hourly";
                case BucketKind.Daily: return "daily";
                case BucketKind.Weekly: return "weekly";
                case BucketKind.Monthly: return "monthly";
                case BucketKind.Yearly: return "yearly";
                default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
            }
        }

        /// <summary>
        /// The bucket of <paramref name="instant"/> on the wall clock of <paramref name="zone"/>:
        /// hourly "2026-10-25 02:00+02:00", daily "2026-01-20", weekly "2026-W04", monthly "2026-01", yearly "2026".
        /// </summary>
        /// <remarks>
        /// A day is a local calendar date, so a 23- or 25-hour DST day is still exactly one bucket: DST neither
        /// doubles nor drops a day. The hour carries its UTC offset because the hour that repeats when clocks go
        /// back is two real hours; without the offset they would share one bucket and one of them would be lost.
        /// </remarks>
        public static string Label(BucketKind kind, DateTimeOffset instant, TimeZoneInfo zone)
        {
            DateTimeOffset local = TimeZoneInfo.ConvertTime(instant, zone);
            DateTime date = local.Date;
            switch (kind)
            {
                case BucketKind.Hourly:
                    return local.ToString("yyyy'-'MM'-'dd HH':00'zzz", CultureInfo.InvariantCulture);
                case BucketKind.Daily:
                    return date.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture);
                case BucketKind.Weekly:
                    IsoWeek week = IsoWeek.Of(date);
                    return week.ToString();
                case BucketKind.Monthly:
                    return date.ToString("yyyy'-'MM", CultureInfo.InvariantCulture);
                case BucketKind.Yearly:
                    return date.ToString("yyyy", CultureInfo.InvariantCulture);
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
            }
        }
    }

    /// <summary>
    /// An ISO-8601 week: weeks start on Monday and week 1 is the week that holds the year's first Thursday, so
    /// Dec 29-31 can belong to week 1 of the next year and Jan 1-3 to week 52 or 53 of the previous one.
    /// (System.Globalization.ISOWeek does this on .NET Core 3.0+, but the module targets netstandard2.0.)
    /// </summary>
    internal readonly struct IsoWeek : IEquatable<IsoWeek>
    {
        public IsoWeek(int year, int week)
        {
            Year = year;
            Week = week;
        }

        /// <summary>The week-based year, which differs from the calendar year around New Year.</summary>
        public int Year { get; }

        /// <summary>1 to 52, or 53 in long years (2015, 2020, 2026, 2032...).</summary>
        public int Week { get; }

        public static IsoWeek Of(DateTime date)
        {
            // The Thursday of a date's Monday-to-Sunday week lies in the week-based year by definition,
            // and its day of the year tells the week number.
            int daysSinceMonday = ((int)date.DayOfWeek + 6) % 7;
            DateTime thursday = date.Date.AddDays(3 - daysSinceMonday);
            return new IsoWeek(thursday.Year, ((thursday.DayOfYear - 1) / 7) + 1);
        }

        /// <summary>How many weeks the week-based year has: 53 when Dec 28 (always in the last week) is in week 53.</summary>
        public static int WeeksIn(int year) => Of(new DateTime(year, 12, 28)).Week;

        public bool Equals(IsoWeek other) => Year == other.Year && Week == other.Week;

        public override bool Equals(object? obj) => obj is IsoWeek other && Equals(other);

        public override int GetHashCode() => (Year * 100) + Week;

        /// <summary>"2026-W04".</summary>
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0:D4}-W{1:D2}", Year, Week);
    }
}
