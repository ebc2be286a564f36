using System;
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
        private static CloudHttpOptions OpensAtOnce(TimeSpan maxCircuitWait, IWaitClock clock, TimeSpan breakDuration)
        {
            var http = CloudHarness.FastRetries();
            http.MaxRetries = 0;
            http.BreakAfterFailures = 1;
            http.BreakDuration = breakDuration;
            http.MaxCircuitWait = maxCircuitWait;
            http.Clock = clock;
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
            // Polly times the break on the machine's clock, so the pauses here are real; the test looks at what the
            // call asked the clock for, never at how long it took.
            TestClock clock = TestClock.RealTime();
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0 },
                OpensAtOnce(TimeSpan.FromSeconds(30), clock, TimeSpan.FromMilliseconds(800)));
            RackspaceServer web = await cloud.ServerAsync("web01");
            ImageClient images = cloud.Snapshots.Images(web.Region);
            await OpenTheCircuit(cloud, images);
            await cloud.ConfigureAsync("{\"faultRate\": 0}");
            Assert.Empty(clock.Delays);

            Assert.Null(await images.FindAsync("00000000-0000-4000-8000-000000000000", CancellationToken.None));
            // held back (it paused on the clock) until the break ended, then answered
            Assert.NotEmpty(clock.Delays);
            Assert.All(clock.Delays, pause => Assert.Equal(TimeSpan.FromMilliseconds(250), pause));
            Assert.Contains(cloud.Host.Messages, m => m.Contains("failed repeatedly; waiting up to 30 s for it to take calls again"));
        }

        [Fact]
        public async Task A_call_gives_up_on_a_circuit_that_stays_open_after_MaxCircuitWait_and_says_so()
        {
            // A break far longer than the test: the circuit stays open, and the call's wait for it passes on the virtual clock.
            TestClock clock = TestClock.Virtual();
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0 },
                OpensAtOnce(TimeSpan.FromSeconds(2), clock, TimeSpan.FromHours(1)));
            RackspaceServer web = await cloud.ServerAsync("web01");
            ImageClient images = cloud.Snapshots.Images(web.Region);
            await OpenTheCircuit(cloud, images);

            var e = await Assert.ThrowsAsync<CloudException>(() => images.FindAsync("00000000-0000-4000-8000-000000000000", CancellationToken.None));
            Assert.Equal(CloudErrorKind.Unavailable, e.Kind);
            Assert.Contains("failed repeatedly and still takes no calls after 2 s of waiting", e.Message);
            Assert.Equal(TimeSpan.FromSeconds(2), clock.Elapsed);   // waited exactly MaxCircuitWait, in 250 ms looks
            Assert.Equal(8, clock.Delays.Count);
        }

        [Fact]
        public async Task With_no_circuit_wait_an_open_circuit_fails_the_call_at_once()
        {
            TestClock clock = TestClock.Virtual();
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0 },
                OpensAtOnce(TimeSpan.Zero, clock, TimeSpan.FromMilliseconds(800)));
            RackspaceServer web = await cloud.ServerAsync("web01");
            ImageClient images = cloud.Snapshots.Images(web.Region);
            await OpenTheCircuit(cloud, images);
            await cloud.ConfigureAsync("{\"faultRate\": 0}");

            var e = await Assert.ThrowsAsync<CloudException>(() => images.FindAsync("00000000-0000-4000-8000-000000000000", CancellationToken.None));
            Assert.Equal(CloudErrorKind.Unavailable, e.Kind);
            Assert.Contains("failed repeatedly and still takes no calls after 0 s of waiting", e.Message);
            Assert.Empty(clock.Delays);
        }
    }
}
