using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Autosnap.Model;
using Autosnap.Policy;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Autosnap.Engine
{
    /// <summary>
    /// The summary of one run, for the notification and the event log: every job (with the reason of each failure),
    /// the deletions, the leftover volume snapshots handled, the stuck restore points and the restore tests. Two forms: a plain JSON
    /// document (its schema is module/notification.schema.json) and the text of a chat message.
    /// </summary>
    public sealed class RunReport
    {
        /// <summary>The version of the JSON document; it changes only when a field changes meaning or goes.</summary>
        public const int SchemaVersion = 1;

        /// <summary>Lines of each kind the text names before it only counts the rest, so a bad night stays readable in a chat.</summary>
        public const int MaxTextLines = 20;

        public RunReport(IEnumerable<SnapshotJobResult> results, int exitCode, DateTimeOffset started, DateTimeOffset finished, string? host = null,
                         string? error = null, IEnumerable<RestoreTestResult>? restoreTests = null)
        {
            Error = error;
            // Pools that were not due are not news, and a large account has many.
            RestoreTests = (restoreTests ?? Enumerable.Empty<RestoreTestResult>()).Where(t => t.Outcome != RestoreTestOutcome.NotDue).ToList();
            if (results == null) throw new ArgumentNullException(nameof(results));
            Jobs = results.ToList();
            ExitCode = exitCode;
            Started = started;
            Finished = finished;
            Host = host ?? Environment.MachineName;
            Stuck = Jobs.SelectMany(job => job.Stuck).ToList();
        }

        public IReadOnlyList<SnapshotJobResult> Jobs { get; }

        /// <summary>The exit code the run ends with (autosnap.ps1's: 0 done, 1 some failed, 2 all failed, 3 configuration).</summary>
        public int ExitCode { get; }

        public DateTimeOffset Started { get; }

        public DateTimeOffset Finished { get; }

        /// <summary>The machine the run ran on: with one job per account on many schedulers, the first thing to know.</summary>
        public string Host { get; }

        public IReadOnlyList<StuckRestorePoint> Stuck { get; }

        /// <summary>The restore tests the run made (verified, failed, or skipped with the reason); pools not due are left out.</summary>
        public IReadOnlyList<RestoreTestResult> RestoreTests { get; }

        public int RestoreTestsFailed => RestoreTests.Count(t => t.Outcome == RestoreTestOutcome.Failed);

        /// <summary>Why the run stopped before its jobs (it could not connect, the policy was refused); null when the jobs ran.</summary>
        public string? Error { get; }

        public int Failed => Jobs.Count(job => job.Status == JobStatus.Failed);

        public int Succeeded => Jobs.Count(job => job.Status == JobStatus.Succeeded);

        public int Skipped => Jobs.Count(job => job.Status == JobStatus.Skipped);

        public int Created => Jobs.Sum(job => job.Created);

        public int Deleted => Jobs.Sum(job => job.Deleted);

        public int DeleteFailures => Jobs.Sum(job => job.DeleteFailures);

        /// <summary>A night someone should hear of even with when = failure: a failed job or deletion, a stuck restore point, a non-zero exit.</summary>
        public bool HasNews => Failed > 0 || DeleteFailures > 0 || RestoreTestsFailed > 0 || Stuck.Count > 0 || ExitCode != 0;

        /// <summary>"failed" when a job failed or the run's exit code is not 0, "warning" when only stuck restore points are news, else "ok".</summary>
        public string Status => Failed > 0 || DeleteFailures > 0 || RestoreTestsFailed > 0 || ExitCode != 0 ? "failed" : Stuck.Count > 0 ? "warning" : "ok";

        public bool ShouldSend(NotifyWhen when) => when == NotifyWhen.Always || HasNews;

        /// <summary>"Autosnap on cron1: 1 of 3 jobs failed; 1 restore point stuck".</summary>
        public string Headline
        {
            get
            {
                var parts = new List<string>();
                if (Error != null) parts.Add("the run stopped: " + Error);
                else if (Failed > 0) parts.Add($"{Failed} of {Jobs.Count} job(s) failed");
                else parts.Add($"{Jobs.Count} job(s): {Succeeded} succeeded, {Skipped} skipped");
                if (DeleteFailures > 0) parts.Add($"{DeleteFailures} deletion(s) failed");
                if (RestoreTestsFailed > 0) parts.Add($"{RestoreTestsFailed} of {RestoreTests.Count} restore test(s) failed");
                if (Stuck.Count > 0) parts.Add($"{Stuck.Count} restore point(s) stuck");
                return $"Autosnap on {Host}: {string.Join("; ", parts)} (exit {ExitCode.ToString(CultureInfo.InvariantCulture)})";
            }
        }

        /// <summary>What the webhook gets in <paramref name="format"/>.</summary>
        public string Payload(NotifyFormat format) =>
            format == NotifyFormat.Text ? new JObject { ["text"] = ToText() }.ToString(Formatting.None) : ToJson().ToString(Formatting.None);

        /// <summary>The plain JSON document (module/notification.schema.json).</summary>
        public JObject ToJson() => new JObject
        {
            ["schemaVersion"] = SchemaVersion,
            ["source"] = "autosnap",
            ["host"] = Host,
            ["started"] = Stamp(Started),
            ["finished"] = Stamp(Finished),
            ["status"] = Status,
            ["exitCode"] = ExitCode,
            ["headline"] = Headline,
            ["error"] = Error,
            ["counts"] = new JObject
            {
                ["jobs"] = Jobs.Count,
                ["succeeded"] = Succeeded,
                ["failed"] = Failed,
                ["skipped"] = Skipped,
                ["created"] = Created,
                ["deleted"] = Deleted,
                ["deleteFailures"] = DeleteFailures,
                ["leftovers"] = Jobs.Sum(job => job.Leftovers.Count),
                ["stuck"] = Stuck.Count,
                ["restoreTests"] = RestoreTests.Count,
                ["restoreTestsFailed"] = RestoreTestsFailed,
            },
            ["jobs"] = new JArray(Jobs.Select(job => new JObject
            {
                ["server"] = job.ServerName,
                ["serverId"] = job.ServerId,
                ["region"] = job.Region,
                ["schedule"] = job.Schedule,
                ["target"] = job.Target.ToString(),
                ["status"] = job.Status.ToString(),
                ["message"] = job.Message,
                ["snapshot"] = job.Snapshot == null ? null : new JObject
                {
                    ["id"] = job.Snapshot.Id,
                    ["name"] = job.Snapshot.Name,
                    ["status"] = job.Snapshot.StatusText,
                },
                ["created"] = job.Created,
                ["kept"] = job.Kept,
                ["deleted"] = job.Deleted,
                ["seconds"] = Math.Round(job.Duration.TotalSeconds, 1),
            })),
            ["deletions"] = new JArray(Jobs.SelectMany(job => job.Decisions.Where(d => d.Action == RotationAction.Delete).Select(d => new JObject
            {
                ["server"] = job.ServerName,
                ["schedule"] = job.Schedule,
                ["image"] = d.Name,
                ["imageId"] = d.Id,
                ["outcome"] = d.Outcome.ToString(),
                ["reason"] = d.Reason,
                ["error"] = d.Error,
            }))),
            ["leftovers"] = new JArray(Jobs.SelectMany(job => job.Leftovers.Select(l => new JObject
            {
                ["server"] = job.ServerName,
                ["schedule"] = job.Schedule,
                ["volumeSnapshotId"] = l.Snapshot.Id,
                ["volumeId"] = l.Snapshot.VolumeId,
                ["outcome"] = l.Outcome.ToString(),
                ["error"] = l.Error,
            }))),
            ["stuck"] = new JArray(Stuck.Select(s => new JObject
            {
                ["server"] = s.ServerName ?? s.ServerId,
                ["serverId"] = s.ServerId,
                ["region"] = s.Region,
                ["schedule"] = s.Schedule,
                ["image"] = s.Snapshot.Name,
                ["imageId"] = s.Snapshot.Id,
                ["status"] = s.Snapshot.StatusText,
                ["created"] = Stamp(s.Snapshot.Created),
                ["pendingSeconds"] = (long)s.Age.TotalSeconds,
                ["remove"] = s.RemoveCommand,
            })),
            ["restoreTests"] = new JArray(RestoreTests.Select(t => new JObject
            {
                ["pool"] = t.Pool,
                ["serverId"] = t.ServerId,
                ["region"] = t.Region,
                ["schedule"] = t.Schedule,
                ["outcome"] = t.Outcome.ToString(),
                ["image"] = t.ImageName,
                ["imageId"] = t.ImageId,
                ["reason"] = t.Reason,
                ["bootSeconds"] = t.BootSeconds.HasValue ? Math.Round(t.BootSeconds.Value, 1) : (double?)null,
                ["testedAt"] = t.TestedAt.HasValue ? Stamp(t.TestedAt.Value) : null,
            })),
        };

        /// <summary>The message text: the headline, then each failure with its reason, each stuck restore point with its command, and the totals.</summary>
        public string ToText()
        {
            var text = new StringBuilder(Headline).Append('\n');
            AppendLines(text, Jobs.Where(job => job.Status == JobStatus.Failed)
                .Select(job => $"FAILED {job.ServerName}/{job.Schedule} ({job.Region}): {job.Message}"));
            AppendLines(text, Jobs.SelectMany(job => job.Decisions.Where(d => d.Outcome == RotationOutcome.Failed)
                .Select(d => $"delete failed {job.ServerName}/{job.Schedule} {d.Name} ({d.Id}): {d.Error}")));
            AppendLines(text, RestoreTests.Where(t => t.Outcome == RestoreTestOutcome.Failed)
                .Select(t => $"RESTORE TEST FAILED {t.Pool} ({t.Region}) {t.ImageName} ({t.ImageId}): {t.Reason}"));
            AppendLines(text, Stuck.Select(s => $"STUCK {s.ServerName ?? s.ServerId}/{s.Schedule} ({s.Region}): {s.Describe()}; remove with: {s.RemoveCommand}"));
            text.Append($"{Created} snapshot(s) created, {Deleted} deleted; {Succeeded} succeeded, {Skipped} skipped, {Failed} failed; ");
            if (RestoreTests.Count > 0) text.Append($"{RestoreTests.Count} restore test(s), {RestoreTestsFailed} failed; ");
            text.Append($"{Stamp(Started)} to {Stamp(Finished)}");
            return text.ToString();
        }

        private static void AppendLines(StringBuilder text, IEnumerable<string> lines)
        {
            List<string> all = lines.ToList();
            foreach (string line in all.Take(MaxTextLines)) text.Append(line).Append('\n');
            if (all.Count > MaxTextLines) text.Append($"... and {all.Count - MaxTextLines} more\n");
        }

        private static string Stamp(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
