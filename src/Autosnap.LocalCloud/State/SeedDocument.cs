using System.Collections.Generic;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// What LocalCloud starts with: the --config file (JSON) and LocalCloudOptions.Seed share this shape.
/// Every list given replaces the default one; runtime settings (latencyMs, snapshotSeconds, ...) may sit at
/// the top level of the same file. See README.md, "Seed file".
/// </summary>
public sealed class SeedDocument
{
    public List<string>? Regions { get; set; }
    public List<AccountSeed>? Accounts { get; set; }
    public List<FlavorSeed>? Flavors { get; set; }
    /// <summary>Whether each region gets the public base images (default true).</summary>
    public bool? PublicImages { get; set; }
    public List<ServerSeed>? Servers { get; set; }
    public List<ImageSeed>? Images { get; set; }
    /// <summary>Cinder volumes, optionally attached to a seeded server (a boot volume makes it volume-backed).</summary>
    public List<VolumeSeed>? Volumes { get; set; }
    /// <summary>Start the virtual clock here instead of real time (ISO 8601).</summary>
    public string? Clock { get; set; }
}

public sealed class AccountSeed
{
    /// <summary>Rackspace account number = Keystone project id, e.g. "100001".</summary>
    public string TenantId { get; set; } = "";
    public string? TenantName { get; set; }
    public string UserName { get; set; } = "";
    public string? UserId { get; set; }
    public string? ApiKey { get; set; }
    public string? Password { get; set; }
    /// <summary>Keystone v3 project name (default: the tenant id).</summary>
    public string? ProjectName { get; set; }
    /// <summary>Keystone v3 domain name (default "Default", id "default").</summary>
    public string? DomainName { get; set; }
    public string? DefaultRegion { get; set; }
    /// <summary>Regions in this account's catalog (default: all).</summary>
    public List<string>? Regions { get; set; }
    public List<ApplicationCredentialSeed>? ApplicationCredentials { get; set; }
    public bool Enabled { get; set; } = true;
}

public sealed class ApplicationCredentialSeed
{
    public string? Id { get; set; }
    public string Name { get; set; } = "";
    public string Secret { get; set; } = "";
}

public sealed class FlavorSeed
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public int Ram { get; set; }
    public int Vcpus { get; set; }
    public int Disk { get; set; }
    public int Ephemeral { get; set; }
}

public sealed class ServerSeed
{
    public string? Id { get; set; }
    public string Name { get; set; } = "";
    public string Region { get; set; } = "";
    /// <summary>Owner account (default: the first account).</summary>
    public string? Tenant { get; set; }
    public Dictionary<string, string>? Metadata { get; set; }
    public string? Flavor { get; set; }
    /// <summary>Base image id or name (default: the region's first public image).</summary>
    public string? Image { get; set; }
    public string? Status { get; set; }
    public string? Created { get; set; }
    /// <summary>Network names or ids (default: public and private).</summary>
    public List<string>? Networks { get; set; }
    /// <summary>Key pair name (default: the account's "&lt;userName&gt;-key"; "" for none).</summary>
    public string? KeyName { get; set; }
    /// <summary>Security group names (default: ["default"]).</summary>
    public List<string>? SecurityGroups { get; set; }
    public string? AvailabilityZone { get; set; }
}

public sealed class ImageSeed
{
    public string? Id { get; set; }
    public string Name { get; set; } = "";
    public string Region { get; set; } = "";
    /// <summary>Owner account (default: the first account); ignored for public images.</summary>
    public string? Tenant { get; set; }
    public string? Visibility { get; set; }
    /// <summary>Glance status: active (default), queued, saving, killed, deactivated.</summary>
    public string? Status { get; set; }
    /// <summary>Server the image was made from: sets instance_uuid and image_type=snapshot.</summary>
    public string? Server { get; set; }
    public Dictionary<string, string>? Properties { get; set; }
    public List<string>? Tags { get; set; }
    public string? Created { get; set; }
    public long? Size { get; set; }
    public bool Protected { get; set; }
    public int MinDisk { get; set; }
    public int MinRam { get; set; }
}

public sealed class VolumeSeed
{
    public string? Id { get; set; }
    public string Name { get; set; } = "";
    public string Region { get; set; } = "";
    /// <summary>Owner account (default: the first account).</summary>
    public string? Tenant { get; set; }
    /// <summary>Gigabytes.</summary>
    public int Size { get; set; } = 1;
    public string? Description { get; set; }
    public bool Bootable { get; set; }
    public string? VolumeType { get; set; }
    public Dictionary<string, string>? Metadata { get; set; }
    /// <summary>The server (name or id, same region and tenant) it is attached to, if any.</summary>
    public string? Server { get; set; }
    /// <summary>Its device on that server (default /dev/xvda for the boot volume, else /dev/xvdb).</summary>
    public string? Device { get; set; }
    /// <summary>The server's root disk: the server is volume-backed (no image; Nova shows "image": "").</summary>
    public bool Boot { get; set; }
    public string? Created { get; set; }
}
