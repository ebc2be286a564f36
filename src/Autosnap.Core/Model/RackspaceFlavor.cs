namespace Autosnap.Model
{
    /// <summary>A server size (Nova flavor): what a new server gets in RAM, virtual CPUs and root disk.</summary>
    public sealed class RackspaceFlavor
    {
        public RackspaceFlavor(string id, string name, int ramMB, int vcpus, int diskGB, string region)
        {
            Id = id;
            Name = name;
            RamMB = ramMB;
            Vcpus = vcpus;
            DiskGB = diskGB;
            Region = region;
        }

        public string Id { get; }
        public string Name { get; }

        /// <summary>Memory in MiB, as the cloud counts it against the RAM quota.</summary>
        public int RamMB { get; }

        public int Vcpus { get; }

        /// <summary>Root disk in GiB; 0 for flavors that boot from a volume only (Rackspace compute and memory flavors).</summary>
        public int DiskGB { get; }

        public string Region { get; }

        public override string ToString() => $"{Name} ({Id})";
    }
}
