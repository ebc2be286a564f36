using System;
using System.Collections.Generic;

namespace Autosnap.Model
{
    /// <summary>A cloud server (Nova instance) as the compute API describes it.</summary>
    public sealed class RackspaceServer
    {
        public RackspaceServer(string id, string name, string status, string? taskState, string region,
                               DateTimeOffset? created, IReadOnlyDictionary<string, string> metadata)
        {
            Id = id;
            Name = name;
            Status = status;
            TaskState = taskState;
            Region = region;
            Created = created;
            Metadata = metadata;
        }

        public string Id { get; }
        public string Name { get; }

        /// <summary>ACTIVE, SHUTOFF, BUILD, ERROR...</summary>
        public string Status { get; }

        /// <summary>OS-EXT-STS:task_state: null when idle; image_snapshot*, image_uploading... while a snapshot runs.</summary>
        public string? TaskState { get; }

        public string Region { get; }
        public DateTimeOffset? Created { get; }
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <summary>The session the server was read through, so piped objects reach the same account.</summary>
        public RackspaceSession? Session { get; internal set; }

        /// <summary>True while the server is busy with an image (a snapshot or a backup): a new snapshot would get 409.</summary>
        public bool IsImaging => TaskState != null && TaskState.StartsWith("image_", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// True when the server boots from a volume (Nova reports its image as ""): its snapshot is a zero-size image
        /// whose data lives in one Cinder snapshot per attached volume.
        /// </summary>
        public bool IsVolumeBacked { get; internal set; }

        /// <summary>The flavor's id (null from 2.47 on, where Nova embeds the flavor without its id; see <see cref="FlavorName"/>).</summary>
        public string? FlavorId { get; internal set; }

        /// <summary>The flavor's name where the answer carries it (2.47+ original_name).</summary>
        public string? FlavorName { get; internal set; }

        /// <summary>The image the server was booted or rebuilt from; null for a volume-backed server.</summary>
        public string? ImageId { get; internal set; }

        /// <summary>The server's addresses by network name (Nova's "addresses"; the label on Rackspace).</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>> Addresses { get; internal set; } =
            new Dictionary<string, IReadOnlyList<string>>();

        /// <summary>The key pair injected at boot, if any.</summary>
        public string? KeyName { get; internal set; }

        /// <summary>The names of the server's security groups (none on clouds without them, e.g. Rackspace).</summary>
        public IReadOnlyList<string> SecurityGroups { get; internal set; } = Array.Empty<string>();

        /// <summary>OS-EXT-AZ:availability_zone, where the cloud reports one.</summary>
        public string? AvailabilityZone { get; internal set; }

        /// <summary>Build progress in percent, where the cloud reports it.</summary>
        public int? Progress { get; internal set; }

        /// <summary>Why the server is in ERROR: the fault message Nova shows (null when there is none).</summary>
        public string? Fault { get; internal set; }

        public override string ToString() => $"{Name} ({Id})";
    }
}
