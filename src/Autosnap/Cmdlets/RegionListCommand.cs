using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Policy;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// The shape of Get-RackspaceFlavor and Get-RackspaceNetwork: one listing of a region, filtered by -Name (names or
    /// ids, PowerShell wildcards), a not-found error for each plain name that matched nothing.
    /// </summary>
    public abstract class RegionListCommand<T> : AutosnapCmdlet where T : class
    {
        /// <summary>Names or ids; PowerShell wildcards.</summary>
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

        /// <summary>The noun of the error ids ("RackspaceFlavor").</summary>
        private protected abstract string Noun { get; }

        /// <summary>What one item is called in messages ("flavor").</summary>
        private protected abstract string Kind { get; }

        /// <summary>The region's items, in the order they are written.</summary>
        private protected abstract IEnumerable<T> List(RackspaceSession session, string region);

        private protected abstract (string Id, string Name) Keys(T item);

        protected override void ProcessRecord()
        {
            RackspaceSession session = ResolveSession(Session);
            string region = ResolveRegion(session, Region, Noun);
            string[] patterns = Name ?? new[] { "*" };
            foreach (string pattern in patterns)
            {
                if (Wildcard.Problem(pattern) is string problem)
                    ThrowTerminatingError(new ErrorRecord(new WildcardPatternException("-Name: " + problem), Noun + "WildcardInvalid", ErrorCategory.InvalidArgument, pattern));
            }
            try
            {
                var found = new HashSet<string>();
                foreach (T item in List(session, region))
                {
                    var (id, name) = Keys(item);
                    var matched = patterns.Where(p => Wildcard.IsMatch(p, name) || Wildcard.IsMatch(p, id)).ToList();
                    if (matched.Count == 0) continue;
                    found.UnionWith(matched);
                    WriteObject(item);
                }
                foreach (string missing in patterns.Where(p => !Wildcard.HasWildcards(p) && !found.Contains(p)))
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No {Kind} with name or id '{missing}' in {region}."),
                        Noun + "NotFound", ErrorCategory.ObjectNotFound, missing));
                }
            }
            catch (CloudException e)
            {
                WriteError(ErrorFor(e, Noun, region));
            }
        }
    }
}
