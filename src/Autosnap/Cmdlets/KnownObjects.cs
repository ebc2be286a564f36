using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// The servers, images and schedules this runspace has already seen in what Autosnap cmdlets wrote. Tab completion
    /// offers them and the format views show a server's name instead of its id, without a single call to the cloud:
    /// pressing Tab must never send requests. Per runspace, like the sessions (<see cref="SessionStore"/>).
    /// </summary>
    public static class KnownObjects
    {
        /// <summary>At most this many images are remembered; the oldest seen are forgotten first.</summary>
        internal const int MaxImages = 10000;

        private sealed class Known
        {
            public readonly Dictionary<string, RackspaceServer> Servers = new Dictionary<string, RackspaceServer>(StringComparer.OrdinalIgnoreCase);
            public readonly Dictionary<string, string> ServerNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            public readonly Dictionary<string, AutoSnapshot> Images = new Dictionary<string, AutoSnapshot>(StringComparer.OrdinalIgnoreCase);
            public readonly Queue<string> ImageOrder = new Queue<string>();
            public readonly HashSet<string> Schedules = new HashSet<string>(StringComparer.Ordinal);
            public readonly Dictionary<string, RackspaceFlavor> Flavors = new Dictionary<string, RackspaceFlavor>(StringComparer.OrdinalIgnoreCase);
            public readonly Dictionary<string, RackspaceNetwork> Networks = new Dictionary<string, RackspaceNetwork>(StringComparer.OrdinalIgnoreCase);
        }

        private static readonly ConditionalWeakTable<Runspace, Known> ByRunspace = new ConditionalWeakTable<Runspace, Known>();
        private static readonly Known NoRunspace = new Known();

        private static Known Current =>
            Runspace.DefaultRunspace is Runspace runspace ? ByRunspace.GetOrCreateValue(runspace) : NoRunspace;

        /// <summary>Takes note of what an output object tells: servers, images, server names and schedules.</summary>
        internal static void Remember(object? output)
        {
            Known known = Current;
            lock (known)
            {
                switch (output)
                {
                    case RackspaceServer server:
                        known.Servers[server.Id] = server;
                        known.ServerNames[server.Id] = server.Name;
                        break;
                    case AutoSnapshot image:
                        RememberImage(known, image);
                        break;
                    case RotationDecision decision:
                        RememberImage(known, decision.Snapshot);
                        break;
                    case SnapshotJobResult result:
                        if (result.Target == JobTarget.Server && result.ServerId.Length > 0) known.ServerNames[result.ServerId] = result.ServerName;
                        known.Schedules.Add(result.Schedule);
                        if (result.Snapshot != null) RememberImage(known, result.Snapshot);
                        break;
                    case RackspaceFlavor flavor:
                        known.Flavors[flavor.Region + "/" + flavor.Id] = flavor;
                        break;
                    case RackspaceNetwork network:
                        known.Networks[network.Region + "/" + network.Id] = network;
                        break;
                    case AutoSnapshotFreshness freshness:
                        if (freshness.ServerId != null && freshness.ServerName != null) known.ServerNames[freshness.ServerId] = freshness.ServerName;
                        if (freshness.Schedule != null) known.Schedules.Add(freshness.Schedule);
                        break;
                }
            }
        }

        private static void RememberImage(Known known, AutoSnapshot image)
        {
            if (!known.Images.ContainsKey(image.Id))
            {
                known.ImageOrder.Enqueue(image.Id);
                while (known.ImageOrder.Count > MaxImages) known.Images.Remove(known.ImageOrder.Dequeue());
            }
            known.Images[image.Id] = image;
            if (image.IsAutosnap && image.Schedule != null) known.Schedules.Add(image.Schedule);
        }

        /// <summary>The server's name when this runspace has seen it, else the id as given (for the format views).</summary>
        public static string? ServerLabel(string? serverId)
        {
            if (string.IsNullOrEmpty(serverId)) return serverId;
            Known known = Current;
            lock (known) return known.ServerNames.TryGetValue(serverId!, out string? name) ? name : serverId;
        }

        internal static IReadOnlyList<RackspaceServer> Servers
        {
            get { Known known = Current; lock (known) return known.Servers.Values.ToList(); }
        }

        /// <summary>Every (id, name) pair of a server seen, also those only named in job results and freshness reports.</summary>
        internal static IReadOnlyList<KeyValuePair<string, string>> ServerNames
        {
            get { Known known = Current; lock (known) return known.ServerNames.ToList(); }
        }

        internal static IReadOnlyList<AutoSnapshot> Images
        {
            get { Known known = Current; lock (known) return known.Images.Values.ToList(); }
        }

        internal static IReadOnlyList<string> Schedules
        {
            get { Known known = Current; lock (known) return known.Schedules.ToList(); }
        }

        internal static IReadOnlyList<RackspaceFlavor> Flavors
        {
            get { Known known = Current; lock (known) return known.Flavors.Values.ToList(); }
        }

        internal static IReadOnlyList<RackspaceNetwork> Networks
        {
            get { Known known = Current; lock (known) return known.Networks.Values.ToList(); }
        }

        /// <summary>Forgets everything this runspace has seen (tests).</summary>
        internal static void Clear()
        {
            Known known = Current;
            lock (known)
            {
                known.Servers.Clear();
                known.ServerNames.Clear();
                known.Images.Clear();
                known.ImageOrder.Clear();
                known.Schedules.Clear();
                known.Flavors.Clear();
                known.Networks.Clear();
            }
        }
    }
}
