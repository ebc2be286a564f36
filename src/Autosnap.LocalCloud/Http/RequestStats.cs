using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// What /__admin/stats reports: API requests by route template, status, region and minute of wall time,
/// injected faults by kind and phase, and rate-limited answers by verb and minute (so a benchmark can tell
/// whether any 413 came after its first minute). /__admin requests are never counted.
/// It also keeps the last <see cref="LogCapacity"/> requests with their query strings and times, so a benchmark
/// can show which filters a client sent and how its polls were spaced.
/// </summary>
public sealed class RequestStats
{
    /// <summary>How many of the most recent requests /__admin/requests remembers.</summary>
    public const int LogCapacity = 10000;

    public readonly record struct LoggedRequest(double AtSecond, double Milliseconds, string Method, string Target, string Route, int Status);

    private readonly object _lock = new();
    private readonly Queue<LoggedRequest> _log = new();
    private long _startTimestamp = Stopwatch.GetTimestamp();
    private DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private long _total;
    private readonly Dictionary<string, long> _byRoute = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _byStatus = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _byRegion = new(StringComparer.OrdinalIgnoreCase);
    private readonly SortedDictionary<int, long> _byMinute = [];
    private long _faults;
    private readonly Dictionary<string, long> _faultsByKind = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _faultsByPhase = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, long> _faultsByMinute = [];
    private long _rateLimited;
    private readonly Dictionary<string, long> _rateLimitedByVerb = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, long> _rateLimitedByMinute = [];
    private double? _firstRateLimitedSecond;
    private double? _lastRateLimitedSecond;

    private double Seconds => Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;

    /// <summary>Counts a request as it arrives; answers its second since start or the last reset, for <see cref="Log"/>.</summary>
    public double Request(string method, string routeKey, string? region)
    {
        lock (_lock)
        {
            _total++;
            Increment(_byRoute, routeKey.StartsWith('(') ? $"{method} {routeKey}" : routeKey);
            if (region is not null) Increment(_byRegion, region.ToUpperInvariant());
            var seconds = Seconds;
            Increment(_byMinute, (int)(seconds / 60));
            return seconds;
        }
    }

    /// <summary>Remembers a finished request: method, path with query string, route template, status.</summary>
    public void Log(double atSecond, string method, string target, string routeKey, int status)
    {
        lock (_lock)
        {
            if (atSecond > Seconds) return;   // it arrived before a reset: not part of this log
            var route = routeKey.StartsWith('(') ? $"{method} {routeKey}" : routeKey;
            _log.Enqueue(new LoggedRequest(atSecond, Math.Round((Seconds - atSecond) * 1000, 1), method, target, route, status));
            while (_log.Count > LogCapacity) _log.Dequeue();
        }
    }

    public void Status(int status)
    {
        lock (_lock) { Increment(_byStatus, status.ToString(CultureInfo.InvariantCulture)); }
    }

    public void Fault(string kind, string phase)
    {
        lock (_lock)
        {
            _faults++;
            Increment(_faultsByKind, kind);
            Increment(_faultsByPhase, phase);
            Increment(_faultsByMinute, (int)(Seconds / 60));
        }
    }

    public void RateLimited(string verb)
    {
        lock (_lock)
        {
            var seconds = Seconds;
            _rateLimited++;
            Increment(_rateLimitedByVerb, verb);
            Increment(_rateLimitedByMinute, (int)(seconds / 60));
            _firstRateLimitedSecond ??= seconds;
            _lastRateLimitedSecond = seconds;
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _startTimestamp = Stopwatch.GetTimestamp();
            _startedAt = DateTimeOffset.UtcNow;
            _total = _faults = _rateLimited = 0;
            _byRoute.Clear(); _byStatus.Clear(); _byRegion.Clear(); _byMinute.Clear();
            _faultsByKind.Clear(); _faultsByPhase.Clear(); _faultsByMinute.Clear();
            _rateLimitedByVerb.Clear(); _rateLimitedByMinute.Clear();
            _firstRateLimitedSecond = _lastRateLimitedSecond = null;
            _log.Clear();
        }
    }

    public long Total
    {
        get { lock (_lock) { return _total; } }
    }

    public long Count(string routeKey)
    {
        lock (_lock) { return _byRoute.GetValueOrDefault(routeKey); }
    }

    public void WriteJson(Utf8JsonWriter w)
    {
        lock (_lock)
        {
            w.WriteStartObject();
            w.WriteNumber("total", _total);
            WriteMap(w, "byRoute", _byRoute);
            WriteMap(w, "byStatus", _byStatus);
            WriteMap(w, "byRegion", _byRegion);
            WriteMinutes(w, "byMinute", _byMinute);
            w.WriteString("startedAt", _startedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteNumber("elapsedSeconds", Math.Round(Seconds, 3));
            w.WriteStartObject("faults");
            w.WriteNumber("total", _faults);
            WriteMap(w, "byKind", _faultsByKind);
            WriteMap(w, "byPhase", _faultsByPhase);
            WriteMinutes(w, "byMinute", _faultsByMinute);
            w.WriteEndObject();
            w.WriteStartObject("rateLimited");
            w.WriteNumber("total", _rateLimited);
            WriteMap(w, "byVerb", _rateLimitedByVerb);
            WriteMinutes(w, "byMinute", _rateLimitedByMinute);
            if (_firstRateLimitedSecond is { } first) w.WriteNumber("firstAtSecond", Math.Round(first, 3)); else w.WriteNull("firstAtSecond");
            if (_lastRateLimitedSecond is { } last) w.WriteNumber("lastAtSecond", Math.Round(last, 3)); else w.WriteNull("lastAtSecond");
            w.WriteEndObject();
            w.WriteEndObject();
        }
    }

    /// <summary>The logged requests, oldest first.</summary>
    public void WriteLogJson(Utf8JsonWriter w)
    {
        lock (_lock)
        {
            w.WriteStartObject();
            w.WriteNumber("capacity", LogCapacity);
            w.WriteStartArray("requests");
            foreach (var entry in _log)
            {
                w.WriteStartObject();
                w.WriteNumber("atSecond", Math.Round(entry.AtSecond, 3));
                w.WriteNumber("ms", entry.Milliseconds);
                w.WriteString("method", entry.Method);
                w.WriteString("target", entry.Target);
                w.WriteString("route", entry.Route);
                w.WriteNumber("status", entry.Status);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    private static void WriteMap(Utf8JsonWriter w, string name, Dictionary<string, long> map)
    {
        w.WriteStartObject(name);
        foreach (var (key, count) in map.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteNumber(key, count);
        w.WriteEndObject();
    }

    /// <summary>Minute 0 is the first minute after start or the last reset.</summary>
    private static void WriteMinutes(Utf8JsonWriter w, string name, SortedDictionary<int, long> map)
    {
        w.WriteStartObject(name);
        foreach (var (minute, count) in map) w.WriteNumber(minute.ToString(CultureInfo.InvariantCulture), count);
        w.WriteEndObject();
    }

    private static void Increment<TKey>(IDictionary<TKey, long> map, TKey key) =>
        map[key] = map.TryGetValue(key, out var n) ? n + 1 : 1;
}
