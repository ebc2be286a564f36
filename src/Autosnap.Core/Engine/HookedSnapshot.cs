using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>How a snapshot request with hooks went, up to the moment the disk was captured.</summary>
    public sealed class HookedStart
    {
        /// <summary>The new image; null when no snapshot was asked for (the before-snapshot hook failed, onHookFailure Skip).</summary>
        public string? ImageId { get; internal set; }

        /// <summary>What the restore point records in autosnap_consistency.</summary>
        public SnapshotConsistency Consistency { get; internal set; } = SnapshotConsistency.Crash;

        /// <summary>How the snapshot went up to the capture; null when the job has no hooks (nobody waited for the capture).</summary>
        public CaptureOutcome? Outcome { get; internal set; }

        /// <summary>The restore point as seen when the capture ended (null without hooks, or when it is gone).</summary>
        public AutoSnapshot? Snapshot { get; internal set; }

        /// <summary>
        /// The write pause: from the end of the before-snapshot hook to the start of the after-snapshot hook, on the
        /// session's wait clock. Null when there is no before-snapshot hook.
        /// </summary>
        public TimeSpan? WritePause { get; internal set; }

        /// <summary>Why the before-snapshot hook failed; null when it succeeded or there is none.</summary>
        public string? BeforeHookError { get; internal set; }

        /// <summary>Why the after-snapshot hook failed; null when it succeeded or there is none.</summary>
        public string? AfterHookError { get; internal set; }

        /// <summary>Wait-clock time from the request to the end of the capture wait, to take off the job's wait timeout.</summary>
        public TimeSpan Elapsed { get; internal set; }
    }

    /// <summary>
    /// A snapshot request with hooks around it, in the only order that keeps a server's writes paused for the shortest
    /// safe time: the before-snapshot hook, createImage (recording application- or crash-consistency), a wait until the
    /// disk is captured (the server's task_state has left image_snapshot, and every volume snapshot of the restore
    /// point has left creating), then the after-snapshot hook, before the upload ends. Whenever the before-snapshot hook
    /// ran, the after-snapshot hook runs too: after a refused or failed snapshot, a timeout, and a stop (Ctrl+C).
    /// </summary>
    public sealed class HookedSnapshot
    {
        // Nova: image_snapshot_pending (the API accepted it), image_snapshot (the hypervisor captures the disk), then
        // image_pending_upload and image_uploading, which read the captured copy while the guest writes again.
        private static readonly HashSet<string> CapturingTaskStates =
            new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "image_snapshot_pending", "image_snapshot" };

        private readonly RackspaceSession _session;
        private readonly IJobHost _host;
        private readonly SnapshotService _snapshots;

        public HookedSnapshot(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
            _snapshots = new SnapshotService(session, host);
        }

        private IWaitClock Clock => _session.Cloud.Http.Options.Clock;

        /// <summary>
        /// Asks for the snapshot with the hooks around it (without hooks: just asks, crash-consistent). Throws what
        /// createImage throws (a CloudException), and OperationCanceledException on a stop, in both cases after the
        /// after-snapshot hook ran.
        /// </summary>
        public async Task<HookedStart> StartAsync(RackspaceServer server, string schedule, IReadOnlyDictionary<string, string>? metadata, string? nameTemplate,
                                                  VolumeOptions volumeOptions, HookOptions? hooks, WaitOptions wait, CancellationToken cancellationToken)
        {
            var result = new HookedStart();
            if (hooks == null || (!hooks.Hooks.HasBefore && !hooks.Hooks.HasAfter))
            {
                result.ImageId = await _snapshots.StartAsync(server, schedule, metadata, nameTemplate, cancellationToken, volumeOptions, SnapshotConsistency.Crash)
                    .ConfigureAwait(false);
                return result;
            }

            var context = new HookContext(server, schedule);
            TimeSpan? beforeEnded = null;
            if (hooks.Hooks.HasBefore)
            {
                result.BeforeHookError = await RunHookAsync("before-snapshot", server, c => hooks.Hooks.BeforeAsync(context, c), hooks.Timeout, cancellationToken)
                    .ConfigureAwait(false);
                beforeEnded = Clock.Elapsed;
                if (cancellationToken.IsCancellationRequested)
                {
                    await AfterAsync(result, context, hooks, CaptureOutcome.Cancelled, null, beforeEnded).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                }
                if (result.BeforeHookError != null)
                {
                    if (hooks.OnHookFailure == HookFailureAction.Skip)
                    {
                        _host.Warning($"The before-snapshot hook of {server.Name} failed ({result.BeforeHookError}); no snapshot is taken (onHookFailure: Skip).");
                        await AfterAsync(result, context, hooks, CaptureOutcome.Skipped, null, beforeEnded).ConfigureAwait(false);
                        return result;
                    }
                    _host.Warning($"The before-snapshot hook of {server.Name} failed ({result.BeforeHookError}); taking a crash-consistent snapshot (onHookFailure: Snapshot).");
                }
                else
                {
                    result.Consistency = SnapshotConsistency.Application;
                }
            }

            TimeSpan started = Clock.Elapsed;
            CaptureOutcome outcome = CaptureOutcome.Failed;
            AutoSnapshot? captured = null;
            try
            {
                result.ImageId = await _snapshots.StartAsync(server, schedule, metadata, nameTemplate, cancellationToken, volumeOptions, result.Consistency)
                    .ConfigureAwait(false);
                context.ImageId = result.ImageId;
                (outcome, captured) = await WaitForCaptureAsync(server, result.ImageId, wait, started, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                outcome = CaptureOutcome.Cancelled;
                throw;
            }
            finally
            {
                result.Elapsed = Clock.Elapsed - started;
                result.Outcome = outcome;
                result.Snapshot = captured;
                await AfterAsync(result, context, hooks, outcome, captured, beforeEnded).ConfigureAwait(false);
            }
            return result;
        }

        /// <summary>The after-snapshot hook, whatever happened before; never cancelled by the run's stop (it resumes writes).</summary>
        private async Task AfterAsync(HookedStart result, HookContext context, HookOptions hooks, CaptureOutcome outcome, AutoSnapshot? snapshot, TimeSpan? beforeEnded)
        {
            result.Outcome = outcome;
            context.Outcome = outcome;
            context.Snapshot = snapshot;
            if (beforeEnded.HasValue)
            {
                result.WritePause = Clock.Elapsed - beforeEnded.Value;
                _host.Verbose($"Writes of {context.Server.Name} were paused for {PolicyDurationText(result.WritePause.Value)} " +
                              $"(before-snapshot hook end to after-snapshot hook start; snapshot {outcome.ToString().ToLowerInvariant()}, {SnapshotConsistencies.ToMetadata(result.Consistency)}-consistent).");
            }
            if (!hooks.Hooks.HasAfter) return;
            result.AfterHookError = await RunHookAsync("after-snapshot", context.Server, c => hooks.Hooks.AfterAsync(context, c), hooks.Timeout, CancellationToken.None)
                .ConfigureAwait(false);
            if (result.AfterHookError != null)
            {
                _host.Warning($"The after-snapshot hook of {context.Server.Name} failed ({result.AfterHookError}); check that the server's writes were resumed.");
            }
        }

        private static string PolicyDurationText(TimeSpan span) => span.ToString(span.TotalHours >= 1 ? "c" : @"mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>
        /// Runs one hook within its timeout (on the wait clock). Answers null when it succeeded, else why it failed.
        /// A stop (<paramref name="stop"/>) ends the wait for it; the hook's token is cancelled then too.
        /// </summary>
        private async Task<string?> RunHookAsync(string which, RackspaceServer server, Func<CancellationToken, Task> hook, TimeSpan timeout, CancellationToken stop)
        {
            _host.Verbose($"Running the {which} hook of {server.Name}.");
            using var hookCancellation = CancellationTokenSource.CreateLinkedTokenSource(stop);
            Task run;
            try
            {
                run = hook(hookCancellation.Token);
            }
            catch (Exception e)
            {
                return Describe(e);
            }
            if (!run.IsCompleted)
            {
                using var timerCancellation = CancellationTokenSource.CreateLinkedTokenSource(stop);
                Task timer = Clock.DelayAsync(timeout, timerCancellation.Token);
                Task first = await Task.WhenAny(run, timer).ConfigureAwait(false);
                timerCancellation.Cancel();
                if (first != run)
                {
                    hookCancellation.Cancel();
                    // A process hook ends as soon as it is killed; give it a moment so that the next hook never overlaps it.
                    await Task.WhenAny(run, Clock.DelayAsync(TimeSpan.FromSeconds(10), CancellationToken.None)).ConfigureAwait(false);
                    _ = run.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    return stop.IsCancellationRequested ? "stopped" : $"did not finish within {timeout}";
                }
            }
            try
            {
                await run.ConfigureAwait(false);
                return null;
            }
            catch (Exception e)
            {
                return stop.IsCancellationRequested && e is OperationCanceledException ? "stopped" : Describe(e);
            }
        }

        private static string Describe(Exception e) => e is HookFailedException || e is OperationCanceledException ? e.Message : $"{e.GetType().Name}: {e.Message}";

        /// <summary>
        /// Waits until the disk of the restore point is captured: the server's task_state has left image_snapshot
        /// (image-backed servers; Nova sets no task_state for a volume-backed one), then every volume snapshot of the
        /// restore point has left creating (Nova itself waits for exactly that before it unquiesces a guest). Looks
        /// at a short, fixed interval on the wait clock, within the job's timeout.
        /// </summary>
        public async Task<(CaptureOutcome Outcome, AutoSnapshot? Snapshot)> WaitForCaptureAsync(RackspaceServer server, string imageId, WaitOptions options,
                                                                                               TimeSpan started, CancellationToken cancellationToken)
        {
            ComputeClient compute = _snapshots.Compute(server.Region);
            ImageClient images = _snapshots.Images(server.Region);
            int activityId = ProgressIds.Next();
            string activity = $"Capturing the disk of {server.Name}";
            try
            {
                if (!server.IsVolumeBacked)
                {
                    while (true)
                    {
                        string? taskState = "unknown";
                        try
                        {
                            RackspaceServer? now = await compute.FindServerAsync(server.Id, cancellationToken).ConfigureAwait(false);
                            taskState = now?.TaskState;
                        }
                        catch (CloudException e) when (SnapshotService.IsPassingTrouble(e))
                        {
                            _host.Verbose($"Could not look at server {server.Name} ({e.Message}); still waiting for the capture.");
                        }
                        if (taskState == null || (taskState != "unknown" && !CapturingTaskStates.Contains(taskState))) break;
                        if (!await PauseAsync(activityId, activity, $"task_state {taskState}", options, started, cancellationToken).ConfigureAwait(false))
                        {
                            return (CaptureOutcome.TimedOut, await TryFindAsync(images, imageId, cancellationToken).ConfigureAwait(false));
                        }
                    }
                }
                var parts = new RestorePointParts(_session, server.Region, _host);
                while (true)
                {
                    AutoSnapshot? image;
                    try
                    {
                        image = await images.FindAsync(imageId, cancellationToken).ConfigureAwait(false);
                        if (image == null) return (CaptureOutcome.Failed, null);
                        if (image.ImageState == SnapshotState.Failed || image.ImageState == SnapshotState.Gone) return (CaptureOutcome.Failed, _snapshots.Attach(image));
                        if (!image.HasVolumeParts) return (CaptureOutcome.Captured, _snapshots.Attach(image));
                        parts.Refresh();
                        AutoSnapshot whole = await parts.AttachAsync(image, cancellationToken).ConfigureAwait(false);
                        // A part that is missing is not waited for: the restore point counts as failed for it anyway.
                        if (whole.VolumeSnapshots != null && whole.BlockDeviceMappingError == null &&
                            !whole.VolumeSnapshots.Any(v => string.Equals(v.Status, "creating", StringComparison.OrdinalIgnoreCase)))
                        {
                            return (whole.State == SnapshotState.Failed ? CaptureOutcome.Failed : CaptureOutcome.Captured, _snapshots.Attach(whole));
                        }
                    }
                    catch (CloudException e) when (SnapshotService.IsPassingTrouble(e))
                    {
                        _host.Verbose($"Could not look at snapshot {imageId} of {server.Name} ({e.Message}); still waiting for the capture.");
                    }
                    if (!await PauseAsync(activityId, activity, "volume snapshots creating", options, started, cancellationToken).ConfigureAwait(false))
                    {
                        return (CaptureOutcome.TimedOut, await TryFindAsync(images, imageId, cancellationToken).ConfigureAwait(false));
                    }
                }
            }
            finally
            {
                _host.Progress(new ProgressUpdate(activityId, activity, "done", 100, completed: true));
            }
        }

        /// <summary>One pause between looks; false when the job's timeout has passed instead.</summary>
        private async Task<bool> PauseAsync(int activityId, string activity, string status, WaitOptions options, TimeSpan started, CancellationToken cancellationToken)
        {
            TimeSpan remaining = options.Timeout - (Clock.Elapsed - started);
            if (remaining <= TimeSpan.Zero) return false;
            _host.Progress(new ProgressUpdate(activityId, activity, $"{status}, {Clock.Elapsed - started:hh\\:mm\\:ss} elapsed"));
            TimeSpan interval = options.CapturePollInterval;
            await Clock.DelayAsync(interval < remaining ? interval : remaining, cancellationToken).ConfigureAwait(false);
            return true;
        }

        private async Task<AutoSnapshot?> TryFindAsync(ImageClient images, string imageId, CancellationToken cancellationToken)
        {
            try
            {
                AutoSnapshot? image = await images.FindAsync(imageId, cancellationToken).ConfigureAwait(false);
                return image == null ? null : _snapshots.Attach(image);
            }
            catch (CloudException)
            {
                return null;
            }
        }
    }
}
