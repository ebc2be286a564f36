using System;
using Microsoft.AspNetCore.Http;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// Compute microversions as Nova Zed negotiates them: 2.1 to 2.93, "latest" = 2.93, asked by
/// "OpenStack-API-Version: compute 2.45" or the older "X-OpenStack-Nova-API-Version: 2.45".
/// </summary>
public static class Microversion
{
    public const int Min = 1;
    public const int Max = 93;
    public const string MinText = "2.1";
    public const string MaxText = "2.93";

    public enum Outcome { Ok, Invalid, NotAcceptable }

    public static (Outcome Outcome, int Minor, string Requested) Parse(HttpRequest request)
    {
        string? requested = null;
        var header = request.Headers["OpenStack-API-Version"].ToString();
        if (!string.IsNullOrWhiteSpace(header))
        {
            foreach (var part in header.Split(','))
            {
                var pieces = part.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
                if (pieces.Length == 2 && string.Equals(pieces[0], "compute", StringComparison.OrdinalIgnoreCase))
                    requested = pieces[1].Trim();
            }
        }
        if (requested is null)
        {
            var legacy = request.Headers["X-OpenStack-Nova-API-Version"].ToString();
            if (!string.IsNullOrWhiteSpace(legacy)) requested = legacy.Trim();
        }
        if (requested is null) return (Outcome.Ok, Min, "");
        if (string.Equals(requested, "latest", StringComparison.OrdinalIgnoreCase)) return (Outcome.Ok, Max, requested);
        var dot = requested.Split('.');
        if (dot.Length != 2 || !int.TryParse(dot[0], out var major) || !int.TryParse(dot[1], out var minor))
            return (Outcome.Invalid, 0, requested);
        if (major != 2 || minor < Min || minor > Max) return (Outcome.NotAcceptable, 0, requested);
        return (Outcome.Ok, minor, requested);
    }

    public static void WriteHeaders(HttpResponse response, int minor)
    {
        var text = "2." + minor.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["OpenStack-API-Version"] = "compute " + text;
        response.Headers["X-OpenStack-Nova-API-Version"] = text;
        response.Headers.Vary = "OpenStack-API-Version, X-OpenStack-Nova-API-Version";
    }
}
