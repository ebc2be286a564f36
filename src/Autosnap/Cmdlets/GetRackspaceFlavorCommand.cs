using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>Lists the flavors (server sizes) of a region: the values Restore-AutoSnapshot -Flavor takes.</summary>
    [Cmdlet(VerbsCommon.Get, "RackspaceFlavor")]
    [OutputType(typeof(RackspaceFlavor))]
    public sealed class GetRackspaceFlavorCommand : RegionListCommand<RackspaceFlavor>
    {
        private protected override string Noun => "RackspaceFlavor";
        private protected override string Kind => "flavor";
        private protected override (string Id, string Name) Keys(RackspaceFlavor flavor) => (flavor.Id, flavor.Name);

        private protected override IEnumerable<RackspaceFlavor> List(RackspaceSession session, string region) =>
            Run((host, token) => new SnapshotService(session, host).Compute(region).ListFlavorsAsync(token))
                .OrderBy(f => f.RamMB).ThenBy(f => f.Vcpus).ThenBy(f => f.Name);
    }
}
