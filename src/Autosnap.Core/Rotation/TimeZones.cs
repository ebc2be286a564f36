using System;
using System.Collections.Generic;
using TimeZoneConverter;

namespace Autosnap.Rotation
{
    /// <summary>Finds a time zone by IANA id ("Europe/Berlin") or Windows id ("W. Europe Standard Time") on every platform.</summary>
    public static class TimeZones
    {
        private static readonly string[] UtcIds = { "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu" };

        /// <summary>
        /// The zone with this IANA or Windows id. The system's own lookup is asked first (.NET with ICU knows both
        /// kinds); when it does not know the id, the id's equivalent of the other kind (CLDR's Windows/IANA mapping,
        /// from TimeZoneConverter) is asked, which is what makes IANA ids work on Windows PowerShell 5.1 (.NET
        /// Framework knows Windows ids only) and Windows ids on .NET without ICU. Ids are matched without regard to case.
        /// </summary>
        /// <exception cref="RetentionPolicyException">ErrorId "TimeZoneNotFound": no zone with that id here.</exception>
        public static TimeZoneInfo Find(string id) => Find(id, SystemLookup);

        /// <summary><see cref="Find(string)"/> with the system's lookup passed in, so tests can play .NET Framework or a machine without ICU.</summary>
        internal static TimeZoneInfo Find(string id, Func<string, TimeZoneInfo?> systemLookup)
        {
            string wanted = (id ?? string.Empty).Trim();
            if (wanted.Length == 0)
            {
                throw new RetentionPolicyException(
                    RetentionPolicyException.TimeZoneNotFound,
                    "A time zone id is required, e.g. 'UTC', 'Europe/Berlin' or 'W. Europe Standard Time'.",
                    "TimeZone");
            }

            // UTC needs no time zone data: containers often ship none.
            foreach (string utc in UtcIds)
            {
                if (string.Equals(wanted, utc, StringComparison.OrdinalIgnoreCase)) return TimeZoneInfo.Utc;
            }

            TimeZoneInfo? zone = systemLookup(wanted);
            if (zone != null) return zone;

            foreach (string equivalent in Equivalents(wanted))
            {
                zone = systemLookup(equivalent);
                if (zone != null) return zone;
            }

            throw new RetentionPolicyException(
                RetentionPolicyException.TimeZoneNotFound,
                $"Unknown time zone '{wanted}'. Use an IANA id such as 'Europe/Berlin' or 'America/New_York', or a Windows id " +
                "such as 'W. Europe Standard Time' or 'Eastern Standard Time'.",
                "TimeZone");
        }

        /// <summary>
        /// The id as CLDR spells it (the system lookups on Linux match case), then its equivalent of the other kind
        /// (for a Windows id, the IANA id CLDR names for region 001).
        /// </summary>
        private static IEnumerable<string> Equivalents(string id)
        {
            if (TZConvert.TryIanaToWindows(id, out string? windowsOfIana))
            {
                yield return SpelledAsKnown(id, TZConvert.KnownIanaTimeZoneNames);
                yield return windowsOfIana!;
            }

            if (TZConvert.TryWindowsToIana(id, out string? ianaOfWindows))
            {
                yield return SpelledAsKnown(id, TZConvert.KnownWindowsTimeZoneIds);
                yield return ianaOfWindows!;
            }
        }

        private static string SpelledAsKnown(string id, IEnumerable<string> known)
        {
            foreach (string name in known)
            {
                if (string.Equals(name, id, StringComparison.OrdinalIgnoreCase)) return name;
            }

            return id;
        }

        private static TimeZoneInfo? SystemLookup(string id)
        {
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (TimeZoneNotFoundException)
            {
                return null;
            }
            catch (InvalidTimeZoneException)
            {
                return null;
            }
        }
    }
}
