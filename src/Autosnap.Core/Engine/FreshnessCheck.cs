using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;
using Autosnap.Policy;
using Autosnap.Rotation;

namespace Autosnap.Engine
{
    /// <summary>The ages at which a pool's newest good image turns a check to WARNING and to CRITICAL.</summary>
    public sealed class FreshnessThresholds
    {
        /// <summary>A daily job plus two hours of slack: one late or slow night is not yet a warning.</summary>
        public static readonly TimeSpan DefaultWarning = TimeSpan.FromHours(26);

        /// <summary>Two missed nights of a daily job.</summary>
        public static readonly TimeSpan DefaultCritical = TimeSpan.FromHours(50);

        /// <exception cref="ArgumentException">An age that is not positive, or a warning age not below the critical one.</exception>
        public FreshnessThresholds(TimeSpan warning, TimeSpan critical, TimeSpan? restoreTestedWithin = null)
        {
            if (restoreTestedWithin <= TimeSpan.Zero)
            {
                throw new ArgumentException($"The restore test age must be positive, not {PolicyDuration.Format(restoreTestedWithin.Value)}.");
            }
            RestoreTestedWithin = restoreTestedWithin;
            // No parameter names in these messages: they end up in a Nagios line, where "(Parameter 'warning')" is noise.
            if (warning <= TimeSpan.Zero) throw new ArgumentException($"The warning age must be positive, not {PolicyDuration.Format(warning)}.");
            if (critical <= TimeSpan.Zero) throw new ArgumentException($"The critical age must be positive, not {PolicyDuration.Format(critical)}.");
            if (warning >= critical)
            {
                throw new ArgumentException($"The warning age ({PolicyDuration.Format(warning)}) must be below the critical age ({PolicyDuration.Format(critical)}).");
            }
            Warning = warning;
            Critical = critical;
        }

        public TimeSpan Warning { get; }

        public TimeSpan Critical { get; }

        /// <summary>
        /// When set, pools are judged on their restore tests too: WARNING when the newest verified restore test is older
        /// than this or there is none, CRITICAL when the last restore test failed. Null: restore tests are not judged.
        /// </summary>
        public TimeSpan? RestoreTestedWithin { get; }

        public static FreshnessThresholds Default { get; } = new FreshnessThresholds(DefaultWarning, DefaultCritical);
    }

    /// <summary>
    /// The verdict on one pool, as pure functions: its images and the cloud's "now" in, a status and a message out.
    /// The newest GOOD image decides: a failed or still pending newer image is a run that produced nothing yet.
    /// </summary>
    public static class FreshnessCheck
    {
        /// <summary>
        /// The status of a newest good image of age <paramref name="age"/>; null (no good image) is CRITICAL. An age
        /// exactly at a threshold is still within it, as Nagios ranges have it (alert when above).
        /// </summary>
        public static FreshnessStatus Classify(TimeSpan? age, FreshnessThresholds thresholds)
        {
            if (thresholds == null) throw new ArgumentNullException(nameof(thresholds));
            if (age == null || age.Value > thresholds.Critical) return FreshnessStatus.Critical;
            if (age.Value > thresholds.Warning) return FreshnessStatus.Warning;
            return FreshnessStatus.Ok;
        }

        /// <summary>
        /// The verdict on the pool (<paramref name="serverId"/>, <paramref name="schedule"/>) in <paramref name="region"/>
        /// from its images, at <paramref name="now"/> on the cloud's clock. <paramref name="note"/> is added to the message.
        /// </summary>
        public static AutoSnapshotFreshness Evaluate(string region, string serverId, string? serverName, string schedule,
                                                     IEnumerable<AutoSnapshot> images, DateTimeOffset now, FreshnessThresholds thresholds, string? note = null)
        {
            if (images == null) throw new ArgumentNullException(nameof(images));
            List<AutoSnapshot> present = RetentionPlanner.NewestFirst(images.Where(image => image.State != SnapshotState.Gone));
            AutoSnapshot? newestGood = present.FirstOrDefault(image => image.State == SnapshotState.Good);
            // An image stamped a moment after the Date header (clock granularity) is not from the future: age 0.
            TimeSpan? age = newestGood == null ? (TimeSpan?)null : Max(now - newestGood.Created, TimeSpan.Zero);
            // newest first: the failed images before the newest good one are the ones since it
            int failedSince = present.TakeWhile(image => image != newestGood).Count(image => image.State == SnapshotState.Failed);
            FreshnessStatus status = Classify(age, thresholds);

            var notes = new List<string>();
            if (status == FreshnessStatus.Warning) notes.Add("warning " + PolicyDuration.Format(thresholds.Warning));
            if (status == FreshnessStatus.Critical && newestGood != null) notes.Add("critical " + PolicyDuration.Format(thresholds.Critical));
            if (failedSince > 0) notes.Add(newestGood == null ? $"{failedSince} failed" : $"{failedSince} failed since");
            int pending = present.Count(image => image.State == SnapshotState.Pending);
            if (newestGood == null && pending > 0) notes.Add($"{pending} pending");
            if (note != null) notes.Add(note);
            RestoreVerdict? restore = thresholds.RestoreTestedWithin is TimeSpan within ? JudgeRestoreTests(present, now, within) : null;
            if (restore != null)
            {
                notes.Add(restore.Note);
                if (restore.Status > status) status = restore.Status;
            }
            string message = (newestGood == null ? "no good image" : $"newest good {PolicyDuration.FormatAge(age!.Value)} ago") + Parenthesized(notes);

            return new AutoSnapshotFreshness(region, serverId, serverName, schedule, status, message, thresholds.Warning, thresholds.Critical)
            {
                RestoreStatus = restore?.Status,
                RestoreVerified = restore?.Verified,
                RestoreFailed = restore?.Failed,
                RestoreFailedReason = restore?.Reason,
                NewestGood = newestGood,
                Age = age,
                FailedSinceGood = failedSince,
                ImageCount = present.Count,
                CheckedAt = now,
            };
        }

        /// <summary>What a pool's restore tests say: its status, and a note for the message.</summary>
        private sealed class RestoreVerdict
        {
            public FreshnessStatus Status;
            public string Note = string.Empty;
            public DateTimeOffset? Verified;
            public DateTimeOffset? Failed;
            public string? Reason;
        }

        /// <summary>
        /// The restore test rule: the newest result over the pool's images decides. CRITICAL when it is a failure;
        /// WARNING when there is no verified test, or the newest is older than <paramref name="within"/>; else OK.
        /// </summary>
        private static RestoreVerdict JudgeRestoreTests(IReadOnlyList<AutoSnapshot> pool, DateTimeOffset now, TimeSpan within)
        {
            AutoSnapshot? verified = pool.Where(image => image.RestoreVerified.HasValue).OrderByDescending(image => image.RestoreVerified).FirstOrDefault();
            AutoSnapshot? failed = pool.Where(image => image.RestoreFailed.HasValue).OrderByDescending(image => image.RestoreFailed).FirstOrDefault();
            var verdict = new RestoreVerdict { Verified = verified?.RestoreVerified, Failed = failed?.RestoreFailed, Reason = failed?.RestoreFailedReason };
            string Ago(DateTimeOffset time) => PolicyDuration.FormatAge(Max(now - time, TimeSpan.Zero)) + " ago";
            if (verdict.Failed.HasValue && (!verdict.Verified.HasValue || verdict.Failed >= verdict.Verified))
            {
                verdict.Status = FreshnessStatus.Critical;
                verdict.Note = $"restore test of {failed!.Name} failed {Ago(verdict.Failed.Value)}" + (verdict.Reason == null ? string.Empty : ": " + verdict.Reason);
            }
            else if (!verdict.Verified.HasValue)
            {
                verdict.Status = FreshnessStatus.Warning;
                verdict.Note = "never restore-tested";
            }
            else if (now - verdict.Verified.Value > within)
            {
                verdict.Status = FreshnessStatus.Warning;
                verdict.Note = $"restore verified {Ago(verdict.Verified.Value)}, over {PolicyDuration.Format(within)}";
            }
            else
            {
                verdict.Status = FreshnessStatus.Ok;
                verdict.Note = $"restore verified {Ago(verdict.Verified.Value)}";
            }
            return verdict;
        }

        /// <summary>A server with no image at all in the pool asked for (or in any pool): a job that never ran is CRITICAL.</summary>
        public static AutoSnapshotFreshness NoPool(string region, string serverId, string? serverName, string? schedule, DateTimeOffset now, FreshnessThresholds thresholds) =>
            new AutoSnapshotFreshness(region, serverId, serverName, schedule, FreshnessStatus.Critical,
                schedule == null ? "no Autosnap snapshot at all (the job never ran)" : "no snapshot in this pool (the job never ran)",
                thresholds.Warning, thresholds.Critical)
            {
                CheckedAt = now,
            };

        /// <summary>A pool (or a region, or a server) that could not be checked.</summary>
        public static AutoSnapshotFreshness Unknown(string region, string? serverId, string? serverName, string? schedule, string reason, FreshnessThresholds thresholds) =>
            new AutoSnapshotFreshness(region, serverId, serverName, schedule, FreshnessStatus.Unknown, reason, thresholds.Warning, thresholds.Critical);

        private static string Parenthesized(List<string> notes) => notes.Count == 0 ? string.Empty : " (" + string.Join(", ", notes) + ")";

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    }

    /// <summary>
    /// Checks pools against the cloud: lists their images (all pages, or the pool counts as UNKNOWN) and judges them
    /// on the clock of the region's image service. A failure never ends the check: it becomes an UNKNOWN result.
    /// </summary>
    public sealed class FreshnessService
    {
        private readonly RackspaceSession _session;
        private readonly IJobHost _host;

        public FreshnessService(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
        }

        /// <summary>
        /// The pools of the server with this id or name, looked up in each of <paramref name="regions"/> (a name may
        /// exist in several). Only <paramref name="schedules"/> when given, else every pool the server has.
        /// </summary>
        public async Task<IReadOnlyList<AutoSnapshotFreshness>> CheckServerAsync(string idOrName, IReadOnlyList<string> regions, IReadOnlyCollection<string> schedules,
                                                                                 FreshnessThresholds thresholds, CancellationToken cancellationToken)
        {
            var results = new List<AutoSnapshotFreshness>();
            var notFoundIn = new List<string>();
            bool isId = Guid.TryParse(idOrName, out _);
            foreach (string region in regions)
            {
                RackspaceServer server;
                try
                {
                    server = await new SnapshotService(_session, _host).ResolveServerAsync(idOrName, region, cancellationToken).ConfigureAwait(false);
                }
                catch (CloudException e) when (e.Kind == CloudErrorKind.NotFound)
                {
                    notFoundIn.Add(region);
                    continue;
                }
                catch (CloudException e)
                {
                    results.AddRange(PerSchedule(schedules, schedule =>
                        FreshnessCheck.Unknown(region, isId ? idOrName : null, isId ? null : idOrName, schedule, $"cannot look up the server: {e.Message}", thresholds)));
                    continue;
                }
                results.AddRange(await CheckServerAsync(server, schedules, thresholds, cancellationToken).ConfigureAwait(false));
            }
            if (results.Count == 0)
            {
                // Not found anywhere: a monitor asking about a server that does not exist is misconfigured, not stale.
                string where = string.Join(", ", notFoundIn);
                results.AddRange(PerSchedule(schedules, schedule =>
                    FreshnessCheck.Unknown(notFoundIn.FirstOrDefault() ?? _session.Region, isId ? idOrName : null, isId ? null : idOrName, schedule,
                        $"no server with id or name '{idOrName}' in {where}", thresholds)));
            }
            return results;
        }

        /// <summary>The pools of <paramref name="server"/>: <paramref name="schedules"/> when given, else every pool it has.</summary>
        public async Task<IReadOnlyList<AutoSnapshotFreshness>> CheckServerAsync(RackspaceServer server, IReadOnlyCollection<string> schedules,
                                                                                 FreshnessThresholds thresholds, CancellationToken cancellationToken)
        {
            var images = new List<AutoSnapshot>();
            try
            {
                var filter = new SnapshotFilter { ServerId = server.Id, Schedules = schedules };
                await new SnapshotFinder(_session, _host).ListAsync(server.Region, filter, images.Add, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e)
            {
                return PerSchedule(schedules, schedule =>
                    FreshnessCheck.Unknown(server.Region, server.Id, server.Name, schedule, $"listing failed: {e.Message}", thresholds));
            }

            // Measured after the listing: its answers carry the Date header this clock is read from.
            DateTimeOffset now = _session.Cloud.ServerNow(server.Region);
            var pools = images.GroupBy(image => image.Schedule!, StringComparer.Ordinal).ToDictionary(pool => pool.Key, pool => pool.ToList(), StringComparer.Ordinal);
            IEnumerable<string> wanted = schedules.Count > 0 ? schedules.Distinct(StringComparer.Ordinal) : pools.Keys.OrderBy(s => s, StringComparer.Ordinal);
            var results = wanted
                .Select(schedule => pools.TryGetValue(schedule, out List<AutoSnapshot>? pool)
                    ? FreshnessCheck.Evaluate(server.Region, server.Id, server.Name, schedule, pool, now, thresholds)
                    : FreshnessCheck.NoPool(server.Region, server.Id, server.Name, schedule, now, thresholds))
                .ToList();
            if (results.Count == 0) results.Add(FreshnessCheck.NoPool(server.Region, server.Id, server.Name, null, now, thresholds));
            return results;
        }

        /// <summary>
        /// Every Autosnap pool in <paramref name="region"/> (only <paramref name="schedules"/> when given). A region
        /// without any pool gives no result; a region whose listing fails gives one UNKNOWN result.
        /// </summary>
        public async Task<IReadOnlyList<AutoSnapshotFreshness>> CheckRegionAsync(string region, IReadOnlyCollection<string> schedules,
                                                                                 FreshnessThresholds thresholds, CancellationToken cancellationToken)
        {
            var images = new List<AutoSnapshot>();
            try
            {
                await new SnapshotFinder(_session, _host).ListAsync(region, new SnapshotFilter { Schedules = schedules }, images.Add, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e)
            {
                string? schedule = schedules.Count == 1 ? schedules.First() : null;
                return new[] { FreshnessCheck.Unknown(region, null, null, schedule, $"listing the snapshots of {region} failed: {e.Message}", thresholds) };
            }
            DateTimeOffset now = _session.Cloud.ServerNow(region);
            IReadOnlyDictionary<string, string>? names = images.Count == 0 ? null : await ServerNamesAsync(region, cancellationToken).ConfigureAwait(false);

            return images
                .GroupBy(image => (Server: image.ServerId!.ToLowerInvariant(), Schedule: image.Schedule!))
                .Select(pool =>
                {
                    string serverId = pool.First().ServerId!;
                    string? name = null;
                    bool gone = names != null && !names.TryGetValue(serverId, out name);
                    return FreshnessCheck.Evaluate(region, serverId, name, pool.Key.Schedule, pool, now, thresholds, gone ? "server gone" : null);
                })
                .OrderBy(result => result.Pool, StringComparer.OrdinalIgnoreCase)
                .ThenBy(result => result.ServerId, StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>Server names by id, so pools read "web1/daily"; null when the servers cannot be listed (the ids will do).</summary>
        private async Task<IReadOnlyDictionary<string, string>?> ServerNamesAsync(string region, CancellationToken cancellationToken)
        {
            try
            {
                IReadOnlyList<RackspaceServer> servers = await new SnapshotService(_session, _host).ListServersAsync(region, null, cancellationToken).ConfigureAwait(false);
                var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (RackspaceServer server in servers) names[server.Id] = server.Name;
                return names;
            }
            catch (CloudException e)
            {
                _host.Verbose($"Could not list the servers of {region} for their names; pools are shown by server id: {e.Message}");
                return null;
            }
        }

        /// <summary>One result per schedule asked for, or one for "any schedule" when none was.</summary>
        private static IReadOnlyList<AutoSnapshotFreshness> PerSchedule(IReadOnlyCollection<string> schedules, Func<string?, AutoSnapshotFreshness> result) =>
            schedules.Count == 0
                ? new[] { result(null) }
                : schedules.Distinct(StringComparer.Ordinal).Select(schedule => result(schedule)).ToList();
    }
}
