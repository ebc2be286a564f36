using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;
using Xunit;
using CloudSettings = Autosnap.LocalCloud.State.CloudSettings;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>
    /// An open circuit holds calls to a failing host back for a while; a call meeting it waits (up to MaxCircuitWait)
    /// instead of failing at once, so one short outage does not fail every job that starts during it.
    /// </summary>
    public class CircuitWaitTests
    {
        private static CloudHttpOptions OpensAtOnce(TimeSpan maxCircuitWait)
        {
            var http = CloudHarness.FastRetries();
            http.MaxRetries = 0;
            http.BreakAfterFailures = 1;
            http.BreakDuration = TimeSpan.FromMilliseconds(800);
            http.MaxCircuitWait = maxCircuitWait;
            return http;
        }

        private static async Task OpenTheCircuit(CloudHarness cloud, ImageClient images)
        {
            await cloud.ConfigureAsync("{\"faultRate\": 1, \"faultKinds\": [\"503\"], \"faultServices\": [\"image\"]}");
            await Assert.ThrowsAsync<CloudException>(() => images.FindAsync("00000000-0000-4000-8000-000000000000", CancellationToken.None));
        }

        [Fact]
        public async Task A_call_that_meets_an_open_circuit_waits_for_it_and_then_succeeds()
        {
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0 }, OpensAtOnce(TimeSpan.FromSeconds(30)));
            RackspaceServer web = await cloud.ServerAsync("web01");
            ImageClient images = cloud.Snapshots.Images(web.Region);
            await OpenTheCircuit(cloud, images);
            await cloud.ConfigureAsync("{\"faultRate\": 0}");

            var clock = Stopwatch.StartNew();
            Assert.Null(await images.FindAsync("00000000-0000-4000-8000-000000000000", CancellationToken.None));
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.3, 10);   // held back until the break ended, then answered
            Assert.Contains(cloud.Host.Messages, m => m.Contains("failed repeatedly; waiting up to 30 s for it to take calls again"));
        }

        [Fact]
        public async Task A_call_gives_up_on_a_circuit_that_stays_open_after_MaxCircuitWait_and_says_so()
        {
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0 }, OpensAtOnce(TimeSpan.FromSeconds(2)));
            RackspaceServer web = await cloud.ServerAsync("web01");
            ImageClient images = cloud.Snapshots.Images(web.Region);
            await OpenTheCircuit(cloud, images);

            // Faults go on: every trial call the circuit lets through fails and opens it again.
            var clock = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<CloudException>(() => images.FindAsync("00000000-0000-4000-8000-000000000000", CancellationToken.None));
            Assert.Equal(CloudErrorKind.Unavailable, e.Kind);
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 15);
        }

        [Fact]
        public async Task With_no_circuit_wait_an_open_circuit_fails_the_call_at_once()
        {
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0 }, OpensAtOnce(TimeSpan.Zero));
            RackspaceServer web = await cloud.ServerAsync("web01");
            ImageClient images = cloud.Snapshots.Images(web.Region);
            await OpenTheCircuit(cloud, images);
            await cloud.ConfigureAsync("{\"faultRate\": 0}");

            var e = await Assert.ThrowsAsync<CloudException>(() => images.FindAsync("00000000-0000-4000-8000-000000000000", CancellationToken.None));
            Assert.Equal(CloudErrorKind.Unavailable, e.Kind);
            Assert.Contains("failed repeatedly and still takes no calls after 0 s of waiting", e.Message);
        }
    }
}
