using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Policy;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Proves that snapshots boot: for each pool (of -Server/-Schedule, of piped snapshots, or of a policy file's
    /// policies with a restoreTest), boots a throwaway server from a good restore point, waits until it is ACTIVE,
    /// probes (-TcpPort) and validates (-Validate) it, always deletes it, writes the outcome on the image and writes
    /// one <see cref="RestoreTestResult"/> per pool. The engine is <see cref="RestoreTestService"/>.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "AutoSnapshotRestore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
        DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(RestoreTestResult))]
    public sealed class TestAutoSnapshotRestoreCommand : AutosnapCmdlet
    {
        private const string ServerSet = "Server";
        private const string InputObjectSet = "InputObject";
        private const string PolicySet = "Policy";
        private const string Noun = "RestoreTest";
        private const int DefaultThrottleLimit = 4;

        private readonly List<AutoSnapshot> _piped = new List<AutoSnapshot>();
        private readonly List<(RackspaceSession Session, RestoreTestPool Pool)> _pools = new List<(RackspaceSession, RestoreTestPool)>();

        /// <summary>The servers whose pools to test: objects, ids or names.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ServerSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerId")]
        [ArgumentCompleter(typeof(ServerCompleter))]
        [ValidateNotNullOrEmpty]
        public ServerReference[] Server { get; set; } = null!;

        /// <summary>Only these schedules (pools); every pool of the server when omitted.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ArgumentCompleter(typeof(ScheduleCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Schedule { get; set; }

        /// <summary>The region to find servers given by id or name in; the session's when omitted.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Region { get; set; }

        /// <summary>Snapshots (Get-AutoSnapshot): each pool they belong to is tested once, from among the piped restore points.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public AutoSnapshot[] InputObject { get; set; } = null!;

        /// <summary>A policy file: the pools of its policies that have a restoreTest and are due, each as its policy says.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PolicySet)]
        [Alias("Path")]
        [ValidateNotNullOrEmpty]
        public string Policy { get; set; } = null!;

        /// <summary>Newest (default) or Random: which good restore point is booted.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Parameter(ParameterSetName = InputObjectSet)]
        public RestorePick Pick { get; set; } = RestorePick.Newest;

        /// <summary>With -Pick Random: how far back from the newest good restore point (7d by default).</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Parameter(ParameterSetName = InputObjectSet)]
        [DurationTransformation]
        public TimeSpan Within { get; set; } = RestoreTestPolicy.DefaultWithin;

        /// <summary>The throwaway server's flavor (id or name); the smallest that fits when omitted.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Parameter(ParameterSetName = InputObjectSet)]
        [ArgumentCompleter(typeof(FlavorCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Flavor { get; set; }

        /// <summary>The throwaway server's network (id or name; an isolated one), or "none"; no network where the cloud allows it when omitted.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Parameter(ParameterSetName = InputObjectSet)]
        [ArgumentCompleter(typeof(NetworkCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Network { get; set; }

        /// <summary>How long the throwaway server may take to become ACTIVE and pass the probe and validation (15m by default).</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [Parameter(ParameterSetName = InputObjectSet)]
        [DurationTransformation]
        public TimeSpan Timeout { get; set; } = RestoreTestPolicy.DefaultTimeout;

        /// <summary>The server must accept a TCP connection on this port (e.g. 22) at one of its addresses.</summary>
        [Parameter]
        [ValidateRange(1, 65535)]
        public int TcpPort { get; set; }

        /// <summary>{ param($server) ... }: runs on the ACTIVE throwaway server; it fails the test by throwing or by returning $false.</summary>
        [Parameter]
        [ValidateNotNull]
        public ScriptBlock? Validate { get; set; }

        /// <summary>How many throwaway servers at most at once (4 by default).</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

        /// <summary>The session to use; the default session (or the piped objects') when omitted.</summary>
        [Parameter]
        public RackspaceSession? Session { get; set; }

        protected override void BeginProcessing()
        {
            try
            {
                foreach (string schedule in Schedule ?? new string[0]) SnapshotService.ValidateSchedule(schedule);
                if (Timeout <= TimeSpan.Zero || Timeout > RestoreTestPolicy.MaxTimeout)
                {
                    throw new ArgumentException($"-Timeout must be longer than zero and at most {PolicyDuration.Format(RestoreTestPolicy.MaxTimeout)}.");
                }
                if (Within <= TimeSpan.Zero) throw new ArgumentException("-Within must be longer than zero.");
                if (MyInvocation.BoundParameters.ContainsKey(nameof(Within)) && Pick != RestorePick.Random)
                {
                    throw new ArgumentException("-Within needs -Pick Random: only a random pick looks back.");
                }
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(ErrorFor(e, Noun, null));
            }
        }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case InputObjectSet:
                    _piped.AddRange(InputObject);
                    break;
                case ServerSet:
                    RackspaceSession session = ResolveSession(Session);
                    foreach (ServerReference reference in Server)
                    {
                        try
                        {
                            RackspaceSession forServer = Session ?? reference.Server?.Session ?? session;
                            string region = reference.Server?.Region ?? ResolveRegion(forServer, Region, Noun);
                            IReadOnlyList<RestoreTestPool> pools = Run(async (host, token) =>
                            {
                                RackspaceServer server = reference.Server ??
                                    await new SnapshotService(forServer, host).ResolveServerAsync(reference.Text, region, token).ConfigureAwait(false);
                                return await new RestoreTestService(forServer, host).PoolsOfServerAsync(server, Schedule ?? new string[0], Options(), token)
                                    .ConfigureAwait(false);
                            });
                            if (pools.Count == 0) WriteWarning($"Server {reference} has no Autosnap snapshots: nothing to test.");
                            _pools.AddRange(pools.Select(pool => (forServer, pool)));
                        }
                        catch (CloudException e)
                        {
                            WriteError(ErrorFor(e, Noun, reference));
                        }
                    }
                    break;
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == PolicySet)
            {
                RackspaceSession session = ResolveSession(Session);
                PolicyDocument document;
                try
                {
                    document = PolicyFile.Load(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Policy));
                }
                catch (PolicyException e)
                {
                    ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidData, Policy));
                    return;
                }
                if (!document.Policies.Any(p => p.RestoreTest != null))
                {
                    WriteWarning($"No policy of {Policy} has a restoreTest: nothing to test.");
                    return;
                }
                try
                {
                    _pools.AddRange(Run((host, token) => new RestoreTestService(session, host).PoolsOfPolicyAsync(document, token))
                        .Select(pool => (session, pool)));
                }
                catch (CloudException e)
                {
                    WriteError(ErrorFor(e, Noun, Policy));
                    return;
                }
            }
            if (ParameterSetName == InputObjectSet)
            {
                IReadOnlyList<PipedPool> piped = PipedPools.Group(_piped, out IReadOnlyList<AutoSnapshot> foreign);
                foreach (AutoSnapshot image in foreign)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException(
                        $"Image '{image.Name}' ({image.Id}) is not Autosnap's: it belongs to no pool and was not tested."),
                        Noun + "NotOwned", ErrorCategory.InvalidOperation, image));
                }
                foreach (PipedPool pool in piped)
                {
                    RackspaceSession session = ResolveSession(Session ?? pool.Session);
                    string region = pool.Region ?? session.Region;
                    _pools.Add((session, new RestoreTestPool(region, pool.ServerId, KnownObjects.ServerLabel(pool.ServerId) is string label && label != pool.ServerId ? label : null, pool.Schedule, Options(), pool.Images)));
                }
            }

            foreach (var bySession in _pools.GroupBy(p => p.Session))
            {
                RunTests(bySession.Key, bySession.Select(p => p.Pool).ToList());
            }
        }

        private void RunTests(RackspaceSession session, IReadOnlyList<RestoreTestPool> pools)
        {
            try
            {
                Run((host, token) =>
                {
                    if (Validate != null || TcpPort > 0)
                    {
                        foreach (RestoreTestPool pool in pools) Arm(pool.Options, host);
                    }
                    return new RestoreTestService(session, host).RunAsync(pools, ThrottleLimit,
                        result => host.Post(() => Report(result)), token);
                });
            }
            catch (CloudException e)
            {
                WriteError(ErrorFor(e, Noun, null));
            }
        }

        /// <summary>One result: the object, and an error for what the user must act on.</summary>
        private void Report(RestoreTestResult result)
        {
            WriteObject(result);
            if (result.QuotaExceeded)
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"Restore test of {result.Pool} not run: {result.Reason}"),
                    Noun + "QuotaExceeded", ErrorCategory.QuotaExceeded, result));
            }
            if (result.ThrowawayServerId != null && !result.ThrowawayDeleted)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(
                    $"The throwaway server {result.ThrowawayServerId} of the restore test of {result.Pool} could not be deleted; the next restore test run deletes it."),
                    Noun + "ThrowawayNotDeleted", ErrorCategory.ResourceUnavailable, result));
            }
        }

        private RestoreTestOptions Options() => new RestoreTestOptions
        {
            Pick = Pick,
            Within = Within,
            Flavor = Flavor,
            Network = Network,
            Timeout = Timeout,
        };

        /// <summary>The probe and the validation of this call, for a pool's options (a policy's pools too).</summary>
        private void Arm(RestoreTestOptions options, PipelineHost host)
        {
            if (TcpPort > 0) options.TcpPort = TcpPort;
            if (Validate != null)
            {
                // A script block runs on the pipeline thread only (PowerShell's runspace is single-threaded): the engine's
                // thread hands it over and waits for the answer.
                options.Validate = (server, token) => Task.FromResult(host.Invoke(() => RunValidation(server)));
            }
        }

        /// <summary>Null when the script block passed: it returned nothing false and threw nothing; else why it failed.</summary>
        private string? RunValidation(RackspaceServer server)
        {
            Collection<PSObject> output;
            try
            {
                output = Validate!.Invoke(server);
            }
            catch (PipelineStoppedException)
            {
                throw;
            }
            catch (RuntimeException e)
            {
                return "validation failed: " + (e.ErrorRecord?.Exception?.Message ?? e.Message);
            }
            catch (Exception e)
            {
                return "validation failed: " + e.Message;
            }
            return output.Any(o => o?.BaseObject is bool b && !b) ? "validation returned $false" : null;
        }
    }
}
