using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>Lists the networks of a region (Neutron, or Rackspace Cloud Networks): the values Restore-AutoSnapshot -Network takes.</summary>
    [Cmdlet(VerbsCommon.Get, "RackspaceNetwork")]
    [OutputType(typeof(RackspaceNetwork))]
    public sealed class GetRackspaceNetworkCommand : RegionListCommand<RackspaceNetwork>
    {
        private protected override string Noun => "RackspaceNetwork";
        private protected override string Kind => "network";
        private protected override (string Id, string Name) Keys(RackspaceNetwork network) => (network.Id, network.Name);

        private protected override IEnumerable<RackspaceNetwork> List(RackspaceSession session, string region) =>
            Run((host, token) => new NetworkClient(session.Cloud, region, host).ListNetworksAsync(token))
                .OrderBy(n => n.Name, StringComparer.OrdinalIgnoreCase);
    }
}
