using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Autosnap.Model;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Autosnap.Policy
{
    /// <summary>
    /// Turns a field path inside a policy ("targets", "names", 2) into an <see cref="ErrorSite"/>: with line and
    /// position for a file, as a rule of a server's metadata, or as a plain path for a policy built in code. The
    /// model's constructors validate through this, so one rule gives the same message in every format.
    /// </summary>
    internal sealed class Sites
    {
        private static readonly Regex Identifier = new Regex("^[A-Za-z_$][A-Za-z0-9_$]*$", RegexOptions.CultureInvariant);

        private readonly IReadOnlyList<object> prefix;
        private readonly Func<IReadOnlyList<object>, ErrorSite> make;

        private Sites(IReadOnlyList<object> prefix, Func<IReadOnlyList<object>, ErrorSite> make)
        {
            this.prefix = prefix;
            this.make = make;
        }

        /// <summary>Sites of a policy built in code: the message starts with the field path.</summary>
        public static Sites InCode() => new Sites(Array.Empty<object>(), path => ErrorSite.InCode(path.Count == 0 ? "policy" : FormatPath(path)));

        /// <summary>Sites of a parsed file: the message starts with the file, line, position and field path.</summary>
        public static Sites InFile(string source, JToken root) =>
            new Sites(Array.Empty<object>(), path =>
            {
                var node = (IJsonLineInfo)Locate(root, path);
                return ErrorSite.InFile(source, path.Count == 0 ? null : FormatPath(path), node.LineNumber, node.LinePosition);
            });

        /// <summary>
        /// Sites of one "autosnap:&lt;schedule&gt;" key of a server: every field maps to the rule that set it
        /// (<paramref name="ruleOf"/>: field path such as "timeout" or "retention.keepDaily" to rule text).
        /// </summary>
        public static Sites OnServer(RackspaceServer server, string key, IReadOnlyDictionary<string, string> ruleOf) =>
            new Sites(Array.Empty<object>(), path =>
            {
                // The most specific rule that covers the path: "retention.keepDaily", else "retention".
                for (int length = path.Count; length > 0; length--)
                {
                    if (ruleOf.TryGetValue(FormatPath(path.Take(length)), out string? rule)) return ErrorSite.OnServer(server, key, rule);
                }

                return ErrorSite.OnServer(server, key, null);
            });

        public Sites Child(params object[] segments) => new Sites(prefix.Concat(segments).ToArray(), make);

        public ErrorSite At(params object[] segments) => make(prefix.Concat(segments).ToArray());

        /// <summary>policies[1].retention.keepDaily; keys that are not identifiers in brackets: metadata["com.x"].</summary>
        public static string FormatPath(IEnumerable<object> segments)
        {
            var text = new StringBuilder();
            foreach (object segment in segments)
            {
                if (segment is int index)
                {
                    text.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                }
                else
                {
                    string key = (string)segment;
                    if (Identifier.IsMatch(key))
                    {
                        if (text.Length > 0) text.Append('.');
                        text.Append(key);
                    }
                    else
                    {
                        text.Append('[').Append(StrictJson.Quote(key)).Append(']');
                    }
                }
            }

            return text.ToString();
        }

        /// <summary>The node at the path, or the deepest one that exists on the way (a missing field: its object).</summary>
        private static JToken Locate(JToken root, IReadOnlyList<object> path)
        {
            JToken node = root;
            foreach (object segment in path)
            {
                JToken? next = null;
                if (segment is int index && node is JArray array && index >= 0 && index < array.Count)
                {
                    next = array[index];
                }
                else if (segment is string key && node is JObject obj)
                {
                    next = obj.Property(key)?.Value;
                }

                if (next == null) break;
                node = next;
            }

            return node;
        }
    }
}
