using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;

namespace Autosnap.Engine
{
    /// <summary>
    /// The flavor of a restore test's throwaway server, as a pure rule: the smallest flavor (by RAM, then root disk,
    /// then CPUs, then id) whose RAM is at least the image's min_ram and whose root disk is at least the image's min_disk,
    /// the image's size (Nova refuses a flavor whose disk is smaller than the image) and the root disk of the flavor the
    /// server had (the restored disk must fit). A volume-backed restore point boots from a volume made from its
    /// snapshot, so the flavor's disk does not count for it.
    /// </summary>
    public static class FlavorChoice
    {
        /// <summary>The smallest flavor that fits, or null when none does.</summary>
        public static RackspaceFlavor? Smallest(IEnumerable<RackspaceFlavor> flavors, int minDiskGB, int minRamMB, RackspaceFlavor? recorded, bool volumeBacked,
                                                long? imageSizeBytes = null)
        {
            if (flavors == null) throw new ArgumentNullException(nameof(flavors));
            int disk = volumeBacked ? 0 : DiskNeeded(minDiskGB, recorded, imageSizeBytes);
            return flavors
                .Where(f => f.RamMB >= minRamMB && (volumeBacked || f.DiskGB >= disk))
                .OrderBy(f => f.RamMB)
                .ThenBy(f => f.DiskGB)
                .ThenBy(f => f.Vcpus)
                .ThenBy(f => f.Id, StringComparer.Ordinal)
                .FirstOrDefault();
        }

        /// <summary>The root disk in GiB an image-backed restore needs: min_disk, the image's size rounded up, the recorded flavor's disk.</summary>
        public static int DiskNeeded(int minDiskGB, RackspaceFlavor? recorded, long? imageSizeBytes)
        {
            const long GiB = 1L << 30;
            long size = imageSizeBytes.HasValue && imageSizeBytes.Value > 0 ? (imageSizeBytes.Value + GiB - 1) / GiB : 0;
            return (int)Math.Min(int.MaxValue, Math.Max(Math.Max(minDiskGB, recorded?.DiskGB ?? 0), size));
        }

        /// <summary>"RAM at least 512 MiB, disk at least 40 GiB (min_disk 10, image 2 GiB, recorded flavor general1-2 40 GiB)": for messages.</summary>
        public static string Needs(int minDiskGB, int minRamMB, RackspaceFlavor? recorded, bool volumeBacked, long? imageSizeBytes = null) =>
            $"RAM at least {minRamMB} MiB" + (volumeBacked
                ? " (volume-backed: any disk)"
                : $", disk at least {DiskNeeded(minDiskGB, recorded, imageSizeBytes)} GiB (min_disk {minDiskGB}, image {DiskNeeded(0, null, imageSizeBytes)} GiB" +
                  (recorded == null ? ", no recorded flavor)" : $", recorded flavor {recorded.Name} {recorded.DiskGB} GiB)"));
    }
}
