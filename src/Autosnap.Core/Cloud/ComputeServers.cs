using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Model;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Autosnap.Cloud
{
    /// <summary>One entry of Nova's block_device_mapping_v2 in a boot request.</summary>
    public sealed class BlockDeviceRequest
    {
        /// <summary>image, snapshot, volume or blank.</summary>
        public string SourceType { get; set; } = "snapshot";

        /// <summary>The id of the image, volume snapshot or volume (none for blank).</summary>
        public string? Uuid { get; set; }

        /// <summary>volume or local.</summary>
        public string DestinationType { get; set; } = "volume";

        /// <summary>0 for the root disk; -1 (the default) for a disk that is not booted from.</summary>
        public int BootIndex { get; set; } = -1;

        /// <summary>Delete the volume with the server. False for restored data: the user decides when it goes.</summary>
        public bool DeleteOnTermination { get; set; }

        /// <summary>Size in GiB of a new volume; null to take the snapshot's.</summary>
        public int? VolumeSize { get; set; }

        /// <summary>The device (e.g. /dev/xvda); an entry with the device of an image's own mapping replaces that entry.</summary>
        public string? DeviceName { get; set; }

        internal JObject ToJson()
        {
            var entry = new JObject(
                new JProperty("source_type", SourceType),
                new JProperty("destination_type", DestinationType),
                new JProperty("boot_index", BootIndex),
                new JProperty("delete_on_termination", DeleteOnTermination));
            if (Uuid != null) entry["uuid"] = Uuid;
            if (VolumeSize.HasValue) entry["volume_size"] = VolumeSize.Value;
            if (!string.IsNullOrEmpty(DeviceName)) entry["device_name"] = DeviceName;
            return entry;
        }
    }

    /// <summary>What POST /servers is asked for. Ids only: names are resolved before (flavors, networks).</summary>
    public sealed class ServerCreateRequest
    {
        public ServerCreateRequest(string name, string imageId, string flavorId)
        {
            Name = name;
            ImageId = imageId;
            FlavorId = flavorId;
        }

        public string Name { get; }
        public string ImageId { get; }
        public string FlavorId { get; }

        /// <summary>Network ids in order; empty lets the cloud choose (Rackspace: public and ServiceNet; Nova: the project's network).</summary>
        public List<string> NetworkIds { get; } = new List<string>();

        /// <summary>No network at all ("networks": "none", compute microversion 2.37 or later).</summary>
        public bool NoNetwork { get; set; }

        public string? KeyName { get; set; }
        public List<string> SecurityGroups { get; } = new List<string>();
        public string? AvailabilityZone { get; set; }
        public Dictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
        public List<BlockDeviceRequest> BlockDevices { get; } = new List<BlockDeviceRequest>();
    }

    /// <summary>The absolute compute quotas and their use (GET /limits); -1 means unlimited.</summary>
    public sealed class ComputeQuota
    {
        public ComputeQuota(int maxInstances, int usedInstances, int maxCores, int usedCores, int maxRamMB, int usedRamMB)
        {
            MaxInstances = maxInstances;
            UsedInstances = usedInstances;
            MaxCores = maxCores;
            UsedCores = usedCores;
            MaxRamMB = maxRamMB;
            UsedRamMB = usedRamMB;
        }

        public int MaxInstances { get; }
        public int UsedInstances { get; }
        public int MaxCores { get; }
        public int UsedCores { get; }
        public int MaxRamMB { get; }
        public int UsedRamMB { get; }

        /// <summary>
        /// Why <paramref name="servers"/> more servers of <paramref name="flavor"/> would not fit, or null when they would
        /// (each of instances, cores and RAM that is not unlimited).
        /// </summary>
        public string? WhyNotRoomFor(RackspaceFlavor flavor, int servers = 1)
        {
            var short_ = new List<string>();
            if (MaxInstances >= 0 && UsedInstances + servers > MaxInstances)
                short_.Add($"instances: {UsedInstances} of {MaxInstances} used, {servers} more needed");
            if (MaxCores >= 0 && UsedCores + servers * flavor.Vcpus > MaxCores)
                short_.Add($"cores: {UsedCores} of {MaxCores} used, {servers * flavor.Vcpus} more needed");
            if (MaxRamMB >= 0 && UsedRamMB + servers * flavor.RamMB > MaxRamMB)
                short_.Add($"RAM: {UsedRamMB} of {MaxRamMB} MiB used, {servers * flavor.RamMB} MiB more needed");
            return short_.Count == 0 ? null : string.Join("; ", short_);
        }
    }

    public sealed partial class ComputeClient
    {
        // From 2.37 a boot request may say "networks": "none"; from 2.93 a volume-backed server can be rebuilt with another image.
        public static readonly Version NoNetworkMicroversion = new Version(2, 37);
        public static readonly Version VolumeBackedRebuildMicroversion = new Version(2, 93);
        private const int MaxCreateAttempts = 3;

        /// <summary>
        /// The highest compute microversion the endpoint offers (its version document), or null for an endpoint without
        /// microversions (Rackspace, Nova's legacy v2). Read once per endpoint and session.
        /// </summary>
        public async Task<Version?> GetMaxMicroversionAsync(CancellationToken cancellationToken)
        {
            if (_session.ComputeMaxMicroversions.TryGetValue(Endpoint.AbsoluteUri, out Version? known)) return known;
            Uri document = VersionDocumentUrl(Endpoint);
            var request = NewRequest(HttpMethod.Get, document, $"get the compute API version in {Region}");
            request.AcceptedStatus.Add(HttpStatusCode.NotFound);
            Version? max = await _session.SendAsync(request, response =>
            {
                if (response.Status == HttpStatusCode.NotFound || response.Body.Trim().Length == 0) return null;
                JObject body = JsonFields.Parse(response.Body);
                JToken? version = body["version"] ?? (body["versions"] as JArray)?.OfType<JObject>()
                    .FirstOrDefault(v => string.Equals((string?)v["status"], "CURRENT", StringComparison.OrdinalIgnoreCase));
                return ParseMicroversion(version == null ? null : JsonFields.OptionalString(version, "version"));
            }, _log, cancellationToken).ConfigureAwait(false);
            _session.ComputeMaxMicroversions[Endpoint.AbsoluteUri] = max;
            return max;
        }

        /// <summary>"2.93" as a version; null for "" or anything that is not major.minor.</summary>
        public static Version? ParseMicroversion(string? text) =>
            text != null && Regex.IsMatch(text, @"^\d+\.\d+\z") ? Version.Parse(text) : null;

        /// <summary>The compute endpoint's version document: the URL up to its version segment (…/v2.1/{tenant} → …/v2.1/).</summary>
        internal static Uri VersionDocumentUrl(Uri endpoint)
        {
            string[] segments = endpoint.AbsolutePath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
            int index = Array.FindLastIndex(segments, s => Regex.IsMatch(s, @"^v\d+(\.\d+)?\z", RegexOptions.IgnoreCase));
            string path = index < 0 ? endpoint.AbsolutePath : "/" + string.Join("/", segments.Take(index + 1));
            return new Uri(endpoint.GetLeftPart(UriPartial.Authority) + path.TrimEnd('/') + "/");
        }

        /// <summary>
        /// Boots a server and returns its id. Never retried blindly: each request carries a unique autosnap_request in
        /// the server's metadata, and when an answer is lost the servers are searched for it before the request is sent
        /// again, so a lost answer never makes two servers.
        /// </summary>
        public async Task<string> CreateServerAsync(ServerCreateRequest create, CancellationToken cancellationToken)
        {
            if (create.NoNetwork && create.NetworkIds.Count > 0)
                throw new ArgumentException("A server cannot have no network and networks at once.", nameof(create));
            string token = Guid.NewGuid().ToString();
            var metadata = new Dictionary<string, string>(create.Metadata, StringComparer.Ordinal) { [AutosnapMetadata.Request] = token };
            JObject server = BootBody(create, metadata);
            for (int attempt = 1; ; attempt++)
            {
                var request = NewRequest(HttpMethod.Post, Url("/servers"), $"create server '{create.Name}' from image {create.ImageId}");
                request.Retry = RetryMode.NotIdempotent;
                request.JsonBody = new JObject(new JProperty("server", server)).ToString(Formatting.None);
                if (create.NoNetwork) request.Headers["OpenStack-API-Version"] = "compute " + NoNetworkMicroversion.ToString(2);
                try
                {
                    // The answer also carries adminPass: it is never read, kept or shown.
                    return await _session.SendAsync(request, response =>
                        JsonFields.String(JsonFields.Object(JsonFields.Parse(response.Body), "server"), "id"), _log, cancellationToken).ConfigureAwait(false);
                }
                catch (CloudException e) when (e.OutcomeUnknown)
                {
                    RackspaceServer? made;
                    try
                    {
                        made = await FindByRequestTokenAsync(create.Name, token, cancellationToken).ConfigureAwait(false);
                    }
                    catch (CloudException lookup)
                    {
                        throw new CloudException(lookup.Kind,
                            $"{e.Message.TrimEnd('.')}; whether that request made a server anyway could not be checked: {lookup.Message}",
                            lookup.StatusCode, lookup.FaultName, lookup) { OutcomeUnknown = true };
                    }
                    if (made != null)
                    {
                        _log.Verbose($"The answer to the request for server '{create.Name}' was lost, but it made server {made.Id}; using it.");
                        return made.Id;
                    }
                    if (attempt >= MaxCreateAttempts) throw;
                    _log.Verbose($"The request for server '{create.Name}' failed before it made a server ({e.Message}); asking again ({attempt + 1}/{MaxCreateAttempts}).");
                }
            }
        }

        private static JObject BootBody(ServerCreateRequest create, IReadOnlyDictionary<string, string> metadata)
        {
            var server = new JObject(
                new JProperty("name", create.Name),
                new JProperty("imageRef", create.ImageId),
                new JProperty("flavorRef", create.FlavorId),
                new JProperty("metadata", JObject.FromObject(metadata)));
            if (create.NoNetwork) server["networks"] = "none";
            else if (create.NetworkIds.Count > 0)
                server["networks"] = new JArray(create.NetworkIds.Select(id => new JObject(new JProperty("uuid", id))));
            if (!string.IsNullOrEmpty(create.KeyName)) server["key_name"] = create.KeyName;
            if (create.SecurityGroups.Count > 0)
                server["security_groups"] = new JArray(create.SecurityGroups.Select(g => new JObject(new JProperty("name", g))));
            if (!string.IsNullOrEmpty(create.AvailabilityZone)) server["availability_zone"] = create.AvailabilityZone;
            if (create.BlockDevices.Count > 0)
                server["block_device_mapping_v2"] = new JArray(create.BlockDevices.Select(d => d.ToJson()));
            return server;
        }

        /// <summary>The server an earlier request with this token made, if any (the name narrows Nova's listing; the token decides).</summary>
        private async Task<RackspaceServer?> FindByRequestTokenAsync(string name, string token, CancellationToken cancellationToken)
        {
            string? filter = Regex.IsMatch(name, @"^[\w .-]+$") ? name : null;
            var servers = await ListServersAsync(filter, cancellationToken).ConfigureAwait(false);
            return servers.FirstOrDefault(s => s.Metadata.TryGetValue(AutosnapMetadata.Request, out string? t) && t == token);
        }

        /// <summary>Deletes a server; false when it was already gone (404). Deleting twice is harmless, so it is retried.</summary>
        public Task<bool> DeleteServerAsync(string serverId, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Delete, Url("/servers/" + Uri.EscapeDataString(serverId)), $"delete server {serverId} in {Region}");
            request.AcceptedStatus.Add(HttpStatusCode.NotFound);
            return _session.SendAsync(request, response => response.Status != HttpStatusCode.NotFound, _log, cancellationToken);
        }

        /// <summary>
        /// Rebuilds a server from an image (the rebuild action): its root disk is replaced, its id, addresses and
        /// volumes stay. <paramref name="microversion"/> is sent when given (2.93 for a volume-backed server). A lost
        /// answer is checked on the server (rebuilding, or already on the image) before it is reported.
        /// </summary>
        public async Task RebuildServerAsync(string serverId, string imageId, Version? microversion, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Post, Url("/servers/" + Uri.EscapeDataString(serverId) + "/action"),
                $"rebuild server {serverId} from image {imageId}");
            request.Retry = RetryMode.NotIdempotent;
            request.JsonBody = new JObject(new JProperty("rebuild", new JObject(new JProperty("imageRef", imageId)))).ToString(Formatting.None);
            if (microversion != null) request.Headers["OpenStack-API-Version"] = "compute " + microversion.ToString(2);
            try
            {
                await _session.SendAsync(request, _ => true, _log, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e) when (e.OutcomeUnknown)
            {
                RackspaceServer? now = await FindServerAsync(serverId, cancellationToken).ConfigureAwait(false);
                bool started = now != null && (string.Equals(now.Status, "REBUILD", StringComparison.OrdinalIgnoreCase) ||
                                               (now.TaskState ?? string.Empty).StartsWith("rebuild", StringComparison.OrdinalIgnoreCase) ||
                                               now.ImageId == imageId);
                if (!started) throw;
                _log.Verbose($"The answer to the rebuild of server {serverId} was lost, but the rebuild started.");
            }
        }

        /// <summary>Every flavor of the region, with RAM, CPUs and disk (GET /flavors/detail).</summary>
        public Task<IReadOnlyList<RackspaceFlavor>> ListFlavorsAsync(CancellationToken cancellationToken) =>
            LinkedPages.ReadAllAsync(_session, _log, "compute", Region, _base, "/flavors/detail", "flavors", "list flavors",
                ReadFlavor, flavor => flavor.Id, cancellationToken);

        /// <summary>The flavor, or null when it does not exist (404).</summary>
        public Task<RackspaceFlavor?> FindFlavorAsync(string flavorId, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, Url("/flavors/" + Uri.EscapeDataString(flavorId)), $"get flavor {flavorId} in {Region}");
            request.AcceptedStatus.Add(HttpStatusCode.NotFound);
            return _session.SendAsync(request,
                response => response.Status == HttpStatusCode.NotFound ? null : ReadFlavor(JsonFields.Object(JsonFields.Parse(response.Body), "flavor")),
                _log, cancellationToken);
        }

        private RackspaceFlavor ReadFlavor(JObject flavor) =>
            new RackspaceFlavor(
                JsonFields.String(flavor, "id"),
                JsonFields.OptionalString(flavor, "name") ?? string.Empty,
                (int)(JsonFields.OptionalLong(flavor, "ram") ?? 0),
                (int)(JsonFields.OptionalLong(flavor, "vcpus") ?? 0),
                (int)(JsonFields.OptionalLong(flavor, "disk") ?? 0),
                Region);

        /// <summary>The absolute instance, core and RAM quotas and their use (GET /limits; a missing value counts as unlimited).</summary>
        public Task<ComputeQuota> GetQuotaAsync(CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, Url("/limits"), $"get limits in {Region}");
            return _session.SendAsync(request, response =>
            {
                JObject absolute = JsonFields.Object(JsonFields.Object(JsonFields.Parse(response.Body), "limits"), "absolute");
                int Value(string field, int missing) => (int)(JsonFields.OptionalLong(absolute, field) ?? missing);
                return new ComputeQuota(Value("maxTotalInstances", -1), Value("totalInstancesUsed", 0),
                                        Value("maxTotalCores", -1), Value("totalCoresUsed", 0),
                                        Value("maxTotalRAMSize", -1), Value("totalRAMUsed", 0));
            }, _log, cancellationToken);
        }

        /// <summary>What a restore needs from a server's view: flavor, image, addresses, key, security groups, zone, fault.</summary>
        private static void ReadRestoreFacts(JObject server, RackspaceServer result)
        {
            try
            {
                ReadRestoreFactsOrThrow(server, result);
            }
            catch (FormatException)
            {
                // These facts only help a restore: an odd shape here must never make a server unreadable (and so a
                // snapshot impossible). What was read stays; a restore asks for the rest.
            }
        }

        private static void ReadRestoreFactsOrThrow(JObject server, RackspaceServer result)
        {
            if (server["flavor"] is JObject flavor)
            {
                result.FlavorId = JsonFields.OptionalString(flavor, "id");
                result.FlavorName = JsonFields.OptionalString(flavor, "original_name");
            }
            if (server["image"] is JObject image) result.ImageId = JsonFields.OptionalString(image, "id");
            if (server["addresses"] is JObject addresses)
            {
                var byNetwork = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                foreach (JProperty network in addresses.Properties())
                {
                    byNetwork[network.Name] = (network.Value as JArray ?? new JArray()).OfType<JObject>()
                        .Select(a => JsonFields.OptionalString(a, "addr")).Where(a => !string.IsNullOrEmpty(a)).Select(a => a!).ToList();
                }
                result.Addresses = byNetwork;
            }
            result.KeyName = JsonFields.OptionalString(server, "key_name");
            result.SecurityGroups = (server["security_groups"] as JArray ?? new JArray()).OfType<JObject>()
                .Select(g => JsonFields.OptionalString(g, "name")).Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).Distinct(StringComparer.Ordinal).ToList();
            result.AvailabilityZone = JsonFields.OptionalString(server, "OS-EXT-AZ:availability_zone");
            long? progress = JsonFields.OptionalLong(server, "progress");
            result.Progress = progress.HasValue ? (int)Math.Max(0, Math.Min(100, progress.Value)) : (int?)null;
            if (server["fault"] is JObject fault)
            {
                string? message = JsonFields.OptionalString(fault, "message");
                long? code = JsonFields.OptionalLong(fault, "code");
                result.Fault = message == null ? null : code.HasValue ? $"{message} ({code.Value.ToString(CultureInfo.InvariantCulture)})" : message;
            }
        }
    }
}
