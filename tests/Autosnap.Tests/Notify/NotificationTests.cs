using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Policy;
using Autosnap.Rotation;
using Autosnap.Tests.EndToEnd;
using Autosnap.Tests.Policy;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Autosnap.Tests.Notify
{
    /// <summary>
    /// The night's summary and its webhook: a failing night on LocalCloud reported to a listener on loopback, a dead
    /// webhook that costs exactly its timeout on the wait clock, the retry rules of the cloud calls, and the URL's
    /// secret parts kept out of every message and log line.
    /// </summary>
    public class NotificationTests
    {
        private static readonly Lazy<SchemaValidator> Schema =
            new Lazy<SchemaValidator>(() => SchemaValidator.Load(PolicyTestSupport.RepositoryFile("module/notification.schema.json")));

        private static readonly DateTimeOffset Started = new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.Zero);

        /// <summary>The cloud calls' retry policy with short pauses, and a log that keeps every line.</summary>
        private static WebhookNotifier Notifier(IWaitClock? clock = null)
        {
            CloudHttpOptions options = CloudHarness.FastRetries();
            options.Clock = clock ?? TestClock.RealTime();
            return new WebhookNotifier(options);
        }

        private static RunReport FailedNight(string reason) =>
            new RunReport(new[] { FailedJob(reason) }, 2, Started, Started.AddMinutes(5), "cron1");

        private static SnapshotJobResult FailedJob(string reason)
        {
            var job = new SnapshotJobResult(JobTarget.Server, "web1", "6a4b1cde-0000-4000-8000-000000000001", "DFW", "daily");
            job.Fail(reason);
            return job;
        }

        [Fact]
        public async Task A_failing_night_with_a_stuck_image_reaches_the_webhook_with_the_reason_and_the_command_that_removes_it()
        {
            await using CloudHarness cloud = await CloudHarness.StartAsync();
            RackspaceServer server = await cloud.ServerAsync("web01");
            // Stuck in saving for three days on the cloud's clock (a compute host that died mid-upload), then a good night.
            IReadOnlyList<string> stuck = await cloud.SeedImagesAsync(server, 1, "saving", cloud.Server.Clock.UtcNow, TimeSpan.FromHours(1),
                CloudHarness.Ownership(server, "daily"), "web01-daily-stuck-");
            await cloud.AdvanceClockAsync(TimeSpan.FromDays(3));
            await cloud.SeedImagesAsync(server, 1, "active", cloud.Server.Clock.UtcNow.AddHours(-1), TimeSpan.FromHours(1),
                CloudHarness.Ownership(server, "daily"), "web01-daily-good-");
            // Tonight the hypervisor fails the snapshot.
            await cloud.ConfigureAsync("{\"snapshotFailRate\":1}");

            SnapshotJobResult job = await new SnapshotJob(cloud.Session, cloud.Host).RunAsync(server, cloud.Job("daily", RetentionPolicy.FromRetention(3)), CancellationToken.None);
            var report = new RunReport(new[] { job }, 2, Started, Started.AddMinutes(1), "cron1");
            await using var hook = new WebhookListener(_ => (204, null));
            NotificationResult sent = await Notifier().SendAsync(new NotifySettings(hook.Url("/hooks/night")), report, cloud.Host, CancellationToken.None);

            Assert.Equal(JobStatus.Failed, job.Status);
            Assert.Equal(NotificationOutcome.Sent, sent.Outcome);
            ReceivedRequest request = Assert.Single(hook.Requests);
            Assert.Equal("POST", request.Method);
            Assert.Equal("/hooks/night", request.Target);
            Assert.StartsWith("application/json", request.Headers["Content-Type"]);
            JObject body = JObject.Parse(request.Body);
            Assert.Empty(Schema.Value.Validate(body));
            Assert.Equal("failed", (string)body["status"]!);
            Assert.Equal(2, (int)body["exitCode"]!);
            Assert.Equal(job.Message, (string)body["jobs"]![0]!["message"]!);
            Assert.Contains("failed", job.Message);
            JToken reported = Assert.Single((JArray)body["stuck"]!);
            Assert.Equal(stuck[0], (string)reported["imageId"]!);
            Assert.Equal("saving", ((string)reported["status"]!).ToLowerInvariant());
            Assert.InRange((long)reported["pendingSeconds"]!, (long)TimeSpan.FromDays(3).TotalSeconds - 5, (long)TimeSpan.FromDays(3).TotalSeconds + 60);
            Assert.Equal($"Remove-AutoSnapshot -Id {stuck[0]} -Region {cloud.Region} -Force", (string)reported["remove"]!);
            // The job warned about it too, and rotation never deletes it.
            Assert.Contains(cloud.Host.Warnings, w => w.Contains(stuck[0]) && w.Contains("stuck"));
            Assert.Contains(await cloud.PoolAsync(server, "daily"), image => image.Id == stuck[0]);
        }

        [Fact]
        public async Task The_stuck_image_turns_the_freshness_check_to_warning_with_the_command_that_removes_it()
        {
            await using CloudHarness cloud = await CloudHarness.StartAsync();
            RackspaceServer server = await cloud.ServerAsync("web01");
            IReadOnlyList<string> stuck = await cloud.SeedImagesAsync(server, 1, "saving", cloud.Server.Clock.UtcNow, TimeSpan.FromHours(1),
                CloudHarness.Ownership(server, "daily"), "web01-daily-stuck-");
            await cloud.SeedImagesAsync(server, 1, "active", cloud.Server.Clock.UtcNow, TimeSpan.FromHours(1), CloudHarness.Ownership(server, "daily"), "web01-daily-good-");
            var service = new FreshnessService(cloud.Session, cloud.Host);

            AutoSnapshotFreshness early = Assert.Single(await service.CheckServerAsync(server, new[] { "daily" }, FreshnessThresholds.Default, CancellationToken.None));
            await cloud.AdvanceClockAsync(TimeSpan.FromDays(3));
            await cloud.SeedImagesAsync(server, 1, "active", cloud.Server.Clock.UtcNow.AddHours(-1), TimeSpan.FromHours(1), CloudHarness.Ownership(server, "daily"), "web01-daily-new-");
            AutoSnapshotFreshness late = Assert.Single(await service.CheckServerAsync(server, new[] { "daily" }, FreshnessThresholds.Default, CancellationToken.None));
            var loose = new FreshnessThresholds(FreshnessThresholds.DefaultWarning, FreshnessThresholds.DefaultCritical, stuckAfter: TimeSpan.FromDays(4));
            AutoSnapshotFreshness patient = Assert.Single(await service.CheckServerAsync(server, new[] { "daily" }, loose, CancellationToken.None));
            NagiosReport nagios = NagiosReport.From(new[] { late });

            Assert.Equal(FreshnessStatus.Ok, early.Status);
            Assert.Empty(early.Stuck);
            Assert.Equal(FreshnessStatus.Warning, late.Status);
            Assert.Equal(stuck[0], Assert.Single(late.Stuck).Snapshot.Id);
            Assert.Contains($"1 stuck: ", late.Message);
            Assert.Contains($"remove with: Remove-AutoSnapshot -Id {stuck[0]} -Region {cloud.Region} -Force", late.Message);
            Assert.Equal(FreshnessStatus.Ok, patient.Status);
            Assert.Equal(FreshnessStatus.Warning, nagios.Status);
            Assert.StartsWith("AUTOSNAP WARNING - 1 of 1 pool with a stuck restore point: web01/daily newest good 1h", nagios.Line);
            Assert.EndsWith($"(1 stuck: web01-daily-stuck-001 ({stuck[0]}) saving for 3d00h (limit 2h), remove with: Remove-AutoSnapshot -Id {stuck[0]} -Region DFW -Force)" +
                            " | pools=1 ok=0 warning=1 critical=0 unknown=0", nagios.Line);
        }

        [Fact]
        public async Task The_command_the_report_gives_removes_the_stuck_image()
        {
            await using CloudHarness cloud = await CloudHarness.StartAsync();
            RackspaceServer server = await cloud.ServerAsync("web01");
            IReadOnlyList<string> ids = await cloud.SeedImagesAsync(server, 1, "saving", cloud.Server.Clock.UtcNow.AddDays(-3), TimeSpan.FromHours(1),
                CloudHarness.Ownership(server, "daily"), "web01-daily-stuck-");
            AutoSnapshot image = (await cloud.PoolAsync(server, "daily")).Single();

            // What Remove-AutoSnapshot -Id ... -Force does once it has found the image: the restore point's delete.
            var (deleted, _) = await new RestorePointParts(cloud.Session, cloud.Region, cloud.Host).DeleteAsync(image, CancellationToken.None);

            Assert.Equal(ids[0], image.Id);
            Assert.Equal(SnapshotState.Pending, image.State);
            Assert.True(deleted);
            Assert.Empty(await cloud.PoolAsync(server, "daily"));
        }

        [Fact]
        public async Task A_dead_webhook_costs_the_run_its_timeout_and_no_more()
        {
            await using var hook = new WebhookListener(_ => null);
            var clock = TestClock.Virtual();
            // The deadline's pause starts at once; it ends only once the webhook holds the request unanswered.
            clock.OnDelay = async delay => { await hook.Received; };
            var settings = new NotifySettings(hook.Url("/hooks/T0K3N"), NotifyWhen.Always, NotifyFormat.Text, TimeSpan.FromMinutes(10));

            NotificationResult result = await Notifier(clock).SendAsync(settings, FailedNight("boom"), new EndToEnd.RecordingHost(), CancellationToken.None);

            Assert.Equal(NotificationOutcome.TimedOut, result.Outcome);
            // Ten minutes on the wait clock, not ten minutes of the test: the whole send waited exactly its timeout.
            Assert.Equal(new[] { TimeSpan.FromMinutes(10) }, clock.Delays.ToArray());
            Assert.Equal(TimeSpan.FromMinutes(10), clock.Elapsed);
            Assert.Single(hook.Requests);
            Assert.Equal("The notification to http://127.0.0.1:" + hook.Port + "/... (redacted) was not sent: no answer within its timeout of 10m.", result.Message);
        }

        [Fact]
        public async Task The_webhook_post_is_retried_as_cloud_calls_that_must_not_run_twice_are()
        {
            // A 429 proves nothing arrived: retried (after its Retry-After). A 500 may come after the message was posted: not retried.
            await using var limited = new WebhookListener(n => n == 1 ? (429, "0") : (200, null));
            await using var broken = new WebhookListener(_ => (500, null));

            NotificationResult retried = await Notifier().SendAsync(new NotifySettings(limited.Url("/a")), FailedNight("boom"), new EndToEnd.RecordingHost(), CancellationToken.None);
            NotificationResult refused = await Notifier().SendAsync(new NotifySettings(broken.Url("/b")), FailedNight("boom"), new EndToEnd.RecordingHost(), CancellationToken.None);

            Assert.Equal(NotificationOutcome.Sent, retried.Outcome);
            Assert.Equal(2, limited.Requests.Count);
            Assert.Equal(NotificationOutcome.Failed, refused.Outcome);
            Assert.Single(broken.Requests);
            Assert.Contains("answered 500", refused.Message);
        }

        [Fact]
        public async Task The_secret_parts_of_the_url_appear_in_no_message_or_log_line()
        {
            await using var hook = new WebhookListener(n => n == 1 ? (429, "0") : (500, null));
            var log = new EndToEnd.RecordingHost();
            string url = hook.Url("/services/T0K3NPATH/B0T?sig=S1GN4TURE&x=1", "hookuser:pa55w0rd");

            NotificationResult result = await Notifier().SendAsync(new NotifySettings(url, NotifyWhen.Always), FailedNight("boom"), log, CancellationToken.None);

            Assert.Equal(NotificationOutcome.Failed, result.Outcome);
            string everything = result.Message + "\n" + result.Target + "\n" + string.Join("\n", log.Messages) + "\n" + string.Join("\n", log.Warnings);
            Assert.Contains("retry", everything, StringComparison.OrdinalIgnoreCase);
            foreach (string secret in new[] { "T0K3NPATH", "B0T", "S1GN4TURE", "hookuser", "pa55w0rd", "/services" })
            {
                Assert.DoesNotContain(secret, everything);
            }
            Assert.Contains("http://127.0.0.1:" + hook.Port + "/... (redacted)", result.Message);
            // The user information is sent, as HTTP basic authentication, and only there.
            ReceivedRequest request = hook.Requests.First();
            Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("hookuser:pa55w0rd")), request.Headers["Authorization"]);
            Assert.Equal("/services/T0K3NPATH/B0T?sig=S1GN4TURE&x=1", request.Target);
        }

        [Fact]
        public async Task The_text_format_is_the_message_chat_webhooks_accept_and_a_good_night_sends_nothing_on_failure()
        {
            await using var hook = new WebhookListener(_ => (200, null));
            var good = new RunReport(Array.Empty<SnapshotJobResult>(), 0, Started, Started.AddMinutes(1), "cron1");

            NotificationResult quiet = await Notifier().SendAsync(new NotifySettings(hook.Url("/x"), NotifyWhen.Failure, NotifyFormat.Text), good, new EndToEnd.RecordingHost(), CancellationToken.None);
            NotificationResult sent = await Notifier().SendAsync(new NotifySettings(hook.Url("/x"), NotifyWhen.Failure, NotifyFormat.Text), FailedNight("the new snapshot failed (ERROR)"),
                new EndToEnd.RecordingHost(), CancellationToken.None);

            Assert.Equal(NotificationOutcome.NotNeeded, quiet.Outcome);
            Assert.Equal(NotificationOutcome.Sent, sent.Outcome);
            JObject body = JObject.Parse(Assert.Single(hook.Requests).Body);
            Assert.Equal(new[] { "text" }, body.Properties().Select(p => p.Name));
            string[] lines = ((string)body["text"]!).Split('\n');
            Assert.Equal("Autosnap on cron1: 1 of 1 job(s) failed (exit 2)", lines[0]);
            Assert.Equal("FAILED web1/daily (DFW): the new snapshot failed (ERROR)", lines[1]);
        }

        [Fact]
        public void The_json_summary_of_a_run_that_stopped_early_matches_the_schema()
        {
            var report = new RunReport(Array.Empty<SnapshotJobResult>(), 3, Started, Started, "cron1", "cannot connect: authentication failed");

            JObject body = JObject.Parse(report.Payload(NotifyFormat.Json));

            Assert.Empty(Schema.Value.Validate(body));
            Assert.Equal("failed", (string)body["status"]!);
            Assert.Equal("Autosnap on cron1: the run stopped: cannot connect: authentication failed (exit 3)", (string)body["headline"]!);
            Assert.True(report.ShouldSend(NotifyWhen.Failure));
        }

        [Fact]
        public void A_failed_restore_test_is_news_in_both_formats_and_pools_not_due_are_left_out()
        {
            var failed = new RestoreTestResult("DFW", "6a4b1cde-0000-4000-8000-000000000001", "web1", "daily")
            {
                Outcome = RestoreTestOutcome.Failed, ImageId = "img-1", ImageName = "web1-daily-1", Reason = "no answer on port 22 within 5m",
                BootSeconds = 41.27, TestedAt = Started,
            };
            var notDue = new RestoreTestResult("DFW", "6a4b1cde-0000-4000-8000-000000000002", "web2", "daily") { Outcome = RestoreTestOutcome.NotDue };
            var report = new RunReport(Array.Empty<SnapshotJobResult>(), 2, Started, Started, "cron1", null, new[] { failed, notDue });

            JObject body = JObject.Parse(report.Payload(NotifyFormat.Json));
            string text = (string)JObject.Parse(report.Payload(NotifyFormat.Text))["text"]!;

            Assert.Empty(Schema.Value.Validate(body));
            Assert.True(report.ShouldSend(NotifyWhen.Failure));
            Assert.Equal("failed", (string)body["status"]!);
            JToken test = Assert.Single((JArray)body["restoreTests"]!);
            Assert.Equal(("web1/daily", "Failed", "no answer on port 22 within 5m", 41.3), ((string)test["pool"]!, (string)test["outcome"]!, (string)test["reason"]!, (double)test["bootSeconds"]!));
            Assert.Equal(1, (int)body["counts"]!["restoreTestsFailed"]!);
            Assert.Contains("RESTORE TEST FAILED web1/daily (DFW) web1-daily-1 (img-1): no answer on port 22 within 5m", text);
            Assert.StartsWith("Autosnap on cron1: 0 job(s): 0 succeeded, 0 skipped; 1 of 1 restore test(s) failed (exit 2)", text);
        }

        [Fact]
        public void A_policy_file_notify_section_and_stuck_after_are_read_and_checked()
        {
            PolicyDocument document = PolicyFile.Parse(
                "{ \"notify\": { \"url\": \"https://hooks.example.com/T/B/X\", \"when\": \"always\", \"format\": \"text\", \"timeout\": \"45s\" }," +
                "  \"policies\": [ { \"schedule\": \"daily\", \"targets\": { \"all\": true }, \"retention\": 7, \"timeout\": \"2h\", \"stuckAfter\": \"1d\" } ] }", "p.json");
            PolicyDocument defaults = PolicyFile.Parse("{ \"notify\": {}, \"policies\": [ { \"schedule\": \"daily\", \"targets\": { \"all\": true }, \"retention\": 7, \"timeout\": \"2h\" } ] }", "p.json");
            var refused = Assert.Throws<PolicyException>(() => PolicyFile.Parse(
                "{ \"notify\": { \"url\": \"ftp://hooks.example.com/S3CR3T\" }, \"policies\": [ { \"schedule\": \"daily\", \"targets\": { \"all\": true }, \"retention\": 7 } ] }", "p.json"));
            var when = Assert.Throws<PolicyException>(() => PolicyFile.Parse(
                "{ \"notify\": { \"when\": \"Always\" }, \"policies\": [ { \"schedule\": \"daily\", \"targets\": { \"all\": true }, \"retention\": 7 } ] }", "p.json"));

            NotifySettings notify = document.Notify!;
            Assert.Equal("https://hooks.example.com/... (redacted)", notify.RedactedUrl);
            Assert.Equal((NotifyWhen.Always, NotifyFormat.Text, TimeSpan.FromSeconds(45)), (notify.When, notify.Format, notify.Timeout));
            Assert.Equal(TimeSpan.FromDays(1), PolicyRunPlanner.OptionsFor(document.Policies[0]).StuckLimit);
            Assert.Null(defaults.Notify!.Url);
            Assert.Equal((NotifyWhen.Failure, NotifyFormat.Json, NotifySettings.DefaultTimeout), (defaults.Notify.When, defaults.Notify.Format, defaults.Notify.Timeout));
            Assert.Equal(TimeSpan.FromHours(4), PolicyRunPlanner.OptionsFor(defaults.Policies[0]).StuckLimit);
            Assert.Equal(PolicyException.ValueInvalid, refused.ErrorId);
            Assert.DoesNotContain("S3CR3T", refused.Message);
            Assert.Contains("'Always' is written 'always'", when.Message);
        }
    }
}
