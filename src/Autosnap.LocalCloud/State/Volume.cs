using System;
using System.Collections.Generic;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// A Cinder volume. Mutated only under its region's lock. Its status moves on the virtual clock
/// (<see cref="RegionState.Settle"/>): creating until <see cref="DueAt"/>, then available (or in-use when
/// attached); deleting until <see cref="DueAt"/>, then gone.
/// </summary>
public sealed class Volume
{
    public required string Id { get; init; }
    public required string Region { get; init; }
    public required string TenantId { get; init; }
    public required string UserId { get; init; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    /// <summary>Gigabytes.</summary>
    public required int Size { get; init; }
    /// <summary>creating, available, in-use, deleting, error.</summary>
    public string Status { get; set; } = "available";
    public bool Bootable { get; set; }
    public string VolumeType { get; set; } = "__DEFAULT__";
    /// <summary>The snapshot this volume was made from, if any.</summary>
    public string? SnapshotId { get; init; }
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
    /// <summary>volume_image_metadata: what a bootable volume made from an image carries of it.</summary>
    public Dictionary<string, string> ImageMetadata { get; } = new(StringComparer.Ordinal);
    public List<VolumeAttachment> Attachments { get; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Null until the first change after the create (Cinder's create answer says null).</summary>
    public DateTimeOffset? UpdatedAt { get; set; }
    /// <summary>When (virtual clock) a creating or deleting volume is done.</summary>
    public DateTimeOffset? DueAt { get; set; }

    /// <summary>What a volume settles into: in-use when attached, available when not.</summary>
    public string RestingStatus => Attachments.Count > 0 ? "in-use" : "available";
}

/// <summary>A volume attached to a server (Nova's block device mapping, Cinder's attachment).</summary>
public sealed class VolumeAttachment
{
    public required string Id { get; init; }
    public required string ServerId { get; init; }
    /// <summary>/dev/xvda, /dev/xvdb ...</summary>
    public required string Device { get; init; }
    /// <summary>0 for the root disk of a volume-backed server, null for a data volume.</summary>
    public int? BootIndex { get; init; }
    /// <summary>Deleted with the server (Nova's delete_on_termination); else detached, available again.</summary>
    public bool DeleteOnTermination { get; init; }
    public DateTimeOffset AttachedAt { get; init; }
}

/// <summary>
/// A Cinder snapshot. creating until <see cref="DueAt"/>, then available (or error when it was drawn to
/// fail); deleting until <see cref="DueAt"/>, then gone (or error_deleting, or back to available when a
/// volume made from it keeps the backend from deleting it).
/// </summary>
public sealed class VolumeSnapshot
{
    public required string Id { get; init; }
    public required string Region { get; init; }
    public required string TenantId { get; init; }
    public required string UserId { get; init; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public required string VolumeId { get; init; }
    public required int Size { get; init; }
    /// <summary>creating, available, deleting, error, error_deleting.</summary>
    public string Status { get; set; } = "creating";
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Null until the first change after the create (Cinder's create answer says null).</summary>
    public DateTimeOffset? UpdatedAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    /// <summary>Decided (seeded) when the create or delete is accepted, so the outcome does not depend on when it is observed.</summary>
    public bool WillFail { get; set; }
}
