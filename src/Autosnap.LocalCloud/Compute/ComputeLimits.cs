using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;

namespace Autosnap.LocalCloud.Compute;

/// <summary>
/// GET /limits: the configured rate limits in the legacy "rate" format (so a client can learn them and pace
/// itself) and the absolute limits (the compute quotas of the settings and the project's usage in the region),
/// trimmed per microversion as Nova does.
/// </summary>
public static class ComputeLimits
{
    public static void Write(Utf8JsonWriter w, ApiCall call, CloudState state, RateLimiter limiter, List<Server> servers)
    {
        var settings = state.Settings;
        w.WriteStartObject();
        w.WriteStartObject("limits");
        w.WriteStartArray("rate");
        if (settings.RateLimits.Count > 0)
        {
            w.WriteStartObject();
            w.WriteString("uri", "*");
            w.WriteString("regex", ".*");
            w.WriteStartArray("limit");
            foreach (var (verb, perMinute) in settings.RateLimits.OrderBy(p => p.Key, System.StringComparer.Ordinal))
            {
                var (remaining, wait) = limiter.Peek(call.Account.TenantId, call.Region!.Name, verb, perMinute);
                w.WriteStartObject();
                w.WriteString("verb", verb);
                w.WriteNumber("value", perMinute);
                w.WriteNumber("remaining", remaining);
                w.WriteString("unit", "MINUTE");
                w.WriteString("next-available", VirtualClock.Iso(state.Now + wait));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        var ram = servers.Sum(s => state.Flavor(s.FlavorId)?.Ram ?? 0);
        var cores = servers.Sum(s => state.Flavor(s.FlavorId)?.Vcpus ?? 0);
        w.WriteStartObject("absolute");
        w.WriteNumber("maxServerMeta", Metadata.MaxItems);
        if (!call.AtLeast(39)) w.WriteNumber("maxImageMeta", Metadata.MaxItems);
        if (!call.AtLeast(57))
        {
            w.WriteNumber("maxPersonality", 5);
            w.WriteNumber("maxPersonalitySize", 1000);
        }
        w.WriteNumber("maxTotalKeypairs", 100);
        w.WriteNumber("maxServerGroups", 10);
        w.WriteNumber("maxServerGroupMembers", 10);
        w.WriteNumber("maxTotalInstances", settings.MaxTotalInstances);
        w.WriteNumber("maxTotalRAMSize", settings.MaxTotalRamSize);
        w.WriteNumber("maxTotalCores", settings.MaxTotalCores);
        if (!call.AtLeast(36))
        {
            w.WriteNumber("maxSecurityGroups", -1);
            w.WriteNumber("maxSecurityGroupRules", -1);
            w.WriteNumber("maxTotalFloatingIps", -1);
            w.WriteNumber("totalFloatingIpsUsed", 0);
            w.WriteNumber("totalSecurityGroupsUsed", 0);
        }
        w.WriteNumber("totalInstancesUsed", servers.Count);
        w.WriteNumber("totalRAMUsed", ram);
        w.WriteNumber("totalCoresUsed", cores);
        w.WriteNumber("totalServerGroupsUsed", 0);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
