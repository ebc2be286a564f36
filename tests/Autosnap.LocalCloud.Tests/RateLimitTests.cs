using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Over_the_per_verb_limit_answers_413_overLimit_with_Retry_After_and_retryAt()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Configure("""{"rateLimits":{"GET":3,"POST":100}}""");
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Compute}/servers")).StatusCode);
        var limited = await cloud.Get($"{cloud.Compute}/servers");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, limited.StatusCode);
        var seconds = limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(seconds, 1, 60);
        var body = await Cloud.Json(limited);
        Cloud.AssertNovaFault(body, "overLimit", 413);
        var retryAt = DateTimeOffset.Parse(body["overLimit"]!["retryAt"]!.GetValue<string>());
        Assert.True(retryAt > cloud.Server.Clock.UtcNow.AddSeconds(-2));
        // POST has its own budget; Glance shares the region's GET budget; another region has its own
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Post($"{cloud.Compute}/servers/{cloud.Server.State.Region("DFW")!.Servers.Values.First().Id}/action", """{"createImage":{"name":"x"}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await cloud.Get($"{cloud.Glance}/images")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get("compute/ord/v2/100001/servers")).StatusCode);
        // never the admin surface
        Assert.NotNull(await cloud.Admin(HttpMethod.Get, "stats"));
    }

    [Fact]
    public async Task Upstream_style_answers_429_with_retryAfter()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Configure("""{"rateLimits":{"GET":1},"rateLimitStatus":429}""");
        await cloud.Get($"{cloud.Compute}/flavors");
        var limited = await cloud.Get($"{cloud.Compute}/flavors");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var body = await Cloud.Json(limited);
        Assert.Equal("This request was rate-limited.", body["overLimit"]!["message"]!.GetValue<string>());
        Assert.NotNull(body["overLimit"]!["retryAfter"]);
    }

    [Fact]
    public async Task Limits_report_the_configured_rates_with_remaining_and_next_available()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Configure("""{"rateLimits":{"GET":10,"POST":5}}""");
        await cloud.Get($"{cloud.Compute}/servers");
        var rate = (await cloud.GetJson($"{cloud.Compute}/limits"))["limits"]!["rate"]!.AsArray().Single()!;
        Assert.Equal("*", rate["uri"]!.GetValue<string>());
        var get = rate["limit"]!.AsArray().Single(l => l!["verb"]!.GetValue<string>() == "GET")!;
        Assert.Equal(10, get["value"]!.GetValue<int>());
        Assert.Equal(8, get["remaining"]!.GetValue<int>());   // this GET /limits counts too
        Assert.Equal("MINUTE", get["unit"]!.GetValue<string>());
        Assert.NotNull(get["next-available"]);
        var post = rate["limit"]!.AsArray().Single(l => l!["verb"]!.GetValue<string>() == "POST")!;
        Assert.Equal(5, post["remaining"]!.GetValue<int>());
    }

    [Fact]
    public async Task Stats_count_rate_limited_answers_by_verb_and_minute()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Configure("""{"rateLimits":{"GET":2}}""");
        for (var i = 0; i < 5; i++) await cloud.Get($"{cloud.Compute}/servers");
        var limited = (await cloud.Admin(HttpMethod.Get, "stats"))!["rateLimited"]!;
        Assert.Equal(3, limited["total"]!.GetValue<int>());
        Assert.Equal(3, limited["byVerb"]!["GET"]!.GetValue<int>());
        Assert.Equal(3, limited["byMinute"]!["0"]!.GetValue<int>());
        Assert.NotNull(limited["firstAtSecond"]);
        await cloud.Admin(HttpMethod.Delete, "stats");
        Assert.Equal(0, (await cloud.Admin(HttpMethod.Get, "stats"))!["rateLimited"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Identity_is_not_rate_limited()
    {
        await using var cloud = await Cloud.Start(new CloudSettings { RateLimits = new System.Collections.Generic.Dictionary<string, int> { ["POST"] = 1 } });
        for (var i = 0; i < 3; i++) await cloud.SignIn();
    }
}
