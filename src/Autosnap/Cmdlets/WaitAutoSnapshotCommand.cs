using System;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>Waits until snapshots are good or failed (or a timeout passes), with progress, and writes them as they are then.</summary>
    [Cmdlet(VerbsLifecycle.Wait, "AutoSnapshot")]
    [OutputType(typeof(AutoSnapshot))]
    public sealed class WaitAutoSnapshotCommand : AutosnapCmdlet
    {
        /// <summary>The snapshots to wait for (from New-AutoSnapshot without -Wait, or Get-AutoSnapshot -Status Pending).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public AutoSnapshot[] InputObject { get; set; } = null!;

        /// <summary>How long to wait for each snapshot.</summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

        /// <summary>The session to use; the session the snapshot was read through when omitted.</summary>
        [Parameter]
        public RackspaceSession? Session { get; set; }

        protected override void BeginProcessing()
        {
            if (Timeout <= TimeSpan.Zero)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Timeout must be longer than zero."),
                    "AutoSnapshotInvalidArgument", ErrorCategory.InvalidArgument, Timeout));
            }
        }

        protected override void ProcessRecord()
        {
            foreach (AutoSnapshot snapshot in InputObject)
            {
                RackspaceSession session = ResolveSession(Session ?? snapshot.Session);
                try
                {
                    WaitResult result = Run((host, token) => new SnapshotService(session, host)
                        .WaitAsync(snapshot.Id, snapshot.Region ?? session.Region, snapshot.Name, new WaitOptions { Timeout = Timeout }, token));
                    if (result.Snapshot == null)
                    {
                        WriteError(new ErrorRecord(new ItemNotFoundException(
                            $"Snapshot {snapshot.Name} ({snapshot.Id}) no longer exists: the cloud deleted it, which it does when a snapshot fails."),
                            "AutoSnapshotNotFound", ErrorCategory.ObjectNotFound, snapshot));
                        continue;
                    }
                    result.Snapshot.CreatedByNewAutoSnapshot = snapshot.CreatedByNewAutoSnapshot;
                    WriteObject(result.Snapshot);
                    if (result.TimedOut)
                    {
                        WriteError(new ErrorRecord(new TimeoutException($"Snapshot {snapshot.Name} ({snapshot.Id}) is still {result.Snapshot.Status} after {Timeout}."),
                            "AutoSnapshotTimeout", ErrorCategory.OperationTimeout, result.Snapshot));
                    }
                    else if (result.Snapshot.State != SnapshotState.Good)
                    {
                        WriteError(new ErrorRecord(new InvalidOperationException($"Snapshot {snapshot.Name} ({snapshot.Id}) failed: the cloud reports {result.Snapshot.Status}."),
                            "AutoSnapshotFailed", ErrorCategory.InvalidResult, result.Snapshot));
                    }
                }
                catch (CloudException e)
                {
                    WriteError(ErrorFor(e, "AutoSnapshot", snapshot));
                }
            }
        }
    }
}
