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

        internal static IEnumerable<CompletionResult> Complete(IEnumerable<string> values, string wordToComplete) =>
            Complete(values.Select(v => new KeyValuePair<string, string>(v, v)), wordToComplete);

        /// <summary>Values (each with its tooltip) that start with the word typed, once each, in order.</summary>
        internal static IEnumerable<CompletionResult> Complete(IEnumerable<KeyValuePair<string, string>> valuesWithTips, string wordToComplete)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = new WildcardPattern(WildcardPattern.Escape(word) + "*", WildcardOptions.IgnoreCase);
            return valuesWithTips
                .Where(v => !string.IsNullOrEmpty(v.Key) && pattern.IsMatch(v.Key))
                .GroupBy(v => v.Key, StringComparer.OrdinalIgnoreCase)
                .Select(g => g.First())
                .OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase)
                .Select(v => new CompletionResult(Quote(v.Key), v.Key, CompletionResultType.ParameterValue, string.IsNullOrEmpty(v.Value) ? v.Key : v.Value));
        }

        private static string Quote(string value) =>
            value.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '&', '|', '@', '#' }) >= 0
                ? "'" + value.Replace("'", "''") + "'"
                : value;
    }

    /// <summary>
    /// Completes schedule names with the pools this session has seen (in images, job results and freshness reports),
    /// and the default schedule; the cloud is not asked.
    /// </summary>
    public sealed class ScheduleCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                                                              CommandAst commandAst, IDictionary fakeBoundParameters) =>
            RegionCompleter.Complete(KnownObjects.Schedules.Concat(new[] { Model.AutosnapMetadata.DefaultSchedule }), wordToComplete);
    }

    /// <summary>
    /// Completes -Server with the servers this session has already seen (Get-RackspaceServer, job results, freshness
    /// reports): by name, or by id when the word typed starts an id. Never calls the network: Tab must stay instant
    /// and must not spend an account's rate limit.
    /// </summary>
    public sealed class ServerCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                                                              CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var regions = KnownObjects.Servers.ToDictionary(s => s.Id, s => s.Region, StringComparer.OrdinalIgnoreCase);
            var names = new List<KeyValuePair<string, string>>();
            var ids = new List<KeyValuePair<string, string>>();
            foreach (KeyValuePair<string, string> server in KnownObjects.ServerNames)
            {
                string tip = $"{server.Value} ({server.Key})" + (regions.TryGetValue(server.Key, out string? region) ? $" in {region}" : string.Empty);
                names.Add(new KeyValuePair<string, string>(server.Value, tip));
                ids.Add(new KeyValuePair<string, string>(server.Key, tip));
            }
            // Names first: an id is offered only when the word typed starts one and no name.
            List<CompletionResult> byName = RegionCompleter.Complete(names, wordToComplete).ToList();
            return byName.Count > 0 || string.IsNullOrEmpty(wordToComplete) ? byName : RegionCompleter.Complete(ids, wordToComplete);
        }
    }

    /// <summary>
    /// Completes -Id with the images this session has already seen (Get-AutoSnapshot, New-AutoSnapshot, plans),
    /// newest first in the list, each with its name, status and creation time as the tooltip. Never calls the network.
    /// </summary>
    public sealed class ImageIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                                                              CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = new WildcardPattern(WildcardPattern.Escape(word) + "*", WildcardOptions.IgnoreCase);
            // The id, or the image's name, may be typed: the completion is always the id.
            return KnownObjects.Images
                .Where(image => pattern.IsMatch(image.Id) || pattern.IsMatch(image.Name))
                .OrderByDescending(image => image.Created)
                .Select(image => new CompletionResult(image.Id, $"{image.Name} ({image.Id})", CompletionResultType.ParameterValue,
                    $"{image.Name}: {image.Status}, created {image.Created.UtcDateTime:yyyy-MM-dd HH:mm}Z"));
        }
    }

    /// <summary>
    /// Completes -Flavor with the flavors this session has seen (Get-RackspaceFlavor): the id, with name, RAM and CPUs
    /// as the tooltip. Never calls the network.
    /// </summary>
    public sealed class FlavorCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                                                              CommandAst commandAst, IDictionary fakeBoundParameters) =>
            RegionCompleter.Complete(KnownObjects.Flavors.SelectMany(f => new[]
            {
                new KeyValuePair<string, string>(f.Id, $"{f.Name}: {f.RamMB} MiB, {f.Vcpus} vCPU, {f.DiskGB} GB disk ({f.Region})"),
                new KeyValuePair<string, string>(f.Name, $"{f.Id}: {f.RamMB} MiB, {f.Vcpus} vCPU, {f.DiskGB} GB disk ({f.Region})"),
            }), wordToComplete);
    }

    /// <summary>
    /// Completes -Network with the networks this session has seen (Get-RackspaceNetwork), by name and id, and 'none'.
    /// Never calls the network.
    /// </summary>
    public sealed class NetworkCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                                                              CommandAst commandAst, IDictionary fakeBoundParameters) =>
            RegionCompleter.Complete(KnownObjects.Networks.SelectMany(n => new[]
            {
                new KeyValuePair<string, string>(n.Name, $"{n.Id} ({n.Region})"),
                new KeyValuePair<string, string>(n.Id, $"{n.Name} ({n.Region})"),
            }).Concat(new[] { new KeyValuePair<string, string>(Model.AutosnapMetadata.NoNetwork, "no network (compute microversion 2.37+)") }), wordToComplete);
    }
}
