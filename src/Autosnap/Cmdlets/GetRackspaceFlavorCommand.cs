using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Policy;

namespace Autosnap.Cmdlets
{
    /// <summary>Lists the flavors (server sizes) of a region: the values Restore-AutoSnapshot -Flavor takes.</summary>
    [Cmdlet(VerbsCommon.Get, "RackspaceFlavor")]
    [OutputType(typeof(RackspaceFlavor))]
    public sealed class GetRackspaceFlavorCommand : AutosnapCmdlet
    {
        /// <summary>Flavor names or ids; PowerShell wildcards.</summary>
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
            string region = ResolveRegion(session, Region, "RackspaceFlavor");
            string[] patterns = Name ?? new[] { "*" };
            foreach (string pattern in patterns)
            {
                if (Wildcard.Problem(pattern) is string problem)
                    ThrowTerminatingError(new ErrorRecord(new WildcardPatternException("-Name: " + problem), "RackspaceFlavorWildcardInvalid", ErrorCategory.InvalidArgument, pattern));
            }
            try
            {
                IReadOnlyList<RackspaceFlavor> flavors = Run((host, token) => new SnapshotService(session, host).Compute(region).ListFlavorsAsync(token));
                var found = new HashSet<string>();
                foreach (RackspaceFlavor flavor in flavors.OrderBy(f => f.RamMB).ThenBy(f => f.Vcpus).ThenBy(f => f.Name))
                {
                    var matched = patterns.Where(p => Wildcard.IsMatch(p, flavor.Name) || Wildcard.IsMatch(p, flavor.Id)).ToList();
                    if (matched.Count == 0) continue;
                    found.UnionWith(matched);
                    WriteObject(flavor);
                }
                foreach (string missing in patterns.Where(p => !Wildcard.HasWildcards(p) && !found.Contains(p)))
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No flavor with name or id '{missing}' in {region}."),
                        "RackspaceFlavorNotFound", ErrorCategory.ObjectNotFound, missing));
                }
            }
            catch (CloudException e)
            {
                WriteError(ErrorFor(e, "RackspaceFlavor", region));
            }
        }
    }
}
