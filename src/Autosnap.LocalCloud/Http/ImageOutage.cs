using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Http;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// Glance stopped while Nova runs (the imageOutage setting). Glance's own routes in such a region drop the
/// connection before any byte (the closest a shared port gets to "connection refused"); Nova's calls that
/// need Glance answer what Nova answers once its retries give up: after imageOutageDelaySeconds, 500 with
/// GlanceConnectionFailed. Nova's other calls are not affected. The same for a stopped cinder-api (the
/// volumeOutage setting): its routes drop the connection, Nova's createImage of a volume-backed server answers
/// 500 CinderConnectionFailed after volumeOutageDelaySeconds.
/// </summary>
public static class ImageOutage
{
    public const string GlanceConnectionFailed =
        "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n" +
        "<class 'nova.exception.GlanceConnectionFailed'>";

    public static bool IsDown(CloudSettings settings, string? region) => IsListed(settings.ImageOutage, region);

    /// <summary>The region's cinder-api is stopped (the volumeOutage setting).</summary>
    public static bool VolumesDown(CloudSettings settings, string? region) => IsListed(settings.VolumeOutage, region);

    /// <summary>Nova's answer when its calls to a stopped Cinder give up (the tier: after about 4.7 s).</summary>
    public const string CinderConnectionFailed =
        "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n" +
        "<class 'nova.exception.CinderConnectionFailed'>";

    public static async Task NovaAnswerWithoutCinder(HttpContext context, CloudState state)
    {
        var delay = state.Settings.VolumeOutageDelaySeconds;
        if (delay > 0) await Task.Delay(TimeSpan.FromSeconds(delay), context.RequestAborted);
        await Errors.Nova(context, 500, CinderConnectionFailed);
    }

    private static bool IsListed(IReadOnlyList<string> regions, string? region)
    {
        if (region is null) return false;
        foreach (var down in regions)
        {
            if (down == "*" || string.Equals(down, region, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>
    /// True, with Nova's late 500 in <paramref name="answer"/>, when the request's region has no Glance.
    /// Call it where Nova would first talk to Glance (after its own validation and 404/409 checks).
    /// </summary>
    public static bool NovaCannotReachGlance(HttpContext context, CloudState state, ApiCall call, out Task answer)
    {
        answer = Task.CompletedTask;
        if (!IsDown(state.Settings, call.Region?.Name)) return false;
        answer = NovaAnswer(context, state);
        return true;
    }

    public static async Task NovaAnswer(HttpContext context, CloudState state)
    {
        var delay = state.Settings.ImageOutageDelaySeconds;
        if (delay > 0) await Task.Delay(TimeSpan.FromSeconds(delay), context.RequestAborted);
        await Errors.Nova(context, 500, GlanceConnectionFailed);
    }

    /// <summary>The region segment of an /image/{region}/... (or /volume/{region}/...) path, also for paths no route matches.</summary>
    public static string? RegionOfImagePath(PathString path) => RegionOf(path, "/image");

    public static string? RegionOf(PathString path, string service)
    {
        var value = path.Value;
        if (value is null || !path.StartsWithSegments(service)) return null;
        var rest = value[service.Length..].TrimStart('/');
        var slash = rest.IndexOf('/');
        return slash < 0 ? rest : rest[..slash];
    }
}
