using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Autosnap.Cloud
{
    /// <summary>
    /// The time the engine's waits run on: how long has passed, and a pause. A session has one (its
    /// <see cref="CloudHttpOptions.Clock"/>): the pauses for an open circuit and between looks at a snapshot, and the
    /// snapshot wait's deadline, all use it. The machine's is the default; tests pass their own so that they control
    /// time instead of measuring it. Image ages are another matter: they are measured on the cloud's clock (ServerClock).
    /// </summary>
    public interface IWaitClock
    {
        /// <summary>Time passed since some start of this clock's; only differences mean something.</summary>
        TimeSpan Elapsed { get; }

        /// <summary>Pauses for <paramref name="delay"/>; cancelled with <paramref name="cancellationToken"/>.</summary>
        Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
    }

    /// <summary>The machine's monotonic clock and Task.Delay.</summary>
    public sealed class SystemWaitClock : IWaitClock
    {
        public static SystemWaitClock Instance { get; } = new SystemWaitClock();

        private readonly Stopwatch _watch = Stopwatch.StartNew();

        private SystemWaitClock()
        {
        }

        public TimeSpan Elapsed => _watch.Elapsed;

        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
    }
}
