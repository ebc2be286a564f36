using System;
using System.Collections.Generic;

namespace Autosnap.Model
{
    /// <summary>What Get-RackspaceServer knows about a server's Rackspace Scheduled Images.</summary>
    public enum ScheduledImagesState
    {
        /// <summary>Not looked up (Get-RackspaceServer without -IncludeScheduledImages): one request per server is not spent unasked.</summary>
        NotChecked,

        /// <summary>The cloud has no Scheduled Images extension (an OpenStack cloud).</summary>
        Unsupported,

        /// <summary>The extension exists; the server has no schedule.</summary>
        Off,

        /// <summary>The service snapshots the server every day.</summary>
        Daily,

        /// <summary>The service snapshots the server once a week, on a UTC day.</summary>
        Weekly,
    }

    /// <summary>Where an image came from, as its metadata tells.</summary>
    public enum SnapshotOrigin
    {
        /// <summary>Autosnap's (autosnap_schedule and autosnap_server): the only images rotation works on.</summary>
        Autosnap,

        /// <summary>Made by Rackspace Scheduled Images (its created-by metadata): the service culls them, Autosnap never does.</summary>
        ScheduledImages,

        /// <summary>Anything else: a manual image, another tool's, a legacy autosnap.py image not yet adopted.</summary>
        Other,
    }

    /// <summary>A server's rax-si-image-schedule: how many of the service's images it keeps, and its weekly day (none: daily).</summary>
    public sealed class ImageSchedule
    {
        public ImageSchedule(int retention, DayOfWeek? dayOfWeek)
        {
            Retention = retention;
            DayOfWeek = dayOfWeek;
        }

        public int Retention { get; }

        /// <summary>The UTC day of a weekly schedule; null for daily.</summary>
        public DayOfWeek? DayOfWeek { get; }

        public ScheduledImagesState State => DayOfWeek.HasValue ? ScheduledImagesState.Weekly : ScheduledImagesState.Daily;

        /// <summary>"daily, retention 7" / "weekly on Saturday, retention 5".</summary>
        public override string ToString() =>
            (DayOfWeek.HasValue ? $"weekly on {DayOfWeek.Value}" : "daily") + $", retention {Retention}";
    }

    /// <summary>The Rackspace Scheduled Images extension: its alias, limits, and the metadata its images carry.</summary>
    public static class ScheduledImagesExtension
    {
        /// <summary>The alias in GET /extensions and the resource under /servers/{id}.</summary>
        public const string Alias = "rax-si-image-schedule";

        /// <summary>The API's limit on retention.</summary>
        public const int MaxRetention = 65535;

        /// <summary>The key and value the service puts on its images, as Rackspace's API returns them.</summary>
        public const string CreatedByKey = "org.openstack__1__created_by";
        public const string CreatedByValue = "scheduled_images_service";

        // Rackspace's documentation spells both with hyphens; accept that spelling too.
        private const string DocumentedKey = "org.openstack__1__created-by";
        private const string DocumentedValue = "scheduled-images-service";

        /// <summary>True when the metadata marks an image as the service's (which it culls by its own retention).</summary>
        public static bool IsServiceImage(IReadOnlyDictionary<string, string> properties)
        {
            foreach (string key in new[] { CreatedByKey, DocumentedKey })
            {
                if (properties.TryGetValue(key, out string? value) &&
                    (string.Equals(value, CreatedByValue, StringComparison.OrdinalIgnoreCase) || string.Equals(value, DocumentedValue, StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }
            return false;
        }
    }
}
