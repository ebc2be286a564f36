using System;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// The one source of chance (ids, faults, snapshot failures, sizes). Seeded, so a sequential run is
/// reproducible; locked, because requests arrive on many threads.
/// </summary>
public sealed class SeededRandom
{
    private readonly object _lock = new();
    private Random _random;

    public SeededRandom(int seed) => _random = new Random(seed);

    public void Reseed(int seed)
    {
        lock (_lock) { _random = new Random(seed); }
    }

    public double NextDouble()
    {
        lock (_lock) { return _random.NextDouble(); }
    }

    public int Next(int maxExclusive)
    {
        lock (_lock) { return _random.Next(maxExclusive); }
    }

    public long NextLong(long min, long maxExclusive)
    {
        lock (_lock) { return _random.NextInt64(min, maxExclusive); }
    }

    /// <summary>A version-4 UUID in the lower-case "D" form OpenStack prints.</summary>
    public string NewUuid()
    {
        var bytes = new byte[16];
        lock (_lock) { _random.NextBytes(bytes); }
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);   // version 4 (Guid's byte order puts it in byte 7)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);   // RFC 4122 variant
        return new Guid(bytes).ToString("D");
    }

    /// <summary>An opaque token id: URL-safe base64 of random bytes, long like real ones.</summary>
    public string NewToken(string prefix)
    {
        var bytes = new byte[48];
        lock (_lock) { _random.NextBytes(bytes); }
        return prefix + Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_').TrimEnd('=');
    }

    /// <summary>A generated application-credential secret: URL-safe base64 of 64 bytes (86 characters), as Keystone's.</summary>
    public string NewSecret()
    {
        var bytes = new byte[64];
        lock (_lock) { _random.NextBytes(bytes); }
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_').TrimEnd('=');
    }

    public string NewHex(int bytesCount)
    {
        var bytes = new byte[bytesCount];
        lock (_lock) { _random.NextBytes(bytes); }
        return Convert.ToHexString(bytes).ToLowerInvariant();
    }
}
