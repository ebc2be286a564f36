using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Compute;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autosnap.LocalCloud.Volumes;

/// <summary>
/// Cinder, per region, on two APIs: v3 (OpenStack, Keystone catalog volumev3/block-storage) and the Cinder-based
/// v1 of Rackspace Cloud Block Storage (cloudBlockStorage), which says display_name/display_description.
/// Version documents, volumes (list, detail, show, create from a snapshot, delete), snapshots (list, detail with
/// filters and paging, create with force, show, delete, metadata) and absolute limits. The rules shared with
/// Nova live in <see cref="BlockStorage"/>.
/// </summary>
public static class VolumeEndpoints
{
    public const string Prefix = "/volume/{region}/{version}/{project}";

    public static void Map(IEndpointRouteBuilder app, CloudState state)
    {
        app.MapGet("/volume/{region}", Versions(300, null)).WithApiGuards(new ApiRoute(Service.Volume, "GET /", Anonymous: true));
        // a version's own document needs a token (the tier: 401 without one); the root does not
        app.MapGet("/volume/{region}/{version}", context => Versions(200, (string)context.Request.RouteValues["version"]!)(context))
            .WithApiGuards(new ApiRoute(Service.Volume, "GET /{version}"));

        Route(app, "GET", "/volumes", context => ListVolumes(context, state, detail: false));
        Route(app, "GET", "/volumes/detail", context => ListVolumes(context, state, detail: true));
        Route(app, "POST", "/volumes", context => CreateVolume(context, state));
        Route(app, "GET", "/volumes/{id}", context => ShowVolume(context, state));
        Route(app, "DELETE", "/volumes/{id}", context => DeleteVolume(context, state));

        Route(app, "GET", "/snapshots", context => ListSnapshots(context, state, detail: false));
        Route(app, "GET", "/snapshots/detail", context => ListSnapshots(context, state, detail: true));
        Route(app, "POST", "/snapshots", context => CreateSnapshot(context, state));
        Route(app, "GET", "/snapshots/{id}", context => ShowSnapshot(context, state));
        Route(app, "PUT", "/snapshots/{id}", context => UpdateSnapshot(context, state));
        Route(app, "DELETE", "/snapshots/{id}", context => DeleteSnapshot(context, state));
        Route(app, "GET", "/snapshots/{id}/metadata", context => SnapshotMetadata(context, state));
        Route(app, "POST", "/snapshots/{id}/metadata", context => ChangeSnapshotMetadata(context, state, replace: false));
        Route(app, "PUT", "/snapshots/{id}/metadata", context => ChangeSnapshotMetadata(context, state, replace: true));
        Route(app, "GET", "/snapshots/{id}/metadata/{key}", context => SnapshotMetadataItem(context, state));
        Route(app, "PUT", "/snapshots/{id}/metadata/{key}", context => SetSnapshotMetadataItem(context, state));
        Route(app, "DELETE", "/snapshots/{id}/metadata/{key}", context => DeleteSnapshotMetadataItem(context, state));

        Route(app, "GET", "/limits", context => Limits(context, state));
    }

    /// <summary>Maps one route under /volume/{region}/{v1|v3}/{project}, counted as "VERB /pattern" in the stats.</summary>
    private static void Route(IEndpointRouteBuilder app, string method, string pattern, RequestDelegate handler) =>
        app.MapMethods(Prefix + pattern, [method], handler).WithApiGuards(new ApiRoute(Service.Volume, $"{method} {pattern}"));

    // ---- versions ------------------------------------------------------------------------------------

    /// <summary>GET /volume/{region}: both versions (300, as Cinder's root); GET .../v3 or .../v1: that one.</summary>
    private static RequestDelegate Versions(int status, string? only) => context =>
    {
        if (only is not null && only != "v1" && only != "v3") return Errors.Nova(context, 404, "The resource could not be found.");
        var root = $"{context.Request.Scheme}://{context.Request.Host}/volume/{((string)context.Request.RouteValues["region"]!).ToLowerInvariant()}";
        return JsonOut.Write(context, status, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("versions");
            if (only is null or "v1") WriteVersion(w, root, v1: true);
            if (only is null or "v3") WriteVersion(w, root, v1: false);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    };

    private static void WriteVersion(Utf8JsonWriter w, string root, bool v1)
    {
        w.WriteStartObject();
        w.WriteString("id", v1 ? "v1.0" : "v3.0");
        w.WriteString("status", v1 ? "DEPRECATED" : "CURRENT");
        w.WriteString("version", v1 ? "" : VolumeMicroversion.MaxText);
        w.WriteString("min_version", v1 ? "" : VolumeMicroversion.MinText);
        w.WriteString("updated", v1 ? "2016-05-02T20:25:19Z" : "2022-08-31T00:00:00Z");
        w.WriteStartArray("links");
        w.WriteStartObject(); w.WriteString("rel", "describedby"); w.WriteString("type", "text/html"); w.WriteString("href", "https://docs.openstack.org/"); w.WriteEndObject();
        w.WriteStartObject(); w.WriteString("rel", "self"); w.WriteString("href", $"{root}/{(v1 ? "v1" : "v3")}/"); w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("media-types");
        w.WriteStartObject();
        w.WriteString("base", "application/json");
        w.WriteString("type", v1 ? "application/vnd.openstack.volume+json;version=1" : "application/vnd.openstack.volume+json;version=3");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    // ---- shared --------------------------------------------------------------------------------------

    private static Task Fail(HttpContext context, CinderError error)
    {
        if (error.OverQuota) context.Response.Headers.RetryAfter = "0";
        return JsonOut.Write(context, error.Code, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject(Errors.NovaFaultName(error.Code));
            w.WriteNumber("code", error.Code);
            w.WriteString("message", error.Message);
            if (error.OverQuota) w.WriteString("retryAfter", "0");
            w.WriteEndObject();
            w.WriteEndObject();
        }, "application/json; charset=UTF-8");
    }

    private static Volume? FindVolume(RegionState region, ApiCall call, string id) =>
        region.Volumes.TryGetValue(id, out var volume) && volume.TenantId == call.Account.TenantId ? volume : null;

    private static VolumeSnapshot? FindSnapshot(RegionState region, ApiCall call, string id) =>
        region.VolumeSnapshots.TryGetValue(id, out var snapshot) && snapshot.TenantId == call.Account.TenantId ? snapshot : null;

    private static Task VolumeNotFound(HttpContext context, string id) => Errors.Nova(context, 404, $"Volume {id} could not be found.");

    private static Task SnapshotNotFound(HttpContext context, string id) => Errors.Nova(context, 404, $"Snapshot {id} could not be found.");

    private static string Id(HttpContext context) => (string)context.Request.RouteValues["id"]!;

    /// <summary>name (v3) or display_name (v1), as the API's clients send it.</summary>
    private static string NameField(ApiCall call) => call.VolumeV1 ? "display_name" : "name";

    private static string DescriptionField(ApiCall call) => call.VolumeV1 ? "display_description" : "description";

    /// <summary>
    /// One page of a list in Cinder's order (newest first, then id), after the marker, with a "next" link when
    /// the page is full; the marker must be in the filtered list.
    /// </summary>
    private static Task WritePage<T>(HttpContext context, ApiCall call, List<T> items, Func<T, string> id, string collection,
        bool detail, Action<Utf8JsonWriter, T> write)
    {
        var limitError = Paging.TryLimit(context.Request, Paging.NovaMaxLimit, Paging.NovaMaxLimit, out var limit);
        if (limitError is not null) return Errors.Nova(context, 400, limitError);
        var marker = context.Request.Query["marker"].ToString();
        var start = 0;
        if (marker.Length > 0)
        {
            var at = items.FindIndex(i => string.Equals(id(i), marker, StringComparison.OrdinalIgnoreCase));
            // Cinder looks the marker up as an item of the collection
            if (at < 0) return Errors.Nova(context, 404, $"{(collection == "volumes" ? "Volume" : "Snapshot")} {marker} could not be found.");
            start = at + 1;
        }
        var withCount = call.Microversion >= 45 && Bool(context.Request.Query["with_count"].ToString() is { Length: > 0 } c ? JsonValue.Create(c) : null) == true;
        var page = items.Skip(start).Take(limit).ToList();
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray(collection);
            foreach (var item in page) write(w, item);
            w.WriteEndArray();
            if (withCount) w.WriteNumber("count", items.Count);
            if (limit > 0 && page.Count == limit)
            {
                w.WriteStartArray(collection + "_links");
                w.WriteStartObject();
                w.WriteString("href", $"{call.VolumeRoot}/{collection}{(detail ? "/detail" : "")}{Paging.QueryWithMarker(context.Request, id(page[^1]))}");
                w.WriteString("rel", "next");
                w.WriteEndObject();
                w.WriteEndArray();
            }
            w.WriteEndObject();
        });
    }

    /// <summary>Query keys Cinder's lists take besides their filters.</summary>
    private static readonly HashSet<string> ListParameters = new(StringComparer.Ordinal)
    {
        "limit", "marker", "sort", "sort_key", "sort_dir", "with_count", "offset", "all_tenants", "project_id",
    };

    /// <summary>
    /// Cinder's general filtering: from 3.33 a filter it does not know is a 400 (before, it is ignored); from 3.22
    /// <c>metadata={"k":"v"}</c> filters on metadata (before, it is ignored). Null error when fine.
    /// </summary>
    private static string? CheckFilters(HttpContext context, ApiCall call, IEnumerable<string> filters,
        out Dictionary<string, string>? metadata)
    {
        metadata = null;
        var query = context.Request.Query;
        if (call.Microversion >= 33)
        {
            var known = new HashSet<string>(filters, StringComparer.Ordinal);
            var unknown = query.Keys.Where(k => !known.Contains(k) && !ListParameters.Contains(k) && k != "metadata").ToList();
            if (unknown.Count > 0) return $"Invalid filters {string.Join(", ", unknown)} are found in query options.";
        }
        if (call.Microversion >= 22 && query["metadata"].ToString() is { Length: > 0 } text)
        {
            try
            {
                if (JsonNode.Parse(text) is JsonObject obj)
                    metadata = obj.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue(out string? s) ? s : p.Value?.ToJsonString() ?? "");
            }
            catch (JsonException)
            {
            }
            if (metadata is null) return $"Invalid input received: Invalid metadata filter {text}";
        }
        return null;
    }

    private static bool HasMetadata(IReadOnlyDictionary<string, string> have, Dictionary<string, string>? wanted) =>
        wanted is null || wanted.All(p => have.TryGetValue(p.Key, out var v) && v == p.Value);

    /// <summary>
    /// Cinder's order: <c>sort=key:dir,...</c> or <c>sort_key</c>/<c>sort_dir</c>; default created_at then id, newest
    /// first. Keys: created_at, updated_at, id, name, status, size. Null error when fine.
    /// </summary>
    private static string? Sort<T>(HttpContext context, List<T> items, Func<T, string, IComparable?> key)
    {
        var query = context.Request.Query;
        var parts = new List<(string Key, bool Descending)>();
        if (query["sort"].ToString() is { Length: > 0 } sort)
        {
            foreach (var piece in sort.Split(','))
            {
                var kv = piece.Split(':', 2);
                parts.Add((kv[0].Trim(), kv.Length < 2 || kv[1].Trim() != "asc"));
                if (kv.Length == 2 && kv[1].Trim() is not ("asc" or "desc")) return $"Invalid input received: Invalid sort direction {kv[1]}";
            }
        }
        else if (query["sort_key"].ToString() is { Length: > 0 } sortKey)
        {
            var dir = query["sort_dir"].ToString();
            if (dir.Length > 0 && dir is not ("asc" or "desc")) return $"Invalid input received: Invalid sort direction {dir}";
            parts.Add((sortKey, dir != "asc"));
        }
        foreach (var (name, _) in parts)
            if (name is not ("created_at" or "updated_at" or "id" or "name" or "status" or "size"))
                return $"Invalid input received: Invalid sort key {name}";
        if (!parts.Any(p => p.Key == "id")) parts.Add(("created_at", parts.Count == 0 || parts[0].Descending));
        if (!parts.Any(p => p.Key == "id")) parts.Add(("id", parts[0].Descending));
        items.Sort((a, b) =>
        {
            foreach (var (name, descending) in parts)
            {
                var x = key(a, name);
                var y = key(b, name);
                var order = x is null ? (y is null ? 0 : -1) : y is null ? 1 : x.CompareTo(y);
                if (order != 0) return descending ? -order : order;
            }
            return 0;
        });
        return null;
    }

    private static bool? Bool(JsonNode? node)
    {
        if (node is null) return false;
        if (node is JsonValue v && v.TryGetValue(out bool b)) return b;
        if (node is JsonValue s && s.TryGetValue(out string? text))
        {
            return text.Trim().ToLowerInvariant() switch
            {
                "true" or "t" or "yes" or "y" or "on" or "1" => true,
                "false" or "f" or "no" or "n" or "off" or "0" or "" => false,
                _ => null,
            };
        }
        return null;
    }

    // ---- volumes -------------------------------------------------------------------------------------

    private static Task ListVolumes(HttpContext context, CloudState state, bool detail)
    {
        var call = ApiCall.Of(context);
        var query = context.Request.Query;
        var name = query[NameField(call)].ToString();
        var status = query["status"].ToString();
        var bootable = query["bootable"].ToString();
        var filterError = CheckFilters(context, call, [NameField(call), "status", "bootable", "availability_zone", "volume_type", "snapshot_id"], out var metadata);
        if (filterError is not null) return Errors.Nova(context, 400, filterError);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var volumes = region.Volumes.Values
                .Where(v => v.TenantId == call.Account.TenantId)
                .Where(v => name.Length == 0 || v.Name == name)
                .Where(v => status.Length == 0 || v.Status == status)
                .Where(v => bootable.Length == 0 || Bool(JsonValue.Create(bootable)) == v.Bootable)
                .Where(v => HasMetadata(v.Metadata, metadata))
                .ToList();
            var sortError = Sort(context, volumes, (v, key) => key switch
            {
                "created_at" => v.CreatedAt, "updated_at" => v.UpdatedAt, "id" => v.Id, "name" => v.Name, "status" => v.Status,
                _ => v.Size,
            });
            if (sortError is not null) return Errors.Nova(context, 400, sortError);
            // v1 lists carry the full view; v3's plain list only id, name and links
            return WritePage(context, call, volumes, v => v.Id, "volumes", detail, (w, v) =>
            {
                if (detail || call.VolumeV1) VolumeViews.Volume(w, call, v);
                else VolumeViews.VolumeSummary(w, call, v);
            });
        }
    }

    private static Task ShowVolume(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var volume = FindVolume(region, call, Id(context));
            if (volume is null) return VolumeNotFound(context, Id(context));
            return JsonOut.Write(context, 200, w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("volume");
                VolumeViews.Volume(w, call, volume);
                w.WriteEndObject();
            });
        }
    }

    private static async Task CreateVolume(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var body = await RequestBody.ReadObject(context, Service.Volume);
        if (body is null) return;
        if (body["volume"] is not JsonObject request)
        {
            await Errors.Nova(context, 400, "Missing required element 'volume' in request body.");
            return;
        }
        int? size = null;
        if (request["size"] is JsonNode sizeNode)
        {
            if (sizeNode is JsonValue sv && (sv.TryGetValue(out int n) || (sv.TryGetValue(out string? text)
                    && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out n))))
                size = n;
            else
            {
                await Errors.Nova(context, 400, $"Invalid input received: Volume size '{sizeNode.ToJsonString()}' must be an integer and greater than 0");
                return;
            }
        }
        var (metadata, metadataError) = CinderMetadata(request["metadata"]);
        if (metadataError is not null)
        {
            await Fail(context, metadataError);
            return;
        }
        var snapshotId = request.String("snapshot_id");
        var region = call.Region!;
        Volume? volume;
        CinderError? error;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            VolumeSnapshot? source = null;
            if (snapshotId is not null && (source = FindSnapshot(region, call, snapshotId)) is null)
            {
                (volume, error) = (null, new CinderError(404, $"Snapshot {snapshotId} could not be found."));
            }
            else
            {
                (volume, error) = BlockStorage.CreateVolume(state, region, call.Account, size, source,
                    request.String(NameField(call)), request.String(DescriptionField(call)), request.String("volume_type"), metadata);
            }
        }
        if (error is not null)
        {
            await Fail(context, error);
            return;
        }
        await JsonOut.Write(context, 202, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("volume");
            VolumeViews.Volume(w, call, volume!);
            w.WriteEndObject();
        });
    }

    private static Task DeleteVolume(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var volume = FindVolume(region, call, Id(context));
            if (volume is null) return VolumeNotFound(context, Id(context));
            var error = BlockStorage.DeleteVolume(state, region, volume);
            return error is null ? JsonOut.Empty(context, 202) : Fail(context, error);
        }
    }

    // ---- snapshots -----------------------------------------------------------------------------------

    private static Task ListSnapshots(HttpContext context, CloudState state, bool detail)
    {
        var call = ApiCall.Of(context);
        var query = context.Request.Query;
        var volumeId = query["volume_id"].ToString();
        var status = query["status"].ToString();
        var name = query[NameField(call)].ToString();
        var filterError = CheckFilters(context, call, [NameField(call), "status", "volume_id", "group_snapshot_id", "availability_zone"], out var metadata);
        if (filterError is not null) return Errors.Nova(context, 400, filterError);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var snapshots = region.VolumeSnapshots.Values
                .Where(s => s.TenantId == call.Account.TenantId)
                .Where(s => volumeId.Length == 0 || string.Equals(s.VolumeId, volumeId, StringComparison.OrdinalIgnoreCase))
                .Where(s => status.Length == 0 || s.Status == status)
                .Where(s => name.Length == 0 || s.Name == name)
                .Where(s => HasMetadata(s.Metadata, metadata))
                .ToList();
            var sortError = Sort(context, snapshots, (s, key) => key switch
            {
                "created_at" => s.CreatedAt, "updated_at" => s.UpdatedAt, "id" => s.Id, "name" => s.Name, "status" => s.Status,
                _ => s.Size,
            });
            if (sortError is not null) return Errors.Nova(context, 400, sortError);
            return WritePage(context, call, snapshots, s => s.Id, "snapshots", detail,
                (w, s) => VolumeViews.Snapshot(w, call, s, detail || call.VolumeV1));
        }
    }

    private static Task ShowSnapshot(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var snapshot = FindSnapshot(region, call, Id(context));
            if (snapshot is null) return SnapshotNotFound(context, Id(context));
            return WriteSnapshot(context, 200, call, snapshot);
        }
    }

    private static Task WriteSnapshot(HttpContext context, int status, ApiCall call, VolumeSnapshot snapshot) =>
        JsonOut.Write(context, status, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("snapshot");
            VolumeViews.Snapshot(w, call, snapshot, detail: true);
            w.WriteEndObject();
        });

    private static async Task CreateSnapshot(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var body = await RequestBody.ReadObject(context, Service.Volume);
        if (body is null) return;
        if (body["snapshot"] is not JsonObject request)
        {
            await Errors.Nova(context, 400, "Missing required element 'snapshot' in request body.");
            return;
        }
        var volumeId = request.String("volume_id");
        if (string.IsNullOrEmpty(volumeId))
        {
            await Errors.Nova(context, 400, $"Invalid input for field/attribute snapshot. Value: {request.ToJsonString()}. 'volume_id' is a required property");
            return;
        }
        var force = Bool(request["force"]);
        if (force is null)
        {
            var given = request["force"] is JsonValue fv && fv.TryGetValue(out string? text) ? text : request["force"]?.ToJsonString();
            await Errors.Nova(context, 400, $"Unrecognized value '{given}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'");
            return;
        }
        if (call.Microversion >= 66)
        {
            // 3.66: snapshots of in-use volumes need no force; an explicit false is refused
            if (request.ContainsKey("force") && force == false)
            {
                await Errors.Nova(context, 400, "Since microversion 3.66 the 'force' flag is invalid for this request. " +
                                                "For backward compatability, however, a 'true' value is accepted.");
                return;
            }
            force = true;
        }
        var (metadata, metadataError) = CinderMetadata(request["metadata"]);
        if (metadataError is not null)
        {
            await Fail(context, metadataError);
            return;
        }
        var name = request.String(NameField(call));
        if (name is { Length: > 255 })
        {
            await Errors.Nova(context, 400, $"Invalid input for field/attribute {NameField(call)}. Value: {name}. '{name}' is too long");
            return;
        }
        var region = call.Region!;
        VolumeSnapshot? snapshot;
        CinderError? error;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var volume = FindVolume(region, call, volumeId);
            (snapshot, error) = volume is null
                ? (null, new CinderError(404, $"Volume {volumeId} could not be found."))
                : BlockStorage.CreateSnapshot(state, region, volume, name, request.String(DescriptionField(call)), metadata, force.Value);
        }
        if (error is not null)
        {
            await Fail(context, error);
            return;
        }
        // the create answer has no extended attributes (the tier: progress and project_id only on show and detail)
        await JsonOut.Write(context, 202, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("snapshot");
            VolumeViews.Snapshot(w, call, snapshot!, detail: false);
            w.WriteEndObject();
        });
    }

    /// <summary>PUT /snapshots/{id}: a new name and/or description.</summary>
    private static async Task UpdateSnapshot(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var body = await RequestBody.ReadObject(context, Service.Volume);
        if (body is null) return;
        if (body["snapshot"] is not JsonObject request)
        {
            await Errors.Nova(context, 400, "Missing required element 'snapshot' in request body.");
            return;
        }
        Task result;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var snapshot = FindSnapshot(call.Region, call, Id(context));
            if (snapshot is null)
            {
                result = SnapshotNotFound(context, Id(context));
            }
            else
            {
                if (request.ContainsKey(NameField(call))) snapshot.Name = request.String(NameField(call));
                if (request.ContainsKey(DescriptionField(call))) snapshot.Description = request.String(DescriptionField(call));
                snapshot.UpdatedAt = state.Now;
                result = WriteSnapshot(context, 200, call, snapshot);
            }
        }
        await result;
    }

    /// <summary>Cinder's metadata check: strings only (400), keys and values up to 255 characters (413).</summary>
    private static (Dictionary<string, string>? Map, CinderError? Error) CinderMetadata(JsonNode? node)
    {
        if (node is null) return (new Dictionary<string, string>(), null);
        if (node is not JsonObject obj) return (null, new CinderError(400, "Malformed request body"));
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (key.Length == 0) return (null, new CinderError(400, "Invalid metadata: Metadata property key blank."));
            if (key.Length > 255)
                return (null, new CinderError(413, $"Invalid metadata size: Metadata property key {key} greater than 255 characters."));
            if (value is not JsonValue v || !v.TryGetValue(out string? text))
                return (null, new CinderError(400, $"Invalid metadata: Value for metadata key {key} ({value?.ToJsonString() ?? "None"}) is not a string or unicode"));
            if (text.Length > 255)
                return (null, new CinderError(413, $"Invalid metadata size: Metadata property key {key} value greater than 255 characters."));
            map[key] = text;
        }
        return (map, null);
    }

    private static Task DeleteSnapshot(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var snapshot = FindSnapshot(region, call, Id(context));
            if (snapshot is null) return SnapshotNotFound(context, Id(context));
            var error = BlockStorage.DeleteSnapshot(state, region, snapshot);
            return error is null ? JsonOut.Empty(context, 202) : Fail(context, error);
        }
    }

    // ---- snapshot metadata ---------------------------------------------------------------------------

    private static Task WriteMetadata(HttpContext context, IDictionary<string, string> metadata) =>
        JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStringMap("metadata", metadata);
            w.WriteEndObject();
        });

    private static Task SnapshotMetadata(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var snapshot = FindSnapshot(call.Region, call, Id(context));
            return snapshot is null ? SnapshotNotFound(context, Id(context)) : WriteMetadata(context, snapshot.Metadata);
        }
    }

    /// <summary>POST merges (and answers the whole result), PUT replaces, as Cinder's snapshot_metadata does.</summary>
    private static async Task ChangeSnapshotMetadata(HttpContext context, CloudState state, bool replace)
    {
        var call = ApiCall.Of(context);
        var body = await RequestBody.ReadObject(context, Service.Volume);
        if (body is null) return;
        if (body["metadata"] is not JsonObject)
        {
            await Errors.Nova(context, 400, "Malformed request body");
            return;
        }
        var (metadata, error) = CinderMetadata(body["metadata"]);
        if (error is not null)
        {
            await Fail(context, error);
            return;
        }
        Task result;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var snapshot = FindSnapshot(call.Region, call, Id(context));
            if (snapshot is null)
            {
                result = SnapshotNotFound(context, Id(context));
            }
            else
            {
                if (replace) snapshot.Metadata.Clear();
                foreach (var (k, v) in metadata!) snapshot.Metadata[k] = v;
                snapshot.UpdatedAt = state.Now;
                result = WriteMetadata(context, replace ? metadata : snapshot.Metadata);
            }
        }
        await result;
    }

    private static Task SnapshotMetadataItem(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var key = (string)context.Request.RouteValues["key"]!;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var snapshot = FindSnapshot(call.Region, call, Id(context));
            if (snapshot is null) return SnapshotNotFound(context, Id(context));
            if (!snapshot.Metadata.TryGetValue(key, out var value)) return MetadataItemNotFound(context, snapshot.Id, key);
            return ComputeEndpoints.WriteMeta(context, key, value);
        }
    }

    private static Task MetadataItemNotFound(HttpContext context, string id, string key) =>
        Errors.Nova(context, 404, $"Snapshot {id} has no metadata with key {key}.");

    private static async Task SetSnapshotMetadataItem(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var key = (string)context.Request.RouteValues["key"]!;
        var body = await RequestBody.ReadObject(context, Service.Volume);
        if (body is null) return;
        var (value, error) = ComputeEndpoints.ParseMeta(body, key);
        if (error is not null)
        {
            await Errors.Nova(context, 400, error);
            return;
        }
        Task result;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var snapshot = FindSnapshot(call.Region, call, Id(context));
            if (snapshot is null)
            {
                result = SnapshotNotFound(context, Id(context));
            }
            else
            {
                snapshot.Metadata[key] = value!;
                snapshot.UpdatedAt = state.Now;
                result = ComputeEndpoints.WriteMeta(context, key, value!);
            }
        }
        await result;
    }

    private static Task DeleteSnapshotMetadataItem(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var key = (string)context.Request.RouteValues["key"]!;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var snapshot = FindSnapshot(call.Region, call, Id(context));
            if (snapshot is null) return SnapshotNotFound(context, Id(context));
            if (!snapshot.Metadata.Remove(key)) return MetadataItemNotFound(context, snapshot.Id, key);
            snapshot.UpdatedAt = state.Now;
            return JsonOut.Empty(context, 200);
        }
    }

    // ---- limits --------------------------------------------------------------------------------------

    /// <summary>GET /limits: Cinder's absolute limits for the project in this region; no rate limits (rate: []).</summary>
    private static Task Limits(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var region = call.Region!;
        (int MaxSnapshots, int MaxVolumes, int MaxGigabytes, int Snapshots, int Volumes, long Gigabytes) limits;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            limits = BlockStorage.Limits(state.Settings, region, call.Account.TenantId);
        }
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("limits");
            w.WriteStartArray("rate");
            w.WriteEndArray();
            w.WriteStartObject("absolute");
            w.WriteNumber("totalSnapshotsUsed", limits.Snapshots);
            w.WriteNumber("maxTotalBackups", 10);
            w.WriteNumber("maxTotalVolumeGigabytes", limits.MaxGigabytes);
            w.WriteNumber("maxTotalSnapshots", limits.MaxSnapshots);
            w.WriteNumber("maxTotalBackupGigabytes", 1000);
            w.WriteNumber("totalBackupGigabytesUsed", 0);
            w.WriteNumber("maxTotalVolumes", limits.MaxVolumes);
            w.WriteNumber("totalVolumesUsed", limits.Volumes);
            w.WriteNumber("totalBackupsUsed", 0);
            w.WriteNumber("totalGigabytesUsed", limits.Gigabytes);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
