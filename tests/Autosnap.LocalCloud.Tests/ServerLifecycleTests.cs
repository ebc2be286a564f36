using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

/// <summary>Servers' life cycle: boot (image, volume-backed snapshot, block device mappings), delete, rebuild, quotas.</summary>
public sealed class ServerLifecycleTests
{
    private const string Ubuntu = "Ubuntu 24.04 LTS (Noble Numbat) (PVHVM)";

    private static Task<HttpResponseMessage> Send(Cloud cloud, HttpMethod method, string path, string? json, string? microversion)
    {
        var request = cloud.Request(method, path, json);
        if (microversion is not null) request.Headers.Add("OpenStack-API-Version", "compute " + microversion);
        return cloud.Send(request);
    }

    private static async Task<JsonNode> Ok(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    private static async Task<string> ImageId(Cloud cloud, string name) =>
        (await cloud.GetJson($"{cloud.Glance}/images?name={Uri.EscapeDataString(name)}"))["images"]![0]!["id"]!.GetValue<string>();

    private static async Task<string> NetworkId(Cloud cloud, string name) =>
        (await cloud.GetJson($"network/dfw/v2.0/networks?name={name}"))["networks"]!.AsArray().Single()!["id"]!.GetValue<string>();

    private static async Task<JsonNode> Server(Cloud cloud, string id, string microversion = "2.93") =>
        (await Ok(await Send(cloud, HttpMethod.Get, $"{cloud.Compute21}/servers/{id}", null, microversion)))["server"]!;

    private static async Task<string> Boot(Cloud cloud, string body, string microversion = "2.93") =>
        (await Ok(await Send(cloud, HttpMethod.Post, $"{cloud.Compute21}/servers", body, microversion), HttpStatusCode.Accepted))
            ["server"]!["id"]!.GetValue<string>();

    private static async Task<(int Status, JsonNode Body)> Refused(Cloud cloud, string body, string microversion = "2.93")
    {
        var response = await Send(cloud, HttpMethod.Post, $"{cloud.Compute21}/servers", body, microversion);
        return ((int)response.StatusCode, await Cloud.Json(response));
    }

    [Fact]
    public async Task A_server_boots_on_the_loopback_network_with_key_and_groups_and_turns_active_when_the_clock_moves()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, BootSeconds = 30 });
        var image = await ImageId(cloud, Ubuntu);
        var loopback = await NetworkId(cloud, "loopback");
        var id = await Boot(cloud, $$$"""
            {"server":{"name":"restore-test","imageRef":"{{{image}}}","flavorRef":"general1-1","networks":[{"uuid":"{{{loopback}}}"}],
             "key_name":"demo-key","security_groups":[{"name":"web"}],"availability_zone":"nova","metadata":{"autosnap_throwaway":"true"},
             "tags":["autosnap-restore-test"]}}
            """);
        var building = await Server(cloud, id);
        Assert.Equal("BUILD", building["status"]!.GetValue<string>());
        Assert.Equal("scheduling", building["OS-EXT-STS:task_state"]!.GetValue<string>());
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"00:00:12"}""");
        Assert.Equal("networking", (await Server(cloud, id))["OS-EXT-STS:task_state"]!.GetValue<string>());
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"00:00:10"}""");
        Assert.Equal("spawning", (await Server(cloud, id))["OS-EXT-STS:task_state"]!.GetValue<string>());

        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"00:00:09"}""");
        var server = await Server(cloud, id);
        Assert.Equal("ACTIVE", server["status"]!.GetValue<string>());
        Assert.Null(server["OS-EXT-STS:task_state"]);
        Assert.Equal("127.0.0.1", server["addresses"]!["loopback"]![0]!["addr"]!.GetValue<string>());
        Assert.Equal("demo-key", server["key_name"]!.GetValue<string>());
        Assert.Equal("web", server["security_groups"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("nova", server["OS-EXT-AZ:availability_zone"]!.GetValue<string>());
        Assert.Equal("1 GB General Purpose v1", server["flavor"]!["original_name"]!.GetValue<string>());
        Assert.Equal(image, server["image"]!["id"]!.GetValue<string>());
        Assert.Equal(["autosnap-restore-test"], server["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        var old = await Server(cloud, id, "2.1");
        Assert.Equal("general1-1", old["flavor"]!["id"]!.GetValue<string>());

        // like a seeded server: listed, filtered, tagged, snapshotted
        var named = await cloud.GetJson($"{cloud.Compute21}/servers?name=^restore-&status=ACTIVE");
        Assert.Equal(id, named["servers"]!.AsArray().Single()!["id"]!.GetValue<string>());
        var tagged = await Ok(await Send(cloud, HttpMethod.Get, $"{cloud.Compute21}/servers?tags=autosnap-restore-test", null, "2.26"));
        Assert.Equal(id, tagged["servers"]!.AsArray().Single()!["id"]!.GetValue<string>());
        var snapshot = await cloud.Snapshot(id, "of-a-restored-server");
        Assert.Equal("active", (await cloud.GetJson($"{cloud.Glance}/images/{snapshot}"))["status"]!.GetValue<string>());

        var port = (await cloud.GetJson($"network/dfw/v2.0/ports?device_id={id}"))["ports"]!.AsArray().Single()!;
        Assert.Equal(loopback, port["network_id"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", port["fixed_ips"]![0]!["ip_address"]!.GetValue<string>());

        var inspected = await cloud.Admin(HttpMethod.Get, $"servers/{id}");
        Assert.Equal("127.0.0.1", inspected!["addresses"]![0]!["addr"]!.GetValue<string>());
        Assert.Equal("web", inspected["securityGroups"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Boot_answers_novas_errors_for_networks_keys_groups_zones_flavors_and_quotas()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var image = await ImageId(cloud, Ubuntu);
        var windows = await ImageId(cloud, "Windows Server 2022 Standard");
        var isolated = await NetworkId(cloud, "isolated");
        string Body(string extra, string flavor = "general1-1", string? imageRef = null) =>
            "{\"server\":{\"name\":\"x\",\"imageRef\":\"" + (imageRef ?? image) + "\",\"flavorRef\":\"" + flavor + "\"" + extra + "}}";

        var (status, body) = await Refused(cloud, Body(""));
        Assert.Equal(400, status);
        Assert.Contains("'networks' is a required property", body["badRequest"]!["message"]!.GetValue<string>());
        (status, body) = await Refused(cloud, Body(""), "2.1");
        Assert.Equal(409, status);
        Assert.Equal("Multiple possible networks found, use a Network ID to be more specific.", body["conflictingRequest"]!["message"]!.GetValue<string>());
        (status, _) = await Refused(cloud, Body(""", "networks":"none" """), "2.36");
        Assert.Equal(400, status);
        (status, body) = await Refused(cloud, Body(""", "networks":[{"uuid":"8f1c3c8e-0000-4000-8000-000000000001"}]"""));
        Assert.Equal("Network 8f1c3c8e-0000-4000-8000-000000000001 could not be found.", body["badRequest"]!["message"]!.GetValue<string>());
        (status, body) = await Refused(cloud, Body($$$""", "networks":[{"uuid":"{{{isolated}}}"}], "key_name":"nope" """));
        Assert.Equal("Invalid key_name provided.", body["badRequest"]!["message"]!.GetValue<string>());
        (status, body) = await Refused(cloud, Body(""", "networks":"none", "security_groups":[{"name":"nope"}] """));
        Assert.Equal("Unable to find security_group with name or id 'nope'", body["badRequest"]!["message"]!.GetValue<string>());
        (status, body) = await Refused(cloud, Body(""", "networks":"none", "block_device_mapping_v2":[{"source_type":"blank","destination_type":"volume","volume_size":1}] """));
        Assert.Equal("Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.",
            body["badRequest"]!["message"]!.GetValue<string>());
        (status, body) = await Refused(cloud, Body(""", "networks":"none", "tags":["a"] """), "2.51");
        Assert.Contains("Additional properties are not allowed ('tags' was unexpected)", body["badRequest"]!["message"]!.GetValue<string>());
        (status, body) = await Refused(cloud, Body(""", "networks":"none", "availability_zone":"mars" """));
        Assert.Equal("The requested availability zone is not available", body["badRequest"]!["message"]!.GetValue<string>());
        (status, body) = await Refused(cloud, Body(""", "networks":"none" """, imageRef: windows));
        Assert.Equal("Flavor's memory is too small for requested image.", body["badRequest"]!["message"]!.GetValue<string>());
        (status, body) = await Refused(cloud, Body(""", "networks":"none" """, "1"));
        Assert.Equal(400, status);
        Assert.Equal("Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is 1073741824 bytes, minimum size is 21474836480 bytes.",
            body["badRequest"]!["message"]!.GetValue<string>());
        (status, body) = await Refused(cloud, Body(""", "networks":"none" """, "compute1-4"));
        Assert.Equal(403, status);
        Assert.Equal("Only volume-backed servers are allowed for flavors with zero disk.", body["forbidden"]!["message"]!.GetValue<string>());

        // quotas: the demo project has 4 servers in DFW (general1-2, general1-4, compute1-4, general1-2: 10 cores)
        await cloud.Configure("""{"maxTotalInstances":5,"maxTotalCores":11,"maxTotalRAMSize":-1}""");
        (status, body) = await Refused(cloud, Body(""", "networks":"none" """, "general1-2"));
        Assert.Equal(403, status);
        Assert.Equal("Quota exceeded for cores: Requested 2, but already used 10 of 11 cores", body["forbidden"]!["message"]!.GetValue<string>());
        await Boot(cloud, Body(""", "networks":"none" """));
        (status, body) = await Refused(cloud, Body(""", "networks":"none" """));
        Assert.Equal("Quota exceeded for cores, instances: Requested 1, 1, but already used 11, 5 of 11, 5 cores, instances",
            body["forbidden"]!["message"]!.GetValue<string>());
        var limits = (await cloud.GetJson($"{cloud.Compute21}/limits"))["limits"]!["absolute"]!;
        Assert.Equal(5, limits["maxTotalInstances"]!.GetValue<int>());
        Assert.Equal(5, limits["totalInstancesUsed"]!.GetValue<int>());
        Assert.Equal(11, limits["totalCoresUsed"]!.GetValue<int>());
        var quota = (await cloud.GetJson($"{cloud.Compute21}/os-quota-sets/100001/detail"))["quota_set"]!;
        Assert.Equal(5, quota["instances"]!["in_use"]!.GetValue<int>());
        Assert.Equal(11, quota["cores"]!["limit"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_volume_backed_snapshot_boots_with_new_volumes_and_is_refused_once_its_snapshot_is_gone()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, VolumeSeconds = 0 });
        var bfv = await cloud.ServerId("bfv01");
        var snap = await Ok(await Send(cloud, HttpMethod.Post, $"{cloud.Compute21}/servers/{bfv}/action",
            """{"createImage":{"name":"bfv-nightly"}}""", "2.45"), HttpStatusCode.Accepted);
        var image = snap["image_id"]!.GetValue<string>();
        var id = await Boot(cloud, $$$"""{"server":{"name":"bfv-restored","imageRef":"{{{image}}}","flavorRef":"compute1-4","networks":"auto"}}""");

        var server = await Server(cloud, id);
        Assert.Equal("ACTIVE", server["status"]!.GetValue<string>());
        Assert.Equal(image, server["image"]!["id"]!.GetValue<string>());   // as on the tier: the image it was booted with
        var attached = server["os-extended-volumes:volumes_attached"]!.AsArray();
        var root = attached.Single()!["id"]!.GetValue<string>();
        var volume = (await cloud.GetJson($"volume/dfw/v3/100001/volumes/{root}"))["volume"]!;
        Assert.Equal("in-use", volume["status"]!.GetValue<string>());
        Assert.Equal(20, volume["size"]!.GetValue<int>());
        Assert.NotNull(volume["snapshot_id"]!.GetValue<string>());
        var attachments = await Ok(await Send(cloud, HttpMethod.Get, $"{cloud.Compute21}/servers/{id}/os-volume_attachments", null, "2.79"));
        Assert.Equal("/dev/xvda", attachments["volumeAttachments"]![0]!["device"]!.GetValue<string>());
        Assert.False(attachments["volumeAttachments"]![0]!["delete_on_termination"]!.GetValue<bool>());

        // rebuilding a volume-backed server with another image: refused below 2.93, accepted from it
        // (the same image as the root volume's, Ubuntu, would be accepted: Nova re-spawns without re-imaging)
        var debian = await ImageId(cloud, "Debian 12 (Bookworm) (PVHVM)");
        var rebuild = $$$"""{"rebuild":{"imageRef":"{{{debian}}}"}}""";
        var old = await Send(cloud, HttpMethod.Post, $"{cloud.Compute21}/servers/{id}/action", rebuild, "2.92");
        Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        Assert.Equal($"Image {debian} is unacceptable: Unable to rebuild with a different image for a volume-backed server.",
            (await Cloud.Json(old))["badRequest"]!["message"]!.GetValue<string>());
        var rebuilt = await Ok(await Send(cloud, HttpMethod.Post, $"{cloud.Compute21}/servers/{id}/action", rebuild, "2.93"), HttpStatusCode.Accepted);
        Assert.Equal(id, rebuilt["server"]!["id"]!.GetValue<string>());
        Assert.Equal(debian, (await cloud.GetJson($"volume/dfw/v3/100001/volumes/{root}"))["volume"]!["volume_image_metadata"]!["image_id"]!.GetValue<string>());

        // the restore point loses its Cinder snapshot: Nova refuses to boot from it
        var snapshotId = volume["snapshot_id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Compute21}/servers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Delete($"volume/dfw/v3/100001/volumes/{root}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Delete($"volume/dfw/v3/100001/snapshots/{snapshotId}")).StatusCode);
        var (status, body) = await Refused(cloud, $$$"""{"server":{"name":"too-late","imageRef":"{{{image}}}","flavorRef":"compute1-4","networks":"none"}}""");
        Assert.Equal(400, status);
        Assert.Equal($"Block Device Mapping is Invalid: failed to get snapshot {snapshotId}.", body["badRequest"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_lingers_for_deleteSeconds_then_removes_delete_on_termination_volumes_and_detaches_the_others()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSeconds = 0, DeleteSeconds = 4 });
        var image = await ImageId(cloud, Ubuntu);
        var spare = (await Ok(await cloud.Post("volume/dfw/v3/100001/volumes", """{"volume":{"size":5,"name":"spare"}}"""), HttpStatusCode.Accepted))
            ["volume"]!["id"]!.GetValue<string>();
        var id = await Boot(cloud, $$$"""
            {"server":{"name":"bfv-new","flavorRef":"compute1-4","networks":"none","block_device_mapping_v2":[
              {"source_type":"image","uuid":"{{{image}}}","destination_type":"volume","boot_index":0,"volume_size":20,"delete_on_termination":true},
              {"source_type":"volume","uuid":"{{{spare}}}","destination_type":"volume","boot_index":-1}]}}
            """);
        var volumes = (await Server(cloud, id))["os-extended-volumes:volumes_attached"]!.AsArray();
        Assert.Equal(2, volumes.Count);
        var root = volumes.Single(v => v!["delete_on_termination"]!.GetValue<bool>())!["id"]!.GetValue<string>();
        var rootVolume = (await cloud.GetJson($"volume/dfw/v3/100001/volumes/{root}"))["volume"]!;
        Assert.True(rootVolume["bootable"]!.GetValue<string>() == "true");
        Assert.Equal(image, rootVolume["volume_image_metadata"]!["image_id"]!.GetValue<string>());
        Assert.Equal("in-use", (await cloud.GetJson($"volume/dfw/v3/100001/volumes/{spare}"))["volume"]!["status"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Compute21}/servers/{id}")).StatusCode);
        // as real Nova: still there for a moment, task_state deleting, then DELETED, counted all the while
        Assert.Equal("deleting", (await Server(cloud, id))["OS-EXT-STS:task_state"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Compute21}/servers/{id}")).StatusCode);
        Assert.Equal(5, (await cloud.GetJson($"{cloud.Compute21}/limits"))["limits"]!["absolute"]!["totalInstancesUsed"]!.GetValue<int>());
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"00:00:02.5"}""");
        Assert.Equal("DELETED", (await Server(cloud, id))["status"]!.GetValue<string>());
        Assert.Equal("in-use", (await cloud.GetJson($"volume/dfw/v3/100001/volumes/{spare}"))["volume"]!["status"]!.GetValue<string>());
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"00:00:02"}""");
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{cloud.Compute21}/servers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"volume/dfw/v3/100001/volumes/{root}")).StatusCode);
        var left = (await cloud.GetJson($"volume/dfw/v3/100001/volumes/{spare}"))["volume"]!;
        Assert.Equal("available", left["status"]!.GetValue<string>());
        Assert.Empty(left["attachments"]!.AsArray());
    }

    [Fact]
    public async Task Broken_images_and_the_boot_failure_rate_end_in_ERROR_with_a_fault_and_can_be_deleted()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, BootSeconds = 5 });
        var web = await cloud.ServerId("web01");
        var broken = await cloud.Snapshot(web, "broken");
        await cloud.Admin(HttpMethod.Patch, $"images/{broken}", """{"boots":false}""");
        var id = await Boot(cloud, $$$"""{"server":{"name":"t1","imageRef":"{{{broken}}}","flavorRef":"general1-2","networks":"none"}}""");
        Assert.Equal("BUILD", (await Server(cloud, id))["status"]!.GetValue<string>());
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"00:00:06"}""");
        var server = await Server(cloud, id);
        Assert.Equal("ERROR", server["status"]!.GetValue<string>());
        Assert.Equal(500, server["fault"]!["code"]!.GetValue<int>());
        Assert.Contains($"for instance {id}", server["fault"]!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Compute21}/servers/{id}")).StatusCode);

        // rebuilding the original server from it fails the same way; from a good image it comes back
        var rebuild = await Send(cloud, HttpMethod.Post, $"{cloud.Compute21}/servers/{web}/action", $$$"""{"rebuild":{"imageRef":"{{{broken}}}"}}""", "2.1");
        Assert.Equal(HttpStatusCode.Accepted, rebuild.StatusCode);
        var during = await Server(cloud, web);
        Assert.Equal("REBUILD", during["status"]!.GetValue<string>());
        Assert.Equal("rebuilding", during["OS-EXT-STS:task_state"]!.GetValue<string>());
        var conflict = await Send(cloud, HttpMethod.Post, $"{cloud.Compute21}/servers/{web}/action", $$$"""{"rebuild":{"imageRef":"{{{broken}}}"}}""", "2.1");
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal($"Cannot 'rebuild' instance {web} while it is in task_state rebuilding",
            (await Cloud.Json(conflict))["conflictingRequest"]!["message"]!.GetValue<string>());
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"00:00:06"}""");
        Assert.Equal("ERROR", (await Server(cloud, web))["status"]!.GetValue<string>());
        var good = await ImageId(cloud, Ubuntu);
        await Ok(await Send(cloud, HttpMethod.Post, $"{cloud.Compute21}/servers/{web}/action", $$$"""{"rebuild":{"imageRef":"{{{good}}}","name":"web01-back"}}""", "2.1"),
            HttpStatusCode.Accepted);
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"00:00:06"}""");
        var back = await Server(cloud, web);
        Assert.Equal("ACTIVE", back["status"]!.GetValue<string>());
        Assert.Equal(good, back["image"]!["id"]!.GetValue<string>());
        Assert.Equal("web01-back", back["name"]!.GetValue<string>());
        Assert.Null(back["fault"]);

        await cloud.Configure("""{"bootFailRate":1,"bootSeconds":0}""");
        var unlucky = await Boot(cloud, $$$"""{"server":{"name":"t2","imageRef":"{{{good}}}","flavorRef":"general1-2","networks":"none"}}""");
        Assert.Equal("No valid host was found. There are not enough hosts available.", (await Server(cloud, unlucky))["fault"]!["message"]!.GetValue<string>());
        var errors = await cloud.Admin(HttpMethod.Get, "servers?status=ERROR");
        Assert.Equal(unlucky, errors!["servers"]!.AsArray().Single()!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Flavors_networks_groups_and_keypairs_are_listed_as_the_real_apis_list_them()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var flavors = (await cloud.GetJson($"{cloud.Compute21}/flavors/detail?minRam=4096&minDisk=40"))["flavors"]!.AsArray();
        Assert.Contains(flavors, f => f!["name"]!.GetValue<string>() == "m1.medium" && f["OS-FLV-EXT-DATA:ephemeral"]!.GetValue<int>() == 0);
        Assert.All(flavors, f => Assert.True(f!["ram"]!.GetValue<int>() >= 4096 && f["disk"]!.GetValue<int>() >= 40));
        Assert.Equal("m1.tiny", (await cloud.GetJson($"{cloud.Compute21}/flavors/1"))["flavor"]!["name"]!.GetValue<string>());

        var networks = (await cloud.GetJson("network/dfw/v2.0/networks"))["networks"]!.AsArray();
        Assert.Equal(["isolated", "loopback", "private", "public"], networks.Select(n => n!["name"]!.GetValue<string>()).Order());
        Assert.True(networks.Single(n => n!["name"]!.GetValue<string>() == "public")!["router:external"]!.GetValue<bool>());
        Assert.Equal("00000000-0000-0000-0000-000000000000", (await cloud.GetJson("network/dfw/v2.0/networks?router:external=true"))["networks"]!.AsArray().Single()!["id"]!.GetValue<string>());
        var missing = await cloud.Get("network/dfw/v2.0/networks/8f1c3c8e-0000-4000-8000-000000000001");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NetworkNotFound", (await Cloud.Json(missing))["NeutronError"]!["type"]!.GetValue<string>());
        Assert.Equal(["default", "web"], (await cloud.GetJson("network/dfw/v2.0/security-groups"))["security_groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).Order());

        var rackspace = (await cloud.GetJson($"{cloud.Compute}/os-networksv2"))["networks"]!.AsArray();
        Assert.Contains(rackspace, n => n!["label"]!.GetValue<string>() == "private" && n["id"]!.GetValue<string>() == "11111111-1111-1111-1111-111111111111");
        Assert.Equal("192.168.77.0/24", rackspace.Single(n => n!["label"]!.GetValue<string>() == "isolated")!["cidr"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{cloud.Compute21}/os-networksv2")).StatusCode);

        var keypairs = (await cloud.GetJson($"{cloud.Compute21}/os-keypairs"))["keypairs"]!.AsArray();
        Assert.Equal("demo-key", keypairs.Single()!["keypair"]!["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{cloud.Compute21}/os-keypairs/nope")).StatusCode);

        // seeded servers carry what a snapshot records
        var web = (await cloud.GetJson($"{cloud.Compute}/servers/{await cloud.ServerId("web01")}"))["server"]!;
        Assert.Equal("demo-key", web["key_name"]!.GetValue<string>());
        Assert.Equal(["private", "public"], web["addresses"]!.AsObject().Select(p => p.Key).Order());

        // the Keystone catalog names Neutron
        var token = await cloud.Post("v3/auth/tokens", """{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo","domain":{"name":"Default"},"password":"demo-password"}}},"scope":{"project":{"name":"demo","domain":{"name":"Default"}}}}}""");
        var catalog = (await Cloud.Json(token))["token"]!["catalog"]!.AsArray();
        Assert.EndsWith("/network/dfw", catalog.Single(s => s!["type"]!.GetValue<string>() == "network")!["endpoints"]![0]!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_seeded_server_can_sit_on_the_loopback_network_without_a_key()
    {
        var seed = new SeedDocument
        {
            Servers = [new ServerSeed { Name = "probe01", Region = "DFW", Networks = ["loopback"], KeyName = "", SecurityGroups = ["web"] }],
        };
        await using var cloud = await Cloud.StartSignedIn(seed: seed);
        var server = (await cloud.GetJson($"{cloud.Compute}/servers/{await cloud.ServerId("probe01")}"))["server"]!;
        Assert.Equal("127.0.0.1", server["addresses"]!["loopback"]![0]!["addr"]!.GetValue<string>());
        Assert.Null(server["key_name"]);
        Assert.Equal("web", server["security_groups"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("", server["accessIPv4"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_tags_are_set_read_and_removed_from_2_26()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var id = await cloud.ServerId("web01");
        Assert.Equal(HttpStatusCode.NotFound, (await Send(cloud, HttpMethod.Get, $"{cloud.Compute21}/servers/{id}/tags", null, "2.25")).StatusCode);
        var put = await Ok(await Send(cloud, HttpMethod.Put, $"{cloud.Compute21}/servers/{id}/tags", """{"tags":["a","b"]}""", "2.26"));
        Assert.Equal(["a", "b"], put["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Created, (await Send(cloud, HttpMethod.Put, $"{cloud.Compute21}/servers/{id}/tags/c", null, "2.26")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(cloud, HttpMethod.Get, $"{cloud.Compute21}/servers/{id}/tags/c", null, "2.26")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(cloud, HttpMethod.Delete, $"{cloud.Compute21}/servers/{id}/tags/a", null, "2.26")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(cloud, HttpMethod.Get, $"{cloud.Compute21}/servers/{id}/tags/a", null, "2.26")).StatusCode);
        var bad = await Send(cloud, HttpMethod.Put, $"{cloud.Compute21}/servers/{id}/tags", """{"tags":["x/y"]}""", "2.26");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.StartsWith("Tag 'x/y' is invalid. It must be a non empty string without characters '/' and ','.",
            (await Cloud.Json(bad))["badRequest"]!["message"]!.GetValue<string>());
        var listed = await Ok(await Send(cloud, HttpMethod.Get, $"{cloud.Compute21}/servers?tags-any=c,zzz", null, "2.26"));
        Assert.Equal(id, listed["servers"]!.AsArray().Single()!["id"]!.GetValue<string>());
        Assert.Equal(["b", "c"], (await Server(cloud, id, "2.26"))["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
    }
}
