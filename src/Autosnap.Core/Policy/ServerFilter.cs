using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using Autosnap.Model;

namespace Autosnap.Policy
{
    /// <summary>
    /// The exclusions of a target selector: a server is excluded when ANY of them matches it — a name pattern, an
    /// id, or a single metadata entry (each entry is an exclusion of its own: { "env": "test", "autosnap": "off" }
    /// leaves out test servers and servers that opted out). Patterns are PowerShell wildcards (Wildcard.cs), without regard to case.
    /// </summary>
    public sealed class ServerFilter
    {
        /// <summary>A filter that matches no server.</summary>
        public static readonly ServerFilter None = new ServerFilter(Array.Empty<string>(), Array.Empty<string>(),
            Array.Empty<KeyValuePair<string, string>>(), Sites.InCode().Child("exclude"));

        /// <exception cref="PolicyException">An empty, invalid or repeated pattern, an id that is not a UUID, an empty metadata key.</exception>
        public ServerFilter(IEnumerable<string>? names = null, IEnumerable<string>? ids = null, IReadOnlyDictionary<string, string>? metadata = null)
            : this(names ?? Array.Empty<string>(), ids ?? Array.Empty<string>(),
                   (IEnumerable<KeyValuePair<string, string>>?)metadata ?? Array.Empty<KeyValuePair<string, string>>(), Sites.InCode().Child("exclude"))
        {
        }

        internal ServerFilter(IEnumerable<string> names, IEnumerable<string> ids, IEnumerable<KeyValuePair<string, string>> metadata, Sites sites)
        {
            Names = SelectorChecks.Patterns(names, sites, "names");
            Ids = SelectorChecks.Ids(ids, sites, "ids");
            Metadata = SelectorChecks.Metadata(metadata, sites, "metadata");
        }

        /// <summary>Server name patterns (PowerShell wildcards, without regard to case).</summary>
        public IReadOnlyList<string> Names { get; }

        /// <summary>Server ids (UUIDs, compared without regard to case).</summary>
        public IReadOnlyList<string> Ids { get; }

        /// <summary>Metadata entries; keys compare without regard to case, values are patterns.</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <summary>True when the filter has no names, ids or metadata (it matches nothing).</summary>
        public bool IsEmpty => Names.Count == 0 && Ids.Count == 0 && Metadata.Count == 0;

        /// <summary>True when any name pattern, any id or any single metadata entry matches the server.</summary>
        public bool Matches(RackspaceServer server)
        {
            if (server == null) throw new ArgumentNullException(nameof(server));
            return Names.Any(pattern => Wildcard.IsMatch(pattern, server.Name))
                || Ids.Contains(server.Id, StringComparer.OrdinalIgnoreCase)
                || Metadata.Any(entry => SelectorChecks.HasEntry(server, entry.Key, entry.Value));
        }

        /// <summary>"names *-test; ids ...; metadata env=test", or "nothing".</summary>
        public override string ToString() => IsEmpty ? "nothing" : SelectorChecks.Describe(Names, Ids, Metadata, " or ");
    }

    /// <summary>The element rules shared by selectors and their exclusions.</summary>
    internal static class SelectorChecks
    {
        public static IReadOnlyList<string> Patterns(IEnumerable<string> values, Sites sites, string field) =>
            Texts(values, sites, field, "a name pattern", Wildcard.Problem);

        public static IReadOnlyList<string> Regions(IEnumerable<string> values, Sites sites, string field) =>
            Texts(values, sites, field, "a region", text => null);

        /// <summary>Server ids as a person writes them: UUIDs (a name in ids is a common slip). Ids read from the cloud are taken as they are.</summary>
        public static IReadOnlyList<string> Ids(IEnumerable<string> values, Sites sites, string field, bool requireUuid = true) =>
            Texts(values, sites, field, "a server id", text => !requireUuid || Guid.TryParseExact(text, "D", out _)
                ? null
                : "'" + text + "' is not a server id: ids are UUIDs such as 0b1c2d3e-0000-4000-8000-000000000001 " +
                  "(select servers by name with names, by metadata with metadata).");

        public static IReadOnlyDictionary<string, string> Metadata(IEnumerable<KeyValuePair<string, string>> entries, Sites sites, string field)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in entries)
            {
                if (string.IsNullOrEmpty(entry.Key))
                {
                    throw sites.At(field).Error(PolicyException.ValueEmpty, "a metadata key cannot be empty.");
                }

                if (entry.Value == null)
                {
                    throw sites.At(field, entry.Key).Error(PolicyException.ValueInvalid, "the value must be a text (\"*\" matches any value).");
                }

                string? trouble = Wildcard.Problem(entry.Value);
                if (trouble != null) throw sites.At(field, entry.Key).Error(PolicyException.ValueInvalid, trouble);

                if (result.ContainsKey(entry.Key))
                {
                    throw sites.At(field, entry.Key).Error(PolicyException.ValueDuplicate,
                        "the key '" + entry.Key + "' is given twice (metadata keys compare without regard to case).");
                }

                result.Add(entry.Key, entry.Value);
            }

            return new ReadOnlyDictionary<string, string>(result);
        }

        /// <summary>True when the server has a metadata entry with this key (any case) whose value matches the pattern.</summary>
        public static bool HasEntry(RackspaceServer server, string key, string valuePattern) =>
            server.Metadata != null &&
            server.Metadata.Any(entry => string.Equals(entry.Key, key, StringComparison.OrdinalIgnoreCase) &&
                                         Wildcard.IsMatch(valuePattern, entry.Value ?? string.Empty));

        public static string Describe(IReadOnlyList<string> names, IReadOnlyList<string> ids, IReadOnlyDictionary<string, string> metadata, string join)
        {
            var parts = new List<string>();
            if (names.Count > 0) parts.Add("names " + string.Join(", ", names));
            if (ids.Count > 0) parts.Add("ids " + string.Join(", ", ids));
            if (metadata.Count > 0) parts.Add("metadata " + string.Join(", ", metadata.Select(entry => entry.Key + "=" + entry.Value)));
            return string.Join(join, parts);
        }

        private static IReadOnlyList<string> Texts(IEnumerable<string> values, Sites sites, string field, string what, Func<string, string?> problem)
        {
            var result = new List<string>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string? value in values)
            {
                ErrorSite site = sites.At(field, result.Count);
                if (string.IsNullOrWhiteSpace(value))
                {
                    throw site.Error(PolicyException.ValueEmpty, what + " cannot be empty.");
                }

                if (value!.Trim().Length != value.Length)
                {
                    throw site.Error(PolicyException.ValueInvalid, "'" + value + "' has spaces around it; remove them.");
                }

                string? trouble = problem(value);
                if (trouble != null) throw site.Error(PolicyException.ValueInvalid, trouble);
                if (!seen.Add(value))
                {
                    throw site.Error(PolicyException.ValueDuplicate, "'" + value + "' is listed twice (compared without regard to case).");
                }

                result.Add(value);
            }

            return result.AsReadOnly();
        }
    }
}
