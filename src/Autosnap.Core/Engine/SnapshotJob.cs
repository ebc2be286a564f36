using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;
using Autosnap.Rotation;

namespace Autosnap.Engine
{
    /// <summary>What the nightly job does for one server.</summary>
    public sealed class JobOptions
    {
        public JobOptions(string schedule, RetentionPolicy policy)
        {
            Schedule = schedule;
            Policy = policy;
        }

        public string Schedule { get; }
        public RetentionPolicy Policy { get; }
        public WaitOptions Wait { get; set; } = new WaitOptions();
        public IReadOnlyDictionary<string, string>? Metadata { get; set; }
        public string? NameTemplate { get; set; }

        /// <summary>Adopt images named by the original autosnap.py into the schedule before rotating.</summary>
        public bool AdoptLegacy { get; set; }

        /// <summary>
        /// Frequency guard: skip the server when the pool's newest good image is younger than this, so a wrong cron
        /// line or a rerun does no harm.
        /// </summary>
        public TimeSpan? MinInterval { get; set; }

        /// <summary>Also snapshot the data volumes of image-backed servers; the restore point is the image and those snapshots.</summary>
        public bool IncludeVolumes { get; set; }

        /// <summary>When the block storage snapshot quota is full, delete Autosnap's own leftovers first instead of failing.</summary>
        public bool ReclaimLeftovers { get; set; }

        /// <summary>Hooks around the snapshot (pause and resume writes); null for none (a crash-consistent snapshot).</summary>
        public HookOptions? Hooks { get; set; }

        /// <summary>Rotation counts only application-consistent restore points as good (see PlanOptions.RequireApplicationConsistency).</summary>
        public bool RequireApplicationConsistency { get; set; }
    }

    /// <summary>
    /// The whole job for one server, in the only safe order: snapshot, wait until it is good, then rotate its pool.
    /// A snapshot that fails or times out ends the job with nothing deleted. Never throws for cloud failures: the
    /// result says what happened (the caller decides exit codes); cancellation still throws.
    /// </summary>
    public sealed class SnapshotJob
    {
        private readonly RackspaceSession _session;
        private readonly IJobHost _host;

        public SnapshotJob(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
        }

        public async Task<SnapshotJobResult> RunAsync(RackspaceServer server, JobOptions options, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            var result = new SnapshotJobResult(server, options.Schedule);
            var snapshots = new SnapshotService(_session, _host);
            using PoolLock? poolLock = PoolLock.TryAcquire(_session, server.Region, server.Id, options.Schedule);
            if (poolLock == null)
            {
                _host.Warning($"Another Autosnap run is working on {server.Name}/{options.Schedule}; this run skips that pool.");
                result.Skip("another run holds this pool");
                return result;
            }
            try
            {
                if (options.MinInterval is TimeSpan minInterval && await TooSoonAsync(server, options.Schedule, minInterval, cancellationToken).ConfigureAwait(false) is string reason)
                {
                    result.Skip(reason);
                    return result;
                }
                HookedStart start = await new HookedSnapshot(_session, _host).StartAsync(server, options.Schedule, options.Metadata, options.NameTemplate,
                    new VolumeOptions { IncludeVolumes = options.IncludeVolumes, ReclaimLeftovers = options.ReclaimLeftovers }, options.Hooks, options.Wait,
                    cancellationToken).ConfigureAwait(false);
                result.RecordHooks(start);
                if (start.ImageId == null)
                {
                    result.Fail($"the before-snapshot hook failed ({start.BeforeHookError}); no snapshot was taken (onHookFailure: Skip); nothing was deleted");
                    return result;
                }
                string imageId = start.ImageId;
                if (start.Outcome == CaptureOutcome.TimedOut)
                {
                    result.Snapshot = start.Snapshot;
                    result.Fail($"the disk of the new snapshot {imageId} was not captured (server task_state still image_snapshot, or volume snapshots creating) " +
                                $"within {options.Wait.Timeout}; nothing was deleted");
                    return result;
                }

                WaitResult wait = await snapshots.WaitAsync(imageId, server.Region, $"{server.Name} ({options.Schedule})", Remaining(options.Wait, start.Elapsed),
                    cancellationToken).ConfigureAwait(false);
                result.Snapshot = wait.Snapshot;
                if (!wait.IsGood)
                {
                    result.Fail(wait.Snapshot == null
                        ? $"the new snapshot {imageId} failed: the cloud deleted it; nothing was deleted"
                        : wait.TimedOut
                            ? $"the new snapshot {wait.Snapshot.Name} ({imageId}) is still {wait.Snapshot.StatusText} after {options.Wait.Timeout}; nothing was deleted"
                            : $"the new snapshot {wait.Snapshot.Name} ({imageId}) failed ({wait.Snapshot.StatusText}); nothing was deleted");
                    return result;
                }
                result.Created = 1;

                // "Younger than the run" is measured on the cloud's own stamps, at its own (whole-second) precision: images
                // another run made after ours are not counted and not deleted (retention contract).
                // The contract's "UNKNOWN after a timeout the user sets": the timeout is the one this job waits for its own.
                var planOptions = new PlanOptions
                {
                    RunStarted = wait.Snapshot!.Created, OwnImageIds = new[] { imageId }, UnknownFailsAfter = options.Wait.Timeout,
                    RequireApplicationConsistency = options.RequireApplicationConsistency,
                };
                PoolRotation rotation = await new RotationService(_session, _host).RotatePoolAsync(
                    server.Region, server.Id, options.Schedule, options.Policy, planOptions, options.AdoptLegacy ? server : null, cancellationToken,
                    sweepVolumes: server.IsVolumeBacked || options.IncludeVolumes).ConfigureAwait(false);
                result.Rotation = rotation;
                if (rotation.DeleteFailures > 0)
                {
                    result.Fail($"{rotation.DeleteFailures} of {rotation.DeleteFailures + rotation.Deleted} deletions failed (they are retried next run)");
                }
            }
            catch (CloudException e)
            {
                result.Fail(e.Message);
            }
            catch (UnsafeRotationException e)
            {
                result.Fail(e.Message);
            }
            finally
            {
                if (result.AfterHookError != null)
                {
                    result.Fail($"the after-snapshot hook failed ({result.AfterHookError}); check that the server's writes were resumed");
                }
                result.Duration = watch.Elapsed;
            }
            return result;
        }

        /// <summary>The wait left after the capture: one timeout covers the whole snapshot.</summary>
        private static WaitOptions Remaining(WaitOptions wait, TimeSpan spent) => spent <= TimeSpan.Zero ? wait : new WaitOptions
        {
            Timeout = wait.Timeout - spent > TimeSpan.Zero ? wait.Timeout - spent : TimeSpan.FromTicks(1),
            FirstPollInterval = wait.FirstPollInterval,
            MaxPollInterval = wait.MaxPollInterval,
            CapturePollInterval = wait.CapturePollInterval,
        };

        /// <summary>Why the pool had a good snapshot too recently to take another, or null to go ahead.</summary>
        private async Task<string?> TooSoonAsync(RackspaceServer server, string schedule, TimeSpan minInterval, CancellationToken cancellationToken)
        {
            var pool = await new SnapshotFinder(_session, _host).ListPoolAsync(server.Region, server.Id, schedule, cancellationToken).ConfigureAwait(false);
            AutoSnapshot? newest = pool.Where(i => i.State == SnapshotState.Good).OrderByDescending(i => i.Created).FirstOrDefault();
            DateTimeOffset now = _session.Cloud.ServerNow(server.Region);
            return Policy.SnapshotPolicy.IsDue(minInterval, newest?.Created, now)
                ? null
                : $"the newest good snapshot {newest!.Name} is {Policy.PolicyDuration.FormatAge(now - newest.Created)} old, younger than the minimum interval {Policy.PolicyDuration.Format(minInterval)}";
        }
    }
}
