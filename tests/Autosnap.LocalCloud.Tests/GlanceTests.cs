using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

public sealed class GlanceTests
{
    private static async Task<Cloud> WithImages(int count, string extra = "")
    {
        var cloud = await Cloud.StartSignedIn();
        await cloud.Admin(HttpMethod.Post, "images",
            $$"""{"count":{{count}},"region":"DFW","namePrefix":"bulk-","server":"11111111-1111-4111-8111-111111111111","properties":{"autosnap_schedule":"daily","n":"{i}"}{{extra}}}""");
        return cloud;
    }

    [Fact]
    public async Task Listing_pages_through_next_links_in_created_order_without_duplicates()
    {
        await using var cloud = await WithImages(60);
        var seen = new List<(string Id, string Created)>();
        string? next = "/v2/images?autosnap_schedule=daily";
        var pages = 0;
        while (next is not null)
        {
            // "next" is a path under the image endpoint's root
            var page = await cloud.GetJson("image/dfw" + next);
            pages++;
            seen.AddRange(page["images"]!.AsArray().Select(i => (i!["id"]!.GetValue<string>(), i["created_at"]!.GetValue<string>())));
            Assert.Equal("/v2/schemas/images", page["schema"]!.GetValue<string>());
            next = page["next"]?.GetValue<string>();
        }
        Assert.Equal(3, pages);   // 25 + 25 + 10: Glance's default page
        Assert.Equal(60, seen.Count);
        Assert.Equal(60, seen.Select(s => s.Id).Distinct().Count());
        Assert.Equal(seen.Select(s => s.Created).OrderDescending(StringComparer.Ordinal), seen.Select(s => s.Created));
    }

    [Fact]
    public async Task A_full_last_page_has_a_next_link_to_an_empty_page()
    {
        await using var cloud = await WithImages(4);
        var first = await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily&limit=2");
        Assert.Equal(2, first["images"]!.AsArray().Count);
        var second = await cloud.GetJson("image/dfw" + first["next"]!.GetValue<string>());
        Assert.Equal(2, second["images"]!.AsArray().Count);
        var third = await cloud.GetJson("image/dfw" + second["next"]!.GetValue<string>());
        Assert.Empty(third["images"]!.AsArray());
        Assert.Null(third["next"]);
    }

    [Fact]
    public async Task Filters_status_tag_visibility_owner_dates_and_sorting()
    {
        await using var cloud = await WithImages(6, ""","statuses":["active","killed","queued"],"tags":["t1"],"createdFrom":"2026-01-01T00:00:00Z","createdStep":"1.00:00:00" """);
        async Task<string[]> Names(string query) =>
            (await cloud.GetJson($"{cloud.Glance}/images?{query}"))["images"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ToArray();

        Assert.Equal(2, (await Names("autosnap_schedule=daily&status=killed")).Length);
        Assert.Equal(4, (await Names("autosnap_schedule=daily&status=in:killed,queued")).Length);
        Assert.Equal(6, (await Names("tag=t1")).Length);
        Assert.Empty(await Names("tag=t1&tag=t2"));
        Assert.Equal(6, (await Names("visibility=public")).Length);   // the base images
        Assert.Equal(6, (await Names("visibility=private")).Length);
        Assert.Equal(12, (await Names("limit=100")).Length);
        Assert.Equal(6, (await Names("owner=100001")).Length);
        Assert.Equal(["bulk-005", "bulk-006"], (await Names("autosnap_schedule=daily&created_at=gte:2026-01-05T00:00:00Z&sort=name:asc")));
        Assert.Equal(["bulk-001", "bulk-002"], (await Names("autosnap_schedule=daily&created_at=lt:2026-01-03T00:00:00Z&sort_key=name&sort_dir=asc")));
        Assert.Equal("bulk-006", (await Names("autosnap_schedule=daily&sort=name:desc&limit=1")).Single());
        Assert.Equal("bulk-003", (await Names("autosnap_schedule=daily&n=3")).Single());
        Assert.Equal(2, (await Names($"name=in:bulk-001,bulk-002")).Length);
    }

    [Theory]
    [InlineData("status=ACTIVE")]
    [InlineData("status=bogus")]
    [InlineData("status=in:ACTIVE,Killed")]
    [InlineData("autosnap_schedule=daily&status=Active")]
    public async Task Status_filters_are_matched_exactly_and_an_unknown_value_gives_an_empty_list(string query)
    {
        await using var cloud = await WithImages(3, ""","statuses":["active","killed","queued"]""");
        var response = await cloud.Get($"{cloud.Glance}/images?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Cloud.Json(response);
        Assert.Empty(body["images"]!.AsArray());
        Assert.Null(body["next"]);
        Assert.Equal(2, (await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily&status=in:active,killed"))["images"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("marker=00000000-0000-0000-0000-000000000000", "No image found with ID 00000000-0000-0000-0000-000000000000")]
    [InlineData("sort_key=name&sort=name:asc", "Old and new sorting syntax cannot be combined")]
    public async Task Paging_and_sorting_errors_use_glances_messages(string query, string message)
    {
        await using var cloud = await Cloud.StartSignedIn();
        var request = cloud.Request(HttpMethod.Get, $"{cloud.Glance}/images?{query}");
        request.Headers.Add("Accept", "application/json");
        var response = await cloud.Send(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message + "<br /><br />\n\n\n", (await Cloud.Json(response))["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("changes-since=2020-01-01T00:00:00Z")]
    [InlineData("limit=abc")]
    [InlineData("limit=-5")]
    [InlineData("marker=00000000-0000-4000-8000-000000000000")]
    [InlineData("sort=bogus:asc")]
    [InlineData("sort=name:sideways")]
    [InlineData("sort=name:asc&sort_key=name")]
    [InlineData("visibility=everyone")]
    [InlineData("created_at=after:2020-01-01T00:00:00Z")]
    public async Task Bad_list_parameters_get_400(string query)
    {
        await using var cloud = await Cloud.StartSignedIn();
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Get($"{cloud.Glance}/images?{query}")).StatusCode);
    }

    [Fact]
    public async Task Show_and_delete_answer_plain_http_errors()
    {
        await using var cloud = await WithImages(1);
        var id = (await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily"))["images"]![0]!["id"]!.GetValue<string>();
        Assert.Equal("bulk-001", (await cloud.GetJson($"{cloud.Glance}/images/{id}"))["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Glance}/images/{id}")).StatusCode);
        var again = await cloud.Delete($"{cloud.Glance}/images/{id}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains($"Failed to find image {id} to delete", await again.Content.ReadAsStringAsync());
        var missing = await cloud.Get($"{cloud.Glance}/images/not-a-uuid");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.StartsWith("<html>", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Protected_and_public_images_cannot_be_deleted()
    {
        await using var cloud = await WithImages(1);
        var id = (await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily"))["images"]![0]!["id"]!.GetValue<string>();
        var protect = await Patch(cloud, id, """[{"op":"replace","path":"/protected","value":true}]""");
        Assert.Equal(HttpStatusCode.OK, protect.StatusCode);
        var refused = await cloud.Delete($"{cloud.Glance}/images/{id}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("is protected and cannot be deleted", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await cloud.Delete($"{cloud.Compute}/images/{id}")).StatusCode);
        var publicImage = (await cloud.GetJson($"{cloud.Glance}/images?visibility=public"))["images"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Forbidden, (await cloud.Delete($"{cloud.Glance}/images/{publicImage}")).StatusCode);
    }

    private static Task<HttpResponseMessage> Patch(Cloud cloud, string id, string body, string mediaType = "application/openstack-images-v2.1-json-patch") =>
        cloud.Send(cloud.Request(HttpMethod.Patch, $"{cloud.Glance}/images/{id}", body, mediaType));

    private static async Task<(string Message, string Code, string Title)> GlanceJsonError(Cloud cloud, HttpRequestMessage request)
    {
        request.Headers.Add("Accept", "application/json");
        var response = await cloud.Send(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var body = await Cloud.Json(response);
        Assert.Equal($"{(int)response.StatusCode} {body["title"]!.GetValue<string>()}", body["code"]!.GetValue<string>());
        return (body["message"]!.GetValue<string>(), body["code"]!.GetValue<string>(), body["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Json_errors_carry_webobs_text_as_glance_sends_them()
    {
        await using var cloud = await WithImages(1);
        var id = (await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily"))["images"]![0]!["id"]!.GetValue<string>();

        Assert.Equal(("No image found with ID not-a-uuid<br /><br />\n\n\n", "404 Not Found", "Not Found"),
            await GlanceJsonError(cloud, cloud.Request(HttpMethod.Get, $"{cloud.Glance}/images/not-a-uuid")));
        Assert.Equal(HttpStatusCode.OK, (await Patch(cloud, id, """[{"op":"replace","path":"/protected","value":true}]""")).StatusCode);
        Assert.Equal(($"Image {id} is protected and cannot be deleted.<br /><br />\n\n\n", "403 Forbidden", "Forbidden"),
            await GlanceJsonError(cloud, cloud.Request(HttpMethod.Delete, $"{cloud.Glance}/images/{id}")));
        // 409: webob's own sentence first, Glance's as the detail
        Assert.Equal(("There was a conflict when trying to complete your request.<br /><br />\nProperty no_such_key does not exist.\n\n", "409 Conflict", "Conflict"),
            await GlanceJsonError(cloud, cloud.Request(HttpMethod.Patch, $"{cloud.Glance}/images/{id}",
                """[{"op":"remove","path":"/no_such_key"}]""", "application/openstack-images-v2.1-json-patch")));
        // 415: webob's template only
        Assert.Equal(("The request media type application/json is not supported by this server.\n<br /><br />\n", "415 Unsupported Media Type", "Unsupported Media Type"),
            await GlanceJsonError(cloud, cloud.Request(HttpMethod.Patch, $"{cloud.Glance}/images/{id}", "[]", "application/json")));

        // the HTML form has the same text inside webob's page
        var html = await (await cloud.Send(cloud.Request(HttpMethod.Patch, $"{cloud.Glance}/images/{id}",
            """[{"op":"replace","path":"/no_such_key","value":"v"}]""", "application/openstack-images-v2.1-json-patch"))).Content.ReadAsStringAsync();
        Assert.Equal("<html>\n <head>\n  <title>409 Conflict</title>\n </head>\n <body>\n  <h1>409 Conflict</h1>\n  " +
                     "There was a conflict when trying to complete your request.<br /><br />\nProperty no_such_key does not exist.\n\n\n </body>\n</html>", html);
    }

    [Fact]
    public async Task Patch_uses_the_json_patch_media_type_and_keeps_the_property_index_right()
    {
        await using var cloud = await WithImages(1);
        var id = (await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily"))["images"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Patch(cloud, id, "[]", "application/json")).StatusCode);
        var patched = await Patch(cloud, id, """
            [{"op":"replace","path":"/name","value":"renamed"},
             {"op":"add","path":"/autosnap_pinned","value":"true"},
             {"op":"replace","path":"/autosnap_schedule","value":"weekly"},
             {"op":"replace","path":"/tags","value":["a","b"]}]
            """);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var image = await Cloud.Json(patched);
        Assert.Equal("renamed", image["name"]!.GetValue<string>());
        Assert.Equal("true", image["autosnap_pinned"]!.GetValue<string>());
        Assert.Equal(2, image["tags"]!.AsArray().Count);
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily"))["images"]!.AsArray());
        Assert.Single((await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=weekly&autosnap_pinned=true"))["images"]!.AsArray());

        Assert.Equal(HttpStatusCode.OK, (await Patch(cloud, id, """[{"op":"remove","path":"/autosnap_pinned"}]""")).StatusCode);
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?autosnap_pinned=true"))["images"]!.AsArray());
        Assert.Equal(HttpStatusCode.Conflict, (await Patch(cloud, id, """[{"op":"replace","path":"/nothing","value":"x"}]""")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Patch(cloud, id, """[{"op":"remove","path":"/nothing"}]""")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Patch(cloud, id, """[{"op":"replace","path":"/status","value":"active"}]""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Patch(cloud, id, """[{"op":"move","path":"/name"}]""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Patch(cloud, id, """{"op":"add"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Patch(cloud, id, """[{"op":"add","path":"/k","value":5}]""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Patch(cloud, id, """[{"op":"replace","path":"/visibility","value":"everyone"}]""")).StatusCode);
    }

    [Fact]
    public async Task Tags_are_added_and_removed()
    {
        await using var cloud = await WithImages(1);
        var id = (await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily"))["images"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Send(cloud.Request(HttpMethod.Put, $"{cloud.Glance}/images/{id}/tags/keep"))).StatusCode);
        Assert.Single((await cloud.GetJson($"{cloud.Glance}/images?tag=keep"))["images"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Glance}/images/{id}/tags/keep")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Delete($"{cloud.Glance}/images/{id}/tags/keep")).StatusCode);
    }

    [Fact]
    public async Task Create_then_upload_makes_an_active_image_once_formats_are_set()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var created = await cloud.Post($"{cloud.Glance}/images", """{"name":"uploaded","autosnap_schedule":"manual"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await Cloud.Json(created))["id"]!.GetValue<string>();
        var upload = new HttpRequestMessage(HttpMethod.Put, $"{cloud.Glance}/images/{id}/file") { Content = new ByteArrayContent(Encoding.ASCII.GetBytes("data!")) };
        upload.Headers.Add("X-Auth-Token", cloud.Token);
        upload.Content.Headers.ContentType = new("application/octet-stream");
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Send(upload)).StatusCode);
        await Patch(cloud, id, """[{"op":"add","path":"/disk_format","value":"raw"},{"op":"add","path":"/container_format","value":"bare"}]""");
        var again = new HttpRequestMessage(HttpMethod.Put, $"{cloud.Glance}/images/{id}/file") { Content = new ByteArrayContent(Encoding.ASCII.GetBytes("data!")) };
        again.Headers.Add("X-Auth-Token", cloud.Token);
        again.Content.Headers.ContentType = new("application/octet-stream");
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Send(again)).StatusCode);
        var image = await cloud.GetJson($"{cloud.Glance}/images/{id}");
        Assert.Equal("active", image["status"]!.GetValue<string>());
        Assert.Equal(5, image["size"]!.GetValue<long>());
    }

    [Fact]
    public async Task Glance_refuses_malformed_json_and_other_content_types()
    {
        await using var cloud = await Cloud.StartSignedIn();
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Post($"{cloud.Glance}/images", "{oops")).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await cloud.Post($"{cloud.Glance}/images", "{}", "text/plain")).StatusCode);
        var unknown = await cloud.Get($"{cloud.Glance}/whatever");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Version_discovery_answers_300_with_v2_links()
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Get("image/dfw");
        Assert.Equal(HttpStatusCode.MultipleChoices, response.StatusCode);
        var current = (await Cloud.Json(response))["versions"]!.AsArray().First()!;
        Assert.Equal("CURRENT", current["status"]!.GetValue<string>());
        Assert.EndsWith("/image/dfw/v2/", current["links"]![0]!["href"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ten_thousand_images_filter_by_property_and_page()
    {
        await using var cloud = await Cloud.StartSignedIn();
        await cloud.Admin(HttpMethod.Post, "images", """{"count":9990,"region":"DFW","namePrefix":"noise-","returnIds":false,"properties":{"autosnap_schedule":"daily","autosnap_server":"s{i}"}}""");
        await cloud.Admin(HttpMethod.Post, "images", """{"count":10,"region":"DFW","namePrefix":"mine-","returnIds":false,"properties":{"autosnap_schedule":"daily","autosnap_server":"target"}}""");
        var mine = await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily&autosnap_server=target&limit=4");
        Assert.Equal(4, mine["images"]!.AsArray().Count);
        var all = await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily&limit=1000");
        Assert.Equal(1000, all["images"]!.AsArray().Count);
        Assert.NotNull(all["next"]);
    }

    [Fact]
    public async Task The_nova_proxy_filters_by_server_type_status_and_changes_since_and_pages()
    {
        await using var cloud = await Cloud.StartSignedIn(new Autosnap.LocalCloud.State.CloudSettings { SnapshotSeconds = 0 });
        var server = await cloud.ServerId();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var first = await cloud.Snapshot(server, "one");
        await cloud.Snapshot(await cloud.ServerId("db01"), "two");
        Assert.Equal(first, (await cloud.GetJson($"{cloud.Compute}/images/detail?server={server}"))["images"]!.AsArray().Single()!["id"]!.GetValue<string>());
        Assert.Equal(2, (await cloud.GetJson($"{cloud.Compute}/images/detail?type=snapshot"))["images"]!.AsArray().Count);
        Assert.Equal(2, (await cloud.GetJson($"{cloud.Compute}/images/detail?type=SNAPSHOT&status=ACTIVE"))["images"]!.AsArray().Count);
        Assert.Empty((await cloud.GetJson($"{cloud.Compute}/images/detail?status=SAVING"))["images"]!.AsArray());
        var serverUrl = $"{cloud.Server.BaseUri}compute/dfw/v2/100001/servers/{server}";
        Assert.Single((await cloud.GetJson($"{cloud.Compute}/images/detail?server={Uri.EscapeDataString(serverUrl)}"))["images"]!.AsArray());

        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Compute}/images/{first}")).StatusCode);
        var again = await cloud.Delete($"{cloud.Compute}/images/{first}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("Image not found.", (await Cloud.Json(again))["itemNotFound"]!["message"]!.GetValue<string>());
        var changes = await cloud.GetJson($"{cloud.Compute}/images/detail?changes-since={before}");
        Assert.Contains(changes["images"]!.AsArray(), i => i!["id"]!.GetValue<string>() == first && i["status"]!.GetValue<string>() == "DELETED");

        var paged = await cloud.GetJson($"{cloud.Compute}/images/detail?limit=3");
        Assert.Contains("/images/detail?limit=3&marker=", paged["images_links"]![0]!["href"]!.GetValue<string>());
        var all = await cloud.GetJson($"{cloud.Compute}/images");
        Assert.Equal(7, all["images"]!.AsArray().Count);   // 6 base images + "two"
        Assert.Null(all["images_links"]);
    }

    [Fact]
    public async Task Image_metadata_through_nova_changes_glance_properties()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var image = await cloud.Snapshot(await cloud.ServerId());
        var path = $"{cloud.Compute}/images/{image}/metadata";
        Assert.Equal(HttpStatusCode.OK, (await cloud.Post(path, """{"metadata":{"autosnap_pinned":"true"}}""")).StatusCode);
        Assert.Single((await cloud.GetJson($"{cloud.Glance}/images?autosnap_pinned=true"))["images"]!.AsArray());
        Assert.Equal("true", (await cloud.GetJson($"{path}/autosnap_pinned"))["meta"]!["autosnap_pinned"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await cloud.Put($"{path}/autosnap_pinned", """{"meta":{"autosnap_pinned":"false"}}""")).StatusCode);
        Assert.Single((await cloud.GetJson($"{cloud.Glance}/images?autosnap_pinned=false"))["images"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{path}/autosnap_pinned")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{path}/autosnap_pinned")).StatusCode);
        var tooMany = "{\"metadata\":{" + string.Join(",", Enumerable.Range(0, 41).Select(i => $"\"k{i}\":\"v\"")) + "}}";
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await cloud.Put(path, tooMany)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cloud.Put(path, """{"metadata":{"only":"one"}}""")).StatusCode);
        Assert.Single((await cloud.GetJson(path))["metadata"]!.AsObject());
    }
}
