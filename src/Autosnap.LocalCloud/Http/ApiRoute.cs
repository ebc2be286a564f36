namespace Autosnap.LocalCloud.Http;

/// <summary>The services LocalCloud plays; each has its own error style.</summary>
public enum Service
{
    Identity,
    Compute,
    Image,
    /// <summary>Cinder (block storage): v3 for OpenStack, the Cinder-based v1 for Rackspace.</summary>
    Volume,
    /// <summary>Neutron v2.0 (OpenStack's networks and security groups).</summary>
    Network,
}

/// <summary>
/// Endpoint metadata: which service a route belongs to, the name it is counted under in /__admin/stats
/// ("POST /servers/{id}/action"), and whether it needs a token.
/// </summary>
public sealed record ApiRoute(Service Service, string StatsKey, bool Anonymous = false);
