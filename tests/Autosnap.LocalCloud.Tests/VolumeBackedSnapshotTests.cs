using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

/// <summary>Nova with Cinder: attached volumes on servers, and createImage of a volume-backed server as real Nova does it.</summary>
public sealed class VolumeBackedSnapshotTests
{
    private const string V3 = "volume/dfw/v3/100001";

    private static async Task<HttpResponseMessage> CreateImage(Cloud cloud, string root, string serverId, string name,
        string metadata = "{}", string? microversion = null)
    {
        var request = cloud.Request(HttpMethod.Post, $"{root}/servers/{serverId}/action",
            "{\"createImage\":{\"name\":\"" + name + "\",\"metadata\":" + metadata + "}}");
        if (microversion is not null) request.Headers.Add("OpenStack-API-Version", "compute " + microversion);
        return await cloud.Send(request);
    }

    private static async Task<JsonArray> Snapshots(Cloud cloud) => (await cloud.GetJson($"{V3}/snapshots/detail"))["snapshots"]!.AsArray();

    [Fact]
    public async Task Servers_show_their_volumes_on_both_compute_endpoints()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var bfv = await cloud.ServerId("bfv01");
        var app = await cloud.ServerId("app01");
        foreach (var root in new[] { cloud.Compute, cloud.Compute21 })
        {
            var servers = (await cloud.GetJson($"{root}/servers/detail"))["servers"]!.AsArray();
            var bfvView = servers.Single(s => s!["id"]!.GetValue<string>() == bfv)!;
            Assert.Equal(JsonValueKind.String, bfvView["image"]!.GetValueKind());
            Assert.Equal("", bfvView["image"]!.GetValue<string>());
            var rootVolume = bfvView["os-extended-volumes:volumes_attached"]!.AsArray().Single()!["id"]!.GetValue<string>();
            var appView = servers.Single(s => s!["id"]!.GetValue<string>() == app)!;
            Assert.Equal(JsonValueKind.Object, appView["image"]!.GetValueKind());
            var dataVolume = appView["os-extended-volumes:volumes_attached"]!.AsArray().Single()!["id"]!.GetValue<string>();
            Assert.Empty(servers.Single(s => s!["name"]!.GetValue<string>() == "web01")!["os-extended-volumes:volumes_attached"]!.AsArray());

            var attachments = (await cloud.GetJson($"{root}/servers/{app}/os-volume_attachments"))["volumeAttachments"]!.AsArray();
            var attachment = attachments.Single()!;
            Assert.Equal("/dev/xvdb", attachment["device"]!.GetValue<string>());
            Assert.Equal(dataVolume, attachment["volumeId"]!.GetValue<string>());
            Assert.Equal(dataVolume, attachment["id"]!.GetValue<string>());
            Assert.Equal(app, attachment["serverId"]!.GetValue<string>());
            var bfvAttachment = (await cloud.GetJson($"{root}/servers/{bfv}/os-volume_attachments"))["volumeAttachments"]!.AsArray().Single()!;
            Assert.Equal(rootVolume, bfvAttachment["volumeId"]!.GetValue<string>());
            Assert.Equal("/dev/xvda", bfvAttachment["device"]!.GetValue<string>());
        }
        var show = await cloud.Send(WithMicroversion(cloud.Request(HttpMethod.Get, $"{cloud.Compute21}/servers/{app}"), "2.3"));
        Assert.False((await Cloud.Json(show))["server"]!["os-extended-volumes:volumes_attached"]![0]!["delete_on_termination"]!.GetValue<bool>());
        var modern = await cloud.Send(WithMicroversion(cloud.Request(HttpMethod.Get, $"{cloud.Compute21}/servers/{app}/os-volume_attachments"), "2.89"));
        var modernAttachment = (await Cloud.Json(modern))["volumeAttachments"]![0]!.AsObject();
        Assert.False(modernAttachment.ContainsKey("id"));
        Assert.True(modernAttachment.ContainsKey("attachment_id"));
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{cloud.Compute}/servers/{Guid.NewGuid()}/os-volume_attachments")).StatusCode);
        // an image filter never matches a server without an image
        var byImage = (await cloud.GetJson($"{cloud.Compute}/servers?image=x"))["servers"]!.AsArray();
        Assert.Empty(byImage);
    }

    private static HttpRequestMessage WithMicroversion(HttpRequestMessage request, string version)
    {
        request.Headers.Add("OpenStack-API-Version", "compute " + version);
        return request;
    }

    [Fact]
    public async Task CreateImage_of_a_volume_backed_server_makes_a_zero_size_image_and_a_forced_cinder_snapshot()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 5, VolumeSnapshotSeconds = 30 });
        var bfv = await cloud.ServerId("bfv01");
        var response = await CreateImage(cloud, cloud.Compute21, bfv, "nightly-1", """{"autosnap_schedule":"daily"}""", "2.45");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var imageId = (await Cloud.Json(response))["image_id"]!.GetValue<string>();

        // active at once, size 0, no task_state ever
        var image = (await cloud.GetJson($"{cloud.Glance}/images/{imageId}")).AsObject();
        Assert.Equal("active", image["status"]!.GetValue<string>());
        Assert.Equal(0, image["size"]!.GetValue<long>());
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", image["checksum"]!.GetValue<string>());
        Assert.Equal("True", image["bdm_v2"]!.GetValue<string>());
        Assert.Equal("/dev/xvda", image["root_device_name"]!.GetValue<string>());
        Assert.Equal("", image["base_image_ref"]!.GetValue<string>());
        Assert.Equal("daily", image["autosnap_schedule"]!.GetValue<string>());
        Assert.Equal(20, image["min_disk"]!.GetValue<int>());
        Assert.False(image.ContainsKey("instance_uuid"));
        Assert.False(image.ContainsKey("image_type"));
        Assert.False(image.ContainsKey("user_id"));
        var server = (await cloud.GetJson($"{cloud.Compute}/servers/{bfv}"))["server"]!;
        Assert.Null(server["OS-EXT-STS:task_state"]);

        // block_device_mapping is a JSON string naming the Cinder snapshot
        var mapping = JsonNode.Parse(image["block_device_mapping"]!.GetValue<string>())!.AsArray().Single()!;
        Assert.Equal("snapshot", mapping["source_type"]!.GetValue<string>());
        Assert.Equal("volume", mapping["destination_type"]!.GetValue<string>());
        Assert.Equal(0, mapping["boot_index"]!.GetValue<int>());
        Assert.Equal("/dev/xvda", mapping["device_name"]!.GetValue<string>());
        Assert.Equal(20, mapping["volume_size"]!.GetValue<int>());
        Assert.False(mapping["delete_on_termination"]!.GetValue<bool>());
        Assert.Null(mapping["volume_id"]);
        Assert.StartsWith("[{\"encryption_options\": null, ", image["block_device_mapping"]!.GetValue<string>());

        var snapshot = (await Snapshots(cloud)).Single()!;
        Assert.Equal(mapping["snapshot_id"]!.GetValue<string>(), snapshot["id"]!.GetValue<string>());
        Assert.Equal("snapshot for nightly-1", snapshot["name"]!.GetValue<string>());
        Assert.Equal("", snapshot["description"]!.GetValue<string>());
        Assert.Empty(snapshot["metadata"]!.AsObject());
        Assert.Equal("creating", snapshot["status"]!.GetValue<string>());
        cloud.Server.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("available", (await Snapshots(cloud)).Single()!["status"]!.GetValue<string>());

        // Glance lists that filter on what Nova did not set do not find it
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?instance_uuid={bfv}"))["images"]!.AsArray());
        Assert.Empty((await cloud.GetJson($"{cloud.Compute}/images/detail?server={bfv}"))["images"]!.AsArray());
        Assert.Single((await cloud.GetJson($"{cloud.Glance}/images?bdm_v2=True"))["images"]!.AsArray());

        // the image proxy shows the mapping parsed, as a list
        var proxied = (await cloud.GetJson($"{cloud.Compute21}/images/{imageId}"))["image"]!;
        Assert.Equal(mapping["snapshot_id"]!.GetValue<string>(), proxied["metadata"]!["block_device_mapping"]![0]!["snapshot_id"]!.GetValue<string>());

        // deleting the image leaves the Cinder snapshot
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Glance}/images/{imageId}")).StatusCode);
        Assert.Single(await Snapshots(cloud));
    }

    [Fact]
    public async Task The_legacy_endpoint_answers_with_a_location_and_backups_are_refused()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0 });
        var bfv = await cloud.ServerId("bfv01");
        var imageId = await cloud.Snapshot(bfv, "rackspace-style");
        Assert.Equal("ACTIVE", (await cloud.GetJson($"{cloud.Compute}/images/{imageId}"))["image"]!["status"]!.GetValue<string>());
        Assert.Equal("available", (await Snapshots(cloud)).Single()!["status"]!.GetValue<string>());
        var backup = await cloud.Post($"{cloud.Compute}/servers/{bfv}/action",
            """{"createBackup":{"name":"b","backup_type":"daily","rotation":1}}""");
        Assert.Equal(HttpStatusCode.BadRequest, backup.StatusCode);
        Assert.Equal("Backup is not supported for volume-backed instances.", (await Cloud.Json(backup))["badRequest"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Over_the_snapshot_quota_nova_refuses_with_403_and_makes_nothing()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, MaxTotalSnapshots = 1 });
        var bfv = await cloud.ServerId("bfv01");
        var first = await CreateImage(cloud, cloud.Compute21, bfv, "first");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Contains("/image/dfw//images/", first.Headers.Location!.ToString());   // Nova's double slash on this path
        var refused = await CreateImage(cloud, cloud.Compute21, bfv, "second", microversion: "2.45");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var body = (await Cloud.Json(refused))["forbidden"]!;
        Assert.Equal(403, body["code"]!.GetValue<int>());
        Assert.Equal("Quota exceeded for resources: snapshots", body["message"]!.GetValue<string>());
        Assert.Single(await Snapshots(cloud));
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?name=second"))["images"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateImage(cloud, cloud.Compute, bfv, "legacy")).StatusCode);
    }

    [Fact]
    public async Task When_cinder_refuses_the_second_volume_the_first_snapshot_is_left_behind_and_no_image_is_made()
    {
        var seed = DefaultSeed.Create();
        seed.Volumes!.Add(new VolumeSeed { Name = "bfv01-logs", Region = "DFW", Size = 50, Server = "bfv01", Device = "/dev/xvdb", Description = "logs" });
        // Used: 20 + 50 + 50 = 120 GB of 170; in either order (Nova's varies) the first snapshot fits and the second does not
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, MaxTotalVolumeGigabytes = 170 }, seed);
        var bfv = await cloud.ServerId("bfv01");
        var refused = await CreateImage(cloud, cloud.Compute21, bfv, "two-volumes");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Quota exceeded for resources: snapshots", (await Cloud.Json(refused))["forbidden"]!["message"]!.GetValue<string>());
        var left = (await Snapshots(cloud)).Single()!;
        Assert.Equal("snapshot for two-volumes", left["name"]!.GetValue<string>());
        Assert.Empty(left["metadata"]!.AsObject());
        var volumes = (await cloud.GetJson($"{V3}/volumes/detail"))["volumes"]!.AsArray();
        var leftVolume = volumes.Single(v => v!["id"]!.GetValue<string>() == left["volume_id"]!.GetValue<string>())!;
        Assert.Contains(leftVolume["name"]!.GetValue<string>(), new[] { "bfv01-logs", "bfv01-root" });
        Assert.Equal(leftVolume["size"]!.GetValue<int>(), left["size"]!.GetValue<int>());
        Assert.Equal(leftVolume["description"]?.GetValue<string>(), left["description"]?.GetValue<string>());
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?name=two-volumes"))["images"]!.AsArray());

        // with room for both, one image names both snapshots, the data volume without a boot index
        await cloud.Configure("""{"maxTotalVolumeGigabytes":1000}""");
        var response = await CreateImage(cloud, cloud.Compute21, bfv, "both", microversion: "2.45");
        var imageId = (await Cloud.Json(response))["image_id"]!.GetValue<string>();
        var image = await cloud.GetJson($"{cloud.Glance}/images/{imageId}");
        var mappings = JsonNode.Parse(image["block_device_mapping"]!.GetValue<string>())!.AsArray();
        Assert.Equal(["/dev/xvda", "/dev/xvdb"], mappings.Select(m => m!["device_name"]!.GetValue<string>()).Order().ToArray());
        Assert.Null(mappings.Single(m => m!["device_name"]!.GetValue<string>() == "/dev/xvdb")!["boot_index"]);
        Assert.Equal(0, mappings.Single(m => m!["device_name"]!.GetValue<string>() == "/dev/xvda")!["boot_index"]!.GetValue<int>());
        var snapshots = await Snapshots(cloud);
        Assert.Equal(3, snapshots.Count);
        Assert.All(mappings, m => Assert.Contains(snapshots, s => s!["id"]!.GetValue<string>() == m!["snapshot_id"]!.GetValue<string>()));
    }

    private static SeedDocument TwoVolumeSeed()
    {
        var seed = DefaultSeed.Create();
        seed.Volumes!.Add(new VolumeSeed { Name = "bfv01-logs", Region = "DFW", Size = 50, Server = "bfv01", Device = "/dev/xvdb", Description = "logs" });
        return seed;
    }

    [Fact]
    public async Task The_order_of_the_volumes_in_nova_s_snapshot_loop_varies_from_one_createImage_to_the_next()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings
        {
            SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, MaxTotalSnapshots = -1, MaxTotalVolumeGigabytes = -1,
        }, TwoVolumeSeed());
        var bfv = await cloud.ServerId("bfv01");
        var firstDevices = new System.Collections.Generic.List<string>();
        for (var i = 0; i < 10; i++)
        {
            var response = await CreateImage(cloud, cloud.Compute21, bfv, $"order-{i}", microversion: "2.45");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var imageId = (await Cloud.Json(response))["image_id"]!.GetValue<string>();
            var image = await cloud.GetJson($"{cloud.Glance}/images/{imageId}");
            var mappings = JsonNode.Parse(image["block_device_mapping"]!.GetValue<string>())!.AsArray();
            Assert.Equal(2, mappings.Count);
            firstDevices.Add(mappings[0]!["device_name"]!.GetValue<string>());
        }
        // seeded, so the same every run, but both orders occur: the root's snapshot is not always first
        Assert.Contains("/dev/xvda", firstDevices);
        Assert.Contains("/dev/xvdb", firstDevices);
    }

    [Fact]
    public async Task A_cinder_500_inside_nova_s_loop_answers_500_makes_no_image_and_leaves_the_earlier_snapshots()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings
        {
            SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, NovaCinderErrorAt = 2,
        }, TwoVolumeSeed());
        var bfv = await cloud.ServerId("bfv01");
        var failed = await CreateImage(cloud, cloud.Compute21, bfv, "lost-write");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var fault = (await Cloud.Json(failed))["computeFault"]!;
        Assert.Equal(500, fault["code"]!.GetValue<int>());
        Assert.Equal("Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n" +
                     "<class 'cinderclient.exceptions.ClientException'>", fault["message"]!.GetValue<string>());
        Assert.Null(failed.Headers.Location);
        var left = (await Snapshots(cloud)).Single()!;
        Assert.Equal("snapshot for lost-write", left["name"]!.GetValue<string>());
        Assert.Empty(left["metadata"]!.AsObject());
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?name=lost-write"))["images"]!.AsArray());
        var task = (await cloud.GetJson($"{cloud.Compute21}/servers/{bfv}"))["server"]!["OS-EXT-STS:task_state"];
        Assert.Null(task);

        // at the first call nothing is made; the legacy endpoint answers the same
        await cloud.Configure("""{"novaCinderErrorAt":1}""");
        var first = await CreateImage(cloud, cloud.Compute, bfv, "lost-first");
        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Single(await Snapshots(cloud));
        // 0 turns it off
        await cloud.Configure("""{"novaCinderErrorAt":0}""");
        Assert.Equal(HttpStatusCode.Accepted, (await CreateImage(cloud, cloud.Compute21, bfv, "works")).StatusCode);
        Assert.Equal(3, (await Snapshots(cloud)).Count);
    }

    [Fact]
    public async Task An_image_backed_server_with_a_data_volume_snapshots_as_before()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var app = await cloud.ServerId("app01");
        var imageId = await cloud.Snapshot(app, "app-nightly");
        var image = (await cloud.GetJson($"{cloud.Glance}/images/{imageId}")).AsObject();
        Assert.Equal(app, image["instance_uuid"]!.GetValue<string>());
        Assert.Equal("snapshot", image["image_type"]!.GetValue<string>());
        Assert.False(image.ContainsKey("block_device_mapping"));
        Assert.True(image["size"]!.GetValue<long>() > 0);
        Assert.Empty(await Snapshots(cloud));
    }

    [Fact]
    public async Task A_stopped_glance_fails_after_the_cinder_snapshots_were_made()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings
        {
            SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, ImageOutage = ["DFW"], ImageOutageDelaySeconds = 0,
        });
        var refused = await CreateImage(cloud, cloud.Compute21, await cloud.ServerId("bfv01"), "no-glance");
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Contains("GlanceConnectionFailed", (await Cloud.Json(refused))["computeFault"]!["message"]!.GetValue<string>());
        Assert.Single(await Snapshots(cloud));
    }

    [Fact]
    public async Task A_stopped_cinder_drops_its_connections_and_fails_only_volume_backed_snapshots()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings
        {
            SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, VolumeOutageDelaySeconds = 0,
        });
        await cloud.Configure("""{"volumeOutage":["DFW"]}""");
        await Assert.ThrowsAsync<HttpRequestException>(() => cloud.Get($"{V3}/volumes"));
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get("volume/ord/v3/100001/volumes")).StatusCode);

        var refused = await CreateImage(cloud, cloud.Compute21, await cloud.ServerId("bfv01"), "no-cinder");
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.EndsWith("<class 'nova.exception.CinderConnectionFailed'>", (await Cloud.Json(refused))["computeFault"]!["message"]!.GetValue<string>());
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?name=no-cinder"))["images"]!.AsArray());
        // the image-backed server with a data volume does not need Cinder for its snapshot
        await cloud.Snapshot(await cloud.ServerId("app01"), "still-fine");

        await cloud.Configure("""{"volumeOutage":[]}""");
        Assert.Empty(await Snapshots(cloud));
        var unknown = await cloud.Http.PostAsync("__admin/config",
            new StringContent("""{"volumeOutage":["MARS"]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task Bulk_seeding_makes_volume_backed_servers_and_data_volumes()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, MaxTotalSnapshots = -1 });
        var made = (await cloud.Admin(HttpMethod.Post, "servers",
            """{"count":3,"namePrefix":"vb-","region":"IAD","bootVolumeGb":30,"dataVolumeGb":10}"""))!;
        var id = made["servers"]![0]!["id"]!.GetValue<string>();
        var server = (await cloud.GetJson($"compute/iad/v2/100001/servers/{id}"))["server"]!;
        Assert.Equal("", server["image"]!.GetValue<string>());
        Assert.Equal(2, server["os-extended-volumes:volumes_attached"]!.AsArray().Count);
        var volumes = (await cloud.GetJson("volume/iad/v3/100001/volumes/detail"))["volumes"]!.AsArray();
        Assert.Equal(6, volumes.Count);
        var root = volumes.Single(v => v!["name"]!.GetValue<string>() == "vb-001-root")!;
        Assert.Equal(30, root["size"]!.GetValue<int>());
        Assert.Equal("true", root["bootable"]!.GetValue<string>());
        Assert.Equal("/dev/xvda", root["attachments"]![0]!["device"]!.GetValue<string>());

        var response = await CreateImage(cloud, "compute/iad/v2.1", id, "bulk", microversion: "2.45");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var snapshots = (await cloud.GetJson("volume/iad/v3/100001/snapshots"))["snapshots"]!.AsArray();
        Assert.Equal([10, 30], snapshots.Select(s => s!["size"]!.GetValue<int>()).Order().ToArray());

        var bad = await cloud.Http.PostAsync("__admin/servers",
            new StringContent("""{"count":1,"bootVolumeGb":-1}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Reset_brings_the_seeded_volumes_back_and_drops_snapshots()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0 });
        await cloud.Snapshot(await cloud.ServerId("bfv01"), "before-reset");
        var state = (await cloud.Admin(HttpMethod.Get, "state"))!;
        Assert.Equal(2, state["regions"]!["DFW"]!["volumes"]!.GetValue<int>());
        Assert.Equal(1, state["regions"]!["DFW"]!["volumeSnapshots"]!.GetValue<int>());
        await cloud.Admin(HttpMethod.Post, "reset");
        state = (await cloud.Admin(HttpMethod.Get, "state"))!;
        Assert.Equal(2, state["regions"]!["DFW"]!["volumes"]!.GetValue<int>());
        Assert.Equal(2, state["regions"]!["ORD"]!["volumes"]!.GetValue<int>());
        Assert.Equal(0, state["regions"]!["IAD"]!["volumes"]!.GetValue<int>());
        Assert.Equal(0, state["regions"]!["DFW"]!["volumeSnapshots"]!.GetValue<int>());
    }
}
