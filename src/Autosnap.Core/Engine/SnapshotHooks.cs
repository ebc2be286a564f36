using System;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>How the snapshot went, as the after-snapshot hook is told (AUTOSNAP_OUTCOME for process hooks).</summary>
    public enum CaptureOutcome
    {
        /// <summary>The disk is captured (task_state left image_snapshot; every volume snapshot left creating); the upload may still run.</summary>
        Captured,

        /// <summary>The cloud refused the snapshot, or it failed before the disk was captured.</summary>
        Failed,

        /// <summary>The disk was not captured within the job's timeout.</summary>
        TimedOut,

        /// <summary>The run was stopped (Ctrl+C) after the before-snapshot hook.</summary>
        Cancelled,

        /// <summary>No snapshot was asked for: the before-snapshot hook failed and onHookFailure is Skip.</summary>
        Skipped,
    }

    /// <summary>What to do when the before-snapshot hook fails (or times out).</summary>
    public enum HookFailureAction
    {
        /// <summary>No snapshot; the job fails with the hook's reason (the after-snapshot hook still runs).</summary>
        Skip,

        /// <summary>Take the snapshot anyway; it is recorded and reported as crash-consistent.</summary>
        Snapshot,
    }

    /// <summary>What a hook is told: the server, and for the after-snapshot hook the snapshot and how it went.</summary>
    public sealed class HookContext
    {
        public HookContext(RackspaceServer server, string schedule)
        {
            Server = server;
            Schedule = schedule;
        }

        public RackspaceServer Server { get; }
        public string Schedule { get; }
        public string Region => Server.Region;

        /// <summary>The new image id (after-snapshot hook; null when none was made).</summary>
        public string? ImageId { get; internal set; }

        /// <summary>The new restore point as last seen (after-snapshot hook; null when none was made, it is gone, or the run was stopped before it was read).</summary>
        public AutoSnapshot? Snapshot { get; internal set; }

        /// <summary>How the snapshot went (after-snapshot hook only).</summary>
        public CaptureOutcome? Outcome { get; internal set; }

        /// <summary>"captured", "failed", "timedout", "cancelled", "skipped": the outcome as hooks see it.</summary>
        public string? OutcomeText => Outcome?.ToString().ToLowerInvariant();
    }

    /// <summary>
    /// Code run around a snapshot: before it (pause writes) and after the disk is captured (resume them). A hook fails
    /// by throwing (<see cref="HookFailedException"/> with a reason, or anything else); the job applies the timeout and
    /// cancels <c>cancellationToken</c> when it passes. Implementations: script blocks (the cmdlets' -BeforeSnapshot and
    /// -AfterSnapshot, run on the pipeline thread) and external processes (a policy file's hooks, <see cref="ProcessHooks"/>).
    /// </summary>
    public interface ISnapshotHooks
    {
        bool HasBefore { get; }
        bool HasAfter { get; }

        Task BeforeAsync(HookContext context, CancellationToken cancellationToken);

        Task AfterAsync(HookContext context, CancellationToken cancellationToken);
    }

    /// <summary>A hook that ran and said no (a non-zero exit code, $false, an error): the message says why.</summary>
    public sealed class HookFailedException : Exception
    {
        public HookFailedException(string message, Exception? inner = null)
            : base(message, inner)
        {
        }
    }

    /// <summary>The hooks of a job and how they are run.</summary>
    public sealed class HookOptions
    {
        /// <summary>The default limit of each hook run.</summary>
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

        /// <summary>The longest limit a hook may have: a hook pauses a server's writes, it does not run a backup.</summary>
        public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

        public HookOptions(ISnapshotHooks hooks)
        {
            Hooks = hooks ?? throw new ArgumentNullException(nameof(hooks));
        }

        public ISnapshotHooks Hooks { get; }

        /// <summary>How long each hook may run; past it the hook counts as failed (a process is killed with its children).</summary>
        public TimeSpan Timeout { get; set; } = DefaultTimeout;

        public HookFailureAction OnHookFailure { get; set; } = HookFailureAction.Skip;
    }
}
