using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Completes -Region from the default session's catalog, or from Rackspace's regions when not connected.
    /// Never calls the network.
    /// </summary>
    public sealed class RegionCompleter : IArgumentCompleter
    {
        internal static readonly string[] RackspaceRegions = { "DFW", "ORD", "IAD", "LON", "SYD", "HKG" };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                                                              CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IEnumerable<string> regions = SessionStore.Default?.Regions ?? (IEnumerable<string>)RackspaceRegions;
            return Complete(regions, wordToComplete);
        }

        internal static IEnumerable<CompletionResult> Complete(IEnumerable<string> values, string wordToComplete)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase);
            return values.Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(v => pattern.IsMatch(v))
                .OrderBy(v => v, StringComparer.OrdinalIgnoreCase)
                .Select(v => new CompletionResult(Quote(v), v, CompletionResultType.ParameterValue, v));
        }

        private static string Quote(string value) =>
            value.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '&', '|', '@', '#' }) >= 0
                ? "'" + value.Replace("'", "''") + "'"
                : value;
    }

    /// <summary>Completes schedule names with the usual ones; the cloud is not asked.</summary>
    public sealed class ScheduleCompleter : IArgumentCompleter
    {
        private static readonly string[] Usual = { "hourly", "daily", "weekly", "monthly", "yearly", "default" };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                                                              CommandAst commandAst, IDictionary fakeBoundParameters) =>
            RegionCompleter.Complete(Usual, wordToComplete);
    }
}
