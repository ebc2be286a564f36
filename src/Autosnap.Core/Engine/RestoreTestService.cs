using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;
using Autosnap.Policy;
using Autosnap.Rotation;

namespace Autosnap.Engine
{
    /// <summary>How one pool is restore-tested.</summary>
    public sealed class RestoreTestOptions
    {
        public RestorePick Pick { get; set; } = RestorePick.Newest;

        /// <summary>For a random pick: how far back from the newest good restore point.</summary>
        public TimeSpan Within { get; set; } = RestoreTestPolicy.DefaultWithin;

        /// <summary>A flavor id or name; null: the smallest that fits (<see cref="FlavorChoice"/>).</summary>
        public string? Flavor { get; set; }

        /// <summary>A network id or name, or "none"; null: no network where the cloud allows it (2.37+), else the cloud's default.</summary>
        public string? Network { get; set; }

        /// <summary>How long the throwaway server may take to become ACTIVE and pass the probe and validation.</summary>
        public TimeSpan Timeout { get; set; } = RestoreTestPolicy.DefaultTimeout;

        /// <summary>When set, the server must accept a TCP connection on this port (any of its addresses) within the timeout.</summary>
        public int? TcpPort { get; set; }

        /// <summary>The caller's own check of the ACTIVE server: null when it passes, else why it failed.</summary>
        public Func<RackspaceServer, CancellationToken, Task<string?>>? Validate { get; set; }

        /// <summary>When set, only a pool whose last restore test is at least this old (or missing) is tested (a policy's "every").</summary>
        public TimeSpan? Every { get; set; }

        /// <summary>The first and the longest pause between two looks at the booting server.</summary>
        public TimeSpan FirstPollInterval { get; set; } = TimeSpan.FromSeconds(2);

        public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>The options a policy's restoreTest asks for (only due pools).</summary>
        public static RestoreTestOptions From(RestoreTestPolicy policy) => new RestoreTestOptions
        {
            Pick = policy.Pick,
            Within = policy.Within,
            Flavor = policy.Flavor,
            Network = policy.Network,
            Timeout = policy.Timeout,
            Every = policy.Every,
        };
    }

    /// <summary>One pool to restore-test, with its options; <see cref="Images"/> when the caller has them already (piped).</summary>
    public sealed class RestoreTestPool
    {
        public RestoreTestPool(string region, string serverId, string? serverName, string schedule, RestoreTestOptions options,
                               IReadOnlyList<AutoSnapshot>? images = null)
        {
            Region = region;
            ServerId = serverId;
            ServerName = serverName;
            Schedule = schedule;
            Options = options;
            Images = images;
        }

        public string Region { get; }
        public string ServerId { get; }
        public string? ServerName { get; }
        public string Schedule { get; }
        public RestoreTestOptions Options { get; }
        public IReadOnlyList<AutoSnapshot>? Images { get; }
    }

    /// <summary>
    /// Restore tests: for each pool, boot a throwaway server from a good restore point, wait until it is ACTIVE, probe
    /// and validate it, ALWAYS delete it, and write the outcome on the image. The safety rules:
    /// <list type="bullet">
    /// <item>Only servers this service booted are ever deleted: the throwaway server by its id, and leftovers of earlier
    /// runs by their tags (<see cref="AutosnapMetadata.RestoreTest"/> and <see cref="AutosnapMetadata.RestoreRun"/>),
    /// and those only once their <see cref="AutosnapMetadata.RestoreExpires"/> time has passed, so a run never deletes
    /// the server of another run that is still going.</item>
    /// <item>The original server is never touched, and of the images only the tested one, and on it only the two
    /// result keys.</item>
    /// <item>The delete of a throwaway server is sent whatever happened: ERROR, timeout, a failed validation, a thrown
    /// exception, Ctrl+C (it is sent without the cancellation token).</item>
    /// </list>
    /// Server calls, flavors, networks and quotas are <see cref="RestoreService"/>'s.
    /// </summary>
    public sealed class RestoreTestService
    {
        /// <summary>Every throwaway server's name starts with this (for people; the tags decide).</summary>
        public const string NamePrefix = "autosnap-restore-test-";

        /// <summary>How long past its run's timeout a throwaway server is still taken to be in use by its run.</summary>
        public static readonly TimeSpan LeftoverGrace = TimeSpan.FromMinutes(30);

        /// <summary>The activity of a run's own progress bar.</summary>
        public const string RunActivity = "Autosnap: restore tests";

        private readonly RackspaceSession _session;
        private readonly IJobHost _host;
        private readonly RestoreService _restore;
        private readonly Random _random;
        private readonly Dictionary<string, Task<IReadOnlyList<RackspaceFlavor>>> _flavors = new Dictionary<string, Task<IReadOnlyList<RackspaceFlavor>>>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _warnedNoNetwork = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private int _unaccountedBoots;

        public RestoreTestService(RackspaceSession session, IJobHost host, Random? random = null)
        {
            _session = session;
            _host = host;
            _restore = new RestoreService(session, host);
            _random = random ?? new Random();
            RunId = Guid.NewGuid().ToString();
        }

        /// <summary>This run's id, on each of its throwaway servers (autosnap_restore_run).</summary>
        public string RunId { get; }

        /// <summary>
        /// The restore point a test boots, as a pure rule: the newest good one, or a random good one created within
        /// <paramref name="within"/> of the newest good one. Null when the pool has no good restore point.
        /// </summary>
        public static AutoSnapshot? PickRestorePoint(IEnumerable<AutoSnapshot> pool, RestorePick pick, TimeSpan within, Random random)
        {
            List<AutoSnapshot> good = RetentionPlanner.NewestFirst(pool.Where(image => image.State == SnapshotState.Good));
            if (good.Count == 0) return null;
            if (pick == RestorePick.Newest) return good[0];
            DateTimeOffset oldest = good[0].Created - within;
            List<AutoSnapshot> candidates = good.Where(image => image.Created >= oldest).ToList();
            return candidates[random.Next(candidates.Count)];
        }

        /// <summary>Every pool of the server (only <paramref name="schedules"/> when given), each tested with <paramref name="options"/>.</summary>
        public async Task<IReadOnlyList<RestoreTestPool>> PoolsOfServerAsync(RackspaceServer server, IReadOnlyCollection<string> schedules,
                                                                            RestoreTestOptions options, CancellationToken cancellationToken)
        {
            if (schedules.Count > 0)
            {
                return schedules.Distinct(StringComparer.Ordinal).Select(s => new RestoreTestPool(server.Region, server.Id, server.Name, s, options)).ToList();
            }
            var images = new List<AutoSnapshot>();
            await new SnapshotFinder(_session, _host).ListAsync(server.Region, new SnapshotFilter { ServerId = server.Id }, images.Add, cancellationToken)
                .ConfigureAwait(false);
            return images.GroupBy(image => image.Schedule!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new RestoreTestPool(server.Region, server.Id, server.Name, g.Key, options, g.ToList()))
                .ToList();
        }

        /// <summary>The pools of a policy file's policies that have a restoreTest, each with its policy's options (due pools only).</summary>
        public async Task<IReadOnlyList<RestoreTestPool>> PoolsOfPolicyAsync(PolicyDocument document, CancellationToken cancellationToken)
        {
            var pools = new List<RestoreTestPool>();
            if (!document.Policies.Any(p => p.RestoreTest != null)) return pools;
            PolicyRunPlan plan = await new PolicyRunPlanner(_session, _host).PlanAsync(document, null, cancellationToken).ConfigureAwait(false);
            foreach (SnapshotPolicy policy in document.Policies.Where(p => p.RestoreTest != null))
            {
                foreach (FleetJob job in plan.Jobs.Where(j => j.Options.Schedule == policy.Schedule && policy.Targets.Matches(j.Server, _session.Region)))
                {
                    if (pools.Any(p => p.Schedule == policy.Schedule && string.Equals(p.ServerId, job.Server.Id, StringComparison.OrdinalIgnoreCase))) continue;
                    pools.Add(new RestoreTestPool(job.Server.Region, job.Server.Id, job.Server.Name, policy.Schedule, RestoreTestOptions.From(policy.RestoreTest!)));
                }
            }
            return pools;
        }

        /// <summary>
        /// Tests the pools: first each pool's restore point and flavor are worked out (reads only), then the leftovers of
        /// earlier runs in the regions involved are deleted, the compute quota is checked for the servers that will run
        /// at once, and the throwaway servers are booted, at most <paramref name="throttleLimit"/> at a time. Each pool
        /// ends in one result, handed to <paramref name="onResult"/> as soon as it is known.
        /// </summary>
        public async Task RunAsync(IReadOnlyList<RestoreTestPool> pools, int throttleLimit, Action<RestoreTestResult> onResult, CancellationToken cancellationToken)
        {
            if (throttleLimit < 1) throw new ArgumentOutOfRangeException(nameof(throttleLimit), "The throttle limit must be at least 1.");
            var ready = new List<(RestoreTestPool Pool, RestoreTestResult Result, RestorePlan Plan)>();
            foreach (RestoreTestPool pool in pools)
            {
                (RestoreTestResult result, RestorePlan? plan) = await PrepareAsync(pool, cancellationToken).ConfigureAwait(false);
                if (plan == null) onResult(result);
                else ready.Add((pool, result, plan));
            }
            // Leftovers go at every run of the pools' regions, also when no pool is due.
            foreach (string region in pools.Select(p => p.Region).Distinct(StringComparer.OrdinalIgnoreCase).ToList())
            {
                await DeleteLeftoversAsync(region, cancellationToken).ConfigureAwait(false);
            }
            if (ready.Count == 0) return;

            foreach (string region in ready.Select(r => r.Pool.Region).Distinct(StringComparer.OrdinalIgnoreCase).ToList())
            {
                var inRegion = ready.Where(r => string.Equals(r.Pool.Region, region, StringComparison.OrdinalIgnoreCase)).ToList();
                string? noRoom = await WhyNoRoomAsync(region, inRegion.Select(r => r.Plan.Flavor).ToList(), throttleLimit, cancellationToken).ConfigureAwait(false);
                if (noRoom == null) continue;
                foreach (var refused in inRegion)
                {
                    refused.Result.Outcome = RestoreTestOutcome.Skipped;
                    refused.Result.QuotaExceeded = true;
                    refused.Result.Reason = noRoom;
                    onResult(refused.Result);
                    ready.Remove(refused);
                }
            }

            int runActivity = ProgressIds.Next();
            var jobHost = new ChildProgressHost(_host, runActivity);
            int done = 0;
            void ReportRun(bool completed) =>
                _host.Progress(new ProgressUpdate(runActivity, RunActivity,
                    string.Format(CultureInfo.InvariantCulture, "{0} of {1} restore tests done", Volatile.Read(ref done), ready.Count),
                    ready.Count == 0 ? 100 : Volatile.Read(ref done) * 100 / ready.Count, completed));
            ReportRun(completed: false);
            using var gate = new SemaphoreSlim(throttleLimit);
            var running = new List<Task>();
            try
            {
                foreach (var (pool, result, plan) in ready)
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    running.Add(Task.Run(async () =>
                    {
                        try
                        {
                            onResult(await TestAsync(pool, result, plan, jobHost, cancellationToken).ConfigureAwait(false));
                        }
                        finally
                        {
                            Interlocked.Increment(ref done);
                            ReportRun(completed: false);
                            gate.Release();
                        }
                    }, CancellationToken.None));
                }
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            finally
            {
                // Every started test ends (its delete is sent) before the run does, even when it was cancelled.
                await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
                if (Volatile.Read(ref _unaccountedBoots) > 0)
                {
                    foreach (string region in ready.Select(r => r.Pool.Region).Distinct(StringComparer.OrdinalIgnoreCase))
                    {
                        await DeleteOwnServersAsync(region).ConfigureAwait(false);
                    }
                }
                ReportRun(completed: true);
            }
        }

        /// <summary>Reads only: the pool's images, whether it is due, the restore point, the flavor and the boot request.</summary>
        private async Task<(RestoreTestResult, RestorePlan?)> PrepareAsync(RestoreTestPool pool, CancellationToken cancellationToken)
        {
            var result = new RestoreTestResult(pool.Region, pool.ServerId, pool.ServerName, pool.Schedule);
            RestoreTestOptions options = pool.Options;
            try
            {
                IReadOnlyList<AutoSnapshot> images = pool.Images ??
                    await new SnapshotFinder(_session, _host).ListPoolAsync(pool.Region, pool.ServerId, pool.Schedule, cancellationToken).ConfigureAwait(false);
                DateTimeOffset now = _session.Cloud.ServerNow(pool.Region);
                if (options.Every is TimeSpan every && !RestoreTestPolicy.IsDue(every, images, now))
                {
                    DateTimeOffset last = RestoreTestPolicy.LastTested(images)!.Value;
                    result.Outcome = RestoreTestOutcome.NotDue;
                    result.Reason = $"last tested {PolicyDuration.FormatAge(now - last)} ago; due every {PolicyDuration.Format(every)}";
                    return (result, null);
                }
                AutoSnapshot? picked = PickRestorePoint(images, options.Pick, options.Within, _random);
                if (picked == null)
                {
                    result.Reason = images.Count == 0 ? "the pool has no restore point" : "the pool has no good restore point";
                    return (result, null);
                }
                // As the cloud has it now, with its volume snapshots: a piped or listed image may be stale.
                AutoSnapshot point = await _restore.FindRestorePointAsync(picked.Id, pool.Region, cancellationToken).ConfigureAwait(false) ?? picked;
                result.ImageId = point.Id;
                result.ImageName = point.Name;
                result.ImageCreated = point.Created;
                if (point.State != SnapshotState.Good)
                {
                    result.Reason = $"restore point {point.Name} is {point.StatusText} now";
                    return (result, null);
                }

                ComputeClient compute = new SnapshotService(_session, _host).Compute(pool.Region);
                string flavor = options.Flavor ?? (await ChooseFlavorAsync(compute, point, cancellationToken).ConfigureAwait(false)).Id;
                var restoreOptions = new RestoreOptions
                {
                    Name = ThrowawayName(pool),
                    Flavor = flavor,
                    Networks = await NetworksAsync(compute, options.Network, cancellationToken).ConfigureAwait(false),
                    DeleteVolumesWithServer = true,
                    SkipQuotaCheck = true,
                };
                restoreOptions.Metadata[AutosnapMetadata.RestoreTest] = point.Id;
                restoreOptions.Metadata[AutosnapMetadata.RestoreRun] = RunId;
                restoreOptions.Metadata[AutosnapMetadata.RestoreExpires] = new RestoreTestMark(now + options.Timeout + LeftoverGrace).ToString();
                RestorePlan plan = await _restore.PlanAsync(point, restoreOptions, cancellationToken).ConfigureAwait(false);
                result.Flavor = string.IsNullOrEmpty(plan.Flavor.Name) ? plan.Flavor.Id : plan.Flavor.Name;
                result.Network = plan.Request.NoNetwork ? RestoreTestPolicy.NoNetwork : plan.Request.NetworkIds.Count == 0 ? null : string.Join(",", plan.Request.NetworkIds);
                return (result, plan);
            }
            catch (RestoreRefusedException e)
            {
                result.Reason = e.Message;
                return (result, null);
            }
            catch (CloudException e)
            {
                result.Reason = $"not tested: {e.Message}";
                return (result, null);
            }
        }

        /// <summary>One pool's test: boot, wait, probe, validate; the delete always; then the result on the image.</summary>
        private async Task<RestoreTestResult> TestAsync(RestoreTestPool pool, RestoreTestResult result, RestorePlan plan, IJobHost host,
                                                        CancellationToken cancellationToken)
        {
            RestoreTestOptions options = pool.Options;
            string label = $"{result.Pool} from {plan.RestorePoint.Name}";
            if (!host.ShouldProcess($"{plan.RestorePoint.Name} ({plan.RestorePoint.Id}) of pool {result.Pool} in {pool.Region}",
                    $"Restore test: boot {plan.Describe()}, wait until ACTIVE, delete it, and record the result on the image"))
            {
                result.Reason = "not run (-WhatIf or declined)";
                return result;
            }

            IWaitClock clock = _session.Cloud.Http.Options.Clock;
            var restore = new RestoreService(_session, host);
            string? serverId = null;
            result.TestedAt = _session.Cloud.ServerNow(pool.Region);
            TimeSpan started = clock.Elapsed;
            try
            {
                RackspaceServer booted;
                try
                {
                    booted = await restore.BootAsync(plan, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!(e is CloudException c && c.StatusCode.HasValue && !c.OutcomeUnknown))
                {
                    // The boot may have made a server whose id never reached us: the run's end looks for this run's servers.
                    Interlocked.Increment(ref _unaccountedBoots);
                    throw;
                }
                serverId = booted.Id;
                result.ThrowawayServerId = booted.Id;
                var wait = new WaitOptions { Timeout = options.Timeout, FirstPollInterval = options.FirstPollInterval, MaxPollInterval = options.MaxPollInterval };
                ServerWaitResult waited = await restore.WaitForServerAsync(booted.Id, pool.Region, label, wait, cancellationToken).ConfigureAwait(false);
                result.BootSeconds = Math.Round((clock.Elapsed - started).TotalSeconds, 1);
                if (waited.TimedOut)
                {
                    Fail(result, $"the throwaway server did not become ACTIVE within {PolicyDuration.Format(options.Timeout)} (still {waited.Server?.Status ?? "not visible"})");
                }
                else if (waited.Server == null)
                {
                    Fail(result, "the throwaway server disappeared while it booted");
                }
                else if (!waited.IsActive)
                {
                    Fail(result, $"the throwaway server went to {waited.Server.Status}" + (waited.Server.Fault == null ? string.Empty : ": " + waited.Server.Fault));
                }
                else
                {
                    string? why = null;
                    TimeSpan remaining = options.Timeout - (clock.Elapsed - started);
                    if (options.TcpPort is int port) why = await TcpProbe.ProbeAsync(waited.Server, port, remaining, clock, cancellationToken).ConfigureAwait(false);
                    if (why == null && options.Validate != null)
                    {
                        try
                        {
                            why = await options.Validate(waited.Server, cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception e) when (!(e is OperationCanceledException))
                        {
                            why = "validation threw: " + e.Message;
                        }
                    }
                    if (why == null)
                    {
                        result.Outcome = RestoreTestOutcome.Verified;
                        result.Reason = "ACTIVE" + (options.TcpPort.HasValue ? $", TCP {options.TcpPort} answered" : string.Empty) +
                                        (options.Validate != null ? ", validation passed" : string.Empty);
                    }
                    else
                    {
                        Fail(result, why);
                    }
                }
            }
            catch (RestoreRefusedException e)
            {
                result.Reason = e.Message;
            }
            catch (CloudException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (e.Kind == CloudErrorKind.BadRequest)
                {
                    // The cloud refused to boot this image (e.g. its volume snapshot is gone): the restore point's fault.
                    Fail(result, "the cloud refused to boot it: " + e.Message);
                }
                else
                {
                    result.QuotaExceeded = e.Kind == CloudErrorKind.QuotaExceeded;
                    result.Reason = $"not tested: {e.Message}";
                }
            }
            finally
            {
                if (serverId != null)
                {
                    result.ThrowawayDeleted = await DeleteThrowawayAsync(restore, serverId, pool.Region, host).ConfigureAwait(false);
                }
            }

            if (result.Outcome == RestoreTestOutcome.Verified || result.Outcome == RestoreTestOutcome.Failed)
            {
                await RecordAsync(plan.RestorePoint, result, host, cancellationToken).ConfigureAwait(false);
            }
            return result;
        }

        private static void Fail(RestoreTestResult result, string reason)
        {
            result.Outcome = RestoreTestOutcome.Failed;
            result.Reason = reason;
        }

        /// <summary>Sends the delete whatever happened, without the cancellation token: once decided, it goes.</summary>
        private static async Task<bool> DeleteThrowawayAsync(RestoreService restore, string serverId, string region, IJobHost host)
        {
            try
            {
                await restore.DeleteServerAsync(serverId, region, CancellationToken.None).ConfigureAwait(false);
                host.Verbose($"Restore test: throwaway server {serverId} deleted.");
                return true;
            }
            catch (CloudException e)
            {
                host.Warning($"The throwaway server {serverId} in {region} could not be deleted ({e.Message}); the next restore test run deletes it.");
                return false;
            }
        }

        /// <summary>Writes the outcome on the image: one key per outcome, the newer of the two is the last outcome.</summary>
        private async Task RecordAsync(AutoSnapshot image, RestoreTestResult result, IJobHost host, CancellationToken cancellationToken)
        {
            bool verified = result.Outcome == RestoreTestOutcome.Verified;
            var mark = new RestoreTestMark(result.TestedAt ?? _session.Cloud.ServerNow(result.Region), verified ? null : result.Reason);
            var change = new Dictionary<string, string?> { [verified ? AutosnapMetadata.RestoreVerified : AutosnapMetadata.RestoreFailed] = mark.ToString() };
            try
            {
                await new ImageClient(_session.Cloud, result.Region, host).UpdatePropertiesAsync(image, change, cancellationToken).ConfigureAwait(false);
                result.Recorded = true;
            }
            catch (CloudException e)
            {
                host.Warning($"The result of the restore test of {image.Name} ({image.Id}) could not be written on the image: {e.Message}");
            }
        }

        /// <summary>
        /// Deletes the throwaway servers earlier runs left behind in <paramref name="region"/>: servers tagged with
        /// autosnap_restore_test and autosnap_restore_run of another run whose autosnap_restore_expires time (cloud
        /// time) has passed. Nothing else, whatever its name. Returns how many were deleted.
        /// </summary>
        public async Task<int> DeleteLeftoversAsync(string region, CancellationToken cancellationToken)
        {
            ComputeClient compute = new SnapshotService(_session, _host).Compute(region);
            IReadOnlyList<RackspaceServer> servers = await compute.ListServersAsync(null, cancellationToken).ConfigureAwait(false);
            DateTimeOffset now = _session.Cloud.ServerNow(region);
            int deleted = 0;
            foreach (RackspaceServer server in servers.Where(s => IsLeftover(s, RunId, now)))
            {
                if (!_host.ShouldProcess($"{server.Name} ({server.Id}) in {region}",
                        $"Delete the throwaway server an interrupted restore test left behind (image {server.Metadata[AutosnapMetadata.RestoreTest]})"))
                {
                    continue;
                }
                try
                {
                    await compute.DeleteServerAsync(server.Id, CancellationToken.None).ConfigureAwait(false);
                    _host.Warning($"Deleted {server.Name} ({server.Id}) in {region}: a throwaway server an earlier restore test left behind.");
                    deleted++;
                }
                catch (CloudException e)
                {
                    _host.Warning($"The leftover throwaway server {server.Name} ({server.Id}) in {region} could not be deleted: {e.Message}");
                }
            }
            return deleted;
        }

        /// <summary>
        /// A throwaway server another run left behind: both tags, another run's id, and an expiry that has passed (or none
        /// that can be read). A server without both tags is never one, whatever its name.
        /// </summary>
        public static bool IsLeftover(RackspaceServer server, string runId, DateTimeOffset now)
        {
            if (!server.Metadata.TryGetValue(AutosnapMetadata.RestoreTest, out string? image) || string.IsNullOrEmpty(image)) return false;
            if (!server.Metadata.TryGetValue(AutosnapMetadata.RestoreRun, out string? run) || string.IsNullOrEmpty(run)) return false;
            if (string.Equals(run, runId, StringComparison.OrdinalIgnoreCase)) return false;
            RestoreTestMark? expires = server.Metadata.TryGetValue(AutosnapMetadata.RestoreExpires, out string? text) ? RestoreTestMark.Parse(text) : null;
            return expires == null || expires.Time <= now;
        }

        /// <summary>After a boot whose answer never came (a lost answer, Ctrl+C): this run's own servers, found by its id, go.</summary>
        private async Task DeleteOwnServersAsync(string region)
        {
            try
            {
                ComputeClient compute = new SnapshotService(_session, _host).Compute(region);
                foreach (RackspaceServer server in (await compute.ListServersAsync(null, CancellationToken.None).ConfigureAwait(false))
                             .Where(s => s.Metadata.TryGetValue(AutosnapMetadata.RestoreRun, out string? run) && run == RunId &&
                                         s.Metadata.ContainsKey(AutosnapMetadata.RestoreTest)))
                {
                    await compute.DeleteServerAsync(server.Id, CancellationToken.None).ConfigureAwait(false);
                    _host.Verbose($"Restore test: deleted {server.Name} ({server.Id}), booted by this run before it stopped.");
                }
            }
            catch (CloudException e)
            {
                _host.Warning($"Could not look for this run's throwaway servers in {region} ({e.Message}); the next restore test run deletes any that are left.");
            }
        }

        /// <summary>Null when the region's quota has room for the servers that run at once (the largest flavors), else why not.</summary>
        private async Task<string?> WhyNoRoomAsync(string region, IReadOnlyList<RackspaceFlavor> flavors, int throttleLimit, CancellationToken cancellationToken)
        {
            ComputeClient compute = new SnapshotService(_session, _host).Compute(region);
            var atOnce = flavors.OrderByDescending(f => f.RamMB).ThenByDescending(f => f.Vcpus).Take(throttleLimit).ToList();
            ComputeQuota quota;
            try
            {
                quota = await compute.GetQuotaAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e)
            {
                _host.Verbose($"Could not read the compute quota of {region} ({e.Message}); the boots will tell.");
                return null;
            }
            // The largest flavor counted for each server that runs at once: a bound, not an estimate.
            string? why = quota.WhyNotRoomFor(atOnce[0], atOnce.Count);
            return why == null
                ? null
                : $"the compute quota of {region} has no room for {atOnce.Count} throwaway server(s) of flavor {atOnce[0].Name}: {why}. " +
                  "Nothing was booted. Lower -ThrottleLimit, pick a smaller -Flavor, or free some quota.";
        }

        private async Task<RackspaceFlavor> ChooseFlavorAsync(ComputeClient compute, AutoSnapshot point, CancellationToken cancellationToken)
        {
            Task<IReadOnlyList<RackspaceFlavor>> listing;
            lock (_flavors)
            {
                if (!_flavors.TryGetValue(compute.Region, out listing!)) _flavors[compute.Region] = listing = compute.ListFlavorsAsync(cancellationToken);
            }
            IReadOnlyList<RackspaceFlavor> flavors = await listing.ConfigureAwait(false);
            RestoreHints hints = RestoreHints.Read(point);
            RackspaceFlavor? recorded = hints.FlavorId == null ? null : flavors.FirstOrDefault(f => f.Id == hints.FlavorId);
            return FlavorChoice.Smallest(flavors, point.MinDiskGB, point.MinRamMB, recorded, point.IsVolumeBacked, point.Size)
                ?? throw new RestoreRefusedException(RestoreRefusal.InvalidParameter,
                    $"no flavor of {compute.Region} fits restore point {point.Name}: it needs " +
                    FlavorChoice.Needs(point.MinDiskGB, point.MinRamMB, recorded, point.IsVolumeBacked, point.Size) + "; give -Flavor.", "Flavor");
        }

        /// <summary>The networks asked for; by default none where the cloud allows it (compute 2.37+), else the cloud's default networks.</summary>
        private async Task<IReadOnlyList<string>> NetworksAsync(ComputeClient compute, string? network, CancellationToken cancellationToken)
        {
            if (!string.IsNullOrWhiteSpace(network)) return new[] { network!.Trim() };
            Version? max = await compute.GetMaxMicroversionAsync(cancellationToken).ConfigureAwait(false);
            if (max != null && max >= ComputeClient.NoNetworkMicroversion) return new[] { RestoreTestPolicy.NoNetwork };
            lock (_warnedNoNetwork)
            {
                if (_warnedNoNetwork.Add(compute.Region))
                {
                    _host.Warning($"The compute API of {compute.Region} cannot boot a server without a network; the throwaway servers get the cloud's default networks. Give -Network with an isolated network.");
                }
            }
            return Array.Empty<string>();
        }

        /// <summary>"autosnap-restore-test-web1-daily".</summary>
        private static string ThrowawayName(RestoreTestPool pool)
        {
            string name = NamePrefix + (pool.ServerName ?? pool.ServerId) + "-" + pool.Schedule;
            return name.Length <= 255 ? name : name.Substring(0, 255);
        }
    }

    /// <summary>The common validation of a restore test: the server accepts a TCP connection on a port.</summary>
    public static class TcpProbe
    {
        /// <summary>How long one connection attempt may take.</summary>
        public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

        /// <summary>The pause between two rounds of attempts (a server just ACTIVE may still be starting its services).</summary>
        public static readonly TimeSpan Pause = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Null when one of the server's addresses (IPv4 first) accepts a TCP connection on <paramref name="port"/>
        /// within <paramref name="within"/> (paused on the wait clock between rounds); else why not.
        /// </summary>
        public static async Task<string?> ProbeAsync(RackspaceServer server, int port, TimeSpan within, IWaitClock clock, CancellationToken cancellationToken)
        {
            List<string> addresses = server.Addresses.Values.SelectMany(a => a)
                .OrderBy(a => a.Contains(":") ? 1 : 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (addresses.Count == 0) return $"TCP probe of port {port}: the server has no address (booted without a network?)";
            TimeSpan started = clock.Elapsed;
            string last = string.Empty;
            while (true)
            {
                foreach (string address in addresses)
                {
                    string? why = await TryConnectAsync(address, port, cancellationToken).ConfigureAwait(false);
                    if (why == null) return null;
                    last = $"{address}:{port}: {why}";
                }
                TimeSpan remaining = within - (clock.Elapsed - started);
                if (remaining <= TimeSpan.Zero) return $"TCP probe of port {port} failed within {PolicyDuration.Format(within)}: {last}";
                await clock.DelayAsync(Pause < remaining ? Pause : remaining, cancellationToken).ConfigureAwait(false);
            }
        }

        private static async Task<string?> TryConnectAsync(string address, int port, CancellationToken cancellationToken)
        {
            using var client = new TcpClient(address.Contains(":") ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            try
            {
                Task connect = client.ConnectAsync(address, port);
                Task done = await Task.WhenAny(connect, Task.Delay(AttemptTimeout, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (done != connect) return "no answer";
                await connect.ConfigureAwait(false);
                return null;
            }
            catch (SocketException e)
            {
                return e.SocketErrorCode.ToString();
            }
        }
    }
}
