using System;
using System.Collections.Generic;
using System.Globalization;
using Autosnap.Model;

namespace Autosnap.Rotation
{
    /// <summary>
    /// A made-up history of snapshot runs for the plan view and the simulator: "a snapshot every day at 00:05 for
    /// 400 days, 5% of them failing". Pure and deterministic: the same settings always give the same images.
    /// </summary>
    public sealed class SnapshotSeries
    {
        public SnapshotSeries(DateTimeOffset start, TimeSpan interval, int count)
        {
            if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be positive.");
            if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "The count must be 0 or more.");
            Start = start;
            Interval = interval;
            Count = count;
        }

        /// <summary>When the first snapshot is created.</summary>
        public DateTimeOffset Start { get; }

        /// <summary>The time between runs.</summary>
        public TimeSpan Interval { get; }

        /// <summary>How many runs (images) the series has.</summary>
        public int Count { get; }

        /// <summary>
        /// Null: runs are exactly <see cref="Interval"/> apart. A zone: runs follow its wall clock the way cron and
        /// Task Scheduler do, so "every day at 00:05" stays at 00:05 local across DST (the interval must then be whole
        /// days). A wall-clock time that does not exist that day (clocks jump from 02:00 to 03:00) runs at the end of
        /// the gap (03:00); one that occurs twice (clocks go back) runs once, at its first occurrence.
        /// </summary>
        public TimeZoneInfo? WallClock { get; set; }

        /// <summary>The share of runs whose image fails (0 to 1), drawn from a generator seeded with <see cref="Seed"/>.</summary>
        public double FailureRate { get; set; }

        /// <summary>The seed of the failure draws. The generator is our own, so a seed means the same series on every runtime.</summary>
        public int Seed { get; set; }

        /// <summary>Runs (0-based) whose image fails in any case, in addition to the random ones.</summary>
        public IReadOnlyCollection<int> FailedRuns { get; set; } = Array.Empty<int>();

        /// <summary>The server of the pool the images belong to.</summary>
        public string ServerId { get; set; } = "00000000-0000-4000-8000-000000000001";

        /// <summary>The schedule of the pool the images belong to.</summary>
        public string Schedule { get; set; } = AutosnapMetadata.DefaultSchedule;

        /// <summary>When each run happens, oldest first.</summary>
        public IReadOnlyList<DateTimeOffset> Times()
        {
            if (WallClock == null)
            {
                var times = new DateTimeOffset[Count];
                for (int i = 0; i < Count; i++) times[i] = Start + TimeSpan.FromTicks(Interval.Ticks * i);
                return times;
            }

            if (Interval.Ticks % TimeSpan.TicksPerDay != 0)
            {
                throw new ArgumentException(
                    "A wall-clock series needs an interval of whole days; give no WallClock for shorter intervals.", nameof(WallClock));
            }

            var result = new DateTimeOffset[Count];
            DateTime firstWall = TimeZoneInfo.ConvertTime(Start, WallClock).DateTime;
            for (int i = 0; i < Count; i++)
            {
                result[i] = AtWallClock(firstWall.AddTicks(Interval.Ticks * i), WallClock);
            }

            return result;
        }

        /// <summary>The images of the series, oldest first: ACTIVE, or ERROR for the runs that fail.</summary>
        public IReadOnlyList<AutoSnapshot> Generate()
        {
            if (FailureRate < 0 || FailureRate > 1 || double.IsNaN(FailureRate))
            {
                throw new ArgumentOutOfRangeException(nameof(FailureRate), FailureRate, "The failure rate must be between 0 and 1.");
            }

            IReadOnlyList<DateTimeOffset> times = Times();
            var failed = new HashSet<int>(FailedRuns ?? Array.Empty<int>());
            var random = new SplitMix64(Seed);
            var images = new AutoSnapshot[times.Count];
            for (int i = 0; i < times.Count; i++)
            {
                // One draw per run whatever happens, so FailedRuns never shifts the random pattern.
                bool fails = random.NextDouble() < FailureRate | failed.Contains(i);
                images[i] = CreateImage(i, times[i], fails ? "ERROR" : "ACTIVE");
            }

            return images;
        }

        /// <summary>The image a run makes, with the metadata that makes it Autosnap's and puts it into this pool.</summary>
        internal AutoSnapshot CreateImage(int run, DateTimeOffset created, string status)
        {
            var properties = new Dictionary<string, string>
            {
                [AutosnapMetadata.Schedule] = Schedule,
                [AutosnapMetadata.Server] = ServerId,
                [AutosnapMetadata.InstanceUuid] = ServerId,
            };
            string id = string.Format(CultureInfo.InvariantCulture, "sim-{0:D6}", run);
            string name = string.Format(CultureInfo.InvariantCulture, "{0}-{1:yyyyMMdd'T'HHmm'Z'}", Schedule, created.UtcDateTime);
            return new AutoSnapshot(id, name, status, created, region: null, properties);
        }

        /// <summary>Where a wall-clock time lands on the timeline, the way a scheduler fires it (see <see cref="WallClock"/>).</summary>
        internal static DateTimeOffset AtWallClock(DateTime wall, TimeZoneInfo zone)
        {
            wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);

            // In a spring-forward gap: the first minute after it. Gaps are whole minutes in every zone there is.
            int guard = 0;
            while (zone.IsInvalidTime(wall))
            {
                wall = new DateTime(wall.Year, wall.Month, wall.Day, wall.Hour, wall.Minute, 0).AddMinutes(1);
                if (++guard > 24 * 60) throw new InvalidOperationException("No valid wall-clock time within a day after " + wall);
            }

            if (zone.IsAmbiguousTime(wall))
            {
                // The larger offset is the earlier instant: the first time the clock shows this time.
                TimeSpan largest = TimeSpan.MinValue;
                foreach (TimeSpan offset in zone.GetAmbiguousTimeOffsets(wall))
                {
                    if (offset > largest) largest = offset;
                }

                return new DateTimeOffset(wall, largest);
            }

            return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
        }

        /// <summary>SplitMix64: tiny, good enough for a failure pattern, and identical on every runtime (System.Random's seeded sequence is not promised to be).</summary>
        private sealed class SplitMix64
        {
            private ulong state;

            public SplitMix64(int seed)
            {
                state = unchecked((ulong)seed);
            }

            public double NextDouble()
            {
                unchecked
                {
                    state += 0x9E3779B97F4A7C15UL;
                    ulong z = state;
                    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                    z ^= z >> 31;
                    return (z >> 11) * (1.0 / (1UL << 53));
                }
            }
        }
    }
}
