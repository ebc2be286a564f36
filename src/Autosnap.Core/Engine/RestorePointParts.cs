using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>What happened to one volume snapshot that Autosnap deleted or tried to.</summary>
    public sealed class VolumeSnapshotDeletion
    {
        public VolumeSnapshotDeletion(VolumeSnapshot snapshot, RotationOutcome outcome, string? error)
        {
            Snapshot = snapshot;
            Outcome = outcome;
            Error = error;
        }

        public VolumeSnapshot Snapshot { get; }
        public RotationOutcome Outcome { get; }
        public string? Error { get; }
    }

    /// <summary>
    /// The volume side of restore points in one region: finds the volume snapshots of images, tags them, deletes a
    /// restore point in the only safe order (image first, then its snapshots: a live image never names deleted data),
    /// finds and finishes Autosnap's own leftovers, and checks the snapshot quota. Reads block storage only for
    /// restore points that have volume parts, so image-only work costs no extra call.
    /// </summary>
    public sealed class RestorePointParts
    {
        private readonly RackspaceSession _session;
        private readonly IJobHost _host;
        private BlockStorageClient? _client;
        private IReadOnlyList<VolumeSnapshot>? _listing;

        public RestorePointParts(RackspaceSession session, string region, IJobHost host)
        {
            _session = session;
            _host = host;
            Region = region;
        }

        public string Region { get; }

        /// <summary>True when the region has block storage in the catalog.</summary>
        public bool Available => BlockStorageClient.IsAvailable(_session.Cloud, Region);

        public BlockStorageClient Client => _client ??= new BlockStorageClient(_session.Cloud, Region, _host);

        /// <summary>The region's volume snapshots, read once per instance (Refresh reads again).</summary>
        public async Task<IReadOnlyList<VolumeSnapshot>> ListAsync(CancellationToken cancellationToken) =>
            _listing ??= await Client.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);

        /// <summary>Forgets the listing, so the next question reads block storage again.</summary>
        public void Refresh() => _listing = null;

        /// <summary>
        /// The restore point with its volume snapshots: those its block_device_mapping names and those tagged with its
        /// id. An image without volume parts is returned as it is; so is every image when the region has no block storage
        /// (a volume-backed one then stays pending: never counted, never deleted).
        /// </summary>
        public async Task<AutoSnapshot> AttachAsync(AutoSnapshot image, CancellationToken cancellationToken)
        {
            if (!image.HasVolumeParts || !Available) return image;
            var all = await ListAsync(cancellationToken).ConfigureAwait(false);
            var parts = all.Where(v => image.BlockDeviceSnapshotIds.Contains(v.Id) || v.ImageId == image.Id).ToList();
            return image.WithVolumeSnapshots(parts);
        }

        /// <summary>The metadata that makes a volume snapshot recognisably Autosnap's, and the restore point's.</summary>
        public static IReadOnlyDictionary<string, string> Ownership(string serverId, string schedule, string imageId) =>
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [AutosnapMetadata.Server] = serverId,
                [AutosnapMetadata.Schedule] = schedule,
                [AutosnapMetadata.Image] = imageId,
            };

        /// <summary>
        /// Tags the volume snapshots an image names that do not carry Autosnap's metadata yet (Nova makes them with
        /// none), so that they stay recognisable after the image is gone. Throws when one cannot be tagged.
        /// </summary>
        public async Task TagPartsAsync(AutoSnapshot image, CancellationToken cancellationToken)
        {
            if (!image.IsAutosnap || image.ServerId == null || image.Schedule == null) return;
            foreach (string id in image.BlockDeviceSnapshotIds)
            {
                VolumeSnapshot? known = image.VolumeSnapshots?.FirstOrDefault(v => v.Id == id);
                if (known != null && known.ImageId == image.Id) continue;
                if (known == null && image.VolumeSnapshots != null) continue;    // already gone: nothing to tag
                await Client.TagSnapshotAsync(id, Ownership(image.ServerId, image.Schedule, image.Id), cancellationToken).ConfigureAwait(false);
                _host.Verbose($"Tagged volume snapshot {id} of {image.Name} ({image.Id}) as Autosnap's.");
            }
        }

        /// <summary>
        /// Deletes a restore point: tags its parts (so a part that fails to go is found next run), deletes the image,
        /// then each volume snapshot. Throws when the image could not be deleted (its parts are then left alone). The
        /// result lists each part; a part of an image that is not Autosnap's is never deleted (the cloud or a person made it).
        /// </summary>
        public async Task<(bool ImageDeleted, IReadOnlyList<VolumeSnapshotDeletion> Parts)> DeleteAsync(AutoSnapshot restorePoint, CancellationToken cancellationToken)
        {
            var images = new ImageClient(_session.Cloud, Region, _host);
            AutoSnapshot point = restorePoint;
            if (point.HasVolumeParts && Available && point.IsAutosnap)
            {
                if (point.VolumeSnapshots == null) point = await AttachAsync(point, cancellationToken).ConfigureAwait(false);
                await TagPartsAsync(point, cancellationToken).ConfigureAwait(false);
            }
            bool deletedNow = await images.DeleteAsync(point.Id, cancellationToken).ConfigureAwait(false);
            var outcomes = new List<VolumeSnapshotDeletion>();
            if (!point.IsAutosnap || point.VolumeSnapshots == null) return (deletedNow, outcomes);
            foreach (VolumeSnapshot part in point.VolumeSnapshots)
            {
                outcomes.Add(await DeletePartAsync(part, $"of {point.Name} ({point.Id})", cancellationToken).ConfigureAwait(false));
            }
            Refresh();
            return (deletedNow, outcomes);
        }

        private async Task<VolumeSnapshotDeletion> DeletePartAsync(VolumeSnapshot part, string of, CancellationToken cancellationToken)
        {
            try
            {
                bool deleted = await Client.DeleteSnapshotAsync(part.Id, cancellationToken).ConfigureAwait(false);
                _host.Verbose(deleted ? $"Deleted volume snapshot {part.Id} (volume {part.VolumeId}) {of}." : $"Volume snapshot {part.Id} {of} was already gone.");
                return new VolumeSnapshotDeletion(part, RotationOutcome.Deleted, null);
            }
            catch (CloudException e)
            {
                // Cinder refuses a DELETE of a snapshot that is already deleting: an earlier DELETE whose answer was
                // lost (and was asked again) got through. That is a deletion, not a failure.
                if (e.StatusCode == HttpStatusCode.BadRequest && await IsBeingDeletedAsync(part.Id, cancellationToken).ConfigureAwait(false))
                {
                    _host.Verbose($"Volume snapshot {part.Id} (volume {part.VolumeId}) {of} is already being deleted.");
                    return new VolumeSnapshotDeletion(part, RotationOutcome.Deleted, null);
                }
                return new VolumeSnapshotDeletion(part, RotationOutcome.Failed,
                    $"volume snapshot {part.Id} (volume {part.VolumeId}) {of} could not be deleted: {e.Message} The next rotation of the pool finishes it.");
            }
        }

        private async Task<bool> IsBeingDeletedAsync(string snapshotId, CancellationToken cancellationToken)
        {
            try
            {
                VolumeSnapshot? now = await Client.FindSnapshotAsync(snapshotId, cancellationToken).ConfigureAwait(false);
                return now == null || string.Equals(now.Status, "deleting", StringComparison.OrdinalIgnoreCase);
            }
            catch (CloudException)
            {
                return false;
            }
        }

        /// <summary>
        /// Autosnap's own leftovers: volume snapshots tagged by Autosnap (of this server and schedule when given) whose
        /// restore point is gone (its image no longer exists, or the cloud refused the snapshot request). Untagged
        /// snapshots are never leftovers: Autosnap did not cause them, or cannot prove it did.
        /// </summary>
        public async Task<IReadOnlyList<VolumeSnapshot>> FindLeftoversAsync(string? serverId, string? schedule, ISet<string>? liveImageIds,
                                                                           CancellationToken cancellationToken)
        {
            var all = await ListAsync(cancellationToken).ConfigureAwait(false);
            var candidates = all.Where(v => v.IsAutosnap && v.State != SnapshotState.Gone &&
                                            (serverId == null || string.Equals(v.ServerId, serverId, StringComparison.OrdinalIgnoreCase)) &&
                                            (schedule == null || v.Schedule == schedule)).ToList();
            var leftovers = new List<VolumeSnapshot>();
            var images = new ImageClient(_session.Cloud, Region, _host);
            foreach (var group in candidates.GroupBy(v => v.ImageId!, StringComparer.Ordinal))
            {
                bool gone = group.Key.StartsWith(AutosnapMetadata.RefusedImagePrefix, StringComparison.Ordinal) ||
                            (liveImageIds?.Contains(group.Key) != true &&
                             await images.FindAsync(group.Key, cancellationToken).ConfigureAwait(false) is not AutoSnapshot { State: not SnapshotState.Gone });
                if (gone) leftovers.AddRange(group);
            }
            return leftovers;
        }

        /// <summary>
        /// Deletes leftovers (asking first, -WhatIf shows each). One still being made is left for the next run: Cinder
        /// refuses to delete a snapshot that is creating.
        /// </summary>
        public async Task<IReadOnlyList<VolumeSnapshotDeletion>> CleanLeftoversAsync(IReadOnlyList<VolumeSnapshot> leftovers, CancellationToken cancellationToken)
        {
            var outcomes = new List<VolumeSnapshotDeletion>();
            foreach (VolumeSnapshot leftover in leftovers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string target = $"volume snapshot {leftover.Id} ('{leftover.Name}', volume {leftover.VolumeId}, {leftover.Size?.ToString() ?? "?"} GB, {leftover.Status}), " +
                                $"left over from restore point {leftover.ImageId} of server {leftover.ServerId}, schedule '{leftover.Schedule}'";
                if (leftover.State == SnapshotState.Pending)
                {
                    _host.Verbose($"Leftover {target} is still {leftover.Status}; the next run deletes it.");
                    continue;
                }
                if (!_host.ShouldProcess(target, "Delete leftover volume snapshot"))
                {
                    outcomes.Add(new VolumeSnapshotDeletion(leftover, RotationOutcome.Skipped, null));
                    continue;
                }
                outcomes.Add(await DeletePartAsync(leftover, $"left over from restore point {leftover.ImageId}", cancellationToken).ConfigureAwait(false));
            }
            Refresh();
            return outcomes;
        }

        /// <summary>
        /// After the cloud refused a snapshot request for quota (Nova 403), Nova may have left the snapshots of the
        /// volumes it managed before the refusal, named "snapshot for &lt;requested name&gt;" with no metadata. Those of
        /// this server's volumes are Autosnap's doing: they are tagged as leftovers of a refused request and deleted
        /// (or, while still being made, deleted by the next run). Returns how many were found.
        /// </summary>
        public async Task<int> CleanRefusedAsync(RackspaceServer server, string schedule, string requestedName, string requestToken,
                                                 IReadOnlyCollection<string> volumeIds, CancellationToken cancellationToken)
        {
            Refresh();
            var all = await ListAsync(cancellationToken).ConfigureAwait(false);
            string expected = "snapshot for " + requestedName;
            var ours = all.Where(v => v.Name == expected && volumeIds.Contains(v.VolumeId) && !v.IsAutosnap && v.State != SnapshotState.Gone).ToList();
            var tagged = new List<VolumeSnapshot>();
            foreach (VolumeSnapshot leftover in ours)
            {
                var metadata = Ownership(server.Id, schedule, AutosnapMetadata.RefusedImagePrefix + requestToken);
                await Client.TagSnapshotAsync(leftover.Id, metadata, cancellationToken).ConfigureAwait(false);
                var merged = leftover.Metadata.Concat(metadata.Where(m => !leftover.Metadata.ContainsKey(m.Key))).ToDictionary(m => m.Key, m => m.Value);
                foreach (var m in metadata) merged[m.Key] = m.Value;
                tagged.Add(new VolumeSnapshot(leftover.Id, leftover.VolumeId, leftover.Name, leftover.Status, leftover.Size, leftover.Created, leftover.Region, merged, leftover.Description));
            }
            if (tagged.Count > 0)
            {
                _host.Warning($"The refused snapshot request of {server.Name} left {tagged.Count} volume snapshot(s) behind ('{expected}'); " +
                              "they are tagged as Autosnap's leftovers and deleted now or by the next run.");
                foreach (var outcome in await CleanLeftoversAsync(tagged, cancellationToken).ConfigureAwait(false))
                {
                    if (outcome.Outcome == RotationOutcome.Failed) _host.Warning(outcome.Error!);
                }
            }
            return tagged.Count;
        }

        /// <summary>
        /// Before a snapshot that makes <paramref name="volumes"/> volume snapshots: is there room in the project's
        /// snapshot quota (and gigabytes)? When not, Autosnap's own leftovers are deleted first if
        /// <paramref name="reclaimLeftovers"/>; otherwise (or when that is not enough) a QuotaExceeded error names the
        /// quota, the usage and the leftovers that could be cleaned. Nothing is requested then.
        /// </summary>
        public async Task CheckQuotaAsync(RackspaceServer server, IReadOnlyList<VolumeAttachment> volumes, bool reclaimLeftovers, CancellationToken cancellationToken)
        {
            if (volumes.Count == 0) return;
            BlockStorageLimits limits = await Client.GetLimitsAsync(cancellationToken).ConfigureAwait(false);
            long neededGb = 0;
            if (limits.MaxGigabytes >= 0)
            {
                foreach (VolumeAttachment volume in volumes)
                {
                    neededGb += await Client.GetVolumeSizeAsync(volume.VolumeId, cancellationToken).ConfigureAwait(false) ?? 0;
                }
            }
            string? shortage = Shortage(limits, volumes.Count, neededGb);
            if (shortage == null) return;

            IReadOnlyList<VolumeSnapshot> leftovers = await FindLeftoversAsync(null, null, null, cancellationToken).ConfigureAwait(false);
            if (reclaimLeftovers && leftovers.Count > 0)
            {
                _host.Warning($"{shortage}; deleting Autosnap's {leftovers.Count} leftover volume snapshot(s) to make room (reclaimLeftovers).");
                await CleanLeftoversAsync(leftovers, cancellationToken).ConfigureAwait(false);
                limits = await Client.GetLimitsAsync(cancellationToken).ConfigureAwait(false);
                shortage = Shortage(limits, volumes.Count, neededGb);
                if (shortage == null) return;
                leftovers = await FindLeftoversAsync(null, null, null, cancellationToken).ConfigureAwait(false);
            }
            string advice = leftovers.Count == 0
                ? "none of the snapshots in use are Autosnap's leftovers: raise the quota or keep fewer restore points"
                : $"{leftovers.Count} of the snapshots in use are Autosnap's own leftovers (their restore point is gone) and could be cleaned: " +
                  "rotation of their pool does it, or allow it here (policy reclaimLeftovers, -ReclaimLeftovers)";
            throw new CloudException(CloudErrorKind.QuotaExceeded,
                $"Snapshot of {server.Name} ({server.Id}) in {Region} not requested: {shortage}; {advice}. Nothing was deleted.");
        }

        private static string? Shortage(BlockStorageLimits limits, int snapshots, long gigabytes)
        {
            if (limits.MaxSnapshots >= 0 && limits.SnapshotsUsed + snapshots > limits.MaxSnapshots)
            {
                return $"the block storage snapshot quota maxTotalSnapshots is {limits.MaxSnapshots}, {limits.SnapshotsUsed} are in use (totalSnapshotsUsed) " +
                       $"and this restore point needs {snapshots} more (one per volume)";
            }
            if (limits.MaxGigabytes >= 0 && limits.GigabytesUsed + gigabytes > limits.MaxGigabytes)
            {
                return $"the block storage quota maxTotalVolumeGigabytes is {limits.MaxGigabytes} GB, {limits.GigabytesUsed} GB are in use (totalGigabytesUsed) " +
                       $"and this restore point's volume snapshots need {gigabytes} GB more";
            }
            return null;
        }
    }
}
