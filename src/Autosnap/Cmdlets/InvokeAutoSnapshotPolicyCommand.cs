using System;
using System.Linq;
using System.IO;
using System.Collections.Generic;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// The whole nightly job for each server: snapshot, wait until it is good, rotate its pool. One summary object per
    /// server; a server's failure never stops the others, and a job whose new snapshot is not good deletes nothing.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "AutoSnapshotPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SnapshotJobResult))]
    public sealed class InvokeAutoSnapshotPolicyCommand : RetentionCmdlet
    {
        private RetentionPolicy _policy = null!;

        /// <summary>The servers: objects, ids or names.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public ServerReference[] Server { get; set; } = null!;

        /// <summary>The schedule (pool).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ScheduleCompleter))]
        [ValidateNotNullOrEmpty]
        public string Schedule { get; set; } = AutosnapMetadata.DefaultSchedule;

        /// <summary>How long to wait for each snapshot.</summary>
        [Parameter]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

        /// <summary>More metadata for each image.</summary>
        [Parameter]
        [ValidateNotNull]
        public System.Collections.Hashtable? Metadata { get; set; }

        /// <summary>The name template.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = SnapshotService.DefaultNameTemplate;

        /// <summary>Adopt images of the original autosnap.py into the schedule.</summary>
        [Parameter]
        public SwitchParameter AdoptLegacy { get; set; }

        /// <summary>The region of servers given by id or name.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Region { get; set; }

        /// <summary>Appends one JSON line per job and per deletion to this file.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? LogPath { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter]
        public RackspaceSession? Session { get; set; }

        /// <summary>How many servers run at once.</summary>
        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 16;

        /// <summary>Skip a server whose newest good image of the schedule is younger than this.</summary>
        [Parameter]
        public TimeSpan? MinInterval { get; set; }

        private readonly List<ServerReference> _references = new List<ServerReference>();
        private JsonLinesLog? _log;

        protected override void BeginProcessing()
        {
            _policy = BuildPolicy();
            try
            {
                SnapshotService.ValidateSchedule(Schedule);
                SnapshotService.BuildMetadata("check", Schedule, "check", NewAutoSnapshotCommand.ToDictionary(Metadata));
                if (Timeout <= TimeSpan.Zero) throw new ArgumentException("-Timeout must be longer than zero.", nameof(Timeout));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(ErrorFor(e, "AutoSnapshotPolicy", null));
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
            _references.AddRange(Server);
        }

        protected override void EndProcessing()
        {
            try
            {
                RackspaceSession session = ResolveSession(Session);
                var options = new JobOptions(Schedule, _policy)
                {
                    Wait = new WaitOptions { Timeout = Timeout },
                    Metadata = NewAutoSnapshotCommand.ToDictionary(Metadata),
                    NameTemplate = Name,
                    AdoptLegacy = AdoptLegacy.IsPresent,
                    MinInterval = MinInterval,
                };
                var summary = new RunSummary();
                Run(async (host, token) =>
                {
                    var jobs = new List<FleetJob>();
                    var service = new SnapshotService(session, host);
                    foreach (var byRegion in _references.GroupBy(r => r.Server?.Region ?? ResolveRegion(session, Region, "AutoSnapshotPolicy")))
                    {
                        jobs.AddRange(byRegion.Where(r => r.Server != null).Select(r => new FleetJob(r.Server!, options)));
                        var named = byRegion.Where(r => r.Server == null).Select(r => r.Text).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                        if (named.Count == 0) continue;
                        foreach (var (reference, server, error) in await service.ResolveServersAsync(named, byRegion.Key, token).ConfigureAwait(false))
                        {
                            if (server != null)
                            {
                                jobs.Add(new FleetJob(server, options));
                                continue;
                            }
                            // Not even found: still one result per server, so callers (autosnap.ps1) count it as failed.
                            var unresolved = new SnapshotJobResult(reference, string.Empty, byRegion.Key, Schedule);
                            unresolved.Fail(error!.Message);
                            host.Post(() => Report(unresolved, summary));
                        }
                    }
                    var approved = jobs.Where(job => host.ShouldProcess($"{job.Server.Name} ({job.Server.Id}) in {job.Server.Region}",
                        $"Snapshot into schedule '{Schedule}', then rotate the pool ({_policy})")).ToList();
                    await new FleetRunner(session, host).RunAsync(approved, ThrottleLimit,
                        result => host.Post(() => Report(result, summary)), token).ConfigureAwait(false);
                });
                WriteInformation(new InformationRecord(summary.ToString(), "Invoke-AutoSnapshotPolicy"));
            }
            finally
            {
                _log?.Dispose();
            }
        }

        private void Report(SnapshotJobResult result, RunSummary summary)
        {
            summary.Add(result);
            _log?.Write(result);
            WriteObject(result);
            if (result.Status == JobStatus.Failed)
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"{result.ServerName} ({result.Schedule}): {result.Message}"),
                    "AutoSnapshotPolicyJobFailed", ErrorCategory.NotSpecified, result));
            }
        }
    }
}
