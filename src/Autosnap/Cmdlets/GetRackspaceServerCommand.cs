using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Policy;

namespace Autosnap.Cmdlets
{
    /// <summary>Lists cloud servers by name (wildcards), id and metadata, in one region, several or all.</summary>
    [Cmdlet(VerbsCommon.Get, "RackspaceServer", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(RackspaceServer))]
    public sealed class GetRackspaceServerCommand : AutosnapCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        /// <summary>Server names; PowerShell wildcards (*, ?, [abc], [a-c], ` escapes), as in policy targets.</summary>
        [Parameter(Position = 0, ParameterSetName = NameSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Server ids. Named ServerId so that a piped snapshot binds its ServerId, not its own Id.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        [ValidateNotNullOrEmpty]
        public string[] ServerId { get; set; } = null!;

        /// <summary>Only servers whose metadata has every one of these keys with a matching value (wildcards in values, as in policy targets).</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? Metadata { get; set; }

        /// <summary>Regions to look in; the session's region when omitted.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Region { get; set; }

        /// <summary>Looks in every region of the session's catalog.</summary>
        [Parameter]
        public SwitchParameter AllRegions { get; set; }

        /// <summary>
        /// Also reads each server's Rackspace Scheduled Images schedule: one request per server, none in a region
        /// without the extension (Unsupported). Without it ScheduledImages says NotChecked.
        /// </summary>
        [Parameter]
        public SwitchParameter IncludeScheduledImages { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public RackspaceSession? Session { get; set; }

        protected override void ProcessRecord()
        {
            RackspaceSession session = ResolveSession(Session);
            IReadOnlyList<string> regions = ResolveRegions(session, Region, AllRegions.IsPresent, "RackspaceServer");
            // The patterns of policy targets (Policy/Wildcard.cs), so -Name and a policy's names select the same servers.
            string[] patterns = Name ?? new[] { "*" };
            var metadataFilter = (Metadata ?? new Hashtable()).Cast<DictionaryEntry>()
                .Select(e => (Key: e.Key.ToString() ?? string.Empty, Pattern: e.Value?.ToString() ?? string.Empty))
                .ToList();
            bool MetadataMatches(RackspaceServer s) => metadataFilter.All(f => SelectorChecks.HasEntry(s, f.Key, f.Pattern));
            // An invalid pattern (an unclosed '[') stops the command before any request, as WildcardPattern does in PowerShell.
            foreach ((string parameter, string pattern) in patterns.Select(p => ("-Name", p)).Concat(metadataFilter.Select(f => ("-Metadata", f.Pattern))))
            {
                string? problem = Wildcard.Problem(pattern);
                if (problem != null)
                {
                    ThrowTerminatingError(new ErrorRecord(new WildcardPatternException(parameter + ": " + problem),
                        "RackspaceServerWildcardInvalid", ErrorCategory.InvalidArgument, pattern));
                }
            }


            Run(async (host, token) =>
            {
                var service = new SnapshotService(session, host);
                var scheduledImages = new ScheduledImagesService(session, host);
                var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                async System.Threading.Tasks.Task Write(RackspaceServer server)
                {
                    if (IncludeScheduledImages.IsPresent) await scheduledImages.AttachAsync(server, token).ConfigureAwait(false);
                    host.Post(() => WriteObject(server));
                }
                foreach (string region in regions)
                {
                    try
                    {
                        if (ParameterSetName == IdSet)
                        {
                            foreach (string id in ServerId)
                            {
                                RackspaceServer? server = await service.Compute(region).FindServerAsync(id, token).ConfigureAwait(false);
                                if (server == null) continue;
                                server.Session = session;
                                found.Add(id);
                                if (MetadataMatches(server)) await Write(server).ConfigureAwait(false);
                            }
                        }
                        else
                        {
                            foreach (RackspaceServer server in await service.ListServersAsync(region, n => patterns.Any(p => Wildcard.IsMatch(p, n)), token).ConfigureAwait(false))
                            {
                                found.UnionWith(Name?.Where(n => Wildcard.IsMatch(n, server.Name)) ?? Enumerable.Empty<string>());
                                if (MetadataMatches(server)) await Write(server).ConfigureAwait(false);
                            }
                        }
                    }
                    catch (CloudException e)
                    {
                        host.Post(() => WriteError(ErrorFor(e, "RackspaceServer", region)));
                    }
                }
                // Like Get-Process: a name without wildcards (or an id) that matched nothing is an error.
                IEnumerable<string> asked = ParameterSetName == IdSet ? ServerId : (Name ?? new string[0]).Where(n => !Wildcard.HasWildcards(n));
                foreach (string missing in asked.Where(a => !found.Contains(a)))
                {
                    host.Post(() => WriteError(new ErrorRecord(
                        new ItemNotFoundException($"No server with {(ParameterSetName == IdSet ? "id" : "name")} '{missing}' in {string.Join(", ", regions)}."),
                        "RackspaceServerNotFound", ErrorCategory.ObjectNotFound, missing)));
                }
            });
        }
    }
}
