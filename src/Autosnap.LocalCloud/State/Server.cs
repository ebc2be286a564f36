using System;
using System.Collections.Generic;

namespace Autosnap.LocalCloud.State;

/// <summary>A Nova server. Mutated only under its region's lock.</summary>
public sealed class Server
{
    public required string Id { get; init; }
    public required string Region { get; init; }
    public required string TenantId { get; init; }
    public required string UserId { get; init; }
    public required string Name { get; set; }
    /// <summary>Nova's status: ACTIVE, BUILD, SHUTOFF, ERROR, ...</summary>
    public string Status { get; set; } = "ACTIVE";
    public string VmState { get; set; } = "active";
    public string? TaskState { get; set; }
    /// <summary>
    /// The base image; "" for a server booted from a volume without imageRef (Nova shows "image": ""). A server booted
    /// with imageRef = a volume-backed snapshot image keeps that image id and is volume-backed all the same.
    /// </summary>
    public required string ImageId { get; set; }
    /// <summary>Its root disk is a Cinder volume (boot index 0), even though it shows an image.</summary>
    public bool RootOnVolume { get; init; }
    /// <summary>Booted from a volume: its root disk is a Cinder volume attached with boot index 0.</summary>
    public bool VolumeBacked => ImageId.Length == 0 || RootOnVolume;
    /// <summary>The root disk's device, as Nova's root_device_name.</summary>
    public string RootDeviceName { get; init; } = "/dev/xvda";
    public required string FlavorId { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.Ordinal);
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset Updated { get; set; }
    /// <summary>Rackspace's accessIPv4: the PublicNet address ("" without one).</summary>
    public string AccessIPv4 { get; init; } = "";
    /// <summary>1-based, per region: where this server's addresses come from.</summary>
    public int Ordinal { get; init; }
    /// <summary>Its ports, in the order the networks were asked for; Nova's addresses group them by network name.</summary>
    public List<ServerPort> Ports { get; } = [];
    public string? KeyName { get; init; }
    public List<string> SecurityGroups { get; } = [];
    public string AvailabilityZone { get; init; } = "nova";
    /// <summary>Server tags (2.26+), in the order they were set.</summary>
    public List<string> Tags { get; } = [];
    /// <summary>Nova's fault of an ERROR server (code, message, created).</summary>
    public (int Code, string Message, DateTimeOffset Created)? Fault { get; set; }
    /// <summary>While BUILD or REBUILD: when (virtual clock) the build or rebuild is done.</summary>
    public DateTimeOffset? ReadyAt { get; set; }
    /// <summary>While BUILD or REBUILD: when (virtual clock) it was accepted; the task_state follows the share of the time gone.</summary>
    public DateTimeOffset BuildSince { get; set; }

    /// <summary>
    /// Nova's task_state along a build (scheduling, networking or block_device_mapping, spawning) or a rebuild
    /// (rebuilding, rebuild_block_device_mapping, rebuild_spawning), each a third of the time.
    /// </summary>
    public string BuildTaskState(DateTimeOffset now)
    {
        var total = (ReadyAt ?? now) - BuildSince;
        var share = total <= TimeSpan.Zero ? 1 : (now - BuildSince) / total;
        if (Status == "REBUILD")
            return share < 1.0 / 3 ? "rebuilding" : share < 2.0 / 3 && VolumeBacked ? "rebuild_block_device_mapping" : "rebuild_spawning";
        return share < 1.0 / 3 ? "scheduling" : share < 2.0 / 3 ? VolumeBacked ? "block_device_mapping" : "networking" : "spawning";
    }
    /// <summary>While a DELETE runs (deleteSeconds): when it was asked for and when the server is gone (virtual clock).</summary>
    public (DateTimeOffset Since, DateTimeOffset Until)? Deleting { get; set; }
    /// <summary>Decided when the build or rebuild was accepted: the fault message it ends with, or null when it works.</summary>
    public string? FailsWith { get; set; }
    /// <summary>The snapshot or backup running on this server, if any.</summary>
    public SnapshotJob? RunningJob { get; set; }

    public int PowerState => Status switch { "ACTIVE" => 1, "SHUTOFF" => 4, "PAUSED" => 3, _ => 0 };
}
