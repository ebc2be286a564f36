using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Autosnap.LocalCloud.Volumes;
using Microsoft.AspNetCore.Http;

namespace Autosnap.LocalCloud.Compute;

/// <summary>
/// A server's life: POST /servers (from an image, from a volume-backed snapshot image's block device mapping, or
/// from block_device_mapping_v2), BUILD then ACTIVE or ERROR on the virtual clock, DELETE /servers/{id} (with its
/// delete_on_termination volumes), and the rebuild action. Nova's checks and answers, in Nova's order: the schema,
/// then flavor, image, networks, key, security groups, availability zone, quota.
/// </summary>
public static class ServerLifecycle
{
    private const long GiB = 1024L * 1024 * 1024;

    /// <summary>One block device the boot will attach: a volume to make (from a snapshot, an image or blank) or an existing one.</summary>
    private sealed record Device(string Source, string? Uuid, int? Size, int? BootIndex, bool DeleteOnTermination, string? DeviceName);

    public static async Task Boot(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var body = await RequestBody.ReadObject(context, Service.Compute);
        if (body is null) return;
        if (body["server"] is not JsonObject request)
        {
            await Errors.Nova(context, 400, "Invalid input for field/attribute server. 'server' is a required property");
            return;
        }
        var (parsed, error) = Parse(call, request);
        if (error is not null)
        {
            await Errors.Nova(context, 400, error);
            return;
        }
        var p = parsed!;
        var flavor = state.Flavor(p.FlavorRef.Split('/')[^1]);
        if (flavor is null)
        {
            await Errors.Nova(context, 400, $"Flavor {p.FlavorRef} could not be found.");
            return;
        }
        if (p.ImageRef is not null && ImageOutage.NovaCannotReachGlance(context, state, call, out var glanceDown))
        {
            // Nova reads the image from Glance before it boots anything
            await glanceDown;
            return;
        }
        var region = call.Region!;
        Server? server;
        (int Code, string Message)? failure;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            (server, failure) = BootLocked(state, region, call, p, flavor);
        }
        if (failure is { } f)
        {
            await Errors.Nova(context, f.Code, f.Message);
            return;
        }
        context.Response.Headers.Location = $"{call.ComputeRoot}/servers/{server!.Id}";
        await JsonOut.Write(context, 202, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("server");
            w.WriteString("id", server.Id);
            ComputeViews.Links(w, call, "servers", server.Id);
            w.WriteString("adminPass", state.Random.NewToken("").Substring(0, 12));
            w.WriteString("OS-DCF:diskConfig", "AUTO");
            w.WriteStartArray("security_groups");
            foreach (var group in server.SecurityGroups)
            {
                w.WriteStartObject(); w.WriteString("name", group); w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private sealed record BootRequest(
        string Name, string FlavorRef, string? ImageRef, JsonNode? Networks, string? KeyName, List<string> SecurityGroups,
        string? AvailabilityZone, Dictionary<string, string> Metadata, List<Device> Devices, List<string> Tags);

    /// <summary>The schema checks (Nova's 400 "Invalid input for field/attribute ..."), before anything is looked up.</summary>
    private static (BootRequest?, string?) Parse(ApiCall call, JsonObject request)
    {
        var name = request.String("name");
        if (string.IsNullOrWhiteSpace(name) || name.Length > 255)
            return (null, "Invalid input for field/attribute name. 'name' is a required property");
        var flavorRef = request.String("flavorRef") ?? (request["flavorRef"] is JsonValue fv && fv.TryGetValue(out int fi) ? fi.ToString(CultureInfo.InvariantCulture) : null);
        if (flavorRef is null) return (null, "Invalid input for field/attribute server. 'flavorRef' is a required property");
        var networks = request["networks"];
        if (networks is null && call.AtLeast(37))
            return (null, $"Invalid input for field/attribute server. Value: {request.ToJsonString()}. 'networks' is a required property");
        if (networks is JsonValue nv)
        {
            var text = nv.TryGetValue(out string? s) ? s : nv.ToJsonString();
            if (!call.AtLeast(37)) return (null, $"Invalid input for field/attribute networks. Value: {text}. '{text}' is not of type 'array'");
            if (text is not ("auto" or "none"))
                return (null, $"Invalid input for field/attribute networks. Value: {text}. '{text}' is not one of ['none', 'auto']");
        }
        else if (networks is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is not JsonObject entry || (entry.String("uuid") is null && entry.String("port") is null))
                    return (null, $"Invalid input for field/attribute networks. Value: {item?.ToJsonString() ?? "None"}. 'uuid' is a required property");
            }
        }
        else if (networks is not null)
        {
            return (null, $"Invalid input for field/attribute networks. Value: {networks.ToJsonString()}. {networks.ToJsonString()} is not of type 'array'");
        }
        var groups = new List<string>();
        if (request["security_groups"] is JsonArray sg)
        {
            foreach (var item in sg)
            {
                if (item is not JsonObject entry || entry.String("name") is not { Length: > 0 } groupName)
                    return (null, $"Invalid input for field/attribute security_groups. Value: {item?.ToJsonString() ?? "None"}. 'name' is a required property");
                groups.Add(groupName);
            }
        }
        else if (request["security_groups"] is not null)
        {
            return (null, $"Invalid input for field/attribute security_groups. Value: {request["security_groups"]!.ToJsonString()}. {request["security_groups"]!.ToJsonString()} is not of type 'array'");
        }
        var (metadata, metadataError) = Metadata.Parse(request["metadata"], "metadata");
        if (metadataError is not null) return (null, metadataError);
        var devices = new List<Device>();
        if (request["block_device_mapping_v2"] is JsonArray bdm)
        {
            foreach (var item in bdm)
            {
                var (device, deviceError) = ParseDevice(item);
                if (deviceError is not null) return (null, deviceError);
                if (device is not null) devices.Add(device);
            }
        }
        var imageRef = request.String("imageRef");
        if (string.IsNullOrEmpty(imageRef)) imageRef = null;
        if (imageRef is not null && devices.Count > 0 && !devices.Any(d => d.BootIndex == 0))
        {
            // Nova wants the image as a mapping of its own (boot index 0, local) once there are mappings
            return (null, "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.");
        }
        var localImage = devices.FirstOrDefault(d => d.Source == "image-local");
        if (localImage is not null)
        {
            // an image to the local disk at boot index 0 is the same as imageRef
            imageRef ??= localImage.Uuid;
            devices.Remove(localImage);
        }
        if (imageRef is null && !devices.Any(d => d.BootIndex == 0))
            return (null, devices.Count == 0
                ? "Invalid input for field/attribute server. 'imageRef' is a required property"
                : "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.");
        var tags = new List<string>();
        if (request["tags"] is JsonArray tagArray && call.AtLeast(52))
        {
            // 2.52: tags at boot
            foreach (var item in tagArray)
            {
                var tag = item is JsonValue tv && tv.TryGetValue(out string? t) ? t : null;
                if (tag is null) return (null, $"Invalid input for field/attribute tags. Value: {item?.ToJsonString()}. Not a string");
                if (ComputeResources.TagError(tag) is { } tagError) return (null, tagError);
                if (!tags.Contains(tag)) tags.Add(tag);
            }
            if (tags.Count > ComputeResources.MaxTags) return (null, $"The number of tags exceeded the per-server limit {ComputeResources.MaxTags}");
        }
        else if (request.ContainsKey("tags"))
        {
            return (null, $"Invalid input for field/attribute server. Value: {request.ToJsonString()}. Additional properties are not allowed ('tags' was unexpected)");
        }
        return (new BootRequest(name, flavorRef, imageRef, networks, request.String("key_name"), groups,
            request.String("availability_zone"), metadata!, devices, tags), null);
    }

    private static (Device?, string?) ParseDevice(JsonNode? item)
    {
        if (item is not JsonObject entry) return (null, $"Invalid input for field/attribute block_device_mapping_v2. Value: {item?.ToJsonString() ?? "None"}. Not of type 'object'");
        var source = entry.String("source_type");
        var destination = entry.String("destination_type") ?? (source == "image" ? "local" : "volume");
        var uuid = entry.String("uuid");
        int? size = entry["volume_size"] is JsonValue sv && (sv.TryGetValue(out int n) || (sv.TryGetValue(out string? st) && int.TryParse(st, out n))) ? n : null;
        int? bootIndex = entry["boot_index"] is JsonValue bv && (bv.TryGetValue(out int b) || (bv.TryGetValue(out string? bs) && int.TryParse(bs, out b))) ? b : null;
        if (bootIndex < 0) bootIndex = null;
        var deleteOnTermination = entry["delete_on_termination"] is JsonValue dv && dv.TryGetValue(out bool d) && d;
        if (source is not ("image" or "snapshot" or "volume" or "blank"))
            return (null, $"Invalid input for field/attribute source_type. Value: {source ?? "None"}. '{source}' is not one of ['volume', 'image', 'snapshot', 'blank']");
        if (destination is not ("local" or "volume"))
            return (null, $"Invalid input for field/attribute destination_type. Value: {destination}. '{destination}' is not one of ['local', 'volume']");
        if (source != "blank" && !StableIds.IsUuid(uuid))
            return (null, "Block Device Mapping is Invalid: Missing device UUID.");
        if (destination == "local")
        {
            if (source == "image" && bootIndex == 0) return (new Device("image-local", uuid, null, 0, true, null), null);
            if (source == "blank") return (null, null);   // an ephemeral or swap disk: nothing Cinder makes
            return (null, "Block Device Mapping is Invalid: Mapping image to local is not supported.");
        }
        if (source is "image" or "blank" && size is not > 0)
            return (null, source == "image"
                ? "Block Device Mapping is Invalid: Images with destination_type 'volume' need to have a non-zero size specified"
                : "Block Device Mapping is Invalid: Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size");
        return (new Device(source, uuid, size, bootIndex, deleteOnTermination, entry.String("device_name")), null);
    }

    private static (Server?, (int, string)?) BootLocked(CloudState state, RegionState region, ApiCall call, BootRequest p, Flavor flavor)
    {
        var account = call.Account;
        var settings = state.Settings;
        if (p.Metadata.Count > Metadata.MaxItems)
            return (null, (call.LegacyCompute ? 413 : 403, $"Maximum number of metadata items exceeds {Metadata.MaxItems}"));
        Image? image = null;
        var devices = new List<Device>();
        if (p.ImageRef is not null)
        {
            image = region.Images.Find(p.ImageRef.Split('/')[^1]);
            if (image is null || !image.IsVisibleTo(account.TenantId)) return (null, (400, $"Image {p.ImageRef} could not be found."));
            if (image.Status != "active") return (null, (400, $"Image {image.Id} is not active."));
            // a volume-backed server's snapshot: Nova boots from the volumes its block device mapping names
            var (imageDevices, imageError) = ImageDevices(image);
            if (imageError is not null) return (null, (400, imageError));
            devices.AddRange(imageDevices);
        }
        foreach (var device in p.Devices)
        {
            // the request's mappings replace the image's for the same device (or boot index 0)
            devices.RemoveAll(d => (device.DeviceName is not null && d.DeviceName == device.DeviceName) || (device.BootIndex == 0 && d.BootIndex == 0));
            devices.Add(device);
        }
        var volumeBacked = devices.Any(d => d.BootIndex == 0);

        // the sources must exist (Nova asks Cinder and Glance before it accepts the request)
        foreach (var device in devices)
        {
            switch (device.Source)
            {
                case "snapshot":
                    if (!region.VolumeSnapshots.TryGetValue(device.Uuid!, out var snapshot) || snapshot.TenantId != account.TenantId)
                        return (null, (400, $"Block Device Mapping is Invalid: failed to get snapshot {device.Uuid}."));
                    if (snapshot.Status != "available")
                        return (null, (400, $"Invalid snapshot: snapshot {device.Uuid} status must be 'available'. Currently in '{snapshot.Status}'."));
                    break;
                case "volume":
                    if (!region.Volumes.TryGetValue(device.Uuid!, out var volume) || volume.TenantId != account.TenantId)
                        return (null, (400, $"Block Device Mapping is Invalid: failed to get volume {device.Uuid}."));
                    if (volume.Status != "available")
                        return (null, (400, $"Invalid volume: volume '{volume.Id}' status must be 'available'. Currently in '{volume.Status}'"));
                    break;
                case "image":
                    var source = region.Images.Find(device.Uuid!);
                    if (source is null || !source.IsVisibleTo(account.TenantId)) return (null, (400, $"Image {device.Uuid} could not be found."));
                    if (source.Status != "active") return (null, (400, $"Image {source.Id} is not active."));
                    if (source.MinDisk > device.Size)
                        return (null, (400, $"Volume is smaller than the minimum size specified in image metadata. Volume size is {device.Size * GiB} bytes, minimum size is {source.MinDisk * GiB} bytes."));
                    break;
            }
        }

        // the flavor against the image (Nova's _validate_flavor_image): memory always, disk when the root disk is the flavor's
        var bootImage = image ?? BootSourceImage(region, devices);
        if (bootImage is not null && flavor.Ram < bootImage.MinRam) return (null, (400, "Flavor's memory is too small for requested image."));
        if (!volumeBacked)
        {
            if (flavor.Disk == 0) return (null, (403, "Only volume-backed servers are allowed for flavors with zero disk."));
            if (image!.Size is { } size && size > flavor.Disk * GiB)
                return (null, (400, $"Flavor's disk is too small for requested image. Flavor disk is {flavor.Disk * GiB} bytes, image is {size} bytes."));
            if (image.MinDisk > flavor.Disk)
                return (null, (400, $"Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is {flavor.Disk * GiB} bytes, minimum size is {image.MinDisk * GiB} bytes."));
        }

        var (networks, networkError) = Networks(region, call, p.Networks);
        if (networkError is not null) return (null, networkError);
        if (p.KeyName is not null && account.Keypairs.All(k => k.Name != p.KeyName)) return (null, (400, "Invalid key_name provided."));
        foreach (var group in p.SecurityGroups)
        {
            if (!region.SecurityGroups.Any(g => g.TenantId == account.TenantId && (g.Name == group || string.Equals(g.Id, group, StringComparison.OrdinalIgnoreCase))))
                return (null, (400, $"Unable to find security_group with name or id '{group}'"));
        }
        if (p.AvailabilityZone is not null && p.AvailabilityZone != "nova")
            return (null, (400, "The requested availability zone is not available"));
        if (QuotaExceeded(state, region, account.TenantId, flavor, 1) is { } quota) return (null, (403, quota));

        var id = state.Random.NewUuid();
        var failsWith = BootFailure(state, region, id, bootImage);
        // Nova shows the image a server was booted with, also when its root disk is a volume made from the image's mapping
        var server = state.AddServer(region, account, id, p.Name, image?.Id ?? "", flavor.Id, p.Metadata, "ACTIVE",
            state.Now, TimeSpan.FromSeconds(settings.BootSeconds), networks, p.KeyName,
            p.SecurityGroups.Count > 0 ? p.SecurityGroups : null, p.AvailabilityZone, failsWith, rootOnVolume: volumeBacked);
        server.Tags.AddRange(p.Tags);
        var cinderRefused = AttachDevices(state, region, account, server, devices);
        if (cinderRefused is not null)
        {
            // the volumes are made by nova-compute: Cinder's refusal ends the build, it is not the API's answer
            server.FailsWith = $"Build of instance {server.Id} aborted: {cinderRefused}";
            if (server.Status != "BUILD")
            {
                server.Status = "ERROR";
                server.VmState = "error";
                server.Fault = (500, server.FailsWith, state.Now);
                server.FailsWith = null;
            }
        }
        return (server, null);
    }

    /// <summary>The devices a volume-backed snapshot image's block_device_mapping names, or a 400 when one is gone.</summary>
    private static (List<Device>, string?) ImageDevices(Image image)
    {
        var devices = new List<Device>();
        if (image.Property("bdm_v2") != "True" || image.Property("block_device_mapping") is not { } text) return (devices, null);
        JsonArray? list;
        try
        {
            list = JsonNode.Parse(text) as JsonArray;
        }
        catch (JsonException)
        {
            return (devices, $"Invalid image metadata. Error: block_device_mapping of image {image.Id} is not valid JSON");
        }
        foreach (var entry in list ?? [])
        {
            if (entry is not JsonObject mapping) continue;
            var source = mapping.String("source_type") ?? "snapshot";
            var uuid = mapping.String("snapshot_id") ?? mapping.String("volume_id") ?? mapping.String("image_id");
            int? size = mapping["volume_size"] is JsonValue sv && sv.TryGetValue(out int n) ? n : null;
            int? bootIndex = mapping["boot_index"] is JsonValue bv && bv.TryGetValue(out int b) && b >= 0 ? b : null;
            var delete = mapping["delete_on_termination"] is JsonValue dv && dv.TryGetValue(out bool d) && d;
            if (source == "blank") uuid = null;
            devices.Add(new Device(source, uuid, size, bootIndex, delete, mapping.String("device_name")));
        }
        return (devices, null);
    }

    /// <summary>For a boot without an image: the image the root volume's source came from, if known (min_ram, "does not boot").</summary>
    private static Image? BootSourceImage(RegionState region, List<Device> devices)
    {
        var root = devices.FirstOrDefault(d => d.BootIndex == 0);
        if (root is null) return null;
        string? imageId = root.Source switch
        {
            "image" => root.Uuid,
            "volume" => region.Volumes.GetValueOrDefault(root.Uuid!)?.ImageMetadata.GetValueOrDefault("image_id"),
            "snapshot" => region.VolumeSnapshots.GetValueOrDefault(root.Uuid!) is { } s
                ? region.Volumes.GetValueOrDefault(s.VolumeId)?.ImageMetadata.GetValueOrDefault("image_id") : null,
            _ => null,
        };
        return imageId is null ? null : region.Images.Find(imageId);
    }

    /// <summary>Whether this boot (or rebuild) fails: an image marked "does not boot", or the seeded bootFailRate.</summary>
    private static string? BootFailure(CloudState state, RegionState region, string serverId, Image? image)
    {
        if (image is { DoesNotBoot: true })
            return $"Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance {serverId}.";
        if (state.Settings.BootFailRate > 0 && state.Random.NextDouble() < state.Settings.BootFailRate)
            return "No valid host was found. There are not enough hosts available.";
        return null;
    }

    /// <summary>
    /// The networks asked for: legacy v2 (Rackspace) defaults to PublicNet and ServiceNet; v2.1 below 2.37 to the
    /// project's only network, or Nova's 409 when it has several; "auto" takes ServiceNet (the shared private network),
    /// "none" none.
    /// </summary>
    private static (List<Network>?, (int, string)?) Networks(RegionState region, ApiCall call, JsonNode? requested)
    {
        var tenant = call.Account.TenantId;
        if (requested is null)
        {
            if (call.LegacyCompute) return (region.Networks.Where(n => n.Id is Network.PublicId or Network.PrivateId).ToList(), null);
            var available = region.Networks.Where(n => n.IsVisibleTo(tenant) && !n.External).ToList();
            if (available.Count == 1) return (available, null);
            return (null, (409, "Multiple possible networks found, use a Network ID to be more specific."));
        }
        if (requested is JsonValue value)
        {
            var text = value.GetValue<string>();
            return text == "none" ? ([], null) : (region.Networks.Where(n => n.Id == Network.PrivateId).ToList(), null);
        }
        var list = new List<Network>();
        foreach (var entry in requested.AsArray().OfType<JsonObject>())
        {
            if (entry.String("uuid") is not { } uuid) return (null, (400, $"Port {entry.String("port")} could not be found."));
            var network = region.Network(uuid, tenant);
            if (network is null) return (null, (400, $"Network {uuid} could not be found."));
            list.Add(network);
        }
        return (list, null);
    }

    /// <summary>Nova's TooManyInstances text when the project's instances, cores or RAM would go over; null when it fits.</summary>
    public static string? QuotaExceeded(CloudState state, RegionState region, string tenantId, Flavor flavor, int count)
    {
        var settings = state.Settings;
        var servers = region.Servers.Values.Where(s => s.TenantId == tenantId).ToList();
        var usedCores = servers.Sum(s => state.Flavor(s.FlavorId)?.Vcpus ?? 0);
        var usedRam = servers.Sum(s => state.Flavor(s.FlavorId)?.Ram ?? 0);
        var overs = new List<(string Resource, int Requested, int Used, int Allowed)>();
        if (settings.MaxTotalCores >= 0 && usedCores + flavor.Vcpus * count > settings.MaxTotalCores)
            overs.Add(("cores", flavor.Vcpus * count, usedCores, settings.MaxTotalCores));
        if (settings.MaxTotalInstances >= 0 && servers.Count + count > settings.MaxTotalInstances)
            overs.Add(("instances", count, servers.Count, settings.MaxTotalInstances));
        if (settings.MaxTotalRamSize >= 0 && usedRam + flavor.Ram * count > settings.MaxTotalRamSize)
            overs.Add(("ram", flavor.Ram * count, usedRam, settings.MaxTotalRamSize));
        if (overs.Count == 0) return null;
        string Join(Func<(string Resource, int Requested, int Used, int Allowed), object> pick) =>
            string.Join(", ", overs.Select(o => Convert.ToString(pick(o), CultureInfo.InvariantCulture)));
        var names = Join(o => o.Resource);
        return $"Quota exceeded for {names}: Requested {Join(o => o.Requested)}, but already used {Join(o => o.Used)} of {Join(o => o.Allowed)} {names}";
    }

    /// <summary>
    /// Makes and attaches the boot's volumes (in-use at once: Nova waits for them before it spawns). Returns Cinder's
    /// refusal (quota) when one cannot be made; the volumes made before it stay attached.
    /// </summary>
    private static string? AttachDevices(CloudState state, RegionState region, Account account, Server server, List<Device> devices)
    {
        var letter = 'b';
        foreach (var device in devices.OrderBy(d => d.BootIndex is null ? 1 : 0).ThenBy(d => d.BootIndex))
        {
            Volume volume;
            switch (device.Source)
            {
                case "volume":
                    volume = region.Volumes[device.Uuid!];
                    break;
                default:
                    var snapshot = device.Source == "snapshot" ? region.VolumeSnapshots[device.Uuid!] : null;
                    var (made, error) = BlockStorage.CreateVolume(state, region, account, device.Size ?? snapshot?.Size, snapshot,
                        "", "", null, null);
                    if (error is not null) return error.Message;
                    volume = made!;
                    if (device.Source == "image" && region.Images.Find(device.Uuid!) is { } image)
                    {
                        volume.Bootable = true;
                        CopyImageMetadata(volume, image);
                    }
                    break;
            }
            var name = device.DeviceName ?? (device.BootIndex == 0 ? server.RootDeviceName : "/dev/xvd" + letter++);
            while (device.DeviceName is null && device.BootIndex != 0 && region.AttachedTo(server.Id).Any(a => a.Attachment.Device == name))
                name = "/dev/xvd" + letter++;
            volume.Attachments.Add(new VolumeAttachment
            {
                Id = state.Random.NewUuid(), ServerId = server.Id, Device = name, BootIndex = device.BootIndex,
                DeleteOnTermination = device.DeleteOnTermination, AttachedAt = state.Now,
            });
            volume.Status = "in-use";
            volume.DueAt = null;
            volume.UpdatedAt = state.Now;
        }
        return null;
    }

    /// <summary>What Cinder keeps of the image a bootable volume was made from (volume_image_metadata).</summary>
    private static void CopyImageMetadata(Volume volume, Image image)
    {
        volume.ImageMetadata.Clear();
        volume.ImageMetadata["image_id"] = image.Id;
        volume.ImageMetadata["image_name"] = image.Name;
        volume.ImageMetadata["min_disk"] = image.MinDisk.ToString(CultureInfo.InvariantCulture);
        volume.ImageMetadata["min_ram"] = image.MinRam.ToString(CultureInfo.InvariantCulture);
        volume.ImageMetadata["disk_format"] = image.DiskFormat ?? "vhd";
        volume.ImageMetadata["container_format"] = image.ContainerFormat ?? "ovf";
        foreach (var (k, v) in image.CustomProperties)
            if (k is not ("image_type" or "block_device_mapping" or "bdm_v2")) volume.ImageMetadata[k] = v;
    }

    /// <summary>
    /// DELETE /servers/{id}: 204 (also for an ERROR or building server); gone at once, or after deleteSeconds on the
    /// virtual clock (task_state deleting, then DELETED, still listed and counted, as real Nova for a few seconds). Then
    /// its delete_on_termination volumes are deleted (one that still has snapshots stays, detached, as Nova only logs
    /// Cinder's refusal), the others detached and available. Its images stay (orphans), as in Nova.
    /// </summary>
    public static Task Delete(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var server = ComputeEndpoints.FindServer(context, call, out var notFound);
            if (server is null) return notFound;
            // a second DELETE while the first runs is accepted and changes nothing
            if (server.Deleting is null)
            {
                var now = state.Now;
                region.DeleteServer(server, now, now.AddSeconds(state.Settings.DeleteSeconds), v => BlockStorage.DeleteVolume(state, region, v));
            }
            return JsonOut.Empty(context, 204);
        }
    }

    /// <summary>
    /// The rebuild action: 202 with the server, REBUILD until bootSeconds later on the virtual clock, then ACTIVE (or
    /// ERROR). A volume-backed server: a different image only from 2.93 (Cinder's reimage of the root volume, which
    /// takes the image's volume_image_metadata); below, Nova's 400. A volume-backed snapshot image (no data) at 2.93
    /// is accepted and quietly fails as on the tier: ACTIVE again, nothing changed, the root volume "error".
    /// </summary>
    public static async Task Rebuild(HttpContext context, CloudState state, JsonNode? payload)
    {
        var call = ApiCall.Of(context);
        if (payload is not JsonObject request || request.String("imageRef") is not { Length: > 0 } imageRef)
        {
            await Errors.Nova(context, 400, $"Invalid input for field/attribute rebuild. Value: {payload?.ToJsonString() ?? "None"}. 'imageRef' is a required property");
            return;
        }
        var name = request.String("name");
        if (name is not null && (name.Trim().Length == 0 || name.Length > 255))
        {
            await Errors.Nova(context, 400, $"Invalid input for field/attribute name. Value: {name}. '{name}' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'");
            return;
        }
        var (metadata, metadataError) = request.ContainsKey("metadata") ? Metadata.Parse(request["metadata"], "metadata") : (null, null);
        if (metadataError is not null)
        {
            await Errors.Nova(context, 400, metadataError);
            return;
        }
        if (ImageOutage.NovaCannotReachGlance(context, state, call, out var glanceDown))
        {
            await glanceDown;
            return;
        }
        var region = call.Region!;
        Task result;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var server = ComputeEndpoints.FindServer(context, call, out var notFound);
            if (server is null)
            {
                result = notFound;
            }
            else
            {
                var failure = RebuildLocked(state, region, call, server, imageRef.Split('/')[^1], name, metadata);
                if (failure is null) context.Response.Headers.Location = $"{call.ComputeRoot}/servers/{server.Id}";
                result = failure is { } f
                    ? Errors.Nova(context, f.Item1, f.Item2)
                    : JsonOut.Write(context, 202, w =>
                    {
                        w.WriteStartObject();
                        w.WritePropertyName("server");
                        ComputeViews.Server(w, call, server, state.Flavor(server.FlavorId), adminPass: state.Random.NewToken("").Substring(0, 12));
                        w.WriteEndObject();
                    });
            }
        }
        await result;
    }

    private static (int, string)? RebuildLocked(CloudState state, RegionState region, ApiCall call, Server server, string imageId,
        string? name, Dictionary<string, string>? metadata)
    {
        if (server.TaskState is not null)
            return (409, $"Cannot 'rebuild' instance {server.Id} while it is in task_state {server.TaskState}");
        if (server.VmState is not ("active" or "stopped" or "error"))
            return (409, $"Cannot 'rebuild' instance {server.Id} while it is in vm_state {server.VmState}");
        var image = region.Images.Find(imageId);
        if (image is null || !image.IsVisibleTo(call.Account.TenantId)) return (400, "Cannot find image for rebuild");
        if (image.Status != "active") return (400, $"Image {image.Id} is not active.");
        var flavor = state.Flavor(server.FlavorId);
        if (flavor is not null && flavor.Ram < image.MinRam) return (400, "Flavor's memory is too small for requested image.");
        Volume? root = null;
        List<Device>? imageDevices = null;
        if (server.VolumeBacked)
        {
            root = region.AttachedTo(server.Id).FirstOrDefault(a => a.Attachment.BootIndex == 0).Volume;
            var original = server.ImageId.Length > 0 ? server.ImageId : root?.ImageMetadata.GetValueOrDefault("image_id");
            if (!call.AtLeast(93) && !string.Equals(original, image.Id, StringComparison.OrdinalIgnoreCase))
                return (400, $"Image {image.Id} is unacceptable: Unable to rebuild with a different image for a volume-backed server.");
            string? error;
            (imageDevices, error) = ImageDevices(image);
            if (error is not null) return (400, error);
        }
        else if (flavor is not null)
        {
            if (image.Size is { } size && size > flavor.Disk * GiB && flavor.Disk > 0)
                return (400, $"Flavor's disk is too small for requested image. Flavor disk is {flavor.Disk * GiB} bytes, image is {size} bytes.");
            if (image.MinDisk > flavor.Disk && flavor.Disk > 0)
                return (400, $"Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is {flavor.Disk * GiB} bytes, minimum size is {image.MinDisk * GiB} bytes.");
        }

        var now = state.Now;
        var failsWith = image.DoesNotBoot
            ? $"internal error: process exited while connecting to monitor: the guest did not start from image {image.Id}"
            : state.Settings.BootFailRate > 0 && state.Random.NextDouble() < state.Settings.BootFailRate
                ? "No valid host was found. There are not enough hosts available."
                : null;
        if (root is not null && imageDevices!.Count > 0)
        {
            // a volume-backed snapshot image has no data to reimage from: the tier's Nova accepts, Cinder's reimage
            // fails, Nova reverts - the server ends ACTIVE, image and volume content unchanged, the root volume "error"
            root.Status = "error";
            root.UpdatedAt = now;
            failsWith = null;
        }
        else if (root is not null)
        {
            // Cinder's reimage: the root volume keeps its id and takes the image
            CopyImageMetadata(root, image);
            root.UpdatedAt = now;
            if (server.ImageId.Length > 0) server.ImageId = image.Id;
        }
        else
        {
            server.ImageId = image.Id;
        }
        if (name is not null) server.Name = name;
        if (metadata is not null)
        {
            server.Metadata.Clear();
            foreach (var (k, v) in metadata) server.Metadata[k] = v;
        }
        server.Fault = null;
        server.Status = "REBUILD";
        server.VmState = server.VmState == "error" ? "active" : server.VmState;
        server.TaskState = "rebuilding";
        server.Updated = now;
        server.BuildSince = now;
        server.ReadyAt = now.AddSeconds(state.Settings.BootSeconds);
        server.FailsWith = failsWith;
        region.AddBuilding(server);
        if (state.Settings.BootSeconds <= 0)
        {
            // a zero-second rebuild is done in the answer, as a zero-second boot is
            region.Settle(now);
        }
        return null;
    }
}
