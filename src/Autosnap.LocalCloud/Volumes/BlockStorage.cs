using System;
using System.Collections.Generic;
using System.Globalization;
using Autosnap.LocalCloud.State;

namespace Autosnap.LocalCloud.Volumes;

/// <summary>A refusal in Cinder's words: the status and the message of its fault envelope.</summary>
public sealed record CinderError(int Code, string Message)
{
    /// <summary>Cinder's quota errors are 413 with Retry-After: 0 and say which exception refused.</summary>
    public bool OverQuota => Code == 413;
}

/// <summary>
/// Cinder's rules, shared by its API and by Nova (which makes snapshots of a volume-backed server's volumes
/// through Cinder): quotas, snapshot create and delete, volume create from a snapshot. Callers hold the
/// region's lock and have settled it.
/// </summary>
public static class BlockStorage
{
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>Cinder's absolute limits for one project in a region (the /limits "absolute" map).</summary>
    public static (int MaxSnapshots, int MaxVolumes, int MaxGigabytes, int Snapshots, int Volumes, long Gigabytes)
        Limits(CloudSettings settings, RegionState region, string tenantId)
    {
        var (volumes, snapshots, gigabytes) = region.VolumeUsage(tenantId);
        return (settings.MaxTotalSnapshots, settings.MaxTotalVolumes, settings.MaxTotalVolumeGigabytes, snapshots, volumes, gigabytes);
    }

    /// <summary>Cinder's quota reservation for one more snapshot of <paramref name="size"/> GB: snapshots first, then gigabytes.</summary>
    private static CinderError? ReserveSnapshot(CloudSettings settings, RegionState region, string tenantId, int size)
    {
        var (_, snapshots, gigabytes) = region.VolumeUsage(tenantId);
        if (settings.MaxTotalSnapshots >= 0 && snapshots + 1 > settings.MaxTotalSnapshots)
            return new CinderError(413, $"SnapshotLimitExceeded: Maximum number of snapshots allowed ({settings.MaxTotalSnapshots}) exceeded");
        return ReserveGigabytes(settings, gigabytes, size);
    }

    private static CinderError? ReserveGigabytes(CloudSettings settings, long consumed, int size)
    {
        if (settings.MaxTotalVolumeGigabytes >= 0 && consumed + size > settings.MaxTotalVolumeGigabytes)
            return new CinderError(413, "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. " +
                                        $"Requested {size}G, quota is {settings.MaxTotalVolumeGigabytes}G and {consumed}G has been consumed.");
        return null;
    }

    /// <summary>
    /// POST /snapshots: a snapshot of <paramref name="volume"/>, creating until volumeSnapshotSeconds have passed on
    /// the virtual clock (0: available before the answer). Without force the volume must be available.
    /// </summary>
    public static (VolumeSnapshot? Snapshot, CinderError? Error) CreateSnapshot(CloudState state, RegionState region,
        Volume volume, string? name, string? description, IDictionary<string, string>? metadata, bool force)
    {
        if (!force && volume.Status != "available")
            return (null, new CinderError(400, $"Invalid volume: Volume {volume.Id} status must be available, but current status is: {volume.Status}."));
        if (volume.Status is not ("available" or "in-use"))
            return (null, new CinderError(400, $"Invalid volume: Volume {volume.Id} status must be available or in-use, but current status is: {volume.Status}."));
        var settings = state.Settings;
        if (ReserveSnapshot(settings, region, volume.TenantId, volume.Size) is { } refused) return (null, refused);

        var now = state.Now;
        var snapshot = new VolumeSnapshot
        {
            Id = state.Random.NewUuid(), Region = region.Name, TenantId = volume.TenantId, UserId = volume.UserId,
            Name = name, Description = description, VolumeId = volume.Id, Size = volume.Size,
            CreatedAt = now, Status = "creating",
            DueAt = now.AddSeconds(settings.VolumeSnapshotSeconds),
            WillFail = settings.VolumeSnapshotFailRate > 0 && state.Random.NextDouble() < settings.VolumeSnapshotFailRate,
        };
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) snapshot.Metadata[k] = v;
        region.VolumeSnapshots.Add(snapshot.Id, snapshot);
        region.Settle(now);   // a zero-second snapshot is available in the answer
        return (snapshot, null);
    }

    /// <summary>DELETE /snapshots/{id}: deleting, then gone (or error_deleting, or back to available when busy).</summary>
    public static CinderError? DeleteSnapshot(CloudState state, RegionState region, VolumeSnapshot snapshot)
    {
        if (snapshot.Status is not ("available" or "error"))
            return new CinderError(400, "Invalid snapshot: Snapshot status must be available or error and must not be part of a group.");
        var settings = state.Settings;
        var now = state.Now;
        snapshot.Status = "deleting";
        snapshot.UpdatedAt = now;
        snapshot.DueAt = now.AddSeconds(settings.VolumeSnapshotSeconds);
        snapshot.WillFail = settings.VolumeSnapshotDeleteFailRate > 0 && state.Random.NextDouble() < settings.VolumeSnapshotDeleteFailRate;
        region.Settle(now);
        return null;
    }

    /// <summary>POST /volumes: an empty volume, or one made from an available snapshot (at least its size).</summary>
    public static (Volume? Volume, CinderError? Error) CreateVolume(CloudState state, RegionState region, Account account,
        int? size, VolumeSnapshot? source, string? name, string? description, string? volumeType,
        IDictionary<string, string>? metadata)
    {
        if (source is not null && source.Status != "available")
            return (null, new CinderError(400, "Invalid snapshot: Originating snapshot status must be 'available' to create a volume."));
        var gigabytes = size ?? source?.Size ?? 0;
        if (gigabytes < 1)
            return (null, new CinderError(400, $"Invalid input received: Volume size '{gigabytes}' must be an integer and greater than 0"));
        if (source is not null && gigabytes < source.Size)
            return (null, new CinderError(400, $"Invalid input received: Volume size '{gigabytes}'GB cannot be smaller than the snapshot size {source.Size}GB. They must be >= original snapshot size."));
        var settings = state.Settings;
        var (volumes, _, consumed) = region.VolumeUsage(account.TenantId);
        if (settings.MaxTotalVolumes >= 0 && volumes + 1 > settings.MaxTotalVolumes)
            return (null, new CinderError(413, $"VolumeLimitExceeded: Maximum number of volumes allowed ({settings.MaxTotalVolumes}) exceeded for quota 'volumes'."));
        if (ReserveGigabytes(settings, consumed, gigabytes) is { } refused) return (null, refused);

        var now = state.Now;
        var origin = source is null ? null : region.Volumes.GetValueOrDefault(source.VolumeId);
        var volume = new Volume
        {
            Id = state.Random.NewUuid(), Region = region.Name, TenantId = account.TenantId, UserId = account.UserId,
            Name = name, Description = description, Size = gigabytes, SnapshotId = source?.Id,
            Bootable = origin?.Bootable ?? false, CreatedAt = now, Status = "creating",
            DueAt = now.AddSeconds(settings.VolumeSeconds),
        };
        if (volumeType is not null) volume.VolumeType = volumeType;
        else if (origin is not null) volume.VolumeType = origin.VolumeType;
        if (origin is not null) foreach (var (k, v) in origin.ImageMetadata) volume.ImageMetadata[k] = v;
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) volume.Metadata[k] = v;
        region.Volumes.Add(volume.Id, volume);
        region.Settle(now);
        return (volume, null);
    }

    /// <summary>DELETE /volumes/{id}: only a detached volume without snapshots, in a settled status.</summary>
    public static CinderError? DeleteVolume(CloudState state, RegionState region, Volume volume)
    {
        var hasSnapshots = false;
        foreach (var snapshot in region.VolumeSnapshots.Values) hasSnapshots |= snapshot.VolumeId == volume.Id;
        if (volume.Status is not ("available" or "error") || volume.Attachments.Count > 0 || hasSnapshots)
            return new CinderError(400, "Invalid volume: Volume status must be available or error or error_restoring or error_extending or " +
                                        "error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a " +
                                        "transfer, or be disassociated from snapshots after volume transfer.");
        var now = state.Now;
        volume.Status = "deleting";
        volume.UpdatedAt = now;
        volume.DueAt = now.AddSeconds(state.Settings.VolumeSeconds);
        region.Settle(now);
        return null;
    }
}
