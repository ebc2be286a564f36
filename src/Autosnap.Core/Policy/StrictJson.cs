using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using Newtonsoft.Json;

namespace Autosnap.Policy
{
    /// <summary>A JSON value with the place it ends in the text (Newtonsoft's line and position).</summary>
    internal abstract class JsonNode
    {
        protected JsonNode(int line, int position)
        {
            Line = line;
            Position = position;
        }

        public int Line { get; }
        public int Position { get; }

        /// <summary>"a string", "a whole number", "a list"...: how messages name the type.</summary>
        public abstract string Describe();
    }

    internal sealed class JsonMember
    {
        public JsonMember(string name, int line, int position, JsonNode value)
        {
            Name = name;
            Line = line;
            Position = position;
            Value = value;
        }

        public string Name { get; }
        public int Line { get; }
        public int Position { get; }
        public JsonNode Value { get; }
    }

    internal sealed class JsonObjectNode : JsonNode
    {
        public JsonObjectNode(int line, int position, IReadOnlyList<JsonMember> properties) : base(line, position) => Properties = properties;

        public IReadOnlyList<JsonMember> Properties { get; }

        public JsonMember? Find(string name)
        {
            foreach (JsonMember property in Properties)
            {
                if (property.Name == name) return property;
            }

            return null;
        }

        public override string Describe() => "an object";
    }

    internal sealed class JsonArrayNode : JsonNode
    {
        public JsonArrayNode(int line, int position, IReadOnlyList<JsonNode> items) : base(line, position) => Items = items;

        public IReadOnlyList<JsonNode> Items { get; }

        public override string Describe() => "a list";
    }

    internal sealed class JsonValueNode : JsonNode
    {
        public JsonValueNode(int line, int position, JsonToken token, object? value) : base(line, position)
        {
            Token = token;
            Value = value;
        }

        public JsonToken Token { get; }
        public object? Value { get; }

        public override string Describe()
        {
            switch (Token)
            {
                case JsonToken.String: return "a string";
                case JsonToken.Integer: return "a whole number";
                case JsonToken.Float: return "a number with a fraction";
                case JsonToken.Boolean: return "true or false";
                case JsonToken.Null: return "null";
                default: return Token.ToString();
            }
        }
    }

    /// <summary>
    /// Reads JSON with comments (// and /* */) into <see cref="JsonNode"/>s, and nothing else: Newtonsoft also accepts
    /// single quotes, unquoted names, trailing and doubled commas, NaN, Infinity, undefined, hex and octal numbers
    /// ("010" is 8 to it), constructors and raw control characters in strings. A lexical pass refuses those first,
    /// then Newtonsoft parses the structure (with dates left as text), and duplicate keys are refused here.
    /// </summary>
    internal static class StrictJson
    {
        private const int MaxDepth = 32;
        private static readonly Regex NewtonsoftLocation = new Regex(@"\s*Path '.*', line \d+, position \d+\.$", RegexOptions.Singleline);

        public static JsonNode Read(string text, string source, Func<IReadOnlyList<object>, string> pathOf)
        {
            if (text.Length > 0 && text[0] == '\uFEFF') text = text.Substring(1);
            CheckLexically(text, source);
            try
            {
                using (var reader = new JsonTextReader(new StringReader(text))
                {
                    DateParseHandling = DateParseHandling.None,
                    FloatParseHandling = FloatParseHandling.Double,
                    MaxDepth = MaxDepth,
                })
                {
                    if (!ReadSignificant(reader))
                    {
                        throw NotJson(source, 1, 0, "there is nothing in it but comments or spaces");
                    }

                    JsonNode root = ReadValue(reader, new List<object>(), source, pathOf);
                    if (ReadSignificant(reader))
                    {
                        throw NotJson(source, reader.LineNumber, reader.LinePosition, "more text follows the end of the document");
                    }

                    return root;
                }
            }
            catch (JsonReaderException e)
            {
                string detail = NewtonsoftLocation.Replace(e.Message, string.Empty).TrimEnd('.');
                throw NotJson(source, e.LineNumber, e.LinePosition, detail, e);
            }
        }

        private static bool ReadSignificant(JsonTextReader reader)
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonToken.Comment) return true;
            }

            return false;
        }

        /// <summary>The next token inside an object or a list: Newtonsoft answers false, not an error, when the text ends there.</summary>
        private static bool ReadInside(JsonTextReader reader, string source, char closing)
        {
            if (ReadSignificant(reader)) return true;
            throw NotJson(source, reader.LineNumber, reader.LinePosition, "the text ends before the closing '" + closing + "'");
        }

        private static JsonNode ReadValue(JsonTextReader reader, List<object> path, string source, Func<IReadOnlyList<object>, string> pathOf)
        {
            int line = reader.LineNumber, position = reader.LinePosition;
            switch (reader.TokenType)
            {
                case JsonToken.StartObject:
                {
                    var properties = new List<JsonMember>();
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    while (ReadInside(reader, source, '}') && reader.TokenType == JsonToken.PropertyName)
                    {
                        string name = (string)reader.Value!;
                        int keyLine = reader.LineNumber, keyPosition = reader.LinePosition;
                        path.Add(name);
                        if (!seen.Add(name))
                        {
                            throw ErrorSite.InFile(source, pathOf(path), keyLine, keyPosition).Error(
                                PolicyException.FieldDuplicate, "'" + name + "' is given twice in this object; give each field once.");
                        }

                        ReadInside(reader, source, '}');
                        properties.Add(new JsonMember(name, keyLine, keyPosition, ReadValue(reader, path, source, pathOf)));
                        path.RemoveAt(path.Count - 1);
                    }

                    return new JsonObjectNode(line, position, properties);
                }

                case JsonToken.StartArray:
                {
                    var items = new List<JsonNode>();
                    while (ReadInside(reader, source, ']') && reader.TokenType != JsonToken.EndArray)
                    {
                        path.Add(items.Count);
                        items.Add(ReadValue(reader, path, source, pathOf));
                        path.RemoveAt(path.Count - 1);
                    }

                    return new JsonArrayNode(line, position, items);
                }

                case JsonToken.String:
                case JsonToken.Integer:
                case JsonToken.Boolean:
                case JsonToken.Null:
                    return new JsonValueNode(line, position, reader.TokenType, reader.Value);

                case JsonToken.Float:
                    if (reader.Value is double number && (double.IsInfinity(number) || double.IsNaN(number)))
                    {
                        throw NotJson(source, line, position, "the number is too large");
                    }

                    return new JsonValueNode(line, position, reader.TokenType, reader.Value);

                default:
                    // Undefined: an empty element ("[1,,2]"); the lexical pass refuses the rest.
                    throw NotJson(source, line, position, "a value is missing (two commas in a row, or a comma first)");
            }
        }

        /// <summary>Everything that is not JSON plus comments, found by a single left-to-right pass over the tokens.</summary>
        private static void CheckLexically(string text, string source)
        {
            var cursor = new Cursor(text);
            int lastComma = -1, lastCommaLine = 0, lastCommaColumn = 0;
            while (cursor.SkipSpaceAndComments(source))
            {
                char c = cursor.Current;
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
