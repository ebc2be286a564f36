using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autosnap.LocalCloud.Compute;

/// <summary>
/// Rackspace's Scheduled Images extension (alias rax-si-image-schedule) at /servers/{id}/rax-si-image-schedule:
/// POST enables (or replaces) a daily or weekly schedule and echoes it (200), GET shows it (404 when there is
/// none), DELETE disables it (202). Only on the Rackspace (legacy v2) compute endpoint: Nova has no such
/// extension, so on v2.1 the route is the plain 404 of a path Nova does not know. The images themselves are made
/// by <see cref="ScheduledImageService"/> on the virtual clock.
/// </summary>
public static class ScheduledImagesEndpoints
{
    public const string Alias = "rax-si-image-schedule";
    public const string Name = "ScheduledImages";
    public const string Description = "Enables automatic daily or weekly images to be taken of a server.";

    public static void Map(IEndpointRouteBuilder app, CloudState state)
    {
        ComputeEndpoints.Route(app, "GET", "/servers/{id}/" + Alias, context => Show(context, state));
        ComputeEndpoints.Route(app, "POST", "/servers/{id}/" + Alias, context => Enable(context, state));
        ComputeEndpoints.Route(app, "DELETE", "/servers/{id}/" + Alias, context => Disable(context, state));
    }

    private static Task NoSuchExtension(HttpContext context) => Errors.Nova(context, 404, "The resource could not be found.");

    private static Task WriteSchedule(HttpContext context, ImageSchedule schedule) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("image_schedule");
        if (schedule.DayOfWeek is not null) w.WriteString("day_of_week", schedule.DayOfWeek);
        w.WriteNumber("retention", schedule.Retention);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static Task NoSchedule(HttpContext context, string serverId) =>
        Errors.Nova(context, 404, $"Image schedule does not exist for server {serverId}");

    private static Task Show(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (!call.LegacyCompute) return NoSuchExtension(context);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var server = ComputeEndpoints.FindServer(context, call, out var notFound);
            if (server is null) return notFound;
            return server.ImageSchedule is { } schedule ? WriteSchedule(context, schedule) : NoSchedule(context, server.Id);
        }
    }

    private static Task Disable(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (!call.LegacyCompute) return NoSuchExtension(context);
        var region = call.Region!;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var server = ComputeEndpoints.FindServer(context, call, out var notFound);
            if (server is null) return notFound;
            if (!region.ScheduledImages!.Disable(server)) return NoSchedule(context, server.Id);
            return JsonOut.Empty(context, 202);
        }
    }

    private static async Task Enable(HttpContext context, CloudState state)
    {
        var call = ApiCall.Of(context);
        if (!call.LegacyCompute)
        {
            await NoSuchExtension(context);
            return;
        }
        var body = await RequestBody.ReadObject(context, Service.Compute);
        if (body is null) return;
        var (retention, day, error) = Parse(body);
        if (error is not null)
        {
            await Errors.Nova(context, 400, error);
            return;
        }
        var region = call.Region!;
        Task result;
        lock (region.Lock)
        {
            region.Settle(state.Now);
            var server = ComputeEndpoints.FindServer(context, call, out var notFound);
            result = server is null ? notFound : WriteSchedule(context, region.ScheduledImages!.Enable(server, retention, day, state.Now));
        }
        await result;
    }

    /// <summary>{"image_schedule":{"retention":n[,"day_of_week":"SATURDAY"]}}: retention 1..65535, a day as the API spells it.</summary>
    public static (int Retention, string? DayOfWeek, string? Error) Parse(JsonObject body)
    {
        if (body["image_schedule"] is not JsonObject schedule) return (0, null, "Malformed request body: 'image_schedule' is required.");
        var retentionNode = schedule["retention"];
        if (retentionNode is null) return (0, null, "Malformed request body: 'retention' is required.");
        int retention;
        if (retentionNode is JsonValue value && value.TryGetValue(out long number) && number is >= int.MinValue and <= int.MaxValue)
            retention = (int)number;
        else if (retentionNode is JsonValue text && text.TryGetValue(out string? s) && int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            retention = parsed;
        else
            return (0, null, $"The retention value {retentionNode.ToJsonString()} is not allowed. It must be an integer");
        if (retention <= 0) return (0, null, $"The retention value {retention} is not allowed. It must be greater than 0");
        if (retention > ImageSchedule.MaxRetention)
            return (0, null, $"The retention value {retention} is not allowed. It cannot exceed {ImageSchedule.MaxRetention}");
        string? day = null;
        if (schedule["day_of_week"] is { } dayNode)
        {
            if (dayNode is not JsonValue dayValue || !dayValue.TryGetValue(out day) || !ImageSchedule.Days.Contains(day))
                return (0, null, $"The day_of_week value {dayNode.ToJsonString()} is not allowed. It must be one of {string.Join(", ", ImageSchedule.Days)}");
        }
        return (retention, day, null);
    }
}
