using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>A fleet run's progress: one "n of N jobs" bar, each snapshot's bar under it, no two bars with one id.</summary>
    public class FleetProgressTests
    {
        [Fact]
        public async Task A_fleet_run_shows_one_run_bar_with_every_snapshot_bar_under_it()
        {
            await using var cloud = await CloudHarness.StartAsync();
            var servers = new List<RackspaceServer> { await cloud.ServerAsync("web01"), await cloud.ServerAsync("db01") };
            var jobs = servers.Select(s => new FleetJob(s, cloud.Job("daily", RetentionPolicy.FromRetention(2)))).ToList();
            var results = new List<SnapshotJobResult>();

            await new FleetRunner(cloud.Session, cloud.Host).RunAsync(jobs, throttleLimit: 2, r => { lock (results) results.Add(r); }, CancellationToken.None);

            Assert.All(results, r => Assert.Equal(JobStatus.Succeeded, r.Status));
            List<ProgressUpdate> updates = cloud.Host.Progresses.ToList();
            List<ProgressUpdate> run = updates.Where(u => u.Activity == FleetRunner.RunActivity).ToList();
            int runId = Assert.Single(run.Select(u => u.ActivityId).Distinct());
            Assert.All(run, u => Assert.Equal(ProgressUpdate.NoParent, u.ParentActivityId));
            Assert.Equal("0 of 2 jobs done", run.First().Status);
            Assert.False(run.First().Completed);
            Assert.Equal("2 of 2 jobs done", run.Last().Status);
            Assert.True(run.Last().Completed);
            Assert.Equal(100, run.Last().PercentComplete);

            // Each snapshot's wait has a bar of its own (at least its closing "done"), all under the run's bar.
            List<ProgressUpdate> snapshots = updates.Where(u => u.Activity != FleetRunner.RunActivity).ToList();
            Assert.All(snapshots, u => Assert.Equal(runId, u.ParentActivityId));
            List<int> snapshotIds = snapshots.Select(u => u.ActivityId).Distinct().ToList();
            Assert.Equal(2, snapshotIds.Count);
            Assert.DoesNotContain(runId, snapshotIds);
            Assert.Equal(2, snapshots.Count(u => u.Completed));
        }

        [Fact]
        public void Progress_ids_are_never_handed_out_twice_even_across_threads()
        {
            var ids = new System.Collections.Concurrent.ConcurrentBag<int>();
            Parallel.For(0, 20000, _ => ids.Add(ProgressIds.Next()));

            Assert.Equal(20000, ids.Distinct().Count());
            Assert.All(ids, id => Assert.True(id > 0));
        }

        [Fact]
        public void A_child_host_puts_parentless_bars_under_its_parent_and_leaves_others_alone()
        {
            var inner = new RecordingHost();
            var child = new ChildProgressHost(inner, parentActivityId: 42);

            child.Progress(new ProgressUpdate(7, "a", "s"));
            child.Progress(new ProgressUpdate(8, "b", "s", parentActivityId: 9));

            Assert.Equal(new[] { 42, 9 }, inner.Progresses.Select(u => u.ParentActivityId));
            Assert.Equal(new[] { 7, 8 }, inner.Progresses.Select(u => u.ActivityId));
        }
    }
}
