using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Lists Autosnap's snapshots (images carrying its ownership metadata) by server, schedule and status, following
    /// pagination and filtering on the server, and streams them down the pipeline page by page.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "AutoSnapshot", DefaultParameterSetName = ServerSet)]
    [OutputType(typeof(AutoSnapshot))]
    public sealed class GetAutoSnapshotCommand : AutosnapCmdlet
    {
        private const string ServerSet = "Server";
        private const string IdSet = "Id";

        /// <summary>Only snapshots of these servers: objects, ids or names.</summary>
        [Parameter(Position = 0, ParameterSetName = ServerSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerId")]
        [ArgumentCompleter(typeof(ServerCompleter))]
        [ValidateNotNullOrEmpty]
        public ServerReference[]? Server { get; set; }

        /// <summary>Only these schedules (pools).</summary>
        [Parameter(ParameterSetName = ServerSet)]
        [ArgumentCompleter(typeof(ScheduleCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Schedule { get; set; }

        /// <summary>Only these status classes.</summary>
        [Parameter]
        public SnapshotState[]? Status { get; set; }

        /// <summary>Specific images by id.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ArgumentCompleter(typeof(ImageIdCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; } = null!;

        /// <summary>Also the server's images that are not Autosnap's.</summary>
        [Parameter]
        public SwitchParameter IncludeForeign { get; set; }

        /// <summary>Regions to look in; the session's region when omitted.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Region { get; set; }

        /// <summary>Every region of the catalog.</summary>
        [Parameter]
        public SwitchParameter AllRegions { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public RackspaceSession? Session { get; set; }

        protected override void ProcessRecord()
        {
            RackspaceSession session = ResolveSession(Session);
            if (ParameterSetName == IdSet)
            {
                WriteByIds(session);
                return;
            }
            foreach (ServerReference? reference in Server ?? new ServerReference?[] { null })
            {
                IReadOnlyList<string> regions = reference?.Server != null
                    ? new[] { reference.Server.Region }
                    : ResolveRegions(session, Region, AllRegions.IsPresent, "AutoSnapshot");
                foreach (string region in regions)
                {
                    try
                    {
                        Run(async (host, token) =>
                        {
                            var filter = new SnapshotFilter
                            {
                                Schedules = Schedule ?? new string[0],
                                States = Status ?? new SnapshotState[0],
                                IncludeForeign = IncludeForeign.IsPresent,
                                ServerId = reference == null ? null
                                    : reference.Server?.Id
                                    // An id is used as it is: the server may be gone and its snapshots orphaned.
                                    ?? (Guid.TryParse(reference.Text, out _) ? reference.Text
                                        : (await new SnapshotService(session, host).ResolveServerAsync(reference.Text, region, token).ConfigureAwait(false)).Id),
                            };
                            await new SnapshotFinder(session, host).ListAsync(region, filter, image => host.Post(() => WriteObject(image)), token).ConfigureAwait(false);
                        });
                    }
                    catch (CloudException e)
                    {
                        WriteError(ErrorFor(e, "AutoSnapshot", (object?)reference ?? region));
                    }
                }
            }
        }

        private void WriteByIds(RackspaceSession session)
        {
            IReadOnlyList<string> regions = ResolveRegions(session, Region, AllRegions.IsPresent, "AutoSnapshot");
            foreach (string id in Id)
            {
                try
                {
                    AutoSnapshot? image = Run(async (host, token) =>
                    {
                        foreach (string region in regions)
                        {
                            AutoSnapshot? found = await new SnapshotService(session, host).FindImageAsync(id, region, token).ConfigureAwait(false);
                            if (found != null) return found;
                        }
                        return null;
                    });
                    if (image == null)
                    {
                        WriteError(new ErrorRecord(new ItemNotFoundException($"No image with id '{id}' in {string.Join(", ", regions)}."),
                            "AutoSnapshotNotFound", ErrorCategory.ObjectNotFound, id));
                    }
                    else if ((image.IsAutosnap || IncludeForeign.IsPresent) && (Status == null || Status.Contains(image.State)))
                    {
                        WriteObject(image);
                    }
                    else if (!image.IsAutosnap)
                    {
                        WriteError(new ErrorRecord(new InvalidOperationException(
                            $"Image '{image.Name}' ({id}) is not Autosnap's (it has no autosnap metadata); add -IncludeForeign to see it."),
                            "AutoSnapshotNotOwned", ErrorCategory.InvalidOperation, image));
                    }
                }
                catch (CloudException e)
                {
                    WriteError(ErrorFor(e, "AutoSnapshot", id));
                }
            }
        }
    }
}
