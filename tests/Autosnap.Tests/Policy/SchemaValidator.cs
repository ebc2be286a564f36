using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Autosnap.Tests.Policy
{
    /// <summary>
    /// The part of JSON Schema draft-07 that module/policy.schema.json uses, enough to check documents against it in
    /// tests. A keyword it does not know is an error, so the schema cannot grow a rule these tests silently skip.
    /// Patterns are read as ECMAScript, as editors read them.
    /// </summary>
    internal sealed class SchemaValidator
    {
        private static readonly HashSet<string> Annotations = new HashSet<string>
        {
            "$schema", "title", "description", "default", "examples", "$comment", "definitions",
        };

        private readonly JObject root;

        public SchemaValidator(JObject root) => this.root = root;

        public static SchemaValidator Load(string path) => new SchemaValidator((JObject)Read(File.ReadAllText(path)));

        /// <summary>JSON with comments, strings kept as strings (no dates), duplicate keys refused.</summary>
        public static JToken Read(string json)
        {
            using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
            return JToken.ReadFrom(reader, new JsonLoadSettings
            {
                CommentHandling = CommentHandling.Ignore,
                DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
            });
        }

        public JObject Root => root;

        /// <summary>The schema's errors for the document: empty when it is valid.</summary>
        public IReadOnlyList<string> Validate(JToken instance)
        {
            var errors = new List<string>();
            Check(root, instance, "$", errors);
            return errors;
        }

        public JObject Definition(string name) => (JObject)root["definitions"]![name]!;

        private void Check(JObject schema, JToken instance, string path, List<string> errors)
        {
            if (schema["$ref"] is JToken reference)
            {
                string[] siblings = schema.Properties().Select(p => p.Name).Where(n => n != "$ref" && !Annotations.Contains(n)).ToArray();
                if (siblings.Length > 0) throw new InvalidOperationException("draft-07 ignores keywords next to $ref: " + string.Join(", ", siblings));
                string target = (string)reference!;
                if (!target.StartsWith("#/definitions/", StringComparison.Ordinal)) throw new InvalidOperationException("Unsupported $ref " + target);
                Check(Definition(target.Substring("#/definitions/".Length)), instance, path, errors);
                return;
            }

            foreach (JProperty keyword in schema.Properties())
            {
                if (Annotations.Contains(keyword.Name)) continue;
                JToken value = keyword.Value;
                switch (keyword.Name)
                {
                    case "type":
                        string[] types = value.Type == JTokenType.Array ? value.Values<string>().Select(t => t!).ToArray() : new[] { (string)value! };
                        if (!types.Any(t => IsType(instance, t))) errors.Add(path + ": not " + string.Join("/", types));
                        break;
                    case "properties":
                        if (instance is JObject obj)
                        {
                            foreach (JProperty property in ((JObject)value).Properties())
                            {
                                if (obj[property.Name] is JToken member) Check((JObject)property.Value, member, path + "." + property.Name, errors);
                            }
                        }

                        break;
                    case "required":
                        if (instance is JObject withRequired)
                        {
                            foreach (string name in value.Values<string>().Select(n => n!))
                            {
                                if (withRequired[name] == null) errors.Add(path + ": missing " + name);
                            }
                        }

                        break;
                    case "additionalProperties":
                        if (instance is JObject withAdditional)
                        {
                            var declared = new HashSet<string>(((JObject?)schema["properties"])?.Properties().Select(p => p.Name) ?? Enumerable.Empty<string>());
                            foreach (JProperty property in withAdditional.Properties().Where(p => !declared.Contains(p.Name)))
                            {
                                if (value.Type == JTokenType.Boolean)
                                {
                                    if (!(bool)value) errors.Add(path + ": unknown " + property.Name);
                                }
                                else
                                {
                                    Check((JObject)value, property.Value, path + "." + property.Name, errors);
                                }
                            }
                        }

                        break;
                    case "minProperties":
                        if (instance is JObject counted && counted.Count < (int)value) errors.Add(path + ": too few properties");
                        break;
                    case "items":
                        if (instance is JArray array)
                        {
                            for (int i = 0; i < array.Count; i++) Check((JObject)value, array[i], path + "[" + i + "]", errors);
                        }

                        break;
                    case "minItems":
                        if (instance is JArray small && small.Count < (int)value) errors.Add(path + ": too few items");
                        break;
                    case "uniqueItems":
                        if ((bool)value && instance is JArray unique &&
                            unique.Select(item => item.ToString(Formatting.None)).Distinct().Count() != unique.Count)
                        {
                            errors.Add(path + ": repeated items");
                        }

                        break;
                    case "enum":
                        if (!value.Any(option => JToken.DeepEquals(option, instance))) errors.Add(path + ": not one of " + value.ToString(Formatting.None));
                        break;
                    case "const":
                        if (!JToken.DeepEquals(value, instance)) errors.Add(path + ": not " + value.ToString(Formatting.None));
                        break;
                    case "minimum":
                        if (IsNumber(instance) && Number(instance) < (decimal)value) errors.Add(path + ": below " + value);
                        break;
                    case "maximum":
                        if (IsNumber(instance) && Number(instance) > (decimal)value) errors.Add(path + ": above " + value);
                        break;
                    case "minLength":
                        if (instance.Type == JTokenType.String && ((string)instance!).Length < (int)value) errors.Add(path + ": too short");
                        break;
                    case "maxLength":
                        if (instance.Type == JTokenType.String && ((string)instance!).Length > (int)value) errors.Add(path + ": too long");
                        break;
                    case "pattern":
                        if (instance.Type == JTokenType.String && !Regex.IsMatch((string)instance!, (string)value!, RegexOptions.ECMAScript))
                        {
                            errors.Add(path + ": does not match " + value);
                        }

                        break;
                    case "anyOf":
                        if (!value.Any(option => Passes((JObject)option, instance, path))) errors.Add(path + ": matches none of anyOf");
                        break;
                    case "oneOf":
                        int passing = value.Count(option => Passes((JObject)option, instance, path));
                        if (passing != 1) errors.Add(path + ": matches " + passing + " of oneOf");
                        break;
                    case "allOf":
                        foreach (JToken option in value) Check((JObject)option, instance, path, errors);
                        break;
                    case "not":
                        if (Passes((JObject)value, instance, path)) errors.Add(path + ": matches a forbidden shape");
                        break;
                    default:
                        throw new InvalidOperationException("SchemaValidator does not know the keyword '" + keyword.Name + "'.");
                }
            }
        }

        private bool Passes(JObject schema, JToken instance, string path)
        {
            var errors = new List<string>();
            Check(schema, instance, path, errors);
            return errors.Count == 0;
        }

        /// <summary>The number, with integers beyond decimal's range as its largest or smallest value.</summary>
        private static decimal Number(JToken token)
        {
            string text = token.ToString(Formatting.None);
            if (decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out decimal value)) return value;
            return text.StartsWith("-", StringComparison.Ordinal) ? decimal.MinValue : decimal.MaxValue;
        }

        private static bool IsNumber(JToken token) => token.Type == JTokenType.Integer || token.Type == JTokenType.Float;

        private static bool IsType(JToken token, string type)
        {
            switch (type)
            {
                case "object": return token.Type == JTokenType.Object;
                case "array": return token.Type == JTokenType.Array;
                case "string": return token.Type == JTokenType.String;
                case "integer": return token.Type == JTokenType.Integer;
                case "number": return IsNumber(token);
                case "boolean": return token.Type == JTokenType.Boolean;
                case "null": return token.Type == JTokenType.Null;
                default: throw new InvalidOperationException("Unknown type " + type);
            }
        }
    }
}
