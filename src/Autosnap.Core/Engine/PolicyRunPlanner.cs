using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Model;
using Autosnap.Policy;

namespace Autosnap.Engine
{
    /// <summary>A pool whose server no longer exists, and what its policy says to do with it.</summary>
    public sealed class OrphanPool
    {
        public OrphanPool(string region, string serverId, string schedule, int images, SnapshotPolicy? policy, OrphanHandling handling)
        {
            Region = region;
            ServerId = serverId;
            Schedule = schedule;
            Images = images;
            Policy = policy;
            Handling = policy == null ? OrphanHandling.Keep : handling;
        }

        public string Region { get; }
        public string ServerId { get; }
        public string Schedule { get; }
        public int Images { get; }

        /// <summary>The policy of the pool's schedule; null when no policy names it (it is then only reported).</summary>
        public SnapshotPolicy? Policy { get; }

        /// <summary>Keep (report only), or ApplyRetention (rotate with the policy's rules; never below one good image).</summary>
        public OrphanHandling Handling { get; }
    }

    /// <summary>Everything one policy run will do, decided before anything is done.</summary>
    public sealed class PolicyRunPlan
    {
        public List<FleetJob> Jobs { get; } = new List<FleetJob>();
        public List<OrphanPool> Orphans { get; } = new List<OrphanPool>();

        /// <summary>Results settled at planning: pools two policies disagree on, servers whose rules cannot be read.</summary>
        public List<SnapshotJobResult> Refused { get; } = new List<SnapshotJobResult>();
    }

    /// <summary>
    /// Turns policies into work: lists each region's servers once, matches every policy's targets, refuses pools that
    /// two policies would rotate differently, and finds the pools whose server is gone.
    /// </summary>
    public sealed class PolicyRunPlanner
    {
        private readonly RackspaceSession _session;
        private readonly IJobHost _host;

        public PolicyRunPlanner(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
        }

        /// <summary>A policy's job options; its hooks (processes) report to <paramref name="host"/>.</summary>
        public static JobOptions OptionsFor(SnapshotPolicy policy, IJobHost? host = null) => new JobOptions(policy.Schedule, policy.Retention)
        {
            Hooks = policy.Hooks == null || host == null ? null : policy.Hooks.ToOptions(host),
            RequireApplicationConsistency = policy.RequireApplicationConsistency,
            Wait = new WaitOptions { Timeout = policy.Timeout },
            Metadata = policy.Metadata,
            NameTemplate = policy.NameTemplate,
            AdoptLegacy = policy.AdoptLegacy,
            MinInterval = policy.MinInterval,
            IncludeVolumes = policy.IncludeVolumes,
            ReclaimLeftovers = policy.ReclaimLeftovers,
        };

        /// <summary>
        /// The work a policy file describes. <paramref name="onServerDeleted"/>, when given, overrides every policy's
        /// onServerDeleted setting for this run.
        /// </summary>
        public async Task<PolicyRunPlan> PlanAsync(PolicyDocument document, OrphanHandling? onServerDeleted, CancellationToken cancellationToken)
        {
            var plan = new PolicyRunPlan();
            var regions = document.Policies.SelectMany(p => p.Targets.ResolveRegions(_session.Region, _session.Regions))
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var servers = await ListServersAsync(regions, cancellationToken).ConfigureAwait(false);

            var conflicts = document.FindPoolConflicts(servers, _session.Region);
            foreach (PoolConflict conflict in conflicts)
            {
                var refused = new SnapshotJobResult(conflict.Server, conflict.Schedule);
                refused.Fail($"policies {string.Join(" and ", conflict.Policies.Select(p => $"'{p.Name}'"))} both select this pool with different rules; " +
                             "it was left alone. Narrow their targets so each pool has one policy.");
                plan.Refused.Add(refused);
            }
            foreach (SnapshotPolicy policy in document.Policies)
            {
                foreach (RackspaceServer server in servers.Where(s => policy.Targets.Matches(s, _session.Region)))
                {
                    if (conflicts.Any(c => c.Server.Id == server.Id && c.Schedule == policy.Schedule)) continue;
                    plan.Jobs.Add(new FleetJob(server, OptionsFor(policy, _host)));
                }
                foreach (string region in policy.Targets.ResolveRegions(_session.Region, _session.Regions))
                {
                    // Two policies of one schedule (different targets) find the same orphans: the first one names its fate.
                    plan.Orphans.AddRange((await FindOrphansAsync(region, new[] { policy.Schedule }, servers, policy,
                            onServerDeleted ?? policy.OnServerDeleted, cancellationToken).ConfigureAwait(false))
                        .Where(o => !plan.Orphans.Any(known => known.Region == o.Region && known.Schedule == o.Schedule &&
                                                               string.Equals(known.ServerId, o.ServerId, StringComparison.OrdinalIgnoreCase))));
                }
            }
            return plan;
        }

        /// <summary>
        /// The work the servers' own metadata describes ("autosnap:&lt;schedule&gt;" keys). A server with a key that cannot
        /// be read still runs its other schedules; the bad key is refused. Orphaned pools are only reported: without
        /// the server, its rules are gone too.
        /// </summary>
        public async Task<PolicyRunPlan> PlanFromServerMetadataAsync(IReadOnlyList<string> regions, CancellationToken cancellationToken)
        {
            var plan = new PolicyRunPlan();
            var servers = await ListServersAsync(regions, cancellationToken).ConfigureAwait(false);
            foreach (RackspaceServer server in servers)
            {
                var errors = new List<PolicyException>();
                foreach (SnapshotPolicy policy in ServerMetadataPolicy.For(server, errors))
                {
                    plan.Jobs.Add(new FleetJob(server, OptionsFor(policy, _host)));
                }
                foreach (PolicyException error in errors)
                {
                    var refused = new SnapshotJobResult(JobTarget.InvalidRules, server.Name, server.Id, server.Region, error.Field ?? ServerMetadataPolicy.Prefix);
                    refused.Fail(error.Message);
                    plan.Refused.Add(refused);
                }
            }
            foreach (string region in regions)
            {
                plan.Orphans.AddRange(await FindOrphansAsync(region, Array.Empty<string>(), servers, null, OrphanHandling.Keep, cancellationToken).ConfigureAwait(false));
            }
            return plan;
        }

        private async Task<List<RackspaceServer>> ListServersAsync(IEnumerable<string> regions, CancellationToken cancellationToken)
        {
            var snapshots = new SnapshotService(_session, _host);
            var servers = new List<RackspaceServer>();
            foreach (string region in regions)
            {
                servers.AddRange(await snapshots.ListServersAsync(region, null, cancellationToken).ConfigureAwait(false));
            }
            return servers;
        }

        /// <summary>Autosnap's pools in a region (of the given schedules, or all) whose server is not among the servers listed.</summary>
        private async Task<List<OrphanPool>> FindOrphansAsync(string region, IReadOnlyCollection<string> schedules, IReadOnlyList<RackspaceServer> servers,
                                                               SnapshotPolicy? policy, OrphanHandling handling, CancellationToken cancellationToken)
        {
            var living = new HashSet<string>(servers.Where(s => string.Equals(s.Region, region, StringComparison.OrdinalIgnoreCase)).Select(s => s.Id),
                StringComparer.OrdinalIgnoreCase);
            var images = new List<AutoSnapshot>();
            await new SnapshotFinder(_session, _host).ListAsync(region, new SnapshotFilter { Schedules = schedules }, images.Add, cancellationToken).ConfigureAwait(false);
            return images.Where(i => i.ServerId != null && !living.Contains(i.ServerId))
                .GroupBy(i => (Server: i.ServerId!.ToLowerInvariant(), i.Schedule))
                .Select(pool => new OrphanPool(region, pool.First().ServerId!, pool.Key.Schedule!, pool.Count(), policy, handling))
                .ToList();
        }
    }
}
