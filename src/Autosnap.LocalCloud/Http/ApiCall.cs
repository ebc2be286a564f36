using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Http;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// What the pipeline learned about an API request before its handler runs: the route, the token (and so the
/// account), the region, and for compute the API flavour (legacy v2 or microversioned v2.1).
/// </summary>
public sealed class ApiCall
{
    public required ApiRoute Route { get; init; }
    public Token? Token { get; set; }
    public Account Account => Token!.Account;
    public RegionState? Region { get; set; }
    /// <summary>/v2/{tenant}: legacy v2 as Rackspace runs it (microversion headers ignored).</summary>
    public bool LegacyCompute { get; set; }
    /// <summary>The compute microversion's minor number (2.x); 0 on the legacy v2 endpoint.</summary>
    public int Microversion { get; set; }
    /// <summary>Absolute URL of this compute endpoint (…/compute/dfw/v2/100001 or …/compute/dfw/v2.1).</summary>
    public string ComputeRoot { get; set; } = "";
    /// <summary>Absolute URL of the compute endpoint without the version, for Nova's bookmark links.</summary>
    public string ComputeBookmarkRoot { get; set; } = "";

    /// <summary>Cinder: the Rackspace v1 API (display_name/display_description) rather than v3.</summary>
    public bool VolumeV1 { get; set; }
    /// <summary>Absolute URL of this block storage endpoint (…/volume/dfw/v3/100001 or …/volume/dfw/v1/100001).</summary>
    public string VolumeRoot { get; set; } = "";

    /// <summary>A fault its handler plays (see <see cref="Fault.PlayedByHandler"/>), if one was drawn.</summary>
    public Fault? HandlerFault { get; set; }

    /// <summary>A fault drawn to strike after the handler ran (<see cref="LostResponseGuard"/>), if one was.</summary>
    public Fault? AfterFault { get; init; }

    /// <summary>True when the request asked for at least 2.<paramref name="minor"/> (never on legacy v2).</summary>
    public bool AtLeast(int minor) => !LegacyCompute && Microversion >= minor;

    public static ApiCall Of(HttpContext context) => context.Features.Get<ApiCall>()!;
}
