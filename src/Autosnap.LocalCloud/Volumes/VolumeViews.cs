using System.Text.Json;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;

namespace Autosnap.LocalCloud.Volumes;

/// <summary>
/// How Cinder prints volumes and snapshots: v3 says name/description, Rackspace's Cinder-based v1
/// display_name/display_description. Times are Cinder's naive ISO form with microseconds.
/// </summary>
public static class VolumeViews
{
    private static void Links(Utf8JsonWriter w, ApiCall call, string collection, string id)
    {
        // Cinder's bookmark is the self link without the version segment
        var bookmark = call.VolumeRoot.Replace(call.VolumeV1 ? "/v1/" : "/v3/", "/", System.StringComparison.Ordinal);
        w.WriteStartArray("links");
        w.WriteStartObject(); w.WriteString("href", $"{call.VolumeRoot}/{collection}/{id}"); w.WriteString("rel", "self"); w.WriteEndObject();
        w.WriteStartObject(); w.WriteString("href", $"{bookmark}/{collection}/{id}"); w.WriteString("rel", "bookmark"); w.WriteEndObject();
        w.WriteEndArray();
    }

    private static void WriteTime(Utf8JsonWriter w, string name, System.DateTimeOffset? time) =>
        w.WriteNullableString(name, time is { } t ? BlockStorage.Time(t) : null);

    private static void Names(Utf8JsonWriter w, ApiCall call, string? name, string? description)
    {
        w.WriteNullableString(call.VolumeV1 ? "display_name" : "name", name);
        w.WriteNullableString(call.VolumeV1 ? "display_description" : "description", description);
    }

    /// <summary>GET /volumes (v3): id, name, links.</summary>
    public static void VolumeSummary(Utf8JsonWriter w, ApiCall call, Volume volume)
    {
        w.WriteStartObject();
        w.WriteString("id", volume.Id);
        w.WriteNullableString("name", volume.Name);
        Links(w, call, "volumes", volume.Id);
        w.WriteEndObject();
    }

    public static void Volume(Utf8JsonWriter w, ApiCall call, Volume volume)
    {
        w.WriteStartObject();
        w.WriteString("id", volume.Id);
        Names(w, call, volume.Name, volume.Description);
        w.WriteString("status", volume.Status);
        w.WriteNumber("size", volume.Size);
        w.WriteString("availability_zone", "nova");
        w.WriteString("created_at", BlockStorage.Time(volume.CreatedAt));
        if (!call.VolumeV1) WriteTime(w, "updated_at", volume.UpdatedAt);
        w.WriteString("bootable", volume.Bootable ? "true" : "false");
        if (!call.VolumeV1)
        {
            w.WriteBoolean("encrypted", false);
            w.WriteBoolean("multiattach", false);
        }
        w.WriteStartArray("attachments");
        foreach (var attachment in volume.Attachments)
        {
            w.WriteStartObject();
            w.WriteString("id", volume.Id);
            if (!call.VolumeV1) w.WriteString("attachment_id", attachment.Id);
            w.WriteString("volume_id", volume.Id);
            w.WriteString("server_id", attachment.ServerId);
            if (!call.VolumeV1) w.WriteNull("host_name");
            w.WriteString("device", attachment.Device);
            if (!call.VolumeV1) w.WriteString("attached_at", BlockStorage.Time(attachment.AttachedAt));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (!call.VolumeV1) Links(w, call, "volumes", volume.Id);
        w.WriteStringMap("metadata", volume.Metadata);
        w.WriteNullableString("snapshot_id", volume.SnapshotId);
        w.WriteNull("source_volid");
        w.WriteString("volume_type", volume.VolumeType);
        if (volume.ImageMetadata.Count > 0) w.WriteStringMap("volume_image_metadata", volume.ImageMetadata);
        if (call.VolumeV1)
        {
            w.WriteEndObject();
            return;
        }
        w.WriteString("user_id", volume.UserId);
        w.WriteString("os-vol-tenant-attr:tenant_id", volume.TenantId);
        w.WriteNull("replication_status");
        w.WriteNull("consistencygroup_id");
        w.WriteNull("migration_status");
        if (call.Microversion >= 13) w.WriteNull("group_id");
        if (call.Microversion >= 48)
        {
            w.WriteBoolean("shared_targets", false);
            w.WriteString("service_uuid", StableIds.Uuid("cinder-volume:" + volume.Region));
        }
        if (call.Microversion >= 63) w.WriteString("volume_type_id", StableIds.Uuid("volume-type:" + volume.VolumeType));
        if (call.Microversion >= 65) w.WriteBoolean("consumes_quota", true);
        w.WriteEndObject();
    }

    /// <summary>A snapshot; <paramref name="detail"/> adds the extended attributes (show and /snapshots/detail).</summary>
    public static void Snapshot(Utf8JsonWriter w, ApiCall call, VolumeSnapshot snapshot, bool detail)
    {
        w.WriteStartObject();
        w.WriteString("id", snapshot.Id);
        w.WriteString("created_at", BlockStorage.Time(snapshot.CreatedAt));
        if (!call.VolumeV1) WriteTime(w, "updated_at", snapshot.UpdatedAt);
        Names(w, call, snapshot.Name, snapshot.Description);
        w.WriteString("volume_id", snapshot.VolumeId);
        w.WriteString("status", snapshot.Status);
        w.WriteNumber("size", snapshot.Size);
        w.WriteStringMap("metadata", snapshot.Metadata);
        if (detail)
        {
            w.WriteString("os-extended-snapshot-attributes:progress", snapshot.Status is "creating" or "error" ? "0%" : "100%");
            w.WriteString("os-extended-snapshot-attributes:project_id", snapshot.TenantId);
        }
        if (!call.VolumeV1)
        {
            if (call.Microversion >= 14) w.WriteNull("group_snapshot_id");
            if (call.Microversion >= 41) w.WriteString("user_id", snapshot.UserId);
            if (call.Microversion >= 65) w.WriteBoolean("consumes_quota", true);
        }
        w.WriteEndObject();
    }
}
