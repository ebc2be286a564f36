using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Autosnap.Cloud
{
    /// <summary>
    /// Client-side pacing per lane (a region, or a host for calls outside any region) and verb. With a limit of N requests a minute, calls are spaced at least
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
        public void SetLimit(string lane, string verb, int requestsPerMinute)
        {
            Lane state = LaneFor(lane, verb);
            lock (state)
            {
                state.Spacing = requestsPerMinute > 0 ? TimeSpan.FromTicks((long)(TimeSpan.FromMinutes(1).Ticks * Headroom / requestsPerMinute)) : TimeSpan.Zero;
            }
        }

        public void PauseFor(string lane, string verb, TimeSpan wait)
        {
            Lane state = LaneFor(lane, verb);
            lock (state)
            {
                TimeSpan until = Clock.Elapsed + wait;
                if (until > state.NextSlot) state.NextSlot = until;
            }
        }

        /// <summary>Waits for this call's slot. Slots are handed out in call order.</summary>
        public Task WaitTurnAsync(string lane, string verb, CancellationToken cancellationToken)
        {
            Lane state = LaneFor(lane, verb);
            TimeSpan wait;
            lock (state)
            {
                TimeSpan now = Clock.Elapsed;
                TimeSpan slot = state.NextSlot > now ? state.NextSlot : now;
                state.NextSlot = slot + state.Spacing;
                wait = slot - now;
            }
            return wait > TimeSpan.Zero ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;
        }

        private Lane LaneFor(string lane, string verb) => _lanes.GetOrAdd(lane + " " + verb, _ => new Lane());

        private sealed class Lane
        {
            public TimeSpan Spacing;
            public TimeSpan NextSlot;
        }
    }
}
