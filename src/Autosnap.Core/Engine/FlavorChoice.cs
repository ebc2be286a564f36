using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>
    /// The flavor of a restore test's throwaway server, as a pure rule: the smallest flavor (by RAM, then root disk,
    /// then CPUs, then id) whose RAM is at least the image's min_ram and whose root disk is at least both the image's
    /// min_disk and the root disk of the flavor the server had (the restored disk must fit). A volume-backed restore
    /// point boots from a volume made from its snapshot, so the flavor's disk does not count for it.
    /// </summary>
    public static class FlavorChoice
    {
        /// <summary>The smallest flavor that fits, or null when none does.</summary>
        public static RackspaceFlavor? Smallest(IEnumerable<RackspaceFlavor> flavors, int minDiskGB, int minRamMB, RackspaceFlavor? recorded, bool volumeBacked)
        {
            if (flavors == null) throw new ArgumentNullException(nameof(flavors));
            int disk = volumeBacked ? 0 : Math.Max(minDiskGB, recorded?.DiskGB ?? 0);
            return flavors
                .Where(f => f.RamMB >= minRamMB && (volumeBacked || f.DiskGB >= disk))
                .OrderBy(f => f.RamMB)
                .ThenBy(f => f.DiskGB)
                .ThenBy(f => f.Vcpus)
                .ThenBy(f => f.Id, StringComparer.Ordinal)
                .FirstOrDefault();
        }

        /// <summary>"min_ram 512 MiB, min_disk 10 GiB, recorded flavor's disk 20 GiB": what the choice had to satisfy, for messages.</summary>
        public static string Needs(int minDiskGB, int minRamMB, RackspaceFlavor? recorded, bool volumeBacked) =>
            $"RAM at least {minRamMB} MiB" + (volumeBacked
                ? " (volume-backed: any disk)"
                : $", disk at least {Math.Max(minDiskGB, recorded?.DiskGB ?? 0)} GiB (min_disk {minDiskGB}" +
                  (recorded == null ? ", no recorded flavor)" : $", recorded flavor {recorded.Name} {recorded.DiskGB} GiB)"));
    }
}
