using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Autosnap.LocalCloud.State;

/// <summary>
/// One region: its servers and images and the snapshots running there, and its block storage (volumes and
/// volume snapshots). Every access holds <see cref="Lock"/> and starts with <see cref="Settle"/>, which moves
/// running snapshots and builds along to the present, and volumes and volume snapshots to the virtual clock's now.
/// </summary>
public sealed class RegionState
{
    private readonly List<SnapshotJob> _jobs = [];
    private readonly List<Server> _building = [];
    private readonly List<Server> _deleting = [];

    public RegionState(string name) => Name = name;

    public string Name { get; }
    public object Lock { get; } = new();
    public Dictionary<string, Server> Servers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public ImageStore Images { get; } = new();
    public Dictionary<string, Volume> Volumes { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, VolumeSnapshot> VolumeSnapshots { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Neutron's networks here (the shared public and private ones, each account's isolated and loopback).</summary>
    public List<Network> Networks { get; } = [];
    public List<SecurityGroup> SecurityGroups { get; } = [];
    private int _ordinal;

    /// <summary>A new server's ordinal (1-based, never reused): its addresses derive from it.</summary>
    public int NextOrdinal() => ++_ordinal;

    /// <summary>A network the project can use, by id, or null.</summary>
    public Network? Network(string id, string tenantId) =>
        Networks.FirstOrDefault(n => string.Equals(n.Id, id, StringComparison.OrdinalIgnoreCase) && n.IsVisibleTo(tenantId));

    /// <summary>The volumes attached to a server, the root disk first, then by device name.</summary>
    public List<(Volume Volume, VolumeAttachment Attachment)> AttachedTo(string serverId) =>
        Volumes.Values
            .SelectMany(v => v.Attachments.Where(a => string.Equals(a.ServerId, serverId, StringComparison.OrdinalIgnoreCase))
                .Select(a => (Volume: v, Attachment: a)))
            .OrderBy(p => p.Attachment.BootIndex is null ? 1 : 0)
            .ThenBy(p => p.Attachment.Device, StringComparer.Ordinal)
            .ToList();

    /// <summary>What one project uses of this region's Cinder: volumes, snapshots, gigabytes (volumes and snapshots).</summary>
    public (int Volumes, int Snapshots, long Gigabytes) VolumeUsage(string tenantId)
    {
        int volumes = 0, snapshots = 0;
        long gigabytes = 0;
        foreach (var volume in Volumes.Values)
        {
            if (volume.TenantId != tenantId) continue;
            volumes++;
            gigabytes += volume.Size;
        }
        foreach (var snapshot in VolumeSnapshots.Values)
        {
            if (snapshot.TenantId != tenantId) continue;
            snapshots++;
            gigabytes += snapshot.Size;
        }
        return (volumes, snapshots, gigabytes);
    }

    public int RunningJobs => _jobs.Count;

    public void AddJob(SnapshotJob job) => _jobs.Add(job);

    public void AddBuilding(Server server)
    {
        if (!_building.Contains(server)) _building.Add(server);
    }

    /// <summary>
    /// DELETE: the server's volumes are detached (delete_on_termination ones deleted) and it is gone, at
    /// <paramref name="until"/> on the virtual clock (task_state deleting, then DELETED, until then) or at once.
    /// </summary>
    public void DeleteServer(Server server, DateTimeOffset now, DateTimeOffset until, Action<Volume> deleteVolume)
    {
        _building.Remove(server);
        server.ReadyAt = null;
        server.FailsWith = null;
        if (until > now)
        {
            server.Deleting = (now, until);
            server.TaskState = "deleting";
            server.Updated = now;
            if (!_deleting.Contains(server)) _deleting.Add(server);
            return;
        }
        _deleting.Remove(server);
        foreach (var (volume, attachment) in AttachedTo(server.Id))
        {
            volume.Attachments.Remove(attachment);
            volume.UpdatedAt = now;
            volume.Status = volume.RestingStatus;
            if (attachment.DeleteOnTermination) deleteVolume(volume);
        }
        Servers.Remove(server.Id);
    }

    /// <summary>Set by the state that owns this region: how a delete_on_termination volume is deleted.</summary>
    public Action<Volume>? DeleteVolume { get; set; }

    /// <summary>Moves every running snapshot and build <paramref name="by"/> further along (demos and tests).</summary>
    public void FastForward(TimeSpan by, DateTimeOffset now)
    {
        var ticks = (long)(by.TotalSeconds * Stopwatch.Frequency);
        foreach (var job in _jobs)
        {
            job.StartedTimestamp -= ticks;
            if (job.StartedAt is { } started) job.StartedAt = started - by;
        }
        foreach (var server in _building) server.ReadyAt -= by;
        Settle(now);
    }

    /// <summary>Applies the progress of every running snapshot and build; cheap when nothing runs.</summary>
    public void Settle(DateTimeOffset now)
    {
        if (_deleting.Count > 0)
        {
            foreach (var server in _deleting.ToList())
            {
                if (server.Deleting is not { } deleting) continue;
                if (now >= deleting.Until)
                {
                    DeleteServer(server, deleting.Until, deleting.Until, DeleteVolume ?? (_ => { }));
                }
                else if (now >= deleting.Since + (deleting.Until - deleting.Since) / 2 && server.Status != "DELETED")
                {
                    server.Status = "DELETED";
                    server.VmState = "deleted";
                    server.TaskState = null;
                    server.Updated = now;
                }
            }
        }
        if (Volumes.Count > 0 || VolumeSnapshots.Count > 0) SettleVolumes(now);
        if (_building.Count > 0)
        {
            for (var i = _building.Count - 1; i >= 0; i--)
            {
                var server = _building[i];
                if (server.ReadyAt is { } at && now < at)
                {
                    var task = server.BuildTaskState(now);
                    if (server.TaskState != task) server.TaskState = task;
                    continue;
                }
                if (server.Status is "BUILD" or "REBUILD")
                {
                    var done = server.ReadyAt ?? now;
                    if (server.FailsWith is { } message)
                    {
                        server.Status = "ERROR";
                        server.VmState = "error";
                        server.Fault = (500, message, done);
                    }
                    else
                    {
                        server.Status = "ACTIVE";
                        server.VmState = "active";
                    }
                    server.TaskState = null;
                    server.Updated = done;
                }
                server.ReadyAt = null;
                server.FailsWith = null;
                _building.RemoveAt(i);
            }
        }
        if (_jobs.Count == 0) return;
        for (var i = _jobs.Count - 1; i >= 0; i--)
        {
            var job = _jobs[i];
            var fraction = job.FractionAt(now);
            job.SettledFraction = fraction;
            Servers.TryGetValue(job.ServerId, out var server);
            var image = Images.Find(job.ImageId);
            if (fraction >= 1)
            {
                if (!job.ImageFinished)
                {
                    FinishImage(job, image, now);
                    job.ImageFinished = true;
                }
                if (job.ServerFinishedAt(now))
                {
                    FinishServer(job, server, now);
                    _jobs.RemoveAt(i);
                }
                else if (server is not null && server.RunningJob == job && server.TaskState != job.TaskStateAt(0.99))
                {
                    // the image is done, Nova has not cleared the task_state yet: still the upload's
                    server.TaskState = job.TaskStateAt(0.99);
                    server.Updated = now;
                }
                continue;
            }
            var task = job.TaskStateAt(fraction);
            if (server is not null && server.RunningJob == job && server.TaskState != task)
            {
                server.TaskState = task;
                server.Updated = now;
            }
            var status = SnapshotJob.ImageStatusAt(fraction);
            if (image is not null && image.Status != status)
            {
                image.Status = status;
                image.UpdatedAt = now;
                Images.Changed();
            }
        }
    }

    /// <summary>Volumes and volume snapshots whose create or delete is due on the virtual clock are done.</summary>
    private void SettleVolumes(DateTimeOffset now)
    {
        List<string>? gone = null;
        foreach (var snapshot in VolumeSnapshots.Values)
        {
            if (snapshot.DueAt is not { } due || now < due) continue;
            snapshot.DueAt = null;
            snapshot.UpdatedAt = due;
            if (snapshot.Status == "creating")
            {
                snapshot.Status = snapshot.WillFail ? "error" : "available";
            }
            else if (snapshot.Status == "deleting")
            {
                if (snapshot.WillFail) snapshot.Status = "error_deleting";
                // the backend refuses (Cinder's SnapshotIsBusy): the volume manager puts it back to available
                else if (Volumes.Values.Any(v => v.SnapshotId == snapshot.Id)) snapshot.Status = "available";
                else (gone ??= []).Add(snapshot.Id);
            }
        }
        if (gone is not null) foreach (var id in gone) VolumeSnapshots.Remove(id);
        gone = null;
        foreach (var volume in Volumes.Values)
        {
            if (volume.DueAt is not { } due || now < due) continue;
            volume.DueAt = null;
            volume.UpdatedAt = due;
            if (volume.Status == "creating") volume.Status = volume.RestingStatus;
            else if (volume.Status == "deleting") (gone ??= []).Add(volume.Id);
        }
        if (gone is not null) foreach (var id in gone) Volumes.Remove(id);
    }

    private static void FinishServer(SnapshotJob job, Server? server, DateTimeOffset now)
    {
        if (server is not null && server.RunningJob == job)
        {
            server.TaskState = null;
            server.RunningJob = null;
            server.Updated = now;
        }
    }

    private void FinishImage(SnapshotJob job, Image? image, DateTimeOffset now)
    {
        if (image is null) return;   // deleted while it was being made
        image.Job = null;
        image.UpdatedAt = now;
        if (job.WillFail && job.DeleteOnFailure)
        {
            // Nova wraps snapshot and backup in delete_image_on_error: the image is gone from Glance
            Images.Remove(image.Id, now);
            return;
        }
        if (job.WillFail)
        {
            image.Status = "killed";
        }
        else
        {
            image.Status = "active";
            image.Size = job.FinalSize;
            image.VirtualSize = null;
            image.DiskFormat ??= "vhd";
            image.ContainerFormat ??= "ovf";
            image.Checksum = StableIds.Hex32("checksum:" + image.Id);
            image.OsHashValue = StableIds.Hex32("sha512a:" + image.Id) + StableIds.Hex32("sha512b:" + image.Id)
                              + StableIds.Hex32("sha512c:" + image.Id) + StableIds.Hex32("sha512d:" + image.Id);
        }
        Images.Changed();
        if (job.Kind == "backup" && job.BackupType is not null) RotateBackups(job, now);
    }

    /// <summary>
    /// Nova's createBackup rotation, run after the upload: keep the newest <c>rotation</c> backups of this
    /// server and backup type (the new one counts), delete the rest.
    /// </summary>
    private void RotateBackups(SnapshotJob job, DateTimeOffset now)
    {
        var backups = Images.WithProperty("instance_uuid", job.ServerId)
            .Where(i => i.Property("image_type") == "backup" && i.Property("backup_type") == job.BackupType)
            .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id, StringComparer.Ordinal)
            .ToList();
        foreach (var old in backups.Skip(job.Rotation)) Images.Remove(old.Id, now);
    }
}
