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
    /// Shows which images a retention policy keeps, without deleting anything: for the current images of pools
    /// (-Server/-Schedule, or piped snapshots) as the decisions rotation would make, or for a made-up series
    /// (-Simulate: "a snapshot every day at 00:05 for 400 days") replayed the way the nightly job runs. -AsTimeline
    /// draws either as a compact calendar instead of objects.
    /// </summary>
    // The default set is InputObject: piped images are planned as given, and only an object that is not an image (a
    // server, anything with a ServerId) binds -Server by property name. With Server as the default, an image's own
    // ServerId would win and its pool would be listed again instead.
    [Cmdlet(VerbsCommon.Get, "SnapshotRetentionPlan", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(RotationDecision), ParameterSetName = new[] { ServerSet, InputObjectSet })]
    [OutputType(typeof(SimulatedSnapshot), ParameterSetName = new[] { SimulateSet })]
    [OutputType(typeof(string))]
    public sealed class GetSnapshotRetentionPlanCommand : RetentionCmdlet
    {
        private const string ServerSet = "Server";
        private const string InputObjectSet = "InputObject";
        private const string SimulateSet = "Simulate";
        private const string Noun = "SnapshotRetentionPlan";

        private readonly List<AutoSnapshot> _piped = new List<AutoSnapshot>();
        private RetentionPolicy _policy = null!;
        private SnapshotSeries? _series;

        /// <summary>The servers whose pool to plan: objects, ids or names.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ServerSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerId")]
        [ArgumentCompleter(typeof(ServerCompleter))]
        [ValidateNotNullOrEmpty]
        public ServerReference[] Server { get; set; } = null!;

        /// <summary>The schedule (pool) to plan; with -Simulate, the schedule the simulated images are named after.</summary>
        [Parameter(ParameterSetName = ServerSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = SimulateSet)]
        [ArgumentCompleter(typeof(ScheduleCompleter))]
        [ValidateNotNullOrEmpty]
        public string Schedule { get; set; } = AutosnapMetadata.DefaultSchedule;

        /// <summary>The region of servers given by id or name.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Region { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter(ParameterSetName = ServerSet)]
        public RackspaceSession? Session { get; set; }

        /// <summary>Snapshots to plan, as they are (from Get-AutoSnapshot): each pool among them is planned on its own.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public AutoSnapshot[] InputObject { get; set; } = null!;

        /// <summary>Plan a made-up series of nightly runs instead of current images.</summary>
        [Parameter(Mandatory = true, ParameterSetName = SimulateSet)]
        public SwitchParameter Simulate { get; set; }

        /// <summary>When the first simulated run happens.</summary>
        [Parameter(Mandatory = true, ParameterSetName = SimulateSet)]
        public DateTimeOffset Start { get; set; }

        /// <summary>The time between simulated runs (whole days with -WallClockTimeZone).</summary>
        [Parameter(ParameterSetName = SimulateSet)]
        [DurationTransformation]
        public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);

        /// <summary>How many runs to simulate.</summary>
        [Parameter(Mandatory = true, ParameterSetName = SimulateSet)]
        [ValidateRange(1, 100000)]
        public int Count { get; set; }

        /// <summary>The share of runs whose snapshot fails (0 to 1).</summary>
        [Parameter(ParameterSetName = SimulateSet)]
        [ValidateRange(0.0, 1.0)]
        public double FailureRate { get; set; }

        /// <summary>The seed of the failure draws: the same seed gives the same series.</summary>
        [Parameter(ParameterSetName = SimulateSet)]
        public int Seed { get; set; }

        /// <summary>Run on the wall clock of this zone, as cron does ("00:05 every day" across DST), instead of every -Interval exactly.</summary>
        [Parameter(ParameterSetName = SimulateSet)]
        [ArgumentCompleter(typeof(TimeZoneCompleter))]
        [ValidateNotNullOrEmpty]
        public string? WallClockTimeZone { get; set; }

        /// <summary>Write the plan as a compact calendar (lines of text) instead of objects.</summary>
        [Parameter]
        public SwitchParameter AsTimeline { get; set; }

        /// <summary>The calendar's columns with -AsTimeline: hours, days, weeks or months; Auto chooses from the images.</summary>
        [Parameter]
        public TimelineScale Scale { get; set; } = TimelineScale.Auto;

        protected override void BeginProcessing()
        {
            _policy = BuildPolicy();
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Scale)) && !AsTimeline.IsPresent)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Scale only applies to a timeline: add -AsTimeline."),
                    Noun + "ScaleWithoutTimeline", ErrorCategory.InvalidArgument, Scale));
            }
            if (ParameterSetName == InputObjectSet) return;
            try
            {
                SnapshotService.ValidateSchedule(Schedule);
                if (ParameterSetName == SimulateSet) _series = BuildSeries();
            }
            catch (RetentionPolicyException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidArgument, WallClockTimeZone));
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
                case SimulateSet:
                    WriteSimulation(_series!);
                    break;
                default:
                    RackspaceSession session = ResolveSession(Session);
                    foreach (ServerReference reference in Server)
                    {
                        string region = reference.Server?.Region ?? ResolveRegion(session, Region, Noun);
                        PlanServer(session, reference, region);
                    }
                    break;
            }
        }

        protected override void EndProcessing()
        {
            IReadOnlyList<PipedPool> pools = PipedPools.Group(_piped, out IReadOnlyList<AutoSnapshot> foreign);
            foreach (AutoSnapshot image in foreign)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(
                    $"Image '{image.Name}' ({image.Id}) is not Autosnap's; rotation never touches such images. It was left out of the plan."),
                    Noun + "NotOwned", ErrorCategory.InvalidOperation, image));
            }
            // Planned as piped, without listing again: what the user piped is the question.
            foreach (PipedPool pool in pools)
            {
                WritePlan($"{pool.ServerId}/{pool.Schedule}", pool.Region, RetentionPlanner.Plan(pool.Images, _policy));
            }
        }

        private SnapshotSeries BuildSeries()
        {
            var series = new SnapshotSeries(Start, Interval, Count)
            {
                FailureRate = FailureRate,
                Seed = Seed,
                Schedule = Schedule,
                WallClock = WallClockTimeZone == null ? null : TimeZones.Find(WallClockTimeZone),
            };
            // The series refuses what it cannot schedule (a wall clock with an interval of part days, a last run
            // past year 9999) when it computes its times: ask now, so the command ends before any output.
            series.Times();
            return series;
        }

        private void PlanServer(RackspaceSession session, ServerReference reference, string region)
        {
            try
            {
                (RackspaceServer? server, IReadOnlyList<RotationDecision> plan) = Run(async (host, token) =>
                {
                    // A server that is gone leaves an orphaned pool, which rotation still rotates: it is planned too.
                    RackspaceServer? found = reference.Server ??
                        await new SnapshotService(session, host).ResolvePoolServerAsync(reference.Text, region, Schedule, "planning", token).ConfigureAwait(false);
                    IReadOnlyList<AutoSnapshot> pool = await new SnapshotFinder(session, host)
                        .ListPoolAsync(region, found?.Id ?? reference.Text, Schedule, token).ConfigureAwait(false);
                    return (found, RetentionPlanner.Plan(pool, _policy));
                });
                string name = server?.Name ?? reference.Text;
                if (plan.Count == 0) WriteWarning($"Pool {name}/{Schedule} in {region} has no images.");
                WritePlan($"{name}/{Schedule}", region, plan);
            }
            catch (CloudException e)
            {
                WriteError(ErrorFor(e, Noun, reference));
            }
        }

        private void WritePlan(string pool, string? region, IReadOnlyList<RotationDecision> plan)
        {
            if (!AsTimeline.IsPresent)
            {
                foreach (RotationDecision decision in plan) WriteObject(decision);
                return;
            }
            WriteObject(RetentionPlanView.PoolTitle(pool, region, plan, _policy));
            TimeZoneInfo zone = RetentionPlanView.TimelineZone(_policy, RequestedZone(), null);
            foreach (string line in RetentionTimeline.Render(plan, zone, Scale)) WriteObject(line);
        }

        private void WriteSimulation(SnapshotSeries series)
        {
            SimulationResult simulation = RetentionSimulator.Simulate(series, _policy);
            WriteVerbose(RetentionPlanView.SimulationTitle(series, simulation));
            if (!AsTimeline.IsPresent)
            {
                foreach (SimulatedSnapshot image in RetentionPlanView.Describe(simulation)) WriteObject(image);
                return;
            }
            WriteObject(RetentionPlanView.SimulationTitle(series, simulation));
            TimeZoneInfo zone = RetentionPlanView.TimelineZone(_policy, RequestedZone(), series.WallClock);
            foreach (string line in RetentionTimeline.Render(simulation, zone, Scale)) WriteObject(line);
        }

        /// <summary>-TimeZone as given (BuildPolicy has already refused an unknown one).</summary>
        private TimeZoneInfo? RequestedZone() => TimeZone == null ? null : TimeZones.Find(TimeZone);
    }
}
