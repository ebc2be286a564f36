using System;
using System.Text.RegularExpressions;
using Autosnap.Policy;
using Xunit;

namespace Autosnap.Tests.Policy
{
    public class PolicyDurationTests
    {
        [Theory]
        [InlineData("20:00:00", 0, 20, 0, 0)]
        [InlineData("6.00:00:00", 6, 0, 0, 0)]
        [InlineData("1.12:30:15", 1, 12, 30, 15)]
        [InlineData("00:30", 0, 0, 30, 0)]
        [InlineData("7:05", 0, 7, 5, 0)]
        [InlineData("23:59:59", 0, 23, 59, 59)]
        [InlineData("00:00:00", 0, 0, 0, 0)]
        [InlineData("20h", 0, 20, 0, 0)]
        [InlineData("6d", 6, 0, 0, 0)]
        [InlineData("30m", 0, 0, 30, 0)]
        [InlineData("90s", 0, 0, 1, 30)]
        [InlineData("36h", 1, 12, 0, 0)]
        [InlineData("1d12h", 1, 12, 0, 0)]
        [InlineData("2w", 14, 0, 0, 0)]
        [InlineData("1w2d3h4m5s", 9, 3, 4, 5)]
        [InlineData("1h30m", 0, 1, 30, 0)]
        [InlineData("0s", 0, 0, 0, 0)]
        [InlineData("007h", 0, 7, 0, 0)]
        public void Both_forms_are_read(string text, int days, int hours, int minutes, int seconds)
        {
            Assert.Equal(new TimeSpan(days, hours, minutes, seconds), PolicyDuration.Parse(text));
        }

        [Fact]
        public void A_timespan_may_have_fractions_of_a_second()
        {
            Assert.Equal(TimeSpan.FromMilliseconds(1500), PolicyDuration.Parse("00:00:01.5"));
            Assert.Equal(TimeSpan.FromTicks(1), PolicyDuration.Parse("00:00:00.0000001"));
        }

        [Theory]
        [InlineData("", "an empty text is not a duration; use a TimeSpan such as '20:00:00' or '6.00:00:00', or whole numbers with the units w, d, h, m, s in that order, such as '20h', '6d', '90s' or '1d12h'.")]
        [InlineData("20", "'20' is not a duration: a number needs a unit, e.g. '20h' or '20m'.")]
        [InlineData("1.5", "'1.5' is not a duration; use a TimeSpan such as '20:00:00' or '6.00:00:00', or whole numbers with the units w, d, h, m, s in that order, such as '20h', '6d', '90s' or '1d12h'.")]
        [InlineData("1.5h", "'1.5h' is not a duration: units take whole numbers, e.g. '1h30m' rather than '1.5h'.")]
        [InlineData("-1h", "'-1h' is not a duration: durations cannot be negative.")]
        [InlineData("-01:00:00", "'-01:00:00' is not a duration: durations cannot be negative.")]
        [InlineData(" 20h", "' 20h' is not a duration: remove the spaces around it.")]
        [InlineData("20h ", "'20h ' is not a duration: remove the spaces around it.")]
        [InlineData("6M", "'6M' is not a duration: units are lowercase (w, d, h, m, s; there are no months).")]
        [InlineData("20H", "'20H' is not a duration: units are lowercase (w, d, h, m, s; there are no months).")]
        [InlineData("1y", "'1y' is not a duration; use a TimeSpan such as '20:00:00' or '6.00:00:00', or whole numbers with the units w, d, h, m, s in that order, such as '20h', '6d', '90s' or '1d12h'.")]
        public void Refusals_explain_themselves(string text, string message)
        {
            var error = Assert.Throws<PolicyException>(() => PolicyDuration.Parse(text));

            Assert.Equal(PolicyException.DurationInvalid, error.ErrorId);
            Assert.Equal(message, error.Message);
        }

        [Theory]
        [InlineData("h")]
        [InlineData("1h1h")]
        [InlineData("30m1h")]
        [InlineData("1s1m")]
        [InlineData("1d 12h")]
        [InlineData("1 h")]
        [InlineData("24:00:00")]
        [InlineData("00:60")]
        [InlineData("00:00:60")]
        [InlineData("1:2:3")]
        [InlineData("20:00:00.12345678")]
        [InlineData("1.:00:00")]
        [InlineData("P1D")]
        [InlineData("PT20H")]
        [InlineData("20hours")]
        [InlineData("\u0663h")]
        [InlineData("20h\n")]
        [InlineData("1,5h")]
        public void Everything_else_is_refused(string text)
        {
            var error = Assert.Throws<PolicyException>(() => PolicyDuration.Parse(text));

            Assert.Equal(PolicyException.DurationInvalid, error.ErrorId);
            Assert.False(PolicyDuration.TryParse(text, out _));
        }

        [Theory]
        [InlineData("99999999999999999999w")]
        [InlineData("10675200d")]
        [InlineData("10675200.00:00:00")]
        public void Durations_beyond_a_timespan_are_out_of_range(string text)
        {
            var error = Assert.Throws<PolicyException>(() => PolicyDuration.Parse(text));

            Assert.Equal(PolicyException.ValueOutOfRange, error.ErrorId);
            Assert.Equal("'" + text + "' is longer than any duration Autosnap can use.", error.Message);
        }

        [Fact]
        public void The_longest_duration_that_fits_is_read()
        {
            Assert.Equal(TimeSpan.FromDays(10675198), PolicyDuration.Parse("10675198d"));
        }

        [Fact]
        public void TryParse_tells_without_throwing()
        {
            Assert.True(PolicyDuration.TryParse("20h", out TimeSpan value));
            Assert.Equal(TimeSpan.FromHours(20), value);
            Assert.False(PolicyDuration.TryParse(null, out value));
            Assert.Equal(TimeSpan.Zero, value);
            Assert.False(PolicyDuration.TryParse("soon", out _));
        }

        [Theory]
        [InlineData(0, 20, 0, 0, 0, "20h")]
        [InlineData(6, 0, 0, 0, 0, "6d")]
        [InlineData(1, 12, 0, 0, 0, "36h")]
        [InlineData(0, 1, 30, 0, 0, "90m")]
        [InlineData(0, 0, 1, 30, 0, "90s")]
        [InlineData(0, 0, 0, 0, 0, "0s")]
        [InlineData(14, 0, 0, 0, 0, "14d")]
        [InlineData(0, 0, 0, 1, 500, "00:00:01.5000000")]
        [InlineData(0, -1, 0, 0, 0, "-01:00:00")]
        public void Format_writes_the_short_form_when_it_can(int days, int hours, int minutes, int seconds, int milliseconds, string expected)
        {
            Assert.Equal(expected, PolicyDuration.Format(new TimeSpan(days, hours, minutes, seconds, milliseconds)));
        }

        [Theory]
        [InlineData("20h")]
        [InlineData("1w2d3h4m5s")]
        [InlineData("6.00:00:00")]
        [InlineData("00:00:01.5")]
        [InlineData("1d")]
        public void Format_and_Parse_round_trip(string text)
        {
            TimeSpan value = PolicyDuration.Parse(text);
            Assert.Equal(value, PolicyDuration.Parse(PolicyDuration.Format(value)));
        }

        /// <summary>The schema uses Pattern verbatim; an ECMAScript reading of it must accept exactly what Parse accepts.</summary>
        [Theory]
        [InlineData("20:00:00")]
        [InlineData("6.00:00:00")]
        [InlineData("00:30")]
        [InlineData("00:00:01.5")]
        [InlineData("20h")]
        [InlineData("1w2d3h4m5s")]
        [InlineData("0s")]
        [InlineData("")]
        [InlineData("20")]
        [InlineData("1.5h")]
        [InlineData("-1h")]
        [InlineData(" 20h")]
        [InlineData("6M")]
        [InlineData("h")]
        [InlineData("1h1h")]
        [InlineData("30m1h")]
        [InlineData("24:00:00")]
        [InlineData("00:60")]
        [InlineData("1:2:3")]
        [InlineData("P1D")]
        [InlineData("\u0663h")]
        public void The_pattern_accepts_exactly_what_Parse_accepts(string text)
        {
            bool matches = Regex.IsMatch(text, PolicyDuration.Pattern, RegexOptions.ECMAScript);
            Assert.Equal(PolicyDuration.TryParse(text, out _), matches);
        }
    }
}
