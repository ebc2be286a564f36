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
            foreach (AutoSnapshot foreign in _piped.Where(s => !s.IsAutosnap))
            {
                WriteError(new ErrorRecord(new InvalidOperationException(
                    $"Image '{foreign.Name}' ({foreign.Id}) is not Autosnap's; rotation never touches such images. It was ignored."),
                    "SnapshotRotationNotOwned", ErrorCategory.InvalidOperation, foreign));
            }
            var pools = _piped.Where(s => s.IsAutosnap)
                .GroupBy(s => (Session: s.Session, Region: s.Region ?? string.Empty, Server: s.ServerId!.ToLowerInvariant(), s.Schedule));
            foreach (var pool in pools)
            {
                RackspaceSession session = ResolveSession(Session ?? pool.Key.Session);
                string region = pool.Key.Region.Length > 0 ? pool.Key.Region : session.Region;
                AutoSnapshot[] fromThisJob = pool.Where(s => s.CreatedByNewAutoSnapshot).ToArray();
                AutoSnapshot? notGood = fromThisJob.FirstOrDefault(s => s.State != SnapshotState.Good);
                if (notGood != null)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException(
                        $"The new snapshot {notGood.Name} ({notGood.Id}) is {notGood.Status}, not good: rotation of pool {pool.Key.Server}/{pool.Key.Schedule} was skipped and nothing was deleted."),
                        "SnapshotRotationNewSnapshotNotGood", ErrorCategory.InvalidResult, notGood));
                    continue;
                }
                var planOptions = new PlanOptions { OwnImageIds = fromThisJob.Select(s => s.Id).ToArray() };
                Rotate(session, region, pool.First().ServerId!, pool.Key.Schedule!, planOptions, null);
            }
        }

        private void RotateServer(RackspaceSession session, ServerReference reference, string region)
        {
            RackspaceServer? server = reference.Server;
            if (server == null)
            {
                try
                {
                    server = Run((host, token) => new SnapshotService(session, host).ResolveServerAsync(reference.Text, region, token));
                }
                catch (CloudException e) when (e.Kind == CloudErrorKind.NotFound && Guid.TryParse(reference.Text, out _) && !AdoptLegacy.IsPresent)
                {
                    // The server is gone, its snapshots are not: its pool still rotates (never below one good image).
                    WriteWarning($"Server {reference.Text} no longer exists in {region}; rotating its orphaned pool '{Schedule}'.");
                }
                catch (CloudException e)
                {
                    WriteError(ErrorFor(e, "SnapshotRotation", reference));
                    return;
                }
            }
            Rotate(session, region, server?.Id ?? reference.Text, Schedule, null, AdoptLegacy.IsPresent ? server : null);
        }

        private void Rotate(RackspaceSession session, string region, string serverId, string schedule, PlanOptions? planOptions, RackspaceServer? adoptLegacyOf)
        {
            try
            {
                PoolRotation rotation = Run((host, token) =>
                    new RotationService(session, host).RotatePoolAsync(region, serverId, schedule, _policy, planOptions, adoptLegacyOf, token));
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
            catch (CloudException e)
            {
                WriteError(ErrorFor(new CloudException(e.Kind, $"Pool {serverId}/{schedule} in {region} was not rotated and nothing was deleted: {e.Message}",
                    e.StatusCode, e.FaultName, e), "SnapshotRotation", serverId));
            }
            catch (UnsafeRotationException e)
            {
                WriteError(new ErrorRecord(e, "SnapshotRotationUnsafePlan", ErrorCategory.InvalidResult, serverId));
            }
        }
    }
}
