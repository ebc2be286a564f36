using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Policy;
using Xunit;
using static Autosnap.Tests.Rotation.Images;

namespace Autosnap.Tests.Reports
{
    /// <summary>The freshness verdict as pure functions: thresholds, classification, one pool's images, the Nagios line.</summary>
    public class FreshnessClassificationTests
    {
        private static readonly DateTimeOffset Now = Time("2026-03-01T12:00Z");
        private static readonly FreshnessThresholds Daily = new FreshnessThresholds(TimeSpan.FromHours(26), TimeSpan.FromHours(50));

        private static AutoSnapshotFreshness Evaluate(params AutoSnapshot[] images) =>
            FreshnessCheck.Evaluate("DFW", Server, "web1", Schedule, images, Now, Daily);

        [Theory]
        [InlineData(0, FreshnessStatus.Ok)]
        [InlineData(25 * 60, FreshnessStatus.Ok)]
        [InlineData(26 * 60, FreshnessStatus.Ok)]          // at the threshold is still within it (Nagios: alert when above)
        [InlineData(26 * 60 + 1, FreshnessStatus.Warning)]
        [InlineData(50 * 60, FreshnessStatus.Warning)]
        [InlineData(50 * 60 + 1, FreshnessStatus.Critical)]
        [InlineData(30 * 24 * 60, FreshnessStatus.Critical)]
        public void An_age_is_ok_warning_or_critical(int minutes, FreshnessStatus expected)
        {
            Assert.Equal(expected, FreshnessCheck.Classify(TimeSpan.FromMinutes(minutes), Daily));
        }

        [Fact]
        public void No_good_image_at_all_is_critical()
        {
            Assert.Equal(FreshnessStatus.Critical, FreshnessCheck.Classify(null, Daily));
        }

        [Theory]
        [InlineData(26, 26)]
        [InlineData(50, 26)]
        [InlineData(0, 50)]
        [InlineData(-1, 50)]
        public void Thresholds_must_be_positive_and_warning_below_critical(int warningHours, int criticalHours)
        {
            Assert.Throws<ArgumentException>(() => new FreshnessThresholds(TimeSpan.FromHours(warningHours), TimeSpan.FromHours(criticalHours)));
        }

        [Fact]
        public void The_defaults_suit_a_daily_job()
        {
            Assert.Equal(TimeSpan.FromHours(26), FreshnessThresholds.Default.Warning);
            Assert.Equal(TimeSpan.FromHours(50), FreshnessThresholds.Default.Critical);
        }

        [Fact]
        public void The_newest_good_image_decides_and_newer_failed_ones_do_not_count()
        {
            AutoSnapshot good = At(Now.AddHours(-30));

            AutoSnapshotFreshness freshness = Evaluate(At(Now.AddHours(-54)), good, At(Now.AddHours(-6), "ERROR"), At(Now.AddMinutes(-5), "SAVING"));

            Assert.Same(good, freshness.NewestGood);
            Assert.Equal(FreshnessStatus.Warning, freshness.Status);
            Assert.Equal(TimeSpan.FromHours(30), freshness.Age);
            Assert.Equal(1, freshness.FailedSinceGood);
            Assert.Equal(4, freshness.ImageCount);
            Assert.Equal(Now, freshness.CheckedAt);
            Assert.Equal("newest good 1d06h ago (warning 26h, 1 failed since)", freshness.Message);
            Assert.Equal("web1/daily", freshness.Pool);
        }

        [Fact]
        public void A_fresh_pool_is_ok_with_its_age_in_the_message()
        {
            AutoSnapshotFreshness freshness = Evaluate(At(Now.AddHours(-25)), At(Now.AddMinutes(-70)));

            Assert.Equal(FreshnessStatus.Ok, freshness.Status);
            Assert.Equal("newest good 1h10m ago", freshness.Message);
        }

        [Fact]
        public void A_stale_pool_is_critical_and_says_by_which_limit()
        {
            AutoSnapshotFreshness freshness = Evaluate(At(Now.AddHours(-74)));

            Assert.Equal(FreshnessStatus.Critical, freshness.Status);
            Assert.Equal("newest good 3d02h ago (critical 50h)", freshness.Message);
        }

        [Fact]
        public void A_pool_of_failed_and_pending_images_only_is_critical()
        {
            AutoSnapshotFreshness freshness = Evaluate(At(Now.AddHours(-2), "ERROR"), At(Now.AddHours(-1), "killed"), At(Now.AddMinutes(-1), "queued"));

            Assert.Equal(FreshnessStatus.Critical, freshness.Status);
            Assert.Null(freshness.NewestGood);
            Assert.Null(freshness.Age);
            Assert.Equal("no good image (2 failed, 1 pending)", freshness.Message);
        }

        [Fact]
        public void Gone_images_are_ignored()
        {
            AutoSnapshotFreshness freshness = Evaluate(At(Now.AddHours(-1), "deleted"), At(Now.AddHours(-60)));

            Assert.Equal(FreshnessStatus.Critical, freshness.Status);
            Assert.Equal(1, freshness.ImageCount);
        }

        [Fact]
        public void An_image_stamped_after_the_clocks_now_is_age_zero_not_negative()
        {
            Assert.Equal(TimeSpan.Zero, Evaluate(At(Now.AddSeconds(1))).Age);
        }

        [Fact]
        public void A_server_with_no_pool_is_critical_because_the_job_never_ran()
        {
            AutoSnapshotFreshness inPool = FreshnessCheck.NoPool("DFW", Server, "web1", "daily", Now, Daily);
            AutoSnapshotFreshness anyPool = FreshnessCheck.NoPool("DFW", Server, "web1", null, Now, Daily);

            Assert.Equal(FreshnessStatus.Critical, inPool.Status);
            Assert.Equal("web1/daily", inPool.Pool);
            Assert.Equal(FreshnessStatus.Critical, anyPool.Status);
            Assert.Equal("web1/*", anyPool.Pool);
            Assert.Contains("never ran", anyPool.Message);
        }

        [Fact]
        public void Nagios_line_for_one_critical_pool_among_five()
        {
            var results = new List<AutoSnapshotFreshness>
            {
                Pool("web1", Now.AddHours(-74)),
                Pool("web2", Now.AddHours(-2)),
                Pool("web3", Now.AddHours(-3)),
                Pool("db1", Now.AddHours(-1)),
                Pool("db2", Now.AddHours(-20)),
            };

            NagiosReport report = NagiosReport.From(results);

            Assert.Equal(FreshnessStatus.Critical, report.Status);
            Assert.Equal(2, report.ExitCode);
            Assert.Equal("AUTOSNAP CRITICAL - 1 of 5 pools stale: web1/daily newest good 3d02h ago (critical 50h) | pools=5 ok=4 warning=0 critical=1 unknown=0",
                report.Line);
        }

        [Fact]
        public void Nagios_line_when_all_pools_are_fresh_names_the_stalest()
        {
            NagiosReport report = NagiosReport.From(new[] { Pool("web1", Now.AddHours(-2)), Pool("db1", Now.AddHours(-20)) });

            Assert.Equal(0, report.ExitCode);
            Assert.Equal("AUTOSNAP OK - 2 pools fresh, stalest db1/daily newest good 20h00m ago | pools=2 ok=2 warning=0 critical=0 unknown=0", report.Line);
        }

        [Fact]
        public void Nagios_status_is_the_worst_with_critical_above_warning_above_unknown()
        {
            AutoSnapshotFreshness ok = Pool("a", Now.AddHours(-1));
            AutoSnapshotFreshness warning = Pool("b", Now.AddHours(-30));
            AutoSnapshotFreshness critical = Pool("c", Now.AddHours(-60));
            AutoSnapshotFreshness unknown = FreshnessCheck.Unknown("DFW", Server, "d", "daily", "listing failed: image: 500", Daily);

            Assert.Equal(1, NagiosReport.From(new[] { ok, warning, unknown }).ExitCode);
            Assert.Equal(2, NagiosReport.From(new[] { ok, warning, critical, unknown }).ExitCode);
            Assert.Equal(3, NagiosReport.From(new[] { ok, unknown }).ExitCode);
            Assert.Equal(
                "AUTOSNAP WARNING - 1 of 3 pools stale: b/daily newest good 1d06h ago (warning 26h); 1 of 3 pools unknown: d/daily listing failed: image: 500 | pools=3 ok=1 warning=1 critical=0 unknown=1",
                NagiosReport.From(new[] { ok, warning, unknown }).Line);
        }

        [Fact]
        public void Nagios_lists_critical_pools_first_and_counts_the_rest()
        {
            var results = new[] { Pool("w1", Now.AddHours(-30)), Pool("c1", Now.AddHours(-60)), Pool("w2", Now.AddHours(-40)), Pool("c2", Now.AddHours(-90)), Pool("w3", Now.AddHours(-27)) };

            string line = NagiosReport.From(results).Line;

            Assert.StartsWith("AUTOSNAP CRITICAL - 5 of 5 pools stale: c2/daily newest good 3d18h ago (critical 50h), c1/daily newest good 2d12h ago (critical 50h), " +
                              "w2/daily newest good 1d16h ago (warning 26h), and 2 more |", line);
        }

        [Fact]
        public void Nagios_with_no_pools_at_all_is_unknown()
        {
            NagiosReport report = NagiosReport.From(Array.Empty<AutoSnapshotFreshness>());

            Assert.Equal(3, report.ExitCode);
            Assert.Equal("AUTOSNAP UNKNOWN - no Autosnap pools found | pools=0 ok=0 warning=0 critical=0 unknown=0", report.Line);
        }

        [Fact]
        public void Nagios_line_stays_one_line_without_a_stray_performance_separator()
        {
            AutoSnapshotFreshness unknown = FreshnessCheck.Unknown("DFW", Server, "web1", "daily", "listing failed:\r\nbad | answer", Daily);

            NagiosReport report = NagiosReport.From(new[] { unknown });
            NagiosReport failure = NagiosReport.Failure("cannot connect:\nrefused | try later");

            Assert.Equal("AUTOSNAP UNKNOWN - 1 of 1 pool unknown: web1/daily listing failed: bad / answer | pools=1 ok=0 warning=0 critical=0 unknown=1", report.Line);
            Assert.Equal("AUTOSNAP UNKNOWN - cannot connect: refused / try later", failure.Line);
            Assert.Equal(3, failure.ExitCode);
        }

        private static AutoSnapshotFreshness Pool(string server, DateTimeOffset newestGood) =>
            FreshnessCheck.Evaluate("DFW", Guid.NewGuid().ToString(), server, Schedule, new[] { At(newestGood) }, Now, Daily);
    }

    /// <summary>The freshness check reads and prints durations with the module's one duration syntax (PolicyDuration).</summary>
    public class FreshnessDurationTests
    {
        [Theory]
        [InlineData("26h", 26 * 60)]
        [InlineData("2d", 2 * 24 * 60)]
        [InlineData("90m", 90)]
        [InlineData("1w", 7 * 24 * 60)]
        [InlineData("1d12h", 36 * 60)]
        [InlineData("1.02:00:00", 26 * 60)]
        [InlineData("00:30:00", 30)]
        public void Parses_monitoring_forms_and_timespans(string text, int minutes)
        {
            Assert.True(PolicyDuration.TryParse(text, out TimeSpan value));
            Assert.Equal(TimeSpan.FromMinutes(minutes), value);
        }

        [Theory]
        [InlineData("")]
        [InlineData("26")]
        [InlineData("h")]
        [InlineData("26x")]
        [InlineData("-2d")]
        [InlineData("26H")]
        [InlineData("12h1d")]
        public void Refuses_anything_else(string text)
        {
            Assert.False(PolicyDuration.TryParse(text, out _));
        }

        [Theory]
        [InlineData(0, "0s")]
        [InlineData(45, "45s")]
        [InlineData(90 * 60 + 5, "1h30m")]
        [InlineData(74 * 3600 + 59, "3d02h")]
        [InlineData(23 * 3600 + 10 * 60, "23h10m")]
        public void Ages_read_to_two_units_rounded_down(int seconds, string expected)
        {
            Assert.Equal(expected, PolicyDuration.FormatAge(TimeSpan.FromSeconds(seconds)));
        }
    }
}
