using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Autosnap.LocalCloud.Admin;

/// <summary>
/// The control surface under /__admin: clock, config, stats, bulk seeding, state tweaks, reset, shutdown.
/// Never faulted, delayed, rate limited or counted (ApiPipeline lets it through untouched).
/// Errors here are simple: 400/404 {"error":"..."}.
/// </summary>
public static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app, CloudState state, RequestStats stats, RateLimiter limiter,
        IHostApplicationLifetime lifetime)
    {
        var admin = app.MapGroup("/__admin");
        admin.MapGet("", Index);
        admin.MapGet("/clock", context => Clock(context, state));
        admin.MapPost("/clock", context => MoveClock(context, state));
        admin.MapGet("/config", context => Config(context, state));
        admin.MapPost("/config", context => MergeConfig(context, state));
        admin.MapGet("/stats", context => JsonOut.Write(context, 200, stats.WriteJson));
        admin.MapDelete("/stats", context =>
        {
            stats.Reset();
            return JsonOut.Write(context, 200, stats.WriteJson);
        });
        admin.MapGet("/requests", context => JsonOut.Write(context, 200, stats.WriteLogJson));
        admin.MapGet("/state", context => Summary(context, state));
        admin.MapPost("/reset", context =>
        {
            state.Reset();
            stats.Reset();
            limiter.Reset();
            return Summary(context, state);
        });
        admin.MapPost("/servers", context => SeedServers(context, state));
        admin.MapGet("/servers", context => ListServers(context, state));
        admin.MapGet("/servers/{id}", context => ShowServer(context, state));
        admin.MapPatch("/servers/{id}", context => PatchServer(context, state));
        admin.MapPost("/images", context => SeedImages(context, state));
        admin.MapPatch("/images/{id}", context => PatchImage(context, state));
        admin.MapPost("/snapshots", context => FastForward(context, state));
        admin.MapPost("/shutdown", context =>
        {
            lifetime.StopApplication();
            return JsonOut.Empty(context, 202);
        });
        admin.MapFallback(context => Error(context, 404, $"No admin endpoint {context.Request.Method} {context.Request.Path}."));
    }

    private static Task Index(HttpContext context) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("endpoints");
        foreach (var line in new[]
                 {
                     "GET /__admin/clock", "POST /__admin/clock {\"advance\":\"1.00:00:00\"} | {\"set\":\"2026-01-01T00:00:00Z\"}",
                     "GET /__admin/config", "POST /__admin/config {fields to merge}", "GET /__admin/stats", "DELETE /__admin/stats", "GET /__admin/requests",
                     "GET /__admin/state", "POST /__admin/reset", "POST /__admin/servers {count, namePrefix, region|regions, ...}",
                     "PATCH /__admin/servers/{id} {status, vmState, taskState, name}",
                     "GET /__admin/servers?region=&tenant=&status=", "GET /__admin/servers/{id}",
                     "POST /__admin/images {count, region, namePrefix, server, properties, statuses, createdFrom, createdStep, ...}",
                     "PATCH /__admin/images/{id} {status, created, properties, protected, boots}", "POST /__admin/snapshots {\"advanceSeconds\":30}", "POST /__admin/shutdown",
                 })
            w.WriteStringValue(line);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static Task Error(HttpContext context, int status, string message) => JsonOut.Write(context, status, w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    });

    private static async Task<JsonObject?> Body(HttpContext context)
    {
        try
        {
            var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (node is JsonObject obj) return obj;
        }
        catch (JsonException)
        {
        }
        await Error(context, 400, "The body must be a JSON object.");
        return null;
    }

    // ---- clock ---------------------------------------------------------------------------------------

    private static Task Clock(HttpContext context, CloudState state) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        w.WriteString("now", state.Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        w.WriteEndObject();
    });

    private static async Task MoveClock(HttpContext context, CloudState state)
    {
        var body = await Body(context);
        if (body is null) return;
        if (body.String("advance") is { } advance)
        {
            if (!TimeSpan.TryParse(advance, CultureInfo.InvariantCulture, out var by))
            {
                await Error(context, 400, $"'advance' must be a .NET TimeSpan like \"1.00:00:00\", not '{advance}'.");
                return;
            }
            state.Clock.Advance(by);
        }
        else if (body.String("set") is { } set)
        {
            if (!VirtualClock.TryParse(set, out var to))
            {
                await Error(context, 400, $"'set' must be an ISO 8601 time like \"2026-01-01T00:00:00Z\", not '{set}'.");
                return;
            }
            state.Clock.Set(to);
        }
        else
        {
            await Error(context, 400, "Give {\"advance\":\"<TimeSpan>\"} or {\"set\":\"<ISO 8601>\"}.");
            return;
        }
        await Clock(context, state);
    }

    // ---- config --------------------------------------------------------------------------------------

    private static Task Config(HttpContext context, CloudState state) => JsonOut.Write(context, 200, state.Settings.WriteJson);

    private static async Task MergeConfig(HttpContext context, CloudState state)
    {
        var body = await Body(context);
        if (body is null) return;
        try
        {
            var settings = state.Settings.Merge(body);
            var unknown = settings.ImageOutage.Where(r => r != "*" && state.Region(r) is null).ToList();
            var unknownVolume = settings.VolumeOutage.Where(r => r != "*" && state.Region(r) is null).ToList();
            if (unknownVolume.Count > 0)
                throw new SettingsException($"Setting 'volumeOutage' names unknown region {string.Join(", ", unknownVolume)}; regions are {string.Join(", ", state.RegionNames)}.");
            if (unknown.Count > 0)
                throw new SettingsException($"Setting 'imageOutage' names unknown region {string.Join(", ", unknown)}; regions are {string.Join(", ", state.RegionNames)}.");
            state.UpdateSettings(settings);
        }
        catch (SettingsException e)
        {
            await Error(context, 400, e.Message);
            return;
        }
        await Config(context, state);
    }

    // ---- summary -------------------------------------------------------------------------------------

    private static Task Summary(HttpContext context, CloudState state) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        w.WriteString("now", VirtualClock.Iso(state.Now));
        w.WriteNumber("tokens", state.Tokens.Count);
        w.WriteStartArray("accounts");
        foreach (var account in state.Accounts)
        {
            w.WriteStartObject();
            w.WriteString("tenantId", account.TenantId);
            w.WriteString("userName", account.UserName);
            w.WriteString("userId", account.UserId);
            w.WriteString("projectName", account.ProjectName);
            w.WriteString("defaultRegion", account.DefaultRegion);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("regions");
        foreach (var name in state.RegionNames)
        {
            var region = state.Region(name)!;
            lock (region.Lock)
            {
                region.Settle(state.Now);
                w.WriteStartObject(name);
                w.WriteNumber("servers", region.Servers.Count);
                w.WriteNumber("images", region.Images.Count);
                w.WriteNumber("runningSnapshots", region.RunningJobs);
                w.WriteNumber("volumes", region.Volumes.Count);
                w.WriteNumber("volumeSnapshots", region.VolumeSnapshots.Count);
                w.WriteStartArray("serverList");
                foreach (var server in region.Servers.Values.Take(1000))
                {
                    w.WriteStartObject();
                    w.WriteString("id", server.Id);
                    w.WriteString("name", server.Name);
                    w.WriteString("tenantId", server.TenantId);
                    w.WriteString("status", server.Status);
                    w.WriteNullableString("taskState", server.TaskState);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
        }
        w.WriteEndObject();
        w.WriteEndObject();
    });

    // ---- bulk seeding --------------------------------------------------------------------------------

    private static async Task SeedServers(HttpContext context, CloudState state)
    {
        var body = await Body(context);
        if (body is null) return;
        var count = Int(body, "count", 1);
        if (count is < 1 or > 100_000)
        {
            await Error(context, 400, "'count' must be 1 to 100000.");
            return;
        }
        var regionNames = body["regions"] is JsonArray array
            ? array.Select(r => r?.GetValue<string>() ?? "").ToList()
            : [body.String("region") ?? state.Accounts[0].DefaultRegion];
        var regions = regionNames.Select(state.Region).ToList();
        if (regions.Count == 0 || regions.Any(r => r is null))
        {
            await Error(context, 400, $"Unknown region in {string.Join(", ", regionNames)}; regions are {string.Join(", ", state.RegionNames)}.");
            return;
        }
        var account = state.AccountByTenant(body.String("tenant") ?? state.Accounts[0].TenantId);
        if (account is null)
        {
            await Error(context, 400, $"Unknown tenant '{body.String("tenant")}'.");
            return;
        }
        var prefix = body.String("namePrefix") ?? "server-";
        var metadata = StringMap(body["metadata"]);
        var flavor = body.String("flavor") ?? state.Flavors[0].Id;
        var status = body.String("status") ?? "ACTIVE";
        // volume-backed servers (a bootable root volume "<name>-root") and/or a data volume "<name>-data" at /dev/xvdb
        var bootVolumeGb = Int(body, "bootVolumeGb", 0);
        var dataVolumeGb = Int(body, "dataVolumeGb", 0);
        if (bootVolumeGb is < 0 or > 16_384 || dataVolumeGb is < 0 or > 16_384)
        {
            await Error(context, 400, "'bootVolumeGb' and 'dataVolumeGb' must be 0 (none) to 16384.");
            return;
        }
        var width = Math.Max(3, count.ToString(CultureInfo.InvariantCulture).Length);
        var created = new List<(string Id, string Name, string Region)>(count);
        for (var i = 0; i < count; i++)
        {
            var region = regions[i % regions.Count]!;
            var name = prefix + (i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            lock (region.Lock)
            {
                var image = body.String("image")
                            ?? region.Images.All.Where(x => x.Visibility == "public").OrderBy(x => x.CreatedAt).FirstOrDefault()?.Id
                            ?? StableIds.Uuid("image:none");
                var server = state.AddServer(region, account, state.Random.NewUuid(), name, bootVolumeGb > 0 ? "" : image, flavor,
                    metadata.ToDictionary(p => p.Key, p => Expand(p.Value, i + 1)), status, state.Now, TimeSpan.Zero,
                    keyName: account.Keypairs[0].Name);
                if (bootVolumeGb > 0)
                    CloudState.AddAttachedVolume(region, account, state.Random.NewUuid(), name + "-root", bootVolumeGb, true, server,
                        null, boot: true, region.Images.Find(image), state.Now).Description = "";
                if (dataVolumeGb > 0)
                    CloudState.AddAttachedVolume(region, account, state.Random.NewUuid(), name + "-data", dataVolumeGb, false, server,
                        "/dev/xvdb", boot: false, null, state.Now);
                created.Add((server.Id, server.Name, region.Name));
            }
        }
        await JsonOut.Write(context, 201, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", created.Count);
            w.WriteStartArray("servers");
            foreach (var (id, name, region) in created)
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("name", name);
                w.WriteString("region", region);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static async Task SeedImages(HttpContext context, CloudState state)
    {
        var body = await Body(context);
        if (body is null) return;
        var count = Int(body, "count", 1);
        if (count is < 1 or > 1_000_000)
        {
            await Error(context, 400, "'count' must be 1 to 1000000.");
            return;
        }
        var region = state.Region(body.String("region") ?? state.Accounts[0].DefaultRegion);
        if (region is null)
        {
            await Error(context, 400, $"Unknown region '{body.String("region")}'; regions are {string.Join(", ", state.RegionNames)}.");
            return;
        }
        var account = state.AccountByTenant(body.String("tenant") ?? state.Accounts[0].TenantId);
        if (account is null)
        {
            await Error(context, 400, $"Unknown tenant '{body.String("tenant")}'.");
            return;
        }
        var statuses = body["statuses"] is JsonArray s ? s.Select(x => x?.GetValue<string>() ?? "active").ToList()
                     : [body.String("status") ?? "active"];
        var step = TimeSpan.FromHours(1);
        if (body.String("createdStep") is { } stepText && !TimeSpan.TryParse(stepText, CultureInfo.InvariantCulture, out step))
        {
            await Error(context, 400, "'createdStep' must be a .NET TimeSpan like \"01:00:00\".");
            return;
        }
        var from = state.Now - step * (count - 1);
        if (body.String("createdFrom") is { } fromText && !VirtualClock.TryParse(fromText, out from))
        {
            await Error(context, 400, "'createdFrom' must be an ISO 8601 time.");
            return;
        }
        var properties = StringMap(body["properties"]);
        var tags = body["tags"] is JsonArray t ? t.Select(x => x?.GetValue<string>() ?? "").ToList() : [];
        var prefix = body.String("namePrefix") ?? "image-";
        var server = body.String("server");
        var visibility = body.String("visibility") ?? "private";
        long? size = body["size"] is JsonValue sv && sv.TryGetValue(out long sz) ? sz : null;
        var returnIds = body["returnIds"] is not JsonValue r || !r.TryGetValue(out bool ri) || ri;
        var width = Math.Max(3, count.ToString(CultureInfo.InvariantCulture).Length);

        var ids = new List<string>(count);
        lock (region.Lock)
        {
            for (var i = 0; i < count; i++)
            {
                var created = from + step * i;
                var image = CloudState.NewImage(region, state.Random.NewUuid(),
                    prefix + (i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0'),
                    visibility == "public" ? DefaultSeed.PublicImageOwner : account.TenantId, created);
                image.Visibility = visibility;
                CloudState.ApplyStatus(image, statuses[i % statuses.Count], size);
                image.Tags.AddRange(tags);
                if (server is not null)
                {
                    image.Properties["instance_uuid"] = server;
                    image.Properties["image_type"] = "snapshot";
                    image.Properties["user_id"] = account.UserId;
                }
                foreach (var (key, value) in properties) image.Properties[key] = Expand(value, i + 1);
                region.Images.Add(image);
                ids.Add(image.Id);
            }
        }
        await JsonOut.Write(context, 201, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", ids.Count);
            w.WriteString("region", region.Name);
            if (returnIds)
            {
                w.WriteStartArray("ids");
                foreach (var id in ids) w.WriteStringValue(id);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        });
    }

    /// <summary>Moves running snapshots and builds along without waiting: {"advanceSeconds": 30}.</summary>
    private static async Task FastForward(HttpContext context, CloudState state)
    {
        var body = await Body(context);
        if (body is null) return;
        if (body["advanceSeconds"] is not JsonValue v || !v.TryGetValue(out double seconds) || seconds < 0)
        {
            await Error(context, 400, "Give {\"advanceSeconds\": <seconds, 0 or more>}.");
            return;
        }
        foreach (var name in state.RegionNames)
        {
            var region = state.Region(name)!;
            lock (region.Lock) { region.FastForward(TimeSpan.FromSeconds(seconds), state.Now); }
        }
        await Summary(context, state);
    }

    // ---- servers, inspected -------------------------------------------------------------------------

    /// <summary>GET /__admin/servers: every server of every tenant (filters region, tenant, status), with what a test checks.</summary>
    private static Task ListServers(HttpContext context, CloudState state)
    {
        var query = context.Request.Query;
        var regionFilter = query["region"].ToString();
        var tenant = query["tenant"].ToString();
        var status = query["status"].ToString();
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("servers");
            foreach (var name in state.RegionNames)
            {
                if (regionFilter.Length > 0 && !string.Equals(regionFilter, name, StringComparison.OrdinalIgnoreCase)) continue;
                var region = state.Region(name)!;
                lock (region.Lock)
                {
                    region.Settle(state.Now);
                    foreach (var server in region.Servers.Values.OrderBy(s => s.Ordinal))
                    {
                        if (tenant.Length > 0 && server.TenantId != tenant) continue;
                        if (status.Length > 0 && !string.Equals(server.Status, status, StringComparison.OrdinalIgnoreCase)) continue;
                        WriteServer(w, region, server);
                    }
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static Task ShowServer(HttpContext context, CloudState state)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        foreach (var name in state.RegionNames)
        {
            var region = state.Region(name)!;
            lock (region.Lock)
            {
                region.Settle(state.Now);
                if (region.Servers.TryGetValue(id, out var server)) return JsonOut.Write(context, 200, w => WriteServer(w, region, server));
            }
        }
        return Error(context, 404, $"No server {id}.");
    }

    private static void WriteServer(Utf8JsonWriter w, RegionState region, Server server)
    {
        w.WriteStartObject();
        w.WriteString("id", server.Id);
        w.WriteString("name", server.Name);
        w.WriteString("region", region.Name);
        w.WriteString("tenantId", server.TenantId);
        w.WriteString("status", server.Status);
        w.WriteString("vmState", server.VmState);
        w.WriteNullableString("taskState", server.TaskState);
        w.WriteString("image", server.ImageId);
        w.WriteString("flavor", server.FlavorId);
        w.WriteNullableString("keyName", server.KeyName);
        w.WriteString("availabilityZone", server.AvailabilityZone);
        w.WriteString("created", VirtualClock.Iso(server.Created));
        if (server.ReadyAt is { } ready) w.WriteString("readyAt", VirtualClock.Iso(ready));
        w.WriteStartArray("securityGroups");
        foreach (var group in server.SecurityGroups) w.WriteStringValue(group);
        w.WriteEndArray();
        w.WriteStartArray("addresses");
        foreach (var port in server.Ports)
        {
            w.WriteStartObject();
            w.WriteString("network", port.NetworkName);
            w.WriteString("networkId", port.NetworkId);
            w.WriteString("addr", port.Address);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("volumes");
        foreach (var (volume, attachment) in region.AttachedTo(server.Id))
        {
            w.WriteStartObject();
            w.WriteString("id", volume.Id);
            w.WriteString("device", attachment.Device);
            if (attachment.BootIndex is { } index) w.WriteNumber("bootIndex", index); else w.WriteNull("bootIndex");
            w.WriteBoolean("deleteOnTermination", attachment.DeleteOnTermination);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStringMap("metadata", server.Metadata);
        w.WriteStartArray("tags");
        foreach (var tag in server.Tags) w.WriteStringValue(tag);
        w.WriteEndArray();
        if (server.Fault is { } fault)
        {
            w.WriteStartObject("fault");
            w.WriteNumber("code", fault.Code);
            w.WriteString("message", fault.Message);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    // ---- state tweaks --------------------------------------------------------------------------------

    private static async Task PatchServer(HttpContext context, CloudState state)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        var body = await Body(context);
        if (body is null) return;
        foreach (var name in state.RegionNames)
        {
            var region = state.Region(name)!;
            lock (region.Lock)
            {
                region.Settle(state.Now);
                if (!region.Servers.TryGetValue(id, out var server)) continue;
                if (body.String("status") is { } status) server.Status = status.ToUpperInvariant();
                if (body.String("vmState") is { } vmState) server.VmState = vmState;
                if (body.ContainsKey("taskState")) server.TaskState = body.String("taskState");
                if (body.String("name") is { } newName) server.Name = newName;
                server.Updated = state.Now;
            }
            await JsonOut.Empty(context, 204);
            return;
        }
        await Error(context, 404, $"No server {id}.");
    }

    private static async Task PatchImage(HttpContext context, CloudState state)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        var body = await Body(context);
        if (body is null) return;
        foreach (var name in state.RegionNames)
        {
            var region = state.Region(name)!;
            string? error = null;
            var found = false;
            lock (region.Lock)
            {
                region.Settle(state.Now);
                var image = region.Images.Find(id);
                if (image is null) continue;
                found = true;
                if (body.String("created") is { } createdText)
                {
                    // CreatedAt is fixed on the record: replace the record with an aged copy
                    if (!VirtualClock.TryParse(createdText, out var created)) error = "'created' must be an ISO 8601 time.";
                    else image = Recreate(region, image, created, state.Now);
                }
                if (error is null && body.String("status") is { } status)
                {
                    image.Job = null;
                    CloudState.ApplyStatus(image, status, image.Size);
                }
                if (error is null && body["protected"] is JsonValue p && p.TryGetValue(out bool isProtected)) image.Protected = isProtected;
                if (error is null && body["boots"] is JsonValue b && b.TryGetValue(out bool boots)) image.DoesNotBoot = !boots;
                if (error is null && body["properties"] is JsonObject props)
                {
                    foreach (var (key, value) in props)
                    {
                        if (value is null) region.Images.RemoveProperty(image, key);
                        else region.Images.SetProperty(image, key, value.ToString());
                    }
                }
                image.UpdatedAt = state.Now;
                region.Images.Changed();
            }
            if (!found) continue;
            if (error is not null) await Error(context, 400, error);
            else await JsonOut.Empty(context, 204);
            return;
        }
        await Error(context, 404, $"No image {id}.");
    }

    private static Image Recreate(RegionState region, Image image, DateTimeOffset created, DateTimeOffset now)
    {
        var copy = CloudState.NewImage(region, image.Id, image.Name, image.Owner, created);
        copy.Status = image.Status;
        copy.Visibility = image.Visibility;
        copy.Protected = image.Protected;
        copy.OsHidden = image.OsHidden;
        copy.Size = image.Size;
        copy.Checksum = image.Checksum;
        copy.OsHashValue = image.OsHashValue;
        copy.DiskFormat = image.DiskFormat;
        copy.ContainerFormat = image.ContainerFormat;
        copy.MinDisk = image.MinDisk;
        copy.MinRam = image.MinRam;
        copy.Job = image.Job;
        copy.DoesNotBoot = image.DoesNotBoot;
        copy.Tags.AddRange(image.Tags);
        foreach (var (k, v) in image.Properties) copy.Properties[k] = v;
        region.Images.Remove(image.Id, now, tombstone: false);
        region.Images.Add(copy);
        return copy;
    }

    private static int Int(JsonObject body, string name, int fallback) =>
        body[name] is JsonValue v && v.TryGetValue(out int n) ? n : fallback;

    private static Dictionary<string, string> StringMap(JsonNode? node) =>
        node is JsonObject obj ? obj.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "") : [];

    /// <summary>"{i}" in names and values becomes the item's 1-based number.</summary>
    private static string Expand(string value, int index) =>
        value.Replace("{i}", index.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
