using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Takes a snapshot of each server into a schedule's pool, tagged with Autosnap's ownership metadata; with -Wait,
    /// waits until it is good or failed.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "AutoSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AutoSnapshot))]
    public sealed class NewAutoSnapshotCommand : AutosnapCmdlet
    {
        /// <summary>The servers: objects from Get-RackspaceServer, or ids or names.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerId")]
        [ArgumentCompleter(typeof(ServerCompleter))]
        [ValidateNotNullOrEmpty]
        public ServerReference[] Server { get; set; } = null!;

        /// <summary>The schedule (pool) the snapshot belongs to.</summary>
        [Parameter(Position = 1)]
        [ArgumentCompleter(typeof(ScheduleCompleter))]
        [ValidateNotNullOrEmpty]
        public string Schedule { get; set; } = AutosnapMetadata.DefaultSchedule;

        /// <summary>More metadata for the image.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? Metadata { get; set; }

        /// <summary>The name template.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = SnapshotService.DefaultNameTemplate;

        /// <summary>Waits until the snapshot is good or failed.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>How long -Wait waits.</summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

        /// <summary>Also snapshots the data volumes attached to an image-backed server (forced block storage snapshots, part of the restore point).</summary>
        [Parameter]
        public SwitchParameter IncludeVolumes { get; set; }

        /// <summary>When the block storage snapshot quota is full, deletes Autosnap's own leftover volume snapshots first instead of failing.</summary>
        [Parameter]
        public SwitchParameter ReclaimLeftovers { get; set; }

        /// <summary>Runs before the snapshot, on this thread: param($server). Pause the server's writes here.</summary>
        [Parameter]
        [ValidateNotNull]
        public ScriptBlock? BeforeSnapshot { get; set; }

        /// <summary>Runs once the disk is captured (or the snapshot failed): param($server, $snapshot, $outcome). Resume writes here.</summary>
        [Parameter]
        [ValidateNotNull]
        public ScriptBlock? AfterSnapshot { get; set; }

        /// <summary>How long each hook may run.</summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan HookTimeout { get; set; } = HookOptions.DefaultTimeout;

        /// <summary>What a failed -BeforeSnapshot means: Skip (no snapshot) or Snapshot (a crash-consistent one).</summary>
        [Parameter]
        public HookFailureAction OnHookFailure { get; set; } = HookFailureAction.Skip;

        /// <summary>The region of servers given by id or name.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Region { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public RackspaceSession? Session { get; set; }

        protected override void BeginProcessing()
        {
            try
            {
                SnapshotService.ValidateSchedule(Schedule);
                SnapshotService.BuildMetadata("check", Schedule, "check", ToDictionary(Metadata));
                if (Timeout <= TimeSpan.Zero) throw new ArgumentException("-Timeout must be longer than zero.", nameof(Timeout));
                CheckHookTimeout(HookTimeout);
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(ErrorFor(e, "AutoSnapshot", null));
            }
        }

        protected override void ProcessRecord()
        {
            RackspaceSession session = ResolveSession(Session);
            foreach (ServerReference reference in Server)
            {
                string region = reference.Server?.Region ?? ResolveRegion(session, Region, "AutoSnapshot");
                try
                {
                    Run(async (host, token) =>
                    {
                        var service = new SnapshotService(session, host);
                        RackspaceServer server = reference.Server ?? await service.ResolveServerAsync(reference.Text, region, token).ConfigureAwait(false);
                        if (!host.ShouldProcess($"{server.Name} ({server.Id}) in {server.Region}", $"Create snapshot in schedule '{Schedule}'"))
                        {
                            return;
                        }
                        var options = new WaitOptions { Timeout = Timeout };
                        HookedStart start = await new HookedSnapshot(session, host).StartAsync(server, Schedule, ToDictionary(Metadata), Name,
                            new VolumeOptions { IncludeVolumes = IncludeVolumes.IsPresent, ReclaimLeftovers = ReclaimLeftovers.IsPresent },
                            Hooks(BeforeSnapshot, AfterSnapshot, HookTimeout, OnHookFailure, host), options, token).ConfigureAwait(false);
                        if (start.AfterHookError != null)
                        {
                            host.Post(() => WriteError(new ErrorRecord(
                                new InvalidOperationException($"The -AfterSnapshot hook of {server.Name} failed: {start.AfterHookError}. Check that the server's writes were resumed."),
                                "AutoSnapshotHookFailed", ErrorCategory.InvalidResult, server)));
                        }
                        if (start.ImageId == null)
                        {
                            host.Post(() => WriteError(new ErrorRecord(
                                new InvalidOperationException($"The -BeforeSnapshot hook of {server.Name} failed: {start.BeforeHookError}. No snapshot was taken (-OnHookFailure Skip)."),
                                "AutoSnapshotHookFailed", ErrorCategory.InvalidResult, server)));
                            return;
                        }
                        string imageId = start.ImageId;
                        if (start.Outcome == CaptureOutcome.TimedOut)
                        {
                            options.Timeout = TimeSpan.FromTicks(1);
                        }
                        else if (start.Elapsed > TimeSpan.Zero)
                        {
                            options.Timeout = Timeout - start.Elapsed > TimeSpan.Zero ? Timeout - start.Elapsed : TimeSpan.FromTicks(1);
                        }
                        if (!Wait.IsPresent)
                        {
                            AutoSnapshot? pending = await service.FindImageAsync(imageId, server.Region, token).ConfigureAwait(false);
                            if (pending == null) throw Vanished(imageId, server);
                            pending.CreatedByNewAutoSnapshot = true;
                            host.Post(() => WriteObject(pending));
                            return;
                        }
                        WaitResult result = await service.WaitAsync(imageId, server.Region, $"{server.Name} ({Schedule})", options, token).ConfigureAwait(false);
                        if (result.Snapshot == null) throw Vanished(imageId, server);
                        result.Snapshot.CreatedByNewAutoSnapshot = true;
                        host.Post(() => WriteObject(result.Snapshot));
                        if (result.TimedOut)
                        {
                            host.Post(() => WriteError(new ErrorRecord(
                                new TimeoutException($"Snapshot {result.Snapshot.Name} ({imageId}) of {server.Name} is still {result.Snapshot.StatusText} after {Timeout}."),
                                "AutoSnapshotTimeout", ErrorCategory.OperationTimeout, result.Snapshot)));
                        }
                        else if (result.Snapshot.State != SnapshotState.Good)
                        {
                            host.Post(() => WriteError(new ErrorRecord(
                                new InvalidOperationException($"Snapshot {result.Snapshot.Name} ({imageId}) of {server.Name} failed: the cloud reports {result.Snapshot.StatusText}."),
                                "AutoSnapshotFailed", ErrorCategory.InvalidResult, result.Snapshot)));
                        }
                    });
                }
                catch (CloudException e)
                {
                    WriteError(ErrorFor(e, "AutoSnapshot", reference));
                }
            }
        }

        /// <summary>The hooks of -BeforeSnapshot and -AfterSnapshot, or null when neither is given.</summary>
        internal static HookOptions? Hooks(ScriptBlock? before, ScriptBlock? after, TimeSpan timeout, HookFailureAction onFailure, PipelineHost host) =>
            before == null && after == null ? null
                : new HookOptions(new ScriptBlockHooks(before, after, host)) { Timeout = timeout, OnHookFailure = onFailure };

        internal static void CheckHookTimeout(TimeSpan timeout)
        {
            if (timeout <= TimeSpan.Zero || timeout > HookOptions.MaxTimeout)
                throw new ArgumentException($"-HookTimeout must be longer than zero and at most {HookOptions.MaxTimeout}.", nameof(HookTimeout));
        }

        private static CloudException Vanished(string imageId, RackspaceServer server) =>
            new CloudException(CloudErrorKind.NotFound,
                $"Image {imageId} of server {server.Name} no longer exists: the cloud deleted it, which it does when a snapshot fails.");

        internal static IReadOnlyDictionary<string, string>? ToDictionary(Hashtable? table) =>
            table?.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString() ?? string.Empty, e => e.Value?.ToString() ?? string.Empty, StringComparer.Ordinal);
    }
}
