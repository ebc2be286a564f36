using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>Why a restore was refused before anything was changed.</summary>
    public enum RestoreRefusal
    {
        /// <summary>The restore point is failed, pending or gone (SnapshotStates.ClassifyRestorePoint).</summary>
        NotGood,
        /// <summary>Something a boot needs is neither recorded on the image nor given (e.g. the flavor).</summary>
        MissingParameter,
        /// <summary>A given flavor or network does not exist, or a name fits several.</summary>
        InvalidParameter,
        /// <summary>The compute quota (instances, cores, RAM) has no room for the server.</summary>
        Quota,
        /// <summary>The cloud cannot do it: a volume-backed rebuild below 2.93, no network below 2.37.</summary>
        NotSupported,
        /// <summary>In place: the image's server is gone, busy, or the safety snapshot did not succeed.</summary>
        ServerNotReady,
    }

    /// <summary>A restore refused before anything was changed; the message says why and what to do.</summary>
    public sealed class RestoreRefusedException : Exception
    {
        public RestoreRefusedException(RestoreRefusal reason, string message, string? parameter = null, Exception? inner = null) : base(message, inner)
        {
            Reason = reason;
            Parameter = parameter;
        }

        public RestoreRefusal Reason { get; }

        /// <summary>The parameter that would fix it (-Flavor, -Network), when one would.</summary>
        public string? Parameter { get; }
    }

    /// <summary>What a new server from a restore point gets instead of what the image recorded. Null: the recorded value.</summary>
    public sealed class RestoreOptions
    {
        /// <summary>The new server's name; default "&lt;image name&gt;-restore".</summary>
        public string? Name { get; set; }

        /// <summary>A flavor id or exact name.</summary>
        public string? Flavor { get; set; }

        /// <summary>Network ids or exact names, or the single value "none" for no network (compute 2.37+).</summary>
        public IReadOnlyList<string>? Networks { get; set; }

        public string? KeyName { get; set; }
        public IReadOnlyList<string>? SecurityGroups { get; set; }
        public string? AvailabilityZone { get; set; }

        /// <summary>More metadata for the new server (e.g. a throwaway tag). Keys starting with autosnap_ are allowed here: callers are ours.</summary>
        public Dictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Data volumes made at boot go with the server (throwaway servers); by default they stay, as restored data should.</summary>
        public bool DeleteVolumesWithServer { get; set; }

        /// <summary>Skip the quota check (a caller that checked for a whole batch already).</summary>
        public bool SkipQuotaCheck { get; set; }
    }

    /// <summary>A boot request worked out from a restore point, before it is sent (for -WhatIf and for checks).</summary>
    public sealed class RestorePlan
    {
        internal RestorePlan(AutoSnapshot point, ServerCreateRequest request, RackspaceFlavor flavor, IReadOnlyList<string> dataVolumeSnapshotIds)
        {
            RestorePoint = point;
            Request = request;
            Flavor = flavor;
            DataVolumeSnapshotIds = dataVolumeSnapshotIds;
        }

        public AutoSnapshot RestorePoint { get; }
        public ServerCreateRequest Request { get; }
        public RackspaceFlavor Flavor { get; }

        /// <summary>The -IncludeVolumes snapshots that become new volumes attached at boot.</summary>
        public IReadOnlyList<string> DataVolumeSnapshotIds { get; }

        public string Describe() =>
            $"server '{Request.Name}' from {RestorePoint.Name} ({RestorePoint.Id}), flavor {Flavor.Name} ({Flavor.Id}), " +
            (Request.NoNetwork ? "no network" : Request.NetworkIds.Count == 0 ? "the cloud's default networks" : "networks " + string.Join(", ", Request.NetworkIds)) +
            (RestorePoint.IsVolumeBacked ? ", root volume from the restore point's volume snapshot" : string.Empty) +
            (DataVolumeSnapshotIds.Count > 0 ? $", {DataVolumeSnapshotIds.Count} data volume(s) from its volume snapshots" : string.Empty);
    }

    /// <summary>How a wait for a server ended.</summary>
    public sealed class ServerWaitResult
    {
        public ServerWaitResult(RackspaceServer? server, bool timedOut)
        {
            Server = server;
            TimedOut = timedOut;
        }

        /// <summary>The server as it is now; null when it no longer exists.</summary>
        public RackspaceServer? Server { get; }

        public bool TimedOut { get; }

        public bool IsActive => !TimedOut && string.Equals(Server?.Status, "ACTIVE", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What an in-place restore did.</summary>
    public sealed class InPlaceResult
    {
        public InPlaceResult(RackspaceServer server, AutoSnapshot? safetySnapshot)
        {
            Server = server;
            SafetySnapshot = safetySnapshot;
        }

        /// <summary>The rebuilt server as read right after the rebuild was accepted.</summary>
        public RackspaceServer Server { get; }

        /// <summary>The good snapshot taken just before (schedule pre-restore, pinned); null with -NoSafetySnapshot.</summary>
        public AutoSnapshot? SafetySnapshot { get; }
    }

    /// <summary>
    /// Getting servers back from restore points: a new server booted from a restore point (with the flavor, networks,
    /// key, security groups and zone recorded at snapshot time, each overridable), or the original server rebuilt in
    /// place after a safety snapshot. These are the server calls every restore feature uses (Restore-AutoSnapshot,
    /// restore tests): boot, wait, delete.
    /// </summary>
    public sealed class RestoreService
    {
        private static readonly HashSet<string> RebuildableStatuses =
            new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "ACTIVE", "SHUTOFF", "ERROR" };

        private readonly RackspaceSession _session;
        private readonly IJobHost _host;
        private readonly SnapshotService _snapshots;

        public RestoreService(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
            _snapshots = new SnapshotService(session, host);
        }

        /// <summary>The restore point as the cloud has it now (image and volume snapshots); null when the image does not exist.</summary>
        public Task<AutoSnapshot?> FindRestorePointAsync(string imageId, string region, CancellationToken cancellationToken) =>
            _snapshots.FindImageAsync(imageId, region, cancellationToken);

        /// <summary>Refuses a restore point that is not good: failed (image or a part failed or is missing), pending, or gone.</summary>
        public static void EnsureRestorable(AutoSnapshot point)
        {
            string what = $"Restore point {point.Name} ({point.Id})";
            switch (point.State)
            {
                case SnapshotState.Good:
                    return;
                case SnapshotState.Pending:
                    throw new RestoreRefusedException(RestoreRefusal.NotGood,
                        $"{what} is still being made ({point.StatusText}); it cannot be restored until it is good. Wait for it (Wait-AutoSnapshot) or pick an older one.");
                case SnapshotState.Failed:
                    throw new RestoreRefusedException(RestoreRefusal.NotGood,
                        $"{what} failed ({point.StatusText}" +
                        (point.MissingVolumeSnapshotIds.Count > 0 ? $"; missing volume snapshots {string.Join(", ", point.MissingVolumeSnapshotIds)}" : string.Empty) +
                        "); it cannot be restored. Pick another restore point.");
                default:
                    throw new RestoreRefusedException(RestoreRefusal.NotGood, $"{what} is being deleted ({point.StatusText}); it cannot be restored.");
            }
        }

        /// <summary>
        /// Works out the boot request for a new server from a good restore point: the recorded values, overridden by
        /// <paramref name="options"/>; names resolved to ids; then the quota checked. Sends nothing that changes anything.
        /// </summary>
        public async Task<RestorePlan> PlanAsync(AutoSnapshot point, RestoreOptions options, CancellationToken cancellationToken)
        {
            EnsureRestorable(point);
            string region = point.Region ?? _session.Region;
            ComputeClient compute = _snapshots.Compute(region);
            RestoreHints hints = RestoreHints.Read(point);

            RackspaceFlavor flavor = await ResolveFlavorAsync(compute, point, options.Flavor, hints.FlavorId, cancellationToken).ConfigureAwait(false);
            string name = string.IsNullOrWhiteSpace(options.Name) ? point.Name + "-restore" : options.Name!.Trim();
            if (name.Length > 255) name = name.Substring(0, 255);
            var request = new ServerCreateRequest(name, point.Id, flavor.Id)
            {
                KeyName = options.KeyName ?? hints.KeyName,
                AvailabilityZone = options.AvailabilityZone ?? hints.AvailabilityZone,
            };
            request.SecurityGroups.AddRange(options.SecurityGroups ?? hints.SecurityGroups);
            await ResolveNetworksAsync(compute, region, point, options.Networks, hints, request, cancellationToken).ConfigureAwait(false);

            request.Metadata[AutosnapMetadata.RestoredFrom] = point.Id;
            foreach (var pair in options.Metadata) request.Metadata[pair.Key] = pair.Value;

            // -IncludeVolumes restore points: each data volume's snapshot becomes a new volume attached at boot. The image
            // stays the root disk (boot index 0). A volume-backed image brings its own mapping, which Nova reads itself.
            var dataSnapshots = (point.VolumeSnapshots ?? Array.Empty<VolumeSnapshot>())
                .Where(v => !point.BlockDeviceSnapshotIds.Contains(v.Id))
                .OrderBy(v => v.Name, StringComparer.Ordinal)
                .Select(v => v.Id)
                .ToList();
            if (point.IsVolumeBacked && options.DeleteVolumesWithServer)
            {
                // The image's own mapping makes volumes that outlive the server (delete_on_termination false). Entries
                // for the same devices replace the image's, so the volumes go with a throwaway server.
                request.BlockDevices.AddRange(VolumesGoingWithServer(point));
            }
            if (dataSnapshots.Count > 0 && !point.IsVolumeBacked)
            {
                // Nova needs the image as its own entry when a mapping is given (else 400 "Boot sequence ... is not valid").
                request.BlockDevices.Add(new BlockDeviceRequest
                    { SourceType = "image", Uuid = point.Id, DestinationType = "local", BootIndex = 0, DeleteOnTermination = true });
                foreach (string snapshotId in dataSnapshots)
                {
                    request.BlockDevices.Add(new BlockDeviceRequest
                        { SourceType = "snapshot", Uuid = snapshotId, DestinationType = "volume", BootIndex = -1, DeleteOnTermination = options.DeleteVolumesWithServer });
                }
            }

            if (!options.SkipQuotaCheck)
            {
                await CheckQuotaAsync(compute, flavor, 1, cancellationToken).ConfigureAwait(false);
            }
            return new RestorePlan(point, request, flavor, point.IsVolumeBacked ? Array.Empty<string>() : (IReadOnlyList<string>)dataSnapshots);
        }

        /// <summary>A volume-backed image's block_device_mapping as entries that delete their volumes with the server.</summary>
        private static IEnumerable<BlockDeviceRequest> VolumesGoingWithServer(AutoSnapshot point)
        {
            if (!point.Properties.TryGetValue(AutosnapMetadata.BlockDeviceMapping, out string? json)) yield break;
            Newtonsoft.Json.Linq.JArray entries;
            try
            {
                entries = Newtonsoft.Json.Linq.JArray.Parse(json);
            }
            catch (Newtonsoft.Json.JsonException)
            {
                yield break;   // an unreadable mapping never gets here: such a restore point is not good
            }
            foreach (var entry in entries.OfType<Newtonsoft.Json.Linq.JObject>())
            {
                string? snapshotId = (string?)entry["snapshot_id"];
                if (string.IsNullOrEmpty(snapshotId)) continue;
                // Nova writes numbers, some clouds strings: read both.
                int bootIndex = int.TryParse(entry["boot_index"]?.ToString(), out int b) ? b : -1;
                int? size = int.TryParse(entry["volume_size"]?.ToString(), out int gb) ? gb : (int?)null;
                yield return new BlockDeviceRequest
                {
                    SourceType = "snapshot", Uuid = snapshotId, DestinationType = "volume", BootIndex = bootIndex < 0 ? -1 : bootIndex,
                    DeleteOnTermination = true, VolumeSize = size, DeviceName = (string?)entry["device_name"],
                };
            }
        }

        /// <summary>Refuses when the region's instance, core or RAM quota has no room for <paramref name="servers"/> servers of the flavor.</summary>
        public async Task CheckQuotaAsync(ComputeClient compute, RackspaceFlavor flavor, int servers, CancellationToken cancellationToken)
        {
            ComputeQuota quota = await compute.GetQuotaAsync(cancellationToken).ConfigureAwait(false);
            string? why = quota.WhyNotRoomFor(flavor, servers);
            if (why != null)
            {
                throw new RestoreRefusedException(RestoreRefusal.Quota,
                    $"The compute quota of region {compute.Region} has no room for {servers} more server(s) of flavor {flavor.Name} ({flavor.Id}): {why}. " +
                    "Delete servers you do not need, pick a smaller flavor (-Flavor), or ask for a higher quota.");
            }
        }

        /// <summary>Sends the boot request of a plan and returns the new server as the cloud shows it then (usually BUILD).</summary>
        public async Task<RackspaceServer> BootAsync(RestorePlan plan, CancellationToken cancellationToken)
        {
            string region = plan.RestorePoint.Region ?? _session.Region;
            ComputeClient compute = _snapshots.Compute(region);
            string id = await compute.CreateServerAsync(plan.Request, cancellationToken).ConfigureAwait(false);
            _host.Verbose($"Restore: asked for {plan.Describe()}: server {id}.");
            RackspaceServer? server = await compute.FindServerAsync(id, cancellationToken).ConfigureAwait(false);
            return Attach(server ?? throw new CloudException(CloudErrorKind.NotFound,
                $"Server {id}, just created from restore point {plan.RestorePoint.Id}, no longer exists: the cloud deleted it."));
        }

        /// <summary>Plan and boot in one: a new server from a good restore point.</summary>
        public async Task<RackspaceServer> RestoreAsNewAsync(AutoSnapshot point, RestoreOptions options, CancellationToken cancellationToken) =>
            await BootAsync(await PlanAsync(point, options, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

        /// <summary>
        /// Waits until the server is ACTIVE, SHUTOFF or ERROR with no task running, or gone, or the timeout passes,
        /// looking with a growing interval on the session's wait clock and reporting progress. Never deletes anything.
        /// </summary>
        public async Task<ServerWaitResult> WaitForServerAsync(string serverId, string region, string label, WaitOptions options, CancellationToken cancellationToken)
        {
            ComputeClient compute = _snapshots.Compute(region);
            IWaitClock clock = _session.Cloud.Http.Options.Clock;
            int activityId = ProgressIds.Next();
            string activity = $"Waiting for server {label}";
            TimeSpan started = clock.Elapsed;
            TimeSpan interval = options.FirstPollInterval;
            RackspaceServer? server = null;
            try
            {
                while (true)
                {
                    try
                    {
                        server = await compute.FindServerAsync(serverId, cancellationToken).ConfigureAwait(false);
                        if (server == null) return new ServerWaitResult(null, false);
                        if (IsSettled(server)) return new ServerWaitResult(Attach(server), false);
                    }
                    catch (CloudException e) when (IsPassingTrouble(e) && clock.Elapsed - started < options.Timeout)
                    {
                        _host.Verbose($"Could not look at server {label} ({e.Message}); still waiting.");
                    }
                    TimeSpan remaining = options.Timeout - (clock.Elapsed - started);
                    if (remaining <= TimeSpan.Zero)
                    {
                        return new ServerWaitResult(server == null ? null : Attach(server), true);
                    }
                    _host.Progress(new ProgressUpdate(activityId, activity,
                        $"{server?.Status ?? "not seen"}{(server?.TaskState != null ? $" ({server.TaskState})" : string.Empty)}" +
                        $"{(server?.Progress is int p ? $" {p}%" : string.Empty)}, {clock.Elapsed - started:hh\\:mm\\:ss} elapsed", server?.Progress));
                    await clock.DelayAsync(interval < remaining ? interval : remaining, cancellationToken).ConfigureAwait(false);
                    interval = TimeSpan.FromTicks(Math.Min(options.MaxPollInterval.Ticks, (long)(interval.Ticks * 1.5)));
                }
            }
            finally
            {
                _host.Progress(new ProgressUpdate(activityId, activity, "done", 100, completed: true));
            }
        }

        /// <summary>Deletes a server (false when it was already gone). The caller decides which: this never picks servers itself.</summary>
        public Task<bool> DeleteServerAsync(string serverId, string region, CancellationToken cancellationToken) =>
            _snapshots.Compute(region).DeleteServerAsync(serverId, cancellationToken);

        /// <summary>
        /// Rebuilds the restore point's own server from it. Refuses a restore point that is not good, a server that is
        /// gone or busy, and what the cloud cannot rebuild (a volume-backed server below compute 2.93). Asks the host
        /// first (ShouldProcess); then, unless <paramref name="noSafetySnapshot"/>, takes a snapshot of the server now in
        /// the pool "pre-restore" and waits until it is good: no good safety snapshot, no rebuild.
        /// Returns null when the host said no.
        /// </summary>
        public async Task<InPlaceResult?> RestoreInPlaceAsync(AutoSnapshot point, bool noSafetySnapshot, WaitOptions safetyWait, CancellationToken cancellationToken)
        {
            EnsureRestorable(point);
            string region = point.Region ?? _session.Region;
            ComputeClient compute = _snapshots.Compute(region);
            string serverId = point.ServerId ?? throw new RestoreRefusedException(RestoreRefusal.ServerNotReady,
                $"Restore point {point.Name} ({point.Id}) does not name the server it was taken of; it can only be restored as a new server.");
            RackspaceServer server = await compute.FindServerAsync(serverId, cancellationToken).ConfigureAwait(false)
                ?? throw new RestoreRefusedException(RestoreRefusal.ServerNotReady,
                    $"Server {serverId}, of which {point.Name} ({point.Id}) was taken, no longer exists in {region}; restore it as a new server instead (without -InPlace).");
            // The one server this may ever rebuild: the image's own (its instance_uuid / autosnap_server).
            if (!string.Equals(server.Id, serverId, StringComparison.OrdinalIgnoreCase))
            {
                throw new RestoreRefusedException(RestoreRefusal.ServerNotReady, $"Server {server.Id} is not the server restore point {point.Id} was taken of.");
            }
            if (server.TaskState != null || !RebuildableStatuses.Contains(server.Status))
            {
                throw new RestoreRefusedException(RestoreRefusal.ServerNotReady,
                    $"Server {server.Name} ({server.Id}) is {server.Status}{(server.TaskState != null ? $" (task {server.TaskState})" : string.Empty)}; " +
                    "a rebuild needs it ACTIVE, SHUTOFF or ERROR with no task running. Try again when it is.");
            }
            if (point.IsVolumeBacked)
            {
                // Nova accepts such a rebuild at 2.93 and then fails it (Cinder cannot reimage a volume from an image
                // without data), or for an image-backed server makes a disk of nothing: never ask for it.
                throw new RestoreRefusedException(RestoreRefusal.NotSupported,
                    $"Restore point {point.Name} ({point.Id}) is of a volume-backed server: its data is in volume snapshots, and a rebuild cannot " +
                    "put them back (the image itself holds no data). Restore it as a new server instead (without -InPlace).");
            }
            Version? microversion = null;
            if (server.IsVolumeBacked)
            {
                Version? max = await compute.GetMaxMicroversionAsync(cancellationToken).ConfigureAwait(false);
                if (max == null || max < ComputeClient.VolumeBackedRebuildMicroversion)
                {
                    throw new RestoreRefusedException(RestoreRefusal.NotSupported,
                        $"Server {server.Name} ({server.Id}) boots from a volume, and this cloud's compute API (" +
                        (max == null ? "no microversions" : $"up to microversion {max.ToString(2)}") +
                        $") cannot rebuild a volume-backed server from another image (that needs {ComputeClient.VolumeBackedRebuildMicroversion.ToString(2)}). " +
                        "Restore it as a new server instead (without -InPlace).");
                }
                microversion = ComputeClient.VolumeBackedRebuildMicroversion;
            }
            string target = $"{server.Name} ({server.Id}) in {region}";
            string action = $"Rebuild from restore point {point.Name} ({point.Id}, {point.Created:u})" +
                            (noSafetySnapshot ? " WITHOUT a safety snapshot" : $" after a safety snapshot in schedule '{AutosnapMetadata.SafetySchedule}'") +
                            "; everything written since is replaced";
            if (!_host.ShouldProcess(target, action)) return null;

            AutoSnapshot? safety = null;
            if (!noSafetySnapshot)
            {
                safety = await TakeSafetySnapshotAsync(server, safetyWait, cancellationToken).ConfigureAwait(false);
            }
            if (point.ExpectedDataVolumes > 0)
            {
                _host.Warning($"In place restores the root disk of {server.Name} only: its data volumes stay as they are. " +
                              $"Restore {point.Id} as a new server to get the data volumes of that time back.");
            }
            await compute.RebuildServerAsync(server.Id, point.Id, microversion, cancellationToken).ConfigureAwait(false);
            _host.Verbose($"Rebuild of {target} from {point.Id} accepted.");
            RackspaceServer after = await compute.FindServerAsync(server.Id, cancellationToken).ConfigureAwait(false) ?? server;
            return new InPlaceResult(Attach(after), safety);
        }

        private async Task<AutoSnapshot> TakeSafetySnapshotAsync(RackspaceServer server, WaitOptions wait, CancellationToken cancellationToken)
        {
            string imageId;
            try
            {
                imageId = await _snapshots.StartAsync(server, AutosnapMetadata.SafetySchedule, null, "{server}-" + AutosnapMetadata.SafetySchedule + "-{timestamp}",
                    cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e)
            {
                throw new RestoreRefusedException(RestoreRefusal.ServerNotReady,
                    $"The safety snapshot of {server.Name} ({server.Id}) could not be taken ({e.Message}); nothing was rebuilt.", null, e);
            }
            WaitResult result = await _snapshots.WaitAsync(imageId, server.Region, $"{server.Name} ({AutosnapMetadata.SafetySchedule})", wait, cancellationToken).ConfigureAwait(false);
            if (!result.IsGood)
            {
                throw new RestoreRefusedException(RestoreRefusal.ServerNotReady,
                    $"The safety snapshot {imageId} of {server.Name} ({server.Id}) is " +
                    (result.TimedOut ? $"still {result.Snapshot?.StatusText ?? "not visible"} after {wait.Timeout}" : result.Snapshot == null ? "gone (the cloud deleted it)" : result.Snapshot.StatusText) +
                    "; nothing was rebuilt.");
            }
            AutoSnapshot safety = result.Snapshot!;
            try
            {
                // Pinned: no rotation ever counts or deletes it, even when its pool is piped into one by accident.
                safety = await _snapshots.Images(server.Region).UpdatePropertiesAsync(safety,
                    new Dictionary<string, string?> { [AutosnapMetadata.Pinned] = "true" }, cancellationToken).ConfigureAwait(false);
                safety = _snapshots.Attach(safety);
            }
            catch (CloudException e)
            {
                _host.Warning($"The safety snapshot {imageId} of {server.Name} could not be pinned ({e.Message}); it stays in its own pool " +
                              $"'{AutosnapMetadata.SafetySchedule}', which no policy rotates. Pin it with Lock-AutoSnapshot.");
            }
            _host.Verbose($"Safety snapshot {safety.Name} ({imageId}) of {server.Name} is good and pinned.");
            return safety;
        }

        private async Task<RackspaceFlavor> ResolveFlavorAsync(ComputeClient compute, AutoSnapshot point, string? given, string? recorded, CancellationToken cancellationToken)
        {
            if (!string.IsNullOrWhiteSpace(given))
            {
                string wanted = given!.Trim();
                RackspaceFlavor? byId = await compute.FindFlavorAsync(wanted, cancellationToken).ConfigureAwait(false);
                if (byId != null) return byId;
                var byName = (await compute.ListFlavorsAsync(cancellationToken).ConfigureAwait(false))
                    .Where(f => string.Equals(f.Name, wanted, StringComparison.OrdinalIgnoreCase)).ToList();
                if (byName.Count == 1) return byName[0];
                throw new RestoreRefusedException(RestoreRefusal.InvalidParameter,
                    byName.Count == 0
                        ? $"No flavor with id or name '{wanted}' in region {compute.Region}; Get-RackspaceFlavor lists them."
                        : $"{byName.Count} flavors are named '{wanted}' in region {compute.Region}; give the id.", "Flavor");
            }
            if (recorded == null)
            {
                throw new RestoreRefusedException(RestoreRefusal.MissingParameter,
                    $"Restore point {point.Name} ({point.Id}) does not record its server's flavor (it was taken before Autosnap recorded one); " +
                    "give -Flavor (Get-RackspaceFlavor lists them).", "Flavor");
            }
            return await compute.FindFlavorAsync(recorded, cancellationToken).ConfigureAwait(false)
                ?? throw new RestoreRefusedException(RestoreRefusal.MissingParameter,
                    $"The flavor {recorded} recorded on restore point {point.Name} ({point.Id}) no longer exists in region {compute.Region}; give -Flavor.", "Flavor");
        }

        private async Task ResolveNetworksAsync(ComputeClient compute, string region, AutoSnapshot point, IReadOnlyList<string>? given, RestoreHints hints,
                                                ServerCreateRequest request, CancellationToken cancellationToken)
        {
            var wanted = given?.Select(n => n.Trim()).Where(n => n.Length > 0).ToList();
            if (wanted != null && wanted.Count > 0)
            {
                if (wanted.Any(n => string.Equals(n, AutosnapMetadata.NoNetwork, StringComparison.OrdinalIgnoreCase)))
                {
                    if (wanted.Count > 1)
                        throw new RestoreRefusedException(RestoreRefusal.InvalidParameter, "-Network 'none' cannot be combined with networks.", "Network");
                    request.NoNetwork = true;
                }
                else
                {
                    IReadOnlyList<RackspaceNetwork> networks = await new NetworkClient(_session.Cloud, region, _host).ListNetworksAsync(cancellationToken).ConfigureAwait(false);
                    foreach (string network in wanted)
                    {
                        var matches = networks.Where(n => string.Equals(n.Id, network, StringComparison.OrdinalIgnoreCase)).ToList();
                        if (matches.Count == 0) matches = networks.Where(n => string.Equals(n.Name, network, StringComparison.Ordinal)).ToList();
                        if (matches.Count != 1)
                        {
                            throw new RestoreRefusedException(RestoreRefusal.InvalidParameter,
                                matches.Count == 0
                                    ? $"No network with id or name '{network}' in region {region}; Get-RackspaceNetwork lists them."
                                    : $"{matches.Count} networks are named '{network}' in region {region}; give the id.", "Network");
                        }
                        if (!request.NetworkIds.Contains(matches[0].Id)) request.NetworkIds.Add(matches[0].Id);
                    }
                }
            }
            else if (hints.NoNetwork)
            {
                request.NoNetwork = true;
            }
            else if (hints.NetworkIds != null && hints.NetworkIds.Count > 0)
            {
                request.NetworkIds.AddRange(hints.NetworkIds);
            }
            else
            {
                _host.Verbose($"Restore point {point.Id} records no networks; the cloud attaches its default networks (give -Network to choose).");
            }
            if (request.NoNetwork)
            {
                Version? max = await compute.GetMaxMicroversionAsync(cancellationToken).ConfigureAwait(false);
                if (max == null || max < ComputeClient.NoNetworkMicroversion)
                {
                    throw new RestoreRefusedException(RestoreRefusal.NotSupported,
                        $"This cloud's compute API ({(max == null ? "no microversions" : $"up to {max.ToString(2)}")}) cannot boot a server without a network " +
                        $"(that needs microversion {ComputeClient.NoNetworkMicroversion.ToString(2)}){(given == null ? ", and the restore point's server had none" : string.Empty)}; give -Network.", "Network");
                }
            }
        }

        private static bool IsSettled(RackspaceServer server) =>
            server.TaskState == null &&
            (string.Equals(server.Status, "ACTIVE", StringComparison.OrdinalIgnoreCase) ||
             string.Equals(server.Status, "ERROR", StringComparison.OrdinalIgnoreCase) ||
             string.Equals(server.Status, "SHUTOFF", StringComparison.OrdinalIgnoreCase));

        private static bool IsPassingTrouble(CloudException e) =>
            e.Kind == CloudErrorKind.Unavailable || e.Kind == CloudErrorKind.Timeout ||
            e.Kind == CloudErrorKind.Connection || e.Kind == CloudErrorKind.RateLimited;

        private RackspaceServer Attach(RackspaceServer server)
        {
            server.Session = _session;
            return server;
        }
    }
}
