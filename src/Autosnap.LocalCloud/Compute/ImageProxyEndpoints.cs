using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autosnap.LocalCloud.Compute;

/// <summary>
/// Nova's image proxy (/images, /images/detail, /images/{id}, image metadata): Glance images in Nova's
/// shape. Removed from 2.36 on (404), as in Nova; the legacy v2 endpoint always has it.
/// </summary>
public static class ImageProxyEndpoints
{
    public static void Map(IEndpointRouteBuilder app, CloudState state)
    {
        ComputeEndpoints.Route(app, "GET", "/images", context => List(context, state, detail: false));
        ComputeEndpoints.Route(app, "GET", "/images/detail", context => List(context, state, detail: true));
        ComputeEndpoints.Route(app, "GET", "/images/{id}", context => Show(context, state));
        ComputeEndpoints.Route(app, "DELETE", "/images/{id}", context => Delete(context, state));
        ComputeEndpoints.Route(app, "GET", "/images/{id}/metadata", context => ShowMetadata(context, state));
        ComputeEndpoints.Route(app, "POST", "/images/{id}/metadata", context => ChangeMetadata(context, state, replace: false));
        ComputeEndpoints.Route(app, "PUT", "/images/{id}/metadata", context => ChangeMetadata(context, state, replace: true));
        ComputeEndpoints.Route(app, "GET", "/images/{id}/metadata/{key}", context => ShowMetadataItem(context, state));
        ComputeEndpoints.Route(app, "PUT", "/images/{id}/metadata/{key}", context => SetMetadataItem(context, state));
        ComputeEndpoints.Route(app, "DELETE", "/images/{id}/metadata/{key}", context => DeleteMetadataItem(context, state));
    }

    /// <summary>The proxy is gone from 2.36 (image metadata from 2.39): Nova answers 404.</summary>
    private static bool Removed(HttpContext context, ApiCall call, int fromMinor, out Task answer)
    {
        answer = Task.CompletedTask;
        if (!call.AtLeast(fromMinor)) return false;
        answer = Errors.Nova(context, 404, "The resource could not be found.");
        return true;
    }

    private static Image? Find(HttpContext context, ApiCall call, out Task notFound)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        var image = call.Region!.Images.Find(id);
        notFound = Task.CompletedTask;
        if (image is not null && image.IsVisibleTo(call.Account.TenantId)) return image;
        notFound = Errors.Nova(context, 404, "Image not found.");
        return null;
    }

    private static Task List(HttpContext context, CloudState state, bool detail)
    {
        var call = ApiCall.Of(context);
        if (Removed(context, call, 36, out var removed)) return removed;
        if (ImageOutage.NovaCannotReachGlance(context, state, call, out var glanceDown)) return glanceDown;
        var request = context.Request;
        var limitError = Paging.TryLimit(request, Paging.NovaMaxLimit, Paging.NovaMaxLimit, out var limit);
        if (limitError is not null) return Errors.Nova(context, 400, limitError);
        var tenant = call.Account.TenantId;
        var query = new ImageQuery { Limit = limit };
        query.Predicates.Add(i => i.IsVisibleTo(tenant) && !i.OsHidden);
        DateTimeOffset? changesSince = null;
        foreach (var (key, values) in request.Query)
        {
            var value = values.ToString();
            switch (key)
            {
                case "limit" or "marker":
                    break;
                case "server":
                    // a server id or its URL (Nova takes the last path segment)
                    query.PropertyEquals["instance_uuid"] = value.TrimEnd('/').Split('/')[^1];
                    break;
                case "type":
                    // Nova passes it on as property-image_type; Rackspace's docs and fog send SNAPSHOT/BASE
                    query.Predicates.Add(i => string.Equals(i.Property("image_type"), value, StringComparison.OrdinalIgnoreCase));
                    break;
                case "name":
                    query.Predicates.Add(i => i.Name == value);
                    break;
                case "status":
                    // Nova lower-cases it for Glance: SAVING matches saving, not queued
                    var status = value.ToLowerInvariant();
                    query.Predicates.Add(i => i.Status == status);
                    break;
                case "minRam":
                    if (!int.TryParse(value, out var minRam)) return Errors.Nova(context, 400, $"Invalid minRam filter [{value}]");
                    query.Predicates.Add(i => i.MinRam >= minRam);
                    break;
                case "minDisk":
                    if (!int.TryParse(value, out var minDisk)) return Errors.Nova(context, 400, $"Invalid minDisk filter [{value}]");
                    query.Predicates.Add(i => i.MinDisk >= minDisk);
                    break;
                case "changes-since":
                    if (!VirtualClock.TryParse(value, out var since)) return Errors.Nova(context, 400, $"Invalid changes-since value [{value}]");
                    changesSince = since;
                    query.Predicates.Add(i => i.UpdatedAt >= since);
                    break;
                default:
                    if (key.StartsWith("property-", StringComparison.Ordinal)) query.PropertyEquals[key["property-".Length..]] = value;
                    break;
            }
        }

        var region = call.Region!;
        var imageRoot = ComputeViews.ImageRoot(context, region);
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var marker = request.Query["marker"].ToString();
            Image? markerImage = null;
            if (marker.Length > 0)
            {
                markerImage = region.Images.Find(marker) ?? region.Images.Deleted.FirstOrDefault(i => i.Id == marker);
                if (markerImage is null || !markerImage.IsVisibleTo(tenant)) return Errors.Nova(context, 400, $"marker [{marker}] not found");
            }
            query.Marker = markerImage;
            List<Image> page;
            if (changesSince is null)
            {
                page = region.Images.Query(query);
            }
            else
            {
                // Rackspace also shows images deleted since then, as DELETED
                var sort = query.Sort;
                var all = region.Images.Query(new ImageQuery { Limit = int.MaxValue, Sort = sort, Owner = null })
                    .Concat(region.Images.Deleted)
                    .Where(i => query.PropertyEquals.All(p => i.Property(p.Key) == p.Value) && query.Predicates.All(p => p(i)))
                    .OrderBy(i => i, sort.Comparer)
                    .ToList();
                page = all.Where(i => markerImage is null || sort.Compare(i, markerImage) > 0).Take(limit).ToList();
            }
            return JsonOut.Write(context, 200, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("images");
                foreach (var image in page)
                {
                    if (detail) ComputeViews.Image(w, call, image, imageRoot);
                    else ComputeViews.ImageSummary(w, call, image, imageRoot);
                }
                w.WriteEndArray();
                if (limit > 0 && page.Count == limit)
                {
                    w.WriteStartArray("images_links");
                    w.WriteStartObject();
                    w.WriteString("rel", "next");
                    w.WriteString("href", $"{call.ComputeRoot}/images{(detail ? "/detail" : "")}{Paging.QueryWithMarker(request, page[^1].Id)}");
                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            });
        }
    }

    private static Task Show(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (Removed(context, call, 36, out var removed)) return removed;
        if (ImageOutage.NovaCannotReachGlance(context, state, call, out var glanceDown)) return glanceDown;
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            if (image is null) return notFound;
            var imageRoot = ComputeViews.ImageRoot(context, region);
            return JsonOut.Write(context, 200, w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("image");
                ComputeViews.Image(w, call, image, imageRoot);
                w.WriteEndObject();
            });
        }
    }

    private static Task Delete(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (Removed(context, call, 36, out var removed)) return removed;
        if (ImageOutage.NovaCannotReachGlance(context, state, call, out var glanceDown)) return glanceDown;
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            if (image is null) return notFound;
            if (image.Protected || image.Owner != call.Account.TenantId)
                return Errors.Nova(context, 403, "You are not allowed to delete the image.");
            region.Images.Remove(image.Id, state.Now);
            return JsonOut.Empty(context, 204);
        }
    }

    // ---- image metadata (custom properties) ----------------------------------------------------------

    private static Task WriteMetadata(HttpContext context, Image image) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        ComputeViews.WriteImageMetadata(w, image);
        w.WriteEndObject();
    });

    private static Task ShowMetadata(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (Removed(context, call, 39, out var removed)) return removed;
        if (ImageOutage.NovaCannotReachGlance(context, state, call, out var glanceDown)) return glanceDown;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            return image is null ? notFound : WriteMetadata(context, image);
        }
    }

    private static async Task ChangeMetadata(HttpContext context, CloudState state, bool replace)
    {
        var call = ApiCall.Of(context);
        if (Removed(context, call, 39, out var removed))
        {
            await removed;
            return;
        }
        var body = await RequestBody.ReadObject(context, Service.Compute);
        if (body is null) return;
        var (metadata, error) = body.ContainsKey("metadata")
            ? Metadata.Parse(body["metadata"], "metadata")
            : (null, "Malformed request body");
        if (error is not null)
        {
            await Errors.Nova(context, 400, error);
            return;
        }
        if (ImageOutage.NovaCannotReachGlance(context, state, call, out var glanceDown))
        {
            await glanceDown;
            return;
        }
        Task result;
        lock (call.Region!.Lock)
        {
            var region = call.Region;
            region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            if (image is null) result = notFound;
            else if (image.Owner != call.Account.TenantId) result = Errors.Nova(context, 403, "You are not allowed to modify the image.");
            else
            {
                var keys = replace ? metadata!.Keys.ToHashSet() : image.CustomProperties.Keys.Union(metadata!.Keys).ToHashSet();
                if (keys.Count > Metadata.MaxItems)
                {
                    result = Errors.Nova(context, call.LegacyCompute ? 413 : 403, "Image metadata limit exceeded");
                }
                else
                {
                    if (replace)
                        foreach (var key in image.CustomProperties.Keys.ToList()) region.Images.RemoveProperty(image, key);
                    foreach (var (key, value) in metadata) region.Images.SetProperty(image, key, value);
                    image.UpdatedAt = state.Now;
                    region.Images.Changed();
                    result = WriteMetadata(context, image);
                }
            }
        }
        await result;
    }

    private static Task ShowMetadataItem(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (Removed(context, call, 39, out var removed)) return removed;
        if (ImageOutage.NovaCannotReachGlance(context, state, call, out var glanceDown)) return glanceDown;
        var key = (string)context.Request.RouteValues["key"]!;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            if (image is null) return notFound;
            var value = image.Property(key);
            return value is null ? Errors.Nova(context, 404, "Invalid metadata key") : ComputeEndpoints.WriteMeta(context, key, value);
        }
    }

    private static async Task SetMetadataItem(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (Removed(context, call, 39, out var removed))
        {
            await removed;
            return;
        }
        var key = (string)context.Request.RouteValues["key"]!;
        var body = await RequestBody.ReadObject(context, Service.Compute);
        if (body is null) return;
        var (value, error) = ComputeEndpoints.ParseMeta(body, key);
        if (error is not null)
        {
            await Errors.Nova(context, 400, error);
            return;
        }
        if (ImageOutage.NovaCannotReachGlance(context, state, call, out var glanceDown))
        {
            await glanceDown;
            return;
        }
        Task result;
        lock (call.Region!.Lock)
        {
            var region = call.Region;
            region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            if (image is null) result = notFound;
            else if (image.Owner != call.Account.TenantId) result = Errors.Nova(context, 403, "You are not allowed to modify the image.");
            else if (image.Property(key) is null && image.CustomProperties.Count >= Metadata.MaxItems)
                result = Errors.Nova(context, call.LegacyCompute ? 413 : 403, "Image metadata limit exceeded");
            else
            {
                region.Images.SetProperty(image, key, value!);
                image.UpdatedAt = state.Now;
                region.Images.Changed();
                result = ComputeEndpoints.WriteMeta(context, key, value!);
            }
        }
        await result;
    }

    private static Task DeleteMetadataItem(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (Removed(context, call, 39, out var removed)) return removed;
        if (ImageOutage.NovaCannotReachGlance(context, state, call, out var glanceDown)) return glanceDown;
        var key = (string)context.Request.RouteValues["key"]!;
        lock (call.Region!.Lock)
        {
            var region = call.Region;
            region.Settle(state.Now);
            var image = Find(context, call, out var notFound);
            if (image is null) return notFound;
            if (image.Owner != call.Account.TenantId) return Errors.Nova(context, 403, "You are not allowed to modify the image.");
            if (!region.Images.RemoveProperty(image, key)) return Errors.Nova(context, 404, "Invalid metadata key");
            image.UpdatedAt = state.Now;
            region.Images.Changed();
            return JsonOut.Empty(context, 204);
        }
    }
}
