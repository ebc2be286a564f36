using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Autosnap.Model;

namespace Autosnap.Policy
{
    /// <summary>
    /// A set of policies run together (a policy file), with the parallelism the file asks for. Immutable and valid:
    /// at least one policy, names unique, throttleLimit in 1..256, and no two policies that certainly rotate the
    /// same pool (see <see cref="FindPoolConflicts(IEnumerable{RackspaceServer}, string)"/> for the complete check
    /// against the servers that exist).
    /// </summary>
    public sealed class PolicyDocument
    {
        public const int MinThrottleLimit = 1;
        public const int MaxThrottleLimit = 256;

        /// <exception cref="PolicyException">No policies, a bad throttle limit, a repeated name, or two policies for one pool.</exception>
        public PolicyDocument(IEnumerable<SnapshotPolicy> policies, int? throttleLimit = null)
            : this((policies ?? throw new ArgumentNullException(nameof(policies))).ToList(), throttleLimit, Sites.InCode())
        {
        }

        internal PolicyDocument(IReadOnlyList<SnapshotPolicy> policies, long? throttleLimit, Sites sites)
        {
            if (policies.Count == 0) throw sites.At("policies").Error(PolicyException.ValueEmpty, "there are no policies; give at least one.");
            if (policies.Any(p => p == null)) throw new ArgumentNullException(nameof(policies), "A policy is null.");
            if (throttleLimit.HasValue && (throttleLimit < MinThrottleLimit || throttleLimit > MaxThrottleLimit))
            {
                throw sites.At("throttleLimit").Error(PolicyException.ValueOutOfRange,
                    Invariant($"must be from {MinThrottleLimit} to {MaxThrottleLimit}, not {throttleLimit}."));
            }

            for (int j = 0; j < policies.Count; j++)
            {
                if (!policies[j].NameGiven) continue;
                for (int i = 0; i < j; i++)
                {
                    if (policies[i].NameGiven && string.Equals(policies[i].Name, policies[j].Name, StringComparison.OrdinalIgnoreCase))
                    {
                        throw sites.At("policies", j, "name").Error(PolicyException.ValueDuplicate,
                            Invariant($"policies[{i}] has the name '{policies[i].Name}' already; names label messages and must be unique."));
                    }
                }
            }

            CheckPoolConflicts(policies, sites);
            Policies = policies.ToList().AsReadOnly();
            ThrottleLimit = throttleLimit.HasValue ? (int)throttleLimit.Value : (int?)null;
        }

        public IReadOnlyList<SnapshotPolicy> Policies { get; }

        /// <summary>Where the run's summary goes (the file's "notify" section); null when the file has none.</summary>
        public NotifySettings? Notify { get; internal set; }

        /// <summary>How many servers to process at once; null: the runner's default.</summary>
        public int? ThrottleLimit { get; }

        /// <summary>
        /// The pools (server, schedule) that more than one of these policies would rotate, given the servers that exist
        /// (listed from the regions the policies resolve to). Loading a file refuses the conflicts that can be seen
        /// without the servers; this finds every one, including overlaps through wildcards, metadata and exclusions.
        /// </summary>
        public IReadOnlyList<PoolConflict> FindPoolConflicts(IEnumerable<RackspaceServer> servers, string? sessionRegion = null) =>
            FindPoolConflicts(Policies, servers, sessionRegion);

        /// <inheritdoc cref="FindPoolConflicts(IEnumerable{RackspaceServer}, string)"/>
        public static IReadOnlyList<PoolConflict> FindPoolConflicts(IEnumerable<SnapshotPolicy> policies, IEnumerable<RackspaceServer> servers,
                                                                    string? sessionRegion = null)
        {
            if (policies == null) throw new ArgumentNullException(nameof(policies));
            if (servers == null) throw new ArgumentNullException(nameof(servers));
            List<SnapshotPolicy> all = policies.ToList();
            var conflicts = new List<PoolConflict>();
            foreach (RackspaceServer server in servers)
            {
                foreach (var pool in all.Where(p => p.Targets.Matches(server, sessionRegion)).GroupBy(p => p.Schedule, StringComparer.Ordinal))
                {
                    if (pool.Count() > 1) conflicts.Add(new PoolConflict(server, pool.Key, pool.ToList()));
                }
            }

            return conflicts.AsReadOnly();
        }

        /// <summary>
        /// The overlaps that are certain (or as good as certain) from the policies alone, for two policies of the same
        /// schedule: an id both list (and neither excludes); the same selectors in overlapping regions; "all": true
        /// without exclusions next to any other policy in overlapping regions; a literal name one lists that the
        /// other's name patterns match (both selecting by names only, neither excluding it).
        /// </summary>
        internal static void CheckPoolConflicts(IReadOnlyList<SnapshotPolicy> policies, Sites sites)
        {
            for (int j = 1; j < policies.Count; j++)
            {
                for (int i = 0; i < j; i++)
                {
                    SnapshotPolicy first = policies[i], second = policies[j];
                    if (!string.Equals(first.Schedule, second.Schedule, StringComparison.Ordinal)) continue;
                    string? what = Overlap(i, first.Targets, j, second.Targets);
                    if (what == null) continue;
                    throw sites.At("policies", j).Error(PolicyException.PoolConflict,
                        Invariant($"this policy ('{second.Name}') and policies[{i}] ('{first.Name}') would both rotate schedule '{second.Schedule}' of {what}. ") +
                        "A pool (server, schedule) must have one policy: give one of them another schedule, or exclude those servers from one of them.");
                }
            }
        }

        private static string? Overlap(int i, TargetSelector a, int j, TargetSelector b)
        {
            string? id = a.Ids.FirstOrDefault(x => b.Ids.Contains(x, StringComparer.OrdinalIgnoreCase) &&
                                                   !a.Exclude.Ids.Contains(x, StringComparer.OrdinalIgnoreCase) &&
                                                   !b.Exclude.Ids.Contains(x, StringComparer.OrdinalIgnoreCase));
            if (id != null) return "server " + id + " (both list its id)";
            if (!RegionsOverlap(a, b)) return null;
            if (SameSelection(a, b)) return "the same servers (" + Positive(a) + ")";
            if (a.AllServers && a.Exclude.IsEmpty) return Invariant($"every server policies[{i}] selects (\"all\": true)");
            if (b.AllServers && b.Exclude.IsEmpty) return "every server this policy selects (\"all\": true)";
            return NameOverlap(a, b) ?? NameOverlap(b, a);
        }

        private static bool RegionsOverlap(TargetSelector a, TargetSelector b)
        {
            // No regions means the session's region, which may be any of the other's: counted as overlapping.
            if (a.AllRegions || b.AllRegions || a.Regions.Count == 0 || b.Regions.Count == 0) return true;
            return a.Regions.Intersect(b.Regions, StringComparer.OrdinalIgnoreCase).Any();
        }

        private static bool SameSelection(TargetSelector a, TargetSelector b) =>
            a.AllServers == b.AllServers &&
            SameSet(a.Names, b.Names) &&
            SameSet(a.Ids, b.Ids) &&
            a.Metadata.Count == b.Metadata.Count &&
            a.Metadata.All(entry => b.Metadata.TryGetValue(entry.Key, out string? value) && string.Equals(value, entry.Value, StringComparison.OrdinalIgnoreCase));

        private static bool SameSet(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
            a.Count == b.Count && !a.Except(b, StringComparer.OrdinalIgnoreCase).Any();

        private static string? NameOverlap(TargetSelector literal, TargetSelector patterns)
        {
            if (literal.Ids.Count > 0 || literal.Metadata.Count > 0 || patterns.Ids.Count > 0 || patterns.Metadata.Count > 0) return null;
            string? name = literal.Names.FirstOrDefault(n =>
                !Wildcard.HasWildcards(n) &&
                patterns.Names.Any(p => Wildcard.IsMatch(p, Wildcard.Unescape(n))) &&
                !literal.Exclude.Names.Any(p => Wildcard.IsMatch(p, Wildcard.Unescape(n))) &&
                !patterns.Exclude.Names.Any(p => Wildcard.IsMatch(p, Wildcard.Unescape(n))));
            return name == null ? null : "server '" + Wildcard.Unescape(name) + "' (both select that name)";
        }

        private static string Positive(TargetSelector selector) =>
            selector.AllServers ? "\"all\": true" : SelectorChecks.Describe(selector.Names, selector.Ids, selector.Metadata, " and ");

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A pool (server, schedule) that several policies would rotate; the runner must not run any of them on it.</summary>
    public sealed class PoolConflict
    {
        public PoolConflict(RackspaceServer server, string schedule, IReadOnlyList<SnapshotPolicy> policies)
        {
            Server = server;
            Schedule = schedule;
            Policies = policies;
        }

        public RackspaceServer Server { get; }
        public string Schedule { get; }
        public IReadOnlyList<SnapshotPolicy> Policies { get; }

        public override string ToString() =>
            "Schedule '" + Schedule + "' of " + ErrorSite.ServerLabel(Server) + " is selected by " + Policies.Count.ToString(CultureInfo.InvariantCulture) +
            " policies (" + string.Join(", ", Policies.Select(p => p.Origin == null ? "'" + p.Name + "'" : "'" + p.Name + "' from " + p.Origin)) +
            "); a pool (server, schedule) must have one policy.";
    }
}
