using System;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Http;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// Glance stopped while Nova runs (the imageOutage setting). Glance's own routes in such a region drop the
/// connection before any byte (the closest a shared port gets to "connection refused"); Nova's calls that
/// need Glance answer what Nova answers once its retries give up: after imageOutageDelaySeconds, 500 with
/// GlanceConnectionFailed. Nova's other calls are not affected.
/// </summary>
public static class ImageOutage
{
    public const string GlanceConnectionFailed =
        "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n" +
        "<class 'nova.exception.GlanceConnectionFailed'>";

    public static bool IsDown(CloudSettings settings, string? region)
    {
        if (region is null) return false;
        foreach (var down in settings.ImageOutage)
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
        if (delay > 0) await state.Pause(TimeSpan.FromSeconds(delay), context.RequestAborted);
        await Errors.Nova(context, 500, GlanceConnectionFailed);
    }

    /// <summary>The region segment of an /image/{region}/... path, also for paths no route matches.</summary>
    public static string? RegionOfImagePath(PathString path)
    {
        var value = path.Value;
        if (value is null || !path.StartsWithSegments("/image")) return null;
        var rest = value["/image".Length..].TrimStart('/');
        var slash = rest.IndexOf('/');
        return slash < 0 ? rest : rest[..slash];
    }
}
