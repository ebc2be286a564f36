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
    /// <summary>The base image; "" for a volume-backed server (Nova shows "image": "").</summary>
    public required string ImageId { get; init; }
    /// <summary>Booted from a volume: its root disk is a Cinder volume attached with boot index 0.</summary>
    public bool VolumeBacked => ImageId.Length == 0;
    /// <summary>The root disk's device, as Nova's root_device_name.</summary>
    public string RootDeviceName { get; init; } = "/dev/xvda";
    public required string FlavorId { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.Ordinal);
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset Updated { get; set; }
    public required string AccessIPv4 { get; init; }
    public required string PrivateIPv4 { get; init; }
    /// <summary>While BUILD: when (real time, Stopwatch ticks) the server becomes ACTIVE.</summary>
    public long? ActiveAtTimestamp { get; set; }
    /// <summary>The snapshot or backup running on this server, if any.</summary>
    public SnapshotJob? RunningJob { get; set; }
    /// <summary>Rackspace Scheduled Images (rax-si-image-schedule), when enabled; set through <see cref="ScheduledImageService"/>.</summary>
    public ImageSchedule? ImageSchedule { get; set; }

    public int PowerState => Status switch { "ACTIVE" => 1, "SHUTOFF" => 4, "PAUSED" => 3, _ => 0 };
}
