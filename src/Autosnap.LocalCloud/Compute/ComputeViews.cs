using System;
using System.Linq;
using System.Text.Json;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.Identity;
using Autosnap.LocalCloud.State;

namespace Autosnap.LocalCloud.Compute;

/// <summary>How Nova prints servers, flavors and (through its image proxy) images.</summary>
public static class ComputeViews
{
    public static void Links(Utf8JsonWriter w, ApiCall call, string collection, string id)
    {
        w.WriteStartArray("links");
        w.WriteStartObject(); w.WriteString("rel", "self"); w.WriteString("href", $"{call.ComputeRoot}/{collection}/{id}"); w.WriteEndObject();
        w.WriteStartObject(); w.WriteString("rel", "bookmark"); w.WriteString("href", $"{call.ComputeBookmarkRoot}/{collection}/{id}"); w.WriteEndObject();
        w.WriteEndArray();
    }

    public static void ServerSummary(Utf8JsonWriter w, ApiCall call, Server server)
    {
        w.WriteStartObject();
        w.WriteString("id", server.Id);
        w.WriteString("name", server.Name);
        Links(w, call, "servers", server.Id);
        w.WriteEndObject();
    }

    public static void Server(Utf8JsonWriter w, ApiCall call, Server server, Flavor? flavor, string? adminPass = null)
    {
        w.WriteStartObject();
        w.WriteString("id", server.Id);
        if (adminPass is not null) w.WriteString("adminPass", adminPass);
        w.WriteString("name", server.Name);
        w.WriteString("status", server.Status);
        w.WriteString("tenant_id", server.TenantId);
        w.WriteString("user_id", server.UserId);
        w.WriteStringMap("metadata", server.Metadata);
        w.WriteString("hostId", StableIds.Hex32("host:" + server.TenantId + server.Region).PadRight(56, '0'));
        if (server.ImageId.Length == 0)
        {
            // booted from a volume: Nova shows an empty string, not an object
            w.WriteString("image", "");
        }
        else
        {
            w.WriteStartObject("image");
            w.WriteString("id", server.ImageId);
            w.WriteStartArray("links");
            w.WriteStartObject(); w.WriteString("rel", "bookmark"); w.WriteString("href", $"{call.ComputeBookmarkRoot}/images/{server.ImageId}"); w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteStartObject("flavor");
        if (call.AtLeast(47))
        {
            // 2.47: the flavor is embedded as it was at boot
            w.WriteNumber("vcpus", flavor?.Vcpus ?? 1);
            w.WriteNumber("ram", flavor?.Ram ?? 1024);
            w.WriteNumber("disk", flavor?.Disk ?? 20);
            w.WriteNumber("ephemeral", flavor?.Ephemeral ?? 0);
            w.WriteNumber("swap", 0);
            w.WriteString("original_name", flavor?.Name ?? server.FlavorId);
            w.WriteStartObject("extra_specs");
            w.WriteEndObject();
        }
        else
        {
            w.WriteString("id", server.FlavorId);
            w.WriteStartArray("links");
            w.WriteStartObject(); w.WriteString("rel", "bookmark"); w.WriteString("href", $"{call.ComputeBookmarkRoot}/flavors/{server.FlavorId}"); w.WriteEndObject();
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteString("created", VirtualClock.Iso(server.Created));
        w.WriteString("updated", VirtualClock.Iso(server.Updated));
        w.WriteStartObject("addresses");
        if (server.Status != "BUILD" || call.LegacyCompute)
        {
            // Nova fills addresses once the network is allocated (during the build); Rackspace shows them at once
            foreach (var network in server.Ports.Select(p => p.NetworkName).Distinct())
            {
                w.WriteStartArray(network);
                foreach (var port in server.Ports.Where(p => p.NetworkName == network))
                {
                    w.WriteStartObject();
                    w.WriteNumber("version", 4);
                    w.WriteString("addr", port.Address);
                    if (!call.LegacyCompute)
                    {
                        w.WriteString("OS-EXT-IPS:type", "fixed");
                        w.WriteString("OS-EXT-IPS-MAC:mac_addr", port.Mac);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
        }
        w.WriteEndObject();
        w.WriteString("accessIPv4", server.AccessIPv4);
        w.WriteString("accessIPv6", "");
        Links(w, call, "servers", server.Id);
        w.WriteString("OS-DCF:diskConfig", "AUTO");
        w.WriteNumber("progress", server.Status is "BUILD" or "REBUILD" ? 50 : server.Status == "ACTIVE" ? 100 : 0);
        w.WriteString("OS-EXT-STS:vm_state", server.VmState);
        w.WriteNullableString("OS-EXT-STS:task_state", server.TaskState);
        w.WriteNumber("OS-EXT-STS:power_state", server.PowerState);
        w.WriteString("OS-EXT-AZ:availability_zone", server.AvailabilityZone);
        w.WriteString("OS-SRV-USG:launched_at", server.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteNull("OS-SRV-USG:terminated_at");
        w.WriteString("config_drive", "");
        w.WriteNullableString("key_name", server.KeyName);
        if (server.SecurityGroups.Count > 0 && server.Ports.Count > 0)
        {
            // Nova leaves security_groups out for a server without ports (networks "none")
            w.WriteStartArray("security_groups");
            foreach (var group in server.SecurityGroups)
            {
                w.WriteStartObject(); w.WriteString("name", group); w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (server.Fault is { } fault)
        {
            w.WriteStartObject("fault");
            w.WriteNumber("code", fault.Code);
            w.WriteString("message", fault.Message);
            w.WriteString("created", VirtualClock.Iso(fault.Created));
            w.WriteEndObject();
        }
        w.WriteStartArray("os-extended-volumes:volumes_attached");
        foreach (var (volume, attachment) in call.Region!.AttachedTo(server.Id))
        {
            w.WriteStartObject();
            w.WriteString("id", volume.Id);
            if (call.AtLeast(3)) w.WriteBoolean("delete_on_termination", attachment.DeleteOnTermination);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (call.AtLeast(9)) w.WriteBoolean("locked", false);
        if (call.AtLeast(19)) w.WriteNull("description");
        if (call.AtLeast(26))
        {
            w.WriteStartArray("tags");
            foreach (var tag in server.Tags) w.WriteStringValue(tag);
            w.WriteEndArray();
        }
        if (call.AtLeast(63)) w.WriteNull("trusted_image_certificates");
        if (call.AtLeast(73)) w.WriteNull("locked_reason");
        w.WriteEndObject();
    }

    /// <summary>
    /// The image proxy's metadata: the custom properties as strings, except a volume-backed snapshot's
    /// block_device_mapping, which Nova shows parsed (a list), as the tier does.
    /// </summary>
    public static void WriteImageMetadata(Utf8JsonWriter w, Image image)
    {
        w.WriteStartObject("metadata");
        foreach (var (key, value) in image.CustomProperties)
        {
            if (key == "block_device_mapping" && value.StartsWith('['))
            {
                w.WritePropertyName(key);
                try
                {
                    using var parsed = JsonDocument.Parse(value);
                    parsed.RootElement.WriteTo(w);
                    continue;
                }
                catch (JsonException)
                {
                    // not Nova's JSON (someone set it by hand): shown as the string it is
                }
                w.WriteStringValue(value);
                continue;
            }
            w.WriteString(key, value);
        }
        w.WriteEndObject();
    }

    public static void Flavor(Utf8JsonWriter w, ApiCall call, Flavor flavor, bool detail)
    {
        w.WriteStartObject();
        w.WriteString("id", flavor.Id);
        w.WriteString("name", flavor.Name);
        Links(w, call, "flavors", flavor.Id);
        if (detail)
        {
            w.WriteNumber("ram", flavor.Ram);
            w.WriteNumber("vcpus", flavor.Vcpus);
            w.WriteNumber("disk", flavor.Disk);
            w.WriteNumber("OS-FLV-EXT-DATA:ephemeral", flavor.Ephemeral);
            if (call.AtLeast(75)) w.WriteNumber("swap", 0); else w.WriteString("swap", "");
            w.WriteNumber("rxtx_factor", 1.0);
            w.WriteBoolean("os-flavor-access:is_public", true);
            w.WriteBoolean("OS-FLV-DISABLED:disabled", false);
            if (call.AtLeast(55)) w.WriteNull("description");
            if (call.AtLeast(61))
            {
                w.WriteStartObject("extra_specs");
                w.WriteEndObject();
            }
        }
        w.WriteEndObject();
    }

    /// <summary>Glance status as Nova's proxy shows it.</summary>
    public static string ImageStatus(Image image) => image.Status switch
    {
        "active" => "ACTIVE",
        "queued" or "saving" => "SAVING",
        "killed" => "ERROR",
        "deleted" or "pending_delete" => "DELETED",
        _ => "UNKNOWN",
    };

    /// <summary>
    /// Nova (v2.1) maps Glance's status to fixed steps: queued 25, saving 50, active 100, else 0. Rackspace (legacy
    /// v2) shows a running snapshot's progress growing 0..99; the fixed steps for images no snapshot is filling.
    /// </summary>
    public static int ImageProgress(ApiCall call, Image image)
    {
        if (call.LegacyCompute && image.Job is { } job && image.Status is "queued" or "saving")
            return Math.Min(99, (int)(job.SettledFraction * 100));
        return image.Status switch { "active" => 100, "queued" => 25, "saving" => 50, _ => 0 };
    }

    public static void ImageSummary(Utf8JsonWriter w, ApiCall call, Image image, string imageRoot)
    {
        w.WriteStartObject();
        w.WriteString("id", image.Id);
        w.WriteString("name", image.Name);
        ImageLinks(w, call, image, imageRoot);
        w.WriteEndObject();
    }

    public static void Image(Utf8JsonWriter w, ApiCall call, Image image, string imageRoot)
    {
        w.WriteStartObject();
        w.WriteString("id", image.Id);
        w.WriteString("name", image.Name);
        w.WriteString("status", ImageStatus(image));
        w.WriteNumber("progress", ImageProgress(call, image));
        w.WriteString("created", VirtualClock.Iso(image.CreatedAt));
        w.WriteString("updated", VirtualClock.Iso(image.UpdatedAt));
        w.WriteNumber("minDisk", image.MinDisk);
        w.WriteNumber("minRam", image.MinRam);
        WriteImageMetadata(w, image);
        // Nova reads a size Glance does not have yet as 0; Rackspace showed null
        w.WriteNullableNumber("OS-EXT-IMG-SIZE:size", call.LegacyCompute ? image.Size : image.Size ?? 0);
        if (image.Property("auto_disk_config") is { } auto)
            w.WriteString("OS-DCF:diskConfig", string.Equals(auto, "true", StringComparison.OrdinalIgnoreCase) ? "AUTO" : "MANUAL");
        if (image.InstanceUuid is { } serverId)
        {
            w.WriteStartObject("server");
            w.WriteString("id", serverId);
            Links(w, call, "servers", serverId);
            w.WriteEndObject();
        }
        if (image.Status == "killed")
        {
            w.WriteStartObject("fault");
            w.WriteNumber("code", 500);
            w.WriteString("message", "Image upload failed");
            w.WriteString("created", VirtualClock.Iso(image.UpdatedAt));
            w.WriteEndObject();
        }
        ImageLinks(w, call, image, imageRoot);
        w.WriteEndObject();
    }

    private static void ImageLinks(Utf8JsonWriter w, ApiCall call, Image image, string imageRoot)
    {
        w.WriteStartArray("links");
        w.WriteStartObject(); w.WriteString("rel", "self"); w.WriteString("href", $"{call.ComputeRoot}/images/{image.Id}"); w.WriteEndObject();
        w.WriteStartObject(); w.WriteString("rel", "bookmark"); w.WriteString("href", $"{call.ComputeBookmarkRoot}/images/{image.Id}"); w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("rel", "alternate");
        w.WriteString("type", "application/vnd.openstack.image");
        w.WriteString("href", $"{imageRoot}/images/{image.Id}");
        w.WriteEndObject();
        w.WriteEndArray();
    }

    public static string ImageRoot(Microsoft.AspNetCore.Http.HttpContext context, RegionState region) =>
        Catalog.ImageRoot($"{context.Request.Scheme}://{context.Request.Host}", region.Name);
}
