using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>
    /// What a restore needs that an image does not say by itself: the server's flavor, networks, key pair, security
    /// groups and availability zone. Recorded in the image's metadata at snapshot time (a few small keys, each at most
    /// 255 characters, within the cloud's metadata item limit); read back by <see cref="RestoreService"/>. A hint that
    /// cannot be read or does not fit is left out with a warning: a snapshot never fails for a restore hint.
    /// </summary>
    public sealed class RestoreHints
    {
        /// <summary>Glance and Nova refuse property values longer than this.</summary>
        public const int MaxValueLength = 255;

        /// <summary>Rackspace's image metadata limit (Nova allows 128): hints are left out rather than make a snapshot fail on it.</summary>
        public const int MaxItems = 40;

        public string? FlavorId { get; set; }

        /// <summary>Network ids in order; null when not recorded; empty with <see cref="NoNetwork"/> for a server without a network.</summary>
        public IReadOnlyList<string>? NetworkIds { get; set; }

        public bool NoNetwork { get; set; }
        public string? KeyName { get; set; }
        public IReadOnlyList<string> SecurityGroups { get; set; } = Array.Empty<string>();
        public string? AvailabilityZone { get; set; }
        public bool VolumeBacked { get; set; }

        /// <summary>The hints an image carries (all null/empty for an image taken before Autosnap recorded them).</summary>
        public static RestoreHints Read(AutoSnapshot image)
        {
            string? Get(string key) => image.Properties.TryGetValue(key, out string? value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
            IReadOnlyList<string> List(string? value) =>
                value == null ? Array.Empty<string>() : value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
            string? networks = Get(AutosnapMetadata.RestoreNetworks);
            bool none = string.Equals(networks, AutosnapMetadata.NoNetwork, StringComparison.OrdinalIgnoreCase);
            return new RestoreHints
            {
                FlavorId = Get(AutosnapMetadata.RestoreFlavor),
                NoNetwork = none,
                NetworkIds = none ? Array.Empty<string>() : networks == null ? null : List(networks),
                KeyName = Get(AutosnapMetadata.RestoreKeyName),
                SecurityGroups = List(Get(AutosnapMetadata.RestoreSecurityGroups)),
                AvailabilityZone = Get(AutosnapMetadata.RestoreAvailabilityZone),
                VolumeBacked = image.IsVolumeBacked,
            };
        }

        /// <summary>
        /// Adds the server's restore hints to a snapshot's metadata. Reads the networks the server is on (one request);
        /// anything that fails or does not fit becomes a warning, never an error.
        /// </summary>
        public static async Task RecordAsync(RackspaceSession session, RackspaceServer server, IDictionary<string, string> metadata, IJobHost host,
                                             CancellationToken cancellationToken)
        {
            var hints = new List<KeyValuePair<string, string>>();
            if (!string.IsNullOrEmpty(server.FlavorId)) hints.Add(Pair(AutosnapMetadata.RestoreFlavor, server.FlavorId!));
            try
            {
                var (ids, problem) = await new NetworkClient(session.Cloud, server.Region, host).ServerNetworkIdsAsync(server, cancellationToken).ConfigureAwait(false);
                if (ids == null)
                    host.Warning($"The networks of {server.Name} ({server.Id}) were not recorded for a restore ({problem}); a restore will need -Network.");
                else
                    hints.Add(Pair(AutosnapMetadata.RestoreNetworks, ids.Count == 0 ? AutosnapMetadata.NoNetwork : string.Join(",", ids)));
            }
            catch (CloudException e) when (e.Kind == CloudErrorKind.NotFound)
            {
                // A cloud without a network API at all: the restore uses the cloud's default networks, or -Network.
                host.Verbose($"The networks of {server.Name} were not recorded for a restore: this cloud has no network list ({e.Message}).");
            }
            catch (CloudException e)
            {
                host.Warning($"The networks of {server.Name} ({server.Id}) were not recorded for a restore ({e.Message}); the snapshot goes ahead, and a restore will need -Network.");
            }
            if (!string.IsNullOrEmpty(server.KeyName)) hints.Add(Pair(AutosnapMetadata.RestoreKeyName, server.KeyName!));
            if (server.SecurityGroups.Count > 0) hints.Add(Pair(AutosnapMetadata.RestoreSecurityGroups, string.Join(",", server.SecurityGroups)));
            if (!string.IsNullOrEmpty(server.AvailabilityZone)) hints.Add(Pair(AutosnapMetadata.RestoreAvailabilityZone, server.AvailabilityZone!));

            var skipped = new List<string>();
            foreach (var hint in hints)
            {
                if (hint.Value.Length > MaxValueLength || metadata.Count >= MaxItems) skipped.Add(hint.Key);
                else metadata[hint.Key] = hint.Value;
            }
            if (skipped.Count > 0)
            {
                host.Warning($"Restore hints of {server.Name} ({server.Id}) left out of the snapshot's metadata ({string.Join(", ", skipped)}): " +
                             $"a value over {MaxValueLength} characters or more than {MaxItems} metadata items. A restore will need the matching parameters.");
            }
        }

        private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);
    }
}
