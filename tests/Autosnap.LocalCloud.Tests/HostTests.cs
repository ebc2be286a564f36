using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Hosting;
using Autosnap.LocalCloud.State;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

public sealed class HostTests
{
    [Fact]
    public async Task Starts_on_a_free_loopback_port_and_exposes_its_endpoints()
    {
        await using var cloud = await Cloud.Start();
        Assert.Equal("127.0.0.1", cloud.Server.BaseUri.Host);
        Assert.NotEqual(0, cloud.Server.BaseUri.Port);
        Assert.EndsWith("/v2.0", cloud.Server.IdentityV2Uri.ToString());
        Assert.EndsWith("/v3", cloud.Server.IdentityV3Uri.ToString());
        Assert.EndsWith("/compute/dfw/v2/100001", cloud.Server.ComputeUri("DFW").ToString());
        Assert.EndsWith("/compute/ord/v2.1", cloud.Server.ComputeUri("ORD", legacy: false).ToString());
        Assert.EndsWith("/image/lon", cloud.Server.ImageUri("LON").ToString());
        Assert.Equal(6, cloud.Server.State.RegionNames.Count);
    }

    [Fact]
    public async Task Two_clouds_run_side_by_side_with_separate_state()
    {
        await using var one = await Cloud.Start();
        await using var two = await Cloud.Start();
        Assert.NotEqual(one.Server.BaseUri, two.Server.BaseUri);
        one.Server.Clock.Advance(TimeSpan.FromDays(3));
        Assert.True(one.Server.Clock.UtcNow - two.Server.Clock.UtcNow > TimeSpan.FromDays(2.9));
    }

    [Fact]
    public void A_config_file_carries_seed_and_settings_side_by_side()
    {
        var (seed, settings) = ConfigFile.Parse("""
            {
              // comments are fine
              "regions": ["DFW", "LON"],
              "accounts": [{ "tenantId": "555", "userName": "alice", "apiKey": "k", "password": "p", "regions": ["LON"] }],
              "servers": [{ "name": "uk1", "region": "LON", "metadata": { "backup": "daily" } }],
              "images": [{ "name": "old", "region": "LON", "server": "x", "created": "2020-01-01T00:00:00Z" }],
              "snapshotSeconds": 0,
              "rateLimits": { "GET": 1000, "POST": 100 },
            }
            """);
        Assert.Equal(["DFW", "LON"], seed.Regions);
        Assert.Equal("alice", seed.Accounts!.Single().UserName);
        Assert.Equal(0, settings.SnapshotSeconds);
        Assert.Equal(100, settings.RateLimits["POST"]);
    }

    [Fact]
    public void A_config_file_with_an_unknown_field_or_bad_setting_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => ConfigFile.Parse("""{"servrs":[]}"""));
        Assert.Throws<InvalidDataException>(() => ConfigFile.Parse("""{"faultRate": 3}"""));
        Assert.Throws<InvalidDataException>(() => ConfigFile.Parse("""[1,2]"""));
    }

    [Fact]
    public async Task A_custom_seed_gives_its_accounts_servers_and_images()
    {
        var (seed, settings) = ConfigFile.Parse("""
            {
              "regions": ["DFW", "LON"],
              "accounts": [{ "tenantId": "555", "userName": "alice", "apiKey": "k", "regions": ["LON"], "defaultRegion": "LON" }],
              "publicImages": false,
              "servers": [{ "name": "uk1", "region": "LON" }],
              "images": [{ "name": "old", "region": "LON", "server": "x", "created": "2020-01-01T00:00:00Z",
                           "properties": { "autosnap_schedule": "daily" } }]
            }
            """);
        await using var cloud = await Cloud.Start(settings, seed);
        var auth = await cloud.Post("v2.0/tokens", """{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"alice","apiKey":"k"}}}""");
        Assert.Equal(HttpStatusCode.OK, auth.StatusCode);
        var access = (await Cloud.Json(auth))["access"]!;
        Assert.Equal("LON", access["user"]!["RAX-AUTH:defaultRegion"]!.GetValue<string>());
        var compute = access["serviceCatalog"]!.AsArray().Single(s => s!["type"]!.GetValue<string>() == "compute")!;
        Assert.Equal("LON", compute["endpoints"]!.AsArray().Single()!["region"]!.GetValue<string>());

        var request = cloud.Request(System.Net.Http.HttpMethod.Get, "image/lon/v2/images?autosnap_schedule=daily");
        request.Headers.Add("X-Auth-Token", access["token"]!["id"]!.GetValue<string>());
        var images = await Cloud.Json(await cloud.Send(request));
        var image = images["images"]!.AsArray().Single()!;
        Assert.Equal("2020-01-01T00:00:00Z", image["created_at"]!.GetValue<string>());
        Assert.Equal("snapshot", image["image_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Seeded_ids_are_stable_across_starts()
    {
        await using var one = await Cloud.StartSignedIn();
        await using var two = await Cloud.StartSignedIn();
        Assert.Equal(await one.ServerId("web01"), await two.ServerId("web01"));
        Assert.Equal(DefaultSeed.ServerId("100001", "DFW", "web01"), await one.ServerId("web01"));
    }
}

public sealed class ShutdownTests
{
    [Fact]
    public async Task Admin_shutdown_stops_an_in_process_cloud()
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Http.PostAsync("__admin/shutdown", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        await cloud.Server.Stopped.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<System.Net.Http.HttpRequestException>(() => cloud.Http.GetAsync("v3"));
    }
}
