using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autosnap.LocalCloud.Images;

/// <summary>
/// Glance v2 (Rackspace Cloud Images) under /image/{region}: version discovery, list with filters (any custom
/// property), sorting and paging, show, create, upload, PATCH (json-patch), delete, tags.
/// </summary>
public static class ImageEndpoints
{
    private const string Prefix = "/image/{region}";
    private const string PatchMediaType = "application/openstack-images-v2.1-json-patch";
    private const string OldPatchMediaType = "application/openstack-images-v2.0-json-patch";
    private const int MaxProperties = 128;
    private const int MaxTags = 128;

    private static readonly string[] Visibilities = ["public", "private", "shared", "community"];
    private static readonly string[] DiskFormats = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"];
    private static readonly string[] ContainerFormats = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"];

    public static void Map(IEndpointRouteBuilder app, CloudState state)
    {
        Route(app, "GET", "", "GET /", Versions(300), anonymous: true);
        Route(app, "GET", "/versions", "GET /versions", Versions(200), anonymous: true);
        Route(app, "GET", "/v2/images", "GET /v2/images", context => List(context, state));
        Route(app, "POST", "/v2/images", "POST /v2/images", context => Create(context, state));
        Route(app, "GET", "/v2/images/{id}", "GET /v2/images/{id}", context => Show(context, state));
        Route(app, "PATCH", "/v2/images/{id}", "PATCH /v2/images/{id}", context => Patch(context, state));
        Route(app, "DELETE", "/v2/images/{id}", "DELETE /v2/images/{id}", context => Delete(context, state));
        Route(app, "PUT", "/v2/images/{id}/file", "PUT /v2/images/{id}/file", context => Upload(context, state));
        Route(app, "PUT", "/v2/images/{id}/tags/{tag}", "PUT /v2/images/{id}/tags/{tag}", context => AddTag(context, state));
        Route(app, "DELETE", "/v2/images/{id}/tags/{tag}", "DELETE /v2/images/{id}/tags/{tag}", context => DeleteTag(context, state));
    }

    private static void Route(IEndpointRouteBuilder app, string method, string pattern, string key, RequestDelegate handler,
        bool anonymous = false) =>
        app.MapMethods(Prefix + pattern, [method], handler).WithApiGuards(new ApiRoute(Service.Image, key, anonymous));

    // ---- versions ------------------------------------------------------------------------------------

    private static RequestDelegate Versions(int status) => context =>
    {
        var root = ImageRoot(context);
        return JsonOut.Write(context, status, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("versions");
            for (var minor = 16; minor >= 0; minor--)
            {
                w.WriteStartObject();
                w.WriteString("id", $"v2.{minor}");
                w.WriteString("status", minor == 16 ? "CURRENT" : "SUPPORTED");
                w.WriteStartArray("links");
                w.WriteStartObject(); w.WriteString("rel", "self"); w.WriteString("href", root + "/v2/"); w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    };

    // ---- list ----------------------------------------------------------------------------------------

    private static Task List(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var request = context.Request;
        var tenant = call.Account.TenantId;
        var limitError = Paging.TryLimit(request, Paging.GlanceDefaultLimit, Paging.GlanceMaxLimit, out var limit);
        if (limitError is not null) return Errors.Glance(context, 400, limitError);

        var query = new ImageQuery { Limit = limit };
        string? visibility = null;
        var showHidden = false;
        var sortKeys = new List<string>();
        var sortDirs = new List<string>();
        string? sort = null;
        foreach (var (key, values) in request.Query)
        {
            var value = values.ToString();
            string? error = null;
            switch (key)
            {
                case "limit" or "marker" or "member_status":
                    break;
                case "changes-since":
                    return Errors.Glance(context, 400, "The 'changes-since' filter is no longer available on v2.");
                case "visibility":
                    if (value != "all" && !Visibilities.Contains(value)) return Errors.Glance(context, 400, $"Invalid visibility value: {value}");
                    visibility = value;
                    break;
                case "sort_key":
                    sortKeys.AddRange(values.Where(v => v is not null)!);
                    break;
                case "sort_dir":
                    sortDirs.AddRange(values.Where(v => v is not null)!);
                    break;
                case "sort":
                    sort = value;
                    break;
                case "owner":
                    query.Owner = value;
                    break;
                case "tag":
                    var tags = values.Where(v => v is not null).ToList();
                    query.Predicates.Add(i => tags.All(t => i.Tags.Contains(t!)));
                    break;
                case "os_hidden":
                    if (!bool.TryParse(value, out showHidden)) return Errors.Glance(context, 400, $"Invalid value for os_hidden: {value}");
                    break;
                case "protected":
                    if (!bool.TryParse(value, out var isProtected)) return Errors.Glance(context, 400, $"Invalid value for protected filter: {value}. Valid values are 'true' and 'false'.");
                    query.Predicates.Add(i => i.Protected == isProtected);
                    break;
                case "size_min" or "size_max":
                    if (!long.TryParse(value, out var size)) return Errors.Glance(context, 400, $"Invalid value for {key}: {value}");
                    query.Predicates.Add(key == "size_min" ? i => i.Size >= size : i => i.Size <= size);
                    break;
                case "created_at" or "updated_at":
                    error = AddTimeFilter(query, key, value);
                    break;
                case "status":
                    // Glance matches the value as given (lower case, exactly) and rejects nothing:
                    // ACTIVE (Nova's spelling) or bogus give an empty list
                    error = AddInFilter(query, value, i => i.Status, null, "status");
                    break;
                case "name":
                    error = AddInFilter(query, value, i => i.Name, null, "name");
                    break;
                case "id":
                    error = AddInFilter(query, value, i => i.Id, null, "id");
                    break;
                case "container_format":
                    error = AddInFilter(query, value, i => i.ContainerFormat, null, key);
                    break;
                case "disk_format":
                    error = AddInFilter(query, value, i => i.DiskFormat, null, key);
                    break;
                case "min_disk" or "min_ram":
                    if (!int.TryParse(value, out var min)) return Errors.Glance(context, 400, $"Invalid value for {key}: {value}");
                    query.Predicates.Add(key == "min_disk" ? i => i.MinDisk == min : i => i.MinRam == min);
                    break;
                default:
                    // any other parameter is a custom property, matched exactly (served from the index)
                    query.PropertyEquals[key] = value;
                    break;
            }
            if (error is not null) return Errors.Glance(context, 400, error);
        }
        query.Predicates.Insert(0, VisibilityFilter(visibility, tenant));
        if (!showHidden) query.Predicates.Add(i => !i.OsHidden);

        var (imageSort, sortError) = ParseSort(sort, sortKeys, sortDirs);
        if (sortError is not null) return Errors.Glance(context, 400, sortError);
        query.Sort = imageSort!;

        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var marker = request.Query["marker"].ToString();
            if (marker.Length > 0)
            {
                var markerImage = region.Images.Find(marker);
                if (markerImage is null || !markerImage.IsVisibleTo(tenant))
                    return Errors.Glance(context, 400, $"No image found with ID {marker}");
                query.Marker = markerImage;
            }
            var page = region.Images.Query(query);
            return JsonOut.Write(context, 200, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("images");
                foreach (var image in page) GlanceViews.Image(w, image);
                w.WriteEndArray();
                w.WriteString("first", "/v2/images" + Paging.QueryWithoutMarker(request));
                w.WriteString("schema", "/v2/schemas/images");
                if (limit > 0 && page.Count == limit) w.WriteString("next", "/v2/images" + Paging.QueryWithMarker(request, page[^1].Id));
                w.WriteEndObject();
            });
        }
    }

    /// <summary>Glance's visibility rules: by default your own images plus public (and shared) ones, not community.</summary>
    private static Func<Image, bool> VisibilityFilter(string? visibility, string tenant) => visibility switch
    {
        "public" => i => i.Visibility == "public",
        "private" => i => i.Visibility == "private" && i.Owner == tenant,
        "shared" => i => i.Visibility == "shared" && i.Owner == tenant,
        "community" => i => i.Visibility == "community",
        "all" => i => i.IsVisibleTo(tenant),
        _ => i => i.Owner == tenant || i.Visibility == "public",
    };

    /// <summary>"value" or "in:a,b,c" (Glance's in: operator).</summary>
    private static string? AddInFilter(ImageQuery query, string value, Func<Image, string?> field, string[]? allowed, string name)
    {
        var options = value.StartsWith("in:", StringComparison.Ordinal)
            ? value[3..].Split(',').Select(v => v.Trim().Trim('"')).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal) { value };
        if (allowed is not null && options.Any(o => !allowed.Contains(o))) return $"Invalid {name} value: {value}";
        query.Predicates.Add(i => field(i) is { } f && options.Contains(f));
        return null;
    }

    /// <summary>created_at/updated_at with gt:, gte:, eq:, neq:, lt:, lte: and an ISO 8601 time.</summary>
    private static string? AddTimeFilter(ImageQuery query, string key, string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var op = colon > 0 ? value[..colon] : "";
        if (op is not ("gt" or "gte" or "eq" or "neq" or "lt" or "lte")) return $"Invalid operator {op} for {key}";
        if (!VirtualClock.TryParse(value[(colon + 1)..], out var time)) return $"Unable to parse datetime '{value[(colon + 1)..]}'";
        Func<Image, DateTimeOffset> field = key == "created_at" ? i => i.CreatedAt : i => i.UpdatedAt;
        query.Predicates.Add(op switch
        {
            "gt" => i => field(i) > time,
            "gte" => i => field(i) >= time,
            "eq" => i => field(i) == time,
            "neq" => i => field(i) != time,
            "lt" => i => field(i) < time,
            _ => i => field(i) <= time,
        });
        return null;
    }

    private static (ImageSort?, string?) ParseSort(string? sort, List<string> sortKeys, List<string> sortDirs)
    {
        var keys = new List<(string Key, bool Descending)>();
        if (sort is not null)
        {
            if (sortKeys.Count > 0 || sortDirs.Count > 0)
                return (null, "Old and new sorting syntax cannot be combined");
            foreach (var part in sort.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var pieces = part.Split(':');
                var dir = pieces.Length > 1 ? pieces[1] : "desc";
                if (!ImageSort.SortableKeys.Contains(pieces[0])) return (null, $"Invalid sort key: {pieces[0]}.");
                if (dir is not ("asc" or "desc")) return (null, $"Invalid sort direction: {dir}");
                keys.Add((pieces[0], dir == "desc"));
            }
        }
        else
        {
            if (sortDirs.Count > 1 && sortDirs.Count != sortKeys.Count)
                return (null, "Number of sort dirs does not match the number of sort keys");
            for (var i = 0; i < sortKeys.Count; i++)
            {
                var dir = sortDirs.Count == 0 ? "desc" : sortDirs.Count == 1 ? sortDirs[0] : sortDirs[i];
                if (!ImageSort.SortableKeys.Contains(sortKeys[i])) return (null, $"Invalid sort key: {sortKeys[i]}.");
                if (dir is not ("asc" or "desc")) return (null, $"Invalid sort direction: {dir}");
                keys.Add((sortKeys[i], dir == "desc"));
            }
            if (sortKeys.Count == 0 && sortDirs.Count == 1)
            {
                if (sortDirs[0] is not ("asc" or "desc")) return (null, $"Invalid sort direction: {sortDirs[0]}");
                keys.Add(("created_at", sortDirs[0] == "desc"));
            }
        }
        return keys.Count == 0 ? (ImageSort.Default, null) : (ImageSort.Complete(keys), null);
    }

    // ---- one image -----------------------------------------------------------------------------------

    private static Image? Find(HttpContext context, ApiCall call, out Task notFound)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        var image = call.Region!.Images.Find(id);
        notFound = Task.CompletedTask;
        if (image is not null && image.IsVisibleTo(call.Account.TenantId)) return image;
        notFound = Errors.Glance(context, 404, $"No image found with ID {id}");
        return null;
    }

    private static Task WriteImage(HttpContext context, int status, Image image) =>
        JsonOut.Write(context, status, w => GlanceViews.Image(w, image));

    private static Task Show(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            return image is null ? notFound : WriteImage(context, 200, image);
        }
    }

    private static Task Delete(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var id = (string)context.Request.RouteValues["id"]!;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var image = call.Region.Images.Find(id);
            if (image is null || !image.IsVisibleTo(call.Account.TenantId))
                return Errors.Glance(context, 404, $"Failed to find image {id} to delete");
            if (image.Protected) return Errors.Glance(context, 403, $"Image {id} is protected and cannot be deleted.");
            if (image.Owner != call.Account.TenantId) return Errors.Glance(context, 403, "You are not permitted to delete this image.");
            call.Region.Images.Remove(id, state.Now);
            return JsonOut.Empty(context, 204);
        }
    }

    private static async Task Create(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var body = await RequestBody.ReadObject(context, Service.Image);
        if (body is null) return;
        var region = call.Region!;
        Task result;
        lock (region.Lock)
        {
            var now = state.Now;
            region.Settle(now);
            var id = body.String("id") ?? state.Random.NewUuid();
            if (!StableIds.IsUuid(id)) result = Errors.Glance(context, 400, $"Invalid id: {id}");
            else if (region.Images.Find(id) is not null) result = Errors.Glance(context, 409, $"Image with identifier {id} already exists!");
            else
            {
                var image = CloudState.NewImage(region, id, body.String("name") ?? "", call.Account.TenantId, now);
                image.Status = "queued";
                image.Visibility = "shared";
                var changes = body.Where(p => p.Key != "id")
                    .Select(p => new JsonObject { ["op"] = "add", ["path"] = "/" + p.Key, ["value"] = p.Value?.DeepClone() });
                var error = ApplyPatch(region, image, new JsonArray(changes.ToArray<JsonNode?>()), adding: true);
                if (error is not null) result = Errors.Glance(context, error.Value.Code, error.Value.Message);
                else
                {
                    region.Images.Add(image);
                    context.Response.Headers.Location = $"{ImageRoot(context)}/v2/images/{image.Id}";
                    result = WriteImage(context, 201, image);
                }
            }
        }
        await result;
    }

    private static string ImageRoot(HttpContext context) =>
        $"{context.Request.Scheme}://{context.Request.Host}/image/{((string)context.Request.RouteValues["region"]!).ToLowerInvariant()}";

    private static async Task Patch(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var type = context.Request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(type, PatchMediaType, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(type, OldPatchMediaType, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers["Accept-Patch"] = $"{PatchMediaType}, {OldPatchMediaType}";
            await Errors.Glance(context, 415, $"Unsupported Content-Type: {type}");
            return;
        }
        var changes = await RequestBody.ReadPatch(context);
        if (changes is null) return;
        Task result;
        lock (call.Region!.Lock)
        {
            var region = call.Region;
            region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            if (image is null) result = notFound;
            else if (image.Owner != call.Account.TenantId) result = Errors.Glance(context, 403, "You are not permitted to modify this image.");
            else
            {
                var error = ApplyPatch(region, image, changes, adding: false);
                if (error is not null) result = Errors.Glance(context, error.Value.Code, error.Value.Message);
                else
                {
                    image.UpdatedAt = state.Now;
                    region.Images.Changed();
                    result = WriteImage(context, 200, image);
                }
            }
        }
        await result;
    }

    /// <summary>
    /// Applies json-patch operations (add, replace, remove) after checking all of them, so a bad one
    /// changes nothing. <paramref name="adding"/> is image creation, where read-only attributes are refused too.
    /// </summary>
    private static (int Code, string Message)? ApplyPatch(RegionState region, Image image, JsonArray changes, bool adding)
    {
        var operations = new List<(string Op, string Name, JsonNode? Value)>();
        var keys = image.CustomProperties.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (change is not JsonObject c || c.String("op") is not { } op || op is not ("add" or "replace" or "remove"))
                return (400, "Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.");
            if (c.String("path") is not { } path || !path.StartsWith('/') || path.Length < 2 || path.IndexOf('/', 1) > 0)
                return (400, $"Invalid JSON pointer for this resource: '{c.String("path")}'");
            var name = path[1..].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (op != "remove" && !c.ContainsKey("value")) return (400, "Operation objects must contain exactly one member named \"value\".");
            var value = c["value"];
            if (Image.ReadOnlyAttributes.Contains(name)) return (403, $"Attribute '{name}' is read-only.");
            if (name.StartsWith("com.rackspace", StringComparison.Ordinal) && !adding) return (403, $"Attribute '{name}' is reserved.");
            if (Image.CoreAttributes.Contains(name))
            {
                if (op == "remove" && name is not "tags") return (403, $"Attribute '{name}' cannot be removed.");
                var error = CheckCore(name, value);
                if (error is not null) return (400, error);
            }
            else
            {
                if (op == "replace" && !keys.Contains(name)) return (409, $"Property {name} does not exist.");
                if (op == "remove" && !keys.Remove(name)) return (409, $"Property {name} does not exist.");
                if (op != "remove")
                {
                    if (value is not JsonValue v || !v.TryGetValue(out string? text)) return (400, $"Invalid value for property '{name}': must be a string.");
                    if (text.Length > 255 || name.Length > 255) return (400, $"Property '{name}' or its value exceeds 255 characters.");
                    keys.Add(name);
                }
            }
            operations.Add((op, name, value));
        }
        if (keys.Count > MaxProperties)
            return (413, $"Attempted to add {keys.Count - image.CustomProperties.Count} properties, which exceeds the quota of {MaxProperties}.");

        foreach (var (op, name, value) in operations)
        {
            if (!Image.CoreAttributes.Contains(name))
            {
                if (op == "remove") region.Images.RemoveProperty(image, name);
                else region.Images.SetProperty(image, name, value!.GetValue<string>());
                continue;
            }
            switch (name)
            {
                case "name": image.Name = value?.GetValue<string>() ?? ""; break;
                case "visibility": image.Visibility = value!.GetValue<string>(); break;
                case "protected": image.Protected = value!.GetValue<bool>(); break;
                case "os_hidden": image.OsHidden = value!.GetValue<bool>(); break;
                case "min_disk": image.MinDisk = value!.GetValue<int>(); break;
                case "min_ram": image.MinRam = value!.GetValue<int>(); break;
                case "disk_format": image.DiskFormat = value?.GetValue<string>(); break;
                case "container_format": image.ContainerFormat = value?.GetValue<string>(); break;
                case "tags":
                    image.Tags.Clear();
                    if (op != "remove") image.Tags.AddRange(((JsonArray)value!).Select(t => t!.GetValue<string>()).Distinct());
                    break;
            }
        }
        return null;
    }

    private static string? CheckCore(string name, JsonNode? value)
    {
        bool IsString(out string? s)
        {
            s = null;
            return value is JsonValue v && v.TryGetValue(out s);
        }
        switch (name)
        {
            case "name":
                return value is null || (IsString(out var n) && n!.Length <= 255) ? null : "Invalid value for name: must be a string of at most 255 characters.";
            case "visibility":
                return IsString(out var vis) && Visibilities.Contains(vis) ? null : $"Invalid visibility value: {value?.ToJsonString()}";
            case "protected" or "os_hidden":
                return value is JsonValue b && b.TryGetValue(out bool _) ? null : $"Invalid value for {name}: must be a boolean.";
            case "min_disk" or "min_ram":
                return value is JsonValue i && i.TryGetValue(out int x) && x >= 0 ? null : $"Invalid value for {name}: must be a non-negative integer.";
            case "disk_format":
                return value is null || (IsString(out var df) && DiskFormats.Contains(df)) ? null : $"Invalid disk format '{value.ToJsonString()}' for image.";
            case "container_format":
                return value is null || (IsString(out var cf) && ContainerFormats.Contains(cf)) ? null : $"Invalid container format '{value.ToJsonString()}' for image.";
            case "tags":
                if (value is not JsonArray tags || tags.Any(t => t is not JsonValue tv || !tv.TryGetValue(out string? ts) || ts.Length > 255))
                    return "Invalid value for tags: must be an array of strings.";
                return tags.Count > MaxTags ? $"Maximum number of tags is {MaxTags}." : null;
            default:
                return $"Attribute '{name}' cannot be changed.";
        }
    }

    /// <summary>PUT /v2/images/{id}/file: what a hypervisor does at the end of a snapshot.</summary>
    private static async Task Upload(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var type = context.Request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(type, "application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            await Errors.Glance(context, 415, $"Unsupported Content-Type: {type}");
            return;
        }
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var sha512 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        long size = 0;
        var buffer = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            md5.AppendData(buffer, 0, read);
            sha512.AppendData(buffer, 0, read);
            size += read;
        }
        Task result;
        lock (call.Region!.Lock)
        {
            var region = call.Region;
            region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            if (image is null) result = notFound;
            else if (image.Owner != call.Account.TenantId) result = Errors.Glance(context, 403, "You are not permitted to upload data for this image.");
            else if (image.DiskFormat is null || image.ContainerFormat is null)
                result = Errors.Glance(context, 400, "Properties disk_format, container_format must be set prior to saving data.");
            else if (image.Status != "queued" || image.Job is not null)
                result = Errors.Glance(context, 409, $"Image status transition from {image.Status} to saving is not allowed");
            else
            {
                image.Status = "active";
                image.Size = size;
                image.Checksum = Convert.ToHexString(md5.GetHashAndReset()).ToLowerInvariant();
                image.OsHashValue = Convert.ToHexString(sha512.GetHashAndReset()).ToLowerInvariant();
                image.UpdatedAt = state.Now;
                region.Images.Changed();
                result = JsonOut.Empty(context, 204);
            }
        }
        await result;
    }

    // ---- tags ----------------------------------------------------------------------------------------

    private static Task AddTag(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var tag = (string)context.Request.RouteValues["tag"]!;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            if (image is null) return notFound;
            if (image.Owner != call.Account.TenantId) return Errors.Glance(context, 403, "You are not permitted to modify this image.");
            if (tag.Length > 255) return Errors.Glance(context, 400, "Tag exceeds 255 characters.");
            if (!image.Tags.Contains(tag))
            {
                if (image.Tags.Count >= MaxTags) return Errors.Glance(context, 413, $"Maximum number of tags is {MaxTags}.");
                image.Tags.Add(tag);
                image.UpdatedAt = state.Now;
                call.Region.Images.Changed();
            }
            return JsonOut.Empty(context, 204);
        }
    }

    private static Task DeleteTag(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        var tag = (string)context.Request.RouteValues["tag"]!;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            if (image is null) return notFound;
            if (image.Owner != call.Account.TenantId) return Errors.Glance(context, 403, "You are not permitted to modify this image.");
            if (!image.Tags.Remove(tag)) return Errors.Glance(context, 404, $"Tag {tag} not found.");
            image.UpdatedAt = state.Now;
            call.Region.Images.Changed();
            return JsonOut.Empty(context, 204);
        }
    }
}
