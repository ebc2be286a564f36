using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Autosnap.Cloud
{
    /// <summary>
    /// Client-side pacing per host and verb. With a limit of N requests a minute, calls are spaced at least
    /// 60/N seconds apart (a little more, so a sliding-window limiter on the server never counts N+1), shared
    /// by every worker of the session. After a 413/429 the whole host and verb waits out the Retry-After.
    /// Without a known limit a call only waits out such a pause.
    /// </summary>
    public sealed class RequestPacer
    {
        // 3 % headroom: clocks and request latency jitter must not push us over the server's count.
        private const double Headroom = 1.03;
        private readonly ConcurrentDictionary<string, Lane> _lanes = new ConcurrentDictionary<string, Lane>(StringComparer.OrdinalIgnoreCase);
        private static readonly Stopwatch Clock = Stopwatch.StartNew();

        /// <summary>Sets the rate for one host and verb; 0 or less removes it.</summary>
        public void SetLimit(string authority, string verb, int requestsPerMinute)
        {
            Lane lane = LaneFor(authority, verb);
            lock (lane)
            {
                lane.Spacing = requestsPerMinute > 0 ? TimeSpan.FromTicks((long)(TimeSpan.FromMinutes(1).Ticks * Headroom / requestsPerMinute)) : TimeSpan.Zero;
            }
        }

        /// <summary>The spacing in force, for messages and tests.</summary>
        public TimeSpan SpacingOf(string authority, string verb)
        {
            Lane lane = LaneFor(authority, verb);
            lock (lane) return lane.Spacing;
        }

        public void PauseFor(string authority, string verb, TimeSpan wait)
        {
            Lane lane = LaneFor(authority, verb);
            lock (lane)
            {
                TimeSpan until = Clock.Elapsed + wait;
                if (until > lane.NextSlot) lane.NextSlot = until;
            }
        }

        /// <summary>Waits for this call's slot. Slots are handed out in call order.</summary>
        public Task WaitTurnAsync(string authority, string verb, CancellationToken cancellationToken)
        {
            Lane lane = LaneFor(authority, verb);
            TimeSpan wait;
            lock (lane)
            {
                TimeSpan now = Clock.Elapsed;
                TimeSpan slot = lane.NextSlot > now ? lane.NextSlot : now;
                lane.NextSlot = slot + lane.Spacing;
                wait = slot - now;
            }
            return wait > TimeSpan.Zero ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;
        }

        private Lane LaneFor(string authority, string verb) => _lanes.GetOrAdd(authority + " " + verb, _ => new Lane());

        private sealed class Lane
        {
            public TimeSpan Spacing;
            public TimeSpan NextSlot;
        }
    }
}
