using System.Linq;
using System.Management.Automation;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>Forgets sessions: the default one, the ones given, or all of this runspace.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "RackspaceCloud", DefaultParameterSetName = SessionSet)]
    [OutputType(typeof(void))]
    public sealed class DisconnectRackspaceCloudCommand : AutosnapCmdlet
    {
        private const string SessionSet = "Session";
        private const string AllSet = "All";

        /// <summary>The sessions to close; the default session when omitted.</summary>
        [Parameter(ParameterSetName = SessionSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        public RackspaceSession[]? Session { get; set; }

        /// <summary>Closes every session of this runspace.</summary>
        [Parameter(Mandatory = true, ParameterSetName = AllSet)]
        public SwitchParameter All { get; set; }

        protected override void ProcessRecord()
        {
            var sessions = All.IsPresent ? SessionStore.All.ToArray()
                : Session ?? (SessionStore.Default != null ? new[] { SessionStore.Default } : new RackspaceSession[0]);
            foreach (RackspaceSession session in sessions)
            {
                if (SessionStore.Remove(session))
                {
                    WriteVerbose($"Disconnected {session}.");
                }
                // The token and the credential go with it: nothing of the session stays in memory on purpose.
                session.Cloud.Dispose();
            }
        }
    }

    /// <summary>Lists the sessions of this runspace (the default one first).</summary>
    [Cmdlet(VerbsCommon.Get, "RackspaceSession")]
    [OutputType(typeof(RackspaceSession))]
    public sealed class GetRackspaceSessionCommand : AutosnapCmdlet
    {
        /// <summary>Only the default session.</summary>
        [Parameter]
        public SwitchParameter Default { get; set; }

        protected override void EndProcessing()
        {
            RackspaceSession? current = SessionStore.Default;
            var sessions = Default.IsPresent
                ? (current != null ? new[] { current } : new RackspaceSession[0])
                : SessionStore.All.OrderByDescending(s => s == current).ToArray();
            foreach (RackspaceSession session in sessions) WriteObject(session);
        }
    }
}
