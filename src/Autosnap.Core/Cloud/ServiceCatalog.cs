using System;
using System.Collections.Generic;
using System.Linq;

namespace Autosnap.Cloud
{
    /// <summary>One endpoint of the service catalog.</summary>
    public sealed class ServiceEndpoint
    {
        public ServiceEndpoint(string type, string name, string? region, Uri url, string @interface)
        {
            Type = type;
            Name = name;
            Region = region;
            Url = url;
            Interface = @interface;
        }

        public string Type { get; }
        public string Name { get; }
        public string? Region { get; }
        public Uri Url { get; }
        public string Interface { get; }
    }

    /// <summary>
    /// The catalog an identity service returned: which compute (Nova) and image (Glance) endpoints exist in which
    /// region. Rackspace lists a first-generation "cloudServers" compute entry without a region; it is never used.
    /// </summary>
    public sealed class ServiceCatalog
    {
        // Rackspace's next-generation servers; preferred when a catalog has several compute entries in a region.
        private const string RackspaceCompute = "cloudServersOpenStack";

        public ServiceCatalog(IEnumerable<ServiceEndpoint> endpoints)
        {
            Endpoints = endpoints.Where(e => e.Interface.Equals("public", StringComparison.OrdinalIgnoreCase)).ToList();
        }

        public IReadOnlyList<ServiceEndpoint> Endpoints { get; }

        /// <summary>Regions with a compute endpoint, in catalog order: where servers can be snapshotted.</summary>
        public IReadOnlyList<string> ComputeRegions =>
            Endpoints.Where(e => e.Type == "compute" && e.Region != null).Select(e => e.Region!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        /// <summary>The region as the catalog spells it, or null when the catalog has no compute endpoint there.</summary>
        public string? FindRegion(string region) =>
            ComputeRegions.FirstOrDefault(r => r.Equals(region, StringComparison.OrdinalIgnoreCase));

        public Uri ComputeUrl(string region)
        {
            ServiceEndpoint? endpoint = InRegion("compute", region)
                .OrderByDescending(e => e.Name.Equals(RackspaceCompute, StringComparison.OrdinalIgnoreCase))
                .FirstOrDefault();
            return endpoint?.Url ?? throw Missing("compute", region);
        }

        /// <summary>
        /// The Glance v2 base URL ("…/v2"). Generic clouds list Glance without a version (http://host:9292);
        /// Rackspace's cloudImages URL already ends in /v2.
        /// </summary>
        public Uri ImageUrl(string region)
        {
            ServiceEndpoint endpoint = InRegion("image", region).FirstOrDefault() ?? throw Missing("image", region);
            string url = endpoint.Url.AbsoluteUri.TrimEnd('/');
            return new Uri(url.EndsWith("/v2", StringComparison.OrdinalIgnoreCase) ? url : url + "/v2");
        }

        /// <summary>
        /// The block storage endpoint of a region, or null when the catalog has none: Cinder v3 (type volumev3 or
        /// block-storage), else v2 (volumev2), else Rackspace Cloud Block Storage (cloudBlockStorage, type volume),
        /// which speaks the v1 API (display_name, display_description).
        /// </summary>
        public (Uri Url, bool IsV1)? BlockStorage(string region)
        {
            foreach (string type in new[] { "volumev3", "block-storage", "volumev2" })
            {
                if (InRegion(type, region).FirstOrDefault() is ServiceEndpoint endpoint) return (endpoint.Url, false);
            }
            if (InRegion("volume", region).FirstOrDefault() is ServiceEndpoint v1)
            {
                // The unversioned "volume" type is v1 on Rackspace and on old clouds; a URL that says v2/v3 is newer.
                string path = v1.Url.AbsolutePath;
                bool newer = path.IndexOf("/v2", StringComparison.OrdinalIgnoreCase) >= 0 || path.IndexOf("/v3", StringComparison.OrdinalIgnoreCase) >= 0;
                return (v1.Url, !newer);
            }
            return null;
        }

        /// <summary>
        /// Neutron's base URL with its version ("…/v2.0"), or null when the region's catalog has no network endpoint
        /// (Rackspace's Cloud Networks are then reached through the compute endpoint's os-networksv2).
        /// </summary>
        public Uri? NetworkUrl(string region)
        {
            if (!(InRegion("network", region).FirstOrDefault() is ServiceEndpoint endpoint)) return null;
            string url = endpoint.Url.AbsoluteUri.TrimEnd('/');
            return new Uri(url.EndsWith("/v2.0", StringComparison.OrdinalIgnoreCase) ? url : url + "/v2.0");
        }

        private IEnumerable<ServiceEndpoint> InRegion(string type, string region) =>
            Endpoints.Where(e => e.Type == type && e.Region != null && e.Region.Equals(region, StringComparison.OrdinalIgnoreCase));

        private CloudException Missing(string type, string region) =>
            new CloudException(CloudErrorKind.Configuration,
                $"The service catalog has no {type} endpoint in region '{region}'. Regions with compute: {string.Join(", ", ComputeRegions)}.");
    }
}
