using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

/// <summary>
/// Rackspace Scheduled Images (rax-si-image-schedule): the extension's routes and their shapes, only on the
/// Rackspace endpoint, and the service's images made and culled on the virtual clock.
/// </summary>
public sealed class ScheduledImagesTests
{
    private static string Schedule(Cloud cloud, string server, bool v21 = false) =>
        $"{(v21 ? cloud.Compute21 : cloud.Compute)}/servers/{server}/rax-si-image-schedule";

    private static async Task<List<JsonNode>> ServiceImages(Cloud cloud, string server) =>
        (await cloud.GetJson($"{cloud.Glance}/images?instance_uuid={server}&org.openstack__1__created_by=scheduled_images_service&sort=created_at:asc"))
            ["images"]!.AsArray().Select(i => i!).ToList();

    /// <summary>Moves the virtual clock, and signs in again (a Rackspace token lasts a day).</summary>
    private static async Task Advance(Cloud cloud, string by)
    {
        await cloud.Admin(HttpMethod.Post, "clock", $"{{\"advance\":\"{by}\"}}");
        await cloud.SignIn();
    }

    [Fact]
    public async Task Enable_show_and_disable_use_the_documented_shapes()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var server = await cloud.ServerId();

        var none = await cloud.Get(Schedule(cloud, server));
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Contains($"Image schedule does not exist for server {server}", (await Cloud.Json(none))["itemNotFound"]!["message"]!.GetValue<string>());

        var daily = await cloud.Post(Schedule(cloud, server), """{"image_schedule":{"retention":7}}""");
        Assert.Equal(HttpStatusCode.OK, daily.StatusCode);
        Assert.Equal("""{"image_schedule":{"retention":7}}""", (await Cloud.Json(daily)).ToJsonString());
        Assert.Equal(7, (await cloud.GetJson(Schedule(cloud, server)))["image_schedule"]!["retention"]!.GetValue<int>());

        // one schedule per server: a weekly request replaces the daily one
        var weekly = await cloud.Post(Schedule(cloud, server), """{"image_schedule":{"retention":5,"day_of_week":"SATURDAY"}}""");
        Assert.Equal(HttpStatusCode.OK, weekly.StatusCode);
        var shown = (await cloud.GetJson(Schedule(cloud, server)))["image_schedule"]!;
        Assert.Equal((5, "SATURDAY"), (shown["retention"]!.GetValue<int>(), shown["day_of_week"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Delete(Schedule(cloud, server))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get(Schedule(cloud, server))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Delete(Schedule(cloud, server))).StatusCode);
    }

    [Fact]
    public async Task Bad_requests_unknown_servers_and_the_v21_endpoint_are_refused_and_change_nothing()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var server = await cloud.ServerId();
        foreach (var (body, message) in new[]
                 {
                     ("""{"image_schedule":{"retention":0}}""", "must be greater than 0"),
                     ("""{"image_schedule":{"retention":65536}}""", "cannot exceed 65535"),
                     ("""{"image_schedule":{"retention":"seven"}}""", "must be an integer"),
                     ("""{"image_schedule":{"retention":2.5}}""", "must be an integer"),
                     ("""{"image_schedule":{"retention":2,"day_of_week":"Caturday"}}""", "day_of_week"),
                     ("""{"image_schedule":{"retention":2,"day_of_week":"saturday"}}""", "day_of_week"),
                     ("""{"image_schedule":{}}""", "'retention' is required"),
                     ("""{"retention":7}""", "'image_schedule' is required"),
                 })
        {
            var response = await cloud.Post(Schedule(cloud, server), body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
            Assert.Contains(message, (await Cloud.Json(response))["badRequest"]!["message"]!.GetValue<string>());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get(Schedule(cloud, server))).StatusCode);

        // an unknown server is 404, and the extension exists only on the Rackspace endpoint
        var missing = await cloud.Post(Schedule(cloud, Guid.NewGuid().ToString()), """{"image_schedule":{"retention":7}}""");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        static IEnumerable<string> Aliases(JsonNode extensions) =>
            extensions["extensions"]!.AsArray().Select(e => e!["alias"]!.GetValue<string>());
        Assert.Contains("rax-si-image-schedule", Aliases(await cloud.GetJson($"{cloud.Compute}/extensions")));
        Assert.DoesNotContain("rax-si-image-schedule", Aliases(await cloud.GetJson($"{cloud.Compute21}/extensions")));
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Delete })
        {
            var response = await cloud.Send(cloud.Request(method, Schedule(cloud, server, v21: true),
                method == HttpMethod.Post ? """{"image_schedule":{"retention":7}}""" : null));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_service_snapshots_daily_on_the_virtual_clock_and_culls_only_its_own_images_beyond_retention()
    {
        var seed = DefaultSeed.Create();
        seed.Clock = "2026-03-02T00:00:00Z";   // a Monday
        seed.Servers!.Single(s => s.Name == "web01" && s.Region == "DFW").ImageSchedule = new ImageScheduleSeed { Retention = 2, Hour = 3, Minute = 30 };
        await using var cloud = await Cloud.StartSignedIn(seed: seed);
        var server = await cloud.ServerId();
        var manual = await cloud.Snapshot(server, "manual");
        var autosnap = await cloud.Snapshot(server, "autosnap", """{"autosnap_schedule":"daily","autosnap_server":"x"}""");
        Assert.Empty(await ServiceImages(cloud, server));

        await Advance(cloud, "03:35:00");   // 03:35: the 03:30 run has started, its upload not done
        var first = Assert.Single(await ServiceImages(cloud, server));
        Assert.Equal("saving", first["status"]!.GetValue<string>());
        Assert.Equal("2026-03-02T03:30:00Z", first["created_at"]!.GetValue<string>());
        Assert.Equal($"Daily-web01-{new DateTimeOffset(2026, 3, 2, 3, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds()}", first["name"]!.GetValue<string>());
        Assert.Equal(("snapshot", server), (first["image_type"]!.GetValue<string>(), first["instance_uuid"]!.GetValue<string>()));
        Assert.NotNull(first["user_id"]);
        Assert.NotNull(first["base_image_ref"]);

        await Advance(cloud, "00:10:00");
        Assert.Equal("active", (await ServiceImages(cloud, server))[0]["status"]!.GetValue<string>());

        // three more nights: four made, retention 2 keeps the newest two
        await Advance(cloud, "3.00:00:00");
        var kept = await ServiceImages(cloud, server);
        Assert.Equal(["2026-03-04T03:30:00Z", "2026-03-05T03:30:00Z"], kept.Select(i => i["created_at"]!.GetValue<string>()).ToArray());
        Assert.All(kept, i => Assert.Equal("active", i["status"]!.GetValue<string>()));
        // the user's own images are never culled
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Glance}/images/{manual}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Glance}/images/{autosnap}")).StatusCode);

        // an image whose created-by key was removed is the user's from then on: kept, and not counted
        var saved = kept[0]["id"]!.GetValue<string>();
        var patch = cloud.Request(new HttpMethod("PATCH"), $"{cloud.Glance}/images/{saved}",
            """[{"op":"remove","path":"/org.openstack__1__created_by"}]""", "application/openstack-images-v2.1-json-patch");
        Assert.Equal(HttpStatusCode.OK, (await cloud.Send(patch)).StatusCode);
        await Advance(cloud, "2.00:00:00");
        Assert.Equal(2, (await ServiceImages(cloud, server)).Count);
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Glance}/images/{saved}")).StatusCode);

        // disabled: no more images; the ones made stay
        await cloud.Delete(Schedule(cloud, server));
        await Advance(cloud, "5.00:00:00");
        Assert.Equal(2, (await ServiceImages(cloud, server)).Count);
    }

    [Fact]
    public async Task A_weekly_schedule_runs_on_its_UTC_day_admin_seeding_enables_it_and_a_deleted_server_takes_its_schedule_along()
    {
        var seed = DefaultSeed.Create();
        seed.Clock = "2026-03-02T00:00:00Z";   // a Monday
        seed.Servers!.Single(s => s.Name == "web01" && s.Region == "DFW").ImageSchedule = new ImageScheduleSeed { Retention = 1, Hour = 0, Minute = 5 };
        await using var cloud = await Cloud.StartSignedIn(seed: seed);
        var web = await cloud.ServerId();
        var created = await cloud.Admin(HttpMethod.Post, "servers",
            """{"count":1,"region":"DFW","namePrefix":"si-","imageSchedule":{"retention":3,"dayOfWeek":"saturday","hour":1,"minute":0}}""");
        var server = created!["servers"]![0]!["id"]!.GetValue<string>();
        var shown = (await cloud.GetJson(Schedule(cloud, server)))["image_schedule"]!;
        Assert.Equal((3, "SATURDAY"), (shown["retention"]!.GetValue<int>(), shown["day_of_week"]!.GetValue<string>()));

        await Advance(cloud, "14.00:00:00");
        var images = await ServiceImages(cloud, server);
        Assert.Equal(["2026-03-07T01:00:00Z", "2026-03-14T01:00:00Z"], images.Select(i => i["created_at"]!.GetValue<string>()).ToArray());
        Assert.All(images, i => Assert.StartsWith("Weekly-si-001-", i["name"]!.GetValue<string>()));
        // web01's daily images, retention 1: the newest only
        Assert.Equal("2026-03-15T00:05:00Z", Assert.Single(await ServiceImages(cloud, web))["created_at"]!.GetValue<string>());

        // a deleted server's schedule goes with it; its images stay
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Compute}/servers/{web}")).StatusCode);
        await Advance(cloud, "3.00:00:00");
        Assert.Equal("2026-03-15T00:05:00Z", Assert.Single(await ServiceImages(cloud, web))["created_at"]!.GetValue<string>());

        var bad = await cloud.Http.PostAsync("__admin/servers",
            new StringContent("""{"count":1,"imageSchedule":{"retention":0}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
