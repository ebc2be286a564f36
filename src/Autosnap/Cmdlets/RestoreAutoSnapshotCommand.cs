using System;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Gets a server back from a restore point: a new server booted from it (with the flavor, networks, key, security
    /// groups and zone recorded at snapshot time, each overridable), or with -InPlace the original server rebuilt from
    /// it after a safety snapshot. Refuses restore points that are not good.
    /// </summary>
    [Cmdlet(VerbsData.Restore, "AutoSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(RackspaceServer))]
    public sealed class RestoreAutoSnapshotCommand : AutosnapCmdlet
    {
        private const string ObjectSet = "InputObject";
        private const string IdSet = "Id";

        /// <summary>Restore points from Get-AutoSnapshot.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public AutoSnapshot[] InputObject { get; set; } = null!;

        /// <summary>Image ids of restore points.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ArgumentCompleter(typeof(ImageIdCompleter))]
        [Alias("ImageId")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; } = null!;

        /// <summary>The region of images given by id.</summary>
        [Parameter(ParameterSetName = IdSet)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Region { get; set; }

        /// <summary>The new server's name.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>A flavor id or name instead of the recorded one.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(FlavorCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Flavor { get; set; }

        /// <summary>Network ids or names instead of the recorded ones, or 'none'.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(NetworkCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Network { get; set; }

        /// <summary>A key pair instead of the recorded one.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KeyName { get; set; }

        /// <summary>Security group names instead of the recorded ones.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? SecurityGroup { get; set; }

        /// <summary>An availability zone instead of the recorded one.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AvailabilityZone { get; set; }

        /// <summary>Waits until the server is ACTIVE or ERROR.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>How long -Wait (and the safety snapshot) waits.</summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

        /// <summary>Rebuilds the original server from the restore point instead of booting a new one.</summary>
        [Parameter]
        public SwitchParameter InPlace { get; set; }

        /// <summary>With -InPlace: no safety snapshot first.</summary>
        [Parameter]
        public SwitchParameter NoSafetySnapshot { get; set; }

        /// <summary>The session to use; the session the snapshot was read through, else the default session.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public RackspaceSession? Session { get; set; }

        protected override void BeginProcessing()
        {
            string? problem = null;
            if (Timeout <= TimeSpan.Zero) problem = "-Timeout must be longer than zero.";
            else if (NoSafetySnapshot.IsPresent && !InPlace.IsPresent) problem = "-NoSafetySnapshot goes with -InPlace only.";
            else if (InPlace.IsPresent)
            {
                string[] newServerOnly = { nameof(Name), nameof(Flavor), nameof(Network), nameof(KeyName), nameof(SecurityGroup), nameof(AvailabilityZone) };
                string[] given = newServerOnly.Where(MyInvocation.BoundParameters.ContainsKey).ToArray();
                if (given.Length > 0)
                    problem = $"-InPlace rebuilds the original server, which keeps its own flavor, networks and name: -{string.Join(", -", given)} go with a new server only.";
            }
            if (Network != null && Network.Length > 1 && Network.Any(n => string.Equals(n.Trim(), AutosnapMetadata.NoNetwork, StringComparison.OrdinalIgnoreCase)))
                problem = "-Network 'none' cannot be combined with networks.";
            if (problem != null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), "AutoSnapshotRestoreInvalidArgument", ErrorCategory.InvalidArgument, null));
            }
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ObjectSet)
            {
                foreach (AutoSnapshot snapshot in InputObject)
                {
                    Restore(snapshot.Id, snapshot.Region, ResolveSession(Session ?? snapshot.Session));
                }
            }
            else
            {
                RackspaceSession session = ResolveSession(Session);
                string region = ResolveRegion(session, Region, "AutoSnapshot");
                foreach (string id in Id) Restore(id, region, session);
            }
        }

        private void Restore(string imageId, string? region, RackspaceSession session)
        {
            string where = region ?? session.Region;
            try
            {
                // Decide on the restore point as it is now (its volume snapshots too), not as it was when it was listed.
                AutoSnapshot? point = Run((host, token) => new RestoreService(session, host).FindRestorePointAsync(imageId, where, token));
                if (point == null)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No image with id '{imageId}' in {where}."),
                        "AutoSnapshotNotFound", ErrorCategory.ObjectNotFound, imageId));
                    return;
                }
                if (InPlace.IsPresent) RestoreInPlace(point, session);
                else RestoreAsNew(point, session);
            }
            catch (RestoreRefusedException e)
            {
                WriteError(new ErrorRecord(e, "AutoSnapshotRestoreRefused", CategoryOf(e.Reason), imageId));
            }
            catch (CloudException e)
            {
                WriteError(ErrorFor(e, "AutoSnapshotRestore", imageId));
            }
        }

        private void RestoreAsNew(AutoSnapshot point, RackspaceSession session)
        {
            var options = new RestoreOptions
            {
                Name = Name,
                Flavor = Flavor,
                Networks = Network,
                KeyName = KeyName,
                SecurityGroups = SecurityGroup,
                AvailabilityZone = AvailabilityZone,
            };
            RackspaceServer? server = Run(async (host, token) =>
            {
                var restore = new RestoreService(session, host);
                RestorePlan plan = await restore.PlanAsync(point, options, token).ConfigureAwait(false);
                if (!host.ShouldProcess($"{point.Name} ({point.Id}) in {point.Region ?? session.Region}", "Restore as new " + plan.Describe()))
                {
                    return null;
                }
                return await restore.BootAsync(plan, token).ConfigureAwait(false);
            });
            if (server == null) return;
            Finish(server, session, $"Restored server {server.Name} ({server.Id}) from {point.Name}");
        }

        private void RestoreInPlace(AutoSnapshot point, RackspaceSession session)
        {
            InPlaceResult? result = Run((host, token) =>
                new RestoreService(session, new InPlaceConfirmation(host, this)).RestoreInPlaceAsync(point, NoSafetySnapshot.IsPresent, new WaitOptions { Timeout = Timeout }, token));
            if (result == null)
            {
                if (_notConfirmed != null) WriteError(new ErrorRecord(_notConfirmed, "AutoSnapshotRestoreRefused", ErrorCategory.PermissionDenied, point));
                _notConfirmed = null;
                return;
            }
            if (result.SafetySnapshot != null)
            {
                WriteVerbose($"Safety snapshot {result.SafetySnapshot.Name} ({result.SafetySnapshot.Id}) of the server before the rebuild is kept in schedule " +
                             $"'{AutosnapMetadata.SafetySchedule}'; pinned, so rotation never counts or deletes it. Remove it with Remove-AutoSnapshot -Id {result.SafetySnapshot.Id} -Force when you no longer need it.");
            }
            Finish(result.Server, session, $"Rebuilt server {result.Server.Name} ({result.Server.Id}) from {point.Name}");
        }

        /// <summary>Writes the server; with -Wait, first waits until it is ACTIVE or ERROR. The server stays whatever happens to the wait.</summary>
        private void Finish(RackspaceServer server, RackspaceSession session, string what)
        {
            if (!Wait.IsPresent)
            {
                WriteVerbose($"{what}: {server.Status}. It stays whatever happens next; -Wait waits for it.");
                WriteObject(server);
                return;
            }
            WriteVerbose($"{what}; waiting for it. Stopping the wait (Ctrl+C) leaves the server as it is: it is yours.");
            ServerWaitResult result = Run((host, token) => new RestoreService(session, host)
                .WaitForServerAsync(server.Id, server.Region, $"{server.Name} (Ctrl+C stops waiting; the server stays)", new WaitOptions { Timeout = Timeout }, token));
            if (result.Server == null)
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"Server {server.Name} ({server.Id}) no longer exists: the cloud deleted it while it was being built."),
                    "AutoSnapshotRestoreFailed", ErrorCategory.InvalidResult, server));
                return;
            }
            WriteObject(result.Server);
            if (result.TimedOut)
            {
                WriteError(new ErrorRecord(new TimeoutException(
                    $"Server {server.Name} ({server.Id}) is still {result.Server.Status} after {Timeout}; it stays, and may still become ACTIVE."),
                    "AutoSnapshotRestoreTimeout", ErrorCategory.OperationTimeout, result.Server));
            }
            else if (!result.IsActive)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(
                    $"Server {server.Name} ({server.Id}) is {result.Server.Status}{(result.Server.Fault != null ? $": {result.Server.Fault}" : string.Empty)}. " +
                    "It was left as it is for you to look at; delete it when done."),
                    "AutoSnapshotRestoreFailed", ErrorCategory.InvalidResult, result.Server));
            }
        }

        private static ErrorCategory CategoryOf(RestoreRefusal reason) => reason switch
        {
            RestoreRefusal.MissingParameter => ErrorCategory.InvalidArgument,
            RestoreRefusal.InvalidParameter => ErrorCategory.InvalidArgument,
            RestoreRefusal.Quota => ErrorCategory.QuotaExceeded,
            RestoreRefusal.NotSupported => ErrorCategory.NotImplemented,
            RestoreRefusal.ServerNotReady => ErrorCategory.ResourceUnavailable,
            _ => ErrorCategory.InvalidOperation,
        };

        /// <summary>
        /// -InPlace replaces a server's disk, so it asks as a High-impact action would, whatever this cmdlet's Medium
        /// impact: -WhatIf only tells; -Confirm:$false (or $ConfirmPreference = 'None') is the one way not to be asked;
        /// otherwise the user is asked, and a host that cannot ask (non-interactive) refuses.
        /// </summary>
        private sealed class InPlaceConfirmation : IJobHost
        {
            private readonly PipelineHost _inner;
            private readonly RestoreAutoSnapshotCommand _cmdlet;

            public InPlaceConfirmation(PipelineHost inner, RestoreAutoSnapshotCommand cmdlet)
            {
                _inner = inner;
                _cmdlet = cmdlet;
            }

            public void Verbose(string message) => _inner.Verbose(message);
            public void Debug(string message) => _inner.Debug(message);
            public void Warning(string message) => _inner.Warning(message);
            public void Progress(ProgressUpdate update) => _inner.Progress(update);

            public bool ShouldProcess(string target, string action) => _inner.Invoke(() => _cmdlet.ConfirmInPlace(target, action));
        }

        private RestoreRefusedException? _notConfirmed;

        private bool ConfirmInPlace(string target, string action)
        {
            var bound = MyInvocation.BoundParameters;
            bool whatIf = bound.TryGetValue("WhatIf", out object? w)
                ? ((SwitchParameter)w).IsPresent
                : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));
            if (whatIf) return ShouldProcess(target, action);
            bool confirmOff = bound.TryGetValue("Confirm", out object? c)
                ? !((SwitchParameter)c).IsPresent
                : SessionState.PSVariable.GetValue("ConfirmPreference") is ConfirmImpact preference && preference == ConfirmImpact.None;
            if (confirmOff) return ShouldProcess(target, action);
            try
            {
                return ShouldContinue($"{action}?", $"Restore in place: {target}");
            }
            catch (Exception e) when (!(e is PipelineStoppedException) && !(e is OperationCanceledException))
            {
                // A host that cannot ask (pwsh -NonInteractive, a runspace without UI): the answer is no.
                _notConfirmed = new RestoreRefusedException(RestoreRefusal.ServerNotReady,
                    $"Restore-AutoSnapshot -InPlace of {target} needs a confirmation, and this host cannot ask ({e.Message}). Nothing was changed. " +
                    "Add -Confirm:$false to rebuild without being asked.", null, e);
                return false;
            }
        }
    }
}
