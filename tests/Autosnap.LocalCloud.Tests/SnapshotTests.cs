using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

/// <summary>
/// The snapshot state machine. Snapshots take 100 (real) seconds here, and the test moves them along with
/// /__admin/snapshots instead of waiting, so every step is observed without timing.
/// </summary>
public sealed class SnapshotTests
{
    private static Task<Cloud> SlowSnapshots(double failRate = 0) =>
        Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 100, SnapshotFailRate = failRate });

    private static async Task<(string Task, string Glance, string Nova, int Progress)> Observe(Cloud cloud, string server, string image)
    {
        var task = (await cloud.GetJson($"{cloud.Compute}/servers/{server}"))["server"]!["OS-EXT-STS:task_state"]?.GetValue<string>() ?? "null";
        var glance = (await cloud.GetJson($"{cloud.Glance}/images/{image}"))["status"]!.GetValue<string>();
        var nova = (await cloud.GetJson($"{cloud.Compute}/images/{image}"))["image"]!;
        return (task, glance, nova["status"]!.GetValue<string>(), nova["progress"]!.GetValue<int>());
    }

    private static Task Advance(Cloud cloud, double seconds) =>
        cloud.Admin(HttpMethod.Post, "snapshots", $"{{\"advanceSeconds\":{seconds}}}");

    [Fact]
    public async Task Phased_snapshots_spend_their_settable_durations_in_each_task_state_on_the_virtual_clock()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings
        {
            SnapshotSeconds = 0, CaptureSeconds = 60, PendingUploadSeconds = 30, UploadSeconds = 600, TaskStateLagSeconds = 5,
        });
        var server = await cloud.ServerId();
        var image = await cloud.Snapshot(server);
        async Task<(string, string)> At(double advanceSeconds)
        {
            await cloud.Admin(HttpMethod.Post, "clock", $"{{\"advance\":\"{TimeSpan.FromSeconds(advanceSeconds):c}\"}}");
            var (task, glance, _, _) = await Observe(cloud, server, image);
            return (task, glance);
        }

        // the createImage answer already finds the capture running: image_snapshot_pending takes no time
        Assert.Equal(("image_snapshot", "queued"), await At(0));
        Assert.Equal(("image_snapshot", "queued"), await At(59));
        Assert.Equal(("image_pending_upload", "queued"), await At(2));
        Assert.Equal(("image_uploading", "saving"), await At(30));
        Assert.Equal(("image_uploading", "saving"), await At(590));
        Assert.Equal(("image_uploading", "active"), await At(10));   // the upload is done; Nova clears task_state later
        Assert.Equal(("null", "active"), await At(5));
        // real time does not move them: the settings are read back as given
        var config = (await cloud.Admin(HttpMethod.Get, "config"))!;
        Assert.Equal((60, 30, 600), (config["captureSeconds"]!.GetValue<double>(), config["pendingUploadSeconds"]!.GetValue<double>(), config["uploadSeconds"]!.GetValue<double>()));
    }

    [Fact]
    public async Task A_snapshot_walks_novas_task_states_and_glances_statuses_with_growing_progress()
    {
        await using var cloud = await SlowSnapshots();
        var server = await cloud.ServerId();
        var image = await cloud.Snapshot(server);

        var start = await Observe(cloud, server, image);
        Assert.Equal(("image_snapshot_pending", "queued", "SAVING"), (start.Task, start.Glance, start.Nova));
        await Advance(cloud, 20);
        var snapshot = await Observe(cloud, server, image);
        Assert.Equal(("image_snapshot", "queued", "SAVING"), (snapshot.Task, snapshot.Glance, snapshot.Nova));
        await Advance(cloud, 15);
        var pending = await Observe(cloud, server, image);
        Assert.Equal(("image_pending_upload", "queued"), (pending.Task, pending.Glance));
        await Advance(cloud, 30);
        var uploading = await Observe(cloud, server, image);
        Assert.Equal(("image_uploading", "saving", "SAVING"), (uploading.Task, uploading.Glance, uploading.Nova));
        await Advance(cloud, 40);
        var done = await Observe(cloud, server, image);
        Assert.Equal(("null", "active", "ACTIVE", 100), done);

        Assert.True(start.Progress < snapshot.Progress && snapshot.Progress < pending.Progress
                    && pending.Progress < uploading.Progress && uploading.Progress < done.Progress);
        var glance = await cloud.GetJson($"{cloud.Glance}/images/{image}");
        Assert.True(glance["size"]!.GetValue<long>() > 0);
    }

    [Fact]
    public async Task On_v21_the_image_proxy_shows_novas_fixed_progress_steps_and_size_0_until_active()
    {
        await using var cloud = await SlowSnapshots();
        var server = await cloud.ServerId();
        var image = await SnapshotV21(cloud, server);
        async Task<(string, int, long, int)> Proxy()
        {
            var legacy = (await cloud.GetJson($"{cloud.Compute}/images/{image}"))["image"]!;
            var view = (await cloud.GetJson($"{cloud.Compute21}/images/{image}"))["image"]!;
            var detail = (await cloud.GetJson($"{cloud.Compute21}/images/detail?server={server}"))["images"]![0]!;
            Assert.Equal(view["progress"]!.GetValue<int>(), detail["progress"]!.GetValue<int>());
            return (view["status"]!.GetValue<string>(), view["progress"]!.GetValue<int>(), view["OS-EXT-IMG-SIZE:size"]!.GetValue<long>(),
                legacy["progress"]!.GetValue<int>());
        }

        var (status, progress, size, legacyProgress) = await Proxy();
        Assert.Equal(("SAVING", 25, 0L), (status, progress, size));
        Assert.InRange(legacyProgress, 0, 20);   // Rackspace's growing percentage on the legacy endpoint
        await Advance(cloud, 20);
        (status, progress, size, _) = await Proxy();
        Assert.Equal(("SAVING", 25, 0L), (status, progress, size));
        await Advance(cloud, 40);
        (status, progress, size, legacyProgress) = await Proxy();
        Assert.Equal(("SAVING", 50, 0L), (status, progress, size));
        Assert.InRange(legacyProgress, 60, 99);
        await Advance(cloud, 100);
        (status, progress, size, legacyProgress) = await Proxy();
        Assert.Equal(("ACTIVE", 100, 100), (status, progress, legacyProgress));
        Assert.Equal((await cloud.GetJson($"{cloud.Glance}/images/{image}"))["size"]!.GetValue<long>(), size);
        Assert.True(size > 0);
    }

    [Fact]
    public async Task The_image_exists_at_once_queued_with_novas_snapshot_properties_and_the_metadata()
    {
        await using var cloud = await SlowSnapshots();
        var server = await cloud.ServerId();
        var request = Guid.NewGuid().ToString();
        var image = await cloud.Snapshot(server, "web01-daily", $$"""{"autosnap_schedule":"daily","autosnap_server":"{{server}}","autosnap_request":"{{request}}"}""");
        var glance = await cloud.GetJson($"{cloud.Glance}/images/{image}");
        Assert.Equal("queued", glance["status"]!.GetValue<string>());
        Assert.Null(glance["size"]);
        Assert.Equal(server, glance["instance_uuid"]!.GetValue<string>());
        Assert.Equal("snapshot", glance["image_type"]!.GetValue<string>());
        Assert.Equal("daily", glance["autosnap_schedule"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(glance["user_id"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(glance["base_image_ref"]!.GetValue<string>()));

        // custom properties a client invents are filters
        var byRequest = await cloud.GetJson($"{cloud.Glance}/images?autosnap_request={request}");
        Assert.Equal(image, byRequest["images"]!.AsArray().Single()!["id"]!.GetValue<string>());
        var byPool = await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=daily&autosnap_server={server}");
        Assert.Single(byPool["images"]!.AsArray());
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?autosnap_schedule=weekly&autosnap_server={server}"))["images"]!.AsArray());

        var nova = (await cloud.GetJson($"{cloud.Compute}/images/{image}"))["image"]!;
        Assert.Equal(server, nova["server"]!["id"]!.GetValue<string>());
        Assert.Equal("daily", nova["metadata"]!["autosnap_schedule"]!.GetValue<string>());
        Assert.True(nova.AsObject().ContainsKey("OS-EXT-IMG-SIZE:size"));
    }

    [Fact]
    public async Task A_second_createImage_while_one_runs_gets_409_with_novas_message()
    {
        await using var cloud = await SlowSnapshots();
        var server = await cloud.ServerId();
        await cloud.Snapshot(server);
        await Advance(cloud, 20);
        var second = await cloud.Post($"{cloud.Compute}/servers/{server}/action", """{"createImage":{"name":"again"}}""");
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var body = await Cloud.Json(second);
        Assert.Equal($"Cannot 'createImage' instance {server} while it is in task_state image_snapshot",
            body["conflictingRequest"]!["message"]!.GetValue<string>());
        // another server is not blocked
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Post($"{cloud.Compute}/servers/{await cloud.ServerId("db01")}/action",
            """{"createImage":{"name":"other"}}""")).StatusCode);
        await Advance(cloud, 100);
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Post($"{cloud.Compute}/servers/{server}/action",
            """{"createImage":{"name":"after"}}""")).StatusCode);
    }

    [Fact]
    public async Task Failing_snapshots_asked_for_on_the_legacy_endpoint_end_killed_in_glance_and_ERROR_in_nova()
    {
        await using var cloud = await SlowSnapshots(failRate: 1);
        var server = await cloud.ServerId();
        var image = await cloud.Snapshot(server);
        await Advance(cloud, 200);
        var (task, glance, nova, _) = await Observe(cloud, server, image);
        Assert.Equal(("null", "killed", "ERROR"), (task, glance, nova));
        Assert.NotNull((await cloud.GetJson($"{cloud.Compute}/images/{image}"))["image"]!["fault"]);
    }

    /// <summary>createImage on the v2.1 endpoint (2.45: the id in the body); returns the image id.</summary>
    private static async Task<string> SnapshotV21(Cloud cloud, string server, string action = """{"createImage":{"name":"snap"}}""")
    {
        var request = cloud.Request(HttpMethod.Post, $"{cloud.Compute21}/servers/{server}/action", action);
        request.Headers.Add("OpenStack-API-Version", "compute 2.45");
        var response = await cloud.Send(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await Cloud.Json(response))["image_id"]!.GetValue<string>();
    }

    [Fact]
    public async Task Failing_snapshots_asked_for_on_v21_are_deleted_as_nova_does_and_the_server_is_idle()
    {
        await using var cloud = await SlowSnapshots(failRate: 1);
        var server = await cloud.ServerId();
        var image = await SnapshotV21(cloud, server);
        Assert.Equal("queued", (await cloud.GetJson($"{cloud.Glance}/images/{image}"))["status"]!.GetValue<string>());
        Assert.Equal("SAVING", (await cloud.GetJson($"{cloud.Compute21}/images/{image}"))["image"]!["status"]!.GetValue<string>());
        await Advance(cloud, 200);

        var glance = await cloud.Get($"{cloud.Glance}/images/{image}");
        Assert.Equal(HttpStatusCode.NotFound, glance.StatusCode);
        var proxy = await cloud.Get($"{cloud.Compute21}/images/{image}");
        Assert.Equal(HttpStatusCode.NotFound, proxy.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(proxy), "itemNotFound", 404);
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?instance_uuid={server}"))["images"]!.AsArray());
        var view = (await cloud.GetJson($"{cloud.Compute21}/servers/{server}"))["server"]!;
        Assert.Equal("ACTIVE", view["status"]!.GetValue<string>());
        Assert.Null(view["OS-EXT-STS:task_state"]);
        Assert.Null(view["fault"]);

        // createBackup is wrapped the same way
        var backup = await SnapshotV21(cloud, server, """{"createBackup":{"name":"b","backup_type":"daily","rotation":2}}""");
        await Advance(cloud, 200);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Get($"{cloud.Glance}/images/{backup}")).StatusCode);
    }

    [Theory]
    [InlineData("keep", false, "killed")]
    [InlineData("delete", true, null)]
    public async Task FailedSnapshots_overrides_what_either_endpoint_leaves(string setting, bool legacy, string? status)
    {
        await using var cloud = await SlowSnapshots(failRate: 1);
        await cloud.Configure($$"""{"failedSnapshots":"{{setting}}"}""");
        var server = await cloud.ServerId();
        var image = legacy ? await cloud.Snapshot(server) : await SnapshotV21(cloud, server);
        await Advance(cloud, 200);
        var glance = await cloud.Get($"{cloud.Glance}/images/{image}");
        if (status is null) Assert.Equal(HttpStatusCode.NotFound, glance.StatusCode);
        else Assert.Equal(status, (await Cloud.Json(glance))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_image_turns_active_a_moment_before_the_server_is_idle()
    {
        // a long lag so that the fast-forwarded steps land inside it whatever the machine's speed
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 100, TaskStateLagSeconds = 30 });
        var server = await cloud.ServerId();
        var image = await cloud.Snapshot(server);
        await Advance(cloud, 100);
        var (task, glance, nova, progress) = await Observe(cloud, server, image);
        Assert.Equal(("image_uploading", "active", "ACTIVE", 100), (task, glance, nova, progress));
        var again = await cloud.Post($"{cloud.Compute}/servers/{server}/action", """{"createImage":{"name":"too-soon"}}""");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.EndsWith("task_state image_uploading", (await Cloud.Json(again))["conflictingRequest"]!["message"]!.GetValue<string>());
        await Advance(cloud, 30);
        Assert.Equal(("null", "active", "ACTIVE", 100), await Observe(cloud, server, image));
        Assert.Equal(HttpStatusCode.Accepted, (await cloud.Post($"{cloud.Compute}/servers/{server}/action", """{"createImage":{"name":"now"}}""")).StatusCode);
    }

    [Fact]
    public async Task The_task_state_lag_defaults_to_a_tenth_of_a_second_and_never_applies_to_zero_second_snapshots()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0, TaskStateLagSeconds = 30 });
        Assert.Equal(0.1, new CloudSettings().TaskStateLagSeconds);
        var server = await cloud.ServerId();
        var image = await cloud.Snapshot(server);
        Assert.Equal(("null", "active", "ACTIVE", 100), await Observe(cloud, server, image));
    }

    [Fact]
    public async Task Zero_snapshot_seconds_make_the_image_active_in_the_request()
    {
        await using var cloud = await Cloud.StartSignedIn(new CloudSettings { SnapshotSeconds = 0 });
        var server = await cloud.ServerId();
        var image = await cloud.Snapshot(server);
        Assert.Equal(("null", "active", "ACTIVE", 100), await Observe(cloud, server, image));
    }

    [Fact]
    public async Task Deleting_the_image_mid_snapshot_frees_the_server_at_the_end()
    {
        await using var cloud = await SlowSnapshots();
        var server = await cloud.ServerId();
        var image = await cloud.Snapshot(server);
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Delete($"{cloud.Glance}/images/{image}")).StatusCode);
        await Advance(cloud, 200);
        var task = (await cloud.GetJson($"{cloud.Compute}/servers/{server}"))["server"]!["OS-EXT-STS:task_state"];
        Assert.Null(task);
    }

    [Fact]
    public async Task With_microversion_245_createImage_answers_image_id_and_no_Location()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var request = cloud.Request(HttpMethod.Post, $"{cloud.Compute21}/servers/{await cloud.ServerId()}/action", """{"createImage":{"name":"mv"}}""");
        request.Headers.Add("OpenStack-API-Version", "compute 2.45");
        var response = await cloud.Send(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var id = (await Cloud.Json(response))["image_id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Glance}/images/{id}")).StatusCode);

        var legacyHeader = cloud.Request(HttpMethod.Post, $"{cloud.Compute21}/servers/{await cloud.ServerId("db01")}/action", """{"createImage":{"name":"mv"}}""");
        legacyHeader.Headers.Add("X-OpenStack-Nova-API-Version", "2.60");
        Assert.NotNull((await Cloud.Json(await cloud.Send(legacyHeader)))["image_id"]);
    }

    [Fact]
    public async Task Below_245_createImage_answers_202_with_a_Location_ending_in_the_image_id()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var v21 = await cloud.Post($"{cloud.Compute21}/servers/{await cloud.ServerId()}/action", """{"createImage":{"name":"a"}}""");
        Assert.Equal(HttpStatusCode.Accepted, v21.StatusCode);
        Assert.Equal(0, v21.Content.Headers.ContentLength);
        var id = v21.Headers.Location!.ToString().Split('/')[^1];
        Assert.Contains("/image/dfw//images/", v21.Headers.Location.ToString());   // the tier's Nova writes a double slash for every server
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Glance}/images/{id}")).StatusCode);

        // the legacy endpoint (Rackspace) ignores the header and always answers with Location
        var legacy = cloud.Request(HttpMethod.Post, $"{cloud.Compute}/servers/{await cloud.ServerId("db01")}/action", """{"createImage":{"name":"b"}}""");
        legacy.Headers.Add("OpenStack-API-Version", "compute 2.45");
        var response = await cloud.Send(legacy);
        Assert.Contains("/compute/dfw/v2/100001/images/", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task CreateBackup_rotates_per_server_and_backup_type()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var server = await cloud.ServerId();
        for (var i = 0; i < 3; i++)
        {
            var response = await cloud.Post($"{cloud.Compute}/servers/{server}/action",
                "{\"createBackup\":{\"name\":\"daily-" + i + "\",\"backup_type\":\"daily\",\"rotation\":2}}");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.NotNull(response.Headers.Location);
        }
        await cloud.Post($"{cloud.Compute}/servers/{server}/action", """{"createBackup":{"name":"weekly-0","backup_type":"weekly","rotation":1}}""");
        var daily = (await cloud.GetJson($"{cloud.Glance}/images?instance_uuid={server}&backup_type=daily&sort=name:asc"))["images"]!.AsArray();
        Assert.Equal(["daily-1", "daily-2"], daily.Select(i => i!["name"]!.GetValue<string>()).ToArray());
        Assert.All(daily, i => Assert.Equal("backup", i!["image_type"]!.GetValue<string>()));
        Assert.Single((await cloud.GetJson($"{cloud.Glance}/images?instance_uuid={server}&backup_type=weekly"))["images"]!.AsArray());

        var zero = await cloud.Post($"{cloud.Compute}/servers/{server}/action", """{"createBackup":{"name":"gone","backup_type":"daily","rotation":0}}""");
        Assert.Equal(HttpStatusCode.Accepted, zero.StatusCode);
        Assert.Null(zero.Headers.Location);
        Assert.Empty((await cloud.GetJson($"{cloud.Glance}/images?instance_uuid={server}&backup_type=daily"))["images"]!.AsArray());
    }

    [Fact]
    public async Task A_server_stuck_in_a_task_state_refuses_snapshots()
    {
        await using var cloud = await Cloud.StartSignedIn();
        var server = await cloud.ServerId();
        await cloud.Admin(new HttpMethod("PATCH"), $"servers/{server}", """{"taskState":"image_snapshot"}""");
        var response = await cloud.Post($"{cloud.Compute}/servers/{server}/action", """{"createImage":{"name":"x"}}""");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        await cloud.Admin(new HttpMethod("PATCH"), $"servers/{server}", """{"taskState":null,"status":"ERROR","vmState":"error"}""");
        var error = await Cloud.Json(await cloud.Post($"{cloud.Compute}/servers/{server}/action", """{"createImage":{"name":"x"}}"""));
        Assert.Contains("vm_state error", error["conflictingRequest"]!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(0.0, null, "queued")]
    [InlineData(0.05, "image_snapshot_pending", "queued")]
    [InlineData(0.2, "image_snapshot", "queued")]
    [InlineData(0.35, "image_pending_upload", "queued")]
    [InlineData(0.7, "image_uploading", "saving")]
    public void Task_states_and_statuses_follow_the_fraction(double fraction, string? task, string status)
    {
        var job = new SnapshotJob
        {
            ImageId = "i", ServerId = "s", StartedTimestamp = 0, Duration = TimeSpan.FromSeconds(1), WillFail = false,
            FinalSize = 1, Kind = "snapshot", Legacy = true,
        };
        if (task is not null) Assert.Equal(task, job.TaskStateAt(fraction));
        Assert.Equal(status, SnapshotJob.ImageStatusAt(fraction));
        Assert.Null(job.TaskStateAt(1));
    }
}
