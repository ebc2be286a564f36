using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

/// <summary>Every fault kind, before and after the request ran (faultRate 1 makes the choice certain).</summary>
public sealed class FaultTests
{
    private static async Task<(Cloud Cloud, string Server)> Faulty(string kind, string phase)
    {
        var cloud = await Cloud.StartSignedIn();
        var server = await cloud.ServerId();
        await cloud.Configure($$"""{"faultRate":1,"faultKinds":["{{kind}}"],"faultPhase":"{{phase}}","faultServices":["compute"],"stallSeconds":0.2}""");
        return (cloud, server);
    }

    /// <summary>Turns faults off and counts the images createImage made.</summary>
    private static async Task<int> SnapshotsMade(Cloud cloud, string server)
    {
        await cloud.Configure("""{"faultRate":0}""");
        return (await cloud.GetJson($"{cloud.Glance}/images?instance_uuid={server}"))["images"]!.AsArray().Count;
    }

    private static Task<HttpResponseMessage> CreateImage(Cloud cloud, string server) =>
        cloud.Post($"{cloud.Compute}/servers/{server}/action", """{"createImage":{"name":"lost"}}""");

    [Theory]
    [InlineData("500", "before", 0)]
    [InlineData("500", "after", 1)]
    [InlineData("503", "before", 0)]
    [InlineData("503", "after", 1)]
    public async Task Server_errors_use_novas_envelope_and_strike_before_or_after(string kind, string phase, int made)
    {
        var (cloud, server) = await Faulty(kind, phase);
        await using var _ = cloud;
        var response = await CreateImage(cloud, server);
        Assert.Equal(int.Parse(kind), (int)response.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(response), kind == "500" ? "computeFault" : "serviceUnavailable", int.Parse(kind));
        Assert.Equal(made, await SnapshotsMade(cloud, server));
    }

    [Theory]
    [InlineData("before", 0)]
    [InlineData("after", 1)]
    public async Task A_reset_drops_the_connection(string phase, int made)
    {
        var (cloud, server) = await Faulty("reset", phase);
        await using var _ = cloud;
        await Assert.ThrowsAsync<HttpRequestException>(() => CreateImage(cloud, server));
        Assert.Equal(made, await SnapshotsMade(cloud, server));
    }

    [Theory]
    [InlineData("before", 0)]
    [InlineData("after", 1)]
    public async Task A_stall_holds_the_response_until_the_client_gives_up(string phase, int made)
    {
        var (cloud, server) = await Faulty("stall", phase);
        await using var _ = cloud;
        await cloud.Configure("""{"stallSeconds":600}""");
        using var impatient = new HttpClient { BaseAddress = cloud.Server.BaseUri, Timeout = TimeSpan.FromMilliseconds(300) };
        var request = cloud.Request(HttpMethod.Post, $"{cloud.Compute}/servers/{server}/action", """{"createImage":{"name":"lost"}}""");
        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.SendAsync(request));
        Assert.Equal(made, await SnapshotsMade(cloud, server));
    }

    [Fact]
    public async Task A_stall_ends_by_dropping_the_connection_after_stallSeconds()
    {
        var (cloud, server) = await Faulty("stall", "before");
        await using var _ = cloud;
        await Assert.ThrowsAsync<HttpRequestException>(() => cloud.Get($"{cloud.Compute}/servers"));
    }

    [Theory]
    [InlineData("before", 0)]
    [InlineData("after", 1)]
    public async Task Garbage_is_a_200_whose_body_does_not_parse(string phase, int made)
    {
        var (cloud, server) = await Faulty("garbage", phase);
        await using var _ = cloud;
        for (var i = 0; i < 4; i++)   // both forms: malformed and truncated
        {
            try
            {
                var response = await cloud.Get($"{cloud.Compute}/servers/{server}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var text = await response.Content.ReadAsStringAsync();
                Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
            }
            catch (HttpRequestException)
            {
                // the truncated form: the body ended before its Content-Length
            }
        }
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await CreateImage(cloud, server)).StatusCode);   // a "200" for a 202 action
        }
        catch (HttpRequestException)
        {
        }
        Assert.Equal(made, await SnapshotsMade(cloud, server));
    }

    [Theory]
    [InlineData("413")]
    [InlineData("429")]
    public async Task Injected_overLimit_faults_reject_before_processing_with_Retry_After(string kind)
    {
        var (cloud, server) = await Faulty(kind, "after");
        await using var _ = cloud;
        var response = await CreateImage(cloud, server);
        Assert.Equal(int.Parse(kind), (int)response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Cloud.AssertNovaFault(await Cloud.Json(response), "overLimit", int.Parse(kind));
        Assert.Equal(0, await SnapshotsMade(cloud, server));
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, "2.45")]
    public async Task An_orphan_leaves_the_image_queued_for_ever_and_the_server_idle(bool legacy, string? microversion)
    {
        var (cloud, server) = await Faulty("orphan", "mixed");
        await using var _ = cloud;
        await cloud.Configure("""{"snapshotSeconds":10}""");
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Compute}/servers/{server}")).StatusCode);   // other calls run normally
        var request = cloud.Request(HttpMethod.Post, $"{(legacy ? cloud.Compute : cloud.Compute21)}/servers/{server}/action",
            """{"createImage":{"name":"orphan","metadata":{"autosnap_request":"r-1"}}}""");
        if (microversion is not null) request.Headers.Add("OpenStack-API-Version", "compute " + microversion);
        var response = await cloud.Send(request);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.EndsWith("\n<class 'sqlalchemy.exc.OperationalError'>", (await Cloud.Json(response))["computeFault"]!["message"]!.GetValue<string>());
        Assert.Null(response.Headers.Location);

        await cloud.Admin(HttpMethod.Post, "snapshots", """{"advanceSeconds":1000}""");
        Assert.Null((await cloud.GetJson($"{cloud.Compute}/servers/{server}"))["server"]!["OS-EXT-STS:task_state"]);
        await cloud.Configure("""{"faultRate":0}""");
        var image = (await cloud.GetJson($"{cloud.Glance}/images?autosnap_request=r-1"))["images"]!.AsArray().Single()!;
        Assert.Equal("queued", image["status"]!.GetValue<string>());
        Assert.Null(image["size"]);
        Assert.Equal(server, image["instance_uuid"]!.GetValue<string>());
        Assert.Equal("snapshot", image["image_type"]!.GetValue<string>());

        var faults = (await cloud.Admin(HttpMethod.Get, "stats"))!["faults"]!;
        Assert.Equal(1, faults["byKind"]!["orphan"]!.GetValue<int>());
        Assert.Equal(1, faults["total"]!.GetValue<int>());
        // the server takes the next snapshot as usual
        Assert.Equal(HttpStatusCode.Accepted, (await CreateImage(cloud, server)).StatusCode);
    }

    [Fact]
    public async Task An_orphan_comes_after_novas_own_checks()
    {
        var (cloud, _) = await Faulty("orphan", "mixed");
        await using var __ = cloud;
        var unknown = await cloud.Post($"{cloud.Compute}/servers/00000000-0000-4000-8000-000000000000/action", """{"createImage":{"name":"x"}}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var invalid = await cloud.Post($"{cloud.Compute}/servers/{await cloud.ServerId()}/action", """{"createImage":{}}""");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        await cloud.Configure("""{"faultRate":0}""");
        Assert.Equal(0, (await cloud.Admin(HttpMethod.Get, "stats"))!["faults"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Glance_faults_are_plain_http_errors()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Configure("""{"faultRate":1,"faultKinds":["500"],"faultPhase":"before","faultServices":["image"]}""");
        var response = await cloud.Get($"{cloud.Glance}/images");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Compute}/servers")).StatusCode);
    }

    [Theory]
    [InlineData("500", "before", 0)]
    [InlineData("500", "after", 1)]
    [InlineData("503", "after", 1)]
    public async Task Block_storage_faults_strike_before_or_after_the_request_ran(string kind, string phase, int made)
    {
        await using var cloud = await Cloud.StartSignedIn();
        const string cinder = "volume/dfw/v1/100001";
        var volume = DefaultSeed.VolumeId("100001", "DFW", "app01-data");
        await cloud.Configure($$"""{"faultRate":1,"faultKinds":["{{kind}}"],"faultPhase":"{{phase}}","faultServices":["volume"]}""");
        var response = await cloud.Post($"{cinder}/snapshots", $$$"""{"snapshot":{"volume_id":"{{{volume}}}","force":true,"display_name":"lost"}}""");
        Assert.Equal(int.Parse(kind), (int)response.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(response), kind == "500" ? "computeFault" : "serviceUnavailable", int.Parse(kind));
        // Nova is not struck when only the volume service is
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Compute}/servers")).StatusCode);
        await cloud.Configure("""{"faultRate":0}""");
        var snapshots = (await cloud.GetJson($"{cinder}/snapshots/detail"))["snapshots"]!.AsArray();
        Assert.Equal(made, snapshots.Count(s => s!["display_name"]!.GetValue<string>() == "lost"));
    }

    [Fact]
    public async Task Identity_faults_use_the_identity_envelopes()
    {
        await using var cloud = await Cloud.Start();
        await cloud.Configure("""{"faultRate":1,"faultKinds":["503"],"faultPhase":"before"}""");
        var rackspace = await cloud.Post("v2.0/tokens", "{}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rackspace.StatusCode);
        Assert.NotNull((await Cloud.Json(rackspace))["serviceUnavailable"]);
        var keystone = await cloud.Post("v3/auth/tokens", "{}");
        Assert.Equal(503, (await Cloud.Json(keystone))["error"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Admin_is_never_faulted_and_stats_count_faults_by_kind_and_phase()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Configure("""{"faultRate":1,"faultKinds":["500","503"],"faultPhase":"mixed","seed":7}""");
        for (var i = 0; i < 20; i++) await cloud.Get($"{cloud.Compute}/servers");
        var stats = (await cloud.Admin(HttpMethod.Get, "stats"))!;
        var faults = stats["faults"]!;
        Assert.Equal(20, faults["total"]!.GetValue<int>());
        Assert.Equal(20, faults["byKind"]!["500"]!.GetValue<int>() + faults["byKind"]!["503"]!.GetValue<int>());
        Assert.True(faults["byPhase"]!["before"]!.GetValue<int>() > 0);
        Assert.True(faults["byPhase"]!["after"]!.GetValue<int>() > 0);
        Assert.Equal(20, stats["byRoute"]!["GET /servers"]!.GetValue<int>());
        Assert.Equal(20, faults["byMinute"]!["0"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_faults()
    {
        async Task<string> Run()
        {
            await using var cloud = await Cloud.StartSignedIn();
            await cloud.Configure("""{"faultRate":0.5,"faultKinds":["500","503"],"seed":42}""");
            var codes = "";
            for (var i = 0; i < 30; i++) codes += (int)(await cloud.Get($"{cloud.Compute}/flavors")).StatusCode + ",";
            return codes;
        }
        Assert.Equal(await Run(), await Run());
    }

    [Fact]
    public async Task Latency_applies_to_api_calls_only()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Configure("""{"latencyMs":20}""");
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Compute}/servers")).StatusCode);
        Assert.Equal(20, (await cloud.Admin(HttpMethod.Get, "config"))!["latencyMs"]!.GetValue<int>());
    }
}
