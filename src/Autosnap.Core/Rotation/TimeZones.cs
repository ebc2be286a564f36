using System;
using System.Collections.Generic;

namespace Autosnap.Rotation
{
    /// <summary>Finds a time zone by IANA id ("Europe/Berlin") or Windows id ("W. Europe Standard Time") on every platform.</summary>
    public static class TimeZones
    {
        private static readonly string[] UtcIds = { "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu" };

        private static readonly Lazy<Mapping> Table = new Lazy<Mapping>(() => Mapping.Parse(TimeZoneTable.Data));

        /// <summary>
        /// The zone with this IANA or Windows id. The system's own lookup is asked first (.NET with ICU knows both
        /// kinds); when it does not know the id, the id's equivalent from CLDR's Windows/IANA table is asked, which is
        /// what makes IANA ids work on Windows PowerShell 5.1 (.NET Framework knows Windows ids only).
        /// Ids are matched without regard to case where the table knows them.
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

            foreach (string equivalent in Table.Value.Equivalents(wanted))
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

        /// <summary>The Windows id of an IANA id, from the table (null when it has none).</summary>
        internal static string? WindowsIdOf(string ianaId) => Table.Value.WindowsIdOf(ianaId);

        /// <summary>The IANA id CLDR names for a Windows id (region 001), from the table (null when it has none).</summary>
        internal static string? IanaIdOf(string windowsId) => Table.Value.IanaIdOf(windowsId);

        /// <summary>Every (IANA id, Windows id) pair of the table.</summary>
        internal static IEnumerable<KeyValuePair<string, string>> IanaToWindowsPairs() => Table.Value.IanaToWindowsPairs();

        /// <summary>Every (Windows id, primary IANA id) pair of the table.</summary>
        internal static IEnumerable<KeyValuePair<string, string>> WindowsToIanaPairs() => Table.Value.WindowsToIanaPairs();

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

        private sealed class Mapping
        {
            // Keys ignore case; values keep the exact spelling, which is what the system lookups need on Linux.
            private readonly Dictionary<string, (string Iana, string Windows)> byIana =
                new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);

            private readonly Dictionary<string, (string Windows, string Iana)> byWindows =
                new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);

            public static Mapping Parse(string data)
            {
                var mapping = new Mapping();
                foreach (string rawLine in data.Split('\n'))
                {
                    string line = rawLine.Trim();
                    if (line.Length == 0) continue;
                    string[] fields = line.Split('|');
                    string windows = fields[0];
                    string primary = fields[1];
                    mapping.byWindows[windows] = (windows, primary);
                    mapping.byIana[primary] = (primary, windows);
                    foreach (string other in fields[2].Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
                    {
                        mapping.byIana[other] = (other, windows);
                    }
                }

                return mapping;
            }

            /// <summary>The id spelled as the table spells it, then its equivalent of the other kind.</summary>
            public IEnumerable<string> Equivalents(string id)
            {
                if (byIana.TryGetValue(id, out var iana))
                {
                    yield return iana.Iana;
                    yield return iana.Windows;
                }

                if (byWindows.TryGetValue(id, out var windows))
                {
                    yield return windows.Windows;
                    yield return windows.Iana;
                }
            }

            public string? WindowsIdOf(string ianaId) => byIana.TryGetValue(ianaId, out var entry) ? entry.Windows : null;

            public string? IanaIdOf(string windowsId) => byWindows.TryGetValue(windowsId, out var entry) ? entry.Iana : null;

            public IEnumerable<KeyValuePair<string, string>> IanaToWindowsPairs()
            {
                foreach (var entry in byIana.Values) yield return new KeyValuePair<string, string>(entry.Iana, entry.Windows);
            }

            public IEnumerable<KeyValuePair<string, string>> WindowsToIanaPairs()
            {
                foreach (var entry in byWindows.Values) yield return new KeyValuePair<string, string>(entry.Windows, entry.Iana);
            }
        }
    }
}
