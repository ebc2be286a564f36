using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autosnap.LocalCloud.Compute;

/// <summary>
/// Nova / Cloud Servers v2: version documents, servers (list, detail, show, boot, rename, delete, metadata),
/// flavors, limits and extensions. Actions are in <see cref="ServerActions"/>, the image proxy in
/// <see cref="ImageProxyEndpoints"/>. Every route exists twice: under the legacy /v2/{tenant} endpoint
/// (Rackspace) and the microversioned /v2.1 endpoint (Nova Zed).
/// </summary>
public static class ComputeEndpoints
{
    public const string LegacyPrefix = "/compute/{region}/v2/{tenant}";
    public const string CurrentPrefix = "/compute/{region}/v2.1";

    public static void Map(IEndpointRouteBuilder app, CloudState state, RateLimiter limiter)
    {
        Anonymous(app, "/compute/{region}", "GET /versions", Versions);
        Anonymous(app, "/compute/{region}/v2", "GET /versions/v2", context => VersionDocument(context, legacy: true));
        Anonymous(app, CurrentPrefix, "GET /versions/v2.1", context => VersionDocument(context, legacy: false));

        Route(app, "GET", "/servers", context => ListServers(context, state, detail: false));
        Route(app, "GET", "/servers/detail", context => ListServers(context, state, detail: true));
        Route(app, "POST", "/servers", context => ServerLifecycle.Boot(context, state));
        Route(app, "GET", "/servers/{id}", context => ShowServer(context, state));
        Route(app, "PUT", "/servers/{id}", context => UpdateServer(context, state));
        Route(app, "DELETE", "/servers/{id}", context => ServerLifecycle.Delete(context, state));
        Route(app, "POST", "/servers/{id}/action", context => ServerActions.Handle(context, state));
        Route(app, "GET", "/servers/{id}/metadata", context => ServerMetadata(context, state));
        Route(app, "POST", "/servers/{id}/metadata", context => ChangeServerMetadata(context, state, replace: false));
        Route(app, "PUT", "/servers/{id}/metadata", context => ChangeServerMetadata(context, state, replace: true));
        Route(app, "GET", "/servers/{id}/metadata/{key}", context => ServerMetadataItem(context, state));
        Route(app, "PUT", "/servers/{id}/metadata/{key}", context => SetServerMetadataItem(context, state));
        Route(app, "DELETE", "/servers/{id}/metadata/{key}", context => DeleteServerMetadataItem(context, state));
        Route(app, "GET", "/servers/{id}/os-volume_attachments", context => VolumeAttachments(context, state));
        ComputeResources.Map(app, state);

        ImageProxyEndpoints.Map(app, state);

        Route(app, "GET", "/flavors", context => Flavors(context, state, detail: false));
        Route(app, "GET", "/flavors/detail", context => Flavors(context, state, detail: true));
        Route(app, "GET", "/flavors/{id}", context => ShowFlavor(context, state));
        Route(app, "GET", "/limits", context => Limits(context, state, limiter));
        Route(app, "GET", "/extensions", Extensions);
    }

    /// <summary>Maps one compute route under both endpoints, counted as "VERB /pattern" in the stats.</summary>
    public static void Route(IEndpointRouteBuilder app, string method, string pattern, RequestDelegate handler)
    {
        var metadata = new ApiRoute(Service.Compute, $"{method} {pattern}");
        app.MapMethods(LegacyPrefix + pattern, [method], handler).WithApiGuards(metadata);
        app.MapMethods(CurrentPrefix + pattern, [method], handler).WithApiGuards(metadata);
    }

    private static void Anonymous(IEndpointRouteBuilder app, string pattern, string key, RequestDelegate handler) =>
        app.MapGet(pattern, handler).WithApiGuards(new ApiRoute(Service.Compute, key, Anonymous: true));

    // ---- versions ------------------------------------------------------------------------------------

    private static string RegionRoot(HttpContext context) =>
        $"{context.Request.Scheme}://{context.Request.Host}/compute/{((string)context.Request.RouteValues["region"]!).ToLowerInvariant()}";

    private static Task Versions(HttpContext context) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("versions");
        WriteVersion(w, RegionRoot(context), legacy: true);
        WriteVersion(w, RegionRoot(context), legacy: false);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static Task VersionDocument(HttpContext context, bool legacy) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("version");
        WriteVersion(w, RegionRoot(context), legacy);
        w.WriteEndObject();
    });

    private static void WriteVersion(Utf8JsonWriter w, string root, bool legacy)
    {
        w.WriteStartObject();
        w.WriteString("id", legacy ? "v2.0" : "v2.1");
        w.WriteString("status", legacy ? "SUPPORTED" : "CURRENT");
        w.WriteString("version", legacy ? "" : Microversion.MaxText);
        w.WriteString("min_version", legacy ? "" : Microversion.MinText);
        w.WriteString("updated", legacy ? "2011-01-21T11:33:21Z" : "2013-07-23T11:33:21Z");
        w.WriteStartArray("links");
        w.WriteStartObject(); w.WriteString("rel", "self"); w.WriteString("href", $"{root}/{(legacy ? "v2" : "v2.1")}/"); w.WriteEndObject();
        w.WriteStartObject(); w.WriteString("rel", "describedby"); w.WriteString("type", "text/html"); w.WriteString("href", "http://docs.openstack.org/"); w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("media-types");
        w.WriteStartObject();
        w.WriteString("base", "application/json");
        w.WriteString("type", legacy ? "application/vnd.openstack.compute+json;version=2" : "application/vnd.openstack.compute+json;version=2.1");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    // ---- servers -------------------------------------------------------------------------------------

    /// <summary>The caller's server, or null after a 404 (unknown, malformed id, or another tenant's).</summary>
    public static Server? FindServer(HttpContext context, ApiCall call, out Task notFound)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        notFound = Task.CompletedTask;
        if (call.Region!.Servers.TryGetValue(id, out var server) && server.TenantId == call.Account.TenantId) return server;
        notFound = Errors.Nova(context, 404, $"Instance {id} could not be found.");
        return null;
    }

    private static Task ListServers(HttpContext context, CloudState state, bool detail)
    {
        var call = ApiCall.Of(context);
        var query = context.Request.Query;
        var limitError = Paging.TryLimit(context.Request, Paging.NovaMaxLimit, Paging.NovaMaxLimit, out var limit);
        if (limitError is not null) return Errors.Nova(context, 400, limitError);
        Regex? name = null;
        if (query["name"].ToString() is { Length: > 0 } namePattern)
        {
            try
            {
                name = new Regex(namePattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
            }
            catch (ArgumentException)
            {
                return Errors.Nova(context, 400, $"Invalid filter field: name. Value: {namePattern}");
            }
        }
        DateTimeOffset? changesSince = null;
        if (query["changes-since"].ToString() is { Length: > 0 } since)
        {
            if (!VirtualClock.TryParse(since, out var t)) return Errors.Nova(context, 400, $"Invalid input for field/attribute changes-since. Value: {since}. '{since}' is not a 'date-time'");
            changesSince = t;
        }
        var status = query["status"].ToString();
        var image = query["image"].ToString();
        var flavor = query["flavor"].ToString();
        var marker = query["marker"].ToString();
        // 2.26: tags (all of them), tags-any (any of them), not-tags, not-tags-any; comma-separated
        var tagFilters = call.AtLeast(26)
            ? new[] { "tags", "tags-any", "not-tags", "not-tags-any" }.ToDictionary(k => k, k => query[k].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries))
            : null;
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var servers = region.Servers.Values
                .Where(s => s.TenantId == call.Account.TenantId)
                .Where(s => name is null || name.IsMatch(s.Name))
                .Where(s => status.Length == 0 || string.Equals(s.Status, status, StringComparison.OrdinalIgnoreCase))
                .Where(s => image.Length == 0 || (s.ImageId.Length > 0 && image.EndsWith(s.ImageId, StringComparison.OrdinalIgnoreCase)))
                .Where(s => flavor.Length == 0 || flavor.EndsWith(s.FlavorId, StringComparison.Ordinal))
                .Where(s => changesSince is null || s.Updated >= changesSince)
                .Where(s => tagFilters is null || ComputeResources.MatchesTags(s, tagFilters))
                .OrderByDescending(s => s.Created).ThenByDescending(s => s.Id, StringComparer.Ordinal)
                .ToList();
            var start = 0;
            if (marker.Length > 0)
            {
                var at = servers.FindIndex(s => string.Equals(s.Id, marker, StringComparison.OrdinalIgnoreCase));
                if (at < 0) return Errors.Nova(context, 400, $"marker [{marker}] not found");
                start = at + 1;
            }
            var page = servers.Skip(start).Take(limit).ToList();
            return JsonOut.Write(context, 200, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("servers");
                foreach (var server in page)
                {
                    if (detail) ComputeViews.Server(w, call, server, state.Flavor(server.FlavorId));
                    else ComputeViews.ServerSummary(w, call, server);
                }
                w.WriteEndArray();
                if (limit > 0 && page.Count == limit)
                {
                    w.WriteStartArray("servers_links");
                    w.WriteStartObject();
                    w.WriteString("rel", "next");
                    w.WriteString("href", $"{call.ComputeRoot}/servers{(detail ? "/detail" : "")}{Paging.QueryWithMarker(context.Request, page[^1].Id)}");
                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            });
        }
    }

    private static Task ShowServer(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var server = FindServer(context, call, out var notFound);
            if (server is null) return notFound;
            return JsonOut.Write(context, 200, w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("server");
                ComputeViews.Server(w, call, server, state.Flavor(server.FlavorId));
                w.WriteEndObject();
            });
        }
    }

    private static async Task UpdateServer(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var body = await RequestBody.ReadObject(context, Service.Compute);
        if (body is null) return;
        if (body["server"] is not JsonObject request)
        {
            await Errors.Nova(context, 400, "Invalid input for field/attribute server. 'server' is a required property");
            return;
        }
        var region = call.Region!;
        Task result;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var server = FindServer(context, call, out var notFound);
            if (server is null)
            {
                result = notFound;
            }
            else
            {
                if (request.String("name") is { } name)
                {
                    if (name.Length is 0 or > 255) result = Errors.Nova(context, 400, "Invalid input for field/attribute name.");
                    else
                    {
                        server.Name = name;
                        server.Updated = state.Now;
                        result = JsonOut.Write(context, 200, w =>
                        {
                            w.WriteStartObject();
                            w.WritePropertyName("server");
                            ComputeViews.Server(w, call, server, state.Flavor(server.FlavorId));
                            w.WriteEndObject();
                        });
                    }
                }
                else
                {
                    result = JsonOut.Write(context, 200, w =>
                    {
                        w.WriteStartObject();
                        w.WritePropertyName("server");
                        ComputeViews.Server(w, call, server, state.Flavor(server.FlavorId));
                        w.WriteEndObject();
                    });
                }
            }
        }
        await result;
    }

    /// <summary>GET /servers/{id}/os-volume_attachments: the server's volumes as Nova lists them (fields by microversion).</summary>
    private static Task VolumeAttachments(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var server = FindServer(context, call, out var notFound);
            if (server is null) return notFound;
            var attached = region.AttachedTo(server.Id);
            return JsonOut.Write(context, 200, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("volumeAttachments");
                foreach (var (volume, attachment) in attached)
                {
                    w.WriteStartObject();
                    w.WriteString("device", attachment.Device);
                    if (!call.AtLeast(89)) w.WriteString("id", volume.Id);
                    w.WriteString("serverId", server.Id);
                    w.WriteString("volumeId", volume.Id);
                    if (call.AtLeast(70)) w.WriteNull("tag");
                    if (call.AtLeast(79)) w.WriteBoolean("delete_on_termination", attachment.DeleteOnTermination);
                    if (call.AtLeast(89))
                    {
                        w.WriteString("attachment_id", attachment.Id);
                        w.WriteString("bdm_uuid", StableIds.Uuid("bdm:" + attachment.Id));
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
    }

    // ---- server metadata -----------------------------------------------------------------------------

    private static Task WriteMetadata(HttpContext context, int status, IDictionary<string, string> metadata) =>
        JsonOut.Write(context, status, w =>
        {
            w.WriteStartObject();
            w.WriteStringMap("metadata", metadata);
            w.WriteEndObject();
        });

    private static Task ServerMetadata(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var server = FindServer(context, call, out var notFound);
            return server is null ? notFound : WriteMetadata(context, 200, server.Metadata);
        }
    }

    private static async Task ChangeServerMetadata(HttpContext context, CloudState state, bool replace)
    {
        var call = ApiCall.Of(context);
        var body = await RequestBody.ReadObject(context, Service.Compute);
        if (body is null) return;
        var (metadata, error) = body.ContainsKey("metadata")
            ? Metadata.Parse(body["metadata"], "metadata")
            : (null, "Invalid input for field/attribute metadata. 'metadata' is a required property");
        if (error is not null)
        {
            await Errors.Nova(context, 400, error);
            return;
        }
        Task result;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var server = FindServer(context, call, out var notFound);
            if (server is null)
            {
                result = notFound;
            }
            else
            {
                var merged = replace ? new Dictionary<string, string>(metadata!) : new Dictionary<string, string>(server.Metadata);
                if (!replace) foreach (var (k, v) in metadata!) merged[k] = v;
                if (merged.Count > Metadata.MaxItems)
                {
                    result = Errors.Nova(context, 403, $"Maximum number of metadata items exceeds {Metadata.MaxItems}");
                }
                else
                {
                    server.Metadata.Clear();
                    foreach (var (k, v) in merged) server.Metadata[k] = v;
                    server.Updated = state.Now;
                    result = WriteMetadata(context, 200, server.Metadata);
                }
            }
        }
        await result;
    }

    private static Task ServerMetadataItem(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var key = (string)context.Request.RouteValues["key"]!;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var server = FindServer(context, call, out var notFound);
            if (server is null) return notFound;
            if (!server.Metadata.TryGetValue(key, out var value)) return Errors.Nova(context, 404, "Metadata item was not found");
            return WriteMeta(context, key, value);
        }
    }

    public static Task WriteMeta(HttpContext context, string key, string value) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("meta");
        w.WriteString(key, value);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>Validates a {"meta":{key:value}} body against the key in the URL; null error when fine.</summary>
    public static (string? Value, string? Error) ParseMeta(JsonObject body, string key)
    {
        if (body["meta"] is not JsonObject meta) return (null, "Malformed request body");
        if (meta.Count > 1) return (null, "Request body contains too many items");
        var (map, error) = Metadata.Parse(meta, "meta");
        if (error is not null) return (null, error);
        if (!map!.TryGetValue(key, out var value)) return (null, "Request body and URI mismatch");
        return (value, null);
    }

    private static async Task SetServerMetadataItem(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var key = (string)context.Request.RouteValues["key"]!;
        var body = await RequestBody.ReadObject(context, Service.Compute);
        if (body is null) return;
        var (value, error) = ParseMeta(body, key);
        if (error is not null)
        {
            await Errors.Nova(context, 400, error);
            return;
        }
        Task result;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var server = FindServer(context, call, out var notFound);
            if (server is null)
            {
                result = notFound;
            }
            else
            {
                if (!server.Metadata.ContainsKey(key) && server.Metadata.Count >= Metadata.MaxItems)
                {
                    result = Errors.Nova(context, 403, $"Maximum number of metadata items exceeds {Metadata.MaxItems}");
                }
                else
                {
                    server.Metadata[key] = value!;
                    server.Updated = state.Now;
                    result = WriteMeta(context, key, value!);
                }
            }
        }
        await result;
    }

    private static Task DeleteServerMetadataItem(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var key = (string)context.Request.RouteValues["key"]!;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var server = FindServer(context, call, out var notFound);
            if (server is null) return notFound;
            if (!server.Metadata.Remove(key)) return Errors.Nova(context, 404, "Metadata item was not found");
            server.Updated = state.Now;
            return JsonOut.Empty(context, 204);
        }
    }

    // ---- flavors, limits, extensions -----------------------------------------------------------------

    private static Task Flavors(HttpContext context, CloudState state, bool detail)
    {
        var call = ApiCall.Of(context);
        // Nova's minDisk and minRam filters: flavors with at least that much
        var minDisk = int.TryParse(context.Request.Query["minDisk"].ToString(), out var d) ? d : 0;
        var minRam = int.TryParse(context.Request.Query["minRam"].ToString(), out var r) ? r : 0;
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("flavors");
            foreach (var flavor in state.Flavors.Where(f => f.Disk >= minDisk && f.Ram >= minRam)) ComputeViews.Flavor(w, call, flavor, detail);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static Task ShowFlavor(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var id = (string)context.Request.RouteValues["id"]!;
        var flavor = state.Flavor(id);
        if (flavor is null) return Errors.Nova(context, 404, $"Flavor {id} could not be found.");
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("flavor");
            ComputeViews.Flavor(w, call, flavor, detail: true);
            w.WriteEndObject();
        });
    }

    private static Task Limits(HttpContext context, CloudState state, RateLimiter limiter)
    {
        var call = ApiCall.Of(context);
        var region = call.Region!;
        List<Server> servers;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            servers = region.Servers.Values.Where(s => s.TenantId == call.Account.TenantId).ToList();
        }
        return JsonOut.Write(context, 200, w => ComputeLimits.Write(w, call, state, limiter, servers));
    }

    private static Task Extensions(HttpContext context) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("extensions");
        foreach (var (alias, name, description) in new[]
                 {
                     ("OS-DCF", "DiskConfig", "Disk Management Extension."),
                     ("OS-EXT-STS", "ExtendedStatus", "Extended Status support."),
                     ("OS-EXT-IMG-SIZE", "ImageSize", "Adds image size to image listings."),
                     ("os-create-backup", "CreateBackup", "Create a backup of a server."),
                     ("os-networksv2", "Networks", "Rackspace Cloud Networks (isolated networks)."),
                     ("os-keypairs", "Keypairs", "Keypair Support."),
                 })
        {
            w.WriteStartObject();
            w.WriteString("alias", alias);
            w.WriteString("name", name);
            w.WriteString("description", description);
            w.WriteString("namespace", $"http://docs.openstack.org/compute/ext/{alias.ToLowerInvariant()}/api/v1.1");
            w.WriteString("updated", "2014-12-03T00:00:00Z");
            w.WriteStartArray("links");
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
