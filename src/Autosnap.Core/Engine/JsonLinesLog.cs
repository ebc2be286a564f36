using System;
using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.Text;
using Autosnap.Model;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Autosnap.Engine
{
    /// <summary>
    /// An append-only log of what a job did, one JSON object per line, for log shippers and for reading back with
    /// ConvertFrom-Json. Records hold names, ids, counts and messages; never a secret (messages never contain one).
    /// </summary>
    public sealed class JsonLinesLog : IDisposable
    {
        private readonly StreamWriter _writer;
        private readonly object _gate = new object();

        public JsonLinesLog(string path)
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true };
        }

        /// <summary>One record per job and one per deletion (planned, done or failed).</summary>
        public void Write(SnapshotJobResult result)
        {
            Append(new JObject
            {
                ["event"] = "job",
                ["server"] = result.ServerName,
                ["serverId"] = result.ServerId,
                ["region"] = result.Region,
                ["schedule"] = result.Schedule,
                ["status"] = result.Status.ToString(),
                ["snapshot"] = result.Snapshot?.Name,
                ["snapshotId"] = result.Snapshot?.Id,
                ["snapshotStatus"] = result.Snapshot?.StatusText,
                ["volumeSnapshots"] = result.Snapshot?.VolumeSnapshots == null ? null : new JArray(result.Snapshot.VolumeSnapshots.Select(v => v.Id)),
                ["consistency"] = result.Consistency.HasValue ? SnapshotConsistencies.ToMetadata(result.Consistency.Value) : null,
                ["writePauseSeconds"] = result.WritePause.HasValue ? Math.Round(result.WritePause.Value.TotalSeconds, 3) : (double?)null,
                ["beforeHookError"] = result.BeforeHookError,
                ["afterHookError"] = result.AfterHookError,
                ["created"] = result.Created,
                ["kept"] = result.Kept,
                ["deleted"] = result.Deleted,
                ["deleteFailures"] = result.DeleteFailures,
                ["adopted"] = result.Adopted,
                ["seconds"] = Math.Round(result.Duration.TotalSeconds, 1),
                ["message"] = result.Message,
            });
            foreach (RotationDecision decision in result.Decisions)
            {
                if (decision.Action != RotationAction.Delete) continue;
                Append(new JObject
                {
                    ["event"] = "delete",
                    ["server"] = result.ServerName,
                    ["serverId"] = result.ServerId,
                    ["schedule"] = result.Schedule,
                    ["image"] = decision.Name,
                    ["imageId"] = decision.Id,
                    ["imageCreated"] = decision.Created.ToString("o"),
                    ["outcome"] = decision.Outcome.ToString(),
                    ["reason"] = decision.Reason,
                    ["error"] = decision.Error,
                    ["volumeSnapshots"] = decision.VolumeSnapshotIds.Count == 0 ? null : new JArray(decision.VolumeSnapshotIds),
                });
            }
            foreach (VolumeSnapshotDeletion leftover in result.Rotation?.Leftovers ?? Array.Empty<VolumeSnapshotDeletion>())
            {
                Append(new JObject
                {
                    ["event"] = "deleteLeftover",
                    ["server"] = result.ServerName,
                    ["serverId"] = result.ServerId,
                    ["schedule"] = result.Schedule,
                    ["volumeSnapshotId"] = leftover.Snapshot.Id,
                    ["volumeId"] = leftover.Snapshot.VolumeId,
                    ["imageId"] = leftover.Snapshot.ImageId,
                    ["outcome"] = leftover.Outcome.ToString(),
                    ["error"] = leftover.Error,
                });
            }
        }

        private void Append(JObject record)
        {
            var line = new JObject { ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ") };
            foreach (KeyValuePair<string, JToken?> pair in record) line[pair.Key] = pair.Value;
            lock (_gate)
            {
                _writer.WriteLine(line.ToString(Formatting.None));
            }
        }

        public void Dispose() => _writer.Dispose();
    }
}
