using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autosnap.LocalCloud.Networking;

/// <summary>
/// Neutron v2.0, read-only: networks, subnets and security groups of one region, as a project sees them (its own
/// and the shared ones). What Nova's POST /servers checks networks and security groups against.
/// </summary>
public static class NetworkEndpoints
{
    private const string Prefix = "/network/{region}/v2.0";

    public static void Map(IEndpointRouteBuilder app, CloudState state)
    {
        Route(app, "/networks", context => List(context, state, "networks", r => r.Networks, Network));
        Route(app, "/networks/{id}", context => Show(context, state, "network", "NetworkNotFound", "Network", r => r.Networks, n => n.Id, Network));
        Route(app, "/subnets", context => List(context, state, "subnets", r => r.Networks, Subnet));
        Route(app, "/subnets/{id}", context => Show(context, state, "subnet", "SubnetNotFound", "Subnet", r => r.Networks, n => n.SubnetId, Subnet));
        Route(app, "/ports", context => List(context, state, "ports", Ports, Port));
        Route(app, "/ports/{id}", context => Show(context, state, "port", "PortNotFound", "Port", Ports, p => p.Id, Port));
        Route(app, "/security-groups", context => List(context, state, "security_groups", r => r.SecurityGroups, SecurityGroup));
        Route(app, "/security-groups/{id}", context => Show(context, state, "security_group", "SecurityGroupNotFound", "Security group",
            r => r.SecurityGroups, g => g.Id, SecurityGroup));
    }

    private static void Route(IEndpointRouteBuilder app, string pattern, RequestDelegate handler) =>
        app.MapMethods(Prefix + pattern, ["GET"], handler).WithApiGuards(new ApiRoute(Service.Network, "GET /v2.0" + pattern));

    /// <summary>A list with Neutron's equality filters on the fields shown (?name=, ?id=, ?shared=, ...; unknown ones ignored).</summary>
    private static Task List<T>(HttpContext context, CloudState state, string collection, Func<RegionState, IEnumerable<T>> items,
        Action<Utf8JsonWriter, T> write) where T : class
    {
        var call = ApiCall.Of(context);
        var region = call.Region!;
        List<T> visible;
        lock (region.Lock) visible = items(region).Where(i => Visible(i, call.Account.TenantId)).ToList();
        var filters = context.Request.Query.Where(q => q.Key is not ("fields" or "limit" or "marker" or "sort_key" or "sort_dir")).ToList();
        var matching = visible.Where(item =>
        {
            if (filters.Count == 0) return true;
            var fields = Fields(item, write);
            foreach (var (key, values) in filters)
            {
                if (!fields.TryGetValue(key, out var have)) continue;
                if (!values.Any(v => string.Equals(v, have, StringComparison.OrdinalIgnoreCase))) return false;
            }
            return true;
        }).ToList();
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray(collection);
            foreach (var item in matching) write(w, item);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static Task Show<T>(HttpContext context, CloudState state, string member, string notFoundType, string what,
        Func<RegionState, IEnumerable<T>> items, Func<T, string> id, Action<Utf8JsonWriter, T> write) where T : class
    {
        var call = ApiCall.Of(context);
        var wanted = (string)context.Request.RouteValues["id"]!;
        T? found;
        lock (call.Region!.Lock)
            found = items(call.Region).FirstOrDefault(i => string.Equals(id(i), wanted, StringComparison.OrdinalIgnoreCase)
                                                         && Visible(i, call.Account.TenantId));
        if (found is null) return Errors.Neutron(context, 404, notFoundType, $"{what} {wanted} could not be found.");
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName(member);
            write(w, found);
            w.WriteEndObject();
        });
    }

    /// <summary>A server's port as Neutron lists it (ports are not stored: they are the servers' addresses).</summary>
    private sealed record PortView(State.Server Server, ServerPort Port, string Id, List<string> Groups);

    private static IEnumerable<PortView> Ports(RegionState region) =>
        region.Servers.Values.SelectMany(s => s.Ports.Select(p => new PortView(s, p, StableIds.Uuid($"port:{s.Id}:{p.NetworkId}"),
            region.SecurityGroups.Where(g => g.TenantId == s.TenantId && s.SecurityGroups.Contains(g.Name)).Select(g => g.Id).ToList())));

    private static bool Visible<T>(T item, string tenantId) => item switch
    {
        PortView p => p.Server.TenantId == tenantId,
        State.Network n => n.IsVisibleTo(tenantId),
        State.SecurityGroup g => g.TenantId == tenantId,
        _ => false,
    };

    /// <summary>The scalar fields of an item as written, for filtering (true/false as Neutron's query strings write them).</summary>
    private static Dictionary<string, string> Fields<T>(T item, Action<Utf8JsonWriter, T> write)
    {
        using var buffer = new System.IO.MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) write(w, item);
        using var document = JsonDocument.Parse(buffer.ToArray());
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            fields[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => property.Value.GetRawText(),
                _ => "\u0000",
            };
        }
        return fields;
    }

    private static void Network(Utf8JsonWriter w, State.Network network)
    {
        w.WriteStartObject();
        w.WriteString("id", network.Id);
        w.WriteString("name", network.Name);
        w.WriteString("tenant_id", network.TenantId);
        w.WriteString("project_id", network.TenantId);
        w.WriteString("status", "ACTIVE");
        w.WriteBoolean("admin_state_up", true);
        w.WriteBoolean("shared", network.Shared);
        w.WriteBoolean("router:external", network.External);
        if (network.External) w.WriteBoolean("is_default", false);
        w.WriteStartArray("subnets");
        w.WriteStringValue(network.SubnetId);
        w.WriteEndArray();
        w.WriteNumber("mtu", 1500);
        w.WriteBoolean("port_security_enabled", true);
        w.WriteStartArray("availability_zone_hints");
        w.WriteEndArray();
        w.WriteStartArray("availability_zones");
        w.WriteStringValue("nova");
        w.WriteEndArray();
        w.WriteNull("ipv4_address_scope");
        w.WriteNull("ipv6_address_scope");
        w.WriteBoolean("l2_adjacency", true);
        w.WriteString("description", "");
        w.WriteStartArray("tags");
        w.WriteEndArray();
        w.WriteString("created_at", VirtualClock.Iso(network.Created));
        w.WriteString("updated_at", VirtualClock.Iso(network.Created));
        w.WriteNumber("revision_number", 1);
        w.WriteEndObject();
    }

    private static void Subnet(Utf8JsonWriter w, State.Network network)
    {
        var prefix = network.Cidr.Split('/')[0];
        w.WriteStartObject();
        w.WriteString("id", network.SubnetId);
        w.WriteString("name", network.Name + "-subnet");
        w.WriteString("network_id", network.Id);
        w.WriteString("tenant_id", network.TenantId);
        w.WriteString("project_id", network.TenantId);
        w.WriteNumber("ip_version", 4);
        w.WriteString("cidr", network.Cidr);
        w.WriteString("gateway_ip", prefix[..prefix.LastIndexOf('.')] + ".1");
        w.WriteBoolean("enable_dhcp", true);
        w.WriteStartArray("allocation_pools");
        w.WriteEndArray();
        w.WriteStartArray("dns_nameservers");
        w.WriteEndArray();
        w.WriteStartArray("host_routes");
        w.WriteEndArray();
        w.WriteNull("subnetpool_id");
        w.WriteString("description", "");
        w.WriteString("created_at", VirtualClock.Iso(network.Created));
        w.WriteString("updated_at", VirtualClock.Iso(network.Created));
        w.WriteNumber("revision_number", 0);
        w.WriteEndObject();
    }

    private static void Port(Utf8JsonWriter w, PortView view)
    {
        w.WriteStartObject();
        w.WriteString("id", view.Id);
        w.WriteString("name", "");
        w.WriteString("network_id", view.Port.NetworkId);
        w.WriteString("tenant_id", view.Server.TenantId);
        w.WriteString("project_id", view.Server.TenantId);
        w.WriteString("device_id", view.Server.Id);
        w.WriteString("device_owner", "compute:" + view.Server.AvailabilityZone);
        w.WriteString("mac_address", view.Port.Mac);
        w.WriteString("status", view.Server.Status == "ACTIVE" ? "ACTIVE" : "DOWN");
        w.WriteBoolean("admin_state_up", true);
        w.WriteStartArray("fixed_ips");
        w.WriteStartObject();
        w.WriteString("subnet_id", StableIds.Uuid("subnet:" + view.Port.NetworkId));
        w.WriteString("ip_address", view.Port.Address);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("security_groups");
        foreach (var group in view.Groups) w.WriteStringValue(group);
        w.WriteEndArray();
        w.WriteBoolean("port_security_enabled", true);
        w.WriteString("description", "");
        w.WriteEndObject();
    }

    private static void SecurityGroup(Utf8JsonWriter w, State.SecurityGroup group)
    {
        w.WriteStartObject();
        w.WriteString("id", group.Id);
        w.WriteString("name", group.Name);
        w.WriteString("description", group.Description);
        w.WriteString("tenant_id", group.TenantId);
        w.WriteString("project_id", group.TenantId);
        w.WriteBoolean("stateful", true);
        w.WriteStartArray("security_group_rules");
        w.WriteEndArray();
        w.WriteStartArray("tags");
        w.WriteEndArray();
        w.WriteNumber("revision_number", 1);
        w.WriteEndObject();
    }
}
