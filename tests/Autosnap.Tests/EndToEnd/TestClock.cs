using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>
    /// A wait clock the test controls. Virtual: no real time passes, each pause moves the clock on by its length at
    /// once, so a deadline of minutes is reached in no time and exactly. Real: pauses take real time (for what
    /// Polly times on its own clock, such as an open circuit's break), and the test sees each one as it starts.
    /// Either way every pause is recorded and <see cref="OnDelay"/> runs before it, a point where the test knows
    /// exactly where the engine is.
    /// </summary>
    internal sealed class TestClock : IWaitClock
    {
        private readonly bool _real;
        private readonly Stopwatch _watch = new Stopwatch();
        private long _virtualTicks;

        private TestClock(bool real)
        {
            _real = real;
            if (real) _watch.Start();
        }

        public static TestClock Virtual() => new TestClock(real: false);

        public static TestClock RealTime() => new TestClock(real: true);

        /// <summary>Every pause asked for, in order.</summary>
        public ConcurrentQueue<TimeSpan> Delays { get; } = new ConcurrentQueue<TimeSpan>();

        /// <summary>Runs at the start of each pause, before it is taken.</summary>
        public Func<TimeSpan, Task>? OnDelay { get; set; }

        public TimeSpan Elapsed => _real ? _watch.Elapsed : TimeSpan.FromTicks(Interlocked.Read(ref _virtualTicks));

        public async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Delays.Enqueue(delay);
            if (OnDelay != null) await OnDelay(delay);
            if (_real)
            {
                await Task.Delay(delay, cancellationToken);
            }
            else
            {
                Interlocked.Add(ref _virtualTicks, delay.Ticks);
            }
        }
    }
}
