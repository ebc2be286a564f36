using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;
using CloudSettings = Autosnap.LocalCloud.State.CloudSettings;

namespace Autosnap.Tests.EndToEnd
{
    public class FaultConvergenceTests
    {
        [Fact]
        public async Task Under_thirty_percent_faults_of_every_kind_nothing_good_and_recent_is_lost_and_the_pools_converge()
        {
            var http = CloudHarness.FastRetries();
            http.RequestTimeout = TimeSpan.FromSeconds(1);   // a stalled answer costs a second, not a minute
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0, StallSeconds = 30 }, http);
            var servers = new[] { await cloud.ServerAsync("web01"), await cloud.ServerAsync("db01") };
            await cloud.ConfigureAsync("{\"faultRate\": 0.3, \"faultKinds\": [\"500\",\"503\",\"429\",\"413\",\"reset\",\"stall\",\"garbage\"], \"faultPhase\": \"mixed\", \"seed\": 5}");

            var goodEverSeen = new Dictionary<string, AutoSnapshot>();
            var hadGood = new HashSet<string>();
            for (int day = 0; day < 4; day++)
            {
                foreach (RackspaceServer server in servers)
                {
                    var options = cloud.Job("daily", RetentionPolicy.FromRetention(2));
                    SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(server, options, CancellationToken.None);
                    if (result.Snapshot?.State == SnapshotState.Good && result.Status != JobStatus.Skipped)
                    {
                        goodEverSeen[result.Snapshot.Id] = result.Snapshot;
                        hadGood.Add(server.Id);
                    }
                }
                await cloud.ConfigureAsync("{\"faultRate\": 0}");
                foreach (RackspaceServer server in servers.Where(s => hadGood.Contains(s.Id)))
                {
                    Assert.Contains(await cloud.PoolAsync(server, "daily"), i => i.State == SnapshotState.Good);
                }
                await cloud.ConfigureAsync("{\"faultRate\": 0.3}");
                await cloud.AdvanceClockAsync(TimeSpan.FromDays(1));
            }

            await cloud.ConfigureAsync("{\"faultRate\": 0}");
            foreach (RackspaceServer server in servers)
            {
                SnapshotJobResult last = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(server, cloud.Job("daily", RetentionPolicy.FromRetention(2)), CancellationToken.None);
                Assert.Equal(JobStatus.Succeeded, last.Status);
                goodEverSeen[last.Snapshot!.Id] = last.Snapshot;
                var pool = await cloud.PoolAsync(server, "daily");

                // Converged: exactly retention + 1 good images, and they are the newest good ones ever made.
                var expected = goodEverSeen.Values.Where(i => i.ServerId == server.Id).OrderByDescending(i => i.Created).ThenBy(i => i.Id != last.Snapshot.Id).ThenBy(i => i.Id, StringComparer.Ordinal).Take(3).Select(i => i.Id);
                Assert.Equal(expected.OrderBy(i => i), pool.Where(i => i.State == SnapshotState.Good).Select(i => i.Id).OrderBy(i => i));
                // No retried request ever made a second image.
                Assert.Equal(pool.Count, pool.Select(i => i.Properties[AutosnapMetadata.Request]).Distinct().Count());
            }
            var stats = await cloud.StatsAsync();
            Assert.True(stats["faults"]!["total"]!.GetValue<int>() > 20, "the run must actually have met faults");
        }
    }
}
