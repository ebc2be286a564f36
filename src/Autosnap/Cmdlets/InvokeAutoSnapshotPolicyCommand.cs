using System;
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

        protected override void EndProcessing() => _log?.Dispose();

        protected override void ProcessRecord()
        {
            RackspaceSession session = ResolveSession(Session);
            var options = new JobOptions(Schedule, _policy)
            {
                Wait = new WaitOptions { Timeout = Timeout },
                Metadata = NewAutoSnapshotCommand.ToDictionary(Metadata),
                NameTemplate = Name,
                AdoptLegacy = AdoptLegacy.IsPresent,
            };
            foreach (ServerReference reference in Server)
            {
                string region = reference.Server?.Region ?? ResolveRegion(session, Region, "AutoSnapshotPolicy");
                try
                {
                    SnapshotJobResult? result = Run(async (host, token) =>
                    {
                        RackspaceServer server = reference.Server
                            ?? await new SnapshotService(session, host).ResolveServerAsync(reference.Text, region, token).ConfigureAwait(false);
                        if (!host.ShouldProcess($"{server.Name} ({server.Id}) in {server.Region}",
                                $"Snapshot into schedule '{Schedule}', then rotate the pool ({_policy})"))
                        {
                            return null;
                        }
                        return await new SnapshotJob(session, host).RunAsync(server, options, token).ConfigureAwait(false);
                    });
                    if (result != null) Report(result);
                }
                catch (CloudException e)
                {
                    // Not even found: still one result per server, so callers (autosnap.ps1) count it as failed.
                    var unresolved = new SnapshotJobResult(reference.Text, reference.Server?.Id ?? string.Empty, region, Schedule);
                    unresolved.Fail(e.Message);
                    Report(unresolved);
                }
            }
        }

        private void Report(SnapshotJobResult result)
        {
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
