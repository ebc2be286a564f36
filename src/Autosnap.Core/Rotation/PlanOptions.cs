using System;
using System.Collections.Generic;

namespace Autosnap.Rotation
{
    /// <summary>What the planner needs to know about the run it plans for.</summary>
    public sealed class PlanOptions
    {
        private IReadOnlyCollection<string> ownImageIds = Array.Empty<string>();

        /// <summary>
        /// When the run started, on the cloud's clock. Images created after it are pending (never deleted, never
        /// counted): another run is making them and has not seen them go good. Null: no such check.
        /// </summary>
        public DateTimeOffset? RunStarted { get; set; }

        /// <summary>
        /// An image whose status is UNKNOWN (<see cref="Model.SnapshotStates.IsUnknown"/>) and older than this at
        /// <see cref="RunStarted"/> counts as failed: docs/retention.md's "UNKNOWN after a timeout the user sets". The nightly
        /// job passes its own wait timeout. Like every failed image it goes only once a newer good image exists. Null (or
        /// no RunStarted): such images stay pending. Every other pending status (SAVING, queued, ...) never times out.
        /// </summary>
        public TimeSpan? UnknownFailsAfter { get; set; }

        /// <summary>
        /// The pool requires application-consistent restore points (a policy's "requireConsistency": "application"):
        /// a good image that records autosnap_consistency=crash is not counted and not good; like a failed image it is
        /// deleted only once a newer good image exists (and kept with KeepFailed). Images that record nothing (made
        /// before Autosnap recorded consistency) count as before.
        /// </summary>
        public bool RequireApplicationConsistency { get; set; }

        /// <summary>
        /// The images this run created and saw go good. They are younger than the run, but they are the reason the
        /// run rotates at all, so they count like any other image.
        /// </summary>
        public IReadOnlyCollection<string> OwnImageIds
        {
            get => ownImageIds;
            set => ownImageIds = value ?? Array.Empty<string>();
        }
    }
}
