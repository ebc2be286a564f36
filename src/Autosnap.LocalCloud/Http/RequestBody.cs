using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Autosnap.LocalCloud.Http;

/// <summary>Reads a JSON request body the way each service does, answering its errors on bad input.</summary>
public static class RequestBody
{
    /// <summary>
    /// The body as a JSON object, or null after an error response was written: 415 for a content type that
    /// is not JSON, 400 for malformed JSON or a body that is not an object.
    /// </summary>
    public static async Task<JsonObject?> ReadObject(HttpContext context, Service service, string? mediaType = null)
    {
        var contentType = context.Request.ContentType;
        if (!IsAcceptedType(contentType, mediaType))
        {
            await Errors.For(context, service, 415, "Unsupported Content-Type");
            return null;
        }
        string text;
        using (var reader = new StreamReader(context.Request.Body))
        {
            text = await reader.ReadToEndAsync(context.RequestAborted);
        }
        JsonNode? node;
        try
        {
            node = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            await Errors.For(context, service, 400, MalformedMessage(service));
            return null;
        }
        if (node is JsonObject obj) return obj;
        await Errors.For(context, service, 400, service == Service.Compute
            ? "The request body is invalid. A JSON object is expected."
            : MalformedMessage(service));
        return null;
    }

    /// <summary>A JSON-patch document (a JSON array) for Glance's PATCH.</summary>
    public static async Task<JsonArray?> ReadPatch(HttpContext context)
    {
        string text;
        using (var reader = new StreamReader(context.Request.Body))
        {
            text = await reader.ReadToEndAsync(context.RequestAborted);
        }
        try
        {
            if (JsonNode.Parse(text) is JsonArray array) return array;
        }
        catch (JsonException)
        {
        }
        await Errors.Glance(context, 400, "Request body must be a JSON array of operation objects.");
        return null;
    }

    private static string MalformedMessage(Service service) => service switch
    {
        Service.Compute or Service.Volume => "Malformed request body",
        Service.Image => "Malformed JSON in request body.",
        _ => "Invalid json request body",
    };

    /// <summary>JSON types (application/json, application/*+json, or the given media type); no type is read as JSON.</summary>
    private static bool IsAcceptedType(string? contentType, string? mediaType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return mediaType is null;
        var type = contentType.Split(';')[0].Trim();
        if (mediaType is not null) return string.Equals(type, mediaType, StringComparison.OrdinalIgnoreCase);
        return string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase)
               || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    public static string? String(this JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
