using System;
using System.Collections.Generic;

namespace Autosnap.LocalCloud.State;

/// <summary>One customer: a Rackspace account (tenant) and the Keystone user/project that is the same thing.</summary>
public sealed class Account
{
    public required string TenantId { get; init; }
    public required string TenantName { get; init; }
    public required string UserId { get; init; }
    public required string UserName { get; init; }
    public string? ApiKey { get; init; }
    public string? Password { get; init; }
    public required string ProjectName { get; init; }
    public required string DomainId { get; init; }
    public required string DomainName { get; init; }
    public required string DefaultRegion { get; init; }
    public required IReadOnlyList<string> Regions { get; init; }
    public bool Enabled { get; init; } = true;

    /// <summary>Keystone application credentials; guarded by its own lock (created at run time too).</summary>
    public List<ApplicationCredential> ApplicationCredentials { get; } = [];

    /// <summary>Nova keypairs of this account's user (one seeded: "&lt;userName&gt;-key").</summary>
    public List<Keypair> Keypairs { get; } = [];

    public bool HasRegion(string region) => Contains(Regions, region);

    private static bool Contains(IReadOnlyList<string> list, string item)
    {
        foreach (var x in list) if (string.Equals(x, item, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}

public sealed class ApplicationCredential
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Secret { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
}

public sealed class Flavor
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public int Ram { get; init; }
    public int Vcpus { get; init; }
    public int Disk { get; init; }
    public int Ephemeral { get; init; }
}
