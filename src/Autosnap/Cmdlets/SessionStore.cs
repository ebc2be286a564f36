using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// The sessions of each runspace and which one is the default. Per runspace, not per process: two runspaces
    /// (ForEach-Object -Parallel, jobs, a host with several) never see each other's connections.
    /// </summary>
    internal static class SessionStore
    {
        private sealed class RunspaceSessions
        {
            public readonly List<RackspaceSession> Sessions = new List<RackspaceSession>();
            public RackspaceSession? Default;
        }

        private static readonly ConditionalWeakTable<Runspace, RunspaceSessions> ByRunspace = new ConditionalWeakTable<Runspace, RunspaceSessions>();
        private static readonly RunspaceSessions NoRunspace = new RunspaceSessions();

        private static RunspaceSessions Current =>
            Runspace.DefaultRunspace is Runspace runspace ? ByRunspace.GetOrCreateValue(runspace) : NoRunspace;

        public static RackspaceSession? Default
        {
            get { lock (Current) return Current.Default; }
        }

        public static IReadOnlyList<RackspaceSession> All
        {
            get { lock (Current) return Current.Sessions.ToList(); }
        }

        public static void Add(RackspaceSession session, bool makeDefault)
        {
            RunspaceSessions current = Current;
            lock (current)
            {
                current.Sessions.Add(session);
                if (makeDefault || current.Default == null) current.Default = session;
            }
        }

        public static bool Remove(RackspaceSession session)
        {
            RunspaceSessions current = Current;
            lock (current)
            {
                bool removed = current.Sessions.Remove(session);
                // Never fall back to another session silently: it may be another account.
                if (current.Default == session) current.Default = null;
                return removed;
            }
        }
    }
}
