using System;
using System.IO;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// What happens to every API request, matched by a route or not, in order: the virtual Date header, counting,
/// a stopped Glance, latency, a fault that strikes before, and the 404/405 of an unmatched path. The guards
/// that belong to a route (service checks, rate limit, a fault that strikes after) are endpoint filters
/// (<see cref="ApiFilters"/>). /__admin skips all of it except the Date header.
/// </summary>
public sealed class ApiPipeline(RequestDelegate next, CloudState state, RequestStats stats,
    IHostApplicationLifetime lifetime)
{
    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers.Date = VirtualClock.Http(state.Now);
        if (context.Request.Path.StartsWithSegments("/__admin"))
        {
            await next(context);
            return;
        }

        var endpoint = context.GetEndpoint();
        var route = endpoint?.Metadata.GetMetadata<ApiRoute>();
        var regionName = context.Request.RouteValues["region"] as string;
        var service = route?.Service ?? ServiceOf(context.Request.Path);
        var routeKey = route?.StatsKey ?? "(unmatched)";
        var arrived = stats.Request(context.Request.Method, routeKey, route is null ? null : regionName);
        try
        {
            await Run(context, route, endpoint, service, regionName);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away (a stall, a timeout): nothing to answer
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            // a bug of ours must still look like the service's own 500, never a stack trace
            Console.Error.WriteLine($"LocalCloud: {context.Request.Method} {context.Request.Path}: {e.GetType().Name}: {e.Message}");
            context.Response.Clear();
            context.Response.Headers.Date = VirtualClock.Http(state.Now);
            await Errors.For(context, service, 500, "The server has either erred or is incapable of performing the requested operation.");
        }
        stats.Status(context.Response.StatusCode);
        stats.Log(arrived, context.Request.Method, context.Request.Path.Value + context.Request.QueryString.Value, routeKey,
            context.Response.StatusCode);
    }

    private async Task Run(HttpContext context, ApiRoute? route, Endpoint? endpoint, Service service, string? regionName)
    {
        var settings = state.Settings;
        if (service == Service.Image && ImageOutage.IsDown(settings, regionName ?? ImageOutage.RegionOfImagePath(context.Request.Path)))
        {
            // a stopped Glance: nobody answers, at once
            context.Abort();
            return;
        }
        if (service == Service.Volume && ImageOutage.VolumesDown(settings, regionName ?? ImageOutage.RegionOf(context.Request.Path, "/volume")))
        {
            // a stopped cinder-api, likewise
            context.Abort();
            return;
        }
        if (settings.LatencyMs > 0) await Task.Delay(settings.LatencyMs, context.RequestAborted);

        var fault = FaultInjector.Choose(settings, state.Random, service);
        if (fault is { After: false, PlayedByHandler: false })
        {
            stats.Fault(fault.Kind, fault.Phase);
            await FaultInjector.Play(context, fault, service, state, lifetime.ApplicationStopping);
            return;
        }

        if (route is null)
        {
            // endpoint routing hands us its own 405 endpoint when the path exists with another verb
            var methodNotAllowed = endpoint?.DisplayName?.Contains("405", StringComparison.Ordinal) == true;
            await Errors.For(context, service, methodNotAllowed ? 405 : 404,
                methodNotAllowed ? "The method specified is not allowed for this resource." : "The resource could not be found.");
            return;
        }

        // the service checks, the rate limit and a fault after the handler are endpoint filters (ApiFilters.cs)
        context.Features.Set(new ApiCall
        {
            Route = route,
            HandlerFault = fault is { PlayedByHandler: true } ? fault : null,
            AfterFault = fault is { After: true } ? fault : null,
        });
        await next(context);
    }

    private static Service ServiceOf(PathString path) =>
        path.StartsWithSegments("/compute") ? Service.Compute
        : path.StartsWithSegments("/image") ? Service.Image
        : path.StartsWithSegments("/volume") ? Service.Volume
        : path.StartsWithSegments("/network") ? Service.Network
        : Service.Identity;
}
