using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;
using Autosnap.Policy;
using Autosnap.Rotation;
using Xunit;
using static Autosnap.Tests.Policy.PolicyTestSupport;

namespace Autosnap.Tests.Policy
{
    /// <summary>The per-server convention: "autosnap:&lt;schedule&gt;" = "&lt;rules&gt;".</summary>
    public class ServerMetadataPolicyTests
    {
        private static RackspaceServer Web1(params (string Key, string Value)[] metadata) => Server("web1", Id1, "DFW", metadata);

        private static SnapshotPolicy One(string value, string key = "autosnap:daily") => Assert.Single(ServerMetadataPolicy.For(Web1((key, value))));

        [Fact]
        public void The_example_of_the_design_reads_rule_by_rule()
        {
            SnapshotPolicy policy = One("daily=7,weekly=4,monthly=12,tz=Europe/Berlin,every=20h");

            Assert.Equal("daily", policy.Schedule);
            Assert.Equal("daily", policy.Name);
            BucketRules rules = policy.Retention.Rules!;
            Assert.Equal((0, 0, 7, 4, 12, 0), (rules.KeepLast, rules.KeepHourly, rules.KeepDaily, rules.KeepWeekly, rules.KeepMonthly, rules.KeepYearly));
            Assert.Equal(TimeZones.Find("Europe/Berlin").Id, policy.Retention.TimeZone.Id);
            Assert.Equal(TimeSpan.FromHours(20), policy.MinInterval);
            Assert.Equal(TimeSpan.FromHours(1), policy.Timeout);
            Assert.False(policy.Retention.KeepFailed);
            Assert.False(policy.AdoptLegacy);
            Assert.Equal(OrphanHandling.Keep, policy.OnServerDeleted);
            Assert.Empty(policy.Metadata);
            Assert.Null(policy.NameTemplate);
            Assert.Equal("server web1 (" + Id1 + "), metadata 'autosnap:daily'", policy.Origin);
        }

        [Fact]
        public void Retention_N_alone()
        {
            SnapshotPolicy policy = One("retention=7", "autosnap:nightly");

            Assert.Equal("nightly", policy.Schedule);
            Assert.Equal(7, policy.Retention.Retention);
            Assert.Null(policy.MinInterval);
        }

        [Theory]
        [InlineData("last=3", "KeepLast")]
        [InlineData("hourly=3", "KeepHourly")]
        [InlineData("daily=3", "KeepDaily")]
        [InlineData("weekly=3", "KeepWeekly")]
        [InlineData("monthly=3", "KeepMonthly")]
        [InlineData("yearly=3", "KeepYearly")]
        [InlineData("KeepLast=3", "KeepLast")]
        [InlineData("keephourly=3", "KeepHourly")]
        [InlineData("KEEPDAILY=3", "KeepDaily")]
        [InlineData("keepWeekly=3", "KeepWeekly")]
        [InlineData("keepMonthly=3", "KeepMonthly")]
        [InlineData("keepYearly=3", "KeepYearly")]
        [InlineData("Daily=3", "KeepDaily")]
        public void Each_count_rule_sets_its_bucket_rule_and_keys_ignore_case(string rule, string property)
        {
            BucketRules rules = One(rule + ",tz=UTC").Retention.Rules!;

            Assert.Equal(3, (int)typeof(BucketRules).GetProperty(property)!.GetValue(rules)!);
            Assert.Equal(3, rules.KeepLast + rules.KeepHourly + rules.KeepDaily + rules.KeepWeekly + rules.KeepMonthly + rules.KeepYearly);
        }

        [Theory]
        [InlineData("within=2d")]
        [InlineData("keepWithin=2d")]
        [InlineData("WITHIN=2.00:00:00")]
        [InlineData("within=48h")]
        public void Within_takes_a_duration(string rule)
        {
            Assert.Equal(TimeSpan.FromDays(2), One(rule).Retention.Rules!.KeepWithin);
        }

        [Theory]
        [InlineData("every=20h", 20 * 60)]
        [InlineData("minInterval=20:00:00", 20 * 60)]
        [InlineData("EVERY=1d12h", 36 * 60)]
        public void Every_is_the_frequency_guard(string rule, int minutes)
        {
            Assert.Equal(TimeSpan.FromMinutes(minutes), One("retention=1," + rule).MinInterval);
        }

        [Theory]
        [InlineData("timeout=30m", 30)]
        [InlineData("Timeout=02:00:00", 120)]
        public void Timeout_is_the_wait(string rule, int minutes)
        {
            Assert.Equal(TimeSpan.FromMinutes(minutes), One("retention=1," + rule).Timeout);
        }

        [Theory]
        [InlineData("keepfailed=true", true)]
        [InlineData("KeepFailed=TRUE", true)]
        [InlineData("keepfailed=false", false)]
        [InlineData("keepfailed=False", false)]
        public void Keepfailed_is_true_or_false(string rule, bool keep)
        {
            Assert.Equal(keep, One("retention=1," + rule).Retention.KeepFailed);
        }

        [Theory]
        [InlineData("tz=UTC")]
        [InlineData("timezone=UTC")]
        [InlineData("TimeZone=Etc/UTC")]
        public void Tz_names_the_zone(string rule)
        {
            Assert.Equal(TimeZoneInfo.Utc, One("daily=1," + rule).Retention.TimeZone);
        }

        [Fact]
        public void Windows_zone_ids_keep_their_inner_spaces()
        {
            SnapshotPolicy policy = One("weekly=8 , TZ=W. Europe Standard Time , Every=6.00:00:00", "autosnap:weekly");

            Assert.Equal(TimeZones.Find("Europe/Berlin").BaseUtcOffset, policy.Retention.TimeZone.BaseUtcOffset);
            Assert.Equal(TimeSpan.FromDays(6), policy.MinInterval);
        }

        [Fact]
        public void Bucket_rules_without_tz_use_the_local_zone()
        {
            Assert.Equal(TimeZoneInfo.Local.Id, One("daily=7").Retention.TimeZone.Id);
        }

        [Theory]
        [InlineData("daily=7;weekly=4")]
        [InlineData("daily=7, weekly=4")]
        [InlineData("  daily = 7 ;  weekly=4  ")]
        [InlineData("daily=7,weekly=4,")]
        [InlineData(",daily=7,,weekly=4;;")]
        [InlineData("\tdaily=7,\tweekly=4")]
        public void Separators_are_commas_or_semicolons_and_spaces_do_not_matter(string value)
        {
            BucketRules rules = One(value).Retention.Rules!;

            Assert.Equal((7, 4), (rules.KeepDaily, rules.KeepWeekly));
        }

        [Fact]
        public void A_value_of_255_characters_is_read()
        {
            string value = "daily=7," + new string(',', 255 - 8);
            Assert.Equal(255, value.Length);

            Assert.Equal(7, One(value).Retention.Rules!.KeepDaily);
        }

        [Fact]
        public void Other_metadata_is_ignored()
        {
            RackspaceServer server = Web1(("autosnap", "daily"), ("autosnap_schedule", "x"), ("backup", "nightly"), ("autosnap-daily", "nonsense"));

            Assert.Empty(ServerMetadataPolicy.For(server));
            Assert.Empty(ServerMetadataPolicy.For(Server("bare")));
        }

        [Fact]
        public void Each_key_is_a_policy_in_order_of_keys_and_the_prefix_ignores_case()
        {
            RackspaceServer server = Web1(("autosnap:weekly", "retention=3"), ("AutoSnap:Daily", "daily=7"), ("autosnap:hourly", "hourly=24"), ("owner", "ops"));

            IReadOnlyList<SnapshotPolicy> policies = ServerMetadataPolicy.For(server);

            Assert.Equal(new[] { "Daily", "hourly", "weekly" }, policies.Select(p => p.Schedule));
            Assert.Equal("server web1 (" + Id1 + "), metadata 'AutoSnap:Daily'", policies[0].Origin);
        }

        [Fact]
        public void A_policy_targets_its_own_server_only()
        {
            RackspaceServer server = Web1(("autosnap:daily", "retention=7"));
            TargetSelector targets = Assert.Single(ServerMetadataPolicy.For(server)).Targets;

            Assert.Equal(new[] { Id1 }, targets.Ids);
            Assert.Equal(new[] { "DFW" }, targets.Regions);
            Assert.True(targets.Matches(server));
            Assert.False(targets.Matches(Server("web1", Id2, "DFW")));
        }

        [Fact]
        public void IsPolicyKey_knows_the_prefix()
        {
            Assert.True(ServerMetadataPolicy.IsPolicyKey("autosnap:daily"));
            Assert.True(ServerMetadataPolicy.IsPolicyKey("AUTOSNAP:daily"));
            Assert.True(ServerMetadataPolicy.IsPolicyKey("autosnap:"));
            Assert.False(ServerMetadataPolicy.IsPolicyKey("autosnap"));
            Assert.False(ServerMetadataPolicy.IsPolicyKey("autosnap_daily"));
            Assert.False(ServerMetadataPolicy.IsPolicyKey(null!));
            Assert.Equal("autosnap:", ServerMetadataPolicy.Prefix);
        }

        public static IEnumerable<object[]> Refusals() => new[]
        {
            new object[] { "autosnap:daily", "daily=7, weekly",
                "PolicyRuleSyntax",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'weekly': a rule is key=value, e.g. daily=7; this one has no '='." },
            new object[] { "autosnap:daily", "daily=7,=3",
                "PolicyRuleSyntax",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule '=3': the rule has no key before '='." },
            new object[] { "autosnap:daily", "daily=",
                "PolicyRuleSyntax",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'daily=': the rule has no value after '='." },
            new object[] { "autosnap:daily", "daily=7=3",
                "PolicyRuleSyntax",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'daily=7=3': one '=' per rule; separate rules with ',' or ';'." },
            new object[] { "autosnap:daily", "dayly=7",
                "PolicyFieldUnknown",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'dayly=7': unknown rule 'dayly'; did you mean 'daily'? The rules are retention, last, hourly, daily, weekly, monthly, yearly, within, tz, every, timeout, keepfailed." },
            new object[] { "autosnap:daily", "Daly=7",
                "PolicyFieldUnknown",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'Daly=7': unknown rule 'Daly'; did you mean 'daily'? The rules are retention, last, hourly, daily, weekly, monthly, yearly, within, tz, every, timeout, keepfailed." },
            new object[] { "autosnap:daily", "colour=red",
                "PolicyFieldUnknown",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'colour=red': unknown rule 'colour'. The rules are retention, last, hourly, daily, weekly, monthly, yearly, within, tz, every, timeout, keepfailed." },
            new object[] { "autosnap:daily", "keepdaly=7",
                "PolicyFieldUnknown",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'keepdaly=7': unknown rule 'keepdaly'; did you mean 'daily'? The rules are retention, last, hourly, daily, weekly, monthly, yearly, within, tz, every, timeout, keepfailed." },
            new object[] { "autosnap:daily", "tzz=UTC",
                "PolicyFieldUnknown",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'tzz=UTC': unknown rule 'tzz'; did you mean 'tz'? The rules are retention, last, hourly, daily, weekly, monthly, yearly, within, tz, every, timeout, keepfailed." },
            new object[] { "autosnap:daily", "daily=7,keepDaily=3",
                "PolicyFieldDuplicate",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'keepDaily=3': 'daily' is given twice (first as 'daily=7'); give each rule once." },
            new object[] { "autosnap:daily", "daily=7,DAILY=7",
                "PolicyFieldDuplicate",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'DAILY=7': 'daily' is given twice (first as 'daily=7'); give each rule once." },
            new object[] { "autosnap:daily", "tz=UTC,timezone=UTC,daily=1",
                "PolicyFieldDuplicate",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'timezone=UTC': 'tz' is given twice (first as 'tz=UTC'); give each rule once." },
            new object[] { "autosnap:daily", "daily=seven",
                "PolicyValueInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'daily=seven': 'seven' is not a whole number." },
            new object[] { "autosnap:daily", "daily=7.5",
                "PolicyValueInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'daily=7.5': '7.5' is not a whole number." },
            new object[] { "autosnap:daily", "daily=1e3",
                "PolicyValueInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'daily=1e3': '1e3' is not a whole number." },
            new object[] { "autosnap:daily", "retention=x",
                "PolicyValueInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'retention=x': 'x' is not a whole number." },
            new object[] { "autosnap:daily", "keepfailed=yes",
                "PolicyValueInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'keepfailed=yes': 'yes' is neither true nor false." },
            new object[] { "autosnap:daily", "keepfailed=1",
                "PolicyValueInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'keepfailed=1': '1' is neither true nor false." },
            new object[] { "autosnap:daily", "daily=7,every=20",
                "PolicyDurationInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'every=20': '20' is not a duration: a number needs a unit, e.g. '20h' or '20m'." },
            new object[] { "autosnap:daily", "daily=7,within=1.5d",
                "PolicyDurationInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'within=1.5d': '1.5d' is not a duration: units take whole numbers, e.g. '1h30m' rather than '1.5h'." },
            new object[] { "autosnap:daily", "daily=7,timeout=soon",
                "PolicyDurationInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'timeout=soon': 'soon' is not a duration; use a TimeSpan such as '20:00:00' or '6.00:00:00', or whole numbers with the units w, d, h, m, s in that order, such as '20h', '6d', '90s' or '1d12h'." },
            new object[] { "autosnap:daily", "daily=7,every=-1h",
                "PolicyDurationInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'every=-1h': '-1h' is not a duration: durations cannot be negative." },
            new object[] { "autosnap:daily", "daily=100001",
                "PolicyValueOutOfRange",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'daily=100001': must be at most 100000, not 100001." },
            new object[] { "autosnap:daily", "retention=99999999999999999999",
                "PolicyValueOutOfRange",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'retention=99999999999999999999': 99999999999999999999 is far out of range." },
            new object[] { "autosnap:daily", "daily=7,every=400d",
                "PolicyValueOutOfRange",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'every=400d': must be longer than zero and at most 366d, not 400d." },
            new object[] { "autosnap:daily", "daily=7,timeout=8d",
                "PolicyValueOutOfRange",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'timeout=8d': must be longer than zero and at most 7d, not 8d." },
            new object[] { "autosnap:daily", "daily=7,every=0s",
                "PolicyValueOutOfRange",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'every=0s': must be longer than zero and at most 366d, not 0s." },
            new object[] { "autosnap:daily", "daily=7,timeout=0s",
                "PolicyValueOutOfRange",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'timeout=0s': must be longer than zero and at most 7d, not 0s." },
            new object[] { "autosnap:daily", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "PolicyRuleTooLong",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily': the value is 256 characters; Nova and Rackspace store at most 255." },
            new object[] { "autosnap:daily", "",
                "RetentionPolicyMissing",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily': no rule says what to keep: give retention N (keeps the newest N+1 good images), or at least one of last, hourly, daily, weekly, monthly, yearly, within." },
            new object[] { "autosnap:daily", "   ",
                "RetentionPolicyMissing",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily': no rule says what to keep: give retention N (keeps the newest N+1 good images), or at least one of last, hourly, daily, weekly, monthly, yearly, within." },
            new object[] { "autosnap:daily", " , ; ",
                "RetentionPolicyMissing",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily': no rule says what to keep: give retention N (keeps the newest N+1 good images), or at least one of last, hourly, daily, weekly, monthly, yearly, within." },
            new object[] { "autosnap:daily", "tz=UTC",
                "RetentionPolicyMissing",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily': no rule says what to keep: give retention N (keeps the newest N+1 good images), or at least one of last, hourly, daily, weekly, monthly, yearly, within." },
            new object[] { "autosnap:daily", "every=20h",
                "RetentionPolicyMissing",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily': no rule says what to keep: give retention N (keeps the newest N+1 good images), or at least one of last, hourly, daily, weekly, monthly, yearly, within." },
            new object[] { "autosnap:daily", "retention=7,daily=3",
                "RetentionPolicyConflict",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily': retention N cannot be combined with bucket rules (daily); use one or the other." },
            new object[] { "autosnap:daily", "retention=7,within=1d",
                "RetentionPolicyConflict",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily': retention N cannot be combined with bucket rules (within); use one or the other." },
            new object[] { "autosnap:daily", "daily=0",
                "RetentionPolicyKeepsNothing",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily': keeps nothing: every count is 0 and within is not set. Give at least one of last, hourly, daily, weekly, monthly, yearly, within a value above zero, or use retention N." },
            new object[] { "autosnap:daily", "daily=0,weekly=0",
                "RetentionPolicyKeepsNothing",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily': keeps nothing: every count is 0 and within is not set. Give at least one of last, hourly, daily, weekly, monthly, yearly, within a value above zero, or use retention N." },
            new object[] { "autosnap:daily", "daily=-1",
                "RetentionPolicyNegativeCount",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'daily=-1': must be 0 or more, not -1." },
            new object[] { "autosnap:daily", "retention=-1",
                "RetentionPolicyNegativeCount",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'retention=-1': must be 0 or more, not -1." },
            new object[] { "autosnap:daily", "within=0s",
                "RetentionPolicyInvalidWithin",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'within=0s': must be longer than zero, not 0s." },
            new object[] { "autosnap:daily", "daily=1,within=00:00:00",
                "RetentionPolicyInvalidWithin",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'within=00:00:00': must be longer than zero, not 0s." },
            new object[] { "autosnap:daily", "daily=7,tz=Mars/Olympus",
                "TimeZoneNotFound",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'tz=Mars/Olympus': unknown time zone 'Mars/Olympus'. Use an IANA id such as 'Europe/Berlin' or 'America/New_York', or a Windows id such as 'W. Europe Standard Time' or 'Eastern Standard Time'." },
            new object[] { "autosnap:daily", "retention=7,tz=UTC",
                "PolicyFieldConflict",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'tz=UTC': a time zone applies to bucket rules only; retention N keeps the newest N+1 whatever the calendar. Remove it." },
            new object[] { "autosnap:daily", "retention=7;keepfailed=maybe",
                "PolicyValueInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:daily', rule 'keepfailed=maybe': 'maybe' is neither true nor false." },
            new object[] { "autosnap:", "retention=7",
                "PolicyScheduleInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:': the schedule name '' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. daily, weekly, monthly)." },
            new object[] { "autosnap:bad name", "retention=7",
                "PolicyScheduleInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:bad name': the schedule name 'bad name' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. daily, weekly, monthly)." },
            new object[] { "AUTOSNAP:x/y", "daily=1",
                "PolicyScheduleInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'AUTOSNAP:x/y': the schedule name 'x/y' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. daily, weekly, monthly)." },
            new object[] { "autosnap:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "retention=1",
                "PolicyScheduleInvalid",
                "server web1 (0b1c2d3e-0000-4000-8000-000000000001), metadata 'autosnap:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx': the schedule name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. daily, weekly, monthly)." },
        };

        [Theory]
        [MemberData(nameof(Refusals))]
        public void Bad_values_are_refused_naming_server_key_and_rule(string key, string value, string errorId, string message)
        {
            RackspaceServer server = Web1((key, value));

            var error = Assert.Throws<PolicyException>(() => ServerMetadataPolicy.For(server));

            Assert.Equal(errorId, error.ErrorId);
            Assert.Equal(key, error.Field);
            Assert.Equal("server web1 (" + Id1 + ")", error.SourceName);
            Assert.Null(error.Line);
            Assert.Equal(message, error.Message);
        }

        [Fact]
        public void Every_error_id_of_the_convention_has_a_case_above()
        {
            var tested = new HashSet<string>(Refusals().Select(row => (string)row[2]));
            string[] expected =
            {
                PolicyException.RuleSyntax, PolicyException.RuleTooLong, PolicyException.FieldUnknown, PolicyException.FieldDuplicate,
                PolicyException.FieldConflict, PolicyException.ValueInvalid, PolicyException.ValueOutOfRange, PolicyException.DurationInvalid,
                PolicyException.ScheduleInvalid, RetentionPolicyException.Missing, RetentionPolicyException.Conflict,
                RetentionPolicyException.KeepsNothing, RetentionPolicyException.NegativeCount, RetentionPolicyException.InvalidWithin,
                RetentionPolicyException.TimeZoneNotFound,
            };

            Assert.Equal(string.Empty, string.Join(", ", expected.Where(id => !tested.Contains(id))));
        }

        [Fact]
        public void Two_spellings_of_one_key_are_both_refused()
        {
            RackspaceServer server = Web1(("autosnap:daily", "retention=7"), ("AUTOSNAP:daily", "daily=3"), ("autosnap:weekly", "retention=2"));
            var errors = new List<PolicyException>();

            IReadOnlyList<SnapshotPolicy> policies = ServerMetadataPolicy.For(server, errors);

            Assert.Equal("weekly", Assert.Single(policies).Schedule);
            PolicyException error = Assert.Single(errors);
            Assert.Equal(PolicyException.PoolConflict, error.ErrorId);
            Assert.Equal("autosnap:daily", error.Field);
            Assert.Equal("server web1 (" + Id1 + "), metadata 'autosnap:daily': the keys AUTOSNAP:daily and autosnap:daily both set schedule 'daily'; keep one of them.",
                         error.Message);
            Assert.Equal(error.Message, Assert.Throws<PolicyException>(() => ServerMetadataPolicy.For(server)).Message);
        }

        [Fact]
        public void One_bad_key_does_not_stop_the_others_when_errors_are_collected()
        {
            RackspaceServer server = Web1(("autosnap:daily", "daily=seven"), ("autosnap:weekly", "retention=2"), ("autosnap:monthly", "monthly=x"));
            var errors = new List<PolicyException>();

            IReadOnlyList<SnapshotPolicy> policies = ServerMetadataPolicy.For(server, errors);

            Assert.Equal("weekly", Assert.Single(policies).Schedule);
            Assert.Equal(new[] { "autosnap:daily", "autosnap:monthly" }, errors.Select(e => e.Field));
            Assert.Equal("autosnap:daily", Assert.Throws<PolicyException>(() => ServerMetadataPolicy.For(server)).Field);
        }

        [Fact]
        public void Arguments_are_required()
        {
            Assert.Throws<ArgumentNullException>(() => ServerMetadataPolicy.For(null!));
            Assert.Throws<ArgumentNullException>(() => ServerMetadataPolicy.For(Web1(), null!));
            Assert.Throws<ArgumentNullException>(() => ServerMetadataPolicy.FormatRules(null!));
        }

        [Theory]
        [InlineData("retention=7")]
        [InlineData("retention=0,keepfailed=true")]
        [InlineData("daily=7,weekly=4,monthly=12,tz=Europe/Berlin,every=20h")]
        [InlineData("last=1,hourly=24,daily=7,weekly=4,monthly=12,yearly=3,within=2d,tz=UTC,every=90m,timeout=3h,keepfailed=true")]
        [InlineData("daily=7,tz=UTC,timeout=00:00:01.5000000")]
        public void FormatRules_writes_what_For_reads(string canonical)
        {
            SnapshotPolicy policy = One(canonical);

            Assert.Equal(canonical, ServerMetadataPolicy.FormatRules(policy.Retention, policy.MinInterval,
                                                                      policy.Timeout == SnapshotPolicy.DefaultTimeout ? (TimeSpan?)null : policy.Timeout));
        }

        [Fact]
        public void FormatRules_always_names_the_zone_of_bucket_rules()
        {
            RetentionPolicy retention = RetentionPolicy.FromRules(new BucketRules { KeepDaily = 7 }, TimeZones.Find("America/New_York"));

            Assert.Equal("daily=7,tz=" + retention.TimeZone.Id, ServerMetadataPolicy.FormatRules(retention));
        }

        [Fact]
        public void The_longest_rules_fit_a_metadata_value()
        {
            var rules = new BucketRules { KeepLast = 100000, KeepHourly = 100000, KeepDaily = 100000, KeepWeekly = 100000, KeepMonthly = 100000, KeepYearly = 100000,
                                          KeepWithin = new TimeSpan(9999, 23, 59, 59) };
            RetentionPolicy retention = RetentionPolicy.FromRules(rules, TimeZones.Find("America/Argentina/ComodRivadavia")).WithKeepFailed();

            string text = ServerMetadataPolicy.FormatRules(retention, new TimeSpan(365, 23, 59, 59), new TimeSpan(6, 23, 59, 59));

            Assert.True(text.Length <= ServerMetadataPolicy.MaxValueLength, text);
            Assert.NotEmpty(ServerMetadataPolicy.For(Web1(("autosnap:x", text))));
        }

        [Fact]
        public void The_rule_keys_are_documented_in_order()
        {
            Assert.Equal(new[] { "retention", "last", "hourly", "daily", "weekly", "monthly", "yearly", "within", "tz", "every", "timeout", "keepfailed" },
                         ServerMetadataPolicy.RuleKeys);
        }
    }
}
