using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Checks that snapshots keep coming: the newest GOOD image of each pool, aged on the cloud's clock, against a
    /// warning and a critical age. Pools of given servers, or every Autosnap pool of the region(s). Writes one result
    /// per pool, or with -Nagios exactly one Nagios plugin line that carries the plugin's exit code as its ExitCode
    /// property, 0/1/2/3 (OK/WARNING/CRITICAL/UNKNOWN). A cmdlet does not set $LASTEXITCODE: the scripts that end
    /// with an exit code (check_autosnap.ps1) take it from the line.
    /// </summary>
    /// <remarks>
    /// A check that cannot run (no session, an unknown region, thresholds in the wrong order) ends the command with
    /// an error, except with -Nagios: a monitoring plugin must always print its line, so it prints UNKNOWN with the
    /// reason instead. Problems with single pools (a listing that fails, a server not found) are never errors but
    /// UNKNOWN results: the result is the report.
    /// </remarks>
    [Cmdlet(VerbsDiagnostic.Test, "AutoSnapshotFreshness", DefaultParameterSetName = RegionSet)]
    [OutputType(typeof(AutoSnapshotFreshness))]
    [OutputType(typeof(string))]
    public sealed class TestAutoSnapshotFreshnessCommand : AutosnapCmdlet
    {
        private const string ServerSet = "Server";
        private const string RegionSet = "Region";
        private const string Noun = "AutoSnapshotFreshness";

        private readonly List<AutoSnapshotFreshness> _results = new List<AutoSnapshotFreshness>();
        private FreshnessThresholds _thresholds = FreshnessThresholds.Default;

        /// <summary>With -Nagios: why the check could not run; the line is UNKNOWN with this reason.</summary>
        private string? _failure;

        /// <summary>The servers whose pools to check: objects, ids or names.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ServerSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerId")]
        [ArgumentCompleter(typeof(ServerCompleter))]
        [ValidateNotNullOrEmpty]
        public ServerReference[] Server { get; set; } = null!;

        /// <summary>Only these schedules (pools); every pool found when omitted.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ScheduleCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Schedule { get; set; }

        /// <summary>Regions to check (and to look for servers given by id or name in); the session's region when omitted.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Region { get; set; }

        /// <summary>Every region of the catalog.</summary>
        [Parameter]
        public SwitchParameter AllRegions { get; set; }

        /// <summary>WARNING when the newest good image is older than this (26h, 2d, 90m or a TimeSpan).</summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan Warning { get; set; } = FreshnessThresholds.DefaultWarning;

        /// <summary>CRITICAL when the newest good image is older than this, or there is none.</summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan Critical { get; set; } = FreshnessThresholds.DefaultCritical;

        /// <summary>
        /// Also judge restore tests (8d, or a TimeSpan): WARNING when a pool's newest verified restore test is older than
        /// this or missing, CRITICAL when its last restore test failed.
        /// </summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan RestoreTestedWithin { get; set; }

        /// <summary>Write one Nagios plugin line instead of objects; its ExitCode property is the plugin's exit code.</summary>
        [Parameter]
        public SwitchParameter Nagios { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public RackspaceSession? Session { get; set; }

        protected override void BeginProcessing()
        {
            try
            {
                _thresholds = new FreshnessThresholds(Warning, Critical,
                    MyInvocation.BoundParameters.ContainsKey(nameof(RestoreTestedWithin)) ? RestoreTestedWithin : (TimeSpan?)null);
                foreach (string schedule in Schedule ?? new string[0]) SnapshotService.ValidateSchedule(schedule);
            }
            catch (ArgumentException e)
            {
                Abort(new ErrorRecord(e, Noun + "InvalidArgument", ErrorCategory.InvalidArgument, null));
            }
        }

        protected override void ProcessRecord()
        {
            if (_failure != null) return;
            RackspaceSession? session = Session ?? SessionStore.Default;
            if (session == null)
            {
                Abort(new ErrorRecord(new InvalidOperationException("Not connected: run Connect-RackspaceCloud first, or pass -Session."),
                    "RackspaceSessionNotFound", ErrorCategory.ConnectionError, null));
                return;
            }
            IReadOnlyList<string>? regions = Regions(session);
            if (regions == null) return;

            IReadOnlyCollection<string> schedules = Schedule ?? new string[0];
            try
            {
                if (ParameterSetName == ServerSet)
                {
                    foreach (ServerReference reference in Server)
                    {
                        // A server object knows its region; an id or name is looked for in every region asked for.
                        Report(Run((host, token) => reference.Server != null
                            ? new FreshnessService(session, host).CheckServerAsync(reference.Server, schedules, _thresholds, token)
                            : new FreshnessService(session, host).CheckServerAsync(reference.Text, regions, schedules, _thresholds, token)));
                    }
                }
                else
                {
                    foreach (string region in regions)
                    {
                        Report(Run((host, token) => new FreshnessService(session, host).CheckRegionAsync(region, schedules, _thresholds, token)));
                    }
                }
            }
            catch (Exception e) when (Nagios.IsPresent && !(e is PipelineStoppedException || e is OperationCanceledException))
            {
                // Whatever went wrong, a plugin prints its line: UNKNOWN, with what happened.
                _failure = e.Message;
            }
        }

        protected override void EndProcessing()
        {
            if (Nagios.IsPresent)
            {
                NagiosReport report = _failure != null ? NagiosReport.Failure(_failure) : NagiosReport.From(_results);
                // The line prints as itself; like Get-Content's PSPath on its lines, the status rides along as properties.
                var line = new PSObject(report.Line);
                line.Properties.Add(new PSNoteProperty("Status", report.Status));
                line.Properties.Add(new PSNoteProperty("ExitCode", report.ExitCode));
                WriteObject(line);
            }
            else if (_results.Count == 0)
            {
                WriteWarning("No Autosnap pools found: nothing was checked.");
            }
        }

        private void Report(IReadOnlyList<AutoSnapshotFreshness> results)
        {
            _results.AddRange(results);
            if (!Nagios.IsPresent) WriteObject(results, enumerateCollection: true);
        }

        /// <summary>The regions asked for as the catalog spells them, all of them, or the session's; null when one is unknown (after Abort).</summary>
        private IReadOnlyList<string>? Regions(RackspaceSession session)
        {
            if (AllRegions.IsPresent) return session.Regions;
            if (Region == null || Region.Length == 0) return new[] { session.Region };
            try
            {
                return Region.Select(region => session.Cloud.ResolveRegion(region)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            }
            catch (CloudException e)
            {
                Abort(ErrorFor(e, Noun, Region));
                return null;
            }
        }

        /// <summary>The check cannot run: a terminating error, or with -Nagios the reason for the UNKNOWN line.</summary>
        private void Abort(ErrorRecord error)
        {
            if (!Nagios.IsPresent) ThrowTerminatingError(error);
            _failure ??= error.Exception.Message;
        }
    }
}
