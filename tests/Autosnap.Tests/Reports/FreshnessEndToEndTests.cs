using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Engine;
using Autosnap.Model;
using Xunit;

namespace Autosnap.Tests.Reports
{
    /// <summary>The freshness check against a LocalCloud whose virtual clock the tests move.</summary>
    public class FreshnessEndToEndTests
    {
        private static readonly TimeSpan Day = TimeSpan.FromDays(1);
        private static readonly string Web01 = ReportsCloud.ServerId("web01");
        private static readonly string Db01 = ReportsCloud.ServerId("db01");

        private static Task<IReadOnlyList<AutoSnapshotFreshness>> CheckServer(ReportsCloud cloud, string idOrName, params string[] schedules) =>
            new FreshnessService(cloud.Session, new RecordingHost())
                .CheckServerAsync(idOrName, new[] { ReportsCloud.Region }, schedules, FreshnessThresholds.Default, CancellationToken.None);

        [Fact]
        public async Task A_pool_goes_from_ok_to_warning_to_critical_as_the_cloud_clock_advances()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            await cloud.SeedPoolAsync(Web01, "daily", TimeSpan.FromHours(1), Day, "active", "active", "active");

            AutoSnapshotFreshness fresh = (await CheckServer(cloud, "web01", "daily")).Single();
            cloud.Advance(TimeSpan.FromHours(26));
            AutoSnapshotFreshness late = (await CheckServer(cloud, "web01", "daily")).Single();
            cloud.Advance(TimeSpan.FromHours(24));
            AutoSnapshotFreshness stale = (await CheckServer(cloud, "web01", "daily")).Single();

            Assert.Equal(FreshnessStatus.Ok, fresh.Status);
            // Ages come from the cloud's Date headers (second resolution), never from this machine's clock.
            Assert.InRange(fresh.Age!.Value, TimeSpan.FromHours(1) - TimeSpan.FromSeconds(2), TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
            Assert.Equal("web01", fresh.ServerName);
            Assert.Equal(Web01, fresh.ServerId);
            Assert.Equal(3, fresh.ImageCount);
            Assert.Equal(FreshnessStatus.Warning, late.Status);
            Assert.StartsWith("newest good 1d03h ago (warning 26h)", late.Message);
            Assert.Equal(FreshnessStatus.Critical, stale.Status);
            Assert.StartsWith("newest good 2d03h ago (critical 50h)", stale.Message);
            Assert.Equal(fresh.NewestGood!.Id, stale.NewestGood!.Id);
        }

        [Fact]
        public async Task A_failed_newest_image_does_not_count()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            IReadOnlyList<string> ids = await cloud.SeedPoolAsync(Web01, "daily", TimeSpan.FromHours(2), Day, "active", "active", "killed", "killed");

            AutoSnapshotFreshness result = (await CheckServer(cloud, Web01, "daily")).Single();

            Assert.Equal(FreshnessStatus.Critical, result.Status);
            Assert.Equal(ids[1], result.NewestGood!.Id);
            Assert.Equal(2, result.FailedSinceGood);
            Assert.Contains("2 failed since", result.Message);
        }

        [Fact]
        public async Task A_pool_of_failed_images_only_is_critical()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            await cloud.SeedPoolAsync(Web01, "daily", TimeSpan.FromHours(1), Day, "killed", "killed");

            AutoSnapshotFreshness result = (await CheckServer(cloud, "web01", "daily")).Single();

            Assert.Equal(FreshnessStatus.Critical, result.Status);
            Assert.Null(result.NewestGood);
            Assert.Equal("no good image (2 failed)", result.Message);
        }

        [Fact]
        public async Task A_server_with_no_pool_is_critical_whether_a_schedule_is_asked_for_or_not()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            await cloud.SeedPoolAsync(Web01, "daily", TimeSpan.FromHours(1), Day, "active");
            await cloud.SeedForeignImageAsync(Db01);

            IReadOnlyList<AutoSnapshotFreshness> asked = await CheckServer(cloud, "db01", "daily", "weekly");
            IReadOnlyList<AutoSnapshotFreshness> any = await CheckServer(cloud, "db01");
            IReadOnlyList<AutoSnapshotFreshness> webWeekly = await CheckServer(cloud, "web01", "daily", "weekly");

            Assert.Equal(new[] { "db01/daily", "db01/weekly" }, asked.Select(r => r.Pool));
            Assert.All(asked, r => Assert.Equal(FreshnessStatus.Critical, r.Status));
            Assert.All(asked, r => Assert.Equal("no snapshot in this pool (the job never ran)", r.Message));
            var whole = Assert.Single(any);
            Assert.Equal(FreshnessStatus.Critical, whole.Status);
            Assert.Equal("db01/*", whole.Pool);
            Assert.Equal(new[] { FreshnessStatus.Ok, FreshnessStatus.Critical }, webWeekly.Select(r => r.Status));
        }

        [Fact]
        public async Task Without_a_schedule_every_pool_of_the_server_is_checked()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            await cloud.SeedPoolAsync(Web01, "daily", TimeSpan.FromHours(1), Day, "active", "active");
            await cloud.SeedPoolAsync(Web01, "weekly", TimeSpan.FromDays(3), TimeSpan.FromDays(7), "active", "active");

            IReadOnlyList<AutoSnapshotFreshness> results = await CheckServer(cloud, "web01");

            Assert.Equal(new[] { "web01/daily", "web01/weekly" }, results.Select(r => r.Pool));
            Assert.Equal(new[] { FreshnessStatus.Ok, FreshnessStatus.Critical }, results.Select(r => r.Status));
        }

        [Fact]
        public async Task A_server_that_does_not_exist_is_unknown_not_stale()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();

            AutoSnapshotFreshness result = (await CheckServer(cloud, "no-such-server", "daily")).Single();

            Assert.Equal(FreshnessStatus.Unknown, result.Status);
            Assert.Equal("no-such-server/daily", result.Pool);
            Assert.Equal("no server with id or name 'no-such-server' in DFW", result.Message);
        }

        [Fact]
        public async Task A_region_scan_finds_every_pool_names_servers_and_flags_orphans()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            string gone = "00000000-0000-4000-8000-00000000dead";   // sorts first: pools are listed by name or id
            await cloud.SeedPoolAsync(Web01, "daily", TimeSpan.FromHours(1), Day, "active", "active");
            await cloud.SeedPoolAsync(Web01, "weekly", TimeSpan.FromDays(3), TimeSpan.FromDays(7), "active");
            await cloud.SeedPoolAsync(Db01, "daily", TimeSpan.FromHours(30), Day, "active");
            await cloud.SeedPoolAsync(gone, "daily", TimeSpan.FromDays(5), Day, "active");
            await cloud.SeedForeignImageAsync(Web01);

            IReadOnlyList<AutoSnapshotFreshness> all = await new FreshnessService(cloud.Session, new RecordingHost())
                .CheckRegionAsync(ReportsCloud.Region, Array.Empty<string>(), FreshnessThresholds.Default, CancellationToken.None);
            IReadOnlyList<AutoSnapshotFreshness> daily = await new FreshnessService(cloud.Session, new RecordingHost())
                .CheckRegionAsync(ReportsCloud.Region, new[] { "daily" }, FreshnessThresholds.Default, CancellationToken.None);

            Assert.Equal(new[] { $"{gone}/daily", "db01/daily", "web01/daily", "web01/weekly" }, all.Select(r => r.Pool));
            Assert.Equal(new[] { FreshnessStatus.Critical, FreshnessStatus.Warning, FreshnessStatus.Ok, FreshnessStatus.Critical }, all.Select(r => r.Status));
            Assert.EndsWith("(critical 50h, server gone)", all[0].Message);
            Assert.Equal(new[] { $"{gone}/daily", "db01/daily", "web01/daily" }, daily.Select(r => r.Pool));
        }

        [Fact]
        public async Task A_region_without_pools_gives_no_result()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            await cloud.SeedForeignImageAsync(Web01);

            IReadOnlyList<AutoSnapshotFreshness> results = await new FreshnessService(cloud.Session, new RecordingHost())
                .CheckRegionAsync(ReportsCloud.Region, Array.Empty<string>(), FreshnessThresholds.Default, CancellationToken.None);

            Assert.Empty(results);
        }

        [Fact]
        public async Task A_listing_that_fails_is_unknown_for_the_server_and_for_the_region()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            await cloud.SeedPoolAsync(Web01, "daily", TimeSpan.FromHours(1), Day, "active");
            cloud.BreakImageService();

            AutoSnapshotFreshness server = (await CheckServer(cloud, "web01", "daily")).Single();
            AutoSnapshotFreshness region = (await new FreshnessService(cloud.Session, new RecordingHost())
                .CheckRegionAsync(ReportsCloud.Region, Array.Empty<string>(), FreshnessThresholds.Default, CancellationToken.None)).Single();

            Assert.Equal(FreshnessStatus.Unknown, server.Status);
            Assert.Equal("web01/daily", server.Pool);
            Assert.StartsWith("listing failed: ", server.Message);
            Assert.Equal(FreshnessStatus.Unknown, region.Status);
            Assert.Equal("all pools in DFW", region.Pool);
            Assert.StartsWith("listing the snapshots of DFW failed: ", region.Message);
        }

        [Fact]
        public async Task The_cmdlet_writes_one_nagios_line_with_its_exit_code_and_leaves_LASTEXITCODE_alone()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            await cloud.SeedPoolAsync(Web01, "daily", TimeSpan.FromHours(1), Day, "active");
            await cloud.SeedPoolAsync(Db01, "daily", TimeSpan.FromHours(80), Day, "active");
            using PowerShell shell = InProcess.Shell();
            shell.AddCommand("Test-AutoSnapshotFreshness").AddParameter("Session", cloud.Session).AddParameter("Nagios")
                .AddParameter("Warning", "1d").AddParameter("Critical", "3d");

            PSObject line = Assert.Single(shell.Invoke());

            Assert.Equal("AUTOSNAP CRITICAL - 1 of 2 pools stale: db01/daily newest good 3d08h ago (critical 3d) | pools=2 ok=1 warning=0 critical=1 unknown=0",
                line.BaseObject);
            Assert.Equal(2, line.Properties["ExitCode"].Value);
            Assert.Equal(FreshnessStatus.Critical, line.Properties["Status"].Value);
            // a cmdlet is not a process: the exit code is the caller's to set
            Assert.Null(shell.Runspace.SessionStateProxy.GetVariable("LASTEXITCODE"));
        }

        [Fact]
        public async Task The_cmdlet_writes_one_result_per_pool_for_piped_servers()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            await cloud.SeedPoolAsync(Web01, "daily", TimeSpan.FromHours(1), Day, "active");
            using PowerShell shell = InProcess.Shell();
            shell.AddScript("param($Session) 'web01', 'db01' | Test-AutoSnapshotFreshness -Schedule daily -Session $Session").AddArgument(cloud.Session);

            List<AutoSnapshotFreshness> results = InProcess.Invoke<AutoSnapshotFreshness>(shell);

            Assert.Equal(new[] { "web01/daily", "db01/daily" }, results.Select(r => r.Pool));
            Assert.Equal(new[] { FreshnessStatus.Ok, FreshnessStatus.Critical }, results.Select(r => r.Status));
        }

        [Fact]
        public void Thresholds_in_the_wrong_order_end_the_command_or_make_the_nagios_line_unknown()
        {
            using PowerShell plain = InProcess.Shell();
            plain.AddCommand("Test-AutoSnapshotFreshness").AddParameter("Warning", "2d").AddParameter("Critical", "26h");
            using PowerShell nagios = InProcess.Shell();
            nagios.AddCommand("Test-AutoSnapshotFreshness").AddParameter("Warning", "2d").AddParameter("Critical", "26h").AddParameter("Nagios");

            Assert.Equal("AutoSnapshotFreshnessInvalidArgument", InProcess.TerminatingErrorId(plain));
            PSObject line = Assert.Single(nagios.Invoke());
            Assert.Equal("AUTOSNAP UNKNOWN - The warning age (2d) must be below the critical age (26h).", line.BaseObject);
            Assert.Equal(3, line.Properties["ExitCode"].Value);
        }

        [Fact]
        public void Not_connected_ends_the_command_or_makes_the_nagios_line_unknown()
        {
            using PowerShell plain = InProcess.Shell();
            plain.AddCommand("Test-AutoSnapshotFreshness");
            using PowerShell nagios = InProcess.Shell();
            nagios.AddCommand("Test-AutoSnapshotFreshness").AddParameter("Nagios");

            Assert.Equal("RackspaceSessionNotFound", InProcess.TerminatingErrorId(plain));
            PSObject line = Assert.Single(nagios.Invoke());
            Assert.Equal("AUTOSNAP UNKNOWN - Not connected: run Connect-RackspaceCloud first, or pass -Session.", line.BaseObject);
            Assert.Equal(3, line.Properties["ExitCode"].Value);
        }
    }
}
