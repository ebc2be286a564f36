using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Security;
using System.Text;
using Autosnap.Rotation;
using Newtonsoft.Json;

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
            JsonNode root = StrictJson.Read(json, source, Sites.FormatPath);
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
            private readonly JsonNode root;
            private readonly Sites sites;

            public Reader(string source, JsonNode root)
            {
                this.source = source;
                this.root = root;
                sites = Sites.InFile(source, root);
            }

            public PolicyDocument Document()
            {
                if (!(root is JsonObjectNode document))
                {
                    throw sites.At().Error(PolicyException.FieldType,
                        "the document must be an object, { \"policies\": [ ... ] }, not " + root.Describe() + ".");
                }

                Fields(document, PolicyShape.Document, sites);
                if (document.Find("$schema") is JsonMember schema) Text(schema, sites.At("$schema"));
                long? throttleLimit = document.Find("throttleLimit") is JsonMember throttle ? Integer(throttle, sites.At("throttleLimit")) : (long?)null;

                JsonArrayNode list = List(document.Find("policies")!, sites.At("policies"), "a list of policies");
                var policies = new List<SnapshotPolicy>();
                for (int i = 0; i < list.Items.Count; i++)
                {
                    policies.Add(Policy(list.Items[i], i));
                }

                return new PolicyDocument(policies, throttleLimit, sites);
            }

            private SnapshotPolicy Policy(JsonNode node, int index)
            {
                Sites policy = sites.Child("policies", index);
                JsonObjectNode obj = Object(node, policy.At(), "each policy must be an object");
                Fields(obj, PolicyShape.Policy, policy);

                // The schedule first: every later message is easier to read once it is known to be right.
                string schedule = SnapshotPolicy.CheckSchedule(Text(obj.Find("schedule")!, policy.At("schedule")), policy.At("schedule"));
                string? name = obj.Find("name") is JsonMember n ? Text(n, policy.At("name")) : null;
                TargetSelector targets = Targets(obj.Find("targets")!, policy.Child("targets"));
                var retention = new RetentionInput(field => field);
                Retention(obj.Find("retention")!, retention, policy);
                TimeSpan? minInterval = obj.Find("minInterval") is JsonMember interval ? Duration(interval, policy.At("minInterval")) : (TimeSpan?)null;
                retention.KeepFailed = obj.Find("keepFailed") is JsonMember keepFailed && Flag(keepFailed, policy.At("keepFailed"));
                TimeSpan? timeout = obj.Find("timeout") is JsonMember t ? Duration(t, policy.At("timeout")) : (TimeSpan?)null;
                bool adoptLegacy = obj.Find("adoptLegacy") is JsonMember adopt && Flag(adopt, policy.At("adoptLegacy"));
                OrphanHandling onServerDeleted = obj.Find("onServerDeleted") is JsonMember orphans
                    ? Orphans(orphans, policy.At("onServerDeleted"))
                    : OrphanHandling.Keep;
                var metadata = obj.Find("metadata") is JsonMember m ? Map(m, policy, "metadata") : new List<KeyValuePair<string, string>>();
                string? nameTemplate = obj.Find("nameTemplate") is JsonMember template ? Text(template, policy.At("nameTemplate")) : null;

                RetentionPolicy built = retention.Build(policy);
                string origin = source + ", policies[" + index.ToString(CultureInfo.InvariantCulture) + "]";
                return new SnapshotPolicy(schedule, targets, built, name, minInterval, timeout, adoptLegacy, onServerDeleted, metadata, nameTemplate,
                                          policy, origin)
                {
                    IncludeVolumes = obj.Find("includeVolumes") is JsonMember volumes && Flag(volumes, policy.At("includeVolumes")),
                    ReclaimLeftovers = obj.Find("reclaimLeftovers") is JsonMember reclaim && Flag(reclaim, policy.At("reclaimLeftovers")),
                };
            }

            private TargetSelector Targets(JsonMember property, Sites targets)
            {
                JsonObjectNode obj = Object(property.Value, targets.At(), "targets must be an object, e.g. { \"names\": [\"web*\"] }");
                Fields(obj, PolicyShape.Targets, targets);
                var regions = obj.Find("regions") is JsonMember r ? Texts(r, targets, "regions") : new List<string>();
                bool allRegions = obj.Find("allRegions") is JsonMember ar && Flag(ar, targets.At("allRegions"));
                bool all = obj.Find("all") is JsonMember a && Flag(a, targets.At("all"));
                var names = obj.Find("names") is JsonMember n ? Texts(n, targets, "names") : new List<string>();
                var ids = obj.Find("ids") is JsonMember i ? Texts(i, targets, "ids") : new List<string>();
                var metadata = obj.Find("metadata") is JsonMember m ? Map(m, targets, "metadata") : new List<KeyValuePair<string, string>>();
                ServerFilter exclude = obj.Find("exclude") is JsonMember e ? Exclude(e, targets.Child("exclude")) : ServerFilter.None;
                return new TargetSelector(names, ids, metadata, all, regions, allRegions, exclude, targets);
            }

            private ServerFilter Exclude(JsonMember property, Sites exclude)
            {
                JsonObjectNode obj = Object(property.Value, exclude.At(), "exclude must be an object, e.g. { \"names\": [\"*-test\"] }");
                Fields(obj, PolicyShape.Exclude, exclude);
                if (obj.Properties.Count == 0)
                {
                    throw exclude.At().Error(PolicyException.ValueEmpty, "excludes nothing; give names, ids or metadata, or leave exclude out.");
                }

                var names = obj.Find("names") is JsonMember n ? Texts(n, exclude, "names") : new List<string>();
                var ids = obj.Find("ids") is JsonMember i ? Texts(i, exclude, "ids") : new List<string>();
                var metadata = obj.Find("metadata") is JsonMember m ? Map(m, exclude, "metadata") : new List<KeyValuePair<string, string>>();
                return new ServerFilter(names, ids, metadata, exclude);
            }

            private void Retention(JsonMember property, RetentionInput input, Sites policy)
            {
                if (property.Value is JsonValueNode value && value.Token == JsonToken.Integer)
                {
                    input.SetRetention(Integer(property, policy.At("retention")), "retention");
                    return;
                }

                JsonObjectNode obj = Object(property.Value, policy.At("retention"),
                    "retention must be a whole number (retention N: keep the newest N+1) or an object with bucket rules, e.g. { \"keepDaily\": 7 }");
                Fields(obj, PolicyShape.Retention, policy.Child("retention"));
                foreach (JsonMember field in obj.Properties)
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
            private static void Fields(JsonObjectNode obj, PolicyShape shape, Sites at)
            {
                foreach (JsonMember property in obj.Properties)
                {
                    if (shape.Fields.Contains(property.Name)) continue;
                    string? hint = shape.Hint(property.Name);
                    throw at.At(property.Name).Error(PolicyException.FieldUnknown,
                        "unknown field '" + property.Name + "'" + (hint == null ? "." : "; " + hint) +
                        " The fields of " + shape.Label + " are: " + string.Join(", ", shape.Fields) + ".");
                }

                foreach (string required in shape.Required)
                {
                    if (obj.Find(required) == null)
                    {
                        throw at.At(required).Error(PolicyException.FieldMissing,
                            "missing; " + shape.Label + " needs " + Enumerate(shape.Required.Select(r => "'" + r + "'").ToList()) + ".");
                    }
                }
            }

            private static string Enumerate(IReadOnlyList<string> items) =>
                items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[items.Count - 1];

            private static JsonObjectNode Object(JsonNode node, ErrorSite site, string expectation) =>
                node as JsonObjectNode ?? throw site.Error(PolicyException.FieldType, expectation + ", not " + node.Describe() + ".");

            private static JsonArrayNode List(JsonMember property, ErrorSite site, string what)
            {
                if (!(property.Value is JsonArrayNode array)) throw site.Error(PolicyException.FieldType, "must be " + what + ", not " + property.Value.Describe() + ".");
                if (array.Items.Count == 0) throw site.Error(PolicyException.ValueEmpty, "the list is empty; give at least one entry, or leave the field out.");
                return array;
            }

            private static List<string> Texts(JsonMember property, Sites parent, string field)
            {
                JsonArrayNode array = List(property, parent.At(field), "a list of texts, e.g. [\"a\", \"b\"]");
                var result = new List<string>();
                for (int i = 0; i < array.Items.Count; i++)
                {
                    if (!(array.Items[i] is JsonValueNode item) || item.Token != JsonToken.String)
                    {
                        throw parent.At(field, i).Error(PolicyException.FieldType, "must be a text, not " + array.Items[i].Describe() + ".");
                    }

                    result.Add((string)item.Value!);
                }

                return result;
            }

            private static List<KeyValuePair<string, string>> Map(JsonMember property, Sites parent, string field)
            {
                JsonObjectNode obj = Object(property.Value, parent.At(field), "must be an object of texts, e.g. { \"key\": \"value\" }");
                if (obj.Properties.Count == 0)
                {
                    throw parent.At(field).Error(PolicyException.ValueEmpty, "the object is empty; give at least one entry, or leave the field out.");
                }

                var result = new List<KeyValuePair<string, string>>();
                foreach (JsonMember entry in obj.Properties)
                {
                    result.Add(new KeyValuePair<string, string>(entry.Name, Text(entry, parent.At(field, entry.Name))));
                }

                return result;
            }

            private static string Text(JsonMember property, ErrorSite site)
            {
                if (property.Value is JsonValueNode value && value.Token == JsonToken.String) return (string)value.Value!;
                string quoted = property.Value is JsonValueNode scalar && scalar.Token != JsonToken.Null
                    ? " (write \"" + Convert.ToString(scalar.Value, CultureInfo.InvariantCulture)?.ToLowerInvariant() + "\" in quotes)"
                    : string.Empty;
                throw site.Error(PolicyException.FieldType, "must be a text, not " + property.Value.Describe() + quoted + ".");
            }

            private static long Integer(JsonMember property, ErrorSite site)
            {
                if (property.Value is JsonValueNode value && value.Token == JsonToken.Integer)
                {
                    switch (value.Value)
                    {
                        case long number: return number;
                        case BigInteger big:
                            throw site.Error(PolicyException.ValueOutOfRange, big.ToString(CultureInfo.InvariantCulture) + " is far out of range.");
                        default: return Convert.ToInt64(value.Value, CultureInfo.InvariantCulture);
                    }
                }

                throw site.Error(PolicyException.FieldType, "must be a whole number, not " + property.Value.Describe() + ".");
            }

            private static bool Flag(JsonMember property, ErrorSite site)
            {
                if (property.Value is JsonValueNode value && value.Token == JsonToken.Boolean) return (bool)value.Value!;
                throw site.Error(PolicyException.FieldType, "must be true or false (without quotes), not " + property.Value.Describe() + ".");
            }

            private static TimeSpan Duration(JsonMember property, ErrorSite site)
            {
                if (!(property.Value is JsonValueNode value) || value.Token != JsonToken.String)
                {
                    throw site.Error(PolicyException.FieldType,
                        "must be a duration text such as \"20h\", \"6d\" or \"20:00:00\", not " + property.Value.Describe() + ".");
                }

                return PolicyDuration.Parse((string)value.Value!, site);
            }

            private static OrphanHandling Orphans(JsonMember property, ErrorSite site)
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
