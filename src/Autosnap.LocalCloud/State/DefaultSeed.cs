using System.Collections.Generic;

namespace Autosnap.LocalCloud.State;

/// <summary>The documented demo account and the realistic noise around it (README.md, "Default seed").</summary>
public static class DefaultSeed
{
    public const string UserName = "demo";
    public const string ApiKey = "demo-api-key";
    public const string Password = "demo-password";
    public const string TenantId = "100001";
    public const string ProjectName = "demo";
    public const string DomainName = "Default";
    public const string ApplicationCredentialId = "a5d0f1c0e4b94b4e9c4f2e7d8b6a3c21";
    public const string ApplicationCredentialName = "autosnap-demo";
    public const string ApplicationCredentialSecret = "demo-app-secret";

    public static readonly string[] Regions = ["DFW", "ORD", "IAD", "LON", "SYD", "HKG"];

    /// <summary>Owner of the public base images (Rackspace's images belong to a service account).</summary>
    public const string PublicImageOwner = "rackspace-images";

    public static readonly (string Name, string Distro, string OsType)[] BaseImages =
    [
        ("Ubuntu 24.04 LTS (Noble Numbat) (PVHVM)", "ubuntu", "linux"),
        ("Debian 12 (Bookworm) (PVHVM)", "debian", "linux"),
        ("Rocky Linux 9 (PVHVM)", "rocky", "linux"),
        ("CentOS Stream 9 (PVHVM)", "centos", "linux"),
        ("Fedora 40 (PVHVM)", "fedora", "linux"),
        ("Windows Server 2022 Standard", "windows", "windows"),
    ];

    public static SeedDocument Create() => new()
    {
        Regions = [.. Regions],
        Accounts =
        [
            new AccountSeed
            {
                TenantId = TenantId,
                TenantName = TenantId,
                UserName = UserName,
                UserId = StableIds.Hex32("user:" + UserName),
                ApiKey = ApiKey,
                Password = Password,
                ProjectName = ProjectName,
                DomainName = DomainName,
                DefaultRegion = "DFW",
                ApplicationCredentials =
                [
                    new ApplicationCredentialSeed
                    {
                        Id = ApplicationCredentialId, Name = ApplicationCredentialName, Secret = ApplicationCredentialSecret,
                    },
                ],
            },
        ],
        Flavors =
        [
            new FlavorSeed { Id = "general1-1", Name = "1 GB General Purpose v1", Ram = 1024, Vcpus = 1, Disk = 20 },
            new FlavorSeed { Id = "general1-2", Name = "2 GB General Purpose v1", Ram = 2048, Vcpus = 2, Disk = 40 },
            new FlavorSeed { Id = "general1-4", Name = "4 GB General Purpose v1", Ram = 4096, Vcpus = 4, Disk = 80 },
            new FlavorSeed { Id = "general1-8", Name = "8 GB General Purpose v1", Ram = 8192, Vcpus = 8, Disk = 160 },
            new FlavorSeed { Id = "compute1-4", Name = "3.75 GB Compute v1", Ram = 3840, Vcpus = 2, Disk = 0 },
            new FlavorSeed { Id = "memory1-15", Name = "15 GB Memory v1", Ram = 15360, Vcpus = 2, Disk = 0 },
            // OpenStack's (devstack's) defaults, for clouds reached through Keystone
            new FlavorSeed { Id = "1", Name = "m1.tiny", Ram = 512, Vcpus = 1, Disk = 1 },
            new FlavorSeed { Id = "2", Name = "m1.small", Ram = 2048, Vcpus = 1, Disk = 20 },
            new FlavorSeed { Id = "3", Name = "m1.medium", Ram = 4096, Vcpus = 2, Disk = 40 },
            new FlavorSeed { Id = "4", Name = "m1.large", Ram = 8192, Vcpus = 4, Disk = 80 },
            new FlavorSeed { Id = "5", Name = "m1.xlarge", Ram = 16384, Vcpus = 8, Disk = 160 },
            new FlavorSeed { Id = "42", Name = "m1.nano", Ram = 128, Vcpus = 1, Disk = 1 },
            new FlavorSeed { Id = "84", Name = "m1.micro", Ram = 192, Vcpus = 1, Disk = 1 },
        ],
        PublicImages = true,
        Servers =
        [
            new ServerSeed { Name = "web01", Region = "DFW", Flavor = "general1-2", Metadata = new() { ["role"] = "web", ["backup"] = "daily" } },
            new ServerSeed { Name = "db01", Region = "DFW", Flavor = "general1-4", Metadata = new() { ["role"] = "db", ["backup"] = "daily" } },
            new ServerSeed { Name = "web02", Region = "ORD", Flavor = "general1-2", Metadata = new() { ["role"] = "web" } },
            // in each region with servers: one booted from a volume, one image-backed with a data volume
            new ServerSeed { Name = "bfv01", Region = "DFW", Flavor = "compute1-4" },
            new ServerSeed { Name = "app01", Region = "DFW", Flavor = "general1-2" },
            new ServerSeed { Name = "bfv01", Region = "ORD", Flavor = "compute1-4" },
            new ServerSeed { Name = "app01", Region = "ORD", Flavor = "general1-2" },
        ],
        Images = [],
        Volumes =
        [
            new VolumeSeed { Name = "bfv01-root", Region = "DFW", Size = 20, Bootable = true, Description = "", Server = "bfv01", Boot = true, Device = "/dev/xvda" },
            new VolumeSeed { Name = "app01-data", Region = "DFW", Size = 50, Server = "app01", Device = "/dev/xvdb" },
            new VolumeSeed { Name = "bfv01-root", Region = "ORD", Size = 20, Bootable = true, Description = "", Server = "bfv01", Boot = true, Device = "/dev/xvda" },
            new VolumeSeed { Name = "app01-data", Region = "ORD", Size = 50, Server = "app01", Device = "/dev/xvdb" },
        ],
    };

    /// <summary>Seeded server ids derive from tenant, region and name, so docs and scripts can name them.</summary>
    public static string ServerId(string tenant, string region, string name) => StableIds.Uuid($"server:{tenant}:{region.ToUpperInvariant()}:{name}");

    public static string VolumeId(string tenant, string region, string name) => StableIds.Uuid($"volume:{tenant}:{region.ToUpperInvariant()}:{name}");

    public static string BaseImageId(string region, string name) => StableIds.Uuid($"image:{region.ToUpperInvariant()}:{name}");

    public static Dictionary<string, string> BaseImageProperties(string distro, string osType) => new()
    {
        ["image_type"] = "base",
        ["os_type"] = osType,
        ["org.openstack__1__os_distro"] = "org." + distro,
        ["org.openstack__1__architecture"] = "x64",
        ["com.rackspace__1__release_id"] = "1",
        ["com.rackspace__1__visible_core"] = "1",
        ["auto_disk_config"] = "True",
        ["vm_mode"] = "hvm",
    };
}
