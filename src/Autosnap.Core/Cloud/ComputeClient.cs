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
    /// <summary>The status and progress of an image while it is being made, as the compute API's image view reports it.</summary>
    public sealed class ImageProgress
    {
        public ImageProgress(string status, int? progress)
        {
            Status = status;
            Progress = progress;
        }

        /// <summary>SAVING, ACTIVE, ERROR, DELETED, UNKNOWN (Nova's image proxy view).</summary>
        public string Status { get; }

        /// <summary>0..100 where the cloud reports it (Rackspace reports real progress; Nova 25/50/100).</summary>
        public int? Progress { get; }
    }

    /// <summary>A rate limit as GET /limits reports it (the legacy "rate" list).</summary>
    public sealed class RateLimit
    {
        public RateLimit(string verb, string uri, int value, string unit)
        {
            Verb = verb;
            Uri = uri;
            Value = value;
            Unit = unit;
        }

        public string Verb { get; }
        public string Uri { get; }
        public int Value { get; }
        public string Unit { get; }

        /// <summary>The limit as requests per minute, or null for units we do not pace by (HOUR, DAY).</summary>
        public int? PerMinute =>
            Unit.Equals("MINUTE", StringComparison.OrdinalIgnoreCase) ? Value
            : Unit.Equals("SECOND", StringComparison.OrdinalIgnoreCase) ? Value * 60
            : (int?)null;
    }

    /// <summary>
    /// Cloud Servers / Nova in one region: servers, createImage, the image progress view, limits. Booting, rebuilding
    /// and deleting servers, flavors, quotas and microversions are in ComputeServers.cs.
    /// </summary>
    public sealed partial class ComputeClient
    {
        // From this microversion Nova returns the new image's id in the body and no Location header.
        // We ask for it so both shapes are exercised; clouds without microversions (Rackspace) ignore the header.
        private const string ImageIdInBodyVersion = "compute 2.45";
        private const int PageSize = 1000;

        private readonly CloudSession _session;
        private readonly ICloudLog _log;
        private readonly string _base;

        public ComputeClient(CloudSession session, string region, ICloudLog log)
        {
            _session = session;
            _log = log;
            Region = region;
            Endpoint = session.Identity.Catalog.ComputeUrl(region);
            _base = Endpoint.AbsoluteUri.TrimEnd('/');
        }

        public string Region { get; }
        public Uri Endpoint { get; }

        /// <summary>The server, or null when it does not exist (404).</summary>
        public Task<RackspaceServer?> FindServerAsync(string serverId, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, Url("/servers/" + Uri.EscapeDataString(serverId)), $"get server {serverId} in {Region}");
            request.AcceptedStatus.Add(HttpStatusCode.NotFound);
            return _session.SendAsync(request,
                response => response.Status == HttpStatusCode.NotFound ? null : ReadServer(JsonFields.Object(JsonFields.Parse(response.Body), "server")),
                _log, cancellationToken);
        }

        /// <summary>
        /// Servers of the region, following pagination. <paramref name="nameFilter"/> goes to the server as Nova's
        /// name filter (a regular expression there); callers still match names exactly on their side.
        /// </summary>
        public Task<IReadOnlyList<RackspaceServer>> ListServersAsync(string? nameFilter, CancellationToken cancellationToken)
        {
            string query = "?limit=" + PageSize + (nameFilter != null ? "&name=" + Uri.EscapeDataString(nameFilter) : string.Empty);
            return LinkedPages.ReadAllAsync(_session, _log, "compute", Region, _base, "/servers/detail" + query, "servers", "list servers",
                                            ReadServer, server => server.Id, cancellationToken);
        }

        /// <summary>
        /// Asks the server for an image (createImage) and returns the new image's id. Never retried blindly: a lost
        /// answer surfaces as a CloudException with OutcomeUnknown set, and the caller looks for the image first.
        /// </summary>
        public async Task<string> CreateImageAsync(string serverId, string name, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
        {
            bool useMicroversion = !_session.ComputeWithoutMicroversions.ContainsKey(Endpoint.AbsoluteUri);
            try
            {
                return await SendCreateImageAsync(serverId, name, metadata, useMicroversion, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e) when (useMicroversion && e.StatusCode == HttpStatusCode.NotAcceptable)
            {
                // 406: this Nova predates 2.45. Nothing was done; ask again the old way and remember.
                _log.Verbose($"compute in {Region} does not offer microversion 2.45; using the Location header instead.");
                _session.ComputeWithoutMicroversions[Endpoint.AbsoluteUri] = true;
                return await SendCreateImageAsync(serverId, name, metadata, false, cancellationToken).ConfigureAwait(false);
            }
        }

        private Task<string> SendCreateImageAsync(string serverId, string name, IReadOnlyDictionary<string, string> metadata, bool useMicroversion,
                                                  CancellationToken cancellationToken)
        {
            CloudRequest request = NewRequest(HttpMethod.Post, Url("/servers/" + Uri.EscapeDataString(serverId) + "/action"),
                $"create image '{name}' of server {serverId}");
            request.Retry = RetryMode.NotIdempotent;
            request.JsonBody = new JObject(new JProperty("createImage", new JObject(
                new JProperty("name", name),
                new JProperty("metadata", JObject.FromObject(metadata))))).ToString(Formatting.None);
            if (useMicroversion)
            {
                request.Headers["OpenStack-API-Version"] = ImageIdInBodyVersion;
            }
            return _session.SendAsync(request, response =>
            {
                // 2.45+: {"image_id": "..."}; before (and on Rackspace): Location: .../images/{id}. The URL itself
                // "should not be relied upon" (and real Nova points it at Glance without /v2): take the last segment.
                if (response.Body.Trim().Length > 0 && JsonFields.Parse(response.Body)["image_id"] is JToken id && id.Type == JTokenType.String)
                {
                    return id.ToString();
                }
                string location = response.Header("Location") ?? throw new FormatException("the answer has neither 'image_id' nor a Location header");
                string last = location.TrimEnd('/').Split('/').Last();
                return last.Length > 0 ? Uri.UnescapeDataString(last) : throw new FormatException("the Location header has no image id");
            }, _log, cancellationToken);
        }

        /// <summary>Status and progress of an image being made; null once the image no longer exists (404).</summary>
        public Task<ImageProgress?> GetImageProgressAsync(string imageId, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, Url("/images/" + Uri.EscapeDataString(imageId)), $"get progress of image {imageId}");
            request.AcceptedStatus.Add(HttpStatusCode.NotFound);
            return _session.SendAsync(request, response =>
            {
                if (response.Status == HttpStatusCode.NotFound) return null;
                JObject image = JsonFields.Object(JsonFields.Parse(response.Body), "image");
                long? progress = JsonFields.OptionalLong(image, "progress");
                return new ImageProgress(JsonFields.String(image, "status"), progress.HasValue ? (int)Math.Max(0, Math.Min(100, progress.Value)) : (int?)null);
            }, _log, cancellationToken);
        }

        /// <summary>The volumes attached to a server (os-volume_attachments), root volume included.</summary>
        public Task<IReadOnlyList<VolumeAttachment>> ListVolumeAttachmentsAsync(string serverId, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, Url("/servers/" + Uri.EscapeDataString(serverId) + "/os-volume_attachments"),
                $"list volume attachments of server {serverId} in {Region}");
            return _session.SendAsync<IReadOnlyList<VolumeAttachment>>(request, response =>
                JsonFields.Array(JsonFields.Parse(response.Body), "volumeAttachments")
                    .Select(a => a as JObject ?? throw new FormatException("a volume attachment is not an object"))
                    .Select(a => new VolumeAttachment(JsonFields.String(a, "volumeId"), JsonFields.OptionalString(a, "device")))
                    .ToList(), _log, cancellationToken);
        }

        /// <summary>The rate limits the account has, from GET /limits (empty when the cloud reports none).</summary>
        public Task<IReadOnlyList<RateLimit>> GetRateLimitsAsync(CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, Url("/limits"), $"get limits in {Region}");
            return _session.SendAsync<IReadOnlyList<RateLimit>>(request, response =>
            {
                JObject limits = JsonFields.Object(JsonFields.Parse(response.Body), "limits");
                var result = new List<RateLimit>();
                foreach (JObject rate in (limits["rate"] as JArray ?? new JArray()).OfType<JObject>())
                {
                    string uri = JsonFields.OptionalString(rate, "uri") ?? "*";
                    foreach (JObject limit in (rate["limit"] as JArray ?? new JArray()).OfType<JObject>())
                    {
                        result.Add(new RateLimit(JsonFields.String(limit, "verb"), uri, (int)(JsonFields.OptionalLong(limit, "value") ?? 0), JsonFields.String(limit, "unit")));
                    }
                }
                return result;
            }, _log, cancellationToken);
        }

        internal RackspaceServer ReadServer(JObject server)
        {
            var metadata = JsonFields.SimpleMembers(server["metadata"] as JObject);
            // A server booted from a volume has no image: Nova says "image": "" (an image-backed one has an object).
            JToken? image = server["image"];
            bool volumeBacked = image != null && (image.Type == JTokenType.Null || (image.Type == JTokenType.String && ((string?)image ?? string.Empty).Length == 0));
            var result = new RackspaceServer(
                JsonFields.String(server, "id"),
                JsonFields.OptionalString(server, "name") ?? string.Empty,
                JsonFields.OptionalString(server, "status") ?? "UNKNOWN",
                JsonFields.OptionalString(server, "OS-EXT-STS:task_state"),
                Region,
                JsonFields.OptionalDate(server, "created"),
                metadata) { IsVolumeBacked = volumeBacked };
            ReadRestoreFacts(server, result);
            return result;
        }

        /// <summary>A request to this region's compute service (paced in the region's lane).</summary>
        private CloudRequest NewRequest(HttpMethod method, Uri uri, string operation) =>
            new CloudRequest(method, uri, "compute", operation) { Region = Region };

        private Uri Url(string pathAndQuery) => new Uri(_base + pathAndQuery);
    }
}
