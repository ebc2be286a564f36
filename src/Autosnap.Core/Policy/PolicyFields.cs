using System;
using System.Collections.Generic;
using System.Linq;

namespace Autosnap.Policy
{
    /// <summary>The objects of a policy file: their fields, the required ones, and how an unknown key is answered.</summary>
    internal sealed class PolicyShape
    {
        private PolicyShape(string kind, string label, string[] fields, string[] required)
        {
            Kind = kind;
            Label = label;
            Fields = fields;
            Required = required;
        }

        /// <summary>The key used by tests and the schema's definitions: document, policy, targets, exclude, retention.</summary>
        public string Kind { get; }

        /// <summary>How messages name the object.</summary>
        public string Label { get; }

        public IReadOnlyList<string> Fields { get; }
        public IReadOnlyList<string> Required { get; }

        public static readonly PolicyShape Document = new PolicyShape("document", "the document",
            new[] { "$schema", "throttleLimit", "policies" }, new[] { "policies" });

        public static readonly PolicyShape Policy = new PolicyShape("policy", "a policy",
            new[] { "name", "schedule", "targets", "retention", "minInterval", "keepFailed", "timeout", "adoptLegacy", "onServerDeleted", "metadata", "nameTemplate",
                    "includeVolumes", "reclaimLeftovers", "restoreTest", "hooks", "requireConsistency" },
            new[] { "schedule", "targets", "retention" });

        public static readonly PolicyShape Targets = new PolicyShape("targets", "targets",
            new[] { "regions", "allRegions", "all", "names", "ids", "metadata", "exclude" }, new string[0]);

        public static readonly PolicyShape Exclude = new PolicyShape("exclude", "exclude",
            new[] { "names", "ids", "metadata" }, new string[0]);

        public static readonly PolicyShape Retention = new PolicyShape("retention", "retention",
            new[] { "retention", "keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly", "keepWithin", "timeZone" },
            new string[0]);

        public static readonly PolicyShape RestoreTest = new PolicyShape("restoreTest", "restoreTest",
            new[] { "every", "pick", "within", "flavor", "network", "timeout" }, new[] { "every" });

        public static readonly PolicyShape Hooks = new PolicyShape("hooks", "hooks",
            new[] { "before", "after", "timeout", "onHookFailure" }, new string[0]);

        public static readonly PolicyShape HookCommand = new PolicyShape("hookCommand", "a hook command",
            new[] { "command", "arguments" }, new[] { "command" });

        public static readonly IReadOnlyList<PolicyShape> All = new[] { Document, Policy, Targets, Exclude, Retention, RestoreTest, Hooks, HookCommand };

        // Names people reach for (from the metadata convention, the C# model, other tools) and the field they mean.
        private static readonly Dictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["policy"] = "policies",
            ["throttle"] = "throttleLimit",
            ["last"] = "keepLast",
            ["hourly"] = "keepHourly",
            ["daily"] = "keepDaily",
            ["weekly"] = "keepWeekly",
            ["monthly"] = "keepMonthly",
            ["yearly"] = "keepYearly",
            ["within"] = "keepWithin",
            ["tz"] = "timeZone",
            ["every"] = "minInterval",
            ["interval"] = "minInterval",
            ["allServers"] = "all",
            ["except"] = "exclude",
            ["tags"] = "metadata",
            ["template"] = "nameTemplate",
            ["servers"] = "targets",
            ["pre"] = "before",
            ["post"] = "after",
            ["args"] = "arguments",
            ["onFailure"] = "onHookFailure",
        };

        /// <summary>"did you mean 'keepDaily'?", "it belongs in retention", or null when nothing is close.</summary>
        public string? Hint(string key)
        {
            string? same = Fields.FirstOrDefault(f => string.Equals(f, key, StringComparison.OrdinalIgnoreCase));
            if (same != null) return "did you mean '" + same + "'? Field names are case-sensitive.";
            if (Aliases.TryGetValue(key, out string? meant) && Fields.Contains(meant)) return "did you mean '" + meant + "'?";

            string[] elsewhere = All.Where(shape => shape != this && shape.Fields.Contains(key, StringComparer.OrdinalIgnoreCase))
                                    .Select(shape => shape.Label).ToArray();
            if (elsewhere.Length > 0) return "it belongs in " + string.Join(" or ", elsewhere) + ".";

            string? close = Fields.Select(f => (Field: f, Distance: Distance(f.ToLowerInvariant(), key.ToLowerInvariant())))
                                  .Where(c => c.Distance <= (key.Length <= 4 ? 1 : key.Length <= 8 ? 2 : 3))
                                  .OrderBy(c => c.Distance)
                                  .Select(c => c.Field)
                                  .FirstOrDefault();
            return close == null ? null : "did you mean '" + close + "'?";
        }

        /// <summary>Levenshtein distance.</summary>
        internal static int Distance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++) previous[j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(substitute, Math.Min(previous[j] + 1, current[j - 1] + 1));
                }

                int[] swap = previous;
                previous = current;
                current = swap;
            }

            return previous[b.Length];
        }
    }
}
