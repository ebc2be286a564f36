using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace Autosnap.LocalCloud.Compute;

/// <summary>Rackspace's metadata limits: 40 items per server or image, keys and values up to 255 characters.</summary>
public static class Metadata
{
    public const int MaxItems = 40;
    public const int MaxLength = 255;

    /// <summary>A string map from JSON, or an error message in Nova's validation style.</summary>
    public static (Dictionary<string, string>? Map, string? Error) Parse(JsonNode? node, string field)
    {
        if (node is null) return (new Dictionary<string, string>(), null);
        if (node is not JsonObject obj)
            return (null, $"Invalid input for field/attribute {field}. Value: {node.ToJsonString()}. {node.ToJsonString()} is not of type 'object'");
        var map = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (key.Length is 0 or > MaxLength)
                return (null, $"Invalid input for field/attribute {field}. Value: {obj.ToJsonString()}. Additional properties are not allowed ('{key}' was unexpected)");
            if (value is not JsonValue v || !v.TryGetValue(out string? text))
                return (null, $"Invalid input for field/attribute {key}. Value: {value?.ToJsonString() ?? "null"}. {value?.ToJsonString() ?? "None"} is not of type 'string'");
            if (text.Length > MaxLength)
                return (null, $"Invalid input for field/attribute {key}. Value: {text}. '{text}' is too long");
            map[key] = text;
        }
        return (map, null);
    }
}
