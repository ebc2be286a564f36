using System;
using System.Collections.Generic;

namespace Autosnap.Model
{
    /// <summary>
    /// One image of a simulated series (Get-SnapshotRetentionPlan -Simulate): when its run made it, whether it came
    /// out good or failed, and its fate: still there after the last run (Keep, with the rules that keep it) or
    /// deleted by a later run's rotation (Delete, with that run and its reason). Runs are numbered from 1.
    /// </summary>
    public sealed class SimulatedSnapshot
    {
        internal SimulatedSnapshot(AutoSnapshot snapshot, int run, RotationAction action, IReadOnlyList<string> reasons,
                                   int? deletedInRun, DateTimeOffset? deletedAt)
        {
            Snapshot = snapshot;
            Run = run;
            Action = action;
            Reasons = reasons;
            DeletedInRun = deletedInRun;
            DeletedAt = deletedAt;
        }

        /// <summary>The simulated image itself.</summary>
        public AutoSnapshot Snapshot { get; }

        /// <summary>The run (1 = the first) that created the image.</summary>
        public int Run { get; }

        /// <summary>Keep: the image is still there after the last run. Delete: a run deleted it.</summary>
        public RotationAction Action { get; }

        /// <summary>Why: the rules that keep it at the end, or why the deleting run let it go.</summary>
        public IReadOnlyList<string> Reasons { get; }

        /// <summary>The run (1 = the first) whose rotation deleted the image; null when it was kept.</summary>
        public int? DeletedInRun { get; }

        /// <summary>When the run that deleted the image ran; null when it was kept.</summary>
        public DateTimeOffset? DeletedAt { get; }

        // Flattened for tables and filters.
        public string Id => Snapshot.Id;
        public string Name => Snapshot.Name;
        public string Status => Snapshot.Status;
        public SnapshotState State => Snapshot.State;
        public DateTimeOffset Created => Snapshot.Created;
        public string Reason => string.Join("; ", Reasons);

        public override string ToString() =>
            DeletedInRun.HasValue ? $"run {Run}: {Name} {Status}, deleted in run {DeletedInRun}" : $"run {Run}: {Name} {Status}, kept";
    }
}
