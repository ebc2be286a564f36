using System;

namespace Autosnap.Policy
{
    /// <summary>
    /// The module's one wildcard dialect, for policy targets and for the cmdlets' name and metadata filters
    /// (Get-RackspaceServer -Name web* selects what a policy target "web*" does): '*' is any run of characters (also
    /// none), '?' is one character, every other character stands for itself, compared without regard to case; the
    /// pattern covers the whole text. There is no escape and no [a-z] class (unlike PowerShell's -like), so a name
    /// with '[' needs no quoting, and policy files written before keep selecting what they selected.
    /// </summary>
    internal static class Wildcard
    {
        public static bool HasWildcards(string pattern) => pattern.IndexOfAny(new[] { '*', '?' }) >= 0;

        public static bool IsMatch(string pattern, string text)
        {
            if (pattern == null) throw new ArgumentNullException(nameof(pattern));
            text ??= string.Empty;

            // Greedy walk with one backtrack point (the last '*'): linear for the patterns people write.
            int p = 0, t = 0, star = -1, starText = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && pattern[p] != '*' && (pattern[p] == '?' || SameLetter(pattern[p], text[t])))
                {
                    p++;
                    t++;
                }
                else if (p < pattern.Length && pattern[p] == '*')
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

            while (p < pattern.Length && pattern[p] == '*') p++;
            return p == pattern.Length;
        }

        private static bool SameLetter(char a, char b) =>
            a == b || char.ToUpperInvariant(a) == char.ToUpperInvariant(b) || char.ToLowerInvariant(a) == char.ToLowerInvariant(b);
    }
}
