using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Cmdlets;
using Autosnap.Engine;
using CloudSettings = Autosnap.LocalCloud.State.CloudSettings;
using Autosnap.Model;
using Autosnap.Rotation;
using Xunit;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>
    /// Hooks around a snapshot against LocalCloud's phased snapshots (captureSeconds, pendingUploadSeconds,
    /// uploadSeconds on its virtual clock). The engine's wait clock is virtual too, and each pause moves the cloud's
    /// clock by the same length, so the write pause is measured exactly, with no real time spent.
    /// </summary>
    public class HookTests
    {
        /// <summary>Hooks that record what they were told, on the wait clock; the before-snapshot one may fail.</summary>
        private sealed class RecordingHooks : ISnapshotHooks
        {
            private readonly IWaitClock _clock;

            public RecordingHooks(IWaitClock clock) => _clock = clock;

            public ConcurrentQueue<(string Hook, TimeSpan At, HookContext Context)> Calls { get; } = new ConcurrentQueue<(string, TimeSpan, HookContext)>();
            public string? BeforeFails { get; set; }
            public string? AfterFails { get; set; }
            public bool HasBefore { get; set; } = true;
            public bool HasAfter => true;

            public Task BeforeAsync(HookContext context, CancellationToken cancellationToken)
            {
                Calls.Enqueue(("before", _clock.Elapsed, context));
                if (BeforeFails != null) throw new HookFailedException(BeforeFails);
                return Task.CompletedTask;
            }

            public Task AfterAsync(HookContext context, CancellationToken cancellationToken)
            {
                Calls.Enqueue(($"after {context.OutcomeText}", _clock.Elapsed, context));
                if (AfterFails != null) throw new HookFailedException(AfterFails);
                return Task.CompletedTask;
            }

            public string[] Names => Calls.Select(c => c.Hook).ToArray();
        }

        private static async Task<(CloudHarness Cloud, TestClock Clock)> StartAsync(CloudSettings settings)
        {
            TestClock clock = TestClock.Virtual();
            var http = CloudHarness.FastRetries();
            http.Clock = clock;
            CloudHarness cloud = await CloudHarness.StartAsync(settings, http);
            // The cloud's clock follows the wait clock: each pause of the engine is the same time passing in the cloud.
            clock.OnDelay = delay => cloud.AdvanceClockAsync(delay);
            return (cloud, clock);
        }

        private static WaitOptions Wait(TimeSpan timeout) => new WaitOptions
        {
            Timeout = timeout,
            FirstPollInterval = TimeSpan.FromSeconds(10),
            MaxPollInterval = TimeSpan.FromSeconds(60),
            CapturePollInterval = TimeSpan.FromSeconds(1),
        };

        private static JobOptions Job(RecordingHooks hooks, HookFailureAction onFailure = HookFailureAction.Skip, TimeSpan? timeout = null, double pollSeconds = 1) =>
            new JobOptions("daily", RetentionPolicy.FromRetention(3))
            {
                Wait = new WaitOptions
                {
                    Timeout = timeout ?? TimeSpan.FromHours(1), FirstPollInterval = TimeSpan.FromSeconds(10), MaxPollInterval = TimeSpan.FromSeconds(60),
                    CapturePollInterval = TimeSpan.FromSeconds(pollSeconds),
                },
                Hooks = new HookOptions(hooks) { OnHookFailure = onFailure, Timeout = TimeSpan.FromMinutes(1) },
            };

        private static CloudSettings Phased(double capture, double pendingUpload, double upload) => new CloudSettings
        {
            SnapshotSeconds = 0, TaskStateLagSeconds = 0, CaptureSeconds = capture, PendingUploadSeconds = pendingUpload, UploadSeconds = upload,
        };

        [Fact]
        public async Task The_after_hook_runs_once_the_disk_is_captured_and_the_write_pause_is_the_capture_phase_not_the_upload()
        {
            var (cloud, clock) = await StartAsync(Phased(capture: 30, pendingUpload: 20, upload: 600));
            await using (cloud)
            {
                RackspaceServer web = await cloud.ServerAsync("web01");
                var hooks = new RecordingHooks(clock);

                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(web, Job(hooks), CancellationToken.None);

                Assert.Equal(JobStatus.Succeeded, result.Status);
                Assert.Equal(new[] { "before", "after captured" }, hooks.Names);
                // Looks every second: the pause ends at the first look after the 30 s of image_snapshot.
                Assert.Equal(TimeSpan.FromSeconds(30), result.WritePause);
                var calls = hooks.Calls.ToArray();
                Assert.Equal(TimeSpan.FromSeconds(30), calls[1].At - calls[0].At);
                Assert.Equal(result.Snapshot!.Id, calls[1].Context.ImageId);
                // The job itself waited for the upload: 650 s of cloud time in all.
                Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(650), clock.Elapsed.ToString());
                Assert.Equal(SnapshotConsistency.Application, result.Consistency);
                AutoSnapshot image = (await cloud.PoolAsync(web, "daily")).Single();
                Assert.Equal("application", image.Properties[AutosnapMetadata.Consistency]);
                Assert.Equal(SnapshotConsistency.Application, image.Consistency);
                Assert.Contains(cloud.Host.Messages, m => m.StartsWith("Writes of web01 were paused for 00:30.000", StringComparison.Ordinal));
            }
        }

        [Fact]
        public async Task Without_hooks_a_snapshot_is_recorded_crash_consistent_and_nothing_waits_for_the_capture()
        {
            var (cloud, clock) = await StartAsync(Phased(capture: 30, pendingUpload: 0, upload: 30));
            await using (cloud)
            {
                RackspaceServer web = await cloud.ServerAsync("web01");
                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(web,
                    new JobOptions("daily", RetentionPolicy.FromRetention(3)) { Wait = Wait(TimeSpan.FromHours(1)) }, CancellationToken.None);

                Assert.Equal(JobStatus.Succeeded, result.Status);
                Assert.Null(result.WritePause);
                Assert.Equal(SnapshotConsistency.Crash, result.Consistency);
                Assert.Equal("crash", (await cloud.PoolAsync(web, "daily")).Single().Properties[AutosnapMetadata.Consistency]);
            }
        }

        [Fact]
        public async Task A_volume_backed_restore_point_is_captured_when_its_cinder_snapshots_leave_creating()
        {
            var settings = Phased(capture: 0, pendingUpload: 0, upload: 0) with { VolumeSnapshotSeconds = 45 };
            var (cloud, clock) = await StartAsync(settings);
            await using (cloud)
            {
                RackspaceServer bfv = await cloud.ServerAsync("bfv01");
                var hooks = new RecordingHooks(clock);

                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(bfv, Job(hooks), CancellationToken.None);

                Assert.Equal(JobStatus.Succeeded, result.Status);
                Assert.Equal(new[] { "before", "after captured" }, hooks.Names);
                Assert.Equal(TimeSpan.FromSeconds(45), result.WritePause);
                Assert.All(hooks.Calls.Last().Context.Snapshot!.VolumeSnapshots!, v => Assert.Equal("available", v.Status));
            }
        }

        [Fact]
        public async Task The_after_hook_runs_when_the_cloud_refuses_the_snapshot()
        {
            var (cloud, clock) = await StartAsync(Phased(capture: 30, pendingUpload: 0, upload: 30));
            await using (cloud)
            {
                RackspaceServer web = await cloud.ServerAsync("web01");
                await cloud.AdminAsync(new HttpMethod("PATCH"), $"servers/{web.Id}", "{\"taskState\":\"image_uploading\"}");
                var hooks = new RecordingHooks(clock);

                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(web, Job(hooks), CancellationToken.None);

                Assert.Equal(JobStatus.Failed, result.Status);
                Assert.Contains("already running", result.Message);
                Assert.Equal(new[] { "before", "after failed" }, hooks.Names);
                Assert.Null(hooks.Calls.Last().Context.ImageId);
                Assert.Empty(await cloud.PoolAsync(web, "daily"));
            }
        }

        [Fact]
        public async Task The_after_hook_runs_when_the_snapshot_fails_during_the_capture()
        {
            var settings = Phased(capture: 30, pendingUpload: 0, upload: 0) with { SnapshotFailRate = 1 };
            var (cloud, clock) = await StartAsync(settings);
            await using (cloud)
            {
                RackspaceServer web = await cloud.ServerAsync("web01");
                var hooks = new RecordingHooks(clock);

                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(web, Job(hooks), CancellationToken.None);

                Assert.Equal(JobStatus.Failed, result.Status);
                Assert.Equal(new[] { "before", "after failed" }, hooks.Names);
                Assert.Equal(TimeSpan.FromSeconds(30), result.WritePause);
            }
        }

        [Fact]
        public async Task The_after_hook_runs_when_the_capture_times_out_and_the_job_deletes_nothing()
        {
            var (cloud, clock) = await StartAsync(Phased(capture: 3600, pendingUpload: 0, upload: 0));
            await using (cloud)
            {
                RackspaceServer web = await cloud.ServerAsync("web01");
                var hooks = new RecordingHooks(clock);

                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host)
                    .RunAsync(web, Job(hooks, timeout: TimeSpan.FromMinutes(2), pollSeconds: 15), CancellationToken.None);

                Assert.Equal(JobStatus.Failed, result.Status);
                Assert.Contains("was not captured", result.Message);
                Assert.Equal(new[] { "before", "after timedout" }, hooks.Names);
                Assert.Equal(TimeSpan.FromMinutes(2), result.WritePause);
                Assert.Equal(0, result.Deleted);
            }
        }

        [Fact]
        public async Task The_after_hook_runs_when_the_run_is_stopped_during_the_capture()
        {
            var (cloud, clock) = await StartAsync(Phased(capture: 600, pendingUpload: 0, upload: 0));
            await using (cloud)
            {
                RackspaceServer web = await cloud.ServerAsync("web01");
                var hooks = new RecordingHooks(clock);
                using var stop = new CancellationTokenSource();
                clock.OnDelay = async delay =>
                {
                    await cloud.AdvanceClockAsync(delay);
                    if (clock.Elapsed >= TimeSpan.FromSeconds(5)) stop.Cancel();   // Ctrl+C five seconds into the capture
                };

                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SnapshotJob(cloud.Session, cloud.Host).RunAsync(web, Job(hooks), stop.Token));

                Assert.Equal(new[] { "before", "after cancelled" }, hooks.Names);
                Assert.NotNull(hooks.Calls.Last().Context.ImageId);
            }
        }

        [Fact]
        public async Task A_failed_before_hook_with_onHookFailure_skip_takes_no_snapshot_fails_the_job_and_still_runs_the_after_hook()
        {
            var (cloud, clock) = await StartAsync(Phased(capture: 5, pendingUpload: 0, upload: 5));
            await using (cloud)
            {
                RackspaceServer web = await cloud.ServerAsync("web01");
                var hooks = new RecordingHooks(clock) { BeforeFails = "mysql is not running" };

                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(web, Job(hooks), CancellationToken.None);

                Assert.Equal(JobStatus.Failed, result.Status);
                Assert.Equal("the before-snapshot hook failed (mysql is not running); no snapshot was taken (onHookFailure: Skip); nothing was deleted", result.Message);
                Assert.Equal(new[] { "before", "after skipped" }, hooks.Names);
                Assert.Null(result.Consistency);
                Assert.Empty(await cloud.PoolAsync(web, "daily"));
            }
        }

        [Fact]
        public async Task A_failed_before_hook_with_onHookFailure_snapshot_makes_a_crash_consistent_restore_point_reported_as_such()
        {
            var (cloud, clock) = await StartAsync(Phased(capture: 5, pendingUpload: 0, upload: 5));
            await using (cloud)
            {
                RackspaceServer web = await cloud.ServerAsync("web01");
                var hooks = new RecordingHooks(clock) { BeforeFails = "mysql is not running" };

                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host)
                    .RunAsync(web, Job(hooks, HookFailureAction.Snapshot), CancellationToken.None);

                Assert.Equal(JobStatus.Succeeded, result.Status);
                Assert.Equal(SnapshotConsistency.Crash, result.Consistency);
                Assert.Equal("mysql is not running", result.BeforeHookError);
                Assert.Equal(new[] { "before", "after captured" }, hooks.Names);
                Assert.Equal("crash", (await cloud.PoolAsync(web, "daily")).Single().Properties[AutosnapMetadata.Consistency]);
                Assert.Contains(cloud.Host.Warnings, w => w.Contains("taking a crash-consistent snapshot (onHookFailure: Snapshot)"));
            }
        }

        [Fact]
        public async Task Ctrl_C_during_the_capture_still_runs_the_after_snapshot_script_block()
        {
            // Real time here: the command runs in a runspace as PowerShell runs it, and is stopped as Ctrl+C stops it.
            await using var cloud = await CloudHarness.StartAsync(Phased(capture: 3600, pendingUpload: 0, upload: 0));
            InitialSessionState state = InitialSessionState.CreateDefault2();
            state.Commands.Add(new SessionStateCmdletEntry("New-AutoSnapshot", typeof(NewAutoSnapshotCommand), null));
            using PowerShell shell = PowerShell.Create(state);
            var calls = new ConcurrentQueue<string>();
            using var frozen = new ManualResetEventSlim();
            shell.Runspace.SessionStateProxy.SetVariable("calls", calls);
            shell.Runspace.SessionStateProxy.SetVariable("frozen", frozen);
            shell.AddScript("param($Session) New-AutoSnapshot -Server web01 -Schedule daily -Session $Session " +
                            "-BeforeSnapshot { param($server) $calls.Enqueue(\"before $($server.Name)\"); $frozen.Set() } " +
                            "-AfterSnapshot { param($server, $snapshot, $outcome) $calls.Enqueue(\"after $($server.Name) $outcome $($null -ne $snapshot)\") }")
                 .AddArgument(cloud.Session);

            IAsyncResult running = shell.BeginInvoke();
            Assert.True(frozen.Wait(TimeSpan.FromSeconds(60)), "the before-snapshot block never ran");
            await Task.Delay(500);   // into the capture wait: createImage is sent, the server is in image_snapshot
            shell.Stop();

            Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(running));
            // stopped before the image could be read: the block gets the outcome, and no snapshot object
            Assert.Equal(new[] { "before web01", "after web01 cancelled False" }, calls.ToArray());
            Assert.Single(await cloud.PoolAsync(await cloud.ServerAsync("web01"), "daily"));
        }

        [Fact]
        public async Task A_failed_after_hook_fails_the_job_but_keeps_the_good_restore_point()
        {
            var (cloud, clock) = await StartAsync(Phased(capture: 5, pendingUpload: 0, upload: 5));
            await using (cloud)
            {
                RackspaceServer web = await cloud.ServerAsync("web01");
                var hooks = new RecordingHooks(clock) { AfterFails = "fsfreeze: /data: not frozen" };

                SnapshotJobResult result = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(web, Job(hooks), CancellationToken.None);

                Assert.Equal(JobStatus.Failed, result.Status);
                Assert.Equal(1, result.Created);
                Assert.Equal(SnapshotConsistency.Application, result.Consistency);
                Assert.Equal("the after-snapshot hook failed (fsfreeze: /data: not frozen); check that the server's writes were resumed", result.Message);
                Assert.Equal(SnapshotState.Good, (await cloud.PoolAsync(web, "daily")).Single().State);
            }
        }
    }
}
