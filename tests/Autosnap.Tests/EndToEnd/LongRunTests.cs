using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;
using CloudSettings = Autosnap.LocalCloud.State.CloudSettings;

namespace Autosnap.Tests.EndToEnd
{
    public class LongRunTests
    {
        [Fact]
        public async Task Four_hundred_nights_against_the_cloud_end_where_the_plan_view_says_and_never_without_a_good_image()
        {
            // The cloud's clock says when each night is; 5 % of its snapshots fail. Afterwards the simulator replays
            // the same nights (times and outcomes only, no cloud) and must arrive at the same images.
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0, SnapshotFailRate = 0.05, Seed = 400 });
            RackspaceServer web = await cloud.ServerAsync("web01");
            var policy = RetentionPolicy.FromRules(new BucketRules { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12, KeepYearly = 2 }, TimeZones.Find("Europe/Berlin"));
            var first = new DateTimeOffset(2025, 1, 1, 0, 5, 0, TimeSpan.Zero);
            var nights = new List<AutoSnapshot>();
            int failedNights = 0;

            for (int night = 0; night < 400; night++)
            {
                await cloud.AdminAsync(HttpMethod.Post, "clock", $"{{\"set\":\"{first.AddDays(night):yyyy-MM-ddTHH:mm:ssZ}\"}}");
                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(web, cloud.Job("daily", policy), CancellationToken.None);
                Assert.NotNull(result.Snapshot);
                nights.Add(result.Snapshot!);
                if (result.Snapshot!.State != SnapshotState.Good) failedNights++;
                Assert.Equal(result.Snapshot.State == SnapshotState.Good ? JobStatus.Succeeded : JobStatus.Failed, result.Status);

                var pool = await cloud.PoolAsync(web, "daily");
                if (nights.Any(n => n.State == SnapshotState.Good))
                {
                    Assert.Contains(pool, image => image.State == SnapshotState.Good);
                }
            }

            SimulationResult expected = RetentionSimulator.Simulate(nights, policy);
            var actual = await cloud.PoolAsync(web, "daily");
            Assert.InRange(failedNights, 5, 40);
            Assert.True(expected.NeverWithoutGoodImage);
            Assert.Equal(expected.Survivors.Select(s => s.Id).OrderBy(i => i), actual.Select(i => i.Id).OrderBy(i => i));
        }
    }
}
