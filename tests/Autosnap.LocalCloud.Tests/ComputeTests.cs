using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

public sealed class ComputeTests
{
    [Fact]
    public async Task Servers_list_detail_and_show_carry_novas_fields()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var list = await cloud.GetJson($"{cloud.Compute}/servers");
        Assert.Equal(["app01", "bfv01", "db01", "web01"], list["servers"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()).Order().ToArray());
        Assert.Null(list["servers"]![0]!["status"]);
        var detail = await cloud.GetJson($"{cloud.Compute}/servers/detail");
        var web = detail["servers"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "web01")!;
        Assert.Equal("ACTIVE", web["status"]!.GetValue<string>());
        Assert.True(web.AsObject().ContainsKey("OS-EXT-STS:task_state"));
        Assert.Null(web["OS-EXT-STS:task_state"]);
        Assert.Equal("daily", web["metadata"]!["backup"]!.GetValue<string>());
        Assert.Equal("general1-2", web["flavor"]!["id"]!.GetValue<string>());
        var id = web["id"]!.GetValue<string>();
        var show = await cloud.GetJson($"{cloud.Compute}/servers/{id}");
        Assert.Equal(id, show["server"]!["id"]!.GetValue<string>());
        Assert.EndsWith($"/compute/dfw/v2/100001/servers/{id}", show["server"]!["links"]![0]!["href"]!.GetValue<string>());
        var ord = await cloud.GetJson("compute/ord/v2/100001/servers");
        Assert.Equal(["app01", "bfv01", "web02"], ord["servers"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()).Order().ToArray());
    }

    [Fact]
    public async Task Servers_filter_by_name_regex_and_status()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var web = await cloud.GetJson($"{cloud.Compute}/servers?name=^web");
        Assert.Equal("web01", web["servers"]!.AsArray().Single()!["name"]!.GetValue<string>());
        Assert.Empty((await cloud.GetJson($"{cloud.Compute}/servers?status=ERROR"))["servers"]!.AsArray());
        Assert.Equal(4, (await cloud.GetJson($"{cloud.Compute}/servers?status=active"))["servers"]!.AsArray().Count);   // web01, db01, bfv01, app01
    }

    [Fact]
    public async Task Servers_page_with_limit_marker_and_servers_links()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Admin(HttpMethod.Post, "servers", """{"count":5,"namePrefix":"fleet-","region":"DFW"}""");
        var seen = new List<string>();
        var next = $"{cloud.Compute}/servers/detail?limit=3";
        var pages = 0;
        while (next is not null)
        {
            var page = await cloud.GetJson(next);
            pages++;
            seen.AddRange(page["servers"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
            next = page["servers_links"]?[0]?["href"]?.GetValue<string>();
            if (next is not null) Assert.Contains("/servers/detail?limit=3&marker=", next);
        }
        Assert.Equal(9, seen.Count);   // the seed's four in DFW and five more
        Assert.Equal(9, seen.Distinct().Count());
        Assert.Equal(4, pages);   // 3 + 3 + 3 and an empty last page: Nova links a full page
        var bad = await cloud.Get($"{cloud.Compute}/servers?marker=nope");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Get($"{cloud.Compute}/servers?limit=x")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Get($"{cloud.Compute}/servers?limit=-1")).StatusCode);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task Unknown_or_malformed_server_ids_get_itemNotFound(string id)
    {
        await using var cloud = await Cloud.StartSignedIn();
        var response = await cloud.Get($"{cloud.Compute}/servers/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await Cloud.Json(response);
        Cloud.AssertNovaFault(body, "itemNotFound", 404);
        Assert.Equal($"Instance {id} could not be found.", body["itemNotFound"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Booting_gives_202_Location_and_an_active_server()
    {
        await using var cloud = await Cloud.StartSignedIn();
        // a Linux base image: Windows' min_ram (2048) is more than general1-1 has
        var image = (await cloud.GetJson($"{cloud.Compute}/images?name=Debian 12 (Bookworm) (PVHVM)"))["images"]![0]!["id"]!.GetValue<string>();
        var response = await cloud.Post($"{cloud.Compute}/servers",
            $$$$"""{"server":{"name":"new1","imageRef":"{{{{image}}}}","flavorRef":"general1-1","metadata":{"backup":"weekly"}}}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await Cloud.Json(response))["server"]!["id"]!.GetValue<string>();
        Assert.EndsWith($"/servers/{id}", response.Headers.Location!.ToString());
        var server = (await cloud.GetJson($"{cloud.Compute}/servers/{id}"))["server"]!;
        Assert.Equal("ACTIVE", server["status"]!.GetValue<string>());
        Assert.Equal("weekly", server["metadata"]!["backup"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"server":{"imageRef":"x","flavorRef":"general1-1"}}""", 400)]
    [InlineData("""{"server":{"name":"a","imageRef":"x","flavorRef":"nope"}}""", 400)]
    [InlineData("""{"server":{"name":"a","imageRef":"nope","flavorRef":"general1-1"}}""", 400)]
    [InlineData("""{"server":{"name":"a"}}""", 400)]
    [InlineData("""{"srv":{}}""", 400)]
    public async Task Booting_with_bad_input_gets_badRequest(string body, int status)
    {
        await using var cloud = await Cloud.StartSignedIn();
        var response = await cloud.Post($"{cloud.Compute}/servers", body);
        Assert.Equal(status, (int)response.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(response), "badRequest", 400);
    }

    [Fact]
    public async Task Deleting_a_server_leaves_its_images_behind()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var server = await cloud.ServerId("db01");
        var image = await cloud.Snapshot(server, "orphan-to-be");
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Compute}/servers/{server}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{cloud.Compute}/servers/{server}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Delete($"{cloud.Compute}/servers/{server}")).StatusCode);
        var orphan = await cloud.GetJson($"{cloud.Glance}/images?instance_uuid={server}");
        Assert.Equal(image, orphan["images"]!.AsArray().Single()!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_metadata_can_be_read_merged_replaced_and_deleted_up_to_40_items()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var id = await cloud.ServerId();
        var path = $"{cloud.Compute}/servers/{id}/metadata";
        Assert.Equal("web", (await cloud.GetJson(path))["metadata"]!["role"]!.GetValue<string>());
        var merged = await Cloud.Json(await cloud.Post(path, """{"metadata":{"tier":"1"}}"""));
        Assert.Equal(3, merged["metadata"]!.AsObject().Count);
        var replaced = await Cloud.Json(await cloud.Put(path, """{"metadata":{"only":"this"}}"""));
        Assert.Single(replaced["metadata"]!.AsObject());
        Assert.Equal("this", (await cloud.GetJson($"{path}/only"))["meta"]!["only"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await cloud.Put($"{path}/k2", """{"meta":{"k2":"v2"}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Put($"{path}/k3", """{"meta":{"other":"v"}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{path}/k2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Delete($"{path}/k2")).StatusCode);

        var tooMany = "{\"metadata\":{" + string.Join(",", Enumerable.Range(0, 41).Select(i => $"\"k{i}\":\"v\"")) + "}}";
        var over = await cloud.Put(path, tooMany);
        Assert.Equal(HttpStatusCode.Forbidden, over.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(over), "forbidden", 403);
        var longValue = await cloud.Post(path, "{\"metadata\":{\"k\":\"" + new string('x', 256) + "\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, longValue.StatusCode);
    }

    [Fact]
    public async Task Flavors_list_detail_and_show()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var flavors = await cloud.GetJson($"{cloud.Compute}/flavors/detail");
        Assert.Contains(flavors["flavors"]!.AsArray(), f => f!["id"]!.GetValue<string>() == "general1-1" && f["ram"]!.GetValue<int>() == 1024);
        Assert.Equal(13, (await cloud.GetJson($"{cloud.Compute}/flavors"))["flavors"]!.AsArray().Count);   // Rackspace's six, devstack's seven m1.*
        Assert.Equal("general1-8", (await cloud.GetJson($"{cloud.Compute}/flavors/general1-8"))["flavor"]!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{cloud.Compute}/flavors/nope")).StatusCode);
    }

    [Fact]
    public async Task Limits_report_rackspace_absolute_limits_and_no_rate_limits_by_default()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var limits = (await cloud.GetJson($"{cloud.Compute}/limits"))["limits"]!;
        Assert.Empty(limits["rate"]!.AsArray());
        Assert.Equal(40, limits["absolute"]!["maxImageMeta"]!.GetValue<int>());
        Assert.Equal(40, limits["absolute"]!["maxServerMeta"]!.GetValue<int>());
        Assert.Equal(100, limits["absolute"]!["maxTotalInstances"]!.GetValue<int>());
        Assert.Equal(131072, limits["absolute"]!["maxTotalRAMSize"]!.GetValue<int>());
        Assert.Equal(4, limits["absolute"]!["totalInstancesUsed"]!.GetValue<int>());
    }

    [Fact]
    public async Task Extensions_are_listed()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var extensions = await cloud.GetJson($"{cloud.Compute}/extensions");
        Assert.Contains(extensions["extensions"]!.AsArray(), e => e!["alias"]!.GetValue<string>() == "OS-EXT-STS");
    }

    [Fact]
    public async Task A_tenant_in_the_url_that_is_not_the_tokens_gets_badRequest()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var response = await cloud.Get("compute/dfw/v2/999999/servers");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(response), "badRequest", 400);
    }

    [Fact]
    public async Task Unknown_routes_regions_and_methods_get_novas_errors()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var unknown = await cloud.Get($"{cloud.Compute}/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(unknown), "itemNotFound", 404);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get("compute/xyz/v2/100001/servers")).StatusCode);
        var method = await cloud.Send(cloud.Request(HttpMethod.Patch, $"{cloud.Compute}/servers", "{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(method), "badMethod", 405);
        var nowhere = await cloud.Get("no/such/service");
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
    }

    [Theory]
    [InlineData("{\"createImage\": {", "application/json", 400, "badRequest")]
    [InlineData("[1,2]", "application/json", 400, "badRequest")]
    [InlineData("{\"createImage\":{\"name\":\"x\"}}", "text/plain", 415, "badMediaType")]
    [InlineData("{\"createImage\":{\"name\":\"x\"}}", "application/xml", 415, "badMediaType")]
    [InlineData("{\"fly\":{}}", "application/json", 400, "badRequest")]
    [InlineData("{\"createImage\":{}}", "application/json", 400, "badRequest")]
    [InlineData("{\"createImage\":{\"name\":\"x\",\"metadata\":[1]}}", "application/json", 400, "badRequest")]
    [InlineData("{\"createImage\":{\"name\":\"x\",\"metadata\":{\"k\":1}}}", "application/json", 400, "badRequest")]
    [InlineData("{\"createBackup\":{\"name\":\"x\",\"backup_type\":\"daily\"}}", "application/json", 400, "badRequest")]
    [InlineData("{\"createBackup\":{\"name\":\"x\",\"backup_type\":\"daily\",\"rotation\":-1}}", "application/json", 400, "badRequest")]
    public async Task Bad_action_bodies_get_novas_codes_and_envelopes(string body, string contentType, int status, string fault)
    {
        await using var cloud = await Cloud.StartSignedIn();
        var response = await cloud.Post($"{cloud.Compute}/servers/{await cloud.ServerId()}/action", body, contentType);
        Assert.Equal(status, (int)response.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(response), fault, status);
    }

    [Fact]
    public async Task Too_much_createImage_metadata_is_413_on_legacy_v2_and_403_on_v21()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var server = await cloud.ServerId();
        var metadata = "{" + string.Join(",", Enumerable.Range(0, 41).Select(i => $"\"k{i}\":\"v\"")) + "}";
        var body = "{\"createImage\":{\"name\":\"big\",\"metadata\":" + metadata + "}}";
        var legacy = await cloud.Post($"{cloud.Compute}/servers/{server}/action", body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, legacy.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(legacy), "overLimit", 413);
        var current = await cloud.Post($"{cloud.Compute21}/servers/{server}/action", body);
        Assert.Equal(HttpStatusCode.Forbidden, current.StatusCode);
        Assert.Equal("Image metadata limit exceeded", (await Cloud.Json(current))["forbidden"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Version_discovery_advertises_v2_and_v21_up_to_293()
    {
        await using var cloud = await Cloud.Start();
        var versions = await cloud.GetJson("compute/dfw");
        Assert.Equal(["v2.0", "v2.1"], versions["versions"]!.AsArray().Select(v => v!["id"]!.GetValue<string>()).ToArray());
        var v21 = (await cloud.GetJson("compute/dfw/v2.1"))["version"]!;
        Assert.Equal("2.93", v21["version"]!.GetValue<string>());
        Assert.Equal("2.1", v21["min_version"]!.GetValue<string>());
        Assert.Equal("v2.0", (await cloud.GetJson("compute/dfw/v2"))["version"]!["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("OpenStack-API-Version", "compute 2.99", 406)]
    [InlineData("OpenStack-API-Version", "compute 3.0", 406)]
    [InlineData("X-OpenStack-Nova-API-Version", "2.94", 406)]
    [InlineData("OpenStack-API-Version", "compute banana", 400)]
    [InlineData("OpenStack-API-Version", "compute 2.93", 200)]
    [InlineData("OpenStack-API-Version", "compute latest", 200)]
    public async Task Microversions_outside_21_to_293_are_refused(string header, string value, int status)
    {
        await using var cloud = await Cloud.StartSignedIn();
        var request = cloud.Request(HttpMethod.Get, $"{cloud.Compute21}/servers");
        request.Headers.Add(header, value);
        var response = await cloud.Send(request);
        Assert.Equal(status, (int)response.StatusCode);
        if (status == 200) Assert.Equal("compute 2.93", response.Headers.GetValues("OpenStack-API-Version").Single());
        if (status == 406) Cloud.AssertNovaFault(await Cloud.Json(response), "computeFault", 406);
    }

    [Fact]
    public async Task The_legacy_endpoint_ignores_microversion_headers()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var request = cloud.Request(HttpMethod.Get, $"{cloud.Compute}/servers");
        request.Headers.Add("OpenStack-API-Version", "compute 2.99");
        var response = await cloud.Send(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("OpenStack-API-Version"));
    }

    [Fact]
    public async Task At_247_servers_embed_their_flavor()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var request = cloud.Request(HttpMethod.Get, $"{cloud.Compute21}/servers/{await cloud.ServerId()}");
        request.Headers.Add("OpenStack-API-Version", "compute 2.47");
        var server = (await Cloud.Json(await cloud.Send(request)))["server"]!;
        Assert.Equal("2 GB General Purpose v1", server["flavor"]!["original_name"]!.GetValue<string>());
        Assert.NotNull(server["locked"]);
    }

    [Fact]
    public async Task The_image_proxy_is_gone_from_236_as_in_nova()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var request = cloud.Request(HttpMethod.Get, $"{cloud.Compute21}/images/detail");
        request.Headers.Add("OpenStack-API-Version", "compute 2.36");
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Send(request)).StatusCode);
        var older = cloud.Request(HttpMethod.Get, $"{cloud.Compute21}/images/detail");
        older.Headers.Add("OpenStack-API-Version", "compute 2.35");
        Assert.Equal(HttpStatusCode.OK, (await cloud.Send(older)).StatusCode);
    }

    [Fact]
    public async Task Limits_at_high_microversions_drop_the_fields_nova_removed()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var request = cloud.Request(HttpMethod.Get, $"{cloud.Compute21}/limits");
        request.Headers.Add("OpenStack-API-Version", "compute 2.57");
        var absolute = (await Cloud.Json(await cloud.Send(request)))["limits"]!["absolute"]!;
        Assert.Null(absolute["maxImageMeta"]);
        Assert.Null(absolute["maxPersonality"]);
        Assert.Null(absolute["maxSecurityGroups"]);
        Assert.Equal(40, absolute["maxServerMeta"]!.GetValue<int>());
    }

    [Fact]
    public async Task Power_actions_change_the_status()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var id = await cloud.ServerId();
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Post($"{cloud.Compute}/servers/{id}/action", """{"os-stop":null}""")).StatusCode);
        Assert.Equal("SHUTOFF", (await cloud.GetJson($"{cloud.Compute}/servers/{id}"))["server"]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Post($"{cloud.Compute}/servers/{id}/action", """{"os-start":null}""")).StatusCode);
        Assert.Equal("ACTIVE", (await cloud.GetJson($"{cloud.Compute}/servers/{id}"))["server"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Renaming_a_server_keeps_its_id()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var id = await cloud.ServerId();
        var renamed = await Cloud.Json(await cloud.Put($"{cloud.Compute}/servers/{id}", """{"server":{"name":"web01-renamed"}}"""));
        Assert.Equal("web01-renamed", renamed["server"]!["name"]!.GetValue<string>());
        Assert.Equal(id, await cloud.ServerId("web01-renamed"));
    }
}
