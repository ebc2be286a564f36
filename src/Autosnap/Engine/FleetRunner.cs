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
        private readonly RackspaceSession _session;
        private readonly IJobHost _host;

        public FleetRunner(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
        }

        public async Task RunAsync(IReadOnlyList<FleetJob> jobs, int throttleLimit, Action<SnapshotJobResult> onResult, CancellationToken cancellationToken)
        {
            if (throttleLimit < 1) throw new ArgumentOutOfRangeException(nameof(throttleLimit), "The throttle limit must be at least 1.");
            await LearnRateLimitsAsync(jobs.Select(j => j.Server.Region).Distinct(StringComparer.OrdinalIgnoreCase), cancellationToken).ConfigureAwait(false);

            using var gate = new SemaphoreSlim(throttleLimit);
            var running = new List<Task>();
            foreach (FleetJob job in InterleaveRegions(jobs))
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        onResult(await new SnapshotJob(_session, _host).RunAsync(job.Server, job.Options, cancellationToken).ConfigureAwait(false));
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, cancellationToken));
            }
            await Task.WhenAll(running).ConfigureAwait(false);
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
