using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Autosnap.LocalCloud.State;

namespace Autosnap.LocalCloud.Hosting;

/// <summary>
/// Reads a seed/config document: seed fields (regions, accounts, flavors, publicImages, servers, images,
/// clock) and runtime settings (the /__admin/config fields) side by side at the top level.
/// </summary>
public static class ConfigFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static (SeedDocument Seed, CloudSettings Settings) Load(string path) => Parse(File.ReadAllText(path), path);

    public static (SeedDocument Seed, CloudSettings Settings) Parse(string json, string source = "config")
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
            }) as JsonObject ?? throw new InvalidDataException($"{source}: the top level must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        var settingsPatch = new JsonObject();
        foreach (var name in root.Select(p => p.Key).Where(CloudSettings.Names.Contains).ToList())
        {
            var value = root[name];
            root.Remove(name);
            settingsPatch[name] = value;
        }
        try
        {
            var seed = root.Deserialize<SeedDocument>(Options) ?? new SeedDocument();
            var settings = new CloudSettings().Merge(settingsPatch);
            return (seed, settings);
        }
        catch (Exception e) when (e is JsonException or SettingsException)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }
}
