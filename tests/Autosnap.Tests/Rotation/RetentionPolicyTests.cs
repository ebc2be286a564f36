using System;
using Autosnap.Rotation;
using Xunit;

namespace Autosnap.Tests.Rotation
{
    public class RetentionPolicyTests
    {
        [Fact]
        public void Negative_retention_is_refused_naming_the_value()
        {
            var error = Assert.Throws<RetentionPolicyException>(() => RetentionPolicy.FromRetention(-1));

            Assert.Equal("RetentionPolicyNegativeCount", error.ErrorId);
            Assert.Equal("Retention", error.ParamName);
            Assert.Contains("-Retention must be 0 or more, not -1", error.Message);
        }

        [Theory]
        [InlineData(nameof(BucketRules.KeepLast))]
        [InlineData(nameof(BucketRules.KeepHourly))]
        [InlineData(nameof(BucketRules.KeepDaily))]
        [InlineData(nameof(BucketRules.KeepWeekly))]
        [InlineData(nameof(BucketRules.KeepMonthly))]
        [InlineData(nameof(BucketRules.KeepYearly))]
        public void A_negative_count_is_refused_naming_the_parameter_and_the_value(string parameter)
        {
            // A valid rule besides the bad one: the error must be about the negative count, not about keeping nothing.
            var rules = new BucketRules { KeepLast = 1 };
            typeof(BucketRules).GetProperty(parameter)!.SetValue(rules, -3);

            var error = Assert.Throws<RetentionPolicyException>(() => RetentionPolicy.FromRules(rules, TimeZoneInfo.Utc));

            Assert.Equal(RetentionPolicyException.NegativeCount, error.ErrorId);
            Assert.Equal(parameter, error.ParamName);
            Assert.Equal($"-{parameter} must be 0 or more, not -3.", error.Message);
        }

        [Fact]
        public void Rules_that_keep_nothing_are_refused()
        {
            var error = Assert.Throws<RetentionPolicyException>(() => RetentionPolicy.FromRules(new BucketRules(), TimeZoneInfo.Utc));

            Assert.Equal("RetentionPolicyKeepsNothing", error.ErrorId);
            Assert.StartsWith("The policy keeps nothing", error.Message);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-60)]
        public void KeepWithin_must_be_positive(int seconds)
        {
            var rules = new BucketRules { KeepDaily = 1, KeepWithin = TimeSpan.FromSeconds(seconds) };

            var error = Assert.Throws<RetentionPolicyException>(() => RetentionPolicy.FromRules(rules, TimeZoneInfo.Utc));

            Assert.Equal("RetentionPolicyInvalidWithin", error.ErrorId);
            Assert.Equal("KeepWithin", error.ParamName);
            Assert.Contains(TimeSpan.FromSeconds(seconds).ToString("c"), error.Message);
        }

        [Fact]
        public void KeepWithin_alone_is_a_policy()
        {
            RetentionPolicy policy = RetentionPolicy.FromRules(new BucketRules { KeepWithin = TimeSpan.FromDays(7) }, TimeZoneInfo.Utc);

            Assert.Equal("within 7.00:00:00 in UTC", policy.ToString());
        }

        [Fact]
        public void Retention_combined_with_bucket_rules_is_one_clear_error()
        {
            var error = Assert.Throws<RetentionPolicyException>(
                () => RetentionPolicy.FromParameters(7, new BucketRules { KeepDaily = 7 }, null));

            Assert.Equal("RetentionPolicyConflict", error.ErrorId);
            Assert.Equal("Retention", error.ParamName);
            Assert.StartsWith("-Retention 7 cannot be combined with bucket rules (daily 7).", error.Message);
        }

        [Fact]
        public void No_policy_at_all_is_an_error()
        {
            var error = Assert.Throws<RetentionPolicyException>(() => RetentionPolicy.FromParameters(null, null, null));

            Assert.Equal("RetentionPolicyMissing", error.ErrorId);
        }

        [Fact]
        public void FromParameters_defaults_the_zone_to_the_local_one_and_validates_like_the_factories()
        {
            Assert.Same(TimeZoneInfo.Local, RetentionPolicy.FromParameters(null, new BucketRules { KeepDaily = 7 }, null).TimeZone);
            Assert.Same(Images.Berlin, RetentionPolicy.FromParameters(null, new BucketRules { KeepDaily = 7 }, Images.Berlin).TimeZone);
            Assert.Equal(3, RetentionPolicy.FromParameters(3, null, Images.Berlin).Retention);
            Assert.Equal(
                RetentionPolicyException.KeepsNothing,
                Assert.Throws<RetentionPolicyException>(() => RetentionPolicy.FromParameters(null, new BucketRules(), null)).ErrorId);
            Assert.Equal(
                RetentionPolicyException.NegativeCount,
                Assert.Throws<RetentionPolicyException>(() => RetentionPolicy.FromParameters(-2, null, null)).ErrorId);
        }

        [Fact]
        public void Errors_are_argument_exceptions_whose_message_has_no_parameter_suffix()
        {
            ArgumentException error = Assert.Throws<RetentionPolicyException>(() => RetentionPolicy.FromRetention(-5));

            Assert.DoesNotContain("Parameter", error.Message);
            Assert.Equal("Retention", error.ParamName);
        }

        [Theory]
        [InlineData(0, "retention 0 (keeps 1)")]
        [InlineData(7, "retention 7 (keeps 8)")]
        [InlineData(int.MaxValue, "retention 2147483647 (keeps 2147483648)")]
        public void Retention_reads_as_what_it_keeps(int retention, string expected)
        {
            RetentionPolicy policy = RetentionPolicy.FromRetention(retention);

            Assert.Equal(expected, policy.ToString());
            Assert.Equal(retention + 1L, policy.RetentionKeeps);
            Assert.Null(policy.Rules);
        }

        [Fact]
        public void Rules_read_in_rule_order_with_their_zone()
        {
            Assert.Equal(
                "last 3, daily 7, weekly 4 in Europe/Berlin",
                RetentionPolicy.FromRules(new BucketRules { KeepWeekly = 4, KeepLast = 3, KeepDaily = 7 }, Images.Berlin).ToString());
            Assert.Equal(
                "last 1, hourly 24, daily 7, weekly 4, monthly 12, yearly 3, within 1.12:00:00 in UTC",
                RetentionPolicy.FromRules(
                    new BucketRules
                    {
                        KeepLast = 1, KeepHourly = 24, KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12, KeepYearly = 3,
                        KeepWithin = TimeSpan.FromHours(36),
                    },
                    TimeZoneInfo.Utc).ToString());
        }

        [Fact]
        public void KeepFailed_is_off_by_default_and_says_so_when_on()
        {
            RetentionPolicy policy = RetentionPolicy.FromRetention(2);
            RetentionPolicy keeping = policy.WithKeepFailed();

            Assert.False(policy.KeepFailed);
            Assert.True(keeping.KeepFailed);
            Assert.Equal("retention 2 (keeps 3), keeping failed images", keeping.ToString());
            Assert.Equal(2, keeping.Retention);
            Assert.False(keeping.WithKeepFailed(false).KeepFailed);

            RetentionPolicy rules = RetentionPolicy.FromRules(new BucketRules { KeepDaily = 2 }, Images.Berlin).WithKeepFailed();
            Assert.Equal("daily 2 in Europe/Berlin, keeping failed images", rules.ToString());
            Assert.Same(Images.Berlin, rules.TimeZone);
        }

        [Fact]
        public void A_policy_does_not_change_when_its_rules_object_does()
        {
            var rules = new BucketRules { KeepDaily = 7 };
            RetentionPolicy policy = RetentionPolicy.FromRules(rules, TimeZoneInfo.Utc);

            rules.KeepDaily = 1;
            policy.Rules!.KeepDaily = 2;

            Assert.Equal(7, policy.Rules!.KeepDaily);
        }

        [Fact]
        public void Null_arguments_are_refused()
        {
            Assert.Throws<ArgumentNullException>(() => RetentionPolicy.FromRules(null!, TimeZoneInfo.Utc));
            Assert.Throws<ArgumentNullException>(() => RetentionPolicy.FromRules(new BucketRules { KeepLast = 1 }, null!));
        }
    }
}
