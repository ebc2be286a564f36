using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Autosnap.Policy
{
    /// <summary>
    /// Reads JSON with comments (// and /* */) into Newtonsoft's <see cref="JToken"/>s (with line information), and
    /// nothing else. Newtonsoft loads the structure and refuses duplicate keys (<see cref="JsonLoadSettings"/>); what it
    /// accepts by design and JSON does not (single quotes, unquoted names, trailing commas, NaN, Infinity, undefined,
    /// hex and octal numbers, "010" being 8 to it, constructors, raw control characters in strings) a lexical pass
    /// refuses first, with the place and a plain-words reason.
    /// </summary>
    internal static class StrictJson
    {
        private const int MaxDepth = 32;
        private static readonly Regex NewtonsoftLocation = new Regex(@"\s*Path '.*', line \d+, position \d+\.$", RegexOptions.Singleline);

        // Newtonsoft's words when the text ends inside an object or a list: "Error reading JObject from JsonReader"
        // right after the opening bracket, "Unexpected end of content while loading JObject" later (it names the
        // outermost container, so the lexical pass says which bracket is still open).
        private static readonly Regex EndedInside = new Regex(@"^(Error reading|Unexpected end of content while loading) J(Object|Array|Property)\b");
        private static readonly Regex Duplicate = new Regex(@"^Property with the name '.*' already exists in the current JSON object\.", RegexOptions.Singleline);

        private static readonly JsonLoadSettings LoadSettings = new JsonLoadSettings
        {
            DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
            LineInfoHandling = LineInfoHandling.Load,
            CommentHandling = CommentHandling.Ignore,
        };

        public static JToken Read(string text, string source, Func<IReadOnlyList<object>, string> pathOf)
        {
            if (text.Length > 0 && text[0] == '\uFEFF') text = text.Substring(1);
            char? innermostClosing = CheckLexically(text, source, out bool anyToken);
            if (!anyToken)
            {
                throw NotJson(source, 1, 0, "there is nothing in it but comments or spaces");
            }

            JToken root;
            try
            {
                using (var reader = new JsonTextReader(new StringReader(text))
                {
                    DateParseHandling = DateParseHandling.None,
                    FloatParseHandling = FloatParseHandling.Double,
                    MaxDepth = MaxDepth,
                })
                {
                    root = JToken.Load(reader, LoadSettings);
                    // As JToken.Parse does: the reader refuses anything but comments after the document.
                    while (reader.Read())
                    {
                    }
                }
            }
            catch (JsonReaderException e) when (Duplicate.IsMatch(e.Message))
            {
                IReadOnlyList<object> path = SegmentsOf(e.Path ?? string.Empty);
                string name = path.Count > 0 ? path[path.Count - 1] as string ?? string.Empty : string.Empty;
                throw ErrorSite.InFile(source, pathOf(path), e.LineNumber, e.LinePosition).Error(
                    PolicyException.FieldDuplicate, "'" + name + "' is given twice in this object; give each field once.", e);
            }
            catch (JsonReaderException e) when (EndedInside.IsMatch(e.Message) && innermostClosing.HasValue)
            {
                throw NotJson(source, e.LineNumber, e.LinePosition, "the text ends before the closing '" + innermostClosing.Value + "'", e);
            }
            catch (JsonReaderException e)
            {
                string detail = NewtonsoftLocation.Replace(e.Message, string.Empty).TrimEnd('.');
                throw NotJson(source, e.LineNumber, e.LinePosition, detail, e);
            }

            foreach (JToken token in root is JContainer container ? container.DescendantsAndSelf() : new[] { root })
            {
                var info = (IJsonLineInfo)token;
                if (token.Type == JTokenType.Undefined)
                {
                    // An empty element ("[1,,2]"); the lexical pass refuses the word undefined itself.
                    throw NotJson(source, info.LineNumber, info.LinePosition, "a value is missing (two commas in a row, or a comma first)");
                }

                if (token is JValue { Value: double number } && (double.IsInfinity(number) || double.IsNaN(number)))
                {
                    throw NotJson(source, info.LineNumber, info.LinePosition, "the number is too large");
                }
            }

            return root;
        }

        /// <summary>"a string", "a whole number", "a list"...: how messages name the type of a value.</summary>
        public static string Describe(JToken token)
        {
            switch (token.Type)
            {
                case JTokenType.Object: return "an object";
                case JTokenType.Array: return "a list";
                case JTokenType.String: return "a string";
                case JTokenType.Integer: return "a whole number";
                case JTokenType.Float: return "a number with a fraction";
                case JTokenType.Boolean: return "true or false";
                case JTokenType.Null: return "null";
                default: return token.Type.ToString();
            }
        }

        /// <summary>
        /// The segments of a path as Newtonsoft writes it (policies[0].name, metadata['com.x']): names, and indexes
        /// as ints. Names with characters that need it are in brackets and single quotes, escaped as in JavaScript.
        /// </summary>
        private static IReadOnlyList<object> SegmentsOf(string path)
        {
            var segments = new List<object>();
            int i = 0;
            while (i < path.Length)
            {
                if (path[i] == '.')
                {
                    i++;
                }
                else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
                {
                    int end = i + 2;
                    while (end < path.Length && path[end] != '\'') end += path[end] == '\\' ? 2 : 1;
                    segments.Add(JToken.Parse(path.Substring(i + 1, end - i)).Value<string>()!);
                    i = end + 2;
                }
                else if (path[i] == '[')
                {
                    int end = path.IndexOf(']', i);
                    segments.Add(int.Parse(path.Substring(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture));
                    i = end + 1;
                }
                else
                {
                    int end = i;
                    while (end < path.Length && path[end] != '.' && path[end] != '[') end++;
                    segments.Add(path.Substring(i, end - i));
                    i = end;
                }
            }

            return segments;
        }

        /// <summary>
        /// Everything that is not JSON plus comments, found by a single left-to-right pass over the tokens. Answers
        /// the closing bracket of the innermost object or list still open at the end of the text (null when none is).
        /// </summary>
        private static char? CheckLexically(string text, string source, out bool anyToken)
        {
            var cursor = new Cursor(text);
            var open = new Stack<char>();
            int lastComma = -1, lastCommaLine = 0, lastCommaColumn = 0;
            anyToken = false;
            while (cursor.SkipSpaceAndComments(source))
            {
                anyToken = true;
                char c = cursor.Current;
                if (c == '{') open.Push('}');
                else if (c == '[') open.Push(']');
                else if ((c == '}' || c == ']') && open.Count > 0) open.Pop();
                int line = cursor.Line, column = cursor.Column;
                if (c == ',')
                {
                    lastComma = cursor.Index;
                    lastCommaLine = line;
                    lastCommaColumn = column;
                    cursor.Advance();
                    continue;
                }

                if ((c == '}' || c == ']') && lastComma >= 0)
                {
                    throw NotJson(source, lastCommaLine, lastCommaColumn,
                        "a comma before '" + c + "' (trailing commas are not JSON; remove it)");
                }

                lastComma = -1;
                if (c == '{' || c == '}' || c == '[' || c == ']' || c == ':')
                {
                    cursor.Advance();
                }
                else if (c == '"')
                {
                    cursor.SkipString(source);
                }
                else if (c == '-' || (c >= '0' && c <= '9'))
                {
                    cursor.SkipNumber(source);
                }
                else if (char.IsLetter(c))
                {
                    string word = cursor.Word();
                    if (word != "true" && word != "false" && word != "null")
                    {
                        throw NotJson(source, line, column,
                            "'" + word + "' is not a JSON value; text must be in double quotes, names of fields too");
                    }
                }
                else if (c == '\'')
                {
                    throw NotJson(source, line, column, "single quotes are not JSON; use double quotes");
                }
                else
                {
                    throw NotJson(source, line, column, "unexpected character '" + c + "'");
                }
            }

            return open.Count > 0 ? open.Peek() : (char?)null;
        }

        private static PolicyException NotJson(string source, int line, int position, string detail, Exception? inner = null) =>
            ErrorSite.InFile(source, null, line, position).Error(PolicyException.FileNotJson, "not valid JSON: " + detail + ".", inner);

        /// <summary>A position in the text, counting lines as Newtonsoft does (\n, \r\n and a lone \r each end one).</summary>
        private sealed class Cursor
        {
            private readonly string text;
            private int lineStart;

            public Cursor(string text)
            {
                this.text = text;
                Line = 1;
            }

            public int Index { get; private set; }
            public int Line { get; private set; }

            /// <summary>1-based column of the current character.</summary>
            public int Column => Index - lineStart + 1;

            public char Current => text[Index];

            public void Advance()
            {
                char c = text[Index++];
                if (c == '\n' || (c == '\r' && (Index >= text.Length || text[Index] != '\n')))
                {
                    Line++;
                    lineStart = Index;
                }
            }

            /// <summary>Skips whitespace and comments; false at the end of the text.</summary>
            public bool SkipSpaceAndComments(string source)
            {
                while (Index < text.Length)
                {
                    char c = text[Index];
                    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                    {
                        Advance();
                    }
                    else if (c == '/' && Index + 1 < text.Length && text[Index + 1] == '/')
                    {
                        while (Index < text.Length && text[Index] != '\n' && text[Index] != '\r') Advance();
                    }
                    else if (c == '/' && Index + 1 < text.Length && text[Index + 1] == '*')
                    {
                        int line = Line, column = Column;
                        Advance();
                        Advance();
                        while (true)
                        {
                            if (Index + 1 >= text.Length)
                            {
                                throw NotJson(source, line, column, "a comment that starts with /* never ends with */");
                            }

                            if (text[Index] == '*' && text[Index + 1] == '/')
                            {
                                Advance();
                                Advance();
                                break;
                            }

                            Advance();
                        }
                    }
                    else if (c == '/')
                    {
                        throw NotJson(source, Line, Column, "a comment starts with // or /*");
                    }
                    else
                    {
                        return true;
                    }
                }

                return false;
            }

            public void SkipString(string source)
            {
                int line = Line, column = Column;
                Advance();
                while (true)
                {
                    if (Index >= text.Length) throw NotJson(source, line, column, "a string that never ends");
                    char c = text[Index];
                    if (c == '"')
                    {
                        Advance();
                        return;
                    }

                    if (c < ' ')
                    {
                        throw NotJson(source, Line, Column, "a line break or control character inside a string (write it as \\n, \\t or \\u00XX)");
                    }

                    if (c == '\\')
                    {
                        Advance();
                        if (Index >= text.Length) throw NotJson(source, line, column, "a string that never ends");
                        char escape = text[Index];
                        if (escape == 'u')
                        {
                            for (int i = 1; i <= 4; i++)
                            {
                                if (Index + i >= text.Length || !IsHex(text[Index + i]))
                                {
                                    throw NotJson(source, Line, Column - 1, "\\u must be followed by four hexadecimal digits");
                                }
                            }
                        }
                        else if ("\"\\/bfnrt".IndexOf(escape) < 0)
                        {
                            throw NotJson(source, Line, Column - 1, "'\\" + escape + "' is not a JSON escape (use \\\\ for a backslash)");
                        }
                    }

                    Advance();
                }
            }

            public void SkipNumber(string source)
            {
                int line = Line, column = Column, start = Index;
                if (Current == '-') Advance();
                if (Index >= text.Length || !IsDigit(text[Index])) throw BadNumber(source, line, column, start);
                if (text[Index] == '0')
                {
                    Advance();
                    if (Index < text.Length && IsDigit(text[Index]))
                    {
                        int end = Index;
                        while (end < text.Length && IsDigit(text[end])) end++;
                        string number = text.Substring(start, end - start);
                        throw NotJson(source, line, column, "'" + number + "' is not a JSON number: a leading 0 makes it octal to some readers; write " +
                                                            (number.StartsWith("-", StringComparison.Ordinal) ? "-" : string.Empty) +
                                                            number.TrimStart('-').TrimStart('0').PadLeft(1, '0'));
                    }
                }
                else
                {
                    while (Index < text.Length && IsDigit(text[Index])) Advance();
                }

                if (Index < text.Length && text[Index] == '.')
                {
                    Advance();
                    if (Index >= text.Length || !IsDigit(text[Index])) throw BadNumber(source, line, column, start);
                    while (Index < text.Length && IsDigit(text[Index])) Advance();
                }

                if (Index < text.Length && (text[Index] == 'e' || text[Index] == 'E'))
                {
                    Advance();
                    if (Index < text.Length && (text[Index] == '+' || text[Index] == '-')) Advance();
                    if (Index >= text.Length || !IsDigit(text[Index])) throw BadNumber(source, line, column, start);
                    while (Index < text.Length && IsDigit(text[Index])) Advance();
                }

                if (Index < text.Length && (char.IsLetterOrDigit(text[Index]) || text[Index] == '.' || text[Index] == '_'))
                {
                    throw BadNumber(source, line, column, start);
                }
            }

            public string Word()
            {
                int start = Index;
                while (Index < text.Length && (char.IsLetterOrDigit(text[Index]) || text[Index] == '_' || text[Index] == '$')) Advance();
                return text.Substring(start, Index - start);
            }

            private PolicyException BadNumber(string source, int line, int column, int start)
            {
                int end = start + 1;
                while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '.' || text[end] == '-' || text[end] == '+')) end++;
                return NotJson(source, line, column, "'" + text.Substring(start, end - start) + "' is not a JSON number");
            }

            private static bool IsDigit(char c) => c >= '0' && c <= '9';

            private static bool IsHex(char c) => IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }

        internal static string Quote(string text) => JsonConvert.ToString(text);

        internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
