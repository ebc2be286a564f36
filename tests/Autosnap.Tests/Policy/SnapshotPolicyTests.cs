using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Policy;
using Autosnap.Rotation;
using Xunit;
using static Autosnap.Tests.Policy.PolicyTestSupport;

namespace Autosnap.Tests.Policy
{
    /// <summary>Policies built in code (as cmdlet parameters will build them): the same rules, messages naming the property.</summary>
    public class SnapshotPolicyTests
    {
        private static readonly TargetSelector Web = new TargetSelector(names: new[] { "web*" });
        private static readonly RetentionPolicy Seven = RetentionPolicy.FromRetention(7);

        [Fact]
        public void Defaults()
        {
            var policy = new SnapshotPolicy("daily", Web, Seven);

            Assert.Equal("daily", policy.Name);
            Assert.Equal("daily", policy.Schedule);
            Assert.Same(Web, policy.Targets);
            Assert.Same(Seven, policy.Retention);
            Assert.Null(policy.MinInterval);
            Assert.Equal(TimeSpan.FromHours(1), policy.Timeout);
            Assert.False(policy.AdoptLegacy);
            Assert.Equal(OrphanHandling.Keep, policy.OnServerDeleted);
            Assert.Empty(policy.Metadata);
            Assert.Null(policy.NameTemplate);
            Assert.Null(policy.Origin);
        }

        [Fact]
        public void Every_property_is_kept()
        {
            var policy = new SnapshotPolicy("weekly", Web, Seven.WithKeepFailed(), "db weekly", TimeSpan.FromDays(6), TimeSpan.FromHours(3),
                                            adoptLegacy: true, OrphanHandling.ApplyRetention, Map(("owner", "ops")), "{server}-{date}");

            Assert.Equal("db weekly", policy.Name);
            Assert.True(policy.Retention.KeepFailed);
            Assert.Equal(TimeSpan.FromDays(6), policy.MinInterval);
            Assert.Equal(TimeSpan.FromHours(3), policy.Timeout);
            Assert.True(policy.AdoptLegacy);
            Assert.Equal(OrphanHandling.ApplyRetention, policy.OnServerDeleted);
            Assert.Equal("ops", policy.Metadata["owner"]);
            Assert.Equal("{server}-{date}", policy.NameTemplate);
        }

        [Fact]
        public void The_limits_themselves_are_accepted()
        {
            var policy = new SnapshotPolicy("d", Web, Seven, new string('n', 128), SnapshotPolicy.MaxMinInterval, SnapshotPolicy.MaxTimeout,
                                            metadata: Enumerable.Range(1, 36).ToDictionary(i => "k" + i, i => new string('v', 255)));

            Assert.Equal(TimeSpan.FromDays(366), policy.MinInterval);
            Assert.Equal(TimeSpan.FromDays(7), policy.Timeout);
            Assert.Equal(36, policy.Metadata.Count);
        }

        public static IEnumerable<object[]> Invalid() => new[]
        {
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("no good", Web, Seven)), PolicyException.ScheduleInvalid, "schedule",
                "schedule: the schedule name 'no good' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. daily, weekly, monthly)." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy(null!, Web, Seven)), PolicyException.ScheduleInvalid, "schedule",
                "schedule: the schedule name '' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. daily, weekly, monthly)." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, name: " ")), PolicyException.ValueEmpty, "name",
                "name: a policy name cannot be empty; omit it to use the schedule." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, name: new string('n', 129))), PolicyException.ValueOutOfRange, "name",
                "name: a policy name has at most 128 characters, not 129." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, minInterval: TimeSpan.Zero)), PolicyException.ValueOutOfRange, "minInterval",
                "minInterval: must be longer than zero and at most 366d, not 0s." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, minInterval: TimeSpan.FromDays(366).Add(TimeSpan.FromTicks(1)))), PolicyException.ValueOutOfRange, "minInterval",
                "minInterval: must be longer than zero and at most 366d, not 366.00:00:00.0000001." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, timeout: TimeSpan.FromMinutes(-5))), PolicyException.ValueOutOfRange, "timeout",
                "timeout: must be longer than zero and at most 7d, not -00:05:00." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, timeout: TimeSpan.FromDays(8))), PolicyException.ValueOutOfRange, "timeout",
                "timeout: must be longer than zero and at most 7d, not 8d." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, onServerDeleted: (OrphanHandling)7)), PolicyException.ValueInvalid, "onServerDeleted",
                "onServerDeleted: '7' is not one of Keep, ApplyRetention." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, metadata: Map(("autosnap_pinned", "true")))), PolicyException.MetadataInvalid, "metadata.autosnap_pinned",
                "metadata.autosnap_pinned: metadata key 'autosnap_pinned' is reserved: keys starting with 'autosnap_' are Autosnap's own." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, metadata: new Dictionary<string, string> { ["a"] = null! })), PolicyException.MetadataInvalid, "metadata.a",
                "metadata.a: the value must be a text." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, metadata: Enumerable.Range(1, 37).ToDictionary(i => "k" + i, i => "v"))), PolicyException.MetadataInvalid, "metadata",
                "metadata: too much metadata: 41 items, of which 4 are Autosnap's; clouds allow 40." },
            new object[] { (Func<SnapshotPolicy>)(() => new SnapshotPolicy("daily", Web, Seven, nameTemplate: "{host}")), PolicyException.NameTemplateInvalid, "nameTemplate",
                "nameTemplate: '{host}' is not a placeholder; use {server}, {id}, {schedule}, {timestamp}, {date}." },
        };

        [Theory]
        [MemberData(nameof(Invalid))]
        public void Invalid_values_are_refused_naming_the_property(Func<SnapshotPolicy> create, string errorId, string field, string message)
        {
            var error = Assert.Throws<PolicyException>(() => create());

            Assert.Equal(errorId, error.ErrorId);
            Assert.Equal(field, error.Field);
            Assert.Equal(message, error.Message);
        }

        [Fact]
        public void Targets_and_retention_are_required()
        {
            Assert.Throws<ArgumentNullException>(() => new SnapshotPolicy("daily", null!, Seven));
            Assert.Throws<ArgumentNullException>(() => new SnapshotPolicy("daily", Web, null!));
        }

        [Fact]
        public void Metadata_is_an_immutable_exact_copy()
        {
            var metadata = new Dictionary<string, string> { ["Owner"] = "ops" };
            var policy = new SnapshotPolicy("daily", Web, Seven, metadata: metadata);
            metadata["Owner"] = "changed";

            Assert.Equal("ops", policy.Metadata["Owner"]);
            Assert.False(policy.Metadata.ContainsKey("owner"));
            Assert.Throws<NotSupportedException>(() => ((IDictionary<string, string>)policy.Metadata)["x"] = "y");
        }

        [Theory]
        [InlineData(null, null, true)]
        [InlineData(20.0, null, true)]
        [InlineData(null, 1.0, true)]
        [InlineData(20.0, 19.99, false)]
        [InlineData(20.0, 20.0, true)]
        [InlineData(20.0, 30.0, true)]
        [InlineData(20.0, -1.0, false)]
        public void IsDue_is_the_frequency_guard(double? minIntervalHours, double? newestAgeHours, bool due)
        {
            var policy = new SnapshotPolicy("daily", Web, Seven, minInterval: minIntervalHours.HasValue ? TimeSpan.FromHours(minIntervalHours.Value) : (TimeSpan?)null);
            var now = new DateTimeOffset(2026, 1, 20, 0, 5, 0, TimeSpan.Zero);

            Assert.Equal(due, policy.IsDue(newestAgeHours.HasValue ? now - TimeSpan.FromHours(newestAgeHours.Value) : (DateTimeOffset?)null, now));
        }

        [Fact]
        public void ToString_names_the_policy_its_targets_and_retention()
        {
            Assert.Equal("daily: names web*; retention 7 (keeps 8)", new SnapshotPolicy("daily", Web, Seven).ToString());
            Assert.Equal("nightly (daily): names web*; retention 7 (keeps 8)", new SnapshotPolicy("daily", Web, Seven, "nightly").ToString());
        }

        [Fact]
        public void A_document_built_in_code_follows_the_file_rules()
        {
            var daily = new SnapshotPolicy("daily", Web, Seven);
            var document = new PolicyDocument(new[] { daily }, 8);

            Assert.Same(daily, document.Policies.Single());
            Assert.Equal(8, document.ThrottleLimit);
            Assert.Null(new PolicyDocument(new[] { daily }).ThrottleLimit);

            var empty = Assert.Throws<PolicyException>(() => new PolicyDocument(Array.Empty<SnapshotPolicy>()));
            Assert.Equal("policies: there are no policies; give at least one.", empty.Message);
            Assert.Equal(PolicyException.ValueEmpty, empty.ErrorId);

            var throttle = Assert.Throws<PolicyException>(() => new PolicyDocument(new[] { daily }, 0));
            Assert.Equal("throttleLimit: must be from 1 to 256, not 0.", throttle.Message);

            var conflict = Assert.Throws<PolicyException>(() => new PolicyDocument(new[] { daily, new SnapshotPolicy("daily", Web, Seven, "again") }));
            Assert.Equal(PolicyException.PoolConflict, conflict.ErrorId);
            Assert.Equal("policies[1]", conflict.Field);
            Assert.StartsWith("policies[1]: this policy ('again') and policies[0] ('daily') would both rotate schedule 'daily' of the same servers (names web*).", conflict.Message);

            Assert.Throws<ArgumentNullException>(() => new PolicyDocument(null!));
            Assert.Throws<ArgumentNullException>(() => new PolicyDocument(new SnapshotPolicy[] { null! }));
        }
    }
}
