using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Autosnap.LocalCloud.Volumes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Autosnap.LocalCloud.Compute;

/// <summary>
/// POST /servers/{id}/action: createImage and createBackup (the snapshot state machine starts here), and a
/// few power actions. A second snapshot while one runs gets Nova's 409.
/// </summary>
public static class ServerActions
{
    /// <summary>Properties a snapshot inherits from the server's base image (Nova skips the rest).</summary>
    private static readonly string[] InheritedProperties =
    [
        "os_type", "auto_disk_config", "vm_mode", "org.openstack__1__os_distro", "org.openstack__1__architecture",
        "com.rackspace__1__release_id",
    ];

    public static async Task Handle(HttpContext context, CloudState state)
    {
        var body = await RequestBody.ReadObject(context, Service.Compute);
        if (body is null) return;
        if (body.Count != 1)
        {
            await Errors.Nova(context, 400, "Malformed request body");
            return;
        }
        var (action, payload) = body.First();
        switch (action)
        {
            case "createImage":
                await CreateImage(context, state, payload, backup: false);
                break;
            case "createBackup":
                await CreateImage(context, state, payload, backup: true);
                break;
            case "rebuild":
                await ServerLifecycle.Rebuild(context, state, payload);
                break;
            case "reboot":
            case "os-start":
            case "os-stop":
                await Power(context, state, action);
                break;
            default:
                await Errors.Nova(context, 400, $"There is no such action: {action}");
                break;
        }
    }

    private static async Task CreateImage(HttpContext context, CloudState state, JsonNode? payload, bool backup)
    {
        var call = ApiCall.Of(context);
        var action = backup ? "createBackup" : "createImage";
        if (payload is not JsonObject request)
        {
            await Errors.Nova(context, 400, $"Invalid input for field/attribute {action}. Value: {payload?.ToJsonString() ?? "None"}. {payload?.ToJsonString() ?? "None"} is not of type 'object'");
            return;
        }
        var name = request.String("name");
        if (name is null)
        {
            await Errors.Nova(context, 400, $"Invalid input for field/attribute {action}. Value: {request.ToJsonString()}. 'name' is a required property");
            return;
        }
        if (name.Trim().Length == 0 || name.Length > 255)
        {
            await Errors.Nova(context, 400, $"Invalid input for field/attribute name. Value: {name}. '{name}' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'");
            return;
        }
        string? backupType = null;
        var rotation = 0;
        if (backup)
        {
            backupType = request.String("backup_type");
            if (backupType is null)
            {
                await Errors.Nova(context, 400, $"Invalid input for field/attribute createBackup. Value: {request.ToJsonString()}. 'backup_type' is a required property");
                return;
            }
            if (request["rotation"] is not JsonValue r || !TryInt(r, out rotation) || rotation < 0)
            {
                await Errors.Nova(context, 400, request.ContainsKey("rotation")
                    ? $"Invalid input for field/attribute rotation. Value: {request["rotation"]?.ToJsonString()}. Must be a non-negative integer"
                    : $"Invalid input for field/attribute createBackup. Value: {request.ToJsonString()}. 'rotation' is a required property");
                return;
            }
        }
        var (metadata, metadataError) = Metadata.Parse(request["metadata"], "metadata");
        if (metadataError is not null)
        {
            await Errors.Nova(context, 400, metadataError);
            return;
        }
        if (metadata!.Count > Metadata.MaxItems && !call.AtLeast(39))
        {
            // legacy v2 (Rackspace) answered over-quota metadata with 413; v2.1 before 2.39 with 403
            await Errors.Nova(context, call.LegacyCompute ? 413 : 403, "Image metadata limit exceeded");
            return;
        }

        var region = call.Region!;
        Image? image = null;
        (int Code, string Message)? failure = null;
        var glanceDown = false;
        var cinderDown = false;
        var orphan = call.HandlerFault is { Kind: "orphan" };
        lock (region.Lock)
        {
            var now = state.Now;
            region.Settle(now);
            var id = (string)context.Request.RouteValues["id"]!;
            if (!region.Servers.TryGetValue(id, out var server) || server.TenantId != call.Account.TenantId)
                failure = (404, $"Instance {id} could not be found.");
            else if (server.TaskState is not null)
                failure = (409, $"Cannot '{action}' instance {server.Id} while it is in task_state {server.TaskState}");
            else if (server.VmState is not ("active" or "stopped" or "paused" or "suspended"))
                failure = (409, $"Cannot '{action}' instance {server.Id} while it is in vm_state {server.VmState}");
            else if (server.VolumeBacked && backup)
                failure = (400, "Backup is not supported for volume-backed instances.");
            else if (server.VolumeBacked && ImageOutage.VolumesDown(state.Settings, region.Name))
                cinderDown = true;   // Nova's first call to Cinder (its limits) fails: nothing made, server idle
            else if (server.VolumeBacked)
            {
                // "orphan" does not apply: Nova makes the image last here, nothing of its runs after Glance to fail
                orphan = false;
                (image, failure, glanceDown) = SnapshotVolumeBacked(state, region, call.Account, server, name, metadata, now);
            }
            else if (ImageOutage.IsDown(state.Settings, region.Name))
                glanceDown = true;   // Nova's first call to Glance (create the image) fails: nothing made, server idle
            else if (orphan)
                image = NewSnapshotImage(state, region, call.Account, server, name, metadata, backupType, now);
            else
                image = StartSnapshot(state, region, call, server, name, metadata, backupType, rotation, now);
        }
        if (failure is { } f)
        {
            await Errors.Nova(context, f.Code, f.Message);
            return;
        }
        if (cinderDown)
        {
            await ImageOutage.NovaAnswerWithoutCinder(context, state);
            return;
        }
        if (glanceDown)
        {
            await ImageOutage.NovaAnswer(context, state);
            return;
        }
        if (orphan && image is not null)
        {
            // Glance made the image, then Nova's API failed to set the server's task_state (a database or queue
            // error): the image stays queued for ever and no snapshot runs
            context.RequestServices.GetRequiredService<RequestStats>().Fault("orphan", "after");
            await Errors.Nova(context, 500, OrphanMessage);
            return;
        }

        if (call.AtLeast(45))
        {
            await JsonOut.Write(context, 202, w =>
            {
                w.WriteStartObject();
                w.WriteString("image_id", image!.Id);
                w.WriteEndObject();
            });
            return;
        }
        // createBackup has a Location only when rotation > 0 (Nova's create_backup.py)
        if (!backup || rotation > 0)
        {
            // legacy v2 (Rackspace) points at the compute image; v2.1 at Glance with a double slash, as the tier's
            // Nova writes it for every server (its Glance endpoint ends in a slash once it sends service tokens)
            context.Response.Headers.Location = call.LegacyCompute
                ? $"{call.ComputeRoot}/images/{image!.Id}"
                : $"{ComputeViews.ImageRoot(context, region)}//images/{image!.Id}";
        }
        await JsonOut.Empty(context, 202);
    }

    /// <summary>Nova's answer when Cinder cannot take the snapshots (its quota check, or Cinder's own refusal).</summary>
    public const string SnapshotQuotaMessage = "Quota exceeded for resources: snapshots";

    /// <summary>
    /// Nova's snapshot_volume_backed, all inside the API call as real Nova does it: the project's Cinder limits
    /// first (403 and nothing made when the volumes' snapshots would not fit), then a forced Cinder snapshot of
    /// every attached volume ("snapshot for &lt;image name&gt;", the volume's description, no metadata; a refusal
    /// is the same 403 and leaves the snapshots already made), then a zero-size image, active at once, whose
    /// block_device_mapping names the snapshots. No task_state is set; the image has no instance_uuid,
    /// image_type or user_id. A stopped Glance fails the last step, after the snapshots.
    /// </summary>
    private static (Image? Image, (int, string)? Failure, bool GlanceDown) SnapshotVolumeBacked(CloudState state, RegionState region,
        Account account, Server server, string name, Dictionary<string, string> metadata, DateTimeOffset now)
    {
        // real Nova's order of the block device mappings (and so of its Cinder calls) changes from one createImage
        // to the next; here it is shuffled by the seeded random, so nothing may rely on it
        var attached = region.AttachedTo(server.Id);
        for (var i = attached.Count - 1; i > 0; i--)
        {
            var j = state.Random.Next(i + 1);
            (attached[i], attached[j]) = (attached[j], attached[i]);
        }
        var limits = BlockStorage.Limits(state.Settings, region, account.TenantId);
        if (limits.MaxSnapshots != -1 && limits.Snapshots + attached.Count > limits.MaxSnapshots)
            return (null, (403, SnapshotQuotaMessage), false);
        var mappings = new List<(Volume Volume, VolumeAttachment Attachment, VolumeSnapshot Snapshot)>();
        foreach (var (volume, attachment) in attached)
        {
            // Cinder's 500 inside the loop (the tier: a write lost to sqlite's lock): the earlier snapshots stay
            if (mappings.Count + 1 == state.Settings.NovaCinderErrorAt) return (null, (500, CinderClientException), false);
            var (snapshot, error) = BlockStorage.CreateSnapshot(state, region, volume, $"snapshot for {name}", volume.Description,
                null, force: true);
            if (error is not null) return (null, (403, SnapshotQuotaMessage), false);
            mappings.Add((volume, attachment, snapshot!));
        }
        if (ImageOutage.IsDown(state.Settings, region.Name)) return (null, null, true);

        var root = attached.FirstOrDefault(a => a.Attachment.BootIndex == 0).Volume;
        var image = CloudState.NewImage(region, state.Random.NewUuid(), name, account.TenantId, now);
        image.Status = "active";
        image.Visibility = "private";
        image.Size = 0;
        image.VirtualSize = null;
        image.DiskFormat = "qcow2";
        image.ContainerFormat = "bare";
        image.Checksum = EmptyMd5;
        image.OsHashValue = EmptySha512;
        image.MinDisk = root?.Size ?? 0;
        image.MinRam = root is not null && int.TryParse(root.ImageMetadata.GetValueOrDefault("min_ram"), out var minRam) ? minRam : 0;
        if (root is not null)
        {
            foreach (var key in InheritedProperties)
                if (root.ImageMetadata.TryGetValue(key, out var value)) image.Properties[key] = value;
        }
        image.Properties["block_device_mapping"] = BlockDeviceMapping(mappings);
        image.Properties["bdm_v2"] = "True";
        image.Properties["root_device_name"] = server.RootDeviceName;
        image.Properties["base_image_ref"] = "";
        image.Properties["owner_project_name"] = account.ProjectName;
        image.Properties["owner_user_name"] = account.UserName;
        image.Properties["boot_roles"] = "reader,member";
        foreach (var (key, value) in metadata) image.Properties[key] = value;   // Nova applies them last
        region.Images.Add(image);
        return (image, null, false);
    }

    /// <summary>Nova's answer when one of its Cinder snapshot calls fails with Cinder's 500.</summary>
    public const string CinderClientException =
        "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n" +
        "<class 'cinderclient.exceptions.ClientException'>";

    private const string EmptyMd5 = "d41d8cd98f00b204e9800998ecf8427e";
    private const string EmptySha512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce" +
                                       "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

    /// <summary>The image's block_device_mapping property: a JSON string as Nova's json.dumps writes it, one entry per volume.</summary>
    private static string BlockDeviceMapping(List<(Volume Volume, VolumeAttachment Attachment, VolumeSnapshot Snapshot)> mappings)
    {
        var entries = mappings.Select(m =>
            "{\"encryption_options\": null, \"no_device\": null, \"disk_bus\": null, \"volume_id\": null, \"tag\": null, " +
            $"\"image_id\": null, \"volume_size\": {m.Volume.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)}, " +
            "\"source_type\": \"snapshot\", \"device_type\": null, \"guest_format\": null, \"destination_type\": \"volume\", " +
            $"\"device_name\": {JsonSerializer.Serialize(m.Attachment.Device)}, \"volume_type\": null, \"encryption_format\": null, " +
            $"\"encryption_secret_uuid\": null, \"snapshot_id\": \"{m.Snapshot.Id}\", " +
            $"\"boot_index\": {(m.Attachment.BootIndex is { } index ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}, " +
            "\"encrypted\": null, \"delete_on_termination\": false}");
        return "[" + string.Join(", ", entries) + "]";
    }

    /// <summary>Nova's answer when its API fails after Glance made the image (the tier saw sqlite's "database is locked").</summary>
    public const string OrphanMessage =
        "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n" +
        "<class 'sqlalchemy.exc.OperationalError'>";

    /// <summary>
    /// Creates the Glance image at once (queued, with Nova's snapshot properties and the request metadata as
    /// top-level properties) and the job that carries it to active (or killed) over snapshotSeconds.
    /// </summary>
    private static Image StartSnapshot(CloudState state, RegionState region, ApiCall call, Server server, string name,
        Dictionary<string, string> metadata, string? backupType, int rotation, DateTimeOffset now)
    {
        var settings = state.Settings;
        var image = NewSnapshotImage(state, region, call.Account, server, name, metadata, backupType, now);
        var job = new SnapshotJob
        {
            ImageId = image.Id,
            ServerId = server.Id,
            StartedTimestamp = System.Diagnostics.Stopwatch.GetTimestamp(),
            Duration = TimeSpan.FromSeconds(settings.SnapshotSeconds),
            // snapshotSeconds 0 means done before the answer, server included; phased snapshots of 0 s likewise
            TaskStateLag = (settings.PhasedSnapshots ? PhasedSeconds(settings) : settings.SnapshotSeconds) > 0
                ? TimeSpan.FromSeconds(settings.TaskStateLagSeconds) : TimeSpan.Zero,
            StartedAt = settings.PhasedSnapshots ? now : null,
            Capture = TimeSpan.FromSeconds(settings.CaptureSeconds ?? 0),
            PendingUpload = TimeSpan.FromSeconds(settings.PendingUploadSeconds ?? 0),
            Upload = TimeSpan.FromSeconds(settings.UploadSeconds ?? 0),
            WillFail = settings.SnapshotFailRate > 0 && state.Random.NextDouble() < settings.SnapshotFailRate,
            FinalSize = state.Random.NextLong(400_000_000, 4_000_000_000),
            Legacy = call.LegacyCompute,
            DeleteOnFailure = settings.FailedSnapshots switch
            {
                "delete" => true,
                "keep" => false,
                _ => !call.LegacyCompute,   // auto: Nova (v2.1) deletes, Rackspace (legacy v2) keeps the killed image
            },
            Kind = backupType is null ? "snapshot" : "backup",
            BackupType = backupType,
            Rotation = rotation,
        };
        image.Job = job;
        server.RunningJob = job;
        server.TaskState = job.TaskStateAt(0);
        server.Updated = now;
        region.AddJob(job);
        region.Settle(now);   // a zero-second snapshot is active before the response
        return image;
    }

    private static double PhasedSeconds(CloudSettings settings) =>
        (settings.CaptureSeconds ?? 0) + (settings.PendingUploadSeconds ?? 0) + (settings.UploadSeconds ?? 0);

    /// <summary>The queued Glance image of a snapshot, in the store, with no job yet.</summary>
    private static Image NewSnapshotImage(CloudState state, RegionState region, Account account, Server server, string name,
        Dictionary<string, string> metadata, string? backupType, DateTimeOffset now)
    {
        var image = CloudState.NewImage(region, state.Random.NewUuid(), name, account.TenantId, now);
        image.Status = "queued";
        image.Visibility = "private";
        var baseImage = region.Images.Find(server.ImageId);
        image.MinDisk = state.Flavor(server.FlavorId)?.Disk ?? baseImage?.MinDisk ?? 0;
        image.MinRam = baseImage?.MinRam ?? 0;
        if (baseImage is not null)
        {
            foreach (var key in InheritedProperties)
                if (baseImage.Property(key) is { } value) image.Properties[key] = value;
        }
        image.Properties["instance_uuid"] = server.Id;
        image.Properties["image_type"] = backupType is null ? "snapshot" : "backup";
        if (backupType is not null) image.Properties["backup_type"] = backupType;
        image.Properties["user_id"] = account.UserId;
        image.Properties["base_image_ref"] = server.ImageId;
        image.Properties["owner_project_name"] = account.ProjectName;
        image.Properties["owner_user_name"] = account.UserName;
        image.Properties["boot_roles"] = "reader,member";
        foreach (var (key, value) in metadata) image.Properties[key] = value;   // Nova applies them last
        region.Images.Add(image);
        return image;
    }

    private static Task Power(HttpContext context, CloudState state, string action)
    {
        var call = ApiCall.Of(context);
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var server = ComputeEndpoints.FindServer(context, call, out var notFound);
            if (server is null) return notFound;
            if (server.TaskState is not null)
                return Errors.Nova(context, 409, $"Cannot '{action}' instance {server.Id} while it is in task_state {server.TaskState}");
            (server.Status, server.VmState) = action switch
            {
                "os-stop" => ("SHUTOFF", "stopped"),
                _ => ("ACTIVE", "active"),
            };
            server.Updated = state.Now;
            return JsonOut.Empty(context, 202);
        }
    }

    private static bool TryInt(JsonValue value, out int result)
    {
        if (value.TryGetValue(out result)) return true;
        // Nova accepts "3" too
        return value.TryGetValue(out string? text) && int.TryParse(text, out result);
    }
}
