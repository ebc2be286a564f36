using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>One pool (server, schedule) among images handed over in a pipeline, each image once.</summary>
    public sealed class PipedPool
    {
        internal PipedPool(RackspaceSession? session, string? region, string serverId, string schedule, IReadOnlyList<AutoSnapshot> images)
        {
            Session = session;
            Region = region;
            ServerId = serverId;
            Schedule = schedule;
            Images = images;
        }

        /// <summary>The session the images were listed with; null for images made up in code.</summary>
        public RackspaceSession? Session { get; }

        /// <summary>The images' region; null when they do not say (the session's region is meant).</summary>
        public string? Region { get; }

        /// <summary>The server id, as the first image of the pool spells it.</summary>
        public string ServerId { get; }

        public string Schedule { get; }

        /// <summary>The pool's images as handed over, each id once (the planner refuses repeated ids).</summary>
        public IReadOnlyList<AutoSnapshot> Images { get; }

        /// <summary>The images New-AutoSnapshot created in this pipeline: the run's own new snapshots.</summary>
        public IReadOnlyList<AutoSnapshot> NewSnapshots => Images.Where(image => image.CreatedByNewAutoSnapshot).ToList();
    }

    /// <summary>
    /// Groups piped images into pools, for rotation and for the retention plan alike. Images that are not Autosnap's
    /// belong to no pool: they are handed back so that the caller can say that they were left alone.
    /// </summary>
    public static class PipedPools
    {
        public static IReadOnlyList<PipedPool> Group(IEnumerable<AutoSnapshot> images, out IReadOnlyList<AutoSnapshot> foreign)
        {
            if (images == null) throw new ArgumentNullException(nameof(images));
            List<AutoSnapshot> all = images.ToList();
            foreign = all.Where(image => !image.IsAutosnap).ToList();
            return all.Where(image => image.IsAutosnap)
                .GroupBy(image => (image.Session, Region: image.Region ?? string.Empty, Server: image.ServerId!.ToLowerInvariant(), Schedule: image.Schedule!))
                .Select(pool => new PipedPool(
                    pool.Key.Session,
                    pool.Key.Region.Length > 0 ? pool.Key.Region : null,
                    pool.First().ServerId!,
                    pool.Key.Schedule,
                    pool.GroupBy(image => image.Id, StringComparer.Ordinal).Select(same => same.First()).ToList()))
                .ToList();
        }
    }
}
