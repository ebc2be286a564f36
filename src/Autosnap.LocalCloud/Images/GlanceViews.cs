using System.Text.Json;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;

namespace Autosnap.LocalCloud.Images;

/// <summary>A Glance v2 image: flat, custom properties as top-level keys.</summary>
public static class GlanceViews
{
    public static void Image(Utf8JsonWriter w, Image image)
    {
        w.WriteStartObject();
        w.WriteString("id", image.Id);
        w.WriteString("name", image.Name);
        w.WriteString("status", image.Status);
        w.WriteString("visibility", image.Visibility);
        w.WriteBoolean("protected", image.Protected);
        w.WriteBoolean("os_hidden", image.OsHidden);
        w.WriteString("owner", image.Owner);
        w.WriteNullableNumber("size", image.Size);
        w.WriteNullableNumber("virtual_size", image.VirtualSize);
        w.WriteNullableString("checksum", image.Checksum);
        w.WriteNullableString("os_hash_algo", image.OsHashValue is null ? null : "sha512");
        w.WriteNullableString("os_hash_value", image.OsHashValue);
        w.WriteNullableString("container_format", image.ContainerFormat);
        w.WriteNullableString("disk_format", image.DiskFormat);
        w.WriteNumber("min_disk", image.MinDisk);
        w.WriteNumber("min_ram", image.MinRam);
        w.WriteStartArray("tags");
        foreach (var tag in image.Tags) w.WriteStringValue(tag);
        w.WriteEndArray();
        w.WriteString("created_at", VirtualClock.Iso(image.CreatedAt));
        w.WriteString("updated_at", VirtualClock.Iso(image.UpdatedAt));
        foreach (var (key, value) in image.CustomProperties) w.WriteString(key, value);
        w.WriteString("self", $"/v2/images/{image.Id}");
        w.WriteString("file", $"/v2/images/{image.Id}/file");
        w.WriteString("schema", "/v2/schemas/image");
        w.WriteEndObject();
    }
}
