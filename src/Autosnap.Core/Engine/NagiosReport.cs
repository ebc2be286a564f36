using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>
    /// Freshness results as one Nagios plugin line and exit code (Nagios plugin guidelines: one line of text,
    /// performance data after '|', exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN):
    /// <code>AUTOSNAP CRITICAL - 1 of 5 pools stale: web1/daily newest good 3d02h ago (critical 2d) | pools=5 ok=4 warning=0 critical=1 unknown=0</code>
    /// </summary>
    public sealed class NagiosReport
    {
        /// <summary>Problem pools named per group in the line; the rest are counted ("and 4 more"), so the line stays readable.</summary>
        public const int MaxNamedPools = 3;

        private NagiosReport(FreshnessStatus status, string line)
        {
            Status = status;
            Line = line;
        }

        /// <summary>The overall status: CRITICAL if any pool is, else WARNING if any is, else UNKNOWN if any is (or there are no pools), else OK.</summary>
        public FreshnessStatus Status { get; }

        /// <summary>The plugin's exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.</summary>
        public int ExitCode => (int)Status;

        /// <summary>The one line of plugin output.</summary>
        public string Line { get; }

        /// <summary>The report on a set of results. No results at all (nothing to check) is UNKNOWN.</summary>
        public static NagiosReport From(IReadOnlyCollection<AutoSnapshotFreshness> results)
        {
            if (results == null) throw new ArgumentNullException(nameof(results));
            int Count(FreshnessStatus status) => results.Count(result => result.Status == status);
            int ok = Count(FreshnessStatus.Ok), warning = Count(FreshnessStatus.Warning), critical = Count(FreshnessStatus.Critical), unknown = Count(FreshnessStatus.Unknown);

            // A known stale pool outranks one that could not be checked: it is certain news, and the more urgent.
            FreshnessStatus status =
                results.Count == 0 ? FreshnessStatus.Unknown :
                critical > 0 ? FreshnessStatus.Critical :
                warning > 0 ? FreshnessStatus.Warning :
                unknown > 0 ? FreshnessStatus.Unknown :
                FreshnessStatus.Ok;

            string summary;
            if (results.Count == 0)
            {
                summary = "no Autosnap pools found";
            }
            else if (status == FreshnessStatus.Ok)
            {
                AutoSnapshotFreshness stalest = results.OrderByDescending(result => result.Age).First();
                summary = results.Count == 1
                    ? $"1 pool fresh: {Describe(stalest)}"
                    : $"{results.Count} pools fresh, stalest {Describe(stalest)}";
            }
            else
            {
                var groups = new List<string>();
                var stale = results
                    .Where(result => result.Status == FreshnessStatus.Critical || result.Status == FreshnessStatus.Warning)
                    .OrderByDescending(result => result.Status)
                    .ThenByDescending(result => result.Age ?? TimeSpan.MaxValue)
                    .ToList();
                if (stale.Count > 0) groups.Add($"{stale.Count} of {Pools(results.Count)} stale: {List(stale)}");
                var unknowns = results.Where(result => result.Status == FreshnessStatus.Unknown).ToList();
                if (unknowns.Count > 0) groups.Add($"{unknowns.Count} of {Pools(results.Count)} unknown: {List(unknowns)}");
                summary = string.Join("; ", groups);
            }

            string performance = string.Format(CultureInfo.InvariantCulture, "pools={0} ok={1} warning={2} critical={3} unknown={4}",
                results.Count, ok, warning, critical, unknown);
            if (results.Any(result => result.RestoreStatus.HasValue))
            {
                // Restore tests judged too: how many pools' last test failed, and how many have no recent verified test.
                performance += string.Format(CultureInfo.InvariantCulture, " restore_failed={0} restore_stale={1}",
                    results.Count(result => result.RestoreStatus == FreshnessStatus.Critical),
                    results.Count(result => result.RestoreStatus == FreshnessStatus.Warning));
            }
            return new NagiosReport(status, $"AUTOSNAP {Word(status)} - {OneLine(summary)} | {performance}");
        }

        /// <summary>A check that could not run at all (not connected, bad arguments): UNKNOWN with the reason, no performance data.</summary>
        public static NagiosReport Failure(string reason) =>
            new NagiosReport(FreshnessStatus.Unknown, $"AUTOSNAP UNKNOWN - {OneLine(reason)}");

        /// <summary>OK, WARNING, CRITICAL, UNKNOWN: the words Nagios plugins print.</summary>
        public static string Word(FreshnessStatus status) => status.ToString().ToUpperInvariant();

        private static string Describe(AutoSnapshotFreshness result) => result.Pool + " " + result.Message;

        private static string List(IReadOnlyList<AutoSnapshotFreshness> results)
        {
            string named = string.Join(", ", results.Take(MaxNamedPools).Select(Describe));
            return results.Count > MaxNamedPools ? $"{named}, and {results.Count - MaxNamedPools} more" : named;
        }

        private static string Pools(int count) => count == 1 ? "1 pool" : $"{count} pools";

        /// <summary>
        /// One line, and no '|' before the performance data: Nagios reads a line break as the end of the first line
        /// and '|' as the start of performance data. Cloud error messages may contain either.
        /// </summary>
        private static string OneLine(string text) =>
            string.Join(" ", text.Replace('|', '/').Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(part => part.Trim()));
    }
}
