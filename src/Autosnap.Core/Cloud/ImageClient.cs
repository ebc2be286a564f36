using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Model;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Autosnap.Cloud
{
    /// <summary>
    /// A Glance v2 image listing: equality filters on any property (instance_uuid, autosnap_schedule...) and status.
    /// Filters run on the server, so a listing never downloads the whole account's images.
    /// </summary>
    public sealed class ImageQuery
    {
        public Dictionary<string, string> Properties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>A Glance status (active, queued, saving, killed...), or null for all.</summary>
        public string? Status { get; set; }

        /// <summary>Images per page; Glance and Rackspace cap pages at 1000.</summary>
        public int PageSize { get; set; } = 1000;

        internal string ToQueryString()
        {
            var parts = Properties.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value))
                .ToList();
            if (Status != null) parts.Add("status=" + Uri.EscapeDataString(Status));
            parts.Add("sort_key=created_at");
            parts.Add("sort_dir=desc");
            parts.Add("limit=" + PageSize);
            return "?" + string.Join("&", parts);
        }

        public override string ToString() =>
            string.Join(", ", Properties.Select(p => $"{p.Key}={p.Value}").Concat(Status != null ? new[] { "status=" + Status } : Array.Empty<string>()));
    }

    /// <summary>Cloud Images / Glance v2 in one region: list, get, delete, change properties.</summary>
    public sealed class ImageClient
    {
        // Glance's own fields; every other simple top-level member of an image is a property (metadata).
        private static readonly HashSet<string> CoreFields = new HashSet<string>(StringComparer.Ordinal)
        {
            "id", "name", "status", "visibility", "protected", "owner", "size", "virtual_size", "checksum", "container_format",
            "disk_format", "min_disk", "min_ram", "tags", "created_at", "updated_at", "self", "file", "schema", "os_hidden",
            "os_hash_algo", "os_hash_value", "locations", "direct_url", "stores",
        };

        private readonly CloudSession _session;
        private readonly ICloudLog _log;
        private readonly string _base;

        public ImageClient(CloudSession session, string region, ICloudLog log)
        {
            _session = session;
            _log = log;
            Region = region;
            Endpoint = session.Identity.Catalog.ImageUrl(region);
            _base = Endpoint.AbsoluteUri.TrimEnd('/');
        }

        public string Region { get; }
        public Uri Endpoint { get; }

        /// <summary>
        /// Every image matching <paramref name="query"/>, page by page, newest first; <paramref name="onPage"/> gets each
        /// page as it arrives so callers can stream. Throws when any page cannot be fetched or understood: a partial
        /// listing must never look like a complete one (rotation deletes nothing then).
        /// </summary>
        public async Task ForEachPageAsync(ImageQuery query, Func<IReadOnlyList<AutoSnapshot>, Task> onPage, CancellationToken cancellationToken)
        {
            Uri? next = new Uri(_base + "/images" + query.ToQueryString());
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var seenIds = new HashSet<string>(StringComparer.Ordinal);
            while (next != null)
            {
                if (!seen.Add(next.PathAndQuery))
                {
                    throw new CloudException(CloudErrorKind.InvalidResponse,
                        $"image: list images ({query}) in {Region}: the 'next' link points back to a page already read; stopped.");
                }
                var request = NewRequest(HttpMethod.Get, next, $"list images ({query}) in {Region}");
                var page = await _session.SendAsync(request, response =>
                {
                    JObject body = JsonFields.Parse(response.Body);
                    var images = JsonFields.Array(body, "images")
                        .Select(i => ReadImage(i as JObject ?? throw new FormatException("an image is not an object")))
                        .ToList();
                    return (images, next: JsonFields.OptionalString(body, "next"));
                }, _log, cancellationToken).ConfigureAwait(false);
                if (page.images.Any(i => !seenIds.Add(i.Id)))
                {
                    // A server that ignores the marker serves the same images again: the listing would never end.
                    throw new CloudException(CloudErrorKind.InvalidResponse,
                        $"image: list images ({query}) in {Region}: a page repeats images of an earlier page; stopped.");
                }
                await onPage(page.images).ConfigureAwait(false);
                next = page.next != null && page.images.Count > 0 ? NextPage(page.next) : null;
            }
        }

        /// <summary>Every image matching <paramref name="query"/>, all pages, newest first.</summary>
        public async Task<IReadOnlyList<AutoSnapshot>> ListAsync(ImageQuery query, CancellationToken cancellationToken)
        {
            var all = new List<AutoSnapshot>();
            await ForEachPageAsync(query, page =>
            {
                all.AddRange(page);
                return Task.CompletedTask;
            }, cancellationToken).ConfigureAwait(false);
            return all;
        }

        /// <summary>The image, or null when it does not exist (404).</summary>
        public Task<AutoSnapshot?> FindAsync(string imageId, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, ImageUrl(imageId), $"get image {imageId} in {Region}");
            request.AcceptedStatus.Add(HttpStatusCode.NotFound);
            return _session.SendAsync(request,
                response => response.Status == HttpStatusCode.NotFound ? null : ReadImage(JsonFields.Parse(response.Body)),
                _log, cancellationToken);
        }

        /// <summary>
        /// Deletes an image. True when this call deleted it, false when it was already gone (404: a retry after a lost
        /// answer, or someone else). A protected image is a CloudException of kind Forbidden.
        /// </summary>
        public Task<bool> DeleteAsync(string imageId, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Delete, ImageUrl(imageId), $"delete image {imageId} in {Region}");
            request.AcceptedStatus.Add(HttpStatusCode.NotFound);
            return _session.SendAsync(request, response =>
            {
                // Glance answers 204 with no body. A success with a body that is not JSON did not come from Glance (a
                // proxy's page, a broken answer) and proves nothing was deleted: Parse refuses it, so it is asked again.
                if (response.IsSuccess && response.Body.Trim().Length > 0) JsonFields.Parse(response.Body);
                return response.Status != HttpStatusCode.NotFound;
            }, _log, cancellationToken);
        }

        /// <summary>
        /// Sets (value) or removes (null) properties with a JSON patch. Keys the image already has are replaced, new
        /// ones added: older Glance refuses "add" on an existing key.
        /// </summary>
        public Task<AutoSnapshot> UpdatePropertiesAsync(AutoSnapshot image, IReadOnlyDictionary<string, string?> changes, CancellationToken cancellationToken)
        {
            var patch = new JArray();
            foreach (var change in changes.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                string path = "/" + change.Key.Replace("~", "~0").Replace("/", "~1");
                bool exists = image.Properties.ContainsKey(change.Key);
                if (change.Value == null)
                {
                    if (exists) patch.Add(new JObject(new JProperty("op", "remove"), new JProperty("path", path)));
                }
                else
                {
                    patch.Add(new JObject(new JProperty("op", exists ? "replace" : "add"), new JProperty("path", path), new JProperty("value", change.Value)));
                }
            }
            CloudRequest request = NewRequest(new HttpMethod("PATCH"), ImageUrl(image.Id),
                $"change properties ({string.Join(", ", changes.Keys)}) of image {image.Id} in {Region}");
            request.JsonBody = patch.ToString(Formatting.None);
            request.ContentType = "application/openstack-images-v2.1-json-patch";
            // A metadata change does not touch the restore point's volume snapshots: the changed image keeps them.
            return _session.SendAsync(request, response =>
            {
                AutoSnapshot changed = ReadImage(JsonFields.Parse(response.Body));
                return image.VolumeSnapshots == null ? changed : changed.WithVolumeSnapshots(image.VolumeSnapshots);
            }, _log, cancellationToken);
        }

        private AutoSnapshot ReadImage(JObject image)
        {
            string id = JsonFields.String(image, "id");
            try
            {
                var properties = JsonFields.SimpleMembers(image, CoreFields);
                // Glance v2 stores Nova's block_device_mapping as a JSON string; a cloud that returns the list itself
                // gets it kept in the same form, so there is one parser.
                if (image[AutosnapMetadata.BlockDeviceMapping] is JArray mapping)
                {
                    properties[AutosnapMetadata.BlockDeviceMapping] = mapping.ToString(Formatting.None);
                }
                return new AutoSnapshot(
                    id,
                    JsonFields.OptionalString(image, "name") ?? string.Empty,
                    JsonFields.String(image, "status"),
                    JsonFields.Date(image, "created_at"),
                    Region,
                    properties,
                    JsonFields.OptionalLong(image, "size"),
                    progress: null,
                    isProtected: string.Equals(JsonFields.OptionalString(image, "protected"), "true", StringComparison.OrdinalIgnoreCase))
                {
                    MinDiskGB = (int)Math.Max(0, Math.Min(int.MaxValue, JsonFields.OptionalLong(image, "min_disk") ?? 0)),
                    MinRamMB = (int)Math.Max(0, Math.Min(int.MaxValue, JsonFields.OptionalLong(image, "min_ram") ?? 0)),
                };
            }
            catch (FormatException e)
            {
                throw new FormatException($"image {id}: {e.Message}", e);
            }
        }

        /// <summary>A request to this region's image service (paced in the region's lane).</summary>
        private CloudRequest NewRequest(HttpMethod method, Uri uri, string operation) =>
            new CloudRequest(method, uri, "image", operation) { Region = Region };

        private Uri ImageUrl(string imageId) => new Uri(_base + "/images/" + Uri.EscapeDataString(imageId));

        /// <summary>
        /// Glance's next link is a path from its own root ("/v2/images?marker=..."), which may sit behind a prefix:
        /// keep what follows the last "/images" and put it after our endpoint.
        /// </summary>
        private Uri NextPage(string href)
        {
            var link = new Uri(new Uri(_base + "/"), href);
            int index = link.AbsolutePath.LastIndexOf("/images", StringComparison.Ordinal);
            return index >= 0
                ? new Uri(_base + link.AbsolutePath.Substring(index) + link.Query)
                : throw new CloudException(CloudErrorKind.InvalidResponse, $"image: a 'next' link that cannot be followed: {CloudHttp.Shorten(href)}");
        }
    }
}
