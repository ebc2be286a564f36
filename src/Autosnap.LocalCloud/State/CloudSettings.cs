using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// The knobs /__admin/config reads and merges. Immutable: a change builds a new instance and swaps it in,
/// so a request sees one consistent set.
/// </summary>
public sealed record CloudSettings
{
    public static readonly string[] AllFaultKinds = ["500", "503", "429", "413", "reset", "stall", "garbage", "orphan"];
    public static readonly string[] AllServices = ["identity", "compute", "image", "volume", "network"];

    /// <summary>Added to every API response (never to /__admin).</summary>
    public int LatencyMs { get; init; }

    /// <summary>Real seconds from createImage to an active image; 0 finishes in the request.</summary>
    public double SnapshotSeconds { get; init; } = 3;

    /// <summary>
    /// Real seconds between a snapshot's image turning active (or failing) and the server's task_state clearing,
    /// as in Nova (about 0.1 s). Not applied when snapshotSeconds is 0 (everything is done before the answer).
    /// </summary>
    public double TaskStateLagSeconds { get; init; } = 0.1;

    /// <summary>
    /// Seconds <b>on the virtual clock</b> a snapshot's server stays in task_state image_snapshot (the disk capture).
    /// Setting any of captureSeconds, pendingUploadSeconds and uploadSeconds runs snapshots on the virtual clock in
    /// those phases (an unset one lasts 0) instead of snapshotSeconds of real time; null (the default) for none.
    /// </summary>
    public double? CaptureSeconds { get; init; }

    /// <summary>Virtual seconds in image_pending_upload (the hypervisor prepares the captured disk); see <see cref="CaptureSeconds"/>.</summary>
    public double? PendingUploadSeconds { get; init; }

    /// <summary>Virtual seconds in image_uploading (Glance saving); see <see cref="CaptureSeconds"/>.</summary>
    public double? UploadSeconds { get; init; }

    /// <summary>True when snapshots run in phases on the virtual clock.</summary>
    public bool PhasedSnapshots => CaptureSeconds is not null || PendingUploadSeconds is not null || UploadSeconds is not null;

    /// <summary>0..1: the share of snapshots the "hypervisor" fails; what that leaves is <see cref="FailedSnapshots"/>.</summary>
    public double SnapshotFailRate { get; init; }

    /// <summary>
    /// What a failed snapshot leaves: auto (the image is deleted when the snapshot was asked for on v2.1, as Nova
    /// does; left killed on the legacy v2 endpoint, as Rackspace does), delete or keep.
    /// </summary>
    public string FailedSnapshots { get; init; } = "auto";

    /// <summary>Seconds on the virtual clock a booted server stays BUILD (and a rebuilt one REBUILD); 0 = done in the answer.</summary>
    public double BootSeconds { get; init; }

    /// <summary>
    /// Seconds on the virtual clock a deleted server is still shown (task_state deleting, then DELETED for the second
    /// half) and counted, as real Nova does for a few seconds; 0 = gone in the answer.
    /// </summary>
    public double DeleteSeconds { get; init; }

    /// <summary>0..1: the share of boots and rebuilds that end ERROR (seeded, decided when accepted).</summary>
    public double BootFailRate { get; init; }

    /// <summary>Nova's per-project compute quotas in each region; -1 = unlimited.</summary>
    public int MaxTotalInstances { get; init; } = 100;
    public int MaxTotalCores { get; init; } = -1;
    public int MaxTotalRamSize { get; init; } = 131072;

    /// <summary>0..1: the share of API requests that get an injected fault.</summary>
    public double FaultRate { get; init; }

    public IReadOnlyList<string> FaultKinds { get; init; } = ["500", "503", "reset", "stall", "garbage"];

    /// <summary>before | after | mixed: whether a lost-response fault strikes before or after the request ran.</summary>
    public string FaultPhase { get; init; } = "mixed";

    /// <summary>Which services faults strike (identity, compute, image, volume).</summary>
    public IReadOnlyList<string> FaultServices { get; init; } = AllServices;

    /// <summary>How long a stall holds the response before the connection is dropped (if the client waits that long).</summary>
    public double StallSeconds { get; init; } = 300;

    public int Seed { get; init; } = 1;

    /// <summary>
    /// Regions whose image service (Glance) is stopped while Nova runs; "*" for all. Empty: none.
    /// See Http/ImageOutage.cs.
    /// </summary>
    public IReadOnlyList<string> ImageOutage { get; init; } = [];

    /// <summary>How long Nova tries to reach a stopped Glance before its 500 (real Nova: about 3 s).</summary>
    public double ImageOutageDelaySeconds { get; init; } = 3;

    /// <summary>Regions whose block storage (cinder-api) is stopped while Nova runs; "*" for all. Empty: none.</summary>
    public IReadOnlyList<string> VolumeOutage { get; init; } = [];

    /// <summary>How long Nova tries to reach a stopped Cinder before its 500 (the tier: about 4.7 s).</summary>
    public double VolumeOutageDelaySeconds { get; init; } = 4.7;

    /// <summary>Requests per minute per verb, per account and region; empty = no rate limiting.</summary>
    public IReadOnlyDictionary<string, int> RateLimits { get; init; } = new Dictionary<string, int>();

    /// <summary>413 (Rackspace, Repose) or 429 (upstream Nova).</summary>
    public int RateLimitStatus { get; init; } = 413;

    /// <summary>
    /// Token lifetime on the virtual clock for both identity APIs; null (the default) gives each its real default:
    /// <see cref="KeystoneTokenTtlSeconds"/> for Keystone v3, <see cref="RackspaceTokenTtlSeconds"/> for Rackspace v2.0.
    /// </summary>
    public double? TokenTtlSeconds { get; init; }

    /// <summary>Keystone's default <c>[token] expiration</c>: one hour.</summary>
    public const double KeystoneTokenTtlSeconds = 3600;

    /// <summary>Rackspace identity's tokens last a day.</summary>
    public const double RackspaceTokenTtlSeconds = 86400;

    /// <summary>Seconds on the virtual clock a Cinder snapshot stays creating (and deleting); 0 = done in the request.</summary>
    public double VolumeSnapshotSeconds { get; init; } = 2;

    /// <summary>Seconds on the virtual clock a volume (made from a snapshot) stays creating, and deleting; 0 = done in the request.</summary>
    public double VolumeSeconds { get; init; } = 2;

    /// <summary>0..1: the share of Cinder snapshots that end in error instead of available (seeded, decided at create).</summary>
    public double VolumeSnapshotFailRate { get; init; }

    /// <summary>0..1: the share of Cinder snapshot deletes that end in error_deleting (seeded, decided at delete).</summary>
    public double VolumeSnapshotDeleteFailRate { get; init; }

    /// <summary>
    /// n &gt;= 1: the nth Cinder snapshot call of Nova's loop in every volume-backed createImage fails with Cinder's 500
    /// (Nova answers 500 ClientException, the snapshots made before it stay, no image); 0 = never.
    /// </summary>
    public int NovaCinderErrorAt { get; init; }

    /// <summary>Cinder's per-project quotas in each region (Cinder's defaults); -1 = unlimited.</summary>
    public int MaxTotalSnapshots { get; init; } = 10;
    public int MaxTotalVolumes { get; init; } = 10;
    public int MaxTotalVolumeGigabytes { get; init; } = 1000;

    public bool IsFaultKind(string kind) => FaultKinds.Contains(kind, StringComparer.OrdinalIgnoreCase);

    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("latencyMs", LatencyMs);
        w.WriteNumber("snapshotSeconds", SnapshotSeconds);
        w.WriteNumber("taskStateLagSeconds", TaskStateLagSeconds);
        if (CaptureSeconds is { } capture) w.WriteNumber("captureSeconds", capture); else w.WriteNull("captureSeconds");
        if (PendingUploadSeconds is { } pending) w.WriteNumber("pendingUploadSeconds", pending); else w.WriteNull("pendingUploadSeconds");
        if (UploadSeconds is { } upload) w.WriteNumber("uploadSeconds", upload); else w.WriteNull("uploadSeconds");
        w.WriteNumber("snapshotFailRate", SnapshotFailRate);
        w.WriteString("failedSnapshots", FailedSnapshots);
        w.WriteNumber("bootSeconds", BootSeconds);
        w.WriteNumber("bootFailRate", BootFailRate);
        w.WriteNumber("deleteSeconds", DeleteSeconds);
        w.WriteNumber("maxTotalInstances", MaxTotalInstances);
        w.WriteNumber("maxTotalCores", MaxTotalCores);
        w.WriteNumber("maxTotalRAMSize", MaxTotalRamSize);
        w.WriteNumber("faultRate", FaultRate);
        w.WriteStartArray("faultKinds");
        foreach (var kind in FaultKinds) w.WriteStringValue(kind);
        w.WriteEndArray();
        w.WriteString("faultPhase", FaultPhase);
        w.WriteStartArray("faultServices");
        foreach (var service in FaultServices) w.WriteStringValue(service);
        w.WriteEndArray();
        w.WriteNumber("stallSeconds", StallSeconds);
        w.WriteNumber("seed", Seed);
        w.WriteStartArray("imageOutage");
        foreach (var region in ImageOutage) w.WriteStringValue(region);
        w.WriteEndArray();
        w.WriteNumber("imageOutageDelaySeconds", ImageOutageDelaySeconds);
        w.WriteStartArray("volumeOutage");
        foreach (var region in VolumeOutage) w.WriteStringValue(region);
        w.WriteEndArray();
        w.WriteNumber("volumeOutageDelaySeconds", VolumeOutageDelaySeconds);
        w.WriteStartObject("rateLimits");
        foreach (var (verb, perMinute) in RateLimits) w.WriteNumber(verb, perMinute);
        w.WriteEndObject();
        w.WriteNumber("rateLimitStatus", RateLimitStatus);
        if (TokenTtlSeconds is { } ttl) w.WriteNumber("tokenTtlSeconds", ttl); else w.WriteNull("tokenTtlSeconds");
        w.WriteNumber("volumeSnapshotSeconds", VolumeSnapshotSeconds);
        w.WriteNumber("volumeSeconds", VolumeSeconds);
        w.WriteNumber("volumeSnapshotFailRate", VolumeSnapshotFailRate);
        w.WriteNumber("volumeSnapshotDeleteFailRate", VolumeSnapshotDeleteFailRate);
        w.WriteNumber("novaCinderErrorAt", NovaCinderErrorAt);
        w.WriteNumber("maxTotalSnapshots", MaxTotalSnapshots);
        w.WriteNumber("maxTotalVolumes", MaxTotalVolumes);
        w.WriteNumber("maxTotalVolumeGigabytes", MaxTotalVolumeGigabytes);
        w.WriteEndObject();
    }

    /// <summary>
    /// A copy with the fields present in <paramref name="patch"/> changed. Unknown fields and bad values
    /// throw <see cref="SettingsException"/> (the admin API answers 400 with its message).
    /// </summary>
    public CloudSettings Merge(JsonObject patch)
    {
        var result = this;
        foreach (var (name, value) in patch)
        {
            result = name switch
            {
                "latencyMs" => result with { LatencyMs = (int)Number(name, value, 0, 600_000) },
                "snapshotSeconds" => result with { SnapshotSeconds = Number(name, value, 0, 86_400) },
                "taskStateLagSeconds" => result with { TaskStateLagSeconds = Number(name, value, 0, 3600) },
                "captureSeconds" => result with { CaptureSeconds = value is null ? null : Number(name, value, 0, 7 * 86_400) },
                "pendingUploadSeconds" => result with { PendingUploadSeconds = value is null ? null : Number(name, value, 0, 7 * 86_400) },
                "uploadSeconds" => result with { UploadSeconds = value is null ? null : Number(name, value, 0, 7 * 86_400) },
                "snapshotFailRate" => result with { SnapshotFailRate = Number(name, value, 0, 1) },
                "failedSnapshots" => result with { FailedSnapshots = OneOf(name, value, ["auto", "delete", "keep"]) },
                "bootSeconds" => result with { BootSeconds = Number(name, value, 0, 86_400) },
                "bootFailRate" => result with { BootFailRate = Number(name, value, 0, 1) },
                "deleteSeconds" => result with { DeleteSeconds = Number(name, value, 0, 86_400) },
                "maxTotalInstances" => result with { MaxTotalInstances = Quota(name, value) },
                "maxTotalCores" => result with { MaxTotalCores = Quota(name, value) },
                "maxTotalRAMSize" => result with { MaxTotalRamSize = Quota(name, value) },
                "faultRate" => result with { FaultRate = Number(name, value, 0, 1) },
                "faultKinds" => result with { FaultKinds = Strings(name, value, AllFaultKinds) },
                "faultPhase" => result with { FaultPhase = OneOf(name, value, ["before", "after", "mixed"]) },
                "faultServices" => result with { FaultServices = Strings(name, value, AllServices) },
                "stallSeconds" => result with { StallSeconds = Number(name, value, 0, 86_400) },
                "seed" => result with { Seed = (int)Number(name, value, int.MinValue, int.MaxValue) },
                "imageOutage" => result with { ImageOutage = Regions(name, value) },
                "imageOutageDelaySeconds" => result with { ImageOutageDelaySeconds = Number(name, value, 0, 600) },
                "volumeOutage" => result with { VolumeOutage = Regions(name, value) },
                "volumeOutageDelaySeconds" => result with { VolumeOutageDelaySeconds = Number(name, value, 0, 600) },
                "rateLimits" => result with { RateLimits = Limits(name, value) },
                "rateLimitStatus" => result with { RateLimitStatus = RateStatus(name, value) },
                "tokenTtlSeconds" => result with { TokenTtlSeconds = value is null ? null : Number(name, value, 1, 365 * 86_400.0) },
                "volumeSnapshotSeconds" => result with { VolumeSnapshotSeconds = Number(name, value, 0, 30 * 86_400) },
                "volumeSeconds" => result with { VolumeSeconds = Number(name, value, 0, 30 * 86_400) },
                "volumeSnapshotFailRate" => result with { VolumeSnapshotFailRate = Number(name, value, 0, 1) },
                "volumeSnapshotDeleteFailRate" => result with { VolumeSnapshotDeleteFailRate = Number(name, value, 0, 1) },
                "novaCinderErrorAt" => result with { NovaCinderErrorAt = (int)Whole(name, value, 0, 1000) },
                "maxTotalSnapshots" => result with { MaxTotalSnapshots = Quota(name, value) },
                "maxTotalVolumes" => result with { MaxTotalVolumes = Quota(name, value) },
                "maxTotalVolumeGigabytes" => result with { MaxTotalVolumeGigabytes = Quota(name, value) },
                _ => throw new SettingsException($"Unknown setting '{name}'."),
            };
        }
        return result;
    }

    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "latencyMs", "snapshotSeconds", "taskStateLagSeconds", "snapshotFailRate", "failedSnapshots", "bootSeconds", "bootFailRate", "deleteSeconds",
        "maxTotalInstances", "maxTotalCores", "maxTotalRAMSize", "faultRate", "faultKinds", "faultPhase",
        "faultServices", "stallSeconds", "seed", "imageOutage", "imageOutageDelaySeconds", "rateLimits", "rateLimitStatus",
        "tokenTtlSeconds", "volumeSnapshotSeconds", "volumeSeconds", "volumeSnapshotFailRate", "volumeSnapshotDeleteFailRate",
        "maxTotalSnapshots", "maxTotalVolumes", "maxTotalVolumeGigabytes", "volumeOutage", "volumeOutageDelaySeconds",
        "novaCinderErrorAt", "captureSeconds", "pendingUploadSeconds", "uploadSeconds",
    };

    /// <summary>A quota: a whole number from -1 (unlimited) up.</summary>
    private static int Quota(string name, JsonNode? value)
    {
        var n = Number(name, value, -1, int.MaxValue);
        if (n == Math.Floor(n)) return (int)n;
        throw new SettingsException($"Setting '{name}' must be a whole number from -1 (unlimited) to {int.MaxValue}.");
    }

    private static double Whole(string name, JsonNode? value, double min, double max)
    {
        var n = Number(name, value, min, max);
        if (n == Math.Floor(n)) return n;
        throw new SettingsException($"Setting '{name}' must be a whole number from {min} to {max}.");
    }

    private static double Number(string name, JsonNode? value, double min, double max)
    {
        if (value is JsonValue v && v.TryGetValue(out double d) && d >= min && d <= max) return d;
        throw new SettingsException($"Setting '{name}' must be a number from {min} to {max}.");
    }

    private static string OneOf(string name, JsonNode? value, string[] allowed)
    {
        if (value is JsonValue v && v.TryGetValue(out string? s) && allowed.Contains(s, StringComparer.OrdinalIgnoreCase))
            return s.ToLowerInvariant();
        throw new SettingsException($"Setting '{name}' must be one of {string.Join(", ", allowed)}.");
    }

    private static string[] Strings(string name, JsonNode? value, string[] allowed)
    {
        if (value is JsonArray array)
        {
            var result = new List<string>();
            foreach (var item in array)
            {
                // faultKinds may be written as numbers: [500, 503]
                var text = item is JsonValue v && v.TryGetValue(out int n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture)
                         : item is JsonValue s && s.TryGetValue(out string? str) ? str : null;
                var known = allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
                if (known is null) break;
                result.Add(known);
            }
            if (result.Count == array.Count) return result.ToArray();
        }
        throw new SettingsException($"Setting '{name}' must be an array of {string.Join(", ", allowed)}.");
    }

    /// <summary>Region names (upper-cased) or "*"; null means none. Whether they exist is the admin API's check.</summary>
    private static string[] Regions(string name, JsonNode? value)
    {
        if (value is null) return [];
        if (value is JsonArray array)
        {
            var result = new List<string>();
            foreach (var item in array)
            {
                if (item is not JsonValue v || !v.TryGetValue(out string? region) || region.Trim().Length == 0) break;
                result.Add(region.Trim().ToUpperInvariant());
            }
            if (result.Count == array.Count) return result.Distinct().ToArray();
        }
        throw new SettingsException($"Setting '{name}' must be an array of region names (\"*\" for all), e.g. [\"DFW\"].");
    }

    private static Dictionary<string, int> Limits(string name, JsonNode? value)
    {
        if (value is JsonObject obj)
        {
            var result = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var (verb, perMinute) in obj)
            {
                if (perMinute is not JsonValue v || !v.TryGetValue(out int n) || n < 1)
                    throw new SettingsException($"Setting '{name}.{verb}' must be a positive number of requests per minute.");
                result[verb.ToUpperInvariant()] = n;
            }
            return result;
        }
        if (value is null) return new Dictionary<string, int>();
        throw new SettingsException($"Setting '{name}' must be an object like {{\"GET\":1000,\"POST\":100}}.");
    }

    private static int RateStatus(string name, JsonNode? value)
    {
        var status = (int)Number(name, value, 413, 429);
        if (status is 413 or 429) return status;
        throw new SettingsException($"Setting '{name}' must be 413 or 429.");
    }
}

public sealed class SettingsException(string message) : Exception(message);
