using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;
using static Autosnap.Tests.Rotation.Images;

namespace Autosnap.Tests.Reports
{
    /// <summary>Get-SnapshotRetentionPlan: the plan of current images, the simulated series, and their timelines.</summary>
    public class RetentionPlanTests
    {
        private static readonly DateTimeOffset Jan1 = Time("2026-01-01T00:05Z");

        private static string[] Rows(IEnumerable<RotationDecision> plan) => plan.Select(d => $"{d.Id} {d.Action} {d.Outcome} {d.Reason}").ToArray();

        [Fact]
        public async Task The_plan_of_a_pool_in_the_cloud_equals_the_planner_on_the_same_images_and_deletes_nothing()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            string web01 = ReportsCloud.ServerId("web01");
            var statuses = Enumerable.Repeat("active", 20).ToList();
            statuses[9] = "killed";
            statuses.Add("saving");
            await cloud.SeedPoolAsync(web01, "daily", TimeSpan.FromMinutes(10), TimeSpan.FromDays(1), statuses.ToArray());
            await cloud.SeedPoolAsync(web01, "weekly", TimeSpan.FromDays(1), TimeSpan.FromDays(7), "active", "active");
            using PowerShell shell = InProcess.Shell();
            shell.AddCommand("Get-SnapshotRetentionPlan").AddParameter("Server", "web01").AddParameter("Schedule", "daily")
                .AddParameter("Session", cloud.Session).AddParameter("Retention", 3);

            List<RotationDecision> shown = InProcess.Invoke<RotationDecision>(shell);
            IReadOnlyList<AutoSnapshot> pool = await new SnapshotFinder(cloud.Session, new RecordingHost())
                .ListPoolAsync(ReportsCloud.Region, web01, "daily", CancellationToken.None);

            Assert.Equal(21, pool.Count);
            Assert.Equal(Rows(RetentionPlanner.Plan(pool, RetentionPolicy.FromRetention(3))), Rows(shown));
            Assert.Equal(4 + 1, shown.Count(d => d.Action == RotationAction.Keep));   // the newest 4 good, and the saving one
            Assert.All(shown, d => Assert.Equal(RotationOutcome.Planned, d.Outcome));
            Assert.All(shown, d => Assert.Equal("daily", d.Schedule));
        }

        [Fact]
        public async Task The_timeline_of_a_pool_is_a_title_and_the_rendered_plan()
        {
            await using ReportsCloud cloud = await ReportsCloud.StartAsync();
            string web01 = ReportsCloud.ServerId("web01");
            await cloud.SeedPoolAsync(web01, "daily", TimeSpan.FromMinutes(10), TimeSpan.FromDays(1), Enumerable.Repeat("active", 10).ToArray());
            using PowerShell shell = InProcess.Shell();
            shell.AddCommand("Get-SnapshotRetentionPlan").AddParameter("Server", web01).AddParameter("Schedule", "daily")
                .AddParameter("Session", cloud.Session).AddParameter("KeepDaily", 3).AddParameter("TimeZone", "UTC")
                .AddParameter("AsTimeline").AddParameter("Scale", TimelineScale.Day);

            List<string> lines = InProcess.Invoke<string>(shell);
            IReadOnlyList<AutoSnapshot> pool = await new SnapshotFinder(cloud.Session, new RecordingHost())
                .ListPoolAsync(ReportsCloud.Region, web01, "daily", CancellationToken.None);
            RetentionPolicy policy = Rules(new BucketRules { KeepDaily = 3 });
            IReadOnlyList<RotationDecision> plan = RetentionPlanner.Plan(pool, policy);

            Assert.Equal("Pool web01/daily in DFW: 10 images, keep 3, delete 7 (policy: daily 3 in UTC)", lines[0]);
            Assert.Equal(RetentionTimeline.Render(plan, TimeZoneInfo.Utc, TimelineScale.Day), lines.Skip(1));
            // Feb 20 .. Mar 1: the newest three days are kept.
            Assert.Contains("2026-02  " + new string('.', 19) + new string('-', 7) + "##" + "   " + "  2 of 9 kept", lines);
            Assert.Contains("2026-03  #" + new string('.', 30) + "  1 of 1 kept", lines);
        }

        [Fact]
        public void Piped_snapshots_are_planned_as_given_pool_by_pool_and_foreign_ones_are_refused()
        {
            List<AutoSnapshot> daily = Daily("2026-01-01", 20);
            AutoSnapshot failed = At("2026-01-10T12:00Z", "ERROR", id: "failed");
            List<AutoSnapshot> weekly = Enumerable.Range(0, 5).Select(week => At(Jan1.AddDays(7 * week), id: $"weekly-{week}", schedule: "weekly")).ToList();
            var foreign = new AutoSnapshot("manual", "manual", "ACTIVE", Jan1, "DFW");
            var piped = daily.Append(failed).Concat(weekly).Append(foreign).ToList();
            using PowerShell shell = InProcess.Shell();
            shell.AddScript("param($Images) $Images | Get-SnapshotRetentionPlan -Retention 3").AddArgument(piped);

            List<RotationDecision> shown = InProcess.Invoke<RotationDecision>(shell);

            var expected = RetentionPlanner.Plan(daily.Append(failed), RetentionPolicy.FromRetention(3))
                .Concat(RetentionPlanner.Plan(weekly, RetentionPolicy.FromRetention(3)));
            Assert.Equal(Rows(expected), Rows(shown));
            ErrorRecord error = Assert.Single(shell.Streams.Error);
            Assert.Equal("SnapshotRetentionPlanNotOwned", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Same(foreign, error.TargetObject);
        }

        [Fact]
        public void The_simulation_writes_one_object_per_image_as_the_simulator_replays_the_job()
        {
            using PowerShell shell = InProcess.Shell();
            shell.AddCommand("Get-SnapshotRetentionPlan").AddParameter("Simulate").AddParameter("Start", "2026-01-01T00:05:00Z")
                .AddParameter("Interval", "1.00:00:00").AddParameter("Count", 400).AddParameter("FailureRate", 0.05).AddParameter("Seed", 42)
                .AddParameter("KeepDaily", 7).AddParameter("KeepWeekly", 4).AddParameter("KeepMonthly", 12).AddParameter("TimeZone", "UTC");

            List<SimulatedSnapshot> shown = InProcess.Invoke<SimulatedSnapshot>(shell);
            var series = new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 400) { FailureRate = 0.05, Seed = 42 };
            SimulationResult simulation = RetentionSimulator.Simulate(series, Rules(new BucketRules { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12 }));

            Assert.Equal(400, shown.Count);
            Assert.Equal(simulation.Images.Reverse().Select(i => i.Snapshot.Id), shown.Select(s => s.Id));   // newest first, like a plan
            Assert.Equal(Enumerable.Range(1, 400).Reverse(), shown.Select(s => s.Run));
            foreach ((SimulatedSnapshot seen, SimulatedImage image) in shown.Zip(simulation.Images.Reverse()))
            {
                Assert.Equal(image.DeletedInRun + 1, seen.DeletedInRun);
                Assert.Equal(image.Snapshot.State, seen.State);
                if (image.DeletedInRun is int run)
                {
                    Assert.Equal(RotationAction.Delete, seen.Action);
                    Assert.Equal(image.DeleteReasons, seen.Reasons);
                    Assert.Equal(simulation.Runs[run].Time, seen.DeletedAt);
                }
                else
                {
                    Assert.Equal(RotationAction.Keep, seen.Action);
                    Assert.Equal(simulation.FinalPlan.For(image.Snapshot.Id).Reasons, seen.Reasons);
                    Assert.Null(seen.DeletedAt);
                }
            }
            Assert.Equal(simulation.Survivors.Select(s => s.Id), shown.Where(s => s.Action == RotationAction.Keep).Select(s => s.Id));
            Assert.Contains(shown, s => s.State == SnapshotState.Failed && s.Action == RotationAction.Delete);
        }

        [Fact]
        public void The_simulation_timeline_is_a_title_and_the_rendered_simulation()
        {
            using PowerShell shell = InProcess.Shell();
            shell.AddCommand("Get-SnapshotRetentionPlan").AddParameter("Simulate").AddParameter("Start", Jan1).AddParameter("Count", 60)
                .AddParameter("Retention", 6).AddParameter("AsTimeline");

            List<string> lines = InProcess.Invoke<string>(shell);
            var series = new SnapshotSeries(Jan1, TimeSpan.FromDays(1), 60);
            SimulationResult simulation = RetentionSimulator.Simulate(series, RetentionPolicy.FromRetention(6));

            Assert.Equal("Simulation: 60 runs every 1.00:00:00 from 2026-01-01 00:05:00Z, 0 failed; after the last run 7 images kept, 53 deleted (policy: retention 6 (keeps 7))",
                lines[0]);
            Assert.Equal(RetentionTimeline.Render(simulation, TimeZoneInfo.Utc), lines.Skip(1));
            // Day 60 is March 1: the newest 7 are Feb 23 .. Mar 1.
            Assert.Contains("2026-02  " + new string('-', 22) + new string('#', 6) + "   " + "  6 of 28 kept", lines);
            Assert.Contains("2026-03  #" + new string('.', 30) + "  1 of 1 kept", lines);
        }

        [Fact]
        public void A_wall_clock_simulation_runs_at_the_same_local_time_across_DST()
        {
            using PowerShell shell = InProcess.Shell();
            shell.AddCommand("Get-SnapshotRetentionPlan").AddParameter("Simulate").AddParameter("Start", "2026-03-27T00:05:00+01:00")
                .AddParameter("Count", 4).AddParameter("WallClockTimeZone", "Europe/Berlin").AddParameter("KeepLast", 10).AddParameter("Schedule", "nightly");

            List<SimulatedSnapshot> shown = InProcess.Invoke<SimulatedSnapshot>(shell);

            // Berlin moves to summer time on 2026-03-29: 00:05 local is 23:05 UTC before it and 22:05 UTC after.
            Assert.Equal(new[] { "2026-03-29T22:05", "2026-03-28T23:05", "2026-03-27T23:05", "2026-03-26T23:05" }, shown.Select(s => IdOf(s.Created)));
            Assert.All(shown, s => Assert.StartsWith("nightly-", s.Name));
        }

        [Theory]
        [InlineData("RetentionPolicyConflict", "Retention", 3, "KeepDaily", 7)]
        [InlineData("RetentionPolicyMissing")]
        [InlineData("RetentionPolicyKeepsNothing", "KeepDaily", 0)]
        [InlineData("SnapshotRetentionPlanScaleWithoutTimeline", "Retention", 3, "Scale", "Week")]
        [InlineData("SnapshotRetentionPlanInvalidArgument", "Retention", 3, "Interval", "12:00:00", "WallClockTimeZone", "UTC")]
        [InlineData("SnapshotRetentionPlanInvalidArgument", "Retention", 3, "Interval", "00:00:00")]
        [InlineData("SnapshotRetentionPlanInvalidArgument", "Retention", 3, "Schedule", "not a schedule")]
        [InlineData("SnapshotRetentionPlanInvalidArgument", "Retention", 3, "Interval", "100000.00:00:00")]   // the last run would be past year 9999
        [InlineData("TimeZoneNotFound", "Retention", 3, "WallClockTimeZone", "Mars/Olympus_Mons")]
        public void Invalid_combinations_end_the_command_with_a_stable_error_id(string errorId, params object[] parameters)
        {
            using PowerShell shell = InProcess.Shell();
            shell.AddCommand("Get-SnapshotRetentionPlan").AddParameter("Simulate").AddParameter("Start", Jan1).AddParameter("Count", 100);
            for (int i = 0; i < parameters.Length; i += 2) shell.AddParameter((string)parameters[i], parameters[i + 1]);

            Assert.Equal(errorId, InProcess.TerminatingErrorId(shell));
            Assert.Empty(shell.Streams.Error);
        }

        [Fact]
        public void The_server_set_without_a_session_ends_the_command()
        {
            using PowerShell shell = InProcess.Shell();
            shell.AddCommand("Get-SnapshotRetentionPlan").AddParameter("Server", "web01").AddParameter("Retention", 3);

            Assert.Equal("RackspaceSessionNotFound", InProcess.TerminatingErrorId(shell));
        }

        [Fact]
        public void Timelines_of_retention_policies_use_the_zone_asked_for_else_the_wall_clock_else_UTC()
        {
            TimeZoneInfo berlin = Berlin;
            RetentionPolicy retention = RetentionPolicy.FromRetention(3);
            RetentionPolicy daily = Rules(new BucketRules { KeepDaily = 3 }, NewYork);

            Assert.Same(berlin, RetentionPlanView.TimelineZone(retention, berlin, NewYork));
            Assert.Same(NewYork, RetentionPlanView.TimelineZone(retention, null, NewYork));
            Assert.Same(TimeZoneInfo.Utc, RetentionPlanView.TimelineZone(retention, null, null));
            Assert.Same(NewYork, RetentionPlanView.TimelineZone(daily, berlin, berlin));
        }
    }
}
