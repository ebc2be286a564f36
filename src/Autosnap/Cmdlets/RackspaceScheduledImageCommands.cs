using System;
using System.Management.Automation;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Turns Rackspace Scheduled Images on for servers (daily, or weekly on a UTC day, keeping the newest n of the
    /// service's images): how a server is handed back from Autosnap to the provider's own snapshots.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Enable, "RackspaceScheduledImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(RackspaceServer))]
    public sealed class EnableRackspaceScheduledImageCommand : ScheduledImageCommand
    {
        /// <summary>How many of the service's images of the server it keeps (1 to 65535). Binds ScheduledImageRetention of piped servers.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("ScheduledImageRetention")]
        [ValidateRange(1, ScheduledImagesExtension.MaxRetention)]
        public int Retention { get; set; }

        /// <summary>A weekly schedule on this UTC day; daily when omitted. Binds ScheduledImageDayOfWeek of piped servers.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ScheduledImageDayOfWeek")]
        public DayOfWeek? DayOfWeek { get; set; }

        protected override string Action =>
            "Enable Rackspace Scheduled Images (" + new ImageSchedule(Retention, DayOfWeek) + ")";

        protected override RackspaceServer Change(RackspaceSession session, RackspaceServer server) =>
            server.WithScheduledImages(ScheduledImagesState.Off,
                Run((host, token) => new ScheduledImagesService(session, host).EnableAsync(server, Retention, DayOfWeek, token)));
    }

    /// <summary>
    /// Turns Rackspace Scheduled Images off for servers: how a server is handed over to Autosnap. The images the
    /// service already made stay; from now on nothing culls them, so delete or keep them yourself.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Disable, "RackspaceScheduledImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(RackspaceServer))]
    public sealed class DisableRackspaceScheduledImageCommand : ScheduledImageCommand
    {
        protected override string Action => "Disable Rackspace Scheduled Images";

        protected override RackspaceServer Change(RackspaceSession session, RackspaceServer server)
        {
            Run((host, token) => new ScheduledImagesService(session, host).DisableAsync(server, token));
            return server.WithScheduledImages(ScheduledImagesState.Off, null);
        }
    }

    /// <summary>Enable- and Disable-RackspaceScheduledImage: find the server, refuse clouds without the extension, ask, change.</summary>
    public abstract class ScheduledImageCommand : AutosnapCmdlet
    {
        /// <summary>Servers: objects from Get-RackspaceServer, ids or names; binds ServerId of piped objects (snapshots, for one).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerId")]
        [ArgumentCompleter(typeof(ServerCompleter))]
        [ValidateNotNullOrEmpty]
        public ServerReference[] Server { get; set; } = null!;

        /// <summary>The region of servers given by id or name; the session's when omitted. Binds Region of piped objects.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string? Region { get; set; }

        /// <summary>Writes each changed server, with its Scheduled Images state as it is now.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>The session to use; the default session when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public RackspaceSession? Session { get; set; }

        /// <summary>What ShouldProcess shows.</summary>
        protected abstract string Action { get; }

        /// <summary>The change itself, on a server of a region that has the extension; returns the server as it is now.</summary>
        protected abstract RackspaceServer Change(RackspaceSession session, RackspaceServer server);

        protected override void ProcessRecord()
        {
            foreach (ServerReference reference in Server)
            {
                RackspaceSession session = ResolveSession(Session ?? reference.Server?.Session);
                string region = reference.Server?.Region ?? ResolveRegion(session, Region, "RackspaceScheduledImage");
                RackspaceServer server;
                try
                {
                    server = Run(async (host, token) =>
                    {
                        RackspaceServer found = reference.Server ?? await new SnapshotService(session, host).ResolveServerAsync(reference.Text, region, token).ConfigureAwait(false);
                        // Said before asking, and under -WhatIf too: there is nothing to confirm where the service does not exist.
                        if (!await new ScheduledImagesService(session, host).IsSupportedAsync(region, token).ConfigureAwait(false))
                        {
                            throw new ScheduledImagesUnsupportedException(region);
                        }
                        return found;
                    });
                }
                catch (ScheduledImagesUnsupportedException e)
                {
                    WriteError(new ErrorRecord(e, "RackspaceScheduledImagesUnsupported", ErrorCategory.NotImplemented, reference.ToString()));
                    continue;
                }
                catch (CloudException e)
                {
                    WriteError(ErrorFor(e, "RackspaceScheduledImage", reference.ToString()));
                    continue;
                }
                if (!ShouldProcess($"{server.Name} ({server.Id}) in {server.Region}", Action)) continue;
                RackspaceServer changed;
                try
                {
                    changed = Change(session, server);
                }
                catch (ScheduledImagesUnsupportedException e)
                {
                    WriteError(new ErrorRecord(e, "RackspaceScheduledImagesUnsupported", ErrorCategory.NotImplemented, server));
                    continue;
                }
                catch (CloudException e)
                {
                    WriteError(ErrorFor(e, "RackspaceScheduledImage", server));
                    continue;
                }
                if (PassThru.IsPresent) WriteObject(changed);
            }
        }
    }
}
