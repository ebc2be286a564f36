using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Autosnap.Model;
using Autosnap.Rotation;

namespace Autosnap.Policy
{
    /// <summary>
    /// The per-server convention: server metadata "autosnap:&lt;schedule&gt;" = "&lt;rules&gt;" is one policy for that
    /// server and schedule, e.g. autosnap:daily = "daily=7, weekly=4, monthly=12, tz=Europe/Berlin, every=20h".
    /// Rules are key=value, separated by ',' or ';', keys without regard to case, whitespace around anything ignored
    /// (docs/policy.md has the grammar). Other metadata is ignored. The "autosnap:" prefix is matched without regard
    /// to case; the schedule keeps its case, as pools do.
    /// </summary>
    public static class ServerMetadataPolicy
    {
        public const string Prefix = "autosnap:";

        /// <summary>The longest metadata value Nova and Rackspace store.</summary>
        public const int MaxValueLength = 255;

        private static readonly Regex WholeNumber = new Regex("^[+-]?[0-9]+\\z", RegexOptions.CultureInvariant);

        /// <summary>The rule keys in the order <see cref="FormatRules"/> writes them, with the policy field each sets.</summary>
        private static readonly (string Key, string Field)[] Rules =
        {
            ("retention", "retention.retention"),
            ("last", "retention.keepLast"),
            ("hourly", "retention.keepHourly"),
            ("daily", "retention.keepDaily"),
            ("weekly", "retention.keepWeekly"),
            ("monthly", "retention.keepMonthly"),
            ("yearly", "retention.keepYearly"),
            ("within", "retention.keepWithin"),
            ("tz", "retention.timeZone"),
            ("every", "minInterval"),
            ("timeout", "timeout"),
            ("keepfailed", "keepFailed"),
        };

        /// <summary>Other spellings of rule keys: the policy file's names.</summary>
        private static readonly Dictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["keeplast"] = "last",
            ["keephourly"] = "hourly",
            ["keepdaily"] = "daily",
            ["keepweekly"] = "weekly",
            ["keepmonthly"] = "monthly",
            ["keepyearly"] = "yearly",
            ["keepwithin"] = "within",
            ["timezone"] = "tz",
            ["mininterval"] = "every",
        };

        /// <summary>The rule keys (lowercase), for documentation and tests.</summary>
        public static IReadOnlyList<string> RuleKeys { get; } = Rules.Select(r => r.Key).ToList().AsReadOnly();

        /// <summary>True for a metadata key of the convention ("autosnap:" followed by anything, any case of the prefix).</summary>
        public static bool IsPolicyKey(string key) => key != null && key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

        /// <summary>One policy per "autosnap:&lt;schedule&gt;" key of the server, targeting that server only, by schedule.</summary>
        /// <exception cref="PolicyException">The first key whose value or schedule is invalid (naming the server, the key and the bad rule).</exception>
        public static IReadOnlyList<SnapshotPolicy> For(RackspaceServer server)
        {
            var errors = new List<PolicyException>();
            IReadOnlyList<SnapshotPolicy> policies = For(server, errors);
            if (errors.Count > 0) throw errors[0];
            return policies;
        }

        /// <summary>
        /// The policies of the keys that are valid; every invalid key adds its error to <paramref name="errors"/>
        /// instead, so one bad key does not stop a server's other schedules. Keys that give one schedule twice (the
        /// prefix in two spellings) are all refused.
        /// </summary>
        public static IReadOnlyList<SnapshotPolicy> For(RackspaceServer server, ICollection<PolicyException> errors)
        {
            if (server == null) throw new ArgumentNullException(nameof(server));
            if (errors == null) throw new ArgumentNullException(nameof(errors));
            var keys = (server.Metadata ?? new Dictionary<string, string>())
                .Where(entry => IsPolicyKey(entry.Key))
                .OrderBy(entry => entry.Key, StringComparer.Ordinal)
                .ToList();

            var policies = new List<SnapshotPolicy>();
            foreach (var group in keys.GroupBy(entry => entry.Key.Substring(Prefix.Length), StringComparer.Ordinal))
            {
                if (group.Count() > 1)
                {
                    string[] spellings = group.Select(entry => entry.Key).ToArray();
                    errors.Add(ErrorSite.OnServer(server, spellings[1], null).Error(PolicyException.PoolConflict,
                        "the keys " + string.Join(" and ", spellings) + " both set schedule '" + group.Key + "'; keep one of them."));
                    continue;
                }

                var entry = group.Single();
                try
                {
                    policies.Add(Parse(server, entry.Key, entry.Value ?? string.Empty));
                }
                catch (PolicyException e)
                {
                    errors.Add(e);
                }
            }

            return policies.AsReadOnly();
        }

        /// <summary>
        /// The rule text for a retention policy and the other settings the convention has, e.g.
        /// "daily=7,weekly=4,tz=Europe/Berlin,every=20h" (bucket rules always name their zone). Reading it back with
        /// <see cref="For(RackspaceServer)"/> gives the same settings.
        /// </summary>
        public static string FormatRules(RetentionPolicy retention, TimeSpan? every = null, TimeSpan? timeout = null)
        {
            if (retention == null) throw new ArgumentNullException(nameof(retention));
            var parts = new List<string>();
            if (retention.Retention.HasValue)
            {
                parts.Add("retention=" + Invariant(retention.Retention.Value));
            }
            else
            {
                BucketRules rules = retention.Rules!;
                AddCount(parts, "last", rules.KeepLast);
                AddCount(parts, "hourly", rules.KeepHourly);
                AddCount(parts, "daily", rules.KeepDaily);
                AddCount(parts, "weekly", rules.KeepWeekly);
                AddCount(parts, "monthly", rules.KeepMonthly);
                AddCount(parts, "yearly", rules.KeepYearly);
                if (rules.KeepWithin.HasValue) parts.Add("within=" + PolicyDuration.Format(rules.KeepWithin.Value));
                parts.Add("tz=" + retention.TimeZone.Id);
            }

            if (every.HasValue) parts.Add("every=" + PolicyDuration.Format(every.Value));
            if (timeout.HasValue) parts.Add("timeout=" + PolicyDuration.Format(timeout.Value));
            if (retention.KeepFailed) parts.Add("keepfailed=true");
            // At most about 180 characters (every count at 100000, the longest zone ids): always fits a metadata value.
            return string.Join(",", parts);
        }

        private static SnapshotPolicy Parse(RackspaceServer server, string key, string value)
        {
            if (value.Length > MaxValueLength)
            {
                throw ErrorSite.OnServer(server, key, null).Error(PolicyException.RuleTooLong,
                    "the value is " + Invariant(value.Length) + " characters; Nova and Rackspace store at most " + Invariant(MaxValueLength) + ".");
            }

            var ruleOf = new Dictionary<string, string>(StringComparer.Ordinal);
            var given = new Dictionary<string, string>(StringComparer.Ordinal);
            var retention = new RetentionInput(NameOf);
            TimeSpan? every = null, timeout = null;
            foreach (string segment in value.Split(',', ';'))
            {
                string rule = segment.Trim();
                if (rule.Length == 0) continue;
                ErrorSite site = ErrorSite.OnServer(server, key, rule);
                int equals = rule.IndexOf('=');
                if (equals < 0) throw site.Error(PolicyException.RuleSyntax, "a rule is key=value, e.g. daily=7; this one has no '='.");
                string name = rule.Substring(0, equals).Trim();
                string text = rule.Substring(equals + 1).Trim();
                if (name.Length == 0) throw site.Error(PolicyException.RuleSyntax, "the rule has no key before '='.");
                if (text.Length == 0) throw site.Error(PolicyException.RuleSyntax, "the rule has no value after '='.");
                if (text.IndexOf('=') >= 0) throw site.Error(PolicyException.RuleSyntax, "one '=' per rule; separate rules with ',' or ';'.");

                string canonical = Canonical(name) ?? throw site.Error(PolicyException.FieldUnknown, Unknown(name));
                if (given.TryGetValue(canonical, out string? earlier))
                {
                    throw site.Error(PolicyException.FieldDuplicate, "'" + canonical + "' is given twice (first as '" + earlier + "'); give each rule once.");
                }

                given[canonical] = rule;
                string field = Rules.First(r => r.Key == canonical).Field;
                ruleOf[field] = rule;
                switch (canonical)
                {
                    case "retention":
                        retention.SetRetention(Count(text, site), "retention", "retention");
                        break;
                    case "within":
                        retention.KeepWithin = PolicyDuration.Parse(text, site);
                        break;
                    case "tz":
                        retention.TimeZone = text;
                        break;
                    case "every":
                        every = PolicyDuration.Parse(text, site);
                        break;
                    case "timeout":
                        timeout = PolicyDuration.Parse(text, site);
                        break;
                    case "keepfailed":
                        retention.KeepFailed = Flag(text, site);
                        break;
                    default:
                        retention.SetCount(field.Substring("retention.".Length), Count(text, site));
                        break;
                }
            }

            Sites sites = Sites.OnServer(server, key, ruleOf);
            string schedule = key.Substring(Prefix.Length);
            SnapshotPolicy.CheckSchedule(schedule, sites.At("schedule"));
            RetentionPolicy built = retention.Build(sites);
            return new SnapshotPolicy(schedule, TargetSelector.ForServer(server), built, null, every, timeout, adoptLegacy: false,
                                      OrphanHandling.Keep, Array.Empty<KeyValuePair<string, string>>(), null, sites,
                                      ErrorSite.ServerLabel(server) + ", metadata '" + key + "'");
        }

        private static string? Canonical(string name)
        {
            string lower = name.ToLowerInvariant();
            if (Rules.Any(r => r.Key == lower)) return lower;
            return Aliases.TryGetValue(name, out string? canonical) ? canonical : null;
        }

        private static string Unknown(string name)
        {
            string? close = Rules.Select(r => r.Key).Concat(Aliases.Keys)
                .Select(k => (Key: k, Distance: PolicyShape.Distance(k, name.ToLowerInvariant())))
                .Where(c => c.Distance <= (name.Length <= 4 ? 1 : 2))
                .OrderBy(c => c.Distance)
                .Select(c => Aliases.TryGetValue(c.Key, out string? canonical) ? canonical : c.Key)
                .FirstOrDefault();
            return "unknown rule '" + name + "'" + (close == null ? "." : "; did you mean '" + close + "'?") +
                   " The rules are " + string.Join(", ", RuleKeys) + ".";
        }

        private static long Count(string text, ErrorSite site)
        {
            if (!WholeNumber.IsMatch(text)) throw site.Error(PolicyException.ValueInvalid, "'" + text + "' is not a whole number.");
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
                ? value
                : throw site.Error(PolicyException.ValueOutOfRange, text + " is far out of range.");
        }

        private static bool Flag(string text, ErrorSite site)
        {
            if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase)) return true;
            if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase)) return false;
            throw site.Error(PolicyException.ValueInvalid, "'" + text + "' is neither true nor false.");
        }

        /// <summary>How messages name the retention fields in this convention.</summary>
        private static string NameOf(string field)
        {
            switch (field)
            {
                case "retention": return "retention";
                case "keepWithin": return "within";
                case "timeZone": return "tz";
                default: return field.StartsWith("keep", StringComparison.Ordinal) ? field.Substring(4).ToLowerInvariant() : field;
            }
        }

        private static void AddCount(List<string> parts, string key, int count)
        {
            if (count != 0) parts.Add(key + "=" + Invariant(count));
        }

        private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
