using System;
using System.Globalization;
using System.Threading;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// The cloud's clock: real time plus an offset that tests move with /__admin/clock. It keeps ticking in
/// real time, so snapshots made "a day later" still get distinct, increasing timestamps.
/// </summary>
public sealed class VirtualClock
{
    private long _offsetTicks;

    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow.AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public void Set(DateTimeOffset to) => Interlocked.Exchange(ref _offsetTicks, (to - DateTimeOffset.UtcNow).Ticks);

    public void Reset() => Interlocked.Exchange(ref _offsetTicks, 0);

    /// <summary>"2026-01-01T00:00:00Z", the second-resolution form Nova and Glance print.</summary>
    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"2026-01-01T00:00:00.000Z", Rackspace identity's token expiry form.</summary>
    public static string IsoMillis(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>"2026-01-01T00:00:00.000000Z", Keystone's form.</summary>
    public static string IsoMicros(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 1123, the Date header.</summary>
    public static string Http(DateTimeOffset time) => time.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Parses the ISO 8601 forms clients send (with or without offset; no offset means UTC).</summary>
    public static bool TryParse(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
