using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;
using Autosnap.Rotation;

namespace Autosnap.Engine
{
    /// <summary>What one pool's rotation did.</summary>
    public sealed class PoolRotation
    {
        public PoolRotation(IReadOnlyList<RotationDecision> decisions, IReadOnlyList<AutoSnapshot> adopted,
                            IReadOnlyList<VolumeSnapshotDeletion>? leftovers = null)
        {
            Decisions = decisions;
            Adopted = adopted;
            Leftovers = leftovers ?? Array.Empty<VolumeSnapshotDeletion>();
        }

        /// <summary>
        /// Autosnap's own volume snapshots of this pool whose restore point is gone (a part that failed to delete on an
        /// earlier run, a snapshot request the cloud refused), and what this rotation did about them.
        /// </summary>
        public IReadOnlyList<VolumeSnapshotDeletion> Leftovers { get; }

        /// <summary>One decision per image of the pool, newest first, with its outcome.</summary>
        public IReadOnlyList<RotationDecision> Decisions { get; }

        /// <summary>Images of the original script that were adopted into the pool first.</summary>
        public IReadOnlyList<AutoSnapshot> Adopted { get; }

        public int Kept => Decisions.Count(d => d.Action == RotationAction.Keep);
        public int Deleted => Decisions.Count(d => d.Outcome == RotationOutcome.Deleted);
        public int DeleteFailures => Decisions.Count(d => d.Outcome == RotationOutcome.Failed) + Leftovers.Count(l => l.Outcome == RotationOutcome.Failed);
    }

    /// <summary>
    /// Rotates pools: lists the pool fresh and whole (or deletes nothing), plans with the retention contract, asks
    /// before each deletion (-WhatIf / -Confirm), deletes, and records each outcome. A failed deletion is reported for
    /// its image and the rest go on; running it again converges to the same end state.
    /// </summary>
    public sealed class RotationService
    {
        private readonly RackspaceSession _session;
        private readonly IJobHost _host;

        public RotationService(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
        }

        /// <summary>
        /// Rotates the pool (server, schedule). With <paramref name="adoptLegacyOf"/>, images that the original
        /// autosnap.py named after that server are first given Autosnap's metadata so they rotate with the rest.
        /// </summary>
        public async Task<PoolRotation> RotatePoolAsync(string region, string serverId, string schedule, RetentionPolicy policy,
                                                        PlanOptions? planOptions, RackspaceServer? adoptLegacyOf, CancellationToken cancellationToken,
                                                        bool sweepVolumes = false)
        {
            var finder = new SnapshotFinder(_session, _host);
            var images = new ImageClient(_session.Cloud, region, _host);
            var parts = new RestorePointParts(_session, region, _host);
            IReadOnlyList<AutoSnapshot> adopted = adoptLegacyOf != null
                ? await AdoptLegacyAsync(finder, images, adoptLegacyOf, schedule, cancellationToken).ConfigureAwait(false)
                : Array.Empty<AutoSnapshot>();

            // Any failure here (a page missing, an answer not understood) ends the rotation before anything is deleted.
            IReadOnlyList<AutoSnapshot> pool = await finder.ListPoolAsync(region, serverId, schedule, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<RotationDecision> decisions = RetentionPlanner.Plan(pool, policy, planOptions);
            ThrowIfUnsafe(decisions, serverId, schedule, planOptions);
            _host.Verbose($"Pool {serverId}/{schedule} in {region}: {pool.Count} images; {policy}: keep {decisions.Count(d => d.Action == RotationAction.Keep)}, " +
                          $"delete {decisions.Count(d => d.Action == RotationAction.Delete)}.");

            foreach (RotationDecision decision in decisions.Where(d => d.Action == RotationAction.Delete))
            {
                cancellationToken.ThrowIfCancellationRequested();
                AutoSnapshot image = decision.Snapshot;
                string target = $"{image.Name} ({image.Id}), schedule '{schedule}', {image.Status}, created {image.Created:u}" + PartsText(image);
                if (!_host.ShouldProcess(target, $"Delete snapshot: {decision.Reason}"))
                {
                    decision.Outcome = RotationOutcome.Skipped;
                    continue;
                }
                try
                {
                    var (deletedNow, partOutcomes) = await parts.DeleteAsync(image, cancellationToken).ConfigureAwait(false);
                    _host.Verbose(deletedNow ? $"Deleted {target}." : $"{target} was already gone.");
                    var failed = partOutcomes.Where(p => p.Outcome == RotationOutcome.Failed).Select(p => p.Error!).ToList();
                    decision.PartErrors = failed;
                    decision.Outcome = failed.Count == 0 ? RotationOutcome.Deleted : RotationOutcome.Failed;
                    if (failed.Count > 0) decision.Error = $"the image is deleted, but {string.Join("; ", failed)}";
                }
                catch (CloudException e)
                {
                    decision.Outcome = RotationOutcome.Failed;
                    decision.Error = e.Message;
                }
            }

            // Finish what an earlier run left: Autosnap's own volume snapshots of this pool whose restore point is gone.
            IReadOnlyList<VolumeSnapshotDeletion> leftovers = Array.Empty<VolumeSnapshotDeletion>();
            if ((sweepVolumes || pool.Any(i => i.HasVolumeParts)) && parts.Available)
            {
                var live = new HashSet<string>(pool.Select(i => i.Id).Except(
                    decisions.Where(d => d.Outcome == RotationOutcome.Deleted || d.Outcome == RotationOutcome.Failed).Select(d => d.Id)), StringComparer.Ordinal);
                parts.Refresh();
                var found = await parts.FindLeftoversAsync(serverId, schedule, live, cancellationToken).ConfigureAwait(false);
                // A part this run just failed to delete is reported on its decision already.
                var reported = new HashSet<string>(decisions.SelectMany(d => d.Snapshot.VolumeSnapshotIds), StringComparer.Ordinal);
                leftovers = await parts.CleanLeftoversAsync(found.Where(f => !reported.Contains(f.Id)).ToList(), cancellationToken).ConfigureAwait(false);
                foreach (var failure in leftovers.Where(l => l.Outcome == RotationOutcome.Failed)) _host.Warning(failure.Error!);
            }
            return new PoolRotation(decisions, adopted, leftovers);
        }

        /// <summary>Every volume snapshot of a restore point, for -WhatIf and confirmation: each part is listed.</summary>
        internal static string PartsText(AutoSnapshot image) =>
            image.VolumeSnapshots == null || image.VolumeSnapshots.Count == 0
                ? string.Empty
                : ", with volume snapshot(s) " + string.Join(", ", image.VolumeSnapshots.Select(v => $"{v.Id} (volume {v.VolumeId}, {v.Size?.ToString() ?? "?"} GB, {v.Status})"));

        private async Task<IReadOnlyList<AutoSnapshot>> AdoptLegacyAsync(SnapshotFinder finder, ImageClient images, RackspaceServer server, string schedule,
                                                                          CancellationToken cancellationToken)
        {
            var adopted = new List<AutoSnapshot>();
            foreach (AutoSnapshot image in await finder.ListLegacyAsync(server, cancellationToken).ConfigureAwait(false))
            {
                if (!_host.ShouldProcess($"{image.Name} ({image.Id})", $"Adopt image of the original autosnap.py into schedule '{schedule}'"))
                {
                    continue;
                }
                var ownership = new Dictionary<string, string?>
                {
                    [AutosnapMetadata.Schedule] = schedule,
                    [AutosnapMetadata.Server] = server.Id,
                };
                try
                {
                    adopted.Add(await images.UpdatePropertiesAsync(image, ownership, cancellationToken).ConfigureAwait(false));
                    _host.Verbose($"Adopted {image.Name} ({image.Id}) into schedule '{schedule}'.");
                }
                catch (CloudException e)
                {
                    // Not adopted means not in the pool: it is left alone, which is safe.
                    _host.Warning($"Could not adopt {image.Name} ({image.Id}): {e.Message}");
                }
            }
            return adopted;
        }

        /// <summary>
        /// The planner guarantees these by construction; this is the second lock on the door, because a deleted
        /// snapshot cannot be brought back: never delete the newest good image, never an image outside the pool,
        /// never a pending one (unless of unknown status past the run's UnknownFailsAfter) or a pinned one.
        /// </summary>
        private static void ThrowIfUnsafe(IReadOnlyList<RotationDecision> decisions, string serverId, string schedule, PlanOptions? planOptions)
        {
            AutoSnapshot? newestGood = RetentionPlanner.NewestFirst(decisions.Select(d => d.Snapshot).Where(s => s.State == SnapshotState.Good),
                planOptions?.OwnImageIds).FirstOrDefault();
            foreach (RotationDecision decision in decisions.Where(d => d.Action == RotationAction.Delete))
            {
                AutoSnapshot image = decision.Snapshot;
                bool inPool = image.IsAutosnap && image.Schedule == schedule && string.Equals(image.ServerId, serverId, StringComparison.OrdinalIgnoreCase);
                if (!inPool || image == newestGood || newestGood == null ||
                    (image.State == SnapshotState.Pending && !RetentionPlanner.IsUnknownTooLong(image, planOptions)) || image.IsPinned || image.IsProtected)
                {
                    throw new UnsafeRotationException(
                        $"Refusing to rotate pool {serverId}/{schedule}: the plan would delete {image.Name} ({image.Id}), which the retention contract keeps. Nothing was deleted.");
                }
            }
        }
    }

    /// <summary>A plan that would break the retention contract; nothing was deleted.</summary>
    public sealed class UnsafeRotationException : InvalidOperationException
    {
        public UnsafeRotationException(string message) : base(message)
        {
        }
    }
}
