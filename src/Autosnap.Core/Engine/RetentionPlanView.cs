using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Autosnap.Model;
using Autosnap.Rotation;

namespace Autosnap.Engine
{
    /// <summary>
    /// What Get-SnapshotRetentionPlan shows, as pure functions over the planner's and the simulator's results:
    /// one object per simulated image, and the title line above each timeline.
    /// </summary>
    public static class RetentionPlanView
    {
        /// <summary>One object per image of the simulation, newest first (the order of a plan).</summary>
        public static IReadOnlyList<SimulatedSnapshot> Describe(SimulationResult simulation)
        {
            if (simulation == null) throw new ArgumentNullException(nameof(simulation));
            var finalDecisions = simulation.FinalPlan.ToDictionary(decision => decision.Id, StringComparer.Ordinal);
            var described = new List<SimulatedSnapshot>(simulation.Images.Count);
            foreach (SimulatedImage image in simulation.Images)
            {
                if (image.DeletedInRun is int deletedIn)
                {
                    described.Add(new SimulatedSnapshot(image.Snapshot, image.CreatedInRun + 1, RotationAction.Delete, image.DeleteReasons,
                        deletedIn + 1, simulation.Runs[deletedIn].Time));
                }
                else
                {
                    // A survivor: what the plan after the last run says about it (Keep, except in a policy the
                    // planner would change its mind about on the next run, which the simulator shows too).
                    RotationDecision decision = finalDecisions[image.Snapshot.Id];
                    described.Add(new SimulatedSnapshot(image.Snapshot, image.CreatedInRun + 1, decision.Action, decision.Reasons, null, null));
                }
            }
            described.Reverse();
            return described;
        }

        /// <summary>
        /// The zone a timeline is drawn in: the policy's for bucket rules, so that columns match its buckets; for
        /// -Retention (which has no calendar) the zone asked for, else the simulation's wall clock, else UTC.
        /// </summary>
        public static TimeZoneInfo TimelineZone(RetentionPolicy policy, TimeZoneInfo? requested, TimeZoneInfo? wallClock)
        {
            if (policy == null) throw new ArgumentNullException(nameof(policy));
            return policy.Retention.HasValue ? requested ?? wallClock ?? TimeZoneInfo.Utc : policy.TimeZone;
        }

        /// <summary>"Pool web1/daily in DFW: 22 images, keep 5, delete 17 (policy: retention 3 (keeps 4))".</summary>
        public static string PoolTitle(string pool, string? region, IReadOnlyCollection<RotationDecision> plan, RetentionPolicy policy)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            int keep = plan.Count(decision => decision.Action == RotationAction.Keep);
            return Invariant($"Pool {pool}{(region == null ? string.Empty : " in " + region)}: {Images(plan.Count)}, keep {keep}, delete {plan.Count - keep} (policy: {policy})");
        }

        /// <summary>"Simulation: 400 runs every 1.00:00:00 from 2026-01-01 00:05:00Z, 21 failed; after the last run 23 images kept, 377 deleted (policy: ...)".</summary>
        public static string SimulationTitle(SnapshotSeries series, SimulationResult simulation)
        {
            if (series == null) throw new ArgumentNullException(nameof(series));
            if (simulation == null) throw new ArgumentNullException(nameof(simulation));
            int failed = simulation.Runs.Count(run => !run.ImageGood);
            string clock = series.WallClock == null ? string.Empty : " on the wall clock of " + series.WallClock.Id;
            string every = series.Interval.ToString("c", CultureInfo.InvariantCulture);
            return Invariant($"Simulation: {series.Count} runs every {every}{clock} from {series.Start.UtcDateTime:yyyy'-'MM'-'dd HH':'mm':'ss'Z'}, {failed} failed; ") +
                   Invariant($"after the last run {Images(simulation.Survivors.Count)} kept, {simulation.TotalDeleted} deleted (policy: {simulation.Policy})");
        }

        private static string Images(int count) => count == 1 ? "1 image" : count.ToString(CultureInfo.InvariantCulture) + " images";

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
