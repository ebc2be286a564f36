using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Autosnap.Cloud
{
    /// <summary>
    /// Small readers for answers we do not control. A missing or mistyped field is a FormatException naming the
    /// field, which the HTTP layer reports as an answer that cannot be understood (and never as a crash).
    /// </summary>
    internal static class JsonFields
    {
        public static JObject Object(JToken? parent, string field) =>
            parent?[field] as JObject ?? throw new FormatException($"'{field}' is missing or not an object");

        public static JArray Array(JToken? parent, string field) =>
            parent?[field] as JArray ?? throw new FormatException($"'{field}' is missing or not a list");

        public static string String(JToken parent, string field) =>
            OptionalString(parent, field) is string value && value.Length > 0 ? value : throw new FormatException($"'{field}' is missing");

        public static string? OptionalString(JToken parent, string field)
        {
            JToken? token = parent[field];
            switch (token?.Type)
            {
                case null:
                case JTokenType.Null:
                case JTokenType.Undefined:
                    return null;
                case JTokenType.String:
                case JTokenType.Integer:
                case JTokenType.Float:
                case JTokenType.Boolean:
                case JTokenType.Guid:
                case JTokenType.Uri:
                    return token.ToString();
                default:
                    throw new FormatException($"'{field}' is not a simple value");
            }
        }

        public static long? OptionalLong(JToken parent, string field)
        {
            string? text = OptionalString(parent, field);
            if (text == null) return null;
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
                ? value : throw new FormatException($"'{field}' is not a whole number");
        }

        public static DateTimeOffset Date(JToken parent, string field) =>
            OptionalDate(parent, field) ?? throw new FormatException($"'{field}' is missing");

        public static DateTimeOffset? OptionalDate(JToken parent, string field)
        {
            JToken? token = parent[field];
            if (token == null || token.Type == JTokenType.Null) return null;
            string text = token.ToString();
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset value)
                ? value.ToUniversalTime() : throw new FormatException($"'{field}' is not a date: '{CloudHttp.Shorten(text)}'");
        }

        public static Uri Url(string text, string field) =>
            Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? uri : throw new FormatException($"'{field}' is not an http(s) URL");

        /// <summary>Every simple (string, number, bool) member of an object, as strings.</summary>
        public static Dictionary<string, string> SimpleMembers(JObject? obj, ISet<string>? except = null)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (obj == null) return result;
            foreach (JProperty property in obj.Properties())
            {
                if (except != null && except.Contains(property.Name)) continue;
                switch (property.Value.Type)
                {
                    case JTokenType.String:
                    case JTokenType.Integer:
                    case JTokenType.Float:
                    case JTokenType.Boolean:
                        result[property.Name] = property.Value.ToString();
                        break;
                }
            }
            return result;
        }

        /// <summary>
        /// Parses an answer body, refusing anything that is not one complete JSON object. Dates stay strings
        /// (DateParseHandling.None): metadata values must come back exactly as they were written.
        /// </summary>
        public static JObject Parse(string body)
        {
            using var reader = new JsonTextReader(new StringReader(body)) { DateParseHandling = DateParseHandling.None };
            JToken token = JToken.ReadFrom(reader);
            bool more;
            try
            {
                more = reader.Read();
            }
            catch (JsonReaderException)
            {
                more = true;
            }
            if (more)
            {
                throw new FormatException("the answer has text after its JSON document");
            }
            return token as JObject ?? throw new FormatException("the answer is not a JSON object");
        }
    }
}
