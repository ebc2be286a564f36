using System.Text.Json;
using Autosnap.LocalCloud.State;

namespace Autosnap.LocalCloud.Identity;

/// <summary>
/// The URL scheme, one port for everything (README.md, "URL scheme"):
///   identity        {base}/v2.0 (Rackspace), {base}/v3 (Keystone)
///   compute         {base}/compute/{region}/v2/{tenant}  legacy v2, as Rackspace's cloudServersOpenStack
///                   {base}/compute/{region}/v2.1         microversions 2.1-2.93, as Nova Zed (Keystone catalog)
///   image (Glance)  {base}/image/{region}                with /v2 appended in Rackspace's cloudImages entry
///   block storage   {base}/volume/{region}/v1/{tenant}   Cinder-based v1, as Rackspace's cloudBlockStorage
///                   {base}/volume/{region}/v3/{project}  Cinder v3 (Keystone catalog: volumev3 and block-storage)
/// Region path segments are lower case, like Rackspace's host names (dfw.servers.api...).
/// </summary>
public static class Catalog
{
    public static string ComputeLegacy(string baseUrl, string region, string tenant) =>
        $"{baseUrl}/compute/{region.ToLowerInvariant()}/v2/{tenant}";

    public static string ComputeV21(string baseUrl, string region) => $"{baseUrl}/compute/{region.ToLowerInvariant()}/v2.1";

    public static string ImageRoot(string baseUrl, string region) => $"{baseUrl}/image/{region.ToLowerInvariant()}";

    /// <summary>Neutron's catalog URL (clients append /v2.0).</summary>
    public static string NetworkRoot(string baseUrl, string region) => $"{baseUrl}/network/{region.ToLowerInvariant()}";

    public static string VolumeV1(string baseUrl, string region, string tenant) =>
        $"{baseUrl}/volume/{region.ToLowerInvariant()}/v1/{tenant}";

    public static string VolumeV3(string baseUrl, string region, string project) =>
        $"{baseUrl}/volume/{region.ToLowerInvariant()}/v3/{project}";

    /// <summary>Rackspace v2.0 serviceCatalog: cloudServersOpenStack, cloudImages and cloudBlockStorage per region.</summary>
    public static void WriteRackspace(Utf8JsonWriter w, string baseUrl, Account account)
    {
        w.WriteStartArray("serviceCatalog");
        w.WriteStartObject();
        w.WriteString("name", "cloudServersOpenStack");
        w.WriteString("type", "compute");
        w.WriteStartArray("endpoints");
        foreach (var region in account.Regions)
        {
            w.WriteStartObject();
            w.WriteString("region", region);
            w.WriteString("tenantId", account.TenantId);
            w.WriteString("publicURL", ComputeLegacy(baseUrl, region, account.TenantId));
            w.WriteString("versionId", "2");
            w.WriteString("versionInfo", $"{baseUrl}/compute/{region.ToLowerInvariant()}/v2");
            w.WriteString("versionList", $"{baseUrl}/compute/{region.ToLowerInvariant()}/");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("name", "cloudImages");
        w.WriteString("type", "image");
        w.WriteStartArray("endpoints");
        foreach (var region in account.Regions)
        {
            w.WriteStartObject();
            w.WriteString("region", region);
            w.WriteString("tenantId", account.TenantId);
            w.WriteString("publicURL", ImageRoot(baseUrl, region) + "/v2");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("name", "cloudBlockStorage");
        w.WriteString("type", "volume");
        w.WriteStartArray("endpoints");
        foreach (var region in account.Regions)
        {
            w.WriteStartObject();
            w.WriteString("region", region);
            w.WriteString("tenantId", account.TenantId);
            w.WriteString("publicURL", VolumeV1(baseUrl, region, account.TenantId));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
    }

    /// <summary>Keystone v3 catalog: keystone, nova (v2.1), glance and cinder (v3, as volumev3 and block-storage), public and internal, per region.</summary>
    public static void WriteKeystone(Utf8JsonWriter w, string baseUrl, Account account)
    {
        w.WriteStartArray("catalog");
        WriteService(w, account, "identity", "keystone", _ => $"{baseUrl}/v3/");
        WriteService(w, account, "compute", "nova", region => ComputeV21(baseUrl, region));
        WriteService(w, account, "image", "glance", region => ImageRoot(baseUrl, region));
        WriteService(w, account, "volumev3", "cinderv3", region => VolumeV3(baseUrl, region, account.TenantId));
        WriteService(w, account, "block-storage", "cinder", region => VolumeV3(baseUrl, region, account.TenantId));
        WriteService(w, account, "network", "neutron", region => NetworkRoot(baseUrl, region));
        w.WriteEndArray();
    }

    private static void WriteService(Utf8JsonWriter w, Account account, string type, string name,
        System.Func<string, string> url)
    {
        w.WriteStartObject();
        w.WriteString("id", StableIds.Hex32("service:" + type));
        w.WriteString("type", type);
        w.WriteString("name", name);
        w.WriteStartArray("endpoints");
        foreach (var region in account.Regions)
        {
            foreach (var face in new[] { "public", "internal" })
            {
                w.WriteStartObject();
                w.WriteString("id", StableIds.Hex32($"endpoint:{type}:{region}:{face}"));
                w.WriteString("interface", face);
                w.WriteString("region_id", region);
                w.WriteString("region", region);
                w.WriteString("url", url(region));
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
