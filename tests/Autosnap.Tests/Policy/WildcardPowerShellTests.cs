using System;
using System.Management.Automation;
using Autosnap.Policy;
using Xunit;

namespace Autosnap.Tests.Policy
{
    /// <summary>
    /// Core's wildcard matcher (which cannot use System.Management.Automation) is PowerShell's wildcard language:
    /// for every pattern and name of the table it answers what WildcardPattern answers, and it refuses the patterns
    /// WildcardPattern refuses.
    /// </summary>
    public class WildcardPowerShellTests
    {
        public static TheoryData<string, string> Cases()
        {
            string[] patterns =
            {
                "", "*", "?", "??", "web*", "*web", "*e*", "w?b", "WEB1", "web1", "a*b*c", "*a", "*ab",
                "web[12]", "web[1-3]", "WEB[a-c]", "web[A-C]", "[abc]", "[a-cx]", "[a-c-e]", "[-a]", "[a-]", "[]a]", "[]]",
                "[!a]", "[^a]", "[*]", "[?]", "[[]", "[\\]", "web[12]*", "*[12]", "db-??", "x[0-9][0-9]",
                "`[web`]", "web`[12`]", "`*", "`?", "a`", "`", "``", "[a`]b]", "[a`-c]", "w`eb", "[`]]", "web]", "]", "a]b",
                "web[12", "[", "a[b", "[]", "[z-a]", "web[9-0]", "[`]", "[a`",
            };
            string[] names =
            {
                "", "web", "web1", "web2", "web3", "WEB1", "Web12", "webx", "weba", "webB", "webc", "web[12]", "web[1", "web]",
                "a", "b", "d", "x", "-", "]", "[", "!", "^", "*", "?", "\\", "`", "a`", "aXbYc", "abc", "ab", "[web]", "db-01",
                "x42", "x4", "a]b", "e", "weB",
            };
            var data = new TheoryData<string, string>();
            foreach (string pattern in patterns)
            {
                foreach (string name in names) data.Add(pattern, name);
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Core_matches_what_PowerShell_matches(string pattern, string name)
        {
            bool? expected;
            try
            {
                expected = new WildcardPattern(pattern, WildcardOptions.IgnoreCase).IsMatch(name);
            }
            catch (WildcardPatternException)
            {
                expected = null;
            }

            if (expected == null)
            {
                Assert.NotNull(Wildcard.Problem(pattern));
                Assert.Throws<ArgumentException>(() => Wildcard.IsMatch(pattern, name));
            }
            else
            {
                Assert.Null(Wildcard.Problem(pattern));
                Assert.Equal(expected.Value, Wildcard.IsMatch(pattern, name));
            }

            Assert.Equal(WildcardPattern.ContainsWildcardCharacters(pattern), Wildcard.HasWildcards(pattern));
        }

        [Theory]
        [InlineData("web`[12`]", "web[12]")]
        [InlineData("a``b", "a`b")]
        [InlineData("a`", "a`")]
        [InlineData("`", "")]
        [InlineData("web1", "web1")]
        public void Unescape_gives_the_text_a_pattern_without_wildcards_stands_for(string pattern, string text)
        {
            Assert.Equal(text, Wildcard.Unescape(pattern));
            Assert.True(new WildcardPattern(pattern, WildcardOptions.IgnoreCase).IsMatch(text));
        }
    }
}
