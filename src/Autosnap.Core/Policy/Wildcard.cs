using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Autosnap.Policy
{
    /// <summary>
    /// The module's one wildcard dialect, for policy targets and for the cmdlets' name and metadata filters
    /// (Get-RackspaceServer -Name web[12] selects what a policy target "web[12]" does). It is PowerShell's wildcard
    /// language, as -like and every other cmdlet use it: '*' is any run of characters (also none), '?' is one
    /// character, [abc] is one of the characters listed, [a-c] one of a range (both may be mixed: [a-cx]), and a
    /// backtick makes the next character ordinary (`[ is a literal bracket, `* a literal star). Letters compare
    /// without regard to case; the pattern covers the whole text. There is no negation ([!a] and [^a] list '!' or
    /// '^'). A '[' without its ']' and a range that runs backwards ([z-a]) make the pattern invalid, as they do in
    /// PowerShell; <see cref="Problem"/> says why.
    /// </summary>
    internal static class Wildcard
    {
        private const char Escape = '`';

        /// <summary>True when the pattern has an unescaped '*', '?', '[' or ']' (PowerShell's ContainsWildcardCharacters).</summary>
        public static bool HasWildcards(string pattern)
        {
            if (pattern == null) throw new ArgumentNullException(nameof(pattern));
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '*' || c == '?' || c == '[' || c == ']') return true;
                if (c == Escape) i++;
            }

            return false;
        }

        /// <summary>The text a pattern without wildcards stands for: its escapes removed ("web`[1`]" is "web[1]").</summary>
        public static string Unescape(string pattern)
        {
            if (pattern == null) throw new ArgumentNullException(nameof(pattern));
            if (pattern == "`") return string.Empty;
            var text = new StringBuilder(pattern.Length);
            for (int i = 0; i < pattern.Length; i++)
            {
                if (pattern[i] == Escape && i + 1 < pattern.Length) i++;
                text.Append(pattern[i]);
            }

            return text.ToString();
        }

        /// <summary>Why the pattern is not a valid wildcard pattern, or null when it is.</summary>
        public static string? Problem(string pattern)
        {
            if (pattern == null) throw new ArgumentNullException(nameof(pattern));
            Parse(pattern, out string? problem);
            return problem == null ? null : "'" + pattern + "' is not a valid wildcard pattern: " + problem;
        }

        /// <summary>True when the pattern covers the whole text, without regard to case.</summary>
        /// <exception cref="ArgumentException">The pattern is invalid (see <see cref="Problem"/>).</exception>
        public static bool IsMatch(string pattern, string text)
        {
            if (pattern == null) throw new ArgumentNullException(nameof(pattern));
            text ??= string.Empty;
            List<Element> elements = Parse(pattern, out string? problem);
            if (problem != null) throw new ArgumentException("'" + pattern + "' is not a valid wildcard pattern: " + problem, nameof(pattern));

            // Greedy walk with one backtrack point (the last '*'): every other element takes exactly one character.
            int p = 0, t = 0, star = -1, starText = 0;
            while (t < text.Length)
            {
                if (p < elements.Count && !elements[p].IsStar && elements[p].Matches(text[t]))
                {
                    p++;
                    t++;
                }
                else if (p < elements.Count && elements[p].IsStar)
                {
                    star = p++;
                    starText = t;
                }
                else if (star >= 0)
                {
                    p = star + 1;
                    t = ++starText;
                }
                else
                {
                    return false;
                }
            }

            while (p < elements.Count && elements[p].IsStar) p++;
            return p == elements.Count;
        }

        private static List<Element> Parse(string pattern, out string? problem)
        {
            problem = null;
            var elements = new List<Element>();
            // PowerShell reads a pattern that is a lone backtick as the empty pattern.
            if (pattern == "`") return elements;
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == Escape)
                {
                    // A trailing backtick stands for itself.
                    elements.Add(Element.Literal(i + 1 < pattern.Length ? pattern[++i] : c));
                }
                else if (c == '*')
                {
                    elements.Add(Element.Star);
                }
                else if (c == '?')
                {
                    elements.Add(Element.AnyOne);
                }
                else if (c == '[')
                {
                    int open = i;
                    // The set's characters, each marked when it is an unescaped '-' (a range operator).
                    var members = new List<(char Char, bool Dash)>();
                    bool closed = false;
                    for (i++; i < pattern.Length; i++)
                    {
                        char m = pattern[i];
                        // A ']' right after '[' is a member ("[]a]" is ']' or 'a'), as in PowerShell.
                        if (m == ']' && i > open + 1)
                        {
                            closed = true;
                            break;
                        }

                        if (m == Escape && i + 1 < pattern.Length) members.Add((pattern[++i], false));
                        else if (m == Escape) members.Add((m, false));
                        else members.Add((m, m == '-'));
                    }

                    if (!closed)
                    {
                        problem = "the '[' at position " + (open + 1).ToString(CultureInfo.InvariantCulture) +
                                  " has no closing ']' (write `[ for a literal bracket).";
                        return elements;
                    }

                    var ranges = new List<(char Low, char High)>();
                    for (int k = 0; k < members.Count; k++)
                    {
                        if (k + 2 < members.Count && members[k + 1].Dash)
                        {
                            char low = members[k].Char, high = members[k + 2].Char;
                            if (low > high)
                            {
                                problem = "the range [" + low + "-" + high + "] runs backwards.";
                                return elements;
                            }

                            ranges.Add((low, high));
                            k += 2;
                        }
                        else
                        {
                            ranges.Add((members[k].Char, members[k].Char));
                        }
                    }

                    elements.Add(Element.Set(ranges));
                }
                else
                {
                    elements.Add(Element.Literal(c));
                }
            }

            return elements;
        }

        private sealed class Element
        {
            public static readonly Element Star = new Element(null, true);
            public static readonly Element AnyOne = new Element(null, false);

            private readonly IReadOnlyList<(char Low, char High)>? _ranges;

            private Element(IReadOnlyList<(char Low, char High)>? ranges, bool isStar)
            {
                _ranges = ranges;
                IsStar = isStar;
            }

            public bool IsStar { get; }

            public static Element Literal(char c) => new Element(new[] { (c, c) }, false);

            public static Element Set(IReadOnlyList<(char Low, char High)> ranges) => new Element(ranges, false);

            public bool Matches(char c)
            {
                if (_ranges == null) return true;
                char lower = char.ToLowerInvariant(c), upper = char.ToUpperInvariant(c);
                foreach ((char low, char high) in _ranges)
                {
                    if (In(c, low, high) || In(lower, low, high) || In(upper, low, high)) return true;
                }

                return false;
            }

            private static bool In(char c, char low, char high) => c >= low && c <= high;
        }
    }
}
