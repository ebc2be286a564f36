using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Model;
using Newtonsoft.Json.Linq;

namespace Autosnap.Cloud
{
    /// <summary>
    /// The networks of one region: Neutron's /v2.0/networks where the catalog has a "network" endpoint, else
    /// Rackspace Cloud Networks through the compute endpoint (os-networksv2). Which networks a server is on: Neutron's
    /// ports of the server, else its addresses' network names matched against the list.
    /// </summary>
    public sealed class NetworkClient
    {
        // Rackspace's provider networks: PublicNet and ServiceNet ("private"), the same ids in every region.
        private static readonly HashSet<string> RackspaceProviderNetworks = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            { "00000000-0000-0000-0000-000000000000", "11111111-1111-1111-1111-111111111111" };

        private readonly CloudSession _session;
        private readonly ICloudLog _log;
        private readonly Uri? _neutron;
        private readonly string _computeBase;

        public NetworkClient(CloudSession session, string region, ICloudLog log)
        {
            _session = session;
            _log = log;
            Region = region;
            _neutron = session.Identity.Catalog.NetworkUrl(region);
            _computeBase = session.Identity.Catalog.ComputeUrl(region).AbsoluteUri.TrimEnd('/');
        }

        public string Region { get; }

        /// <summary>True when the region has Neutron; false when networks come from the compute endpoint (os-networksv2).</summary>
        public bool IsNeutron => _neutron != null;

        /// <summary>Every network the project can use in this region.</summary>
        public async Task<IReadOnlyList<RackspaceNetwork>> ListNetworksAsync(CancellationToken cancellationToken)
        {
            if (_neutron != null)
            {
                return await LinkedPages.ReadAllAsync(_session, _log, "network", Region, _neutron.AbsoluteUri.TrimEnd('/'), "/networks", "networks",
                    "list networks", n => new RackspaceNetwork(
                        JsonFields.String(n, "id"),
                        JsonFields.OptionalString(n, "name") ?? string.Empty,
                        JsonFields.OptionalString(n, "status"),
                        string.Equals(JsonFields.OptionalString(n, "shared"), "true", StringComparison.OrdinalIgnoreCase) ||
                        string.Equals(JsonFields.OptionalString(n, "router:external"), "true", StringComparison.OrdinalIgnoreCase),
                        Region), n => n.Id, cancellationToken).ConfigureAwait(false);
            }
            var request = new CloudRequest(HttpMethod.Get, new Uri(_computeBase + "/os-networksv2"), "compute", $"list networks in {Region}") { Region = Region };
            return await _session.SendAsync<IReadOnlyList<RackspaceNetwork>>(request, response =>
                JsonFields.Array(JsonFields.Parse(response.Body), "networks").OfType<JObject>()
                    .Select(n =>
                    {
                        string id = JsonFields.String(n, "id");
                        return new RackspaceNetwork(id, JsonFields.OptionalString(n, "label") ?? string.Empty, null, RackspaceProviderNetworks.Contains(id), Region);
                    }).ToList(), _log, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The ids of the networks the server is attached to, in order: Neutron's ports of the server where there is
        /// Neutron, else (or when the ports cannot be read) its addresses' network names matched against the network
        /// list. A name that matches no network or several is a problem (the ids are then null), never a guess.
        /// </summary>
        public async Task<(IReadOnlyList<string>? Ids, string? Problem)> ServerNetworkIdsAsync(RackspaceServer server, CancellationToken cancellationToken)
        {
            if (_neutron != null)
            {
                var request = new CloudRequest(HttpMethod.Get, new Uri(_neutron.AbsoluteUri.TrimEnd('/') + "/ports?device_id=" + Uri.EscapeDataString(server.Id)),
                    "network", $"list ports of server {server.Id} in {Region}") { Region = Region };
                request.AcceptedStatus.Add(HttpStatusCode.NotFound);
                IReadOnlyList<string>? fromPorts = await _session.SendAsync<IReadOnlyList<string>?>(request, response =>
                    response.Status == HttpStatusCode.NotFound
                        ? null
                        : JsonFields.Array(JsonFields.Parse(response.Body), "ports").OfType<JObject>()
                            .Where(p => string.Equals(JsonFields.OptionalString(p, "device_id"), server.Id, StringComparison.OrdinalIgnoreCase))
                            .Select(p => JsonFields.String(p, "network_id")).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
                    _log, cancellationToken).ConfigureAwait(false);
                if (fromPorts != null && (fromPorts.Count > 0 || server.Addresses.Count == 0)) return (fromPorts, null);
            }
            if (server.Addresses.Count == 0) return (Array.Empty<string>(), null);
            IReadOnlyList<RackspaceNetwork> networks = await ListNetworksAsync(cancellationToken).ConfigureAwait(false);
            var ids = new List<string>();
            foreach (string name in server.Addresses.Keys)
            {
                var matches = networks.Where(n => string.Equals(n.Name, name, StringComparison.Ordinal)).ToList();
                if (matches.Count != 1)
                {
                    return (null, matches.Count == 0
                        ? $"the server's network '{name}' is not in the network list"
                        : $"{matches.Count} networks are named '{name}'");
                }
                if (!ids.Contains(matches[0].Id)) ids.Add(matches[0].Id);
            }
            return (ids, null);
        }
    }
}
