using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>Which images a listing wants.</summary>
    public sealed class SnapshotFilter
    {
        /// <summary>Only images of this server.</summary>
        public string? ServerId { get; set; }

        /// <summary>Only these schedules (pools); all when empty.</summary>
        public IReadOnlyCollection<string> Schedules { get; set; } = Array.Empty<string>();

        /// <summary>Only these status classes; all when empty.</summary>
        public IReadOnlyCollection<SnapshotState> States { get; set; } = Array.Empty<SnapshotState>();

        /// <summary>Also images that are not Autosnap's (manual, Scheduled Images, other tools).</summary>
        public bool IncludeForeign { get; set; }
    }

    /// <summary>
    /// Lists snapshots with the narrowest server-side filter the question allows (a server's pool, a schedule, or the
    /// account's snapshots) and checks every filter again here: a cloud that ignored a filter must never make a
    /// stranger's image look like ours.
    /// </summary>
    public sealed class SnapshotFinder
    {
        private readonly RackspaceSession _session;
        private readonly IJobHost _host;

        public SnapshotFinder(RackspaceSession session, IJobHost host)
        {
            _session = session;
            _host = host;
        }

        /// <summary>Streams the matching images of a region, newest first within each server-side query.</summary>
        public async Task ListAsync(string region, SnapshotFilter filter, Action<AutoSnapshot> output, CancellationToken cancellationToken)
        {
            var images = new ImageClient(_session.Cloud, region, _host);
            // One block storage listing per region, read only when a restore point has volume parts.
            var parts = new RestorePointParts(_session, region, _host);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (ImageQuery query in QueriesFor(filter))
            {
                await images.ForEachPageAsync(query, async page =>
                {
                    foreach (AutoSnapshot listed in page.Where(i => MatchesImage(i, filter) && seen.Add(i.Id)))
                    {
                        // The status class is the whole restore point's: filter on it once the parts are known.
                        AutoSnapshot image = await parts.AttachAsync(listed, cancellationToken).ConfigureAwait(false);
                        if (filter.States.Count > 0 && !filter.States.Contains(image.State)) continue;
                        image.Session = _session;
                        output(image);
                    }
                }, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Every image of one pool (server, schedule), whatever its status, all pages. Throws if any page fails:
        /// rotation must never work from a partial list.
        /// </summary>
        public async Task<IReadOnlyList<AutoSnapshot>> ListPoolAsync(string region, string serverId, string schedule, CancellationToken cancellationToken)
        {
            var pool = new List<AutoSnapshot>();
            await ListAsync(region, new SnapshotFilter { ServerId = serverId, Schedules = new[] { schedule } }, pool.Add, cancellationToken).ConfigureAwait(false);
            return pool;
        }

        /// <summary>
        /// Images named by the original autosnap.py ("&lt;server name&gt;-autosnap-&lt;server id&gt;") that carry no
        /// Autosnap metadata yet: candidates for adoption.
        /// </summary>
        public async Task<IReadOnlyList<AutoSnapshot>> ListLegacyAsync(RackspaceServer server, CancellationToken cancellationToken)
        {
            var legacy = new List<AutoSnapshot>();
            string legacyName = server.Name + "-autosnap-" + server.Id;
            await ListAsync(server.Region, new SnapshotFilter { ServerId = server.Id, IncludeForeign = true },
                image =>
                {
                    if (!image.IsAutosnap && image.Name == legacyName) legacy.Add(image);
                }, cancellationToken).ConfigureAwait(false);
            return legacy;
        }

        internal static IEnumerable<ImageQuery> QueriesFor(SnapshotFilter filter)
        {
            if (filter.ServerId != null && filter.IncludeForeign)
            {
                yield return Query(AutosnapMetadata.InstanceUuid, filter.ServerId);
                // Images of a volume-backed server have no instance_uuid: Autosnap's carry autosnap_server.
                yield return Query(AutosnapMetadata.Server, filter.ServerId);
                yield break;
            }
            if (filter.Schedules.Count == 0)
            {
                if (filter.ServerId != null)
                {
                    yield return Query(AutosnapMetadata.Server, filter.ServerId);
                }
                else
                {
                    yield return Query("image_type", "snapshot");
                    // Nova gives images of volume-backed servers no image_type; Autosnap marks its own.
                    yield return Query(AutosnapMetadata.VolumeBacked, "true");
                }
                yield break;
            }
            foreach (string schedule in filter.Schedules.Distinct(StringComparer.Ordinal))
            {
                ImageQuery query = Query(AutosnapMetadata.Schedule, schedule);
                if (filter.ServerId != null) query.Properties[AutosnapMetadata.Server] = filter.ServerId;
                yield return query;
            }
        }

        internal static bool Matches(AutoSnapshot image, SnapshotFilter filter) =>
            MatchesImage(image, filter) && (filter.States.Count == 0 || filter.States.Contains(image.State));

        /// <summary>Every filter but the status class, which depends on the restore point's volume snapshots too.</summary>
        private static bool MatchesImage(AutoSnapshot image, SnapshotFilter filter)
        {
            if (!filter.IncludeForeign && !image.IsAutosnap) return false;
            if (filter.ServerId != null && !string.Equals(image.ServerId, filter.ServerId, StringComparison.OrdinalIgnoreCase)) return false;
            if (filter.Schedules.Count > 0 && !filter.Schedules.Contains(image.Schedule ?? string.Empty, StringComparer.Ordinal)) return false;
            return true;
        }

        private static ImageQuery Query(string key, string value)
        {
            var query = new ImageQuery();
            query.Properties[key] = value;
            return query;
        }
    }
}
