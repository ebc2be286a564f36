using System;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// What -Server accepts: a server object (from Get-RackspaceServer), or a server id or name as text.
    /// PowerShell converts either into this type through its constructors.
    /// </summary>
    public sealed class ServerReference
    {
        public ServerReference(RackspaceServer server)
        {
            Server = server ?? throw new ArgumentNullException(nameof(server));
            Text = server.Id;
        }

        public ServerReference(string idOrName)
        {
            if (string.IsNullOrWhiteSpace(idOrName)) throw new ArgumentException("A server id or name cannot be empty.", nameof(idOrName));
            Text = idOrName.Trim();
        }

        /// <summary>The server object, when one was given.</summary>
        public RackspaceServer? Server { get; }

        /// <summary>The id, or the id or name typed.</summary>
        public string Text { get; }

        public override string ToString() => Server?.ToString() ?? Text;
    }
}
