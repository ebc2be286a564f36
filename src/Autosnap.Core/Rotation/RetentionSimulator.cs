using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;

namespace Autosnap.Rotation
{
    /// <summary>
    /// Replays a series of snapshot runs the way the real job runs them: each run adds its image and waits for it;
    /// when the image is good the run plans over the pool as it is then and deletes what the plan deletes; when the
    /// image fails the run deletes nothing (safety rule 5). What survives is what the job would leave behind.
    /// </summary>
    /// <remarks>
    /// The survivors equal a one-shot <see cref="RetentionPlanner.Plan"/> over the whole series whenever nothing but
    /// the job touches the pool: every rule only ever keeps fewer old images as newer ones arrive, so an image
    /// deleted by an earlier run is never one a later plan would keep. Failed images the last runs made stay in
    /// both, because no newer good image exists for them. The tests check this equality over many series.
    /// </remarks>
    public static class RetentionSimulator
    {
        /// <summary>Simulates the runs of <paramref name="series"/> under <paramref name="policy"/>.</summary>
        public static SimulationResult Simulate(SnapshotSeries series, RetentionPolicy policy)
        {
            if (series == null) throw new ArgumentNullException(nameof(series));
            return Simulate(series.Generate(), policy);
        }

        /// <summary>
        /// Simulates one run per image, in creation order: the run starts when its image is created, and rotates
        /// only when the image is good. A failed image, or one still pending when the run gave up waiting, makes a
        /// run that deletes nothing.
        /// </summary>
        public static SimulationResult Simulate(IEnumerable<AutoSnapshot> imagesOfRuns, RetentionPolicy policy)
        {
            if (imagesOfRuns == null) throw new ArgumentNullException(nameof(imagesOfRuns));
            if (policy == null) throw new ArgumentNullException(nameof(policy));

            List<AutoSnapshot> created = RetentionPlanner.NewestFirst(imagesOfRuns);
            created.Reverse();

            var pool = new List<AutoSnapshot>();
            var fates = created.Select((image, run) => new SimulatedImage(image, run)).ToList();
            var fateById = fates.ToDictionary(fate => fate.Snapshot.Id, StringComparer.Ordinal);
            var runs = new List<SimulationRun>(created.Count);
            for (int run = 0; run < created.Count; run++)
            {
                AutoSnapshot image = created[run];
                pool.Add(image);
                bool good = image.State == SnapshotState.Good;
                var deleted = new List<string>();
                if (good)
                {
                    var options = new PlanOptions
                    {
                        // The run starts a moment before its image exists, and counts the image it saw go good.
                        RunStarted = image.Created - TimeSpan.FromSeconds(1),
                        OwnImageIds = new[] { image.Id },
                    };
                    foreach (RotationDecision decision in RetentionPlanner.Plan(pool, policy, options))
                    {
                        if (decision.Action != RotationAction.Delete) continue;
                        deleted.Add(decision.Id);
                        fateById[decision.Id].MarkDeleted(run, decision.Reasons);
                    }

                    var gone = new HashSet<string>(deleted, StringComparer.Ordinal);
                    pool.RemoveAll(survivor => gone.Contains(survivor.Id));
                }

                runs.Add(new SimulationRun(
                    run,
                    image.Created,
                    image.Id,
                    good,
                    deleted,
                    pool.Count,
                    pool.Count(survivor => survivor.State == SnapshotState.Good)));
            }

            IReadOnlyList<RotationDecision> finalPlan = RetentionPlanner.Plan(pool, policy);
            return new SimulationResult(policy, runs, fates, finalPlan);
        }
    }

    /// <summary>The outcome of a simulation: every run, every image's fate, and the pool at the end.</summary>
    public sealed class SimulationResult
    {
        internal SimulationResult(RetentionPolicy policy, IReadOnlyList<SimulationRun> runs, IReadOnlyList<SimulatedImage> images, IReadOnlyList<RotationDecision> finalPlan)
        {
            Policy = policy;
            Runs = runs;
            Images = images;
            FinalPlan = finalPlan;
        }

        public RetentionPolicy Policy { get; }

        /// <summary>One entry per run, oldest first.</summary>
        public IReadOnlyList<SimulationRun> Runs { get; }

        /// <summary>Every image the runs created, oldest first, with the run that deleted it (if any).</summary>
        public IReadOnlyList<SimulatedImage> Images { get; }

        /// <summary>The plan over the surviving images at the end: what Get-SnapshotRetentionPlan would show then (newest first).</summary>
        public IReadOnlyList<RotationDecision> FinalPlan { get; }

        /// <summary>The images left at the end, newest first.</summary>
        public IReadOnlyList<AutoSnapshot> Survivors => FinalPlan.Select(decision => decision.Snapshot).ToList();

        /// <summary>
        /// True when, from the first good image on, the pool held a good image after every run. Safety rule 1 says it
        /// always does; the simulation shows it rather than assumes it.
        /// </summary>
        public bool NeverWithoutGoodImage =>
            Runs.SkipWhile(run => run.GoodImagesAfter == 0).All(run => run.GoodImagesAfter > 0);

        /// <summary>How many images all runs together deleted.</summary>
        public int TotalDeleted => Runs.Sum(run => run.Deleted.Count);
    }

    /// <summary>One run of a simulation: the image it created and what its rotation deleted.</summary>
    public sealed class SimulationRun
    {
        internal SimulationRun(int index, DateTimeOffset time, string imageId, bool imageGood, IReadOnlyList<string> deleted, int imagesAfter, int goodImagesAfter)
        {
            Index = index;
            Time = time;
            ImageId = imageId;
            ImageGood = imageGood;
            Deleted = deleted;
            ImagesAfter = imagesAfter;
            GoodImagesAfter = goodImagesAfter;
        }

        /// <summary>0-based.</summary>
        public int Index { get; }

        /// <summary>When the run's image was created.</summary>
        public DateTimeOffset Time { get; }

        public string ImageId { get; }

        /// <summary>False when the image failed; such a run rotates nothing.</summary>
        public bool ImageGood { get; }

        /// <summary>Whether the run rotated (it does exactly when its image went good).</summary>
        public bool Rotated => ImageGood;

        /// <summary>The ids this run deleted, newest first.</summary>
        public IReadOnlyList<string> Deleted { get; }

        /// <summary>Images in the pool after the run.</summary>
        public int ImagesAfter { get; }

        /// <summary>Good images in the pool after the run.</summary>
        public int GoodImagesAfter { get; }
    }

    /// <summary>One image of a simulation and its fate.</summary>
    public sealed class SimulatedImage
    {
        internal SimulatedImage(AutoSnapshot snapshot, int createdInRun)
        {
            Snapshot = snapshot;
            CreatedInRun = createdInRun;
        }

        public AutoSnapshot Snapshot { get; }

        public int CreatedInRun { get; }

        /// <summary>The run whose rotation deleted the image; null when it survived.</summary>
        public int? DeletedInRun { get; private set; }

        /// <summary>Why it was deleted (the reasons of the deleting run's plan); empty when it survived.</summary>
        public IReadOnlyList<string> DeleteReasons { get; private set; } = Array.Empty<string>();

        internal void MarkDeleted(int run, IReadOnlyList<string> reasons)
        {
            DeletedInRun = run;
            DeleteReasons = reasons;
        }
    }
}
