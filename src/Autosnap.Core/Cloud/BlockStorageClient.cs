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
    /// Block storage in one region: Cinder v3/v2 on OpenStack, Rackspace Cloud Block Storage (the Cinder-based v1 API,
    /// which says display_name and display_description). Volume snapshots (list, get, create forced, tag, delete),
    /// volumes' sizes and the absolute limits. Every call goes through the session's one HTTP pipeline.
    /// </summary>
    public sealed class BlockStorageClient
    {
        private const int PageSize = 1000;

        private readonly CloudSession _session;
        private readonly ICloudLog _log;
        private readonly string _base;
        private readonly bool _v1;

        public BlockStorageClient(CloudSession session, string region, ICloudLog log)
        {
            _session = session;
            _log = log;
            Region = region;
            (Uri url, bool v1) = session.Identity.Catalog.BlockStorage(region) ?? throw new CloudException(CloudErrorKind.Configuration,
                $"The service catalog has no block storage endpoint (volumev3, block-storage, volumev2 or volume) in region '{region}'; " +
                "volume snapshots cannot be made, read or deleted there.");
            Endpoint = url;
            _v1 = v1;
            _base = url.AbsoluteUri.TrimEnd('/');
        }

        /// <summary>True when the region's catalog has a block storage endpoint.</summary>
        public static bool IsAvailable(CloudSession session, string region) => session.Identity.Catalog.BlockStorage(region) != null;

        public string Region { get; }
        public Uri Endpoint { get; }

        /// <summary>Every volume snapshot of the project in this region, all pages. Throws when any page fails: a partial list proves nothing.</summary>
        public Task<IReadOnlyList<VolumeSnapshot>> ListSnapshotsAsync(CancellationToken cancellationToken) =>
            LinkedPages.ReadAllAsync(_session, _log, "block storage", Region, _base, "/snapshots/detail?limit=" + PageSize, "snapshots",
                                     "list volume snapshots", ReadSnapshot, snapshot => snapshot.Id, cancellationToken);

        /// <summary>The snapshot, or null when it does not exist (404).</summary>
        public Task<VolumeSnapshot?> FindSnapshotAsync(string snapshotId, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, SnapshotUrl(snapshotId), $"get volume snapshot {snapshotId} in {Region}");
            request.AcceptedStatus.Add(HttpStatusCode.NotFound);
            return _session.SendAsync(request,
                response => response.Status == HttpStatusCode.NotFound ? null : ReadSnapshot(JsonFields.Object(JsonFields.Parse(response.Body), "snapshot")),
                _log, cancellationToken);
        }

        /// <summary>
        /// Asks for a snapshot of a volume, forced (the volume is attached and in use), with metadata. Never retried
        /// blindly: a lost answer surfaces with OutcomeUnknown set and the caller looks for the snapshot by its metadata.
        /// </summary>
        public Task<VolumeSnapshot> CreateSnapshotAsync(string volumeId, string name, string description, IReadOnlyDictionary<string, string> metadata,
                                                        CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Post, Url("/snapshots"), $"create snapshot '{name}' of volume {volumeId} in {Region}");
            request.Retry = RetryMode.NotIdempotent;
            request.JsonBody = new JObject(new JProperty("snapshot", new JObject(
                new JProperty("volume_id", volumeId),
                new JProperty(_v1 ? "display_name" : "name", name),
                new JProperty(_v1 ? "display_description" : "description", description),
                new JProperty("force", true),
                new JProperty("metadata", JObject.FromObject(metadata))))).ToString(Formatting.None);
            return _session.SendAsync(request, response => ReadSnapshot(JsonFields.Object(JsonFields.Parse(response.Body), "snapshot")), _log, cancellationToken);
        }

        /// <summary>Adds or replaces metadata items of a snapshot (others are left as they are).</summary>
        public Task<IReadOnlyDictionary<string, string>> TagSnapshotAsync(string snapshotId, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Post, Url("/snapshots/" + Uri.EscapeDataString(snapshotId) + "/metadata"),
                $"set metadata ({string.Join(", ", metadata.Keys)}) of volume snapshot {snapshotId} in {Region}");
            // Setting the same items again is harmless: retried like a PUT.
            request.JsonBody = new JObject(new JProperty("metadata", JObject.FromObject(metadata))).ToString(Formatting.None);
            return _session.SendAsync<IReadOnlyDictionary<string, string>>(request,
                response => JsonFields.SimpleMembers(JsonFields.Object(JsonFields.Parse(response.Body), "metadata")), _log, cancellationToken);
        }

        /// <summary>
        /// Deletes a snapshot. True when this call deleted it, false when it was already gone (404). Cinder refuses
        /// (400) a snapshot that is being made or that a volume was made from: a CloudException the caller reports.
        /// </summary>
        public Task<bool> DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Delete, SnapshotUrl(snapshotId), $"delete volume snapshot {snapshotId} in {Region}");
            request.AcceptedStatus.Add(HttpStatusCode.NotFound);
            return _session.SendAsync(request, response =>
            {
                // Cinder answers 202 with no body; a success with a body that is not JSON did not come from it.
                if (response.IsSuccess && response.Body.Trim().Length > 0) JsonFields.Parse(response.Body);
                return response.Status != HttpStatusCode.NotFound;
            }, _log, cancellationToken);
        }

        /// <summary>The size of a volume in GB, or null when the volume does not exist.</summary>
        public Task<int?> GetVolumeSizeAsync(string volumeId, CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, Url("/volumes/" + Uri.EscapeDataString(volumeId)), $"get volume {volumeId} in {Region}");
            request.AcceptedStatus.Add(HttpStatusCode.NotFound);
            return _session.SendAsync(request, response =>
                response.Status == HttpStatusCode.NotFound
                    ? null
                    : (int?)(JsonFields.OptionalLong(JsonFields.Object(JsonFields.Parse(response.Body), "volume"), "size") ?? 0),
                _log, cancellationToken);
        }

        /// <summary>The absolute limits that bound snapshots (GET /limits); a limit the cloud does not report is -1 (unlimited).</summary>
        public Task<BlockStorageLimits> GetLimitsAsync(CancellationToken cancellationToken)
        {
            var request = NewRequest(HttpMethod.Get, Url("/limits"), $"get block storage limits in {Region}");
            return _session.SendAsync(request, response =>
            {
                JObject absolute = JsonFields.Object(JsonFields.Object(JsonFields.Parse(response.Body), "limits"), "absolute");
                return new BlockStorageLimits(
                    JsonFields.OptionalLong(absolute, "maxTotalSnapshots") ?? -1,
                    JsonFields.OptionalLong(absolute, "totalSnapshotsUsed") ?? 0,
                    JsonFields.OptionalLong(absolute, "maxTotalVolumeGigabytes") ?? -1,
                    JsonFields.OptionalLong(absolute, "totalGigabytesUsed") ?? 0);
            }, _log, cancellationToken);
        }

        private VolumeSnapshot ReadSnapshot(JObject snapshot)
        {
            string id = JsonFields.String(snapshot, "id");
            try
            {
                long? size = JsonFields.OptionalLong(snapshot, "size");
                return new VolumeSnapshot(
                    id,
                    JsonFields.OptionalString(snapshot, "volume_id") ?? string.Empty,
                    JsonFields.OptionalString(snapshot, "name") ?? JsonFields.OptionalString(snapshot, "display_name") ?? string.Empty,
                    JsonFields.String(snapshot, "status"),
                    size.HasValue ? (int)size.Value : (int?)null,
                    JsonFields.OptionalDate(snapshot, "created_at"),
                    Region,
                    JsonFields.SimpleMembers(snapshot["metadata"] as JObject),
                    JsonFields.OptionalString(snapshot, "description") ?? JsonFields.OptionalString(snapshot, "display_description"));
            }
            catch (FormatException e)
            {
                throw new FormatException($"volume snapshot {id}: {e.Message}", e);
            }
        }

        /// <summary>A request to this region's block storage (paced in the region's lane).</summary>
        private CloudRequest NewRequest(HttpMethod method, Uri uri, string operation) =>
            new CloudRequest(method, uri, "block storage", operation) { Region = Region };

        private Uri Url(string pathAndQuery) => new Uri(_base + pathAndQuery);

        private Uri SnapshotUrl(string snapshotId) => Url("/snapshots/" + Uri.EscapeDataString(snapshotId));
    }
}
