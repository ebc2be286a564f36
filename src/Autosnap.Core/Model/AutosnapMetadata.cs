namespace Autosnap.Model
{
    /// <summary>
    /// The image metadata (Glance properties) that makes an image Autosnap's. Ownership is decided by these
    /// keys, never by the name. Keys avoid the prefixes Rackspace rejects or reserves (com.rackspace, org.openstack)
    /// and use underscores so they work unchanged as Glance query filters (?autosnap_schedule=daily).
    /// </summary>
    public static class AutosnapMetadata
    {
        /// <summary>The schedule (pool) the image belongs to, e.g. "daily".</summary>
        public const string Schedule = "autosnap_schedule";

        /// <summary>The id of the server the image was taken of (the same value as instance_uuid).</summary>
        public const string Server = "autosnap_server";

        /// <summary>"true" when a user pinned the image: rotation keeps it and does not count it.</summary>
        public const string Pinned = "autosnap_pinned";

        /// <summary>A unique token per createImage request, so a retried POST can find the image a lost response created.</summary>
        public const string Request = "autosnap_request";

        /// <summary>Glance's property linking a snapshot to its server (set by Nova on every snapshot).</summary>
        public const string InstanceUuid = "instance_uuid";

        /// <summary>The schedule name used when none is given.</summary>
        public const string DefaultSchedule = "default";
    }
}
