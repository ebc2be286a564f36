using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Policy;
using Autosnap.Rotation;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// The whole nightly job for every target: snapshot, wait until it is good, rotate its pool. Targets and rules come
    /// from parameters (-Server ...), a policy file (-Path) or the servers' own metadata (-FromServerMetadata). Servers
    /// run in parallel, paced under the account's rate limits; one summary object per server; one server's failure never
    /// stops the others, and a job whose new snapshot is not good deletes nothing.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "AutoSnapshotPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
        DefaultParameterSetName = ParametersSet)]
    [OutputType(typeof(SnapshotJobResult))]
    public sealed class InvokeAutoSnapshotPolicyCommand : RetentionCmdlet
    {
        private const string ParametersSet = "Parameters";
        private const string PathSet = "Path";
        private const string ServerMetadataSet = "ServerMetadata";
        // A job is mostly a wait for its snapshot (a poll now and then), so the run is bound by how fast the account may
        // start snapshots (Rackspace: POST 100/min), not by how many jobs are open; request pacing keeps the calls under
        // the limits. A lower limit would make a large fleet wait on its own slowest snapshots (measured: 200 servers
        // took 4.7x the rate-limit bound at 16). Users who want fewer snapshots at once in their cloud lower it.
        private const int DefaultThrottleLimit = 100;

        private readonly List<ServerReference> _references = new List<ServerReference>();
        private readonly List<SnapshotJobResult> _failures = new List<SnapshotJobResult>();
        private RetentionPolicy? _policy;
        private PolicyDocument? _document;
        private JsonLinesLog? _log;

        /// <summary>The servers: objects, ids or names.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParametersSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerId")]
        [ArgumentCompleter(typeof(ServerCompleter))]
        [ValidateNotNullOrEmpty]
        public ServerReference[] Server { get; set; } = null!;

        /// <summary>A policy file (JSON; see docs/policy.md).</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <summary>Takes targets and rules from the servers' "autosnap:&lt;schedule&gt;" metadata.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ServerMetadataSet)]
        public SwitchParameter FromServerMetadata { get; set; }

        /// <summary>The schedule (pool).</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ArgumentCompleter(typeof(ScheduleCompleter))]
        [ValidateNotNullOrEmpty]
        public string Schedule { get; set; } = AutosnapMetadata.DefaultSchedule;

        /// <summary>How long to wait for each snapshot.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [DurationTransformation]
        public TimeSpan Timeout { get; set; } = SnapshotPolicy.DefaultTimeout;

        /// <summary>Skip a server whose newest good image of the schedule is younger than this.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [DurationTransformation]
        public TimeSpan? MinInterval { get; set; }

        /// <summary>More metadata for each image.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateNotNull]
        public System.Collections.Hashtable? Metadata { get; set; }

        /// <summary>The name template.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = SnapshotService.DefaultNameTemplate;

        /// <summary>Adopt images of the original autosnap.py into the schedule.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        public SwitchParameter AdoptLegacy { get; set; }

        /// <summary>Also snapshot the data volumes attached to image-backed servers (forced block storage snapshots, part of the restore point).</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        public SwitchParameter IncludeVolumes { get; set; }

        /// <summary>When the block storage snapshot quota is full, delete Autosnap's own leftover volume snapshots first instead of failing.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        public SwitchParameter ReclaimLeftovers { get; set; }

        /// <summary>Runs before each snapshot, on this thread: param($server).</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateNotNull]
        public ScriptBlock? BeforeSnapshot { get; set; }

        /// <summary>Runs once each disk is captured (or the snapshot failed): param($server, $snapshot, $outcome).</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateNotNull]
        public ScriptBlock? AfterSnapshot { get; set; }

        /// <summary>How long each hook may run.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [DurationTransformation]
        public TimeSpan HookTimeout { get; set; } = HookOptions.DefaultTimeout;

        /// <summary>What a failed -BeforeSnapshot means: Skip (no snapshot, the job fails) or Snapshot (a crash-consistent one).</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        public HookFailureAction OnHookFailure { get; set; } = HookFailureAction.Skip;

        /// <summary>Rotation counts only application-consistent restore points as good.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        public SnapshotConsistency RequireConsistency { get; set; } = SnapshotConsistency.Crash;

        /// <summary>The region of servers given by id or name (-Server), or the regions to scan (-FromServerMetadata).</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [Parameter(ParameterSetName = ServerMetadataSet)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Region { get; set; }

        /// <summary>Scans every region of the catalog (-FromServerMetadata).</summary>
        [Parameter(ParameterSetName = ServerMetadataSet)]
        public SwitchParameter AllRegions { get; set; }

        /// <summary>What to do with pools whose server no longer exists; overrides the policy file's onServerDeleted.</summary>
        [Parameter(ParameterSetName = PathSet)]
        public OrphanHandling? OnServerDeleted { get; set; }

        /// <summary>How many servers run at once; the policy file's throttleLimit, else 100.</summary>
        [Parameter]
        [ValidateRange(PolicyDocument.MinThrottleLimit, PolicyDocument.MaxThrottleLimit)]
        public int? ThrottleLimit { get; set; }

        /// <summary>Appends one JSON line per job and per deletion to this file.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? LogPath { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter]
        public RackspaceSession? Session { get; set; }

        // The retention parameters work only with -Server: a policy file and the servers' metadata carry their own
        // rules. Bound to that set alone, they are neither shown in the -Path and -FromServerMetadata syntax nor
        // accepted there (PowerShell refuses the combination before the command starts).

        /// <summary>Keep the newest N+1 good images (N old ones plus the new one).</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(0, 9999)]
        public override int? Retention { get => base.Retention; set => base.Retention = value; }

        /// <summary>Keep the newest n good images.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(0, 9999)]
        public override int KeepLast { get => base.KeepLast; set => base.KeepLast = value; }

        /// <summary>Keep the newest good image of each of the last n hours that have one.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(0, 9999)]
        public override int KeepHourly { get => base.KeepHourly; set => base.KeepHourly = value; }

        /// <summary>Keep the newest good image of each of the last n days that have one.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(0, 9999)]
        public override int KeepDaily { get => base.KeepDaily; set => base.KeepDaily = value; }

        /// <summary>Keep the newest good image of each of the last n ISO weeks that have one.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(0, 9999)]
        public override int KeepWeekly { get => base.KeepWeekly; set => base.KeepWeekly = value; }

        /// <summary>Keep the newest good image of each of the last n months that have one.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(0, 9999)]
        public override int KeepMonthly { get => base.KeepMonthly; set => base.KeepMonthly = value; }

        /// <summary>Keep the newest good image of each of the last n years that have one.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(0, 9999)]
        public override int KeepYearly { get => base.KeepYearly; set => base.KeepYearly = value; }

        /// <summary>Keep every good image created within this span of the newest good image.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [DurationTransformation]
        public override TimeSpan? KeepWithin { get => base.KeepWithin; set => base.KeepWithin = value; }

        /// <summary>The time zone of the buckets (IANA or Windows id); the local zone when omitted.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ArgumentCompleter(typeof(TimeZoneCompleter))]
        [ValidateNotNullOrEmpty]
        public override string? TimeZone { get => base.TimeZone; set => base.TimeZone = value; }

        /// <summary>Keep failed images instead of removing them once a newer good image exists.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        public override SwitchParameter KeepFailed { get => base.KeepFailed; set => base.KeepFailed = value; }

        protected override void BeginProcessing()
        {
            switch (ParameterSetName)
            {
                case ParametersSet:
                    _policy = BuildPolicy();
                    try
                    {
                        SnapshotService.ValidateSchedule(Schedule);
                        SnapshotService.BuildMetadata("check", Schedule, "check", NewAutoSnapshotCommand.ToDictionary(Metadata));
                        if (Timeout <= TimeSpan.Zero) throw new ArgumentException("-Timeout must be longer than zero.", nameof(Timeout));
                        NewAutoSnapshotCommand.CheckHookTimeout(HookTimeout);
                        if (Region?.Length > 1) throw new ArgumentException("With -Server, give one -Region (the region of the servers named by id or name).", nameof(Region));
                    }
                    catch (ArgumentException e)
                    {
                        ThrowTerminatingError(ErrorFor(e, "AutoSnapshotPolicy", null));
                    }
                    break;
                case PathSet:
                    try
                    {
                        _document = PolicyFile.Load(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path));
                    }
                    catch (PolicyException e)
                    {
                        ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidData, Path));
                    }
                    break;
            }
            if (LogPath != null)
            {
                try
                {
                    _log = new JsonLinesLog(SessionState.Path.GetUnresolvedProviderPathFromPSPath(LogPath));
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
                {
                    ThrowTerminatingError(new ErrorRecord(e, "AutoSnapshotPolicyLogNotWritable", ErrorCategory.WriteError, LogPath));
                }
            }
        }

        protected override void ProcessRecord()
        {
            // Collected: the jobs run together at the end, in parallel.
            if (ParameterSetName == ParametersSet) _references.AddRange(Server);
        }

        protected override void EndProcessing()
        {
            try
            {
                RackspaceSession session = ResolveSession(Session);
                IReadOnlyList<string>? scanRegions = ParameterSetName == ServerMetadataSet
                    ? ResolveRegions(session, Region, AllRegions.IsPresent, "AutoSnapshotPolicy")
                    : null;
                string? serverRegion = ParameterSetName == ParametersSet ? ResolveRegion(session, Region?.FirstOrDefault(), "AutoSnapshotPolicy") : null;
                int throttle = ThrottleLimit ?? _document?.ThrottleLimit ?? DefaultThrottleLimit;
                var summary = new RunSummary();
                Run(async (host, token) =>
                {
                    var planner = new PolicyRunPlanner(session, host);
                    PolicyRunPlan plan = ParameterSetName switch
                    {
                        PathSet => await planner.PlanAsync(_document!, OnServerDeleted, token).ConfigureAwait(false),
                        ServerMetadataSet => await planner.PlanFromServerMetadataAsync(scanRegions!, token).ConfigureAwait(false),
                        _ => await PlanServersAsync(session, host, serverRegion!, token).ConfigureAwait(false),
                    };
                    plan.Jobs.RemoveAll(job => !host.ShouldProcess($"{job.Server.Name} ({job.Server.Id}) in {job.Server.Region}",
                        $"Snapshot into schedule '{job.Options.Schedule}', then rotate the pool ({job.Options.Policy})"));
                    plan.Orphans.RemoveAll(orphan => orphan.Policy != null && orphan.Handling == OrphanHandling.ApplyRetention &&
                        !host.ShouldProcess($"pool {orphan.ServerId}/{orphan.Schedule} in {orphan.Region} (server deleted)", $"Rotate the orphaned pool ({orphan.Policy.Retention})"));
                    await new FleetRunner(session, host).RunPlanAsync(plan, throttle, result => host.Post(() => Report(result, summary)), token).ConfigureAwait(false);
                });
                WriteInformation(new InformationRecord(summary.ToString(), "Invoke-AutoSnapshotPolicy"));
                // Errors come last: with $ErrorActionPreference = 'Stop' the first one ends the command, and by now
                // every server has had its night. One server's failure never stops the others.
                foreach (SnapshotJobResult failed in _failures)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException($"{failed.ServerName} ({failed.Schedule}): {failed.Message}"),
                        "AutoSnapshotPolicyJobFailed", ErrorCategory.NotSpecified, failed));
                }
            }
            catch (PolicyException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidData, Path));
            }
            finally
            {
                _log?.Dispose();
            }
        }

        /// <summary>The -Server form: each reference resolved (one listing per region), one job each.</summary>
        private async System.Threading.Tasks.Task<PolicyRunPlan> PlanServersAsync(RackspaceSession session, PipelineHost host, string region,
                                                                                 System.Threading.CancellationToken token)
        {
            var plan = new PolicyRunPlan();
            var options = new JobOptions(Schedule, _policy!)
            {
                Wait = new WaitOptions { Timeout = Timeout },
                Metadata = NewAutoSnapshotCommand.ToDictionary(Metadata),
                NameTemplate = Name,
                AdoptLegacy = AdoptLegacy.IsPresent,
                MinInterval = MinInterval,
                IncludeVolumes = IncludeVolumes.IsPresent,
                ReclaimLeftovers = ReclaimLeftovers.IsPresent,
                Hooks = NewAutoSnapshotCommand.Hooks(BeforeSnapshot, AfterSnapshot, HookTimeout, OnHookFailure, host),
                RequireApplicationConsistency = RequireConsistency == SnapshotConsistency.Application,
            };
            var service = new SnapshotService(session, host);
            foreach (var byRegion in _references.GroupBy(r => r.Server?.Region ?? region, StringComparer.OrdinalIgnoreCase))
            {
                plan.Jobs.AddRange(byRegion.Where(r => r.Server != null).Select(r => new FleetJob(r.Server!, options)));
                var named = byRegion.Where(r => r.Server == null).Select(r => r.Text).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (named.Count == 0) continue;
                foreach (var (reference, server, error) in await service.ResolveServersAsync(named, byRegion.Key, token).ConfigureAwait(false))
                {
                    if (server != null)
                    {
                        plan.Jobs.Add(new FleetJob(server, options));
                        continue;
                    }
                    // Not even found: still one result per server, so callers (autosnap.ps1) can tell.
                    var unresolved = new SnapshotJobResult(JobTarget.UnknownServer, reference, string.Empty, byRegion.Key, Schedule);
                    unresolved.Fail(error!.Message);
                    plan.Refused.Add(unresolved);
                }
            }
            return plan;
        }

        private void Report(SnapshotJobResult result, RunSummary summary)
        {
            summary.Add(result);
            _log?.Write(result);
            WriteObject(result);
            if (result.Status == JobStatus.Failed) _failures.Add(result);
        }
    }
}
