using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Policy;

namespace Autosnap.Cmdlets
{
    /// <summary>Lists the networks of a region (Neutron, or Rackspace Cloud Networks): the values Restore-AutoSnapshot -Network takes.</summary>
    [Cmdlet(VerbsCommon.Get, "RackspaceNetwork")]
    [OutputType(typeof(RackspaceNetwork))]
    public sealed class GetRackspaceNetworkCommand : AutosnapCmdlet
    {
        /// <summary>Network names or ids; PowerShell wildcards.</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>The region; the session's when omitted.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Region { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public RackspaceSession? Session { get; set; }

        protected override void ProcessRecord()
        {
            RackspaceSession session = ResolveSession(Session);
            string region = ResolveRegion(session, Region, "RackspaceNetwork");
            string[] patterns = Name ?? new[] { "*" };
            foreach (string pattern in patterns)
            {
                if (Wildcard.Problem(pattern) is string problem)
                    ThrowTerminatingError(new ErrorRecord(new WildcardPatternException("-Name: " + problem), "RackspaceNetworkWildcardInvalid", ErrorCategory.InvalidArgument, pattern));
            }
            try
            {
                IReadOnlyList<RackspaceNetwork> networks = Run((host, token) => new NetworkClient(session.Cloud, region, host).ListNetworksAsync(token));
                var found = new HashSet<string>();
                foreach (RackspaceNetwork network in networks.OrderBy(n => n.Name, System.StringComparer.OrdinalIgnoreCase))
                {
                    var matched = patterns.Where(p => Wildcard.IsMatch(p, network.Name) || Wildcard.IsMatch(p, network.Id)).ToList();
                    if (matched.Count == 0) continue;
                    found.UnionWith(matched);
                    WriteObject(network);
                }
                foreach (string missing in patterns.Where(p => !Wildcard.HasWildcards(p) && !found.Contains(p)))
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No network with name or id '{missing}' in {region}."),
                        "RackspaceNetworkNotFound", ErrorCategory.ObjectNotFound, missing));
                }
            }
            catch (CloudException e)
            {
                WriteError(ErrorFor(e, "RackspaceNetwork", region));
            }
        }
    }
}
