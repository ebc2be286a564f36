namespace Autosnap.Model
{
    /// <summary>A network a server can be attached to: a Neutron network, or a Rackspace Cloud Network (os-networksv2).</summary>
    public sealed class RackspaceNetwork
    {
        public RackspaceNetwork(string id, string name, string? status, bool isShared, string region)
        {
            Id = id;
            Name = name;
            Status = status;
            IsShared = isShared;
            Region = region;
        }

        public string Id { get; }

        /// <summary>Neutron's name, or the Rackspace label ("public", "private" for ServiceNet, or the user's).</summary>
        public string Name { get; }

        /// <summary>ACTIVE, DOWN, BUILD, ERROR on Neutron; null where the cloud does not say (Rackspace).</summary>
        public string? Status { get; }

        /// <summary>True for networks of the provider or shared with the project (Rackspace's public and ServiceNet).</summary>
        public bool IsShared { get; }

        public string Region { get; }

        public override string ToString() => $"{Name} ({Id})";
    }
}
