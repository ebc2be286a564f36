using System;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// Cinder v3 microversions as Cinder Zed negotiates them: 3.0 to 3.70, "latest" = 3.70, asked by
/// "OpenStack-API-Version: volume 3.x". No header means 3.0.
/// </summary>
public static class VolumeMicroversion
{
    public const int Min = 0;
    public const int Max = 70;
    public const string MinText = "3.0";
    public const string MaxText = "3.70";

    public static (Microversion.Outcome Outcome, int Minor, string Requested) Parse(HttpRequest request)
    {
        string? requested = null;
        var header = request.Headers["OpenStack-API-Version"].ToString();
        if (!string.IsNullOrWhiteSpace(header))
        {
            foreach (var part in header.Split(','))
            {
                var pieces = part.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
                if (pieces.Length == 2 && string.Equals(pieces[0], "volume", StringComparison.OrdinalIgnoreCase))
                    requested = pieces[1].Trim();
            }
        }
        if (requested is null) return (Microversion.Outcome.Ok, Min, "");
        if (string.Equals(requested, "latest", StringComparison.OrdinalIgnoreCase)) return (Microversion.Outcome.Ok, Max, requested);
        var dot = requested.Split('.');
        if (dot.Length != 2 || !int.TryParse(dot[0], out var major) || !int.TryParse(dot[1], out var minor))
            return (Microversion.Outcome.Invalid, 0, requested);
        if (major != 3 || minor < Min || minor > Max) return (Microversion.Outcome.NotAcceptable, 0, requested);
        return (Microversion.Outcome.Ok, minor, requested);
    }

    public static void WriteHeaders(HttpResponse response, int minor)
    {
        response.Headers["OpenStack-API-Version"] = "volume 3." + minor.ToString(CultureInfo.InvariantCulture);
        response.Headers.Vary = "OpenStack-API-Version";
    }
}
