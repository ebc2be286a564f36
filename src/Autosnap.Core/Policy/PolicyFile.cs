using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Security;
using System.Text;
using Autosnap.Rotation;
using Newtonsoft.Json.Linq;

namespace Autosnap.Policy
{
    /// <summary>
    /// Reads a policy file (docs/policy.md; module/policy.schema.json). JSON with // and /* */ comments; field names
    /// are case-sensitive; every problem is a <see cref="PolicyException"/> naming the file, line, position and
    /// field path. The first problem found is reported (objects are checked for unknown keys, then missing ones,
    /// then each field in the order the documentation lists them).
    /// </summary>
    public static class PolicyFile
    {
        /// <summary>Reads the policy document in <paramref name="json"/>; <paramref name="sourceName"/> starts every message.</summary>
        /// <exception cref="PolicyException">The text is not a valid policy document.</exception>
        public static PolicyDocument Parse(string json, string sourceName)
        {
            if (json == null) throw new ArgumentNullException(nameof(json));
            string source = string.IsNullOrEmpty(sourceName) ? "(policy)" : sourceName;
            JToken root = StrictJson.Read(json, source, Sites.FormatPath);
            return new Reader(source, root).Document();
        }

        /// <summary>Reads the policy file at <paramref name="path"/> (UTF-8, or UTF-16 with a byte order mark).</summary>
        /// <exception cref="PolicyException">PolicyFileNotFound, PolicyFileUnreadable, or anything <see cref="Parse"/> refuses.</exception>
        public static PolicyDocument Load(string path)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            string text;
            try
            {
                using (var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true))
                {
                    text = reader.ReadToEnd();
                }
            }
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
            {
                throw new PolicyException(PolicyException.FileNotFound, path + ": the policy file does not exist.", null, path, null, null, e);
            }
            catch (DecoderFallbackException e)
            {
                throw new PolicyException(PolicyException.FileUnreadable, path + ": the policy file is not UTF-8 text.", null, path, null, null, e);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException ||
                                      e is NotSupportedException || e is SecurityException)
            {
                throw new PolicyException(PolicyException.FileUnreadable, path + ": the policy file cannot be read: " + e.Message, null, path, null, null, e);
            }

            return Parse(text, path);
        }

        private sealed class Reader
        {
            private readonly string source;
            private readonly JToken root;
            private readonly Sites sites;

            public Reader(string source, JToken root)
            {
                this.source = source;
                this.root = root;
                sites = Sites.InFile(source, root);
            }

            public PolicyDocument Document()
            {
                if (!(root is JObject document))
                {
                    throw sites.At().Error(PolicyException.FieldType,
                        "the document must be an object, { \"policies\": [ ... ] }, not " + StrictJson.Describe(root) + ".");
                }

                Fields(document, PolicyShape.Document, sites);
                if (document.Property("$schema") is JProperty schema) Text(schema, sites.At("$schema"));
                long? throttleLimit = document.Property("throttleLimit") is JProperty throttle ? Integer(throttle, sites.At("throttleLimit")) : (long?)null;

                JArray list = List(document.Property("policies")!, sites.At("policies"), "a list of policies");
                var policies = new List<SnapshotPolicy>();
                for (int i = 0; i < list.Count; i++)
                {
                    policies.Add(Policy(list[i], i));
                }

                return new PolicyDocument(policies, throttleLimit, sites);
            }

            private SnapshotPolicy Policy(JToken node, int index)
            {
                Sites policy = sites.Child("policies", index);
                JObject obj = Object(node, policy.At(), "each policy must be an object");
                Fields(obj, PolicyShape.Policy, policy);

                // The schedule first: every later message is easier to read once it is known to be right.
                string schedule = SnapshotPolicy.CheckSchedule(Text(obj.Property("schedule")!, policy.At("schedule")), policy.At("schedule"));
                string? name = obj.Property("name") is JProperty n ? Text(n, policy.At("name")) : null;
                TargetSelector targets = Targets(obj.Property("targets")!, policy.Child("targets"));
                var retention = new RetentionInput(field => field);
                Retention(obj.Property("retention")!, retention, policy);
                TimeSpan? minInterval = obj.Property("minInterval") is JProperty interval ? Duration(interval, policy.At("minInterval")) : (TimeSpan?)null;
                retention.KeepFailed = obj.Property("keepFailed") is JProperty keepFailed && Flag(keepFailed, policy.At("keepFailed"));
                TimeSpan? timeout = obj.Property("timeout") is JProperty t ? Duration(t, policy.At("timeout")) : (TimeSpan?)null;
                bool adoptLegacy = obj.Property("adoptLegacy") is JProperty adopt && Flag(adopt, policy.At("adoptLegacy"));
                OrphanHandling onServerDeleted = obj.Property("onServerDeleted") is JProperty orphans
                    ? Orphans(orphans, policy.At("onServerDeleted"))
                    : OrphanHandling.Keep;
                var metadata = obj.Property("metadata") is JProperty m ? Map(m, policy, "metadata") : new List<KeyValuePair<string, string>>();
                string? nameTemplate = obj.Property("nameTemplate") is JProperty template ? Text(template, policy.At("nameTemplate")) : null;

                RetentionPolicy built = retention.Build(policy);
                string origin = source + ", policies[" + index.ToString(CultureInfo.InvariantCulture) + "]";
                return new SnapshotPolicy(schedule, targets, built, name, minInterval, timeout, adoptLegacy, onServerDeleted, metadata, nameTemplate,
                                          policy, origin)
                {
                    IncludeVolumes = obj.Property("includeVolumes") is JProperty volumes && Flag(volumes, policy.At("includeVolumes")),
                    ReclaimLeftovers = obj.Property("reclaimLeftovers") is JProperty reclaim && Flag(reclaim, policy.At("reclaimLeftovers")),
                    RestoreTest = obj.Property("restoreTest") is JProperty restoreTest ? RestoreTest(restoreTest, policy.Child("restoreTest")) : null,
                    Hooks = obj.Property("hooks") is JProperty hooks ? Hooks(hooks, policy.Child("hooks")) : null,
                    RequireApplicationConsistency = obj.Property("requireConsistency") is JProperty require &&
                                                    Consistency(require, policy.At("requireConsistency")) == Model.SnapshotConsistency.Application,
                };
            }

            private RestoreTestPolicy RestoreTest(JProperty property, Sites restoreTest)
            {
                JObject obj = Object(property.Value, restoreTest.At(), "restoreTest must be an object, e.g. { \"every\": \"7d\" }");
                Fields(obj, PolicyShape.RestoreTest, restoreTest);
                TimeSpan every = Duration(obj.Property("every")!, restoreTest.At("every"));
                RestorePick pick = obj.Property("pick") is JProperty p ? Pick(p, restoreTest.At("pick")) : RestorePick.Newest;
                TimeSpan? within = obj.Property("within") is JProperty w ? Duration(w, restoreTest.At("within")) : (TimeSpan?)null;
                string? flavor = obj.Property("flavor") is JProperty f ? Text(f, restoreTest.At("flavor")) : null;
                string? network = obj.Property("network") is JProperty n ? Text(n, restoreTest.At("network")) : null;
                TimeSpan? timeout = obj.Property("timeout") is JProperty t ? Duration(t, restoreTest.At("timeout")) : (TimeSpan?)null;
                return new RestoreTestPolicy(every, pick, within, flavor, network, timeout, restoreTest);
            }

            private static RestorePick Pick(JProperty property, ErrorSite site)
            {
                string text = Text(property, site);
                if (text == "newest") return RestorePick.Newest;
                if (text == "random") return RestorePick.Random;
                throw site.Error(PolicyException.ValueInvalid, string.Equals(text, "newest", StringComparison.OrdinalIgnoreCase) ||
                                                               string.Equals(text, "random", StringComparison.OrdinalIgnoreCase)
                    ? "'" + text + "' is written '" + text.ToLowerInvariant() + "' (values are case-sensitive)."
                    : "must be \"newest\" or \"random\", not '" + text + "'.");
            }

            private PolicyHooks Hooks(JProperty property, Sites hooks)
            {
                JObject obj = Object(property.Value, hooks.At(), "hooks must be an object, e.g. { \"before\": { \"command\": \"/usr/local/bin/freeze\" } }");
                Fields(obj, PolicyShape.Hooks, hooks);
                Engine.HookCommand? before = obj.Property("before") is JProperty b ? HookCommand(b, hooks.Child("before")) : null;
                Engine.HookCommand? after = obj.Property("after") is JProperty a ? HookCommand(a, hooks.Child("after")) : null;
                if (before == null && after == null)
                {
                    throw hooks.At().Error(PolicyException.ValueEmpty, "runs nothing; give before, after or both, or leave hooks out.");
                }
                TimeSpan? timeout = obj.Property("timeout") is JProperty t ? Duration(t, hooks.At("timeout")) : (TimeSpan?)null;
                Engine.HookFailureAction onFailure = obj.Property("onHookFailure") is JProperty f
                    ? OneOf(f, hooks.At("onHookFailure"), PolicyHooks.FailureActions, Engine.HookFailureAction.Skip)
                    : Engine.HookFailureAction.Skip;
                return new PolicyHooks(before, after, timeout, onFailure, hooks);
            }

            private Engine.HookCommand HookCommand(JProperty property, Sites command)
            {
                JObject obj = Object(property.Value, command.At(),
                    "a hook must be an object, e.g. { \"command\": \"/usr/bin/ssh\", \"arguments\": [\"db1\", \"sudo fsfreeze -f /data\"] }");
                Fields(obj, PolicyShape.HookCommand, command);
                string executable = Text(obj.Property("command")!, command.At("command"));
                if (executable.Trim().Length == 0) throw command.At("command").Error(PolicyException.ValueEmpty, "the command cannot be empty.");
                List<string> arguments = new List<string>();
                if (obj.Property("arguments") is JProperty args)
                {
                    if (!(args.Value is JArray list)) throw command.At("arguments").Error(PolicyException.FieldType, "must be a list of texts, e.g. [\"-f\", \"/data\"], not " + StrictJson.Describe(args.Value) + ".");
                    for (int i = 0; i < list.Count; i++)
                    {
                        if (!(list[i] is JValue item) || item.Type != JTokenType.String)
                        {
                            throw command.At("arguments", i).Error(PolicyException.FieldType, "must be a text, not " + StrictJson.Describe(list[i]) + ".");
                        }
                        arguments.Add((string)item.Value!);
                    }
                }
                return new Engine.HookCommand(executable, arguments);
            }

            private static Model.SnapshotConsistency Consistency(JProperty property, ErrorSite site) =>
                OneOf(property, site, new Dictionary<string, Model.SnapshotConsistency>(StringComparer.Ordinal)
                {
                    [Model.SnapshotConsistencies.Application] = Model.SnapshotConsistency.Application,
                    [Model.SnapshotConsistencies.Crash] = Model.SnapshotConsistency.Crash,
                }, Model.SnapshotConsistency.Crash);

            /// <summary>One of a few lower-case words; a word in another case is answered with its spelling.</summary>
            private static T OneOf<T>(JProperty property, ErrorSite site, IReadOnlyDictionary<string, T> values, T fallback)
            {
                string text = Text(property, site);
                if (values.TryGetValue(text, out T? value)) return value!;
                string? same = values.Keys.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
                throw site.Error(PolicyException.ValueInvalid, same != null
                    ? "'" + text + "' is written '" + same + "' (values are case-sensitive)."
                    : "must be " + string.Join(" or ", values.Keys.Select(n => "\"" + n + "\"")) + ", not '" + text + "'.");
            }

            private TargetSelector Targets(JProperty property, Sites targets)
            {
                JObject obj = Object(property.Value, targets.At(), "targets must be an object, e.g. { \"names\": [\"web*\"] }");
                Fields(obj, PolicyShape.Targets, targets);
                var regions = obj.Property("regions") is JProperty r ? Texts(r, targets, "regions") : new List<string>();
                bool allRegions = obj.Property("allRegions") is JProperty ar && Flag(ar, targets.At("allRegions"));
                bool all = obj.Property("all") is JProperty a && Flag(a, targets.At("all"));
                var names = obj.Property("names") is JProperty n ? Texts(n, targets, "names") : new List<string>();
                var ids = obj.Property("ids") is JProperty i ? Texts(i, targets, "ids") : new List<string>();
                var metadata = obj.Property("metadata") is JProperty m ? Map(m, targets, "metadata") : new List<KeyValuePair<string, string>>();
                ServerFilter exclude = obj.Property("exclude") is JProperty e ? Exclude(e, targets.Child("exclude")) : ServerFilter.None;
                return new TargetSelector(names, ids, metadata, all, regions, allRegions, exclude, targets);
            }

            private ServerFilter Exclude(JProperty property, Sites exclude)
            {
                JObject obj = Object(property.Value, exclude.At(), "exclude must be an object, e.g. { \"names\": [\"*-test\"] }");
                Fields(obj, PolicyShape.Exclude, exclude);
                if (obj.Count == 0)
                {
                    throw exclude.At().Error(PolicyException.ValueEmpty, "excludes nothing; give names, ids or metadata, or leave exclude out.");
                }

                var names = obj.Property("names") is JProperty n ? Texts(n, exclude, "names") : new List<string>();
                var ids = obj.Property("ids") is JProperty i ? Texts(i, exclude, "ids") : new List<string>();
                var metadata = obj.Property("metadata") is JProperty m ? Map(m, exclude, "metadata") : new List<KeyValuePair<string, string>>();
                return new ServerFilter(names, ids, metadata, exclude);
            }

            private void Retention(JProperty property, RetentionInput input, Sites policy)
            {
                if (property.Value is JValue value && value.Type == JTokenType.Integer)
                {
                    input.SetRetention(Integer(property, policy.At("retention")), "retention");
                    return;
                }

                JObject obj = Object(property.Value, policy.At("retention"),
                    "retention must be a whole number (retention N: keep the newest N+1) or an object with bucket rules, e.g. { \"keepDaily\": 7 }");
                Fields(obj, PolicyShape.Retention, policy.Child("retention"));
                foreach (JProperty field in obj.Properties())
                {
                    ErrorSite site = policy.At("retention", field.Name);
                    switch (field.Name)
                    {
                        case "retention":
                            input.SetRetention(Integer(field, site), "retention", "retention");
                            break;
                        case "keepWithin":
                            input.KeepWithin = Duration(field, site);
                            break;
                        case "timeZone":
                            input.TimeZone = Text(field, site);
                            break;
                        default:
                            input.SetCount(field.Name, Integer(field, site));
                            break;
                    }
                }
            }

            /// <summary>Unknown keys first (with a hint), then missing required ones.</summary>
            private static void Fields(JObject obj, PolicyShape shape, Sites at)
            {
                foreach (JProperty property in obj.Properties())
                {
                    if (shape.Fields.Contains(property.Name)) continue;
                    string? hint = shape.Hint(property.Name);
                    throw at.At(property.Name).Error(PolicyException.FieldUnknown,
                        "unknown field '" + property.Name + "'" + (hint == null ? "." : "; " + hint) +
                        " The fields of " + shape.Label + " are: " + string.Join(", ", shape.Fields) + ".");
                }

                foreach (string required in shape.Required)
                {
                    if (obj.Property(required) == null)
                    {
                        throw at.At(required).Error(PolicyException.FieldMissing,
                            "missing; " + shape.Label + " needs " + Enumerate(shape.Required.Select(r => "'" + r + "'").ToList()) + ".");
                    }
                }
            }

            private static string Enumerate(IReadOnlyList<string> items) =>
                items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[items.Count - 1];

            private static JObject Object(JToken node, ErrorSite site, string expectation) =>
                node as JObject ?? throw site.Error(PolicyException.FieldType, expectation + ", not " + StrictJson.Describe(node) + ".");

            private static JArray List(JProperty property, ErrorSite site, string what)
            {
                if (!(property.Value is JArray array)) throw site.Error(PolicyException.FieldType, "must be " + what + ", not " + StrictJson.Describe(property.Value) + ".");
                if (array.Count == 0) throw site.Error(PolicyException.ValueEmpty, "the list is empty; give at least one entry, or leave the field out.");
                return array;
            }

            private static List<string> Texts(JProperty property, Sites parent, string field)
            {
                JArray array = List(property, parent.At(field), "a list of texts, e.g. [\"a\", \"b\"]");
                var result = new List<string>();
                for (int i = 0; i < array.Count; i++)
                {
                    if (!(array[i] is JValue item) || item.Type != JTokenType.String)
                    {
                        throw parent.At(field, i).Error(PolicyException.FieldType, "must be a text, not " + StrictJson.Describe(array[i]) + ".");
                    }

                    result.Add((string)item.Value!);
                }

                return result;
            }

            private static List<KeyValuePair<string, string>> Map(JProperty property, Sites parent, string field)
            {
                JObject obj = Object(property.Value, parent.At(field), "must be an object of texts, e.g. { \"key\": \"value\" }");
                if (obj.Count == 0)
                {
                    throw parent.At(field).Error(PolicyException.ValueEmpty, "the object is empty; give at least one entry, or leave the field out.");
                }

                var result = new List<KeyValuePair<string, string>>();
                foreach (JProperty entry in obj.Properties())
                {
                    result.Add(new KeyValuePair<string, string>(entry.Name, Text(entry, parent.At(field, entry.Name))));
                }

                return result;
            }

            private static string Text(JProperty property, ErrorSite site)
            {
                if (property.Value is JValue value && value.Type == JTokenType.String) return (string)value.Value!;
                string quoted = property.Value is JValue scalar && scalar.Type != JTokenType.Null
                    ? " (write \"" + Convert.ToString(scalar.Value, CultureInfo.InvariantCulture)?.ToLowerInvariant() + "\" in quotes)"
                    : string.Empty;
                throw site.Error(PolicyException.FieldType, "must be a text, not " + StrictJson.Describe(property.Value) + quoted + ".");
            }

            private static long Integer(JProperty property, ErrorSite site)
            {
                if (property.Value is JValue value && value.Type == JTokenType.Integer)
                {
                    switch (value.Value)
                    {
                        case long number: return number;
                        case BigInteger big:
                            throw site.Error(PolicyException.ValueOutOfRange, big.ToString(CultureInfo.InvariantCulture) + " is far out of range.");
                        default: return Convert.ToInt64(value.Value, CultureInfo.InvariantCulture);
                    }
                }

                throw site.Error(PolicyException.FieldType, "must be a whole number, not " + StrictJson.Describe(property.Value) + ".");
            }

            private static bool Flag(JProperty property, ErrorSite site)
            {
                if (property.Value is JValue value && value.Type == JTokenType.Boolean) return (bool)value.Value!;
                throw site.Error(PolicyException.FieldType, "must be true or false (without quotes), not " + StrictJson.Describe(property.Value) + ".");
            }

            private static TimeSpan Duration(JProperty property, ErrorSite site)
            {
                if (!(property.Value is JValue value) || value.Type != JTokenType.String)
                {
                    throw site.Error(PolicyException.FieldType,
                        "must be a duration text such as \"20h\", \"6d\" or \"20:00:00\", not " + StrictJson.Describe(property.Value) + ".");
                }

                return PolicyDuration.Parse((string)value.Value!, site);
            }

            private static OrphanHandling Orphans(JProperty property, ErrorSite site)
            {
                string text = Text(property, site);
                string[] names = Enum.GetNames(typeof(OrphanHandling));
                if (names.Contains(text, StringComparer.Ordinal)) return (OrphanHandling)Enum.Parse(typeof(OrphanHandling), text);
                string? same = names.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
                throw site.Error(PolicyException.ValueInvalid, same != null
                    ? "'" + text + "' is written '" + same + "' (values are case-sensitive)."
                    : "must be " + string.Join(" or ", names.Select(n => "\"" + n + "\"")) + ", not '" + text + "'.");
            }
        }
    }
}
