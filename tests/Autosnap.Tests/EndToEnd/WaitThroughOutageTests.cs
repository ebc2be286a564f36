using System;
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
        private static CloudHttpOptions TrippingBreaker()
        {
            // One retry and a breaker that opens on the first failed operation: the harshest setting for a wait.
            var http = CloudHarness.FastRetries();
            http.MaxRetries = 1;
            http.BreakAfterFailures = 1;
            http.BreakDuration = TimeSpan.FromMilliseconds(300);
            return http;
        }

        [Fact]
        public async Task A_wait_outlives_an_outage_that_opens_the_circuit_and_ends_with_the_good_image()
        {
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 2 }, TrippingBreaker());
            RackspaceServer web = await cloud.ServerAsync("web01");
            SnapshotService snapshots = cloud.Snapshots;
            string imageId = await snapshots.StartAsync(web, "daily", null, null, CancellationToken.None);

            await cloud.ConfigureAsync("{\"faultRate\": 1, \"faultKinds\": [\"503\"], \"faultServices\": [\"compute\", \"image\"]}");
            Task<WaitResult> wait = snapshots.WaitAsync(imageId, web.Region, "of web01", CloudHarness.QuickWait(timeoutSeconds: 30), CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.False(wait.IsCompleted, "the wait must not end while the cloud cannot be seen");
            await cloud.ConfigureAsync("{\"faultRate\": 0}");

            WaitResult result = await wait;
            Assert.False(result.TimedOut);
            Assert.Equal(imageId, result.Snapshot!.Id);
            Assert.Equal(SnapshotState.Good, result.Snapshot.State);
            Assert.Contains(cloud.Host.Messages, m => m.Contains("Could not look at snapshot of web01") && m.Contains("still waiting"));
        }

        [Fact]
        public async Task A_wait_whose_deadline_passes_during_the_outage_fails_with_the_cause_instead_of_hanging()
        {
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 60 }, TrippingBreaker());
            RackspaceServer web = await cloud.ServerAsync("web01");
            SnapshotService snapshots = cloud.Snapshots;
            string imageId = await snapshots.StartAsync(web, "daily", null, null, CancellationToken.None);

            await cloud.ConfigureAsync("{\"faultRate\": 1, \"faultKinds\": [\"503\"], \"faultServices\": [\"compute\", \"image\"]}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<CloudException>(() =>
                snapshots.WaitAsync(imageId, web.Region, "of web01", CloudHarness.QuickWait(timeoutSeconds: 2), CancellationToken.None));
            Assert.Equal(CloudErrorKind.Unavailable, e.Kind);
            Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 15);
        }
    }
}
