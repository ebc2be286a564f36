using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autosnap.LocalCloud.Compute;

/// <summary>
/// What a server is booted with, besides flavors and images: keypairs (os-keypairs), Rackspace's networks
/// (os-networksv2, legacy v2 only), server tags (2.26+) and the project's quotas (os-quota-sets).
/// </summary>
public static class ComputeResources
{
    public const int MaxTags = 50;

    public static void Map(IEndpointRouteBuilder app, CloudState state)
    {
        ComputeEndpoints.Route(app, "GET", "/os-keypairs", Keypairs);
        ComputeEndpoints.Route(app, "GET", "/os-keypairs/{name}", Keypair);
        ComputeEndpoints.Route(app, "GET", "/os-networksv2", context => RackspaceNetworks(context, state));
        ComputeEndpoints.Route(app, "GET", "/os-networksv2/{id}", context => RackspaceNetwork(context, state));
        ComputeEndpoints.Route(app, "GET", "/servers/{id}/tags", context => Tags(context, state, TagVerb.List));
        ComputeEndpoints.Route(app, "PUT", "/servers/{id}/tags", context => Tags(context, state, TagVerb.Replace));
        ComputeEndpoints.Route(app, "DELETE", "/servers/{id}/tags", context => Tags(context, state, TagVerb.Clear));
        ComputeEndpoints.Route(app, "GET", "/servers/{id}/tags/{tag}", context => Tags(context, state, TagVerb.Check));
        ComputeEndpoints.Route(app, "PUT", "/servers/{id}/tags/{tag}", context => Tags(context, state, TagVerb.Add));
        ComputeEndpoints.Route(app, "DELETE", "/servers/{id}/tags/{tag}", context => Tags(context, state, TagVerb.Remove));
        ComputeEndpoints.Route(app, "GET", "/os-quota-sets/{project}", context => QuotaSet(context, state, detail: false));
        ComputeEndpoints.Route(app, "GET", "/os-quota-sets/{project}/detail", context => QuotaSet(context, state, detail: true));
    }

    // ---- keypairs ------------------------------------------------------------------------------------

    private static Task Keypairs(HttpContext context)
    {
        var call = ApiCall.Of(context);
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("keypairs");
            foreach (var keypair in call.Account.Keypairs)
            {
                w.WriteStartObject();
                w.WriteStartObject("keypair");
                w.WriteString("name", keypair.Name);
                w.WriteString("public_key", keypair.PublicKey);
                w.WriteString("fingerprint", keypair.Fingerprint);
                if (call.AtLeast(2)) w.WriteString("type", keypair.Type);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static Task Keypair(HttpContext context)
    {
        var call = ApiCall.Of(context);
        var name = (string)context.Request.RouteValues["name"]!;
        var keypair = call.Account.Keypairs.FirstOrDefault(k => k.Name == name);
        if (keypair is null) return Errors.Nova(context, 404, $"Keypair {name} not found for user {call.Account.UserId}");
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("keypair");
            w.WriteString("name", keypair.Name);
            w.WriteString("public_key", keypair.PublicKey);
            w.WriteString("fingerprint", keypair.Fingerprint);
            if (call.AtLeast(2)) w.WriteString("type", keypair.Type);
            w.WriteString("user_id", keypair.UserId);
            w.WriteNumber("id", keypair.Id);
            w.WriteString("created_at", keypair.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteBoolean("deleted", false);
            w.WriteNull("deleted_at");
            w.WriteNull("updated_at");
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    // ---- Rackspace os-networksv2 ---------------------------------------------------------------------

    private static void RackspaceNetworkView(Utf8JsonWriter w, Network network)
    {
        w.WriteStartObject();
        // PublicNet and ServiceNet show no cidr; an isolated network shows its own
        if (network.Id is not (Network.PublicId or Network.PrivateId)) w.WriteString("cidr", network.Cidr);
        w.WriteString("id", network.Id);
        w.WriteString("label", network.Name);
        w.WriteEndObject();
    }

    private static Task RackspaceNetworks(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (!call.LegacyCompute) return Errors.Nova(context, 404, "The resource could not be found.");
        List<Network> networks;
        lock (call.Region!.Lock) networks = call.Region.Networks.Where(n => n.IsVisibleTo(call.Account.TenantId)).ToList();
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("networks");
            foreach (var network in networks) RackspaceNetworkView(w, network);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static Task RackspaceNetwork(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (!call.LegacyCompute) return Errors.Nova(context, 404, "The resource could not be found.");
        var id = (string)context.Request.RouteValues["id"]!;
        Network? network;
        lock (call.Region!.Lock) network = call.Region.Network(id, call.Account.TenantId);
        if (network is null) return Errors.Nova(context, 404, "Network could not be found");
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("network");
            RackspaceNetworkView(w, network);
            w.WriteEndObject();
        });
    }

    // ---- server tags (2.26) --------------------------------------------------------------------------

    private enum TagVerb { List, Replace, Clear, Check, Add, Remove }

    /// <summary>Nova's tag rules: 1 to 60 characters, no '/' or ','; null when fine.</summary>
    public static string? TagError(string tag) =>
        tag.Length is 0 or > 60 || tag.Contains('/') || tag.Contains(',')
            ? $"Tag '{tag}' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: " +
              (tag.Length > 60 ? $"'{tag}' is too long" : tag.Length == 0 ? "'' is too short" : $"'{tag}' does not match '^[^,/]*$'")
            : null;

    /// <summary>The ?tags= / ?tags-any= / ?not-tags= / ?not-tags-any= filters of a server list.</summary>
    public static bool MatchesTags(Server server, Dictionary<string, string[]> filters)
    {
        var all = filters["tags"];
        var any = filters["tags-any"];
        var notAll = filters["not-tags"];
        var notAny = filters["not-tags-any"];
        if (all.Length > 0 && !all.All(server.Tags.Contains)) return false;
        if (any.Length > 0 && !any.Any(server.Tags.Contains)) return false;
        if (notAll.Length > 0 && notAll.All(server.Tags.Contains)) return false;
        if (notAny.Length > 0 && notAny.Any(server.Tags.Contains)) return false;
        return true;
    }

    private static async Task Tags(HttpContext context, CloudState state, TagVerb verb)
    {
        var call = ApiCall.Of(context);
        if (!call.AtLeast(26))
        {
            await Errors.Nova(context, 404, "The resource could not be found.");
            return;
        }
        List<string>? replacement = null;
        if (verb == TagVerb.Replace)
        {
            var body = await RequestBody.ReadObject(context, Service.Compute);
            if (body is null) return;
            if (body["tags"] is not JsonArray array)
            {
                await Errors.Nova(context, 400, $"Invalid input for field/attribute tags. Value: {body.ToJsonString()}. 'tags' is a required property");
                return;
            }
            replacement = [];
            foreach (var item in array)
            {
                var tag = item is JsonValue v && v.TryGetValue(out string? text) ? text : null;
                if (tag is null || TagError(tag) is { } error)
                {
                    await Errors.Nova(context, 400, tag is null ? $"Invalid input for field/attribute tags. Value: {item?.ToJsonString()}. Not a string" : TagError(tag)!);
                    return;
                }
                if (!replacement.Contains(tag)) replacement.Add(tag);
            }
            if (replacement.Count > MaxTags)
            {
                await Errors.Nova(context, 400, $"The number of tags exceeded the per-server limit {MaxTags}");
                return;
            }
        }
        var routeTag = context.Request.RouteValues["tag"] as string;
        if (routeTag is not null && verb == TagVerb.Add && TagError(routeTag) is { } tagError)
        {
            await Errors.Nova(context, 400, tagError);
            return;
        }
        Task result;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var server = ComputeEndpoints.FindServer(context, call, out var notFound);
            if (server is null)
            {
                result = notFound;
            }
            else if (verb is TagVerb.Replace or TagVerb.Clear or TagVerb.Add or TagVerb.Remove && server.VmState == "building")
            {
                result = Errors.Nova(context, 409, $"Cannot 'update tags' instance {server.Id} while it is in vm_state building");
            }
            else
            {
                result = ChangeTags(context, call, state, server, verb, replacement, routeTag);
            }
        }
        await result;
    }

    private static Task ChangeTags(HttpContext context, ApiCall call, CloudState state, Server server, TagVerb verb,
        List<string>? replacement, string? tag)
    {
        Task WriteTags(int status) => JsonOut.Write(context, status, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("tags");
            foreach (var t in server.Tags) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteEndObject();
        });
        Task NoTag() => Errors.Nova(context, 404, $"Instance {server.Id} has no tag '{tag}'");
        switch (verb)
        {
            case TagVerb.List:
                return WriteTags(200);
            case TagVerb.Replace:
                server.Tags.Clear();
                server.Tags.AddRange(replacement!);
                server.Updated = state.Now;
                return WriteTags(200);
            case TagVerb.Clear:
                server.Tags.Clear();
                server.Updated = state.Now;
                return JsonOut.Empty(context, 204);
            case TagVerb.Check:
                return server.Tags.Contains(tag!) ? JsonOut.Empty(context, 204) : NoTag();
            case TagVerb.Add:
                if (server.Tags.Contains(tag!)) return JsonOut.Empty(context, 204);
                if (server.Tags.Count >= MaxTags)
                    return Errors.Nova(context, 400, $"The number of tags exceeded the per-server limit {MaxTags}");
                server.Tags.Add(tag!);
                server.Updated = state.Now;
                context.Response.Headers.Location = $"{call.ComputeRoot}/servers/{server.Id}/tags/{Uri.EscapeDataString(tag!)}";
                return JsonOut.Empty(context, 201);
            default:
                if (!server.Tags.Remove(tag!)) return NoTag();
                server.Updated = state.Now;
                return JsonOut.Empty(context, 204);
        }
    }

    // ---- quotas --------------------------------------------------------------------------------------

    private static Task QuotaSet(HttpContext context, CloudState state, bool detail)
    {
        var call = ApiCall.Of(context);
        var project = (string)context.Request.RouteValues["project"]!;
        if (project != call.Account.TenantId)
            return Errors.Nova(context, 403, $"Policy doesn't allow os_compute_api:os-quota-sets:{(detail ? "detail" : "show")} to be performed.");
        var settings = state.Settings;
        int instances, cores, ram;
        lock (call.Region!.Lock)
        {
            call.Region.Settle(state.Now);
            var servers = call.Region.Servers.Values.Where(s => s.TenantId == project).ToList();
            instances = servers.Count;
            cores = servers.Sum(s => state.Flavor(s.FlavorId)?.Vcpus ?? 0);
            ram = servers.Sum(s => state.Flavor(s.FlavorId)?.Ram ?? 0);
        }
        var quotas = new List<(string Name, int Limit, int InUse)>
        {
            ("cores", settings.MaxTotalCores, cores),
            ("instances", settings.MaxTotalInstances, instances),
            ("ram", settings.MaxTotalRamSize, ram),
            ("key_pairs", 100, call.Account.Keypairs.Count),
            ("metadata_items", Metadata.MaxItems, 0),
            ("server_groups", 10, 0),
            ("server_group_members", 10, 0),
        };
        if (!call.AtLeast(36))
            quotas.AddRange([("fixed_ips", -1, 0), ("floating_ips", -1, 0), ("security_group_rules", -1, 0), ("security_groups", -1, 0)]);
        if (!call.AtLeast(57))
            quotas.AddRange([("injected_file_content_bytes", 10240, 0), ("injected_file_path_bytes", 255, 0), ("injected_files", 5, 0)]);
        return JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("quota_set");
            w.WriteString("id", project);
            foreach (var (name, limit, inUse) in quotas.OrderBy(q => q.Name, StringComparer.Ordinal))
            {
                if (!detail)
                {
                    w.WriteNumber(name, limit);
                    continue;
                }
                w.WriteStartObject(name);
                w.WriteNumber("in_use", inUse);
                w.WriteNumber("limit", limit);
                w.WriteNumber("reserved", 0);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
