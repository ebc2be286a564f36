using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;
using Xunit;
using CloudSettings = Autosnap.LocalCloud.State.CloudSettings;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>A delete is done only when the cloud says so in Glance's words: a 200 with a broken body is not that.</summary>
    public class DeleteAnswerTests
    {
        [Fact]
        public async Task A_garbled_success_to_a_delete_is_not_taken_for_a_deletion()
        {
            await using var cloud = await CloudHarness.StartAsync(new CloudSettings { SnapshotSeconds = 0 });
            RackspaceServer web = await cloud.ServerAsync("web01");
            string imageId = (await cloud.SeedImagesAsync(web, 1, "active", DateTimeOffset.UtcNow.AddDays(-3), TimeSpan.FromDays(1),
                CloudHarness.Ownership(web, "daily"), "old-")).Single();

            // "before": LocalCloud answers 200 with a malformed JSON body (complete, or cut short by a hang-up) and leaves
            // the image alone. Every attempt meets one, so the delete must fail with one of the two causes.
            await cloud.ConfigureAsync("{\"faultRate\": 1, \"faultKinds\": [\"garbage\"], \"faultPhase\": \"before\", \"faultServices\": [\"image\"]}");
            var e = await Assert.ThrowsAsync<CloudException>(() => cloud.Snapshots.Images(web.Region).DeleteAsync(imageId, CancellationToken.None));
            Assert.Contains(e.Kind, new[] { CloudErrorKind.InvalidResponse, CloudErrorKind.Connection });

            await cloud.ConfigureAsync("{\"faultRate\": 0}");
            Assert.Contains(await cloud.PoolAsync(web, "daily"), i => i.Id == imageId);
            Assert.True(await cloud.Snapshots.Images(web.Region).DeleteAsync(imageId, CancellationToken.None));
            Assert.DoesNotContain(await cloud.PoolAsync(web, "daily"), i => i.Id == imageId);
        }
    }
}
