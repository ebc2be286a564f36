using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// Everything LocalCloud knows: accounts, regions (servers, images), flavors, tokens, the clock, the settings
/// and the seeded source of chance. Built from a <see cref="SeedDocument"/>; <see cref="Reset"/> rebuilds it.
/// </summary>
public sealed class CloudState
{
    private readonly SeedDocument _seed;
    private readonly CloudSettings _initialSettings;
    private volatile CloudSettings _settings;
    private volatile Snapshot _current;

    /// <summary>The parts a reset replaces together.</summary>
    private sealed record Snapshot(
        IReadOnlyList<Account> Accounts,
        IReadOnlyDictionary<string, RegionState> Regions,
        IReadOnlyList<string> RegionNames);

    public CloudState(SeedDocument seed, CloudSettings settings)
    {
        _seed = seed;
        _initialSettings = settings;
        _settings = settings;
        Random = new SeededRandom(settings.Seed);
        Flavors = (seed.Flavors ?? DefaultSeed.Create().Flavors!)
            .Select(f => new Flavor { Id = f.Id, Name = f.Name, Ram = f.Ram, Vcpus = f.Vcpus, Disk = f.Disk, Ephemeral = f.Ephemeral })
            .ToList();
        _current = Build();
    }

    public VirtualClock Clock { get; } = new();

    /// <summary>
    /// A real-time pause that plays a remote service's slowness (Nova retrying a stopped Glance before its 500).
    /// Unlike image ages, such a pause is felt by the caller, so it runs on the wall clock; tests put a recorder
    /// here to see what was asked for instead of measuring how long an answer took.
    /// </summary>
    public Func<TimeSpan, CancellationToken, Task> Pause { get; set; } = Task.Delay;
    public SeededRandom Random { get; }
    public TokenStore Tokens { get; } = new();
    public IReadOnlyList<Flavor> Flavors { get; }
    public SeedDocument Seed => _seed;

    public CloudSettings Settings => _settings;

    public IReadOnlyList<Account> Accounts => _current.Accounts;
    public IReadOnlyList<string> RegionNames => _current.RegionNames;

    public DateTimeOffset Now => Clock.UtcNow;

    /// <summary>Replaces the settings; a new seed also reseeds the source of chance.</summary>
    public void UpdateSettings(CloudSettings settings)
    {
        var reseed = settings.Seed != _settings.Seed;
        _settings = settings;
        if (reseed) Random.Reseed(settings.Seed);
    }

    /// <summary>Back to the seed: state, tokens, settings and clock as at start.</summary>
    public void Reset()
    {
        _settings = _initialSettings;
        Random.Reseed(_initialSettings.Seed);
        Tokens.Clear();
        _current = Build();
    }

    public RegionState? Region(string name) =>
        _current.Regions.TryGetValue(name, out var region) ? region : null;

    public Account? AccountByTenant(string tenantId) =>
        _current.Accounts.FirstOrDefault(a => a.TenantId == tenantId);

    public Flavor? Flavor(string id) => Flavors.FirstOrDefault(f => f.Id == id);

    /// <summary>
    /// Makes a server (seed, admin bulk seeding or POST /servers). Caller holds the region lock. Without
    /// <paramref name="networks"/> it gets Rackspace's defaults, PublicNet and ServiceNet. A positive
    /// <paramref name="build"/> leaves it BUILD until then on the virtual clock; it ends ERROR with
    /// <paramref name="failsWith"/> as its fault when that is given.
    /// </summary>
    public Server AddServer(RegionState region, Account account, string id, string name, string imageId, string flavorId,
        IDictionary<string, string>? metadata, string status, DateTimeOffset created, TimeSpan build,
        IReadOnlyList<Network>? networks = null, string? keyName = null, IEnumerable<string>? securityGroups = null,
        string? availabilityZone = null, string? failsWith = null, bool rootOnVolume = false)
    {
        var ordinal = region.NextOrdinal();
        networks ??= region.Networks.Where(n => n.Id is Network.PublicId or Network.PrivateId).ToList();
        var server = new Server
        {
            Id = id,
            Region = region.Name,
            TenantId = account.TenantId,
            UserId = account.UserId,
            Name = name,
            ImageId = imageId,
            FlavorId = flavorId,
            Created = created,
            Updated = created,
            Ordinal = ordinal,
            AccessIPv4 = networks.Any(n => n.Id == Network.PublicId) ? networks.First(n => n.Id == Network.PublicId).Address(ordinal) : "",
            KeyName = keyName,
            AvailabilityZone = availabilityZone ?? "nova",
            RootOnVolume = rootOnVolume,
        };
        foreach (var network in networks)
        {
            var mac = "fa:16:3e:" + string.Join(":", StableIds.Hex32($"mac:{id}:{network.Id}").Substring(0, 6).Chunk(2).Select(c => new string(c)));
            server.Ports.Add(new ServerPort(network.Id, network.Name, network.Address(ordinal), mac));
        }
        server.SecurityGroups.AddRange(securityGroups ?? ["default"]);
        if (metadata is not null) foreach (var (k, v) in metadata) server.Metadata[k] = v;
        if (build > TimeSpan.Zero)
        {
            server.Status = "BUILD";
            server.VmState = "building";
            server.BuildSince = created;
            server.ReadyAt = created + build;
            server.TaskState = server.BuildTaskState(created);
            server.FailsWith = failsWith;
            region.AddBuilding(server);
        }
        else if (failsWith is not null)
        {
            server.Status = "ERROR";
            server.VmState = "error";
            server.Fault = (500, failsWith, created);
        }
        else
        {
            server.Status = status.ToUpperInvariant();
            server.VmState = server.Status switch
            {
                "SHUTOFF" => "stopped", "ERROR" => "error", "PAUSED" => "paused", "SUSPENDED" => "suspended",
                _ => "active",
            };
        }
        region.Servers.Add(server.Id, server);
        return server;
    }

    private Snapshot Build()
    {
        Clock.Reset();
        if (_seed.Clock is not null && VirtualClock.TryParse(_seed.Clock, out var start)) Clock.Set(start);
        var now = Clock.UtcNow;
        var regionNames = (_seed.Regions ?? [.. DefaultSeed.Regions]).Select(r => r.ToUpperInvariant()).Distinct().ToList();
        var regions = regionNames.ToDictionary(r => r, r => new RegionState(r), StringComparer.OrdinalIgnoreCase);
        var accounts = (_seed.Accounts ?? DefaultSeed.Create().Accounts!).Select(a => MakeAccount(a, regionNames)).ToList();
        if (accounts.Count == 0) throw new InvalidOperationException("The seed has no accounts.");
        for (var i = 0; i < accounts.Count; i++) accounts[i].Keypairs.Add(Keypair.Seed(accounts[i], i + 1, now.AddDays(-90)));
        foreach (var region in regions.Values)
        {
            region.DeleteVolume = volume => Autosnap.LocalCloud.Volumes.BlockStorage.DeleteVolume(this, region, volume);
            var members = accounts.Where(a => a.HasRegion(region.Name)).ToList();
            region.Networks.AddRange(Network.Seed(region.Name, members, now.AddDays(-90)));
            foreach (var account in members)
            {
                region.SecurityGroups.Add(new SecurityGroup(StableIds.Uuid($"sg:{account.TenantId}:{region.Name}:default"), "default",
                    account.TenantId, "Default security group"));
                region.SecurityGroups.Add(new SecurityGroup(StableIds.Uuid($"sg:{account.TenantId}:{region.Name}:web"), "web",
                    account.TenantId, "HTTP and HTTPS from anywhere"));
            }
        }

        if (_seed.PublicImages ?? true)
        {
            foreach (var region in regions.Values)
            {
                var created = now.AddDays(-90);
                foreach (var (name, distro, osType) in DefaultSeed.BaseImages)
                {
                    var image = new Image
                    {
                        Id = DefaultSeed.BaseImageId(region.Name, name), Region = region.Name, Name = name,
                        Owner = DefaultSeed.PublicImageOwner, Visibility = "public", Status = "active",
                        Size = osType == "windows" ? 12_884_901_888 : 1_073_741_824, DiskFormat = "vhd", ContainerFormat = "ovf",
                        MinDisk = osType == "windows" ? 40 : 20, MinRam = osType == "windows" ? 2048 : 512,
                        CreatedAt = created, UpdatedAt = created,
                    };
                    foreach (var (k, v) in DefaultSeed.BaseImageProperties(distro, osType)) image.Properties[k] = v;
                    image.Checksum = StableIds.Hex32("checksum:" + image.Id);
                    region.Images.Add(image);
                    created = created.AddMinutes(7);
                }
            }
        }

        var volumeSeeds = _seed.Volumes ?? (_seed.Servers is null ? DefaultSeed.Create().Volumes! : []);
        var bootVolumes = volumeSeeds.Where(v => v.Boot && v.Server is not null).ToList();
        var bootImages = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var seed in _seed.Servers ?? DefaultSeed.Create().Servers!)
        {
            var region = regions.GetValueOrDefault(seed.Region)
                ?? throw new InvalidOperationException($"Server '{seed.Name}' names unknown region '{seed.Region}'.");
            var account = FindAccount(accounts, seed.Tenant, $"server '{seed.Name}'");
            var imageId = ResolveBaseImage(region, seed.Image);
            var serverId = seed.Id ?? DefaultSeed.ServerId(account.TenantId, region.Name, seed.Name);
            if (bootVolumes.Any(v => string.Equals(v.Region, region.Name, StringComparison.OrdinalIgnoreCase)
                                     && (v.Server == seed.Name || string.Equals(v.Server, serverId, StringComparison.OrdinalIgnoreCase))))
            {
                // booted from a volume: Nova keeps no image on the server; the volume remembers it
                bootImages[serverId] = imageId;
                imageId = "";
            }
            var created = seed.Created is not null && VirtualClock.TryParse(seed.Created, out var c) ? c : now.AddDays(-30);
            List<Network>? networks = null;
            if (seed.Networks is not null)
            {
                networks = seed.Networks.Select(n => region.Networks.FirstOrDefault(x => x.IsVisibleTo(account.TenantId)
                                   && (x.Name == n || string.Equals(x.Id, n, StringComparison.OrdinalIgnoreCase)))
                               ?? throw new InvalidOperationException($"Server '{seed.Name}' names unknown network '{n}' in {region.Name}."))
                    .ToList();
            }
            AddServer(region, account, serverId, seed.Name,
                imageId, seed.Flavor ?? Flavors[0].Id, seed.Metadata, seed.Status ?? "ACTIVE", created, TimeSpan.Zero,
                networks, seed.KeyName is "" ? null : seed.KeyName ?? account.Keypairs[0].Name, seed.SecurityGroups, seed.AvailabilityZone);
        }

        foreach (var seed in volumeSeeds) AddSeedVolume(regions, accounts, seed, bootImages, now);

        var index = 0;
        foreach (var seed in _seed.Images ?? [])
        {
            var region = regions.GetValueOrDefault(seed.Region)
                ?? throw new InvalidOperationException($"Image '{seed.Name}' names unknown region '{seed.Region}'.");
            var account = FindAccount(accounts, seed.Tenant, $"image '{seed.Name}'");
            var created = seed.Created is not null && VirtualClock.TryParse(seed.Created, out var c) ? c : now.AddHours(-(++index));
            var image = NewImage(region, seed.Id ?? StableIds.Uuid($"seed-image:{region.Name}:{seed.Name}:{index}"),
                seed.Name, seed.Visibility == "public" ? DefaultSeed.PublicImageOwner : account.TenantId, created);
            image.Visibility = seed.Visibility ?? "private";
            image.Protected = seed.Protected;
            image.MinDisk = seed.MinDisk;
            image.MinRam = seed.MinRam;
            image.Tags.AddRange(seed.Tags ?? []);
            ApplyStatus(image, seed.Status ?? "active", seed.Size);
            if (seed.Server is not null)
            {
                image.Properties["instance_uuid"] = seed.Server;
                image.Properties["image_type"] = "snapshot";
                image.Properties["user_id"] = account.UserId;
            }
            foreach (var (k, v) in seed.Properties ?? []) image.Properties[k] = v;
            region.Images.Add(image);
        }

        return new Snapshot(accounts, regions, regionNames);
    }

    /// <summary>A seeded volume, attached to its server when it names one.</summary>
    private static void AddSeedVolume(Dictionary<string, RegionState> regions, List<Account> accounts, VolumeSeed seed,
        Dictionary<string, string> bootImages, DateTimeOffset now)
    {
        var region = regions.GetValueOrDefault(seed.Region)
            ?? throw new InvalidOperationException($"Volume '{seed.Name}' names unknown region '{seed.Region}'.");
        var account = FindAccount(accounts, seed.Tenant, $"volume '{seed.Name}'");
        if (seed.Size < 1) throw new InvalidOperationException($"Volume '{seed.Name}' needs a size of at least 1 (GB).");
        var created = seed.Created is not null && VirtualClock.TryParse(seed.Created, out var c) ? c : now.AddDays(-30);
        Server? server = null;
        if (seed.Server is not null)
        {
            server = region.Servers.Values.FirstOrDefault(s => s.TenantId == account.TenantId
                         && (string.Equals(s.Id, seed.Server, StringComparison.OrdinalIgnoreCase) || s.Name == seed.Server))
                     ?? throw new InvalidOperationException($"Volume '{seed.Name}' names unknown server '{seed.Server}' in {region.Name}.");
        }
        var id = seed.Id ?? DefaultSeed.VolumeId(account.TenantId, region.Name, seed.Name);
        if (region.Volumes.ContainsKey(id)) throw new InvalidOperationException($"Volume '{seed.Name}' is seeded twice in {region.Name}.");
        var image = seed.Boot && server is not null && bootImages.TryGetValue(server.Id, out var imageId) ? region.Images.Find(imageId) : null;
        var volume = AddAttachedVolume(region, account, id, seed.Name, seed.Size, seed.Bootable || seed.Boot, server,
            seed.Device, seed.Boot, image, created);
        volume.Description = seed.Description;
        if (seed.VolumeType is not null) volume.VolumeType = seed.VolumeType;
        foreach (var (k, v) in seed.Metadata ?? []) volume.Metadata[k] = v;
    }

    /// <summary>
    /// A volume in the region, attached to <paramref name="server"/> when given (at <paramref name="device"/>, by
    /// default the root device for the boot disk, else /dev/xvdb). A boot volume made from <paramref name="image"/>
    /// keeps Cinder's volume_image_metadata of it (Nova's snapshot inherits it). Caller holds the region lock.
    /// </summary>
    public static Volume AddAttachedVolume(RegionState region, Account account, string id, string name, int size, bool bootable,
        Server? server, string? device, bool boot, Image? image, DateTimeOffset created)
    {
        var volume = new Volume
        {
            Id = id, Region = region.Name, TenantId = account.TenantId, UserId = account.UserId,
            Name = name, Size = size, Bootable = bootable, CreatedAt = created, UpdatedAt = created,
        };
        if (server is not null)
        {
            volume.Attachments.Add(new VolumeAttachment
            {
                Id = StableIds.Uuid("attachment:" + volume.Id), ServerId = server.Id,
                Device = device ?? (boot ? server.RootDeviceName : "/dev/xvdb"),
                BootIndex = boot ? 0 : null, AttachedAt = created,
            });
        }
        if (image is not null)
        {
            volume.ImageMetadata["image_id"] = image.Id;
            volume.ImageMetadata["image_name"] = image.Name;
            volume.ImageMetadata["min_disk"] = image.MinDisk.ToString(System.Globalization.CultureInfo.InvariantCulture);
            volume.ImageMetadata["min_ram"] = image.MinRam.ToString(System.Globalization.CultureInfo.InvariantCulture);
            volume.ImageMetadata["disk_format"] = image.DiskFormat ?? "vhd";
            volume.ImageMetadata["container_format"] = image.ContainerFormat ?? "ovf";
            foreach (var (k, v) in image.CustomProperties)
                if (k != "image_type") volume.ImageMetadata[k] = v;
        }
        volume.Status = volume.RestingStatus;
        region.Volumes.Add(volume.Id, volume);
        return volume;
    }

    /// <summary>A fresh image record (not yet added to the store).</summary>
    public static Image NewImage(RegionState region, string id, string name, string owner, DateTimeOffset created) => new()
    {
        Id = id, Region = region.Name, Name = name, Owner = owner, CreatedAt = created, UpdatedAt = created,
    };

    /// <summary>Gives a seeded image the fields that go with its status (size and formats once it has data).</summary>
    public static void ApplyStatus(Image image, string status, long? size)
    {
        image.Status = status.ToLowerInvariant();
        if (image.Status is "active" or "deactivated")
        {
            image.Size = size ?? 2_147_483_648;
            image.DiskFormat = "vhd";
            image.ContainerFormat = "ovf";
            image.Checksum = StableIds.Hex32("checksum:" + image.Id);
        }
    }

    private static Account FindAccount(List<Account> accounts, string? tenant, string what) =>
        tenant is null ? accounts[0]
        : accounts.FirstOrDefault(a => a.TenantId == tenant)
          ?? throw new InvalidOperationException($"The seed's {what} names unknown tenant '{tenant}'.");

    private static string ResolveBaseImage(RegionState region, string? image)
    {
        if (image is not null)
        {
            var match = region.Images.Find(image) ?? region.Images.All.FirstOrDefault(i => i.Name == image);
            return match?.Id ?? image;
        }
        return region.Images.All.Where(i => i.Visibility == "public").OrderBy(i => i.CreatedAt).FirstOrDefault()?.Id
               ?? StableIds.Uuid("image:none");
    }

    private static Account MakeAccount(AccountSeed seed, List<string> regionNames)
    {
        if (string.IsNullOrEmpty(seed.TenantId) || string.IsNullOrEmpty(seed.UserName))
            throw new InvalidOperationException("Every seeded account needs tenantId and userName.");
        var regions = (seed.Regions ?? regionNames).Select(r => r.ToUpperInvariant()).ToList();
        var account = new Account
        {
            TenantId = seed.TenantId,
            TenantName = seed.TenantName ?? seed.TenantId,
            UserId = seed.UserId ?? StableIds.Hex32("user:" + seed.UserName),
            UserName = seed.UserName,
            ApiKey = seed.ApiKey,
            Password = seed.Password,
            ProjectName = seed.ProjectName ?? seed.TenantId,
            DomainId = string.Equals(seed.DomainName ?? "Default", "Default", StringComparison.OrdinalIgnoreCase)
                ? "default" : StableIds.Hex32("domain:" + seed.DomainName),
            DomainName = seed.DomainName ?? "Default",
            DefaultRegion = (seed.DefaultRegion ?? regions.FirstOrDefault() ?? "DFW").ToUpperInvariant(),
            Regions = regions,
            Enabled = seed.Enabled,
        };
        foreach (var credential in seed.ApplicationCredentials ?? [])
        {
            account.ApplicationCredentials.Add(new ApplicationCredential
            {
                Id = credential.Id ?? StableIds.Hex32("appcred:" + seed.UserName + ":" + credential.Name),
                Name = credential.Name,
                Secret = credential.Secret,
            });
        }
        return account;
    }
}
