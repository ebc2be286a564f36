using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.LocalCloud.State;
using Autosnap.Model;
using Autosnap.Policy;
using Autosnap.Tests.EndToEnd;
using Xunit;

namespace Autosnap.Tests.RestoreTests
{
    /// <summary>
    /// Restore tests end to end against LocalCloud (in-process, virtual clock): the outcomes, the marks on the image,
    /// and the safety rules the issue names: a restore test never touches the original server or its images; a
    /// throwaway server is deleted whatever happens; nothing but servers tagged as throwaway is ever deleted.
    /// </summary>
    public class RestoreTestEndToEndTests
    {
        private const string Schedule = "daily";

        /// <summary>A LocalCloud whose servers boot in <paramref name="bootSeconds"/> of its virtual clock, and a wait clock that moves it.</summary>
        private static async Task<CloudHarness> StartAsync(double bootSeconds = 30)
        {
            TestClock clock = TestClock.Virtual();
            CloudHttpOptions http = CloudHarness.FastRetries();
            http.Clock = clock;
            CloudHarness cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0, BootSeconds = bootSeconds }, http);
            clock.OnDelay = delay =>
            {
                cloud.Server.Clock.Advance(delay);
                return Task.CompletedTask;
            };
            return cloud;
        }

        private static RestoreTestOptions Quick(Action<RestoreTestOptions>? change = null)
        {
            var options = new RestoreTestOptions { Timeout = TimeSpan.FromMinutes(5), FirstPollInterval = TimeSpan.FromSeconds(5), MaxPollInterval = TimeSpan.FromSeconds(10) };
            change?.Invoke(options);
            return options;
        }

        private static async Task<string> SnapshotAsync(CloudHarness cloud, RackspaceServer server)
        {
            string id = await cloud.Snapshots.StartAsync(server, Schedule, null, null, CancellationToken.None);
            // Whole seconds apart, as clouds stamp them.
            cloud.Server.Clock.Advance(TimeSpan.FromMinutes(1));
            return id;
        }

        private static async Task<List<RestoreTestResult>> RunAsync(CloudHarness cloud, RackspaceServer server, RestoreTestOptions options,
                                                                   int throttle = 4, CancellationToken cancellationToken = default, RestoreTestService? service = null)
        {
            var results = new ConcurrentQueue<RestoreTestResult>();
            service ??= new RestoreTestService(cloud.Session, cloud.Host, new Random(7));
            var pools = new[] { new RestoreTestPool(server.Region, server.Id, server.Name, Schedule, options) };
            await service.RunAsync(pools, throttle, results.Enqueue, cancellationToken);
            return results.ToList();
        }

        private static async Task<IReadOnlyList<RackspaceServer>> ListServersAsync(CloudHarness cloud) =>
            await cloud.Snapshots.Compute(cloud.Region).ListServersAsync(null, CancellationToken.None);

        private static async Task<IReadOnlyList<RackspaceServer>> ThrowawaysAsync(CloudHarness cloud) =>
            (await ListServersAsync(cloud)).Where(s => s.Metadata.ContainsKey(AutosnapMetadata.RestoreTest)).ToList();

        private static string Describe(AutoSnapshot image) =>
            image.Id + " " + image.Status + " " + string.Join(",", image.Properties.OrderBy(p => p.Key).Select(p => p.Key + "=" + p.Value));

        private static string Describe(RackspaceServer server) =>
            server.Id + " " + server.Name + " " + server.Status + " " + server.FlavorId + " " + string.Join(",", server.Metadata.OrderBy(p => p.Key).Select(p => p.Key + "=" + p.Value));

        [Fact]
        public async Task A_restore_test_never_touches_the_original_server_or_its_images()
        {
            await using CloudHarness cloud = await StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            string older = await SnapshotAsync(cloud, web);
            string newest = await SnapshotAsync(cloud, web);
            string serverBefore = Describe((await cloud.Snapshots.Compute(cloud.Region).FindServerAsync(web.Id, CancellationToken.None))!);
            var imagesBefore = (await cloud.ImagesOfAsync(web)).ToDictionary(i => i.Id, Describe);

            List<RestoreTestResult> results = await RunAsync(cloud, web, Quick());

            RestoreTestResult result = Assert.Single(results);
            Assert.Equal((RestoreTestOutcome.Verified, newest, true, true), (result.Outcome, result.ImageId, result.ThrowawayDeleted, result.Recorded));
            // The virtual clock: BUILD lasts bootSeconds (30), seen ACTIVE at the next look (pauses of 5, 7.5, then 10 s).
            Assert.Equal(32.5, result.BootSeconds!.Value, 1);
            Assert.Equal("2 GB General Purpose v1", result.Flavor);   // min_disk 40 (web01's flavor): the smallest with 40 GB
            Assert.Equal(serverBefore, Describe((await cloud.Snapshots.Compute(cloud.Region).FindServerAsync(web.Id, CancellationToken.None))!));
            var imagesAfter = (await cloud.ImagesOfAsync(web)).ToDictionary(i => i.Id);
            Assert.Equal(imagesBefore.Keys.OrderBy(k => k), imagesAfter.Keys.OrderBy(k => k));
            Assert.Equal(imagesBefore[older], Describe(imagesAfter[older]));
            // On the tested image, exactly one key more: the verified mark, at the cloud's time of the test.
            Assert.Equal(imagesBefore[newest].Split(' ')[2].Split(',').Length + 1, Describe(imagesAfter[newest]).Split(' ')[2].Split(',').Length);
            Assert.Equal(result.TestedAt!.Value.ToUnixTimeSeconds(), imagesAfter[newest].RestoreVerified!.Value.ToUnixTimeSeconds());
            Assert.Null(imagesAfter[newest].RestoreFailed);
            Assert.Empty(await ThrowawaysAsync(cloud));
            Assert.Equal(1, await cloud.CountAsync("POST /servers"));
            Assert.Equal(1, await cloud.CountAsync("DELETE /servers/{id}"));
        }

        [Fact]
        public async Task An_image_that_does_not_boot_is_marked_failed_and_its_throwaway_server_deleted()
        {
            await using CloudHarness cloud = await StartAsync();
            RackspaceServer db = await cloud.ServerAsync("db01");
            string image = await SnapshotAsync(cloud, db);
            await cloud.AdminAsync(HttpMethod.Patch, "images/" + image, "{\"boots\": false}");

            RestoreTestResult result = Assert.Single(await RunAsync(cloud, db, Quick()));

            Assert.Equal((RestoreTestOutcome.Failed, true, true), (result.Outcome, result.ThrowawayDeleted, result.Recorded));
            Assert.StartsWith("the throwaway server went to ERROR", result.Reason);
            AutoSnapshot marked = (await cloud.PoolAsync(db, Schedule)).Single();
            Assert.Equal(result.Reason, marked.RestoreFailedReason);
            Assert.Null(marked.RestoreVerified);
            Assert.Empty(await ThrowawaysAsync(cloud));
        }

        [Fact]
        public async Task A_throwaway_server_is_deleted_when_validation_throws_or_fails()
        {
            await using CloudHarness cloud = await StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            await SnapshotAsync(cloud, web);
            var seen = new List<string>();

            RestoreTestResult thrown = Assert.Single(await RunAsync(cloud, web, Quick(o => o.Validate = (server, _) =>
            {
                seen.Add(server.Status + " " + server.Metadata[AutosnapMetadata.RestoreTest]);
                throw new InvalidOperationException("the database did not answer");
            })));
            RestoreTestResult refused = Assert.Single(await RunAsync(cloud, web, Quick(o => o.Validate = (_, _) => Task.FromResult<string?>("port 5432 closed"))));

            Assert.Equal((RestoreTestOutcome.Failed, "validation threw: the database did not answer", true), (thrown.Outcome, thrown.Reason, thrown.ThrowawayDeleted));
            Assert.Equal((RestoreTestOutcome.Failed, "port 5432 closed", true), (refused.Outcome, refused.Reason, refused.ThrowawayDeleted));
            Assert.Equal("ACTIVE " + thrown.ImageId, Assert.Single(seen));
            Assert.Empty(await ThrowawaysAsync(cloud));
        }

        [Fact]
        public async Task A_throwaway_server_is_deleted_when_the_boot_times_out()
        {
            await using CloudHarness cloud = await StartAsync(bootSeconds: 3600);
            RackspaceServer web = await cloud.ServerAsync("web01");
            await SnapshotAsync(cloud, web);

            RestoreTestResult result = Assert.Single(await RunAsync(cloud, web, Quick(o => { o.Timeout = TimeSpan.FromMinutes(10); o.MaxPollInterval = TimeSpan.FromMinutes(2); })));

            Assert.Equal((RestoreTestOutcome.Failed, true), (result.Outcome, result.ThrowawayDeleted));
            Assert.Equal("the throwaway server did not become ACTIVE within 10m (still BUILD)", result.Reason);
            Assert.Equal(600, result.BootSeconds!.Value, 0);
            Assert.Empty(await ThrowawaysAsync(cloud));
        }

        [Fact]
        public async Task A_throwaway_server_is_deleted_on_Ctrl_C_and_nothing_is_recorded()
        {
            await using CloudHarness cloud = await StartAsync(bootSeconds: 3600);
            RackspaceServer web = await cloud.ServerAsync("web01");
            await SnapshotAsync(cloud, web);
            using var stop = new CancellationTokenSource();
            // Ctrl+C while the wait pauses: the server exists and is still building.
            ((TestClock)cloud.Session.Cloud.Http.Options.Clock).OnDelay = delay =>
            {
                cloud.Server.Clock.Advance(delay);
                stop.Cancel();
                return Task.CompletedTask;
            };

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(cloud, web, Quick(), cancellationToken: stop.Token));

            Assert.Equal(1, await cloud.CountAsync("POST /servers"));
            Assert.Equal(1, await cloud.CountAsync("DELETE /servers/{id}"));
            Assert.Empty(await ThrowawaysAsync(cloud));
            AutoSnapshot image = (await cloud.PoolAsync(web, Schedule)).Single();
            Assert.Null(image.LastRestoreTestPassed);
        }

        [Fact]
        public async Task Nothing_but_servers_tagged_as_throwaway_is_ever_deleted()
        {
            await using CloudHarness cloud = await StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            await SnapshotAsync(cloud, web);
            DateTimeOffset now = cloud.Server.Clock.UtcNow;
            string Expires(TimeSpan from) => new RestoreTestMark(now + from).ToString();
            async Task<string> SeedAsync(string name, string metadata) =>
                (string)(await cloud.AdminAsync(HttpMethod.Post, "servers",
                    "{\"count\":1,\"region\":\"" + cloud.Region + "\",\"namePrefix\":\"" + name + "\",\"metadata\":" + metadata + "}"))["servers"]![0]!["id"]!;
            string leftover = await SeedAsync("autosnap-restore-test-web01-daily-x",
                $"{{\"autosnap_restore_test\":\"img\",\"autosnap_restore_run\":\"run-1\",\"autosnap_restore_expires\":\"{Expires(TimeSpan.FromMinutes(-1))}\"}}");
            string otherRunStillGoing = await SeedAsync("autosnap-restore-test-web01-daily-y",
                $"{{\"autosnap_restore_test\":\"img\",\"autosnap_restore_run\":\"run-2\",\"autosnap_restore_expires\":\"{Expires(TimeSpan.FromHours(1))}\"}}");
            string sameNameNoTag = await SeedAsync("autosnap-restore-test-web01-daily-z", "{\"role\":\"web\"}");
            string onlyOneTag = await SeedAsync("autosnap-restore-test-web01-daily-w", "{\"autosnap_restore_test\":\"img\"}");
            string restoredByUser = await SeedAsync("web01-restore", "{\"autosnap_restored_from\":\"img\"}");
            var before = (await ListServersAsync(cloud)).Select(s => s.Id).ToList();

            RestoreTestResult result = Assert.Single(await RunAsync(cloud, web, Quick()));

            var after = (await ListServersAsync(cloud)).Select(s => s.Id).ToList();
            Assert.Equal(RestoreTestOutcome.Verified, result.Outcome);
            Assert.Equal(before.Where(id => id != leftover).OrderBy(id => id), after.OrderBy(id => id));
            Assert.Contains(otherRunStillGoing, after);
            Assert.Contains(sameNameNoTag, after);
            Assert.Contains(onlyOneTag, after);
            Assert.Contains(restoredByUser, after);
            Assert.Contains(cloud.Host.Warnings, w => w.Contains(leftover) && w.Contains("earlier restore test left behind"));

            // Once the other run's time is up, its server is a leftover too.
            cloud.Server.Clock.Advance(TimeSpan.FromHours(2));
            Assert.Equal(1, await new RestoreTestService(cloud.Session, cloud.Host).DeleteLeftoversAsync(cloud.Region, CancellationToken.None));
            Assert.DoesNotContain(otherRunStillGoing, (await ListServersAsync(cloud)).Select(s => s.Id));
        }

        [Fact]
        public async Task No_room_in_the_quota_boots_nothing_and_says_so()
        {
            await using CloudHarness cloud = await StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            await SnapshotAsync(cloud, web);
            int servers = (await ListServersAsync(cloud)).Count;
            await cloud.ConfigureAsync("{\"maxTotalInstances\": " + servers + "}");

            RestoreTestResult result = Assert.Single(await RunAsync(cloud, web, Quick()));

            Assert.Equal((RestoreTestOutcome.Skipped, true, false), (result.Outcome, result.QuotaExceeded, result.Recorded));
            Assert.Contains("instances: " + servers + " of " + servers + " used, 1 more needed", result.Reason);
            Assert.Equal(0, await cloud.CountAsync("POST /servers"));
        }

        [Fact]
        public async Task The_TCP_probe_passes_on_a_listening_port_and_fails_on_a_closed_one()
        {
            await using CloudHarness cloud = await StartAsync();
            RackspaceServer web = await cloud.ServerAsync("web01");
            await SnapshotAsync(cloud, web);
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int open = ((IPEndPoint)listener.LocalEndpoint).Port;
            int closed;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                closed = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            RestoreTestResult passed = Assert.Single(await RunAsync(cloud, web, Quick(o => { o.Network = "loopback"; o.TcpPort = open; })));
            RestoreTestResult failed = Assert.Single(await RunAsync(cloud, web, Quick(o => { o.Network = "loopback"; o.TcpPort = closed; o.Timeout = TimeSpan.FromMinutes(2); })));

            Assert.Equal((RestoreTestOutcome.Verified, "ACTIVE, TCP " + open + " answered"), (passed.Outcome, passed.Reason));
            Assert.Equal(RestoreTestOutcome.Failed, failed.Outcome);
            Assert.StartsWith("TCP probe of port " + closed + " failed within", failed.Reason);
            Assert.Contains("127.0.0.1:" + closed, failed.Reason);
            Assert.Empty(await ThrowawaysAsync(cloud));
        }

        /// <summary>
        /// The issue's "done when", on LocalCloud: a nightly policy with restoreTest.every = 7d over 30 simulated nights
        /// tests each pool four or five times, marks the image that does not boot failed, makes the restore-tested check
        /// CRITICAL for that pool only, and leaves no throwaway server.
        /// </summary>
        [Fact]
        public async Task Thirty_nights_of_a_nightly_policy_with_weekly_restore_tests()
        {
            await using CloudHarness cloud = await StartAsync(bootSeconds: 45);
            RackspaceServer web = await cloud.ServerAsync("web01");
            RackspaceServer db = await cloud.ServerAsync("db01");
            PolicyDocument document = PolicyFile.Parse(
                "{\"policies\": [{\"schedule\": \"nightly\", \"targets\": {\"names\": [\"web01\", \"db01\"]}, \"retention\": {\"keepDaily\": 7}," +
                " \"restoreTest\": {\"every\": \"7d\", \"timeout\": \"20m\"}}]}", "policy.json");
            var tested = new Dictionary<string, List<(int Night, RestoreTestOutcome Outcome)>> { ["web01"] = new(), ["db01"] = new() };
            int notDue = 0;

            for (int night = 1; night <= 30; night++)
            {
                cloud.Server.Clock.Advance(TimeSpan.FromDays(1));
                var plan = await new PolicyRunPlanner(cloud.Session, cloud.Host).PlanAsync(document, null, CancellationToken.None);
                await new FleetRunner(cloud.Session, cloud.Host).RunPlanAsync(plan, 4, job => Assert.Equal(JobStatus.Succeeded, job.Status), CancellationToken.None);
                // db01's restore points are active but broken (LocalCloud's "does not boot").
                foreach (AutoSnapshot image in (await cloud.PoolAsync(db, "nightly")).Where(i => !i.Properties.ContainsKey("broken")))
                {
                    await cloud.AdminAsync(HttpMethod.Patch, "images/" + image.Id, "{\"boots\": false, \"properties\": {\"broken\": \"yes\"}}");
                }
                var service = new RestoreTestService(cloud.Session, cloud.Host, new Random(night));
                var due = await service.PoolsOfPolicyAsync(document, CancellationToken.None);
                await service.RunAsync(due, 4, result =>
                {
                    if (result.Outcome == RestoreTestOutcome.NotDue) Interlocked.Increment(ref notDue);
                    else lock (tested) tested[result.ServerName!].Add((night, result.Outcome));
                }, CancellationToken.None);
            }

            Assert.Equal(new[] { 1, 8, 15, 22, 29 }, tested["web01"].Select(t => t.Night));
            Assert.Equal(new[] { 1, 8, 15, 22, 29 }, tested["db01"].Select(t => t.Night));
            Assert.All(tested["web01"], t => Assert.Equal(RestoreTestOutcome.Verified, t.Outcome));
            Assert.All(tested["db01"], t => Assert.Equal(RestoreTestOutcome.Failed, t.Outcome));
            Assert.Equal(2 * 30 - 10, notDue);
            Assert.Empty(await ThrowawaysAsync(cloud));

            var thresholds = new FreshnessThresholds(FreshnessThresholds.DefaultWarning, FreshnessThresholds.DefaultCritical, TimeSpan.FromDays(8));
            IReadOnlyList<AutoSnapshotFreshness> pools = await new FreshnessService(cloud.Session, cloud.Host)
                .CheckRegionAsync(cloud.Region, new[] { "nightly" }, thresholds, CancellationToken.None);
            NagiosReport report = NagiosReport.From(pools);
            Assert.Equal(new[] { "db01/nightly Critical", "web01/nightly Ok" }, pools.Select(p => p.Pool + " " + p.Status).OrderBy(p => p));
            Assert.Equal(2, report.ExitCode);
            Assert.StartsWith("AUTOSNAP CRITICAL - 1 of 2 pools stale: db01/nightly newest good ", report.Line);
            Assert.Contains("failed 1d", report.Line);
            Assert.EndsWith("restore_failed=1 restore_stale=0", report.Line);
        }

        [Fact]
        public void The_flavor_is_the_smallest_that_fits_the_image_and_the_recorded_disk()
        {
            var flavors = new[]
            {
                new RackspaceFlavor("a", "tiny", 512, 1, 1, "DFW"),
                new RackspaceFlavor("b", "small", 2048, 1, 20, "DFW"),
                new RackspaceFlavor("c", "general", 2048, 2, 40, "DFW"),
                new RackspaceFlavor("d", "medium", 4096, 2, 40, "DFW"),
                new RackspaceFlavor("e", "compute", 3840, 2, 0, "DFW"),
                new RackspaceFlavor("f", "small2", 2048, 1, 40, "DFW"),
            };

            Assert.Equal("a", FlavorChoice.Smallest(flavors, 0, 0, null, false)!.Id);
            Assert.Equal("b", FlavorChoice.Smallest(flavors, 10, 1024, null, false)!.Id);
            Assert.Equal("f", FlavorChoice.Smallest(flavors, 10, 0, flavors[2], false)!.Id);   // the recorded 40 GB disk must fit; fewer CPUs win a tie
            Assert.Equal("d", FlavorChoice.Smallest(flavors, 40, 3000, null, false)!.Id);
            Assert.Equal("e", FlavorChoice.Smallest(flavors, 40, 3000, flavors[3], true)!.Id);   // volume-backed: the disk does not count
            Assert.Null(FlavorChoice.Smallest(flavors, 200, 0, null, false));
            // Nova refuses a flavor whose disk is smaller than the image: a 2 GiB and a bit image needs 3 GiB.
            Assert.Equal("b", FlavorChoice.Smallest(flavors, 0, 0, null, false, (2L << 30) + 1)!.Id);
            Assert.Equal(3, FlavorChoice.DiskNeeded(0, null, (2L << 30) + 1));
        }

        [Fact]
        public void The_restore_point_is_the_newest_good_one_or_a_random_recent_good_one()
        {
            DateTimeOffset now = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
            AutoSnapshot Image(int daysAgo, string status = "ACTIVE") => Autosnap.Tests.Rotation.Images.At(now.AddDays(-daysAgo), status);
            var pool = new[] { Image(0, "SAVING"), Image(1, "ERROR"), Image(2), Image(3), Image(5), Image(9) };
            var random = new Random(1);

            Assert.Equal(pool[2].Id, RestoreTestService.PickRestorePoint(pool, RestorePick.Newest, TimeSpan.FromDays(7), random)!.Id);
            var picks = Enumerable.Range(0, 200).Select(_ => RestoreTestService.PickRestorePoint(pool, RestorePick.Random, TimeSpan.FromDays(3), random)!.Id).ToHashSet();
            Assert.Equal(new[] { pool[2].Id, pool[3].Id, pool[4].Id }.OrderBy(i => i), picks.OrderBy(i => i));
            Assert.Null(RestoreTestService.PickRestorePoint(new[] { Image(0, "SAVING"), Image(1, "ERROR") }, RestorePick.Newest, TimeSpan.FromDays(7), random));
        }

        [Fact]
        public void A_leftover_needs_both_tags_another_run_and_a_past_expiry()
        {
            DateTimeOffset now = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
            RackspaceServer Server(params (string, string)[] metadata) =>
                new RackspaceServer("s", "autosnap-restore-test-web1-daily", "ACTIVE", null, "DFW", null, metadata.ToDictionary(m => m.Item1, m => m.Item2));
            string past = new RestoreTestMark(now.AddMinutes(-1)).ToString(), future = new RestoreTestMark(now.AddMinutes(1)).ToString();

            Assert.True(RestoreTestService.IsLeftover(Server((AutosnapMetadata.RestoreTest, "i"), (AutosnapMetadata.RestoreRun, "r1"), (AutosnapMetadata.RestoreExpires, past)), "r2", now));
            Assert.True(RestoreTestService.IsLeftover(Server((AutosnapMetadata.RestoreTest, "i"), (AutosnapMetadata.RestoreRun, "r1")), "r2", now));
            Assert.False(RestoreTestService.IsLeftover(Server((AutosnapMetadata.RestoreTest, "i"), (AutosnapMetadata.RestoreRun, "r1"), (AutosnapMetadata.RestoreExpires, future)), "r2", now));
            Assert.False(RestoreTestService.IsLeftover(Server((AutosnapMetadata.RestoreTest, "i"), (AutosnapMetadata.RestoreRun, "r2"), (AutosnapMetadata.RestoreExpires, past)), "r2", now));
            Assert.False(RestoreTestService.IsLeftover(Server((AutosnapMetadata.RestoreTest, "i"), (AutosnapMetadata.RestoreExpires, past)), "r2", now));
            Assert.False(RestoreTestService.IsLeftover(Server((AutosnapMetadata.RestoreRun, "r1"), (AutosnapMetadata.RestoreExpires, past)), "r2", now));
            Assert.False(RestoreTestService.IsLeftover(Server(), "r2", now));
        }
    }
}
