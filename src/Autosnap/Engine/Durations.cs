using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Autosnap.Engine
{
    /// <summary>
    /// Durations the way monitoring configurations write them ("26h", "2d", "90m", "1d12h") as well as .NET
    /// TimeSpan strings ("1.02:00:00"), and the short forms the freshness check prints ("3d02h", "2d").
    /// Public so that check_autosnap.ps1 parses its arguments with the same rules as the cmdlet.
    /// </summary>
    public static class Durations
    {
        // One or more <whole number><unit> groups, largest unit first by convention (not enforced).
        private static readonly Regex Units = new Regex(@"^\s*(?:(\d{1,9})\s*([wdhms])\s*)+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>Parses "26h", "2d", "90m", "45s", "1w", "1d12h" or a TimeSpan with a colon ("1.02:00:00", "00:30:00"); never a bare number.</summary>
        public static bool TryParse(string? text, out TimeSpan value)
        {
            value = TimeSpan.Zero;
            if (string.IsNullOrWhiteSpace(text)) return false;
            Match match = Units.Match(text);
            if (match.Success)
            {
                try
                {
                    long ticks = 0;
                    for (int i = 0; i < match.Groups[1].Captures.Count; i++)
                    {
                        long number = long.Parse(match.Groups[1].Captures[i].Value, CultureInfo.InvariantCulture);
                        ticks = checked(ticks + number * UnitTicks(match.Groups[2].Captures[i].Value));
                    }
                    value = TimeSpan.FromTicks(ticks);
                    return true;
                }
                catch (OverflowException)
                {
                    return false;
                }
            }
            // Only a TimeSpan with a colon: a bare "26" would be 26 days to TimeSpan, and hours or seconds to a reader.
            return text!.IndexOf(':') >= 0 && TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out value);
        }

        /// <summary><see cref="TryParse"/>, or a FormatException whose message says what is accepted.</summary>
        public static TimeSpan Parse(string? text)
        {
            if (TryParse(text, out TimeSpan value)) return value;
            throw new FormatException(
                $"'{text}' is not a duration: use a number with a unit (26h, 2d, 90m, 45s, 1w, 1d12h) or a TimeSpan such as 1.02:00:00.");
        }

        /// <summary>
        /// An age for people, to the two largest units: "3d02h", "23h10m", "45m", "30s". Rounded down, so an
        /// age printed as "1d02h" is at least that old.
        /// </summary>
        public static string FormatAge(TimeSpan age)
        {
            if (age < TimeSpan.Zero) age = TimeSpan.Zero;
            if (age.TotalDays >= 1) return Invariant($"{(long)age.TotalDays}d{age.Hours:D2}h");
            if (age.TotalHours >= 1) return Invariant($"{age.Hours}h{age.Minutes:D2}m");
            if (age.TotalMinutes >= 1) return Invariant($"{age.Minutes}m");
            return Invariant($"{age.Seconds}s");
        }

        /// <summary>
        /// A threshold as a user would have typed it: whole days as "2d", whole hours as "26h", whole minutes as
        /// "90m", whole seconds as "45s"; anything finer as a TimeSpan.
        /// </summary>
        public static string FormatLimit(TimeSpan limit)
        {
            if (limit > TimeSpan.Zero)
            {
                if (limit.Ticks % TimeSpan.TicksPerDay == 0) return Invariant($"{limit.Ticks / TimeSpan.TicksPerDay}d");
                if (limit.Ticks % TimeSpan.TicksPerHour == 0) return Invariant($"{limit.Ticks / TimeSpan.TicksPerHour}h");
                if (limit.Ticks % TimeSpan.TicksPerMinute == 0) return Invariant($"{limit.Ticks / TimeSpan.TicksPerMinute}m");
                if (limit.Ticks % TimeSpan.TicksPerSecond == 0) return Invariant($"{limit.Ticks / TimeSpan.TicksPerSecond}s");
            }
            return limit.ToString("c", CultureInfo.InvariantCulture);
        }

        private static long UnitTicks(string unit)
        {
            switch (char.ToLowerInvariant(unit[0]))
            {
                case 'w': return TimeSpan.TicksPerDay * 7;
                case 'd': return TimeSpan.TicksPerDay;
                case 'h': return TimeSpan.TicksPerHour;
                case 'm': return TimeSpan.TicksPerMinute;
                default: return TimeSpan.TicksPerSecond;
            }
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
