using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

public sealed class ClockAndAdminTests
{
    [Fact]
    public async Task The_clock_starts_at_real_time_and_moves_the_Date_header_and_timestamps()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var now = DateTimeOffset.Parse((await cloud.Admin(HttpMethod.Get, "clock"))!["now"]!.GetValue<string>());
        Assert.InRange(now - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(1));

        var advanced = DateTimeOffset.Parse((await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"3.00:00:00"}"""))!["now"]!.GetValue<string>());
        Assert.InRange(advanced - now, TimeSpan.FromDays(3), TimeSpan.FromDays(3.01));
        await cloud.SignIn();
        var response = await cloud.Get($"{cloud.Compute}/servers");
        Assert.InRange(response.Headers.Date!.Value - advanced, TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(1));

        await cloud.Admin(HttpMethod.Post, "clock", """{"set":"2030-06-01T12:00:00Z"}""");
        await cloud.SignIn();
        var image = await cloud.Snapshot(await cloud.ServerId());
        var created = (await cloud.GetJson($"{cloud.Glance}/images/{image}"))["created_at"]!.GetValue<string>();
        Assert.StartsWith("2030-06-01T12:0", created);
        var nova = (await cloud.GetJson($"{cloud.Compute}/images/{image}"))["image"]!["created"]!.GetValue<string>();
        Assert.Equal(created, nova);
        var token = await cloud.Post("v2.0/tokens", """{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"demo","apiKey":"demo-api-key"}}}""");
        Assert.StartsWith("2030-06-02T12:0", (await Cloud.Json(token))["access"]!["token"]!["expires"]!.GetValue<string>());
        Assert.Equal(2030, token.Headers.Date!.Value.Year);
    }

    [Fact]
    public async Task Changes_since_follows_the_virtual_clock()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Admin(HttpMethod.Post, "clock", """{"set":"2031-01-01T00:00:00Z"}""");
        await cloud.SignIn();
        await cloud.Snapshot(await cloud.ServerId());
        Assert.Single((await cloud.GetJson($"{cloud.Compute}/images/detail?changes-since=2030-12-31T23:00:00Z"))["images"]!.AsArray());
        Assert.Empty((await cloud.GetJson($"{cloud.Compute}/images/detail?changes-since=2031-01-01T01:00:00Z"))["images"]!.AsArray());
        Assert.Equal(4, (await cloud.GetJson($"{cloud.Compute}/servers?changes-since=2020-01-01T00:00:00Z"))["servers"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("""{"advance":"soon"}""")]
    [InlineData("""{"set":"yesterday"}""")]
    [InlineData("""{}""")]
    [InlineData("""not json""")]
    public async Task Bad_clock_requests_get_400(string body)
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Http.PostAsync("__admin/clock", new StringContent(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Config_merges_the_fields_given_and_refuses_bad_ones()
    {
        await using var cloud = await Cloud.Start();
        var merged = (await cloud.Configure("""{"latencyMs":5,"faultKinds":[500,"reset"],"rateLimits":{"get":1000}}"""))!;
        Assert.Equal(5, merged["latencyMs"]!.GetValue<int>());
        Assert.Equal(["500", "reset"], merged["faultKinds"]!.AsArray().Select(k => k!.GetValue<string>()).ToArray());
        Assert.Equal(1000, merged["rateLimits"]!["GET"]!.GetValue<int>());
        Assert.Equal(0, merged["snapshotSeconds"]!.GetValue<double>());   // untouched
        foreach (var bad in new[] { """{"faultRate":2}""", """{"faultKinds":["boom"]}""", """{"faultPhase":"during"}""", """{"nope":1}""", """{"rateLimitStatus":500}""" })
        {
            var response = await cloud.Http.PostAsync("__admin/config", new StringContent(bad));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task Stats_count_api_requests_by_route_template_but_never_admin_calls()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var server = await cloud.ServerId();
        await cloud.Snapshot(server);
        await cloud.Get($"{cloud.Compute}/servers/{server}");
        await cloud.Get($"{cloud.Compute21}/servers/{server}");
        await cloud.Get($"{cloud.Glance}/images");
        await cloud.Admin(HttpMethod.Get, "state");
        var stats = (await cloud.Admin(HttpMethod.Get, "stats"))!;
        Assert.Equal(1, stats["byRoute"]!["POST /servers/{id}/action"]!.GetValue<int>());
        Assert.Equal(2, stats["byRoute"]!["GET /servers/{id}"]!.GetValue<int>());
        Assert.Equal(1, stats["byRoute"]!["GET /v2/images"]!.GetValue<int>());
        Assert.Equal(1, stats["byRoute"]!["POST /v2.0/tokens"]!.GetValue<int>());
        Assert.Equal(6, stats["total"]!.GetValue<int>());
        var reset = (await cloud.Admin(HttpMethod.Delete, "stats"))!;
        Assert.Equal(0, reset["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_request_log_keeps_query_strings_times_and_statuses_until_stats_are_reset()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Admin(HttpMethod.Delete, "stats");
        await cloud.Get($"{cloud.Glance}/images?autosnap_schedule=daily&limit=5");
        await cloud.Get($"{cloud.Compute}/servers/00000000-0000-0000-0000-000000000000");
        await cloud.Admin(HttpMethod.Get, "state");
        var requests = (await cloud.Admin(HttpMethod.Get, "requests"))!["requests"]!.AsArray();
        Assert.Equal(2, requests.Count);
        Assert.EndsWith("/v2/images?autosnap_schedule=daily&limit=5", requests[0]!["target"]!.GetValue<string>());
        Assert.Equal("GET /v2/images", requests[0]!["route"]!.GetValue<string>());
        Assert.Equal(200, requests[0]!["status"]!.GetValue<int>());
        Assert.Equal("GET /servers/{id}", requests[1]!["route"]!.GetValue<string>());
        Assert.Equal(404, requests[1]!["status"]!.GetValue<int>());
        Assert.True(requests[1]!["atSecond"]!.GetValue<double>() >= requests[0]!["atSecond"]!.GetValue<double>());
        await cloud.Admin(HttpMethod.Delete, "stats");
        Assert.Empty((await cloud.Admin(HttpMethod.Get, "requests"))!["requests"]!.AsArray());
    }

    [Fact]
    public async Task Bulk_seeding_builds_a_200_server_fleet_across_three_regions()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var created = (await cloud.Admin(HttpMethod.Post, "servers",
            """{"count":200,"namePrefix":"fleet-","regions":["DFW","ORD","IAD"],"metadata":{"backup":"daily","n":"{i}"}}"""))!;
        Assert.Equal(200, created["count"]!.GetValue<int>());
        var state = (await cloud.Admin(HttpMethod.Get, "state"))!;
        Assert.Equal(71, state["regions"]!["DFW"]!["servers"]!.GetValue<int>());   // 67 + web01, db01, bfv01, app01
        Assert.Equal(67, state["regions"]!["ORD"]!["servers"]!.GetValue<int>() - 3);   // web02, bfv01, app01
        Assert.Equal(66, state["regions"]!["IAD"]!["servers"]!.GetValue<int>());
        var page = await cloud.GetJson("compute/iad/v2/100001/servers/detail?name=^fleet-003$");
        Assert.Equal("3", page["servers"]![0]!["metadata"]!["n"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bulk_images_take_statuses_properties_and_creation_times()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var result = (await cloud.Admin(HttpMethod.Post, "images",
            """{"count":4,"region":"ORD","server":"22222222-2222-4222-8222-222222222222","statuses":["active","killed"],"createdFrom":"2025-01-01T00:00:00Z","createdStep":"7.00:00:00","properties":{"autosnap_schedule":"weekly"}}"""))!;
        Assert.Equal(4, result["ids"]!.AsArray().Count);
        var images = (await cloud.GetJson("image/ord/v2/images?autosnap_schedule=weekly&sort=created_at:asc"))["images"]!.AsArray();
        Assert.Equal(["2025-01-01T00:00:00Z", "2025-01-08T00:00:00Z", "2025-01-15T00:00:00Z", "2025-01-22T00:00:00Z"],
            images.Select(i => i!["created_at"]!.GetValue<string>()).ToArray());
        Assert.Equal(["active", "killed", "active", "killed"], images.Select(i => i!["status"]!.GetValue<string>()).ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Http.PostAsync("__admin/images", new StringContent("""{"region":"MARS"}"""))).StatusCode);
    }

    [Fact]
    public async Task Patching_an_image_through_admin_ages_it_and_sets_its_status()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var image = await cloud.Snapshot(await cloud.ServerId());
        await cloud.Admin(new HttpMethod("PATCH"), $"images/{image}", """{"created":"2020-02-02T00:00:00Z","status":"killed","properties":{"autosnap_pinned":"true"}}""");
        var glance = await cloud.GetJson($"{cloud.Glance}/images/{image}");
        Assert.Equal("2020-02-02T00:00:00Z", glance["created_at"]!.GetValue<string>());
        Assert.Equal("killed", glance["status"]!.GetValue<string>());
        Assert.Single((await cloud.GetJson($"{cloud.Glance}/images?autosnap_pinned=true"))["images"]!.AsArray());
        var missing = await cloud.Http.PatchAsync("__admin/images/nope", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Reset_returns_to_the_seed()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Admin(HttpMethod.Post, "servers", """{"count":5}""");
        await cloud.Configure("""{"latencyMs":7}""");
        await cloud.Admin(HttpMethod.Post, "reset");
        var state = (await cloud.Admin(HttpMethod.Get, "state"))!;
        Assert.Equal(4, state["regions"]!["DFW"]!["servers"]!.GetValue<int>());
        Assert.Equal(0, state["tokens"]!.GetValue<int>());
        Assert.Equal(0, (await cloud.Admin(HttpMethod.Get, "config"))!["latencyMs"]!.GetValue<int>());
    }

    [Fact]
    public async Task Unknown_admin_routes_get_404_and_the_index_lists_the_endpoints()
    {
        await using var cloud = await Cloud.Start();
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Http.GetAsync("__admin/nothing")).StatusCode);
        var index = (await cloud.Admin(HttpMethod.Get, ""))!;
        Assert.Contains(index["endpoints"]!.AsArray(), e => e!.GetValue<string>().StartsWith("POST /__admin/clock", StringComparison.Ordinal));
    }
}
