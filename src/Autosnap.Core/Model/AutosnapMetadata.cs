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

        /// <summary>
        /// On a Cinder snapshot: the image (restore point) it belongs to. With autosnap_server and autosnap_schedule it
        /// lets a later run recognise its own snapshot after the image is gone, and clean it.
        /// </summary>
        public const string Image = "autosnap_image";

        /// <summary>On an image: how many data volumes -IncludeVolumes snapshotted for it (each tagged with autosnap_image).</summary>
        public const string Volumes = "autosnap_volumes";

        /// <summary>
        /// "true" on images of volume-backed servers. Nova gives those no image_type, instance_uuid or user_id, so an
        /// account-wide listing asks Glance for this property as well as for image_type=snapshot.
        /// </summary>
        public const string VolumeBacked = "autosnap_volume_backed";

        /// <summary>Nova's property on an image of a volume-backed server: a JSON list naming one Cinder snapshot per volume.</summary>
        public const string BlockDeviceMapping = "block_device_mapping";

        /// <summary>The prefix of the value of autosnap_image on leftovers of a snapshot request the cloud refused (no image exists).</summary>
        public const string RefusedImagePrefix = "refused-";

        /// <summary>
        /// How consistent the restore point is: "application" when a before-snapshot hook succeeded (writes were paused
        /// while the disk was captured), "crash" otherwise. Written at createImage; images made before it existed lack it.
        /// </summary>
        public const string Consistency = "autosnap_consistency";

        /// <summary>Glance's property linking a snapshot to its server (set by Nova on every snapshot).</summary>
        public const string InstanceUuid = "instance_uuid";

        /// <summary>
        /// On an image: the last restore test that booted a server from it and passed, "&lt;UTC time&gt;" (RestoreTestMark).
        /// One key per outcome, each with its own newest time; the newer of the two is the image's last outcome.
        /// </summary>
        public const string RestoreVerified = "autosnap_restore_verified";

        /// <summary>On an image: the last restore test that failed on it, "&lt;UTC time&gt; &lt;reason&gt;" (at most 255 characters).</summary>
        public const string RestoreFailed = "autosnap_restore_failed";

        /// <summary>
        /// On a server: it is a restore test's throwaway server, booted from the image with this id. Only servers with
        /// this key (and <see cref="RestoreRun"/>) are ever deleted by a restore test.
        /// </summary>
        public const string RestoreTest = "autosnap_restore_test";

        /// <summary>On a throwaway server: the id of the restore test run that booted it.</summary>
        public const string RestoreRun = "autosnap_restore_run";

        /// <summary>
        /// On a throwaway server: the cloud time after which no run can still be using it (its start plus the run's
        /// timeout plus a grace period). Another run deletes it as a leftover only after that time.
        /// </summary>
        public const string RestoreExpires = "autosnap_restore_expires";

        /// <summary>What a restore needs, recorded at snapshot time (Engine/RestoreHints): the server's flavor id.</summary>
        public const string RestoreFlavor = "autosnap_flavor";

        /// <summary>The server's network ids, comma-joined, in order; "none" for a server without a network.</summary>
        public const string RestoreNetworks = "autosnap_networks";

        /// <summary>The key pair name the server was booted with.</summary>
        public const string RestoreKeyName = "autosnap_key_name";

        /// <summary>The server's security group names, comma-joined.</summary>
        public const string RestoreSecurityGroups = "autosnap_security_groups";

        /// <summary>The server's availability zone.</summary>
        public const string RestoreAvailabilityZone = "autosnap_availability_zone";

        /// <summary>The value of autosnap_networks for a server that had no network.</summary>
        public const string NoNetwork = "none";

        /// <summary>On a server Restore-AutoSnapshot booted: the restore point (image id) it was booted from.</summary>
        public const string RestoredFrom = "autosnap_restored_from";

        /// <summary>The schedule of the safety snapshot Restore-AutoSnapshot -InPlace takes first: a pool of its own, never the user's.</summary>
        public const string SafetySchedule = "pre-restore";

        /// <summary>The schedule name used when none is given.</summary>
        public const string DefaultSchedule = "default";
    }
}
