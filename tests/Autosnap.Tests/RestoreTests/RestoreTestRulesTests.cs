using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Policy;
using Autosnap.Tests.Policy;
using Xunit;
using static Autosnap.Tests.Policy.PolicyTestSupport;
using static Autosnap.Tests.Rotation.Images;

namespace Autosnap.Tests.RestoreTests
{
    /// <summary>
    /// Restore tests as pure rules: the policy's restoreTest (parsing, refusals, schema), the due rule, the result marks
    /// on an image, and how freshness judges a pool's restore tests.
    /// </summary>
    public class RestoreTestRulesTests
    {
        private static readonly DateTimeOffset Now = Time("2026-03-01T12:00Z");
        private const string PoolServer = Autosnap.Tests.Rotation.Images.Server;
        private static readonly Lazy<SchemaValidator> Schema = new Lazy<SchemaValidator>(() => SchemaValidator.Load(RepositoryFile("module/policy.schema.json")));

        /// <summary>An image of the test pool with restore test marks.</summary>
        private static AutoSnapshot Tested(DateTimeOffset created, string? verified = null, string? failed = null, string status = "ACTIVE")
        {
            AutoSnapshot plain = At(created, status);
            var properties = plain.Properties.ToDictionary(p => p.Key, p => p.Value);
            if (verified != null) properties[AutosnapMetadata.RestoreVerified] = verified;
            if (failed != null) properties[AutosnapMetadata.RestoreFailed] = failed;
            return new AutoSnapshot(plain.Id, plain.Name, plain.Status, plain.Created, plain.Region, properties);
        }

        [Fact]
        public void A_policy_reads_every_field_of_restoreTest()
        {
            SnapshotPolicy policy = ParseOne(Valid + ", \"restoreTest\": {\"every\": \"7d\", \"pick\": \"random\", \"within\": \"3d\", " +
                                             "\"flavor\": \"m1.tiny\", \"network\": \"none\", \"timeout\": \"20m\"}");

            RestoreTestPolicy test = policy.RestoreTest!;
            Assert.Equal(TimeSpan.FromDays(7), test.Every);
            Assert.Equal(RestorePick.Random, test.Pick);
            Assert.Equal(TimeSpan.FromDays(3), test.Within);
            Assert.Equal("m1.tiny", test.Flavor);
            Assert.Equal("none", test.Network);
            Assert.Equal(TimeSpan.FromMinutes(20), test.Timeout);
        }

        [Fact]
        public void Only_every_is_required_and_the_rest_has_defaults()
        {
            RestoreTestPolicy test = ParseOne(Valid + ", \"restoreTest\": {\"every\": \"7d\"}").RestoreTest!;

            Assert.Equal((RestorePick.Newest, RestoreTestPolicy.DefaultWithin, RestoreTestPolicy.DefaultTimeout, (string?)null, (string?)null),
                         (test.Pick, test.Within, test.Timeout, test.Flavor, test.Network));
            Assert.Null(ParseOne(Valid).RestoreTest);
        }

        public static IEnumerable<object?[]> Refusals() => new[]
        {
            new object?[] { "\"restoreTest\": 7", "PolicyFieldType", "policies[0].restoreTest",
                "restoreTest must be an object, e.g. { \"every\": \"7d\" }, not a whole number." },
            new object?[] { "\"restoreTest\": {}", "PolicyFieldMissing", "policies[0].restoreTest.every",
                "missing; restoreTest needs 'every'." },
            new object?[] { "\"restoreTest\": {\"every\": \"7d\", \"evry\": \"1d\"}", "PolicyFieldUnknown", "policies[0].restoreTest.evry",
                "unknown field 'evry'; did you mean 'every'? The fields of restoreTest are: every, pick, within, flavor, network, timeout." },
            new object?[] { "\"restoreTest\": {\"every\": 7}", "PolicyFieldType", "policies[0].restoreTest.every",
                "must be a duration text such as \"20h\", \"6d\" or \"20:00:00\", not a whole number." },
            new object?[] { "\"restoreTest\": {\"every\": \"0d\"}", "PolicyValueOutOfRange", "policies[0].restoreTest.every",
                "must be longer than zero and at most 366d, not 0s." },
            new object?[] { "\"restoreTest\": {\"every\": \"7d\", \"pick\": \"oldest\"}", "PolicyValueInvalid", "policies[0].restoreTest.pick",
                "must be \"newest\" or \"random\", not 'oldest'." },
            new object?[] { "\"restoreTest\": {\"every\": \"7d\", \"pick\": \"Newest\"}", "PolicyValueInvalid", "policies[0].restoreTest.pick",
                "'Newest' is written 'newest' (values are case-sensitive)." },
            new object?[] { "\"restoreTest\": {\"every\": \"7d\", \"within\": \"3d\"}", "PolicyFieldConflict", "policies[0].restoreTest.within",
                "only a random pick looks back; give \"pick\": \"random\" or leave within out." },
            new object?[] { "\"restoreTest\": {\"every\": \"7d\", \"flavor\": \"\"}", "PolicyValueEmpty", "policies[0].restoreTest.flavor",
                "cannot be empty; leave it out for the default." },
            new object?[] { "\"restoreTest\": {\"every\": \"7d\", \"network\": 1}", "PolicyFieldType", "policies[0].restoreTest.network",
                "must be a text, not a whole number (write \"1\" in quotes)." },
            new object?[] { "\"restoreTest\": {\"every\": \"7d\", \"timeout\": \"2d\"}", "PolicyValueOutOfRange", "policies[0].restoreTest.timeout",
                "must be longer than zero and at most 1d, not 2d." },
        };

        [Theory]
        [MemberData(nameof(Refusals))]
        public void A_bad_restoreTest_is_refused_with_its_place(string member, string errorId, string field, string message)
        {
            PolicyException error = Refused(OnePolicy(Valid + ", " + member));

            Assert.Equal((errorId, field), (error.ErrorId, error.Field));
            Assert.Equal(field + ": " + message, WithoutLocation(error));
            Assert.Equal(1, error.Line);
        }

        [Theory]
        [MemberData(nameof(Refusals))]
        public void The_schema_refuses_them_too_except_the_ranges(string member, string errorId, string field, string message)
        {
            bool refused = Schema.Value.Validate(SchemaValidator.Read(OnePolicy(Valid + ", " + member))).Count > 0;

            // Like minInterval and timeout, the schema cannot compare durations with their limits.
            Assert.Equal(errorId != PolicyException.ValueOutOfRange, refused);
            Assert.NotNull(field + message);
        }

        [Fact]
        public void A_pool_is_due_when_its_newest_result_is_old_enough_or_missing()
        {
            TimeSpan every = TimeSpan.FromDays(7);
            var never = new[] { At(Now.AddDays(-1)), At(Now.AddDays(-2)) };
            var verifiedSixDaysAgo = new[] { Tested(Now.AddDays(-1)), Tested(Now.AddDays(-8), verified: "2026-02-23T12:00:00Z") };
            var failedSevenDaysAgo = new[] { Tested(Now.AddDays(-9), failed: "2026-02-22T12:00:00Z did not boot") };
            // The newest result counts, whichever image carries it and whatever its outcome.
            var failedYesterdayVerifiedLongAgo = new[]
            {
                Tested(Now.AddDays(-2), failed: "2026-02-28T12:00:00Z timeout"),
                Tested(Now.AddDays(-20), verified: "2026-02-01T00:00:00Z"),
            };

            Assert.True(RestoreTestPolicy.IsDue(every, never, Now));
            Assert.False(RestoreTestPolicy.IsDue(every, verifiedSixDaysAgo, Now));
            Assert.True(RestoreTestPolicy.IsDue(every, failedSevenDaysAgo, Now));   // exactly "every" old is due
            Assert.False(RestoreTestPolicy.IsDue(every, failedYesterdayVerifiedLongAgo, Now));
            Assert.Equal(Time("2026-02-28T12:00Z"), RestoreTestPolicy.LastTested(failedYesterdayVerifiedLongAgo));
        }

        [Fact]
        public void A_mark_is_the_time_and_a_short_one_line_reason_within_Glance_limit()
        {
            var mark = new RestoreTestMark(Time("2026-03-01T12:00:00.789Z"), "boot failed:\nERROR\tno valid host " + new string('x', 400));

            string value = mark.ToString();
            Assert.True(value.Length <= 255, value.Length.ToString());
            Assert.StartsWith("2026-03-01T12:00:00Z boot failed: ERROR no valid host xxx", value);
            Assert.EndsWith("\u2026", value);
            RestoreTestMark read = RestoreTestMark.Parse(value)!;
            Assert.Equal(Time("2026-03-01T12:00:00Z"), read.Time);
            Assert.Equal(mark.Reason, read.Reason);
            Assert.Equal("2026-03-01T12:00:00Z", new RestoreTestMark(Time("2026-03-01T12:00Z")).ToString());
            Assert.Null(RestoreTestMark.Parse("yesterday"));
            Assert.Null(RestoreTestMark.Parse(""));
        }

        [Fact]
        public void An_image_knows_its_last_restore_outcome_and_the_newer_mark_wins()
        {
            AutoSnapshot failedLater = Tested(Now, verified: "2026-02-01T00:00:00Z", failed: "2026-02-02T00:00:00Z validate threw");
            AutoSnapshot verifiedLater = Tested(Now, verified: "2026-02-03T00:00:00Z", failed: "2026-02-02T00:00:00Z validate threw");

            Assert.Equal((false, "validate threw"), (failedLater.LastRestoreTestPassed!.Value, failedLater.RestoreFailedReason));
            Assert.True(verifiedLater.LastRestoreTestPassed);
            Assert.Null(At(Now).LastRestoreTestPassed);
            Assert.Null(Tested(Now, verified: "not a time").RestoreVerified);
        }

        private static readonly FreshnessThresholds Judged =
            new FreshnessThresholds(TimeSpan.FromHours(26), TimeSpan.FromHours(50), TimeSpan.FromDays(8));

        private static AutoSnapshotFreshness Evaluate(FreshnessThresholds thresholds, params AutoSnapshot[] images) =>
            FreshnessCheck.Evaluate("DFW", PoolServer, "web1", Schedule, images, Now, thresholds);

        [Fact]
        public void Freshness_with_restore_tests_is_ok_warning_or_critical_by_the_newest_result()
        {
            AutoSnapshot fresh = Tested(Now.AddHours(-2));
            AutoSnapshotFreshness verified = Evaluate(Judged, fresh, Tested(Now.AddDays(-3), verified: "2026-02-26T12:00:00Z"));
            AutoSnapshotFreshness stale = Evaluate(Judged, fresh, Tested(Now.AddDays(-10), verified: "2026-02-20T12:00:00Z"));
            AutoSnapshotFreshness never = Evaluate(Judged, fresh);
            AutoSnapshotFreshness failed = Evaluate(Judged, fresh,
                Tested(Now.AddDays(-3), verified: "2026-02-20T12:00:00Z", failed: "2026-02-26T12:00:00Z server went to ERROR"));

            Assert.Equal((FreshnessStatus.Ok, FreshnessStatus.Ok), (verified.Status, verified.RestoreStatus!.Value));
            Assert.Equal("newest good 2h00m ago (restore verified 3d00h ago)", verified.Message);
            Assert.Equal((FreshnessStatus.Warning, FreshnessStatus.Warning), (stale.Status, stale.RestoreStatus!.Value));
            Assert.Equal("newest good 2h00m ago (restore verified 9d00h ago, over 8d)", stale.Message);
            Assert.Equal((FreshnessStatus.Warning, "newest good 2h00m ago (never restore-tested)"), (never.Status, never.Message));
            Assert.Equal(FreshnessStatus.Critical, failed.Status);
            Assert.Equal("server went to ERROR", failed.RestoreFailedReason);
            Assert.EndsWith("failed 3d00h ago: server went to ERROR)", failed.Message);
            // Without -RestoreTestedWithin the marks change nothing.
            Assert.Equal((FreshnessStatus.Ok, (FreshnessStatus?)null),
                (Evaluate(FreshnessThresholds.Default, fresh, Tested(Now.AddDays(-3), failed: "2026-02-26T12:00:00Z x")).Status,
                 Evaluate(FreshnessThresholds.Default, fresh).RestoreStatus));
        }

        [Fact]
        public void A_stale_snapshot_stays_critical_whatever_the_restore_tests_say()
        {
            AutoSnapshotFreshness old = Evaluate(Judged, Tested(Now.AddDays(-3), verified: "2026-03-01T00:00:00Z"));

            Assert.Equal((FreshnessStatus.Critical, FreshnessStatus.Ok), (old.Status, old.RestoreStatus!.Value));
        }

        [Fact]
        public void The_Nagios_line_counts_failed_and_stale_restore_tests_in_its_performance_data()
        {
            AutoSnapshot fresh = Tested(Now.AddHours(-2));
            var results = new[]
            {
                FreshnessCheck.Evaluate("DFW", PoolServer, "web1", Schedule, new[] { fresh, Tested(Now.AddDays(-1), failed: "2026-02-28T12:00:00Z did not boot") }, Now, Judged),
                FreshnessCheck.Evaluate("DFW", PoolServer, "web2", Schedule, new[] { fresh, Tested(Now.AddDays(-1), verified: "2026-02-28T12:00:00Z") }, Now, Judged),
                FreshnessCheck.Evaluate("DFW", PoolServer, "web3", Schedule, new[] { fresh }, Now, Judged),
            };

            NagiosReport report = NagiosReport.From(results);

            Assert.Equal(2, report.ExitCode);
            Assert.StartsWith("AUTOSNAP CRITICAL - 2 of 3 pools stale: web1/daily newest good 2h00m ago (restore test of ", report.Line);
            Assert.Contains("failed 1d00h ago: did not boot), web3/daily newest good 2h00m ago (never restore-tested)", report.Line);
            Assert.EndsWith("| pools=3 ok=1 warning=1 critical=1 unknown=0 restore_failed=1 restore_stale=1", report.Line);
            Assert.DoesNotContain("restore_", NagiosReport.From(new[] { FreshnessCheck.Evaluate("DFW", PoolServer, "web1", Schedule, new[] { fresh }, Now, FreshnessThresholds.Default) }).Line);
        }

        [Fact]
        public void The_restore_test_age_must_be_positive()
        {
            Assert.Throws<ArgumentException>(() => new FreshnessThresholds(TimeSpan.FromHours(26), TimeSpan.FromHours(50), TimeSpan.Zero));
        }
    }
}
