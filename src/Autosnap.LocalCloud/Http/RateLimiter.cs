using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// Per-verb limits per account and region endpoint, over a sliding minute of real time (the client paces
/// itself in real time, whatever the virtual clock says). A bucket remembers when its last N requests
/// were let through, so it knows both how many remain and when the next one is allowed.
/// </summary>
public sealed class RateLimiter
{
    private static readonly long Window = Stopwatch.Frequency * 60;
    private readonly ConcurrentDictionary<(string Tenant, string Region, string Verb), Queue<long>> _buckets = new();

    public readonly record struct Decision(bool Allowed, int Remaining, TimeSpan RetryAfter);

    public Decision TryAcquire(string tenant, string region, string verb, int perMinute)
    {
        var bucket = _buckets.GetOrAdd((tenant, region.ToUpperInvariant(), verb), _ => new Queue<long>());
        var now = Stopwatch.GetTimestamp();
        lock (bucket)
        {
            Expire(bucket, now);
            if (bucket.Count >= perMinute)
            {
                var retryAfter = TimeSpan.FromSeconds((double)(bucket.Peek() + Window - now) / Stopwatch.Frequency);
                return new Decision(false, 0, retryAfter);
            }
            bucket.Enqueue(now);
            return new Decision(true, perMinute - bucket.Count, TimeSpan.Zero);
        }
    }

    /// <summary>Remaining requests and the wait until the next one is allowed (zero when some remain).</summary>
    public (int Remaining, TimeSpan NextAvailableIn) Peek(string tenant, string region, string verb, int perMinute)
    {
        if (!_buckets.TryGetValue((tenant, region.ToUpperInvariant(), verb), out var bucket)) return (perMinute, TimeSpan.Zero);
        var now = Stopwatch.GetTimestamp();
        lock (bucket)
        {
            Expire(bucket, now);
            var remaining = Math.Max(0, perMinute - bucket.Count);
            var wait = remaining > 0 || bucket.Count == 0
                ? TimeSpan.Zero
                : TimeSpan.FromSeconds((double)(bucket.Peek() + Window - now) / Stopwatch.Frequency);
            return (remaining, wait);
        }
    }

    public void Reset() => _buckets.Clear();

    private static void Expire(Queue<long> bucket, long now)
    {
        while (bucket.Count > 0 && now - bucket.Peek() >= Window) bucket.Dequeue();
    }
}
