using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

/// <summary>
/// Glance stopped while Nova runs (imageOutage): Glance's routes drop the connection, Nova's calls that need
/// Glance answer 500 GlanceConnectionFailed after a delay and change nothing, the rest of Nova works.
/// </summary>
public sealed class OutageTests
{
    private const string GlanceConnectionFailed = "<class 'nova.exception.GlanceConnectionFailed'>";

    private static async Task<Cloud> WithGlanceDown(string regions = """["DFW"]""", double delay = 0.05)
    {
        var cloud = await Cloud.StartSignedIn();
        await cloud.Configure($$"""{"imageOutage":{{regions}},"imageOutageDelaySeconds":{{delay}}}""");
        return cloud;
    }

    private static async Task AssertGlanceConnectionFailed(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var message = (await Cloud.Json(response))["computeFault"]!["message"]!.GetValue<string>();
        Assert.StartsWith("Unexpected API Error.", message);
        Assert.EndsWith("\n" + GlanceConnectionFailed, message);
    }

    [Fact]
    public async Task A_stopped_glance_refuses_every_request_in_its_region_only()
    {
        await using var cloud = await WithGlanceDown();
        await Assert.ThrowsAsync<HttpRequestException>(() => cloud.Get($"{cloud.Glance}/images"));
        await Assert.ThrowsAsync<HttpRequestException>(() => cloud.Get("image/dfw"));
        await Assert.ThrowsAsync<HttpRequestException>(() => cloud.Get("image/dfw/v2/no-such-route"));
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get("image/ord/v2/images")).StatusCode);
        // Nova's own calls are served as usual
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Compute}/servers/{await cloud.ServerId()}")).StatusCode);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, null)]
    [InlineData(false, "2.45")]
    public async Task CreateImage_answers_novas_500_after_the_delay_and_makes_nothing(bool legacy, string? microversion)
    {
        await using var cloud = await WithGlanceDown(delay: 0.3);
        var server = await cloud.ServerId();
        var request = cloud.Request(HttpMethod.Post, $"{(legacy ? cloud.Compute : cloud.Compute21)}/servers/{server}/action",
            """{"createImage":{"name":"nope","metadata":{"autosnap_request":"r1"}}}""");
        if (microversion is not null) request.Headers.Add("OpenStack-API-Version", "compute " + microversion);
        var pauses = new System.Collections.Concurrent.ConcurrentQueue<TimeSpan>();
        cloud.Server.State.Pause = (pause, _) => { pauses.Enqueue(pause); return Task.CompletedTask; };
        var response = await cloud.Send(request);
        // Nova's retries before the 500: one pause of the configured length, asked of the cloud's pause hook
        Assert.Equal(new[] { TimeSpan.FromSeconds(0.3) }, pauses.ToArray());
        await AssertGlanceConnectionFailed(response);
        Assert.Null(response.Headers.Location);

        var view = (await cloud.GetJson($"{cloud.Compute}/servers/{server}"))["server"]!;
        Assert.Null(view["OS-EXT-STS:task_state"]);
        await cloud.Configure("""{"imageOutage":[]}""");
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?autosnap_request=r1"))["images"]!.AsArray());
        // Glance is back: snapshots work again
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Post($"{cloud.Compute}/servers/{server}/action", """{"createImage":{"name":"back"}}""")).StatusCode);
    }

    [Fact]
    public async Task Nova_checks_its_own_404_and_409_before_it_calls_glance()
    {
        await using var cloud = await WithGlanceDown();
        var unknown = await cloud.Post($"{cloud.Compute}/servers/00000000-0000-4000-8000-000000000000/action", """{"createImage":{"name":"x"}}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var server = await cloud.ServerId();
        await cloud.Admin(new HttpMethod("PATCH"), $"servers/{server}", """{"taskState":"image_uploading"}""");
        Assert.Equal(HttpStatusCode.Conflict, (await cloud.Post($"{cloud.Compute}/servers/{server}/action", """{"createImage":{"name":"x"}}""")).StatusCode);
    }

    [Fact]
    public async Task The_image_proxy_answers_novas_500_and_deletes_nothing()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var server = await cloud.ServerId();
        var image = await cloud.Snapshot(server);
        await cloud.Configure("""{"imageOutage":["*"],"imageOutageDelaySeconds":0}""");

        await AssertGlanceConnectionFailed(await cloud.Get($"{cloud.Compute21}/images/{image}"));
        await AssertGlanceConnectionFailed(await cloud.Get($"{cloud.Compute21}/images/detail?server={server}"));
        await AssertGlanceConnectionFailed(await cloud.Get($"{cloud.Compute}/images/{image}/metadata"));
        await AssertGlanceConnectionFailed(await cloud.Put($"{cloud.Compute}/images/{image}/metadata/k", """{"meta":{"k":"v"}}"""));
        await AssertGlanceConnectionFailed(await cloud.Delete($"{cloud.Compute}/images/{image}"));
        // from 2.36 the proxy does not exist, so Nova never asks Glance
        var removed = cloud.Request(HttpMethod.Get, $"{cloud.Compute21}/images/{image}");
        removed.Headers.Add("OpenStack-API-Version", "compute 2.36");
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Send(removed)).StatusCode);

        await cloud.Configure("""{"imageOutage":[]}""");
        var glance = await cloud.GetJson($"{cloud.Glance}/images/{image}");
        Assert.Equal("active", glance["status"]!.GetValue<string>());
        Assert.Null(glance["k"]);
    }

    [Fact]
    public async Task Booting_a_server_needs_glance_too()
    {
        await using var cloud = await WithGlanceDown();
        var boot = await cloud.Post($"{cloud.Compute}/servers",
            """{"server":{"name":"new","flavorRef":"general1-1","imageRef":"00000000-0000-4000-8000-000000000000"}}""");
        await AssertGlanceConnectionFailed(boot);
    }

    [Fact]
    public async Task The_setting_names_known_regions_or_star_and_is_shown_in_the_config()
    {
        await using var cloud = await Cloud.Start();
        var config = (await cloud.Admin(HttpMethod.Get, "config"))!;
        Assert.Empty(config["imageOutage"]!.AsArray());
        Assert.Equal(3, config["imageOutageDelaySeconds"]!.GetValue<double>());
        var set = (await cloud.Configure("""{"imageOutage":["dfw","ORD"]}"""))!;
        Assert.Equal(["DFW", "ORD"], set["imageOutage"]!.AsArray().Select(r => r!.GetValue<string>()).ToArray());
        var bad = await cloud.Http.PostAsync("__admin/config", new StringContent("""{"imageOutage":["DWF"]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("unknown region DWF", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Http.PostAsync("__admin/config",
            new StringContent("""{"imageOutage":"DFW"}""", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
    }
}
