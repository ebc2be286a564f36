using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Xunit;
using CloudSettings = Autosnap.LocalCloud.State.CloudSettings;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>
    /// A snapshot goes on in the cloud while the API is unreachable for a while. The wait rides that out (failed looks
    /// and an open circuit cost looks, not the job) until its deadline, and then reports the failure it last met.
    /// </summary>
    public class WaitThroughOutageTests
    {
        private static CloudHttpOptions TrippingBreaker(IWaitClock clock, TimeSpan breakDuration)
        {
            // One retry and a breaker that opens on the first failed operation: the harshest setting for a wait.
            var http = CloudHarness.FastRetries();
            http.MaxRetries = 1;
            http.BreakAfterFailures = 1;
            http.BreakDuration = breakDuration;
            http.Clock = clock;
            return http;
        }

        [Fact]
        public async Task A_wait_outlives_an_outage_that_opens_the_circuit_and_ends_with_the_good_image()
        {
            // The break of the circuit is Polly's and real (300 ms); the wait's pauses are real too, and the test
            // ends the outage at a known point: the wait has failed to look, said it waits on, and is pausing.
            TestClock clock = TestClock.RealTime();
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0 }, TrippingBreaker(clock, TimeSpan.FromMilliseconds(300)));
            RackspaceServer web = await cloud.ServerAsync("web01");
            SnapshotService snapshots = cloud.Snapshots;
            string imageId = await snapshots.StartAsync(web, "daily", null, null, CancellationToken.None);

            await cloud.ConfigureAsync("{\"faultRate\": 1, \"faultKinds\": [\"503\"], \"faultServices\": [\"compute\", \"image\"]}");
            int failedLooksWhenTheOutageEnded = 0;
            clock.OnDelay = async _ =>
            {
                int failedLooks = cloud.Host.Messages.Count(m => m.Contains("Could not look at snapshot of web01") && m.Contains("still waiting"));
                if (failedLooksWhenTheOutageEnded == 0 && failedLooks >= 2)
                {
                    failedLooksWhenTheOutageEnded = failedLooks;
                    await cloud.ConfigureAsync("{\"faultRate\": 0}");
                }
            };

            WaitResult result = await snapshots.WaitAsync(imageId, web.Region, "of web01", CloudHarness.QuickWait(timeoutSeconds: 30), CancellationToken.None);

            Assert.True(failedLooksWhenTheOutageEnded >= 2, "the wait went on after looks that failed");
            Assert.False(result.TimedOut);
            Assert.Equal(imageId, result.Snapshot!.Id);
            Assert.Equal(SnapshotState.Good, result.Snapshot.State);
            Assert.Contains(cloud.Host.Messages, m => m.Contains("failed repeatedly; waiting up to"));
        }

        [Fact]
        public async Task A_wait_whose_deadline_passes_during_the_outage_fails_with_the_cause_instead_of_hanging()
        {
            // On the virtual clock: the outage outlasts the deadline without a second of real waiting.
            TestClock clock = TestClock.Virtual();
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 60 }, TrippingBreaker(clock, TimeSpan.FromHours(1)));
            RackspaceServer web = await cloud.ServerAsync("web01");
            SnapshotService snapshots = cloud.Snapshots;
            string imageId = await snapshots.StartAsync(web, "daily", null, null, CancellationToken.None);

            await cloud.ConfigureAsync("{\"faultRate\": 1, \"faultKinds\": [\"503\"], \"faultServices\": [\"compute\", \"image\"]}");
            var e = await Assert.ThrowsAsync<CloudException>(() =>
                snapshots.WaitAsync(imageId, web.Region, "of web01", CloudHarness.QuickWait(timeoutSeconds: 2), CancellationToken.None));
            Assert.Equal(CloudErrorKind.Unavailable, e.Kind);
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"the deadline passed on the wait's clock ({clock.Elapsed})");
            Assert.Contains(TimeSpan.FromMilliseconds(50), clock.Delays);   // the pause between looks, on the same clock
            Assert.Contains(cloud.Host.Messages, m => m.Contains("Could not look at snapshot of web01") && m.Contains("still waiting"));
        }
    }
}
