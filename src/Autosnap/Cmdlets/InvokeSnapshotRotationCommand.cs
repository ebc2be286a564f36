using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Rotates pools (server + schedule) by the retention contract and writes one decision per image: keep or delete,
    /// and why. Pools come from -Server/-Schedule or from piped snapshots; each pool is listed fresh and whole first.
    /// The default set is InputObject: a piped image goes to -InputObject (its own pool), and only an object that is not
    /// an image binds -Server (and -Schedule) by property name; with Server as the default, an image's ServerId would win.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "SnapshotRotation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
        DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(RotationDecision))]
    public sealed class InvokeSnapshotRotationCommand : RetentionCmdlet
    {
        private const string ServerSet = "Server";
        private const string InputObjectSet = "InputObject";

        private readonly List<AutoSnapshot> _piped = new List<AutoSnapshot>();
        private RetentionPolicy _policy = null!;

        /// <summary>The servers whose pool to rotate: objects, ids or names.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ServerSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerId")]
        [ArgumentCompleter(typeof(ServerCompleter))]
        [ValidateNotNullOrEmpty]
        public ServerReference[] Server { get; set; } = null!;

        /// <summary>The schedule (pool) to rotate.</summary>
        [Parameter(ParameterSetName = ServerSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ScheduleCompleter))]
        [ValidateNotNullOrEmpty]
        public string Schedule { get; set; } = AutosnapMetadata.DefaultSchedule;

        /// <summary>Snapshots whose pools to rotate (from Get-AutoSnapshot or New-AutoSnapshot).</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public AutoSnapshot[] InputObject { get; set; } = null!;

        /// <summary>Adopt the original autosnap.py's images into the schedule first.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        public SwitchParameter AdoptLegacy { get; set; }

        /// <summary>The region of servers given by id or name.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Region { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter]
        public RackspaceSession? Session { get; set; }

        protected override void BeginProcessing()
        {
            _policy = BuildPolicy();
            try
            {
                SnapshotService.ValidateSchedule(Schedule);
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(ErrorFor(e, "SnapshotRotation", Schedule));
            }
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                // Collected, rotated at the end: deleting while an upstream listing is still paging would pull the
                // marker out from under it.
                _piped.AddRange(InputObject);
                return;
            }
            RackspaceSession session = ResolveSession(Session);
            foreach (ServerReference reference in Server)
            {
                string region = reference.Server?.Region ?? ResolveRegion(session, Region, "SnapshotRotation");
                RotateServer(session, reference, region);
            }
        }

        protected override void EndProcessing()
        {
            IReadOnlyList<PipedPool> pools = PipedPools.Group(_piped, out IReadOnlyList<AutoSnapshot> foreign);
            foreach (AutoSnapshot image in foreign)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(
                    $"Image '{image.Name}' ({image.Id}) is not Autosnap's; rotation never touches such images. It was ignored."),
                    "SnapshotRotationNotOwned", ErrorCategory.InvalidOperation, image));
            }
            foreach (PipedPool pool in pools)
            {
                RackspaceSession session = ResolveSession(Session ?? pool.Session);
                string region = pool.Region ?? session.Region;
                try
                {
                    WriteRotation(Run((host, token) => new RotationService(session, host).RotatePipedPoolAsync(pool, region, _policy, token)));
                }
                catch (NewSnapshotNotGoodException e)
                {
                    WriteError(new ErrorRecord(e, "SnapshotRotationNewSnapshotNotGood", ErrorCategory.InvalidResult, e.Snapshot));
                }
                catch (Exception e) when (e is CloudException || e is UnsafeRotationException)
                {
                    WriteRotationError(e, region, pool.ServerId, pool.Schedule);
                }
            }
        }

        private void RotateServer(RackspaceSession session, ServerReference reference, string region)
        {
            RackspaceServer? server = reference.Server;
            if (server == null)
            {
                try
                {
                    // Adopting the original script's images needs the server itself; otherwise an orphaned pool still rotates.
                    server = AdoptLegacy.IsPresent
                        ? Run((host, token) => new SnapshotService(session, host).ResolveServerAsync(reference.Text, region, token))
                        : Run((host, token) => new SnapshotService(session, host).ResolvePoolServerAsync(reference.Text, region, Schedule, "rotating", token));
                }
                catch (CloudException e)
                {
                    WriteError(ErrorFor(e, "SnapshotRotation", reference));
                    return;
                }
            }
            string serverId = server?.Id ?? reference.Text;
            try
            {
                WriteRotation(Run((host, token) => new RotationService(session, host)
                    .RotatePoolAsync(region, serverId, Schedule, _policy, null, AdoptLegacy.IsPresent ? server : null, token)));
            }
            catch (Exception e) when (e is CloudException || e is UnsafeRotationException)
            {
                WriteRotationError(e, region, serverId, Schedule);
            }
        }

        private void WriteRotation(PoolRotation rotation)
        {
            foreach (RotationDecision decision in rotation.Decisions)
            {
                WriteObject(decision);
                if (decision.Outcome == RotationOutcome.Failed)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException($"Could not delete {decision.Name} ({decision.Id}): {decision.Error}"),
                        "SnapshotRotationDeleteFailed", ErrorCategory.WriteError, decision));
                }
            }
        }

        private void WriteRotationError(Exception error, string region, string serverId, string schedule)
        {
            if (error is CloudException e)
            {
                WriteError(ErrorFor(new CloudException(e.Kind, $"Pool {serverId}/{schedule} in {region} was not rotated and nothing was deleted: {e.Message}",
                    e.StatusCode, e.FaultName, e), "SnapshotRotation", serverId));
            }
            else
            {
                WriteError(new ErrorRecord(error, "SnapshotRotationUnsafePlan", ErrorCategory.InvalidResult, serverId));
            }
        }
    }
}
