using System;
using System.Diagnostics;

namespace Autosnap.Cloud
{
    /// <summary>
    /// The clock of one service, read off the Date headers of its answers and advanced with a local stopwatch
    /// in between. Image creation times come from that clock, so ages must be measured on it: a machine with a
    /// wrong clock (or a cloud with a simulated one) must not make fresh images look old.
    /// </summary>
    internal sealed class ServerClock
    {
        private readonly object _gate = new object();
        private DateTimeOffset _serverTime;
        private long _observedAt;

        public void Observe(DateTimeOffset serverTime)
        {
            lock (_gate)
            {
                _serverTime = serverTime;
                _observedAt = Stopwatch.GetTimestamp();
            }
        }

        public DateTimeOffset Now
        {
            get
            {
                lock (_gate)
                {
                    double elapsedSeconds = (Stopwatch.GetTimestamp() - _observedAt) / (double)Stopwatch.Frequency;
                    return _serverTime.AddSeconds(elapsedSeconds);
                }
            }
        }
    }
}
