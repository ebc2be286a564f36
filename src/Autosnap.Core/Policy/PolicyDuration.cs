using System;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Autosnap.Policy
{
    /// <summary>
    /// The one duration syntax of policy files and server metadata: a .NET TimeSpan in its invariant form
    /// ("20:00:00", "6.00:00:00", "00:30", "1.12:00:00.5") or whole numbers with units in the order w, d, h, m, s
    /// ("20h", "6d", "90s", "1d12h", "2w"). Units are lowercase; there are no months or years (they have no fixed
    /// length). Nothing is trimmed and a bare number is refused: "20" could be minutes, hours or (to TimeSpan) days.
    /// </summary>
    public static class PolicyDuration
    {
        // "$" in .NET also matches before a final newline, so the .NET expressions end in "\z" instead.
        private const string ShortBody = "(?!$)(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?";
        private const string ClockBody = "(?:([0-9]+)\\.)?([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\\.([0-9]{1,7}))?)?";

        /// <summary>
        /// Every text <see cref="Parse"/> accepts matches this regular expression (ECMAScript and .NET read it alike);
        /// module/policy.schema.json uses it verbatim. Parse additionally refuses values too long for a TimeSpan.
        /// </summary>
        public const string Pattern = "^(?:" + ShortBody + "|" + ClockBody + ")$";

        private static readonly Regex Short = DotNet(ShortBody);
        private static readonly Regex Clock = DotNet(ClockBody);
        private static readonly Regex BareNumber = new Regex("^[0-9]+\\z", RegexOptions.CultureInvariant);
        private static readonly Regex Fraction = new Regex("^[0-9]*\\.[0-9]+[wdhms]", RegexOptions.CultureInvariant);

        private static readonly long[] UnitSeconds = { 7 * 86400L, 86400L, 3600L, 60L, 1L };

        /// <summary>The duration <paramref name="text"/> stands for.</summary>
        /// <exception cref="PolicyException">PolicyDurationInvalid, or PolicyValueOutOfRange when it does not fit a TimeSpan.</exception>
        public static TimeSpan Parse(string text) => Parse(text, ErrorSite.Unprefixed("duration"));

        /// <summary>True when <paramref name="text"/> is a duration; <paramref name="value"/> is then its value.</summary>
        public static bool TryParse(string? text, out TimeSpan value)
        {
            value = TimeSpan.Zero;
            if (text == null) return false;
            try
            {
                value = Parse(text);
                return true;
            }
            catch (PolicyException)
            {
                return false;
            }
        }

        /// <summary>
        /// A duration as a person would type it: in its largest whole unit ("2d", "50h", "90m", "45s"), the TimeSpan form
        /// when it is not whole seconds. Always reads back with <see cref="Parse"/>.
        /// </summary>
        public static string Format(TimeSpan value)
        {
            if (value > TimeSpan.Zero)
            {
                if (value.Ticks % TimeSpan.TicksPerDay == 0) return (value.Ticks / TimeSpan.TicksPerDay).ToString(CultureInfo.InvariantCulture) + "d";
                if (value.Ticks % TimeSpan.TicksPerHour == 0) return (value.Ticks / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "h";
                if (value.Ticks % TimeSpan.TicksPerMinute == 0) return (value.Ticks / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture) + "m";
                if (value.Ticks % TimeSpan.TicksPerSecond == 0) return (value.Ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + "s";
            }
            return value == TimeSpan.Zero ? "0s" : value.ToString("c", CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// An age for people, to the two largest units: "3d02h", "23h10m", "45m", "30s". Rounded down, so an age
        /// printed as "1d02h" is at least that old. (For reading, not for parsing back: use <see cref="Format"/>.)
        /// </summary>
        public static string FormatAge(TimeSpan age)
        {
            if (age < TimeSpan.Zero) age = TimeSpan.Zero;
            if (age.TotalDays >= 1) return ((long)age.TotalDays).ToString(CultureInfo.InvariantCulture) + "d" + age.Hours.ToString("D2", CultureInfo.InvariantCulture) + "h";
            if (age.TotalHours >= 1) return age.Hours.ToString(CultureInfo.InvariantCulture) + "h" + age.Minutes.ToString("D2", CultureInfo.InvariantCulture) + "m";
            if (age.TotalMinutes >= 1) return age.Minutes.ToString(CultureInfo.InvariantCulture) + "m";
            return age.Seconds.ToString(CultureInfo.InvariantCulture) + "s";
        }

        internal static TimeSpan Parse(string text, ErrorSite site)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));

            Match match = Short.Match(text);
            if (match.Success)
            {
                decimal seconds = 0;
                for (int unit = 0; unit < UnitSeconds.Length; unit++)
                {
                    Group group = match.Groups[unit + 1];
                    if (group.Success) seconds += Digits(group.Value, text, site) * UnitSeconds[unit];
                }

                return FromSeconds(seconds, 0, text, site);
            }

            match = Clock.Match(text);
            if (match.Success)
            {
                decimal seconds = (match.Groups[1].Success ? Digits(match.Groups[1].Value, text, site) * 86400m : 0m)
                                  + int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) * 3600m
                                  + int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture) * 60m
                                  + (match.Groups[4].Success ? int.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture) : 0);
                long fractionTicks = match.Groups[5].Success
                    ? long.Parse(match.Groups[5].Value.PadRight(7, '0'), CultureInfo.InvariantCulture)
                    : 0;
                return FromSeconds(seconds, fractionTicks, text, site);
            }

            throw site.Error(PolicyException.DurationInvalid, Explain(text));
        }

        private static string Explain(string text)
        {
            string quoted = "'" + text + "'";
            if (text.Length == 0) return "an empty text is not a duration; " + Forms;
            if (text.Trim().Length != text.Length) return quoted + " is not a duration: remove the spaces around it.";
            if (text.StartsWith("-", StringComparison.Ordinal)) return quoted + " is not a duration: durations cannot be negative.";
            if (BareNumber.IsMatch(text)) return quoted + " is not a duration: a number needs a unit, e.g. '" + text + "h' or '" + text + "m'.";
            if (Fraction.IsMatch(text)) return quoted + " is not a duration: units take whole numbers, e.g. '1h30m' rather than '1.5h'.";
            if (Short.IsMatch(text.ToLowerInvariant())) return quoted + " is not a duration: units are lowercase (w, d, h, m, s; there are no months).";
            return quoted + " is not a duration; " + Forms;
        }

        private const string Forms = "use a TimeSpan such as '20:00:00' or '6.00:00:00', or whole numbers with the units w, d, h, m, s " +
                                     "in that order, such as '20h', '6d', '90s' or '1d12h'.";

        private static decimal Digits(string digits, string text, ErrorSite site)
        {
            // More digits than a TimeSpan could ever hold: refuse before decimal overflows.
            if (digits.TrimStart('0').Length > 15) throw TooLong(text, site);
            return decimal.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        private static TimeSpan FromSeconds(decimal seconds, long fractionTicks, string text, ErrorSite site)
        {
            if (seconds > (decimal)(TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerSecond) - 1) throw TooLong(text, site);
            return TimeSpan.FromTicks((long)seconds * TimeSpan.TicksPerSecond + fractionTicks);
        }

        private static Regex DotNet(string body) => new Regex("^" + body.Replace("$", "\\z") + "\\z", RegexOptions.CultureInvariant);

        private static PolicyException TooLong(string text, ErrorSite site) =>
            site.Error(PolicyException.ValueOutOfRange, "'" + text + "' is longer than any duration Autosnap can use.");
    }
}
