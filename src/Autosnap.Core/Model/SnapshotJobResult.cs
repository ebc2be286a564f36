using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Engine;

namespace Autosnap.Model
{
    public enum JobStatus
    {
        /// <summary>A good new snapshot, and the pool rotated without a failed deletion.</summary>
        Succeeded,
        /// <summary>Something went wrong; Message says what. A job that fails before its snapshot is good deletes nothing.</summary>
        Failed,
        /// <summary>Not run: a guard said so (Message says which).</summary>
        Skipped,
    }

    /// <summary>What a result is about.</summary>
    public enum JobTarget
    {
        /// <summary>A server's job: snapshot, wait, rotate.</summary>
        Server,
        /// <summary>A name or id that matches no server: a configuration error, not a failed night.</summary>
        UnknownServer,
        /// <summary>A server whose autosnap metadata rules cannot be read: a configuration error.</summary>
        InvalidRules,
        /// <summary>A pool whose server no longer exists: reported, kept, or rotated (never below one good image).</summary>
        OrphanedPool,
    }

    /// <summary>The summary of one server's job: what was created, kept and deleted, how long it took, and what failed.</summary>
    public sealed class SnapshotJobResult
    {
        internal SnapshotJobResult(RackspaceServer server, string schedule)
            : this(JobTarget.Server, server.Name, server.Id, server.Region, schedule)
        {
        }

        /// <summary>A result that is not a server's job: an unknown server, unreadable rules, an orphaned pool.</summary>
        internal SnapshotJobResult(JobTarget target, string serverName, string serverId, string region, string schedule)
        {
            Target = target;
            ServerName = serverName;
            ServerId = serverId;
            Region = region;
            Schedule = schedule;
        }

        public JobTarget Target { get; }
        public string ServerName { get; }
        public string ServerId { get; }
        public string Region { get; }
        public string Schedule { get; }
        public JobStatus Status { get; private set; } = JobStatus.Succeeded;

        /// <summary>The new snapshot (good, failed or still pending), when one was requested.</summary>
        public AutoSnapshot? Snapshot { get; internal set; }

        /// <summary>Application or Crash: what the new restore point records (null when no snapshot was asked for).</summary>
        public SnapshotConsistency? Consistency { get; private set; }

        /// <summary>How long the server's writes were paused: before-snapshot hook end to after-snapshot hook start (null without a before-snapshot hook).</summary>
        public TimeSpan? WritePause { get; private set; }

        /// <summary>Why the before-snapshot hook failed (null when it succeeded or there is none).</summary>
        public string? BeforeHookError { get; private set; }

        /// <summary>Why the after-snapshot hook failed (null when it succeeded or there is none).</summary>
        public string? AfterHookError { get; private set; }

        internal void RecordHooks(HookedStart start)
        {
            Consistency = start.ImageId == null ? (SnapshotConsistency?)null : start.Consistency;
            WritePause = start.WritePause;
            BeforeHookError = start.BeforeHookError;
            AfterHookError = start.AfterHookError;
        }

        /// <summary>1 when a good new snapshot was made.</summary>
        public int Created { get; internal set; }

        public int Kept => Rotation?.Kept ?? 0;
        public int Deleted => Rotation?.Deleted ?? 0;
        public int DeleteFailures => Rotation?.DeleteFailures ?? 0;
        public int Adopted => Rotation?.Adopted.Count ?? 0;
        public TimeSpan Duration { get; internal set; }
        /// <summary>What failed, or why the job was skipped; null when it succeeded.</summary>
        public string? Message { get; private set; }

        /// <summary>Every rotation decision, newest first.</summary>
        public IReadOnlyList<RotationDecision> Decisions => Rotation?.Decisions ?? Array.Empty<RotationDecision>();

        internal PoolRotation? Rotation { get; set; }

        internal void Fail(string error)
        {
            Status = JobStatus.Failed;
            Message = Message == null ? error : Message + "; " + error;
        }

        internal void Skip(string reason)
        {
            Status = JobStatus.Skipped;
            Message = reason;
        }

        public override string ToString() =>
            $"{ServerName} ({Schedule}): {Status}, created {Created}, kept {Kept}, deleted {Deleted}" +
            (DeleteFailures > 0 ? $", {DeleteFailures} deletions failed" : string.Empty) + (Message != null ? $" - {Message}" : string.Empty);
    }
}
