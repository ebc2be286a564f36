using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>One server's job in a fleet run.</summary>
    public sealed class FleetJob
    {
        public FleetJob(RackspaceServer server, JobOptions options)
        {
            Server = server;
            Options = options;
        }

        public RackspaceServer Server { get; }
        public JobOptions Options { get; }
    }

    /// <summary>
    /// Runs many servers' jobs in parallel (at most ThrottleLimit at once), paced per region by the limits the cloud
    /// reports, so the run stays under them instead of bouncing off 413s. One server's failure never stops the others:
    /// each job ends in a result, handed to <c>onResult</c> as soon as it is known.
    /// </summary>
    public sealed class FleetRunner
    {
        /// <summary>
        /// Regions with at least this many jobs learn their rate limits first (one GET /limits). Fewer jobs cannot come
        /// near any limit a cloud sets (about one POST and ten GETs each), so a small run spends no call on it; a 413
        /// or 429 still pauses its region either way.
        /// </summary>
        public const int PacingThreshold = 10;

        private readonly RackspaceSession _session;
        private readonly IJobHost _host;

        /// <summary>A policy run's once-per-server warning about Rackspace Scheduled Images; none outside policy runs.</summary>
        private ScheduledImagesCheck? _scheduledImages;

        public FleetRunner(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
        }

        public async Task RunAsync(IReadOnlyList<FleetJob> jobs, int throttleLimit, Action<SnapshotJobResult> onResult, CancellationToken cancellationToken)
        {
            if (throttleLimit < 1) throw new ArgumentOutOfRangeException(nameof(throttleLimit), "The throttle limit must be at least 1.");
            var busyRegions = jobs.GroupBy(j => j.Server.Region, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() >= PacingThreshold).Select(g => g.Key);
            await LearnRateLimitsAsync(busyRegions, cancellationToken).ConfigureAwait(false);

            // One bar for the run ("n of N jobs"); each job's snapshot bar shows under it.
            int runActivity = ProgressIds.Next();
            var jobHost = new ChildProgressHost(_host, runActivity);
            int done = 0;
            void ReportRun(bool completed) =>
                _host.Progress(new ProgressUpdate(runActivity, RunActivity, RunStatus(Volatile.Read(ref done), jobs.Count),
                    jobs.Count == 0 ? 100 : Volatile.Read(ref done) * 100 / jobs.Count, completed));
            ReportRun(completed: false);

            using var gate = new SemaphoreSlim(throttleLimit);
            var running = new List<Task>();
            try
            {
                foreach (FleetJob job in InterleaveRegions(jobs))
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    running.Add(Task.Run(async () =>
                    {
                        try
                        {
                            if (_scheduledImages != null) await _scheduledImages.CheckOnceAsync(job.Server, cancellationToken).ConfigureAwait(false);
                            onResult(await new SnapshotJob(_session, jobHost).RunAsync(job.Server, job.Options, cancellationToken).ConfigureAwait(false));
                        }
                        finally
                        {
                            Interlocked.Increment(ref done);
                            ReportRun(completed: false);
                            gate.Release();
                        }
                    }, cancellationToken));
                }
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            finally
            {
                ReportRun(completed: true);
            }
        }

        /// <summary>The activity of a fleet run's own progress bar.</summary>
        public const string RunActivity = "Autosnap: snapshot jobs";

        /// <summary>"3 of 200 jobs done".</summary>
        public static string RunStatus(int done, int total) =>
            string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0} of {1} jobs done", done, total);

        /// <summary>
        /// Runs a policy plan: the results settled at planning first, then every server's job (in parallel), then the
        /// orphaned pools (reported, or rotated by their policy when it says ApplyRetention; rotation never deletes the
        /// newest good image, so such a pool keeps at least one).
        /// </summary>
        public async Task RunPlanAsync(PolicyRunPlan plan, int throttleLimit, Action<SnapshotJobResult> onResult, CancellationToken cancellationToken)
        {
            foreach (SnapshotJobResult refused in plan.Refused) onResult(refused);
            _scheduledImages = new ScheduledImagesCheck(_session, _host);
            await RunAsync(plan.Jobs, throttleLimit, onResult, cancellationToken).ConfigureAwait(false);
            foreach (OrphanPool orphan in plan.Orphans)
            {
                onResult(await HandleOrphanAsync(orphan, cancellationToken).ConfigureAwait(false));
            }
        }

        private async Task<SnapshotJobResult> HandleOrphanAsync(OrphanPool orphan, CancellationToken cancellationToken)
        {
            var result = new SnapshotJobResult(JobTarget.OrphanedPool, "(deleted server)", orphan.ServerId, orphan.Region, orphan.Schedule);
            string what = $"server {orphan.ServerId} in {orphan.Region} no longer exists; its {orphan.Images} snapshot(s) of schedule '{orphan.Schedule}'";
            if (orphan.Policy == null || orphan.Handling != Policy.OrphanHandling.ApplyRetention)
            {
                _host.Warning($"{what} are kept (onServerDeleted: Keep).");
                result.Skip($"{what} are kept");
                return result;
            }
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                result.Rotation = await new RotationService(_session, _host).RotatePoolAsync(orphan.Region, orphan.ServerId, orphan.Schedule,
                    orphan.Policy.Retention, null, null, cancellationToken).ConfigureAwait(false);
                _host.Warning($"{what} were rotated by policy '{orphan.Policy.Name}' (onServerDeleted: ApplyRetention): {result.Deleted} deleted, {result.Kept} kept.");
                if (result.DeleteFailures > 0) result.Fail($"{result.DeleteFailures} deletions failed (they are retried next run)");
            }
            catch (CloudException e)
            {
                result.Fail($"the orphaned pool was not rotated and nothing was deleted: {e.Message}");
            }
            catch (UnsafeRotationException e)
            {
                result.Fail(e.Message);
            }
            result.Duration = watch.Elapsed;
            return result;
        }

        /// <summary>
        /// Reads each region's rate limits (GET /limits) and paces every verb that has a per-minute limit. A cloud that
        /// reports none is not paced (413/429 answers are still honoured, and pause the whole region).
        /// </summary>
        public async Task LearnRateLimitsAsync(IEnumerable<string> regions, CancellationToken cancellationToken)
        {
            foreach (string region in regions)
            {
                IReadOnlyList<RateLimit> limits;
                try
                {
                    limits = await new ComputeClient(_session.Cloud, region, _host).GetRateLimitsAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (CloudException e)
                {
                    _host.Verbose($"Could not read the rate limits of {region} ({e.Message}); running unpaced there.");
                    continue;
                }
                foreach (var verb in limits.Where(l => l.PerMinute.HasValue && (l.Uri == "*" || l.Uri == ".*")).GroupBy(l => l.Verb.ToUpperInvariant()))
                {
                    int perMinute = verb.Min(l => l.PerMinute!.Value);
                    _session.Cloud.Http.Pacer.SetLimit(region, verb.Key, perMinute);
                    _host.Verbose($"Pacing {verb.Key} requests in {region} at {perMinute} a minute.");
                }
            }
        }

        /// <summary>Round-robin over regions, so every region's rate limit works at once instead of one region at a time.</summary>
        internal static IEnumerable<FleetJob> InterleaveRegions(IReadOnlyList<FleetJob> jobs)
        {
            var queues = jobs.GroupBy(j => j.Server.Region, StringComparer.OrdinalIgnoreCase).Select(g => new Queue<FleetJob>(g)).ToList();
            while (queues.Count > 0)
            {
                foreach (var queue in queues.ToList())
                {
                    yield return queue.Dequeue();
                    if (queue.Count == 0) queues.Remove(queue);
                }
            }
        }
    }
}
