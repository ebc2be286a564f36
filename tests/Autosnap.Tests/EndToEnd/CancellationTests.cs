using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Model;
using Xunit;
using CloudSettings = Autosnap.LocalCloud.State.CloudSettings;

namespace Autosnap.Tests.EndToEnd
{
    public class CancellationTests
    {
        [Fact]
        public async Task Ctrl_C_stops_a_read_at_once_but_never_abandons_a_request_that_changes_something()
        {
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0, LatencyMs = 1500 });
            RackspaceServer web = await cloud.ServerAsync("web01");
            var compute = cloud.Snapshots.Compute(cloud.Region);

            using (var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => compute.FindServerAsync(web.Id, stop.Token));
            }

            string imageId;
            using (var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            {
                // cancelled 300 ms into a 1.5 s answer: the createImage still completes and says what it created
                imageId = await compute.CreateImageAsync(web.Id, "during-ctrl-c", new Dictionary<string, string>(), stop.Token);
                Assert.True(stop.IsCancellationRequested);
            }
            var images = await cloud.ImagesOfAsync(web);
            Assert.Contains(images, i => i.Id == imageId && i.Name == "during-ctrl-c");
        }
    }
}
