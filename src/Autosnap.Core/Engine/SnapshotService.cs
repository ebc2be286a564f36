using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>How long to wait for a snapshot and how often to look.</summary>
    public sealed class WaitOptions
    {
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

        /// <summary>The first pause between two looks; it grows by half each time, up to <see cref="MaxPollInterval"/>.</summary>
        public TimeSpan FirstPollInterval { get; set; } = TimeSpan.FromSeconds(1);

        public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// With hooks: the pause between looks at the server while its disk is captured. Short and fixed, because the
        /// after-snapshot hook (resuming writes) waits for the first look that sees the capture done.
        /// </summary>
        public TimeSpan CapturePollInterval { get; set; } = TimeSpan.FromSeconds(1);
    }

    /// <summary>What a snapshot does about volumes.</summary>
    public sealed class VolumeOptions
    {
        /// <summary>Also snapshot the data volumes attached to an image-backed server (forced Cinder snapshots).</summary>
        public bool IncludeVolumes { get; set; }

        /// <summary>When the snapshot quota is full, delete Autosnap's own leftover volume snapshots first instead of failing.</summary>
        public bool ReclaimLeftovers { get; set; }
    }

    /// <summary>How a wait ended.</summary>
    public sealed class WaitResult
    {
        public WaitResult(AutoSnapshot? snapshot, bool timedOut)
        {
            Snapshot = snapshot;
            TimedOut = timedOut;
        }

        /// <summary>The image as it is now; null when the cloud deleted it (Nova does that when a snapshot fails).</summary>
        public AutoSnapshot? Snapshot { get; }

        public bool TimedOut { get; }

        public bool IsGood => !TimedOut && Snapshot?.State == SnapshotState.Good;
    }

    /// <summary>
    /// Finding servers, taking snapshots and waiting for them. A snapshot request is never sent twice for the same
    /// job without first checking that the first one did not already create the image.
    /// </summary>
    public sealed class SnapshotService
    {
        /// <summary>The name a snapshot gets unless the caller gives a template.</summary>
        public const string DefaultNameTemplate = "{server}-{schedule}-{timestamp}";

        // Nova: a server must have no task running for createImage; these statuses accept one.
        private static readonly HashSet<string> SnapshotableStatuses =
            new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED" };

        // \z, not $: in .NET "$" also matches before a final newline, which would let "daily\n" through.
        private static readonly Regex ScheduleName = new Regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\\z");
        private const int MaxCreateAttempts = 3;

        private readonly RackspaceSession _session;
        private readonly IJobHost _host;

        public SnapshotService(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
        }

        public ComputeClient Compute(string region) => new ComputeClient(_session.Cloud, region, _host);

        public ImageClient Images(string region) => new ImageClient(_session.Cloud, region, _host);

        /// <summary>
        /// The server of a pool given by id or name, for rotating or planning it. A server id that no longer exists
        /// is an orphaned pool: its snapshots still rotate (never below one good image) and can be planned, so null is
        /// returned with a warning that says what is done (<paramref name="doing"/>: "rotating", "planning").
        /// A name that matches nothing is not found, as everywhere.
        /// </summary>
        public async Task<RackspaceServer?> ResolvePoolServerAsync(string idOrName, string region, string schedule, string doing, CancellationToken cancellationToken)
        {
            try
            {
                return await ResolveServerAsync(idOrName, region, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e) when (e.Kind == CloudErrorKind.NotFound && Guid.TryParse(idOrName, out _))
            {
                _host.Warning($"Server {idOrName} no longer exists in {region}; {doing} its orphaned pool '{schedule}'.");
                return null;
            }
        }

        /// <summary>A server by id, or by exact name when no server has that id. Several servers of that name are an error.</summary>
        public async Task<RackspaceServer> ResolveServerAsync(string idOrName, string region, CancellationToken cancellationToken)
        {
            ComputeClient compute = Compute(region);
            if (Guid.TryParse(idOrName, out _))
            {
                RackspaceServer? byId = await compute.FindServerAsync(idOrName, cancellationToken).ConfigureAwait(false);
                if (byId != null) return Attach(byId);
            }
            // Nova's name filter is a regular expression; a name that is not a plain one is filtered here only.
            string? serverFilter = Regex.IsMatch(idOrName, @"^[\w .-]+$") ? idOrName : null;
            var matches = (await compute.ListServersAsync(serverFilter, cancellationToken).ConfigureAwait(false))
                .Where(s => string.Equals(s.Name, idOrName, StringComparison.Ordinal))
                .ToList();
            switch (matches.Count)
            {
                case 1:
                    return Attach(matches[0]);
                case 0:
                    throw new CloudException(CloudErrorKind.NotFound, $"No server with id or name '{idOrName}' in region {region}.");
                default:
                    throw new CloudException(CloudErrorKind.Ambiguous,
                        $"{matches.Count} servers are named '{idOrName}' in region {region} ({string.Join(", ", matches.Select(m => m.Id))}); give the id.");
            }
        }

        /// <summary>
        /// Several servers by id or name in one region: one listing instead of a lookup each. Each reference maps to
        /// its server, or to the error a single lookup would have given (not found, ambiguous).
        /// </summary>
        public async Task<IReadOnlyList<(string Reference, RackspaceServer? Server, CloudException? Error)>> ResolveServersAsync(
            IReadOnlyList<string> idsOrNames, string region, CancellationToken cancellationToken)
        {
            if (idsOrNames.Count == 1)
            {
                try
                {
                    return new[] { (idsOrNames[0], (RackspaceServer?)await ResolveServerAsync(idsOrNames[0], region, cancellationToken).ConfigureAwait(false), (CloudException?)null) };
                }
                catch (CloudException e) when (e.Kind == CloudErrorKind.NotFound || e.Kind == CloudErrorKind.Ambiguous)
                {
                    return new[] { (idsOrNames[0], (RackspaceServer?)null, (CloudException?)e) };
                }
            }
            var servers = await ListServersAsync(region, null, cancellationToken).ConfigureAwait(false);
            return idsOrNames.Select(reference =>
            {
                var byId = servers.Where(s => string.Equals(s.Id, reference, StringComparison.OrdinalIgnoreCase)).ToList();
                var matches = byId.Count > 0 ? byId : servers.Where(s => string.Equals(s.Name, reference, StringComparison.Ordinal)).ToList();
                return matches.Count switch
                {
                    1 => (reference, (RackspaceServer?)matches[0], (CloudException?)null),
                    0 => (reference, null, new CloudException(CloudErrorKind.NotFound, $"No server with id or name '{reference}' in region {region}.")),
                    _ => (reference, null, new CloudException(CloudErrorKind.Ambiguous,
                        $"{matches.Count} servers are named '{reference}' in region {region} ({string.Join(", ", matches.Select(m => m.Id))}); give the id.")),
                };
            }).ToList();
        }

        /// <summary>Servers of a region whose name matches <paramref name="nameMatches"/> (all when null).</summary>
        public async Task<IReadOnlyList<RackspaceServer>> ListServersAsync(string region, Func<string, bool>? nameMatches, CancellationToken cancellationToken)
        {
            var servers = await Compute(region).ListServersAsync(null, cancellationToken).ConfigureAwait(false);
            return servers.Where(s => nameMatches == null || nameMatches(s.Name)).Select(Attach).ToList();
        }

        /// <summary>
        /// Asks for a snapshot of <paramref name="server"/> in pool <paramref name="schedule"/> and returns the new image id.
        /// The server's state is read first: a running snapshot is reported as such, not as a raw 409.
        /// Each request carries a unique token in the image metadata; when an answer is lost, the image with that
        /// token is looked up before the request is sent again, so a retry never makes a second snapshot.
        /// </summary>
        public async Task<string> StartAsync(RackspaceServer server, string schedule, IReadOnlyDictionary<string, string>? extraMetadata,
                                             string? nameTemplate, CancellationToken cancellationToken, VolumeOptions? volumeOptions = null,
                                             SnapshotConsistency consistency = SnapshotConsistency.Crash)
        {
            ValidateSchedule(schedule);
            volumeOptions ??= new VolumeOptions();
            ComputeClient compute = Compute(server.Region);
            RackspaceServer current = await compute.FindServerAsync(server.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new CloudException(CloudErrorKind.NotFound, $"Server {server.Name} ({server.Id}) no longer exists in region {server.Region}.");
            ThrowIfNotSnapshotable(current);

            string token = Guid.NewGuid().ToString();
            var metadata = BuildMetadata(current.Id, schedule, token, extraMetadata, consistency).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            await RestoreHints.RecordAsync(_session, current, metadata, _host, cancellationToken).ConfigureAwait(false);
            string name = FormatName(nameTemplate ?? DefaultNameTemplate, current, schedule, _session.Cloud.ServerNow(server.Region));
            ImageClient images = Images(server.Region);

            // Volumes: a volume-backed server's snapshot is one Cinder snapshot per attached volume (Nova makes them);
            // -IncludeVolumes makes them for an image-backed server's data volumes. Either way the quota is checked first.
            IReadOnlyList<VolumeAttachment> volumes = Array.Empty<VolumeAttachment>();
            RestorePointParts? parts = null;
            if (current.IsVolumeBacked || volumeOptions.IncludeVolumes)
            {
                volumes = await compute.ListVolumeAttachmentsAsync(current.Id, cancellationToken).ConfigureAwait(false);
                parts = new RestorePointParts(_session, server.Region, _host);
                if (volumes.Count > 0 && parts.Available)
                {
                    await parts.CheckQuotaAsync(current, volumes, volumeOptions.ReclaimLeftovers, cancellationToken).ConfigureAwait(false);
                }
                else if (volumes.Count > 0 && !current.IsVolumeBacked)
                {
                    throw new CloudException(CloudErrorKind.Configuration,
                        $"Server {current.Name} has {volumes.Count} data volume(s), but region {server.Region} has no block storage endpoint in the catalog: -IncludeVolumes cannot snapshot them.");
                }
                if (current.IsVolumeBacked) metadata[AutosnapMetadata.VolumeBacked] = "true";
                else if (volumes.Count > 0) metadata[AutosnapMetadata.Volumes] = volumes.Count.ToString(CultureInfo.InvariantCulture);
            }

            async Task AfterCreateAsync(string imageId)
            {
                if (parts == null || !parts.Available) return;
                if (current.IsVolumeBacked)
                {
                    await TagVolumeBackedAsync(parts, images, imageId, cancellationToken).ConfigureAwait(false);
                }
                else if (volumes.Count > 0)
                {
                    await SnapshotDataVolumesAsync(parts, current, schedule, name, imageId, volumes, cancellationToken).ConfigureAwait(false);
                }
            }

            try
            {
                return await RequestAsync().ConfigureAwait(false);
            }
            catch (CloudException e) when (current.IsVolumeBacked && parts != null && parts.Available && volumes.Count > 0)
            {
                // Nova makes the Cinder snapshots one volume at a time inside the request: when it then fails (a quota
                // refusal, a 500 from Cinder, a lost connection) the ones it made stay, named for our request. Ours to clean.
                int left = 0;
                try
                {
                    left = await parts.CleanRefusedAsync(current, schedule, name, token, volumes.Select(v => v.VolumeId).ToList(), cancellationToken).ConfigureAwait(false);
                }
                catch (CloudException cleanup)
                {
                    _host.Warning($"Could not look for volume snapshots the failed snapshot request of {current.Name} left behind ({cleanup.Message}); " +
                                  $"any named 'snapshot for {name}' are not Autosnap-tagged and are left alone.");
                }
                if (e.Kind != CloudErrorKind.QuotaExceeded) throw;
                throw new CloudException(CloudErrorKind.QuotaExceeded,
                    $"The cloud refused the snapshot of {current.Name} ({current.Id}) for quota: {e.Message}" +
                    (left > 0 ? $" It left {left} volume snapshot(s) behind, which Autosnap tagged and cleans." : string.Empty) +
                    " Nothing else was deleted.", e.StatusCode, e.FaultName, e);
            }

            async Task<string> RequestAsync()
            {
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        string imageId = await compute.CreateImageAsync(current.Id, name, metadata, cancellationToken).ConfigureAwait(false);
                        _host.Verbose($"Snapshot '{name}' of {current.Name} requested: image {imageId}.");
                        await AfterCreateAsync(imageId).ConfigureAwait(false);
                        return imageId;
                    }
                    catch (CloudException e) when (e.Kind == CloudErrorKind.Conflict && attempt == 1)
                    {
                        // A plain 409 to our first request: another task got there first (we checked task_state just before).
                        throw SnapshotRunning(current, e);
                    }
                    catch (CloudException e) when (e.OutcomeUnknown || e.Kind == CloudErrorKind.Conflict)
                    {
                        // Did the request we could not hear back from create the image after all?
                        string? created;
                        try
                        {
                            created = await FindByRequestTokenAsync(images, current.Id, token, cancellationToken).ConfigureAwait(false);
                        }
                        catch (CloudException lookup)
                        {
                            // Both failed (Nova answers 500 when it cannot reach Glance, and so does our lookup): say both,
                            // or the user reads about a listing and never learns that the snapshot request failed.
                            throw new CloudException(lookup.Kind,
                                $"{e.Message.TrimEnd('.')}; whether that request made an image anyway could not be checked: {lookup.Message}",
                                lookup.StatusCode, lookup.FaultName, lookup) { OutcomeUnknown = true };
                        }
                        if (created != null)
                        {
                            _host.Verbose($"The answer to the snapshot request was lost, but it created image {created}; using it.");
                            await AfterCreateAsync(created).ConfigureAwait(false);
                            return created;
                        }
                        if (e.Kind == CloudErrorKind.Conflict)
                        {
                            throw SnapshotRunning(current, e);
                        }
                        if (attempt >= MaxCreateAttempts)
                        {
                            throw;
                        }
                        if (current.IsVolumeBacked && parts != null && parts.Available && volumes.Count > 0)
                        {
                            // The next request's volume snapshots get the same name: tag and clean this one's first, while
                            // they can still be told apart (the next image will name its own in block_device_mapping).
                            await parts.CleanRefusedAsync(current, schedule, name, token, volumes.Select(v => v.VolumeId).ToList(), cancellationToken).ConfigureAwait(false);
                        }
                        _host.Verbose($"The snapshot request failed before it created an image ({e.Message}); asking again ({attempt + 1}/{MaxCreateAttempts}).");
                    }
                }
            }
        }

        /// <summary>
        /// Tags the Cinder snapshots Nova made for a volume-backed server's image right away, so that they stay
        /// recognisable as Autosnap's should the image ever be deleted without them. A failure is a warning: the
        /// image still names them, and deletion tags them before it deletes anything.
        /// </summary>
        private async Task TagVolumeBackedAsync(RestorePointParts parts, ImageClient images, string imageId, CancellationToken cancellationToken)
        {
            try
            {
                AutoSnapshot? image = await images.FindAsync(imageId, cancellationToken).ConfigureAwait(false);
                if (image == null) return;
                await parts.TagPartsAsync(image, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e)
            {
                _host.Warning($"Could not tag the volume snapshots of image {imageId} as Autosnap's yet ({e.Message}); deletion tags them first.");
            }
        }

        /// <summary>
        /// -IncludeVolumes: a forced Cinder snapshot of each data volume, carrying Autosnap's ownership metadata and
        /// the image id (the restore point they belong to). A lost answer is looked for before asking again. When one
        /// cannot be made, the restore point lacks a part and counts as failed: the error says so, nothing is deleted.
        /// </summary>
        private async Task SnapshotDataVolumesAsync(RestorePointParts parts, RackspaceServer server, string schedule, string name, string imageId,
                                                    IReadOnlyList<VolumeAttachment> volumes, CancellationToken cancellationToken)
        {
            var ownership = RestorePointParts.Ownership(server.Id, schedule, imageId);
            var failures = new List<string>();
            foreach (VolumeAttachment volume in volumes)
            {
                string snapshotName = $"{name} {volume.Device ?? volume.VolumeId}";
                string description = $"Autosnap restore point {imageId} of server {server.Name} ({server.Id}), schedule {schedule}";
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        VolumeSnapshot made = await parts.Client.CreateSnapshotAsync(volume.VolumeId, snapshotName, description, ownership, cancellationToken).ConfigureAwait(false);
                        _host.Verbose($"Snapshot {made.Id} of data volume {volume.VolumeId} ({volume.Device}) requested for restore point {imageId}.");
                        break;
                    }
                    catch (CloudException e) when (e.OutcomeUnknown && attempt < MaxCreateAttempts)
                    {
                        parts.Refresh();
                        var all = await parts.ListAsync(cancellationToken).ConfigureAwait(false);
                        if (all.Any(v => v.ImageId == imageId && v.VolumeId == volume.VolumeId))
                        {
                            _host.Verbose($"The answer to the snapshot request of volume {volume.VolumeId} was lost, but it made the snapshot; using it.");
                            break;
                        }
                    }
                    catch (CloudException e)
                    {
                        failures.Add($"volume {volume.VolumeId} ({volume.Device}): {e.Message}");
                        break;
                    }
                }
            }
            if (failures.Count > 0)
            {
                throw new CloudException(failures.Count == 1 && failures[0].IndexOf("quota", StringComparison.OrdinalIgnoreCase) >= 0
                        ? CloudErrorKind.QuotaExceeded : CloudErrorKind.Unavailable,
                    $"Restore point {imageId} of {server.Name} is incomplete, so it counts as failed (nothing was deleted): " +
                    $"{failures.Count} of {volumes.Count} data volume snapshot(s) could not be made: {string.Join("; ", failures)}");
            }
        }

        /// <summary>
        /// Waits until the image is good, failed or gone, or the timeout passes, reporting progress (percent where the
        /// cloud gives one). Looks at the compute API's image view (it carries progress) with a growing interval, and
        /// reads the final image from Glance once.
        /// </summary>
        public async Task<WaitResult> WaitAsync(string imageId, string region, string label, WaitOptions options, CancellationToken cancellationToken)
        {
            ComputeClient compute = Compute(region);
            ImageClient images = Images(region);
            int activityId = ProgressIds.Next();
            string activity = $"Waiting for snapshot {label}";
            // The session's clock, which tests control: the deadline and the pauses between looks run on it.
            IWaitClock clock = _session.Cloud.Http.Options.Clock;
            TimeSpan started = clock.Elapsed;
            TimeSpan interval = options.FirstPollInterval;
            bool timedOut = false;
            bool useGlance = false;
            try
            {
                while (true)
                {
                    string? status;
                    int? percent;
                    try
                    {
                        if (!useGlance)
                        {
                            ImageProgress? progress = await compute.GetImageProgressAsync(imageId, cancellationToken).ConfigureAwait(false);
                            if (progress == null)
                            {
                                // Gone, or a cloud without the compute image view: Glance tells which.
                                AutoSnapshot? image = await images.FindAsync(imageId, cancellationToken).ConfigureAwait(false);
                                if (image == null) return new WaitResult(null, false);
                                useGlance = true;
                                status = image.Status;
                                percent = null;
                            }
                            else
                            {
                                status = progress.Status;
                                percent = progress.Progress;
                            }
                        }
                        else
                        {
                            AutoSnapshot? image = await images.FindAsync(imageId, cancellationToken).ConfigureAwait(false);
                            if (image == null) return new WaitResult(null, false);
                            status = image.Status;
                            percent = null;
                        }
                    }
                    catch (CloudException e) when (IsPassingTrouble(e) && clock.Elapsed - started < options.Timeout)
                    {
                        // The snapshot goes on in the cloud whether or not we can see it: a look that failed after its
                        // retries (or an open circuit) costs this job a look, not its snapshot. The deadline still holds:
                        // once it passes, the failure ends the wait.
                        _host.Verbose($"Could not look at snapshot {label} ({e.Message}); still waiting.");
                        status = null;
                        percent = null;
                    }

                    if (status != null && SnapshotStates.Classify(status) != SnapshotState.Pending)
                    {
                        break;
                    }
                    TimeSpan remaining = options.Timeout - (clock.Elapsed - started);
                    if (remaining <= TimeSpan.Zero)
                    {
                        timedOut = true;
                        break;
                    }
                    _host.Progress(new ProgressUpdate(activityId, activity,
                        $"{status ?? "not seen"}{(percent.HasValue ? $" {percent}%" : string.Empty)}, {clock.Elapsed - started:hh\\:mm\\:ss} elapsed", percent));
                    await clock.DelayAsync(interval < remaining ? interval : remaining, cancellationToken).ConfigureAwait(false);
                    interval = TimeSpan.FromTicks(Math.Min(options.MaxPollInterval.Ticks, (long)(interval.Ticks * 1.5)));
                }
            }
            finally
            {
                _host.Progress(new ProgressUpdate(activityId, activity, "done", 100, completed: true));
            }
            AutoSnapshot? final = await images.FindAsync(imageId, cancellationToken).ConfigureAwait(false);
            if (final != null && !timedOut && final.HasVolumeParts)
            {
                (final, timedOut) = await WaitForPartsAsync(final, label, options, clock, started, cancellationToken).ConfigureAwait(false);
            }
            if (timedOut)
            {
                _host.Verbose($"Snapshot {label} is still {final?.Status ?? "missing"} after {options.Timeout}.");
            }
            return new WaitResult(final == null ? null : Attach(final), timedOut);
        }

        /// <summary>
        /// The image is done; its volume snapshots may not be (a volume-backed image is active at once while Cinder
        /// still copies). Looks at the whole restore point until it is no longer pending, within the same deadline.
        /// </summary>
        private async Task<(AutoSnapshot, bool TimedOut)> WaitForPartsAsync(AutoSnapshot image, string label, WaitOptions options, IWaitClock clock, TimeSpan started,
                                                                          CancellationToken cancellationToken)
        {
            var parts = new RestorePointParts(_session, image.Region ?? _session.Region, _host);
            TimeSpan interval = options.FirstPollInterval;
            while (true)
            {
                AutoSnapshot whole;
                try
                {
                    parts.Refresh();
                    whole = await parts.AttachAsync(image, cancellationToken).ConfigureAwait(false);
                }
                catch (CloudException e) when (IsPassingTrouble(e) && clock.Elapsed - started < options.Timeout)
                {
                    _host.Verbose($"Could not look at the volume snapshots of {label} ({e.Message}); still waiting.");
                    whole = image;
                }
                if (whole.VolumeSnapshots != null && whole.State != SnapshotState.Pending) return (whole, false);
                TimeSpan remaining = options.Timeout - (clock.Elapsed - started);
                if (remaining <= TimeSpan.Zero) return (whole, true);
                _host.Verbose($"Snapshot {label}: image {image.Status}, volume snapshots " +
                              string.Join(", ", (whole.VolumeSnapshots ?? Array.Empty<VolumeSnapshot>()).Select(v => v.Status)) + "; waiting.");
                await clock.DelayAsync(interval < remaining ? interval : remaining, cancellationToken).ConfigureAwait(false);
                interval = TimeSpan.FromTicks(Math.Min(options.MaxPollInterval.Ticks, (long)(interval.Ticks * 1.5)));
            }
        }

        /// <summary>Failures that say nothing about the snapshot itself: the service was busy, down or slow for a while.</summary>
        internal static bool IsPassingTrouble(CloudException e) =>
            e.Kind == CloudErrorKind.Unavailable || e.Kind == CloudErrorKind.Timeout ||
            e.Kind == CloudErrorKind.Connection || e.Kind == CloudErrorKind.RateLimited;

        /// <summary>The restore point as the cloud has it now: the image with its volume snapshots (null when the image does not exist).</summary>
        public async Task<AutoSnapshot?> FindImageAsync(string imageId, string region, CancellationToken cancellationToken)
        {
            AutoSnapshot? image = await Images(region).FindAsync(imageId, cancellationToken).ConfigureAwait(false);
            if (image == null) return null;
            image = await new RestorePointParts(_session, region, _host).AttachAsync(image, cancellationToken).ConfigureAwait(false);
            return Attach(image);
        }

        public static void ValidateSchedule(string schedule)
        {
            if (schedule == null || !ScheduleName.IsMatch(schedule))
            {
                throw new ArgumentException(
                    $"The schedule name '{schedule}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. daily, weekly, monthly).",
                    nameof(schedule));
            }
        }

        /// <summary>Autosnap's ownership metadata plus the caller's, checked against the limits clouds enforce.</summary>
        public static IReadOnlyDictionary<string, string> BuildMetadata(string serverId, string schedule, string requestToken,
                                                                        IReadOnlyDictionary<string, string>? extra,
                                                                        SnapshotConsistency consistency = SnapshotConsistency.Crash)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in extra ?? new Dictionary<string, string>())
            {
                if (pair.Key.StartsWith("autosnap_", StringComparison.OrdinalIgnoreCase))
                    throw new ArgumentException($"Metadata key '{pair.Key}' is reserved: keys starting with 'autosnap_' are Autosnap's own.", nameof(extra));
                if (pair.Key.StartsWith("com.rackspace", StringComparison.OrdinalIgnoreCase) || pair.Key.StartsWith("org.openstack", StringComparison.OrdinalIgnoreCase))
                    throw new ArgumentException($"Metadata key '{pair.Key}' is reserved by the cloud (com.rackspace*, org.openstack*).", nameof(extra));
                if (pair.Key.Length == 0 || pair.Key.Length > 255 || (pair.Value ?? string.Empty).Length > 255)
                    throw new ArgumentException($"Metadata key '{pair.Key}': keys must be 1 to 255 characters and values at most 255.", nameof(extra));
                metadata[pair.Key] = pair.Value ?? string.Empty;
            }
            metadata[AutosnapMetadata.Schedule] = schedule;
            metadata[AutosnapMetadata.Server] = serverId;
            metadata[AutosnapMetadata.Request] = requestToken;
            metadata[AutosnapMetadata.Consistency] = SnapshotConsistencies.ToMetadata(consistency);
            // Rackspace allows 40 image metadata items; the base image's own properties are not counted here.
            if (metadata.Count > 40)
                throw new ArgumentException($"Too much metadata: {metadata.Count} items, of which 4 are Autosnap's; clouds allow 40.", nameof(extra));
            return metadata;
        }

        /// <summary>
        /// Expands a name template: {server} (name), {id} (server id), {schedule}, {timestamp} (UTC, 20260120T000500Z),
        /// {date} (UTC, 2026-01-20). The name is for people; Autosnap never reads it back.
        /// </summary>
        public static string FormatName(string template, RackspaceServer server, string schedule, DateTimeOffset nowUtc)
        {
            DateTimeOffset utc = nowUtc.ToUniversalTime();
            string name = template
                .Replace("{server}", server.Name)
                .Replace("{id}", server.Id)
                .Replace("{schedule}", schedule)
                .Replace("{timestamp}", utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture))
                .Replace("{date}", utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                .Trim();
            if (name.Length == 0)
                throw new ArgumentException($"The name template '{template}' gives an empty name.", nameof(template));
            return name.Length <= 255 ? name : name.Substring(0, 255);
        }

        private static void ThrowIfNotSnapshotable(RackspaceServer server)
        {
            if (server.IsImaging)
            {
                throw SnapshotRunning(server, null);
            }
            if (!SnapshotableStatuses.Contains(server.Status))
            {
                throw new CloudException(CloudErrorKind.Conflict,
                    $"Server {server.Name} ({server.Id}) is {server.Status}{(server.TaskState != null ? $" (task {server.TaskState})" : string.Empty)}; " +
                    "a snapshot needs it ACTIVE, SHUTOFF, PAUSED or SUSPENDED with no task running.");
            }
        }

        private static CloudException SnapshotRunning(RackspaceServer server, CloudException? inner) =>
            new CloudException(CloudErrorKind.Conflict,
                $"A snapshot or other image task is already running on server {server.Name} ({server.Id})" +
                (server.TaskState != null ? $" (task state {server.TaskState})" : string.Empty) +
                "; the cloud takes one at a time. Try again when it has finished.",
                inner?.StatusCode, inner?.FaultName ?? "conflictingRequest", inner);

        private static async Task<string?> FindByRequestTokenAsync(ImageClient images, string serverId, string token, CancellationToken cancellationToken)
        {
            var query = new ImageQuery();
            query.Properties[AutosnapMetadata.Request] = token;
            var found = await images.ListAsync(query, cancellationToken).ConfigureAwait(false);
            // Filters are the server's; check them here too (a cloud that ignored the filter must not hand us a stranger).
            return found.FirstOrDefault(i => i.Properties.TryGetValue(AutosnapMetadata.Request, out string? t) && t == token &&
                                             string.Equals(i.ServerId, serverId, StringComparison.OrdinalIgnoreCase))?.Id;
        }

        private RackspaceServer Attach(RackspaceServer server)
        {
            server.Session = _session;
            return server;
        }

        internal AutoSnapshot Attach(AutoSnapshot snapshot)
        {
            snapshot.Session = _session;
            return snapshot;
        }

    }
}
