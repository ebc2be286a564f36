using System;
using System.Collections.Generic;

namespace Autosnap.Model
{
    public enum RotationAction
    {
        Keep,
        Delete,
    }

    /// <summary>What happened to a decision when it was carried out.</summary>
    public enum RotationOutcome
    {
        /// <summary>Planned only (a plan view, or Keep).</summary>
        Planned,
        /// <summary>-WhatIf or a declined confirmation: nothing was changed.</summary>
        Skipped,
        /// <summary>The image was deleted.</summary>
        Deleted,
        /// <summary>The delete was attempted and failed; the error says why.</summary>
        Failed,
    }

    /// <summary>One image of a pool with the retention decision about it and the reasons behind it.</summary>
    public sealed class RotationDecision
    {
        public RotationDecision(AutoSnapshot snapshot, RotationAction action, IReadOnlyList<string> reasons)
        {
            Snapshot = snapshot ?? throw new ArgumentNullException(nameof(snapshot));
            Action = action;
            Reasons = reasons ?? Array.Empty<string>();
        }

        public AutoSnapshot Snapshot { get; }

        public RotationAction Action { get; }

        /// <summary>The rules that kept the image ("daily 2026-01-20", "last 3") or why it goes.</summary>
        public IReadOnlyList<string> Reasons { get; }

        public RotationOutcome Outcome { get; set; } = RotationOutcome.Planned;

        /// <summary>Why a delete failed, when it did.</summary>
        public string? Error { get; set; }

        /// <summary>The volume snapshots of the restore point that could not be deleted after its image was (the next run finishes them).</summary>
        public IReadOnlyList<string> PartErrors { get; set; } = Array.Empty<string>();

        /// <summary>The volume snapshots of the restore point: deleted with it, or kept with it.</summary>
        public IReadOnlyList<string> VolumeSnapshotIds => Snapshot.VolumeSnapshotIds;

        // Flattened for tables and for piping by property name.
        public string Id => Snapshot.Id;
        public string Name => Snapshot.Name;
        public string? ServerId => Snapshot.ServerId;
        public string? Schedule => Snapshot.Schedule;
        public DateTimeOffset Created => Snapshot.Created;
        public SnapshotState State => Snapshot.State;
        public string Reason => string.Join("; ", Reasons);
    }
}
