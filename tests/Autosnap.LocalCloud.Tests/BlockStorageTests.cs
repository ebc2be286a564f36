using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Hosting;
using Autosnap.LocalCloud.State;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

/// <summary>Cinder per region: v3 (OpenStack) and Rackspace's Cinder-based v1, over HTTP on loopback.</summary>
public sealed class BlockStorageTests
{
    private const string V3 = "volume/dfw/v3/100001";
    private const string V1 = "volume/dfw/v1/100001";

    private static async Task<string> VolumeId(Cloud cloud, string name)
    {
        var volumes = await cloud.GetJson($"{V3}/volumes");
        return volumes["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == name)!["id"]!.GetValue<string>();
    }

    private static async Task<JsonNode> CreateSnapshot(Cloud cloud, string volumeId, string name = "s", bool force = true,
        HttpStatusCode expect = HttpStatusCode.Accepted, string root = V3, string nameField = "name")
    {
        var response = await cloud.Post($"{root}/snapshots",
            "{\"snapshot\":{\"volume_id\":\"" + volumeId + "\",\"force\":" + (force ? "true" : "false") + ",\"" + nameField + "\":\"" + name +
            "\",\"metadata\":{\"k\":\"v\"}}}");
        Assert.Equal(expect, response.StatusCode);
        return await Cloud.Json(response);
    }

    private static async Task<string> Status(Cloud cloud, string snapshotId) =>
        (await cloud.GetJson($"{V3}/snapshots/{snapshotId}"))["snapshot"]!["status"]!.GetValue<string>();

    [Fact]
    public async Task Both_catalogs_name_block_storage_in_every_region()
    {
        await using var cloud = await Cloud.Start();
        var rackspace = await Cloud.Json(await cloud.Post("v2.0/tokens",
            """{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"demo","apiKey":"demo-api-key"}}}"""));
        var cbs = rackspace["access"]!["serviceCatalog"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "cloudBlockStorage")!;
        Assert.Equal("volume", cbs["type"]!.GetValue<string>());
        Assert.Equal(6, cbs["endpoints"]!.AsArray().Count);
        var dfw = cbs["endpoints"]!.AsArray().Single(e => e!["region"]!.GetValue<string>() == "DFW")!;
        Assert.Equal($"{cloud.Server.BaseUri}volume/dfw/v1/100001", dfw["publicURL"]!.GetValue<string>());
        Assert.Equal("100001", dfw["tenantId"]!.GetValue<string>());

        var keystone = await Cloud.Json(await cloud.Post("v3/auth/tokens", """
            {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo","domain":{"name":"Default"},"password":"demo-password"}}},
             "scope":{"project":{"name":"demo","domain":{"id":"default"}}}}}
            """));
        var catalog = keystone["token"]!["catalog"]!.AsArray();
        foreach (var (type, name) in new[] { ("volumev3", "cinderv3"), ("block-storage", "cinder") })
        {
            var service = catalog.Single(s => s!["type"]!.GetValue<string>() == type)!;
            Assert.Equal(name, service["name"]!.GetValue<string>());
            var url = service["endpoints"]!.AsArray().First(e => e!["region"]!.GetValue<string>() == "ORD"
                                                                   && e["interface"]!.GetValue<string>() == "public")!["url"]!.GetValue<string>();
            Assert.Equal($"{cloud.Server.BaseUri}volume/ord/v3/100001", url);
        }
        Assert.Equal(new Uri($"{cloud.Server.BaseUri}volume/dfw/v3/100001"), cloud.Server.VolumeUri("DFW", legacy: false));
    }

    [Fact]
    public async Task The_root_lists_v1_and_v3_without_a_token_and_a_version_document_needs_one()
    {
        await using var cloud = await Cloud.Start();
        Assert.Equal(HttpStatusCode.Unauthorized, (await cloud.Get("volume/dfw/v3")).StatusCode);
        var root = await cloud.Get("volume/dfw");
        Assert.Equal(HttpStatusCode.MultipleChoices, root.StatusCode);
        var versions = (await Cloud.Json(root))["versions"]!.AsArray();
        Assert.Equal(["v1.0", "v3.0"], versions.Select(v => v!["id"]!.GetValue<string>()).ToArray());
        await cloud.SignIn();
        var v3 = (await cloud.GetJson("volume/dfw/v3"))["versions"]!.AsArray().Single()!;
        Assert.Equal("3.70", v3["version"]!.GetValue<string>());
        Assert.Equal("3.0", v3["min_version"]!.GetValue<string>());
        Assert.EndsWith("/volume/dfw/v3/", v3["links"]!.AsArray().Single(l => l!["rel"]!.GetValue<string>() == "self")!["href"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get("volume/dfw/v2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get("volume/nowhere")).StatusCode);
    }

    [Fact]
    public async Task Volumes_list_detail_and_show_in_v3_and_v1_shapes()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var list = await cloud.GetJson($"{V3}/volumes");
        Assert.Equal(["app01-data", "bfv01-root"], list["volumes"]!.AsArray().Select(v => v!["name"]!.GetValue<string>()).Order().ToArray());
        Assert.Null(list["volumes"]![0]!["status"]);
        Assert.NotNull(list["volumes"]![0]!["links"]);

        var detail = await cloud.GetJson($"{V3}/volumes/detail");
        var data = detail["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "app01-data")!;
        Assert.Equal("in-use", data["status"]!.GetValue<string>());
        Assert.Equal(50, data["size"]!.GetValue<int>());
        Assert.Equal("false", data["bootable"]!.GetValue<string>());
        var attachment = data["attachments"]!.AsArray().Single()!;
        Assert.Equal("/dev/xvdb", attachment["device"]!.GetValue<string>());
        Assert.Equal(await cloud.ServerId("app01"), attachment["server_id"]!.GetValue<string>());
        Assert.Equal(data["id"]!.GetValue<string>(), attachment["volume_id"]!.GetValue<string>());
        Assert.Equal("100001", data["os-vol-tenant-attr:tenant_id"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", data["created_at"]!.GetValue<string>());

        var root = (await cloud.GetJson($"{V3}/volumes/{await VolumeId(cloud, "bfv01-root")}"))["volume"]!;
        Assert.Equal("true", root["bootable"]!.GetValue<string>());
        Assert.Equal(20, root["size"]!.GetValue<int>());
        Assert.Equal("", root["description"]!.GetValue<string>());
        Assert.Equal("/dev/xvda", root["attachments"]![0]!["device"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(root["volume_image_metadata"]!["image_id"]!.GetValue<string>()));

        var v1 = (await cloud.GetJson($"{V1}/volumes/{await VolumeId(cloud, "bfv01-root")}"))["volume"]!.AsObject();
        Assert.Equal("bfv01-root", v1["display_name"]!.GetValue<string>());
        Assert.Equal("", v1["display_description"]!.GetValue<string>());
        Assert.False(v1.ContainsKey("name"));
        Assert.Equal(2, (await cloud.GetJson($"{V1}/volumes"))["volumes"]!.AsArray().Count(v => v!["display_name"] is not null));
        Assert.Single((await cloud.GetJson($"{V1}/volumes/detail?display_name=app01-data"))["volumes"]!.AsArray());

        var missing = await cloud.Get($"{V3}/volumes/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(missing), "itemNotFound", 404);
        Assert.Single((await cloud.GetJson("volume/ord/v3/100001/volumes?name=app01-data"))["volumes"]!.AsArray());
        Assert.Empty((await cloud.GetJson("volume/iad/v3/100001/volumes"))["volumes"]!.AsArray());
    }

    [Fact]
    public async Task A_snapshot_of_an_attached_volume_needs_force_and_becomes_available_on_the_virtual_clock()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 60 });
        var volume = await VolumeId(cloud, "app01-data");
        var refused = await CreateSnapshot(cloud, volume, force: false, expect: HttpStatusCode.BadRequest);
        Assert.Equal($"Invalid volume: Volume {volume} status must be available, but current status is: in-use.",
            refused["badRequest"]!["message"]!.GetValue<string>());

        var created = (await CreateSnapshot(cloud, volume, "nightly"))["snapshot"]!;
        Assert.Equal("creating", created["status"]!.GetValue<string>());
        Assert.Equal("nightly", created["name"]!.GetValue<string>());
        Assert.Equal(50, created["size"]!.GetValue<int>());
        Assert.Equal(volume, created["volume_id"]!.GetValue<string>());
        Assert.Equal("v", created["metadata"]!["k"]!.GetValue<string>());
        Assert.False(created.AsObject().ContainsKey("os-extended-snapshot-attributes:progress"));   // only show and detail have it
        Assert.Null(created["updated_at"]);
        var id = created["id"]!.GetValue<string>();

        cloud.Server.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("creating", await Status(cloud, id));
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"00:00:31"}""");
        var shown = (await cloud.GetJson($"{V3}/snapshots/{id}"))["snapshot"]!;
        Assert.Equal("available", shown["status"]!.GetValue<string>());
        Assert.Equal("100%", shown["os-extended-snapshot-attributes:progress"]!.GetValue<string>());

        // a string "True" is a boolean to Cinder; anything else is refused
        var stringForce = await cloud.Post($"{V3}/snapshots", $$$"""{"snapshot":{"volume_id":"{{{volume}}}","force":"True"}}""");
        Assert.Equal(HttpStatusCode.Accepted, stringForce.StatusCode);
        Assert.Null((await Cloud.Json(stringForce))["snapshot"]!["name"]);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await cloud.Post($"{V3}/snapshots", $$$"""{"snapshot":{"volume_id":"{{{volume}}}","force":"maybe"}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await cloud.Post($"{V3}/snapshots", $$$"""{"snapshot":{"volume_id":"{{{Guid.NewGuid()}}}","force":true}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Post($"{V3}/snapshots", """{"snapshot":{"force":true}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Post($"{V3}/snapshots", """{"volume":{}}""")).StatusCode);
    }

    [Fact]
    public async Task Zero_seconds_makes_a_snapshot_available_in_the_answer_and_v1_says_display_name()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0 });
        var volume = await VolumeId(cloud, "bfv01-root");
        var created = (await CreateSnapshot(cloud, volume, "old-style", root: V1, nameField: "display_name"))["snapshot"]!.AsObject();
        Assert.Equal("available", created["status"]!.GetValue<string>());
        Assert.Equal("old-style", created["display_name"]!.GetValue<string>());
        Assert.False(created.ContainsKey("name"));
        var v3 = (await cloud.GetJson($"{V3}/snapshots/{created["id"]!.GetValue<string>()}"))["snapshot"]!;
        Assert.Equal("old-style", v3["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Snapshot_lists_filter_and_page_with_next_links_as_cinder_does()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, MaxTotalSnapshots = -1 });
        var data = await VolumeId(cloud, "app01-data");
        var root = await VolumeId(cloud, "bfv01-root");
        for (var i = 0; i < 5; i++)
        {
            await CreateSnapshot(cloud, data, $"data-{i}");
            cloud.Server.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        await CreateSnapshot(cloud, root, "root-0");

        var all = (await cloud.GetJson($"{V3}/snapshots/detail"))["snapshots"]!.AsArray();
        Assert.Equal(["root-0", "data-4", "data-3", "data-2", "data-1", "data-0"], all.Select(s => s!["name"]!.GetValue<string>()).ToArray());
        Assert.Null((await cloud.GetJson($"{V3}/snapshots/detail"))["snapshots_links"]);
        Assert.Equal(5, (await cloud.GetJson($"{V3}/snapshots?volume_id={data}"))["snapshots"]!.AsArray().Count);
        Assert.Equal("data-2", (await cloud.GetJson($"{V3}/snapshots/detail?name=data-2"))["snapshots"]!.AsArray().Single()!["name"]!.GetValue<string>());
        Assert.Equal(6, (await cloud.GetJson($"{V3}/snapshots?status=available"))["snapshots"]!.AsArray().Count);
        Assert.Empty((await cloud.GetJson($"{V3}/snapshots?status=error"))["snapshots"]!.AsArray());

        var seen = new System.Collections.Generic.List<string>();
        var next = $"{V3}/snapshots/detail?volume_id={data}&limit=2";
        var pages = 0;
        while (next is not null)
        {
            var page = await cloud.GetJson(next);
            pages++;
            seen.AddRange(page["snapshots"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
            Assert.All(page["snapshots"]!.AsArray(), s => Assert.NotNull(s!["os-extended-snapshot-attributes:progress"]));
            next = page["snapshots_links"]?[0]?["href"]?.GetValue<string>();
            if (next is null) continue;
            Assert.Equal("next", page["snapshots_links"]![0]!["rel"]!.GetValue<string>());
            Assert.StartsWith($"{cloud.Server.BaseUri}{V3}/snapshots/detail?", next);
            Assert.Contains($"volume_id={data}", next);
            Assert.Contains("limit=2", next);
            Assert.Contains("marker=", next);
        }
        Assert.Equal(["data-4", "data-3", "data-2", "data-1", "data-0"], seen.ToArray());
        Assert.Equal(3, pages);

        var brief = (await cloud.GetJson($"{V3}/snapshots?limit=1"))["snapshots"]!.AsArray().Single()!.AsObject();
        Assert.False(brief.ContainsKey("os-extended-snapshot-attributes:progress"));
        var unknown = Guid.NewGuid();
        var badMarker = await cloud.Get($"{V3}/snapshots?marker={unknown}");
        Assert.Equal(HttpStatusCode.NotFound, badMarker.StatusCode);
        Assert.Equal($"Snapshot {unknown} could not be found.", (await Cloud.Json(badMarker))["itemNotFound"]!["message"]!.GetValue<string>());

        // Cinder's sort keys, either form; the default is newest first
        var oldest = (await cloud.GetJson($"{V3}/snapshots?sort=created_at:asc&limit=1"))["snapshots"]!.AsArray().Single()!;
        Assert.Equal("data-0", oldest["name"]!.GetValue<string>());
        var byName = (await cloud.GetJson($"{V3}/snapshots?sort_key=name&sort_dir=asc"))["snapshots"]!.AsArray();
        Assert.Equal("data-0", byName[0]!["name"]!.GetValue<string>());
        Assert.Equal("root-0", byName[^1]!["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Get($"{V3}/snapshots?sort=colour:asc")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Get($"{V3}/snapshots?limit=x")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Get($"{V3}/snapshots?limit=-1")).StatusCode);
        Assert.Single((await cloud.GetJson($"{V1}/snapshots/detail?display_name=root-0"))["snapshots"]!.AsArray());
    }

    private static async Task<HttpResponseMessage> At(Cloud cloud, HttpMethod method, string path, string version, string? json = null)
    {
        var request = cloud.Request(method, path, json);
        request.Headers.Add("OpenStack-API-Version", "volume " + version);
        return await cloud.Send(request);
    }

    [Fact]
    public async Task Microversions_change_filters_counts_and_the_force_flag()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0 });
        var data = await VolumeId(cloud, "app01-data");
        await CreateSnapshot(cloud, data, "tagged");
        await cloud.Post($"{V3}/snapshots", $$$"""{"snapshot":{"volume_id":"{{{data}}}","force":true,"name":"plain"}}""");

        // unknown filters: ignored at 3.0, refused from 3.33
        Assert.Equal(2, (await cloud.GetJson($"{V3}/snapshots?bogus_filter=1"))["snapshots"]!.AsArray().Count);
        var bogus = await At(cloud, HttpMethod.Get, $"{V3}/snapshots?bogus_filter=1", "3.70");
        Assert.Equal(HttpStatusCode.BadRequest, bogus.StatusCode);
        Assert.Equal("Invalid filters bogus_filter are found in query options.", (await Cloud.Json(bogus))["badRequest"]!["message"]!.GetValue<string>());

        // metadata filter: ignored at 3.0, applied from 3.22
        var filter = Uri.EscapeDataString("""{"k":"v"}""");
        Assert.Equal(2, (await cloud.GetJson($"{V3}/snapshots?metadata={filter}"))["snapshots"]!.AsArray().Count);
        var filtered = await Cloud.Json(await At(cloud, HttpMethod.Get, $"{V3}/snapshots/detail?metadata={filter}&with_count=true", "3.70"));
        Assert.Equal("tagged", filtered["snapshots"]!.AsArray().Single()!["name"]!.GetValue<string>());
        Assert.Equal(1, filtered["count"]!.GetValue<int>());
        Assert.Null((await cloud.GetJson($"{V3}/snapshots?with_count=true"))["count"]);

        // 3.66: no force needed for an in-use volume; an explicit false is refused
        var noForce = await At(cloud, HttpMethod.Post, $"{V3}/snapshots", "3.66", $$$"""{"snapshot":{"volume_id":"{{{data}}}"}}""");
        Assert.Equal(HttpStatusCode.Accepted, noForce.StatusCode);
        var created = (await Cloud.Json(noForce))["snapshot"]!;
        Assert.NotNull(created["user_id"]);
        Assert.True(created["consumes_quota"]!.GetValue<bool>());
        var falseForce = await At(cloud, HttpMethod.Post, $"{V3}/snapshots", "3.66", $$$"""{"snapshot":{"volume_id":"{{{data}}}","force":false}}""");
        Assert.Equal(HttpStatusCode.BadRequest, falseForce.StatusCode);
        Assert.StartsWith("Since microversion 3.66 the 'force' flag is invalid for this request.",
            (await Cloud.Json(falseForce))["badRequest"]!["message"]!.GetValue<string>());
        var badForce = await cloud.Post($"{V3}/snapshots", $$$"""{"snapshot":{"volume_id":"{{{data}}}","force":"yes-please"}}""");
        Assert.StartsWith("Unrecognized value 'yes-please', acceptable values are: '0', '1'",
            (await Cloud.Json(badForce))["badRequest"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Snapshot_metadata_reads_merges_replaces_and_deletes_items()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0 });
        var id = (await CreateSnapshot(cloud, await VolumeId(cloud, "app01-data")))["snapshot"]!["id"]!.GetValue<string>();
        var path = $"{V3}/snapshots/{id}/metadata";
        Assert.Equal("v", (await cloud.GetJson(path))["metadata"]!["k"]!.GetValue<string>());

        var merged = await Cloud.Json(await cloud.Post(path, """{"metadata":{"autosnap_schedule":"daily"}}"""));
        Assert.Equal(["autosnap_schedule", "k"], merged["metadata"]!.AsObject().Select(p => p.Key).Order().ToArray());
        var replaced = await cloud.Put(path, """{"metadata":{"only":"this"}}""");
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(["only"], (await cloud.GetJson(path))["metadata"]!.AsObject().Select(p => p.Key).ToArray());

        Assert.Equal("this", (await cloud.GetJson($"{path}/only"))["meta"]!["only"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await cloud.Put($"{path}/two", """{"meta":{"two":"2"}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cloud.Delete($"{path}/only")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{path}/only")).StatusCode);
        Assert.Equal("2", (await cloud.GetJson($"{V1}/snapshots/{id}"))["snapshot"]!["metadata"]!["two"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Post(path, """{"metadata":"x"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Post(path, """{"metadata":{"n":1}}""")).StatusCode);
        var tooLong = await cloud.Post(path, "{\"metadata\":{\"" + new string('k', 256) + "\":\"v\"}}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        Assert.StartsWith("Invalid metadata size: Metadata property key ", (await Cloud.Json(tooLong))["overLimit"]!["message"]!.GetValue<string>());

        var renamed = await cloud.Put($"{V3}/snapshots/{id}", """{"snapshot":{"name":"renamed","description":"d"}}""");
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("renamed", (await cloud.GetJson($"{V3}/snapshots/{id}"))["snapshot"]!["name"]!.GetValue<string>());
        Assert.NotNull((await cloud.GetJson($"{V3}/snapshots/{id}"))["snapshot"]!["updated_at"]);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{V3}/snapshots/{Guid.NewGuid()}/metadata")).StatusCode);
    }

    [Fact]
    public async Task Limits_count_usage_and_the_quotas_refuse_with_cinders_413()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0 });
        var absolute = (await cloud.GetJson($"{V3}/limits"))["limits"]!["absolute"]!;
        Assert.Equal(10, absolute["maxTotalSnapshots"]!.GetValue<int>());
        Assert.Equal(0, absolute["totalSnapshotsUsed"]!.GetValue<int>());
        Assert.Equal(1000, absolute["maxTotalVolumeGigabytes"]!.GetValue<int>());
        Assert.Equal(70, absolute["totalGigabytesUsed"]!.GetValue<int>());
        Assert.Equal(10, absolute["maxTotalVolumes"]!.GetValue<int>());
        Assert.Equal(2, absolute["totalVolumesUsed"]!.GetValue<int>());
        Assert.Empty((await cloud.GetJson($"{V3}/limits"))["limits"]!["rate"]!.AsArray());

        await cloud.Configure("""{"maxTotalSnapshots":1,"maxTotalVolumeGigabytes":130}""");
        var data = await VolumeId(cloud, "app01-data");
        await CreateSnapshot(cloud, data);
        absolute = (await cloud.GetJson($"{V1}/limits"))["limits"]!["absolute"]!;
        Assert.Equal(1, absolute["totalSnapshotsUsed"]!.GetValue<int>());
        Assert.Equal(120, absolute["totalGigabytesUsed"]!.GetValue<int>());

        var over = await cloud.Post($"{V3}/snapshots", $$$"""{"snapshot":{"volume_id":"{{{data}}}","force":true}}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("0", over.Headers.GetValues("Retry-After").Single());
        var body = (await Cloud.Json(over))["overLimit"]!;
        Assert.Equal(413, body["code"]!.GetValue<int>());
        Assert.Equal("SnapshotLimitExceeded: Maximum number of snapshots allowed (1) exceeded", body["message"]!.GetValue<string>());
        Assert.Equal("0", body["retryAfter"]!.GetValue<string>());

        await cloud.Configure("""{"maxTotalSnapshots":-1}""");
        var gigabytes = await cloud.Post($"{V3}/snapshots", $$$"""{"snapshot":{"volume_id":"{{{data}}}","force":true}}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, gigabytes.StatusCode);
        Assert.Equal("VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 50G, quota is 130G and 120G has been consumed.",
            (await Cloud.Json(gigabytes))["overLimit"]!["message"]!.GetValue<string>());
        Assert.Equal(1, (await cloud.GetJson($"{V3}/limits"))["limits"]!["absolute"]!["totalSnapshotsUsed"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Http.PostAsync("__admin/config",
            new StringContent("""{"maxTotalSnapshots":1.5}""", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
    }

    [Fact]
    public async Task Delete_goes_through_deleting_and_refuses_a_snapshot_that_is_not_settled()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 10 });
        var id = (await CreateSnapshot(cloud, await VolumeId(cloud, "app01-data")))["snapshot"]!["id"]!.GetValue<string>();
        var early = await cloud.Delete($"{V3}/snapshots/{id}");
        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        Assert.Equal("Invalid snapshot: Snapshot status must be available or error and must not be part of a group.",
            (await Cloud.Json(early))["badRequest"]!["message"]!.GetValue<string>());

        cloud.Server.Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Delete($"{V3}/snapshots/{id}")).StatusCode);
        Assert.Equal("deleting", await Status(cloud, id));
        Assert.Equal(1, (await cloud.GetJson($"{V3}/limits"))["limits"]!["absolute"]!["totalSnapshotsUsed"]!.GetValue<int>());
        cloud.Server.Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{V3}/snapshots/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Delete($"{V3}/snapshots/{id}")).StatusCode);
        Assert.Equal(0, (await cloud.GetJson($"{V3}/limits"))["limits"]!["absolute"]!["totalSnapshotsUsed"]!.GetValue<int>());
    }

    [Fact]
    public async Task Fail_rates_leave_error_and_error_deleting()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings
        {
            SnapshotSeconds = 0, VolumeSnapshotSeconds = 5, VolumeSnapshotFailRate = 1,
        });
        var volume = await VolumeId(cloud, "app01-data");
        var failed = (await CreateSnapshot(cloud, volume))["snapshot"]!["id"]!.GetValue<string>();
        Assert.Equal("creating", await Status(cloud, failed));
        cloud.Server.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("error", await Status(cloud, failed));
        // an error snapshot still counts against the quota until it is deleted, and can be deleted
        Assert.Equal(1, (await cloud.GetJson($"{V3}/limits"))["limits"]!["absolute"]!["totalSnapshotsUsed"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Delete($"{V3}/snapshots/{failed}")).StatusCode);
        cloud.Server.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{V3}/snapshots/{failed}")).StatusCode);

        await cloud.Configure("""{"volumeSnapshotFailRate":0,"volumeSnapshotDeleteFailRate":1}""");
        var stuck = (await CreateSnapshot(cloud, volume))["snapshot"]!["id"]!.GetValue<string>();
        cloud.Server.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("available", await Status(cloud, stuck));
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Delete($"{V3}/snapshots/{stuck}")).StatusCode);
        cloud.Server.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("error_deleting", await Status(cloud, stuck));
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Delete($"{V3}/snapshots/{stuck}")).StatusCode);
    }

    [Fact]
    public async Task A_volume_made_from_a_snapshot_keeps_the_snapshot_from_being_deleted()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, VolumeSnapshotSeconds = 0, VolumeSeconds = 30 });
        var root = await VolumeId(cloud, "bfv01-root");
        var snapshot = (await CreateSnapshot(cloud, root))["snapshot"]!["id"]!.GetValue<string>();

        var small = await cloud.Post($"{V3}/volumes", $$$"""{"volume":{"snapshot_id":"{{{snapshot}}}","size":10}}""");
        Assert.Equal(HttpStatusCode.BadRequest, small.StatusCode);
        var response = await cloud.Post($"{V3}/volumes", $$$"""{"volume":{"snapshot_id":"{{{snapshot}}}","name":"restored"}}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var volume = (await Cloud.Json(response))["volume"]!;
        Assert.Equal("creating", volume["status"]!.GetValue<string>());
        Assert.Equal(20, volume["size"]!.GetValue<int>());
        Assert.Equal(snapshot, volume["snapshot_id"]!.GetValue<string>());
        Assert.Equal("true", volume["bootable"]!.GetValue<string>());
        var volumeId = volume["id"]!.GetValue<string>();
        cloud.Server.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("available", (await cloud.GetJson($"{V3}/volumes/{volumeId}"))["volume"]!["status"]!.GetValue<string>());

        // the backend refuses (SnapshotIsBusy): the delete is accepted and the snapshot comes back available
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Delete($"{V3}/snapshots/{snapshot}")).StatusCode);
        Assert.Equal("available", await Status(cloud, snapshot));

        // a volume with snapshots, or attached, cannot be deleted
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Delete($"{V3}/volumes/{root}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Delete($"{V3}/volumes/{await VolumeId(cloud, "app01-data")}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Delete($"{V3}/volumes/{volumeId}")).StatusCode);
        cloud.Server.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{V3}/volumes/{volumeId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Delete($"{V3}/snapshots/{snapshot}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{V3}/snapshots/{snapshot}")).StatusCode);

        await cloud.Configure("""{"maxTotalVolumes":2}""");
        var over = await cloud.Post($"{V3}/volumes", """{"volume":{"size":1}}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.StartsWith("VolumeLimitExceeded: ", (await Cloud.Json(over))["overLimit"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tokens_projects_and_microversions_are_checked_as_cinder_does()
    {
        await using var cloud = await Cloud.Start();
        var anonymous = await cloud.Get($"{V3}/volumes");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(401, (await Cloud.Json(anonymous))["error"]!["code"]!.GetValue<int>());
        Assert.StartsWith("Keystone uri=", anonymous.Headers.WwwAuthenticate.Single().ToString());
        var v1 = await cloud.Get($"{V1}/volumes");
        Assert.Equal(HttpStatusCode.Unauthorized, v1.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(v1), "unauthorized", 401);

        await cloud.SignIn();
        var other = await cloud.Get("volume/dfw/v3/999999/volumes");
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Equal("Malformed request url", (await Cloud.Json(other))["badRequest"]!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get("volume/dfw/v2/100001/volumes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{V3}/backups")).StatusCode);

        var request = cloud.Request(HttpMethod.Get, $"{V3}/snapshots");
        request.Headers.Add("OpenStack-API-Version", "volume 3.99");
        var tooNew = await cloud.Send(request);
        Assert.Equal(HttpStatusCode.NotAcceptable, tooNew.StatusCode);
        Assert.Contains("Version 3.99 is not supported by the API. Minimum is 3.0 and maximum is 3.70.", await tooNew.Content.ReadAsStringAsync());

        request = cloud.Request(HttpMethod.Get, $"{V3}/volumes/detail");
        request.Headers.Add("OpenStack-API-Version", "volume 3.65");
        var current = await cloud.Send(request);
        Assert.Equal("volume 3.65", current.Headers.GetValues("OpenStack-API-Version").Single());
        Assert.True((await Cloud.Json(current))["volumes"]![0]!["consumes_quota"]!.GetValue<bool>());
        Assert.Null((await cloud.GetJson($"{V3}/volumes/detail"))["volumes"]![0]!["consumes_quota"]);
    }

    [Fact]
    public async Task Faults_rate_limits_and_stats_apply_to_block_storage()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings
        {
            SnapshotSeconds = 0, FaultRate = 1, FaultKinds = ["500"], FaultPhase = "before", FaultServices = ["volume"],
        });
        var faulted = await cloud.Get($"{V3}/snapshots");
        Assert.Equal(HttpStatusCode.InternalServerError, faulted.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(faulted), "computeFault", 500);
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Compute}/servers")).StatusCode);

        await cloud.Configure("""{"faultRate":0,"rateLimits":{"GET":2}}""");
        await cloud.Admin(HttpMethod.Delete, "stats");
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{V3}/snapshots/detail")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{V1}/volumes")).StatusCode);
        var limited = await cloud.Get($"{V3}/limits");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        // another region has its own bucket
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get("volume/ord/v3/100001/volumes")).StatusCode);

        var stats = (await cloud.Admin(HttpMethod.Get, "stats"))!;
        Assert.Equal(1, stats["byRoute"]!["GET /snapshots/detail"]!.GetValue<int>());
        Assert.Equal(2, stats["byRoute"]!["GET /volumes"]!.GetValue<int>());   // v1 in DFW, v3 in ORD: one route
        Assert.Equal(1, stats["rateLimited"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Seed_files_declare_volumes_and_attachments()
    {
        var (seed, settings) = ConfigFile.Parse("""
            {
              "regions": ["LON"],
              "accounts": [ { "tenantId": "200002", "userName": "uk", "apiKey": "uk-key", "password": "uk-password" } ],
              "servers": [ { "name": "db9", "region": "LON" }, { "name": "boot9", "region": "LON" } ],
              "volumes": [
                { "name": "db9-data", "region": "LON", "size": 100, "server": "db9", "device": "/dev/xvdc", "description": "pg" },
                { "name": "boot9-root", "region": "LON", "size": 40, "server": "boot9", "boot": true },
                { "name": "spare", "region": "LON", "size": 5, "metadata": { "team": "ops" } }
              ],
              "volumeSnapshotSeconds": 0, "maxTotalSnapshots": 3
            }
            """);
        Assert.Equal(3, settings.MaxTotalSnapshots);
        await using var cloud = await Cloud.Start(settings with { SnapshotSeconds = 0 }, seed);
        var token = await Cloud.Json(await cloud.Post("v2.0/tokens", """{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"uk","apiKey":"uk-key"}}}"""));
        cloud.Http.DefaultRequestHeaders.Add("X-Auth-Token", token["access"]!["token"]!["id"]!.GetValue<string>());
        var volumes = (await cloud.GetJson("volume/lon/v3/200002/volumes/detail"))["volumes"]!.AsArray();
        Assert.Equal(3, volumes.Count);
        var data = volumes.Single(v => v!["name"]!.GetValue<string>() == "db9-data")!;
        Assert.Equal("/dev/xvdc", data["attachments"]![0]!["device"]!.GetValue<string>());
        Assert.Equal("in-use", data["status"]!.GetValue<string>());
        Assert.Equal("available", volumes.Single(v => v!["name"]!.GetValue<string>() == "spare")!["status"]!.GetValue<string>());
        var servers = (await cloud.GetJson("compute/lon/v2/200002/servers/detail"))["servers"]!.AsArray();
        var boot = servers.Single(s => s!["name"]!.GetValue<string>() == "boot9")!;
        Assert.Equal("", boot["image"]!.GetValue<string>());
        Assert.Equal("/dev/xvda", volumes.Single(v => v!["name"]!.GetValue<string>() == "boot9-root")!["attachments"]![0]!["device"]!.GetValue<string>());
        Assert.Equal(System.Text.Json.JsonValueKind.Object, servers.Single(s => s!["name"]!.GetValue<string>() == "db9")!["image"]!.GetValueKind());

        Assert.Throws<InvalidOperationException>(() => new CloudState(new SeedDocument
        {
            Regions = ["LON"], Servers = [],
            Volumes = [new VolumeSeed { Name = "x", Region = "LON", Size = 1, Server = "nobody" }],
        }, new CloudSettings()));
    }
}
