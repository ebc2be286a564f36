using System;
using System.Globalization;
using System.Linq;
using Microsoft.AspNetCore.Http;

namespace Autosnap.LocalCloud.Http;

/// <summary>limit/marker query parameters and the "next" links built from them.</summary>
public static class Paging
{
    /// <summary>Nova's and Rackspace's page cap (CONF.api.max_limit; "max 1000 per list page").</summary>
    public const int NovaMaxLimit = 1000;
    /// <summary>Glance's defaults (limit_param_default, api_limit_max).</summary>
    public const int GlanceDefaultLimit = 25;
    public const int GlanceMaxLimit = 1000;

    /// <summary>Parses "limit"; null error on success. Missing means <paramref name="fallback"/>; capped at <paramref name="max"/>.</summary>
    public static string? TryLimit(HttpRequest request, int fallback, int max, out int limit)
    {
        limit = fallback;
        var text = request.Query["limit"].ToString();
        if (string.IsNullOrEmpty(text)) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            return "limit param must be an integer";
        if (value < 0) return "limit param must be positive";
        limit = Math.Min(value, max);
        return null;
    }

    /// <summary>The request's query with "marker" replaced: "?limit=2&amp;marker=…".</summary>
    public static string QueryWithMarker(HttpRequest request, string marker)
    {
        var parts = request.Query
            .Where(p => p.Key != "marker")
            .SelectMany(p => p.Value.Select(v => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(v ?? "")))
            .Append("marker=" + Uri.EscapeDataString(marker));
        return "?" + string.Join("&", parts);
    }

    /// <summary>The request's query without "marker" ("" when nothing is left).</summary>
    public static string QueryWithoutMarker(HttpRequest request)
    {
        var parts = request.Query
            .Where(p => p.Key != "marker")
            .SelectMany(p => p.Value.Select(v => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(v ?? "")))
            .ToList();
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }
}
