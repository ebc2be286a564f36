using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Policy;

namespace Autosnap.Model
{
    /// <summary>
    /// A restore point that has been pending (image queued or saving, or a volume snapshot still creating) for longer
    /// than the run's limit: a compute host that died mid-upload leaves exactly that. Rotation never deletes it
    /// (pending images are never deleted); it is reported so that someone looks, with the command that removes it.
    /// </summary>
    public sealed class StuckRestorePoint
    {
        internal StuckRestorePoint(AutoSnapshot snapshot, string region, string? serverName, TimeSpan age, TimeSpan limit)
        {
            Snapshot = snapshot;
            Region = region;
            ServerName = serverName;
            Age = age;
            Limit = limit;
        }

        /// <summary>The pending image (with its volume snapshots, when it has any).</summary>
        public AutoSnapshot Snapshot { get; }

        public string Region { get; }

        /// <summary>The server's name when known, else null (its id is on the snapshot).</summary>
        public string? ServerName { get; }

        public string? ServerId => Snapshot.ServerId;

        public string? Schedule => Snapshot.Schedule;

        /// <summary>How long it has been pending, on the cloud's clock.</summary>
        public TimeSpan Age { get; }

        /// <summary>The limit it is past.</summary>
        public TimeSpan Limit { get; }

        /// <summary>
        /// What removes it once someone has looked: Remove-AutoSnapshot deletes a pending image (and its volume
        /// snapshots) like any other; -Force because nothing automatic ever should.
        /// </summary>
        public string RemoveCommand => $"Remove-AutoSnapshot -Id {Snapshot.Id} -Region {Region} -Force";

        /// <summary>"web1-daily-20260301T000000Z (id) saving for 3d00h (limit 2h)".</summary>
        public string Describe() =>
            $"{Snapshot.Name} ({Snapshot.Id}) {Snapshot.StatusText} for {PolicyDuration.FormatAge(Age)} (limit {PolicyDuration.Format(Limit)})";

        public override string ToString() => $"{(ServerName ?? ServerId)}/{Schedule}: {Describe()}; remove with: {RemoveCommand}";

        /// <summary>The limit when none is set: twice the job's snapshot timeout.</summary>
        public static TimeSpan DefaultLimit(TimeSpan jobTimeout) => TimeSpan.FromTicks(jobTimeout.Ticks * 2);

        /// <summary>The limit of checks that know no job (Test-AutoSnapshotFreshness): twice the default job timeout.</summary>
        public static readonly TimeSpan DefaultCheckLimit = DefaultLimit(SnapshotPolicy.DefaultTimeout);

        /// <summary>
        /// The pending restore points among <paramref name="images"/> older than <paramref name="limit"/> at
        /// <paramref name="now"/> (the cloud's clock), oldest first. An age exactly at the limit is not yet stuck.
        /// </summary>
        public static IReadOnlyList<StuckRestorePoint> Find(IEnumerable<AutoSnapshot> images, string region, string? serverName, DateTimeOffset now, TimeSpan limit)
        {
            if (images == null) throw new ArgumentNullException(nameof(images));
            return images
                .Where(image => image.State == SnapshotState.Pending && now - image.Created > limit)
                .OrderBy(image => image.Created)
                .Select(image => new StuckRestorePoint(image, image.Region ?? region, serverName, now - image.Created, limit))
                .ToList();
        }
    }
}
