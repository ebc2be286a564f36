using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;

namespace Autosnap.Policy
{
    /// <summary>
    /// Which servers a policy snapshots. The kinds of selector that are given must all match (names AND ids AND
    /// metadata); within a kind, any name pattern or any id is enough, while every metadata entry must match.
    /// Exclusions win over everything. A selector always selects something on purpose: at least one of names,
    /// ids, metadata, or <see cref="AllServers"/> (the explicit "all": true).
    /// </summary>
    public sealed class TargetSelector
    {
        /// <exception cref="PolicyException">Targets that select nothing, conflicting options, or a bad element.</exception>
        public TargetSelector(IEnumerable<string>? names = null, IEnumerable<string>? ids = null,
                              IReadOnlyDictionary<string, string>? metadata = null, bool allServers = false,
                              IEnumerable<string>? regions = null, bool allRegions = false, ServerFilter? exclude = null)
            : this(names ?? Array.Empty<string>(), ids ?? Array.Empty<string>(),
                   (IEnumerable<KeyValuePair<string, string>>?)metadata ?? Array.Empty<KeyValuePair<string, string>>(),
                   allServers, regions ?? Array.Empty<string>(), allRegions, exclude ?? ServerFilter.None, Sites.InCode().Child("targets"))
        {
        }

        internal TargetSelector(IEnumerable<string> names, IEnumerable<string> ids, IEnumerable<KeyValuePair<string, string>> metadata,
                                bool allServers, IEnumerable<string> regions, bool allRegions, ServerFilter exclude, Sites sites,
                                bool idsFromCloud = false)
        {
            Regions = SelectorChecks.Regions(regions, sites, "regions");
            if (allRegions && Regions.Count > 0)
            {
                throw sites.At("allRegions").Error(PolicyException.FieldConflict,
                    "\"allRegions\": true cannot be combined with regions; give one or the other.");
            }

            AllRegions = allRegions;
            Names = SelectorChecks.Patterns(names, sites, "names");
            Ids = SelectorChecks.Ids(ids, sites, "ids", requireUuid: !idsFromCloud);
            Metadata = SelectorChecks.Metadata(metadata, sites, "metadata");
            AllServers = allServers;
            Exclude = exclude ?? throw new ArgumentNullException(nameof(exclude));

            if (allServers && (Names.Count > 0 || Ids.Count > 0 || Metadata.Count > 0))
            {
                throw sites.At("all").Error(PolicyException.FieldConflict,
                    "\"all\": true selects every server of the regions and cannot be combined with names, ids or metadata; " +
                    "leave servers out with exclude.");
            }

            if (!allServers && Names.Count == 0 && Ids.Count == 0 && Metadata.Count == 0)
            {
                throw sites.At().Error(PolicyException.TargetsEmpty,
                    "selects no servers: give names, ids or metadata, or \"all\": true to select every server of the regions.");
            }

            if (Ids.Count > 0 && Ids.All(id => Exclude.Ids.Contains(id, StringComparer.OrdinalIgnoreCase)))
            {
                throw sites.At().Error(PolicyException.TargetsEmpty,
                    "selects no servers: every id in ids is also excluded.");
            }
        }

        /// <summary>The regions to look in; empty for the session's region (unless <see cref="AllRegions"/>).</summary>
        public IReadOnlyList<string> Regions { get; }

        /// <summary>Every region of the session's catalog.</summary>
        public bool AllRegions { get; }

        /// <summary>Every server of the regions ("all": true), minus exclusions.</summary>
        public bool AllServers { get; }

        /// <summary>Server metadata that must all match: keys without regard to case, values as * and ? patterns.</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <summary>Server name patterns: the server matches when any of them matches its name.</summary>
        public IReadOnlyList<string> Names { get; }

        /// <summary>Server ids: the server matches when its id is listed.</summary>
        public IReadOnlyList<string> Ids { get; }

        /// <summary>Servers to leave out: a server matching any exclusion is not selected.</summary>
        public ServerFilter Exclude { get; }

        /// <summary>Exactly one server, in its own region: what a server's "autosnap:&lt;schedule&gt;" metadata targets.</summary>
        public static TargetSelector ForServer(RackspaceServer server)
        {
            if (server == null) throw new ArgumentNullException(nameof(server));
            // The id comes from the cloud: it is what it is, UUID or not.
            return new TargetSelector(Array.Empty<string>(), new[] { server.Id }, Array.Empty<KeyValuePair<string, string>>(), false,
                                      string.IsNullOrEmpty(server.Region) ? Array.Empty<string>() : new[] { server.Region }, false,
                                      ServerFilter.None, Sites.InCode().Child("targets"), idsFromCloud: true);
        }

        /// <summary>
        /// True when the server is selected: its region is one of <see cref="Regions"/> (not checked when Regions is
        /// empty or <see cref="AllRegions"/> is set: the caller lists only the regions it resolved), every selector that
        /// is given matches, and no exclusion does.
        /// </summary>
        public bool Matches(RackspaceServer server) => Matches(server, null);

        /// <summary>
        /// <see cref="Matches(RackspaceServer)"/>, and when the selector names no region (the session's region is
        /// meant), the server must be in <paramref name="sessionRegion"/> (when given).
        /// </summary>
        public bool Matches(RackspaceServer server, string? sessionRegion)
        {
            if (server == null) throw new ArgumentNullException(nameof(server));
            if (!AllRegions)
            {
                if (Regions.Count > 0)
                {
                    if (!Regions.Contains(server.Region, StringComparer.OrdinalIgnoreCase)) return false;
                }
                else if (sessionRegion != null && !string.Equals(server.Region, sessionRegion, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }

            if (Exclude.Matches(server)) return false;
            if (AllServers) return true;
            if (Names.Count > 0 && !Names.Any(pattern => Wildcard.IsMatch(pattern, server.Name))) return false;
            if (Ids.Count > 0 && !Ids.Contains(server.Id, StringComparer.OrdinalIgnoreCase)) return false;
            return Metadata.All(entry => SelectorChecks.HasEntry(server, entry.Key, entry.Value));
        }

        /// <summary>
        /// The regions to list: <see cref="Regions"/>, every catalog region for <see cref="AllRegions"/>, else the
        /// session's. Names are taken as the catalog spells them.
        /// </summary>
        /// <exception cref="PolicyException">PolicyValueInvalid: a region the catalog does not have.</exception>
        public IReadOnlyList<string> ResolveRegions(string sessionRegion, IEnumerable<string> catalogRegions)
        {
            if (catalogRegions == null) throw new ArgumentNullException(nameof(catalogRegions));
            List<string> catalog = catalogRegions.ToList();
            if (AllRegions) return catalog.AsReadOnly();
            if (Regions.Count == 0) return new[] { sessionRegion };
            var result = new List<string>();
            foreach (string region in Regions)
            {
                string? known = catalog.FirstOrDefault(c => string.Equals(c, region, StringComparison.OrdinalIgnoreCase));
                if (known == null)
                {
                    throw new PolicyException(PolicyException.ValueInvalid,
                        "targets.regions: the region '" + region + "' is not in the service catalog (" + string.Join(", ", catalog) + ").",
                        "targets.regions");
                }

                result.Add(known);
            }

            return result.AsReadOnly();
        }

        /// <summary>"names web*, db1 and metadata backup=nightly in DFW, ORD, except names *-test".</summary>
        public override string ToString()
        {
            string what = AllServers ? "all servers" : SelectorChecks.Describe(Names, Ids, Metadata, " and ");
            string where = AllRegions ? " in all regions" : Regions.Count > 0 ? " in " + string.Join(", ", Regions) : string.Empty;
            return what + where + (Exclude.IsEmpty ? string.Empty : ", except " + Exclude);
        }
    }
}
