using System;
using System.Collections.Generic;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// A network of one region: Neutron's view (GET /v2.0/networks) and Rackspace's os-networksv2 label. Public and
/// private (ServiceNet) are shared by every project, with Rackspace's fixed ids; each account also gets an
/// "isolated" network and a "loopback" one whose ports all have 127.0.0.1, so a probe can reach a local listener.
/// </summary>
public sealed class Network
{
    /// <summary>Rackspace's PublicNet id.</summary>
    public const string PublicId = "00000000-0000-0000-0000-000000000000";
    /// <summary>Rackspace's ServiceNet id.</summary>
    public const string PrivateId = "11111111-1111-1111-1111-111111111111";

    public required string Id { get; init; }
    public required string Name { get; init; }
    /// <summary>The owning project; "" for the shared public and private networks.</summary>
    public required string TenantId { get; init; }
    public bool Shared { get; init; }
    public bool External { get; init; }
    /// <summary>The subnet's CIDR (one subnet per network).</summary>
    public required string Cidr { get; init; }
    public string SubnetId => StableIds.Uuid("subnet:" + Id);
    public DateTimeOffset Created { get; init; }

    /// <summary>Every port on the loopback network has this address.</summary>
    public bool Loopback => Cidr == "127.0.0.0/8";

    public bool IsVisibleTo(string tenantId) => Shared || TenantId == tenantId;

    /// <summary>The address of the server with this ordinal (1-based, per region) on this network.</summary>
    public string Address(int ordinal) => Id switch
    {
        _ when Loopback => "127.0.0.1",
        PublicId => $"198.51.{ordinal / 250 % 250}.{ordinal % 250 + 1}",
        PrivateId => $"10.{ordinal / 62500 % 250}.{ordinal / 250 % 250}.{ordinal % 250 + 1}",
        _ => $"192.168.77.{ordinal % 250 + 2}",
    };

    /// <summary>The networks every region starts with for these accounts.</summary>
    public static List<Network> Seed(string region, IEnumerable<Account> accounts, DateTimeOffset created)
    {
        var list = new List<Network>
        {
            new() { Id = PublicId, Name = "public", TenantId = "", Shared = true, External = true, Cidr = "198.51.0.0/16", Created = created },
            new() { Id = PrivateId, Name = "private", TenantId = "", Shared = true, Cidr = "10.0.0.0/8", Created = created },
        };
        foreach (var account in accounts)
        {
            list.Add(new Network
            {
                Id = StableIds.Uuid($"network:{account.TenantId}:{region}:isolated"), Name = "isolated", TenantId = account.TenantId,
                Cidr = "192.168.77.0/24", Created = created,
            });
            list.Add(new Network
            {
                Id = StableIds.Uuid($"network:{account.TenantId}:{region}:loopback"), Name = "loopback", TenantId = account.TenantId,
                Cidr = "127.0.0.0/8", Created = created,
            });
        }
        return list;
    }
}

/// <summary>A server's port on a network (Nova shows it under addresses, keyed by the network's name).</summary>
public sealed record ServerPort(string NetworkId, string NetworkName, string Address, string Mac);

/// <summary>A Nova keypair (per user; seeded per account).</summary>
public sealed class Keypair
{
    public required string Name { get; init; }
    public required string UserId { get; init; }
    public required string PublicKey { get; init; }
    public required string Fingerprint { get; init; }
    public string Type { get; init; } = "ssh";
    public DateTimeOffset Created { get; init; }
    public int Id { get; init; }

    public static Keypair Seed(Account account, int id, DateTimeOffset created)
    {
        var body = StableIds.Hex32("key:" + account.UserId) + StableIds.Hex32("key2:" + account.UserId);
        var fingerprint = StableIds.Hex32("fingerprint:" + account.UserId);
        var pairs = new List<string>();
        for (var i = 0; i < 32; i += 2) pairs.Add(fingerprint.Substring(i, 2));
        return new Keypair
        {
            Name = account.UserName + "-key", UserId = account.UserId, Id = id, Created = created,
            PublicKey = $"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{body[..43]} {account.UserName}@autosnap",
            Fingerprint = string.Join(":", pairs),
        };
    }
}

/// <summary>A Neutron security group (per project and region); only its name matters to Nova.</summary>
public sealed record SecurityGroup(string Id, string Name, string TenantId, string Description);
