using System;
using System.Collections.Generic;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// A Glance image. Custom properties live in <see cref="Properties"/> and are changed only through
/// <see cref="ImageStore"/>, which keeps the property index right. Mutated only under the region's lock.
/// </summary>
public sealed class Image
{
    /// <summary>Attributes Glance owns; everything else on the wire is a custom property.</summary>
    public static readonly IReadOnlySet<string> CoreAttributes = new HashSet<string>(StringComparer.Ordinal)
    {
        "id", "name", "status", "visibility", "protected", "os_hidden", "owner", "size", "virtual_size", "checksum",
        "os_hash_algo", "os_hash_value", "container_format", "disk_format", "min_disk", "min_ram", "tags",
        "created_at", "updated_at", "self", "file", "schema", "direct_url", "locations", "deleted", "deleted_at",
        "stores",
    };

    /// <summary>Attributes a PATCH may not change.</summary>
    public static readonly IReadOnlySet<string> ReadOnlyAttributes = new HashSet<string>(StringComparer.Ordinal)
    {
        "id", "status", "owner", "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "created_at",
        "updated_at", "self", "file", "schema", "direct_url", "locations", "deleted", "deleted_at", "stores",
    };

    public required string Id { get; init; }
    public required string Region { get; init; }
    public required string Name { get; set; }
    /// <summary>Glance status: queued, saving, active, killed, deleted, pending_delete, deactivated.</summary>
    public string Status { get; set; } = "active";
    public string Visibility { get; set; } = "private";
    public bool Protected { get; set; }
    public bool OsHidden { get; set; }
    public required string Owner { get; init; }
    public long? Size { get; set; }
    public long? VirtualSize { get; set; }
    public string? Checksum { get; set; }
    public string? OsHashValue { get; set; }
    public string? DiskFormat { get; set; }
    public string? ContainerFormat { get; set; }
    public int MinDisk { get; set; }
    public int MinRam { get; set; }
    public List<string> Tags { get; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    internal Dictionary<string, string> Properties { get; } = new(StringComparer.Ordinal);
    /// <summary>The snapshot filling this image, while it runs.</summary>
    public SnapshotJob? Job { get; set; }
    /// <summary>Marked by the admin API ("boots": false): a server booted or rebuilt from it ends ERROR.</summary>
    public bool DoesNotBoot { get; set; }

    public IReadOnlyDictionary<string, string> CustomProperties => Properties;

    public string? Property(string key) => Properties.TryGetValue(key, out var value) ? value : null;

    /// <summary>Made from a server (Nova shows "server" and the client calls it a snapshot).</summary>
    public string? InstanceUuid => Property("instance_uuid");

    public bool IsVisibleTo(string tenantId) =>
        Owner == tenantId || Visibility is "public" or "community";
}
