using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;

namespace Autosnap.Rotation
{
    /// <summary>
    /// The retention contract (docs/retention.md) as one pure function: the images of one pool and a policy in,
    /// one decision per image out. The safety rules hold for every policy by construction and are checked again
    /// before the plan is returned.
    /// </summary>
    public static class RetentionPlanner
    {
        /// <summary>
        /// Plans one pool (one server and one schedule). Returns one decision per image, newest first by creation
        /// time, ties by id (ordinal). See <see cref="RetentionReasons"/> for the reasons.
        /// </summary>
        /// <exception cref="ArgumentException">
        /// The pool holds an image that is not Autosnap's, images of more than one pool, or the same id twice: such a
        /// listing is not safe to rotate.
        /// </exception>
        public static IReadOnlyList<RotationDecision> Plan(IEnumerable<AutoSnapshot> pool, RetentionPolicy policy, PlanOptions? options = null)
            => Plan(pool, policy, options, RetentionRules.Evaluate);

        /// <summary>The planner with the rules passed in, so tests can prove the safety net catches a broken rule.</summary>
        internal static IReadOnlyList<RotationDecision> Plan(
            IEnumerable<AutoSnapshot> pool,
            RetentionPolicy policy,
            PlanOptions? options,
            Func<RetentionPolicy, IReadOnlyList<AutoSnapshot>, List<string>[]> evaluateRules)
        {
            if (pool == null) throw new ArgumentNullException(nameof(pool));
            if (policy == null) throw new ArgumentNullException(nameof(policy));
            options ??= new PlanOptions();

            List<AutoSnapshot> images = NewestFirst(pool, options.OwnImageIds);
            RequireOnePool(images);
            var roles = images.Select(image => RoleOf(image, options)).ToList();

            // Only good, unpinned, settled images take part in the rules.
            var counted = new List<AutoSnapshot>();
            for (int i = 0; i < images.Count; i++)
            {
                if (roles[i] == Role.Counted) counted.Add(images[i]);
            }

            List<string>[] keptBy = evaluateRules(policy, counted);
            if (keptBy.Length != counted.Count) throw new InvalidOperationException("The rules returned a result per image of another list.");

            // Safety rule 1, by construction: whatever the rules say, the newest good image stays.
            if (counted.Count > 0 && keptBy[0].Count == 0) keptBy[0].Add(RetentionReasons.NewestGoodImage);

            var decisions = new List<RotationDecision>(images.Count);
            int countedIndex = 0;
            bool goodSeen = false;   // a good image newer than the current one (walking newest first)
            for (int i = 0; i < images.Count; i++)
            {
                AutoSnapshot image = images[i];
                switch (roles[i])
                {
                    case Role.Gone:
                        decisions.Add(Keep(image, RetentionReasons.Gone));
                        break;
                    case Role.Pending:
                    case Role.PendingAfterRunStarted:
                        string pending = roles[i] == Role.Pending ? RetentionReasons.Pending(image.Status) : RetentionReasons.PendingAfterRunStarted;
                        decisions.Add(image.IsPinned ? Keep(image, pending, RetentionReasons.Pinned) : Keep(image, pending));
                        break;
                    case Role.Pinned:
                        decisions.Add(Keep(image, image.IsPinned ? RetentionReasons.Pinned : RetentionReasons.Protected));
                        break;
                    case Role.Failed:
                        string failed =
                            policy.KeepFailed ? RetentionReasons.FailedKeptOnRequest
                            : goodSeen ? RetentionReasons.FailedNewerGoodExists
                            : RetentionReasons.FailedNoNewerGood;
                        RotationAction action = !policy.KeepFailed && goodSeen ? RotationAction.Delete : RotationAction.Keep;
                        decisions.Add(image.State == SnapshotState.Pending
                            ? new RotationDecision(image, action, new[] { RetentionReasons.UnknownTooLong(options.UnknownFailsAfter!.Value), failed })
                            : new RotationDecision(image, action, new[] { failed }));
                        break;
                    case Role.NotConsistent:
                        string crash =
                            policy.KeepFailed ? RetentionReasons.CrashConsistentKeptOnRequest
                            : goodSeen ? RetentionReasons.CrashConsistentNewerGoodExists
                            : RetentionReasons.CrashConsistentNoNewerGood;
                        decisions.Add(new RotationDecision(image, !policy.KeepFailed && goodSeen ? RotationAction.Delete : RotationAction.Keep, new[] { crash }));
                        break;
                    case Role.Counted:
                        List<string> reasons = keptBy[countedIndex++];
                        decisions.Add(
                            reasons.Count > 0 ? new RotationDecision(image, RotationAction.Keep, reasons.ToArray())
                            : Delete(image, policy.RetentionKeeps is long keeps ? RetentionReasons.NotInRetention(keeps) : RetentionReasons.NotKeptByAnyRule));
                        break;
                    default:
                        throw new InvalidOperationException("Unknown role " + roles[i]);
                }

                // A pinned good image is a restorable one too: failed images older than it are garbage.
                if (image.State == SnapshotState.Good && (roles[i] == Role.Counted || roles[i] == Role.Pinned)) goodSeen = true;
            }

            CheckSafety(decisions, policy, options);
            return decisions;
        }

        /// <summary>
        /// The safety rules checked once more on a finished plan, from the images' own fields rather than from the
        /// planner's bookkeeping. A violation is a bug in the planner: nothing must be deleted, so it throws.
        /// </summary>
        internal static void CheckSafety(IReadOnlyList<RotationDecision> decisions, RetentionPolicy policy, PlanOptions options)
        {
            bool goodSeen = false;
            bool newestGoodSeen = false;
            foreach (RotationDecision decision in decisions)
            {
                AutoSnapshot image = decision.Snapshot;
                Role role = RoleOf(image, options);
                bool isGood = image.State == SnapshotState.Good && (role == Role.Counted || role == Role.Pinned);
                if (decision.Action == RotationAction.Delete)
                {
                    string? violation =
                        role == Role.Gone ? "a gone image" :
                        role == Role.Pending || role == Role.PendingAfterRunStarted ? "a pending image" :
                        role == Role.Pinned ? "a pinned image" :
                        role == Role.Failed && policy.KeepFailed ? "a failed image the policy keeps" :
                        role == Role.Failed && !goodSeen ? "a failed image with no newer good image" :
                        role == Role.NotConsistent && policy.KeepFailed ? "a crash-consistent image the policy keeps" :
                        role == Role.NotConsistent && !goodSeen ? "a crash-consistent image with no newer good image" :
                        isGood && !newestGoodSeen ? "the newest good image" :
                        null;
                    if (violation != null)
                    {
                        throw new InvalidOperationException(
                            $"Retention planner bug: the plan deletes {violation} ({image}). Nothing was deleted.");
                    }
                }

                if (isGood)
                {
                    newestGoodSeen = true;
                    goodSeen = true;
                }
            }
        }

        /// <summary>How the planner treats an image, checked in this order.</summary>
        private enum Role
        {
            Gone,
            Pending,
            PendingAfterRunStarted,
            Pinned,
            Failed,
            NotConsistent,
            Counted,
        }

        private static Role RoleOf(AutoSnapshot image, PlanOptions options)
        {
            if (image.State == SnapshotState.Gone) return Role.Gone;
            if (image.State == SnapshotState.Pending && !IsUnknownTooLong(image, options)) return Role.Pending;
            if (options.RunStarted is DateTimeOffset started && image.Created > started && !IsOwn(image, options)) return Role.PendingAfterRunStarted;
            // Glance's protected flag is the cloud's own pin: it refuses the delete, so rotation plans around it.
            if (image.IsPinned || image.IsProtected) return Role.Pinned;
            if (image.State == SnapshotState.Failed || image.State == SnapshotState.Pending) return Role.Failed;
            if (options.RequireApplicationConsistency && image.Consistency == SnapshotConsistency.Crash) return Role.NotConsistent;
            return Role.Counted;
        }

        /// <summary>An UNKNOWN image older than <see cref="PlanOptions.UnknownFailsAfter"/> at the run's start: it counts as failed.</summary>
        internal static bool IsUnknownTooLong(AutoSnapshot image, PlanOptions? options) =>
            image.State == SnapshotState.Pending && SnapshotStates.IsUnknown(image.Status) && options?.UnknownFailsAfter is TimeSpan after &&
            options.RunStarted is DateTimeOffset started && started - image.Created > after;

        private static bool IsOwn(AutoSnapshot image, PlanOptions options)
        {
            foreach (string id in options.OwnImageIds)
            {
                if (string.Equals(id, image.Id, StringComparison.Ordinal)) return true;
            }

            return false;
        }

        /// <summary>
        /// Newest first by creation time. Equal times (clouds stamp whole seconds) put the run's own images first, so a
        /// job never counts its fresh snapshot as older than one taken the same second; then by id (ordinal), so the
        /// order never depends on the input's.
        /// </summary>
        internal static List<AutoSnapshot> NewestFirst(IEnumerable<AutoSnapshot> images, IReadOnlyCollection<string>? ownImageIds = null)
        {
            var list = images.ToList();
            if (list.Any(image => image == null)) throw new ArgumentException("The pool contains a null image.", "pool");
            var own = new HashSet<string>(ownImageIds ?? Array.Empty<string>(), StringComparer.Ordinal);
            list.Sort((a, b) =>
            {
                int byTime = b.Created.CompareTo(a.Created);
                if (byTime != 0) return byTime;
                int byOwn = own.Contains(b.Id).CompareTo(own.Contains(a.Id));
                return byOwn != 0 ? byOwn : string.CompareOrdinal(a.Id, b.Id);
            });
            return list;
        }

        /// <summary>
        /// Refuses input that is not one pool of Autosnap's images. Rotation must never decide about a foreign image,
        /// and a listing that repeats an id or mixes pools is not a listing to delete from.
        /// </summary>
        private static void RequireOnePool(IReadOnlyList<AutoSnapshot> images)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            AutoSnapshot? first = null;
            foreach (AutoSnapshot image in images)
            {
                if (!image.IsAutosnap)
                {
                    throw new ArgumentException(
                        $"Image {image} is not Autosnap's (it lacks matching {AutosnapMetadata.Schedule} and {AutosnapMetadata.Server} metadata); " +
                        "rotation never plans for foreign images.",
                        "pool");
                }

                if (!ids.Add(image.Id))
                {
                    throw new ArgumentException($"The pool lists image {image.Id} twice; a listing like that is not safe to rotate.", "pool");
                }

                first ??= image;
                if (!string.Equals(image.ServerId, first.ServerId, StringComparison.OrdinalIgnoreCase) ||
                    !string.Equals(image.Schedule, first.Schedule, StringComparison.Ordinal))
                {
                    throw new ArgumentException(
                        $"Image {image} belongs to pool (server {image.ServerId}, schedule {image.Schedule}), not to " +
                        $"(server {first.ServerId}, schedule {first.Schedule}): plan one pool at a time.",
                        "pool");
                }
            }
        }

        private static RotationDecision Keep(AutoSnapshot image, params string[] reasons) => new RotationDecision(image, RotationAction.Keep, reasons);

        private static RotationDecision Delete(AutoSnapshot image, string reason) => new RotationDecision(image, RotationAction.Delete, new[] { reason });
    }
}
