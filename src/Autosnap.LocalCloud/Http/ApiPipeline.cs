using System;
using System.IO;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// Everything that happens to an API request around its handler, in order: the virtual Date header,
/// counting, latency, a fault that strikes before, authentication and region checks, the compute
/// microversion, rate limiting, the handler, and a fault that strikes after it ran.
/// /__admin skips all of it except the Date header.
/// </summary>
public sealed class ApiPipeline(RequestDelegate next, CloudState state, RequestStats stats, RateLimiter limiter,
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

        var call = new ApiCall { Route = route, HandlerFault = fault is { PlayedByHandler: true } ? fault : null };
        context.Features.Set(call);
        var ready = service switch
        {
            Service.Compute => await PrepareCompute(context, call, regionName),
            Service.Image => await PrepareImage(context, call, regionName),
            _ => true,
        };
        if (!ready) return;

        if (call.Token is not null && call.Region is not null
            && settings.RateLimits.TryGetValue(context.Request.Method, out var perMinute))
        {
            var decision = limiter.TryAcquire(call.Account.TenantId, call.Region.Name, context.Request.Method, perMinute);
            if (!decision.Allowed)
            {
                stats.RateLimited(context.Request.Method);
                var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
                await Errors.OverLimit(context, settings.RateLimitStatus, seconds, state.Now.AddSeconds(seconds),
                    context.Request.Method, perMinute);
                return;
            }
        }

        if (fault is { After: true })
        {
            await RunAndLoseResponse(context, fault, service);
            return;
        }
        await next(context);
    }

    /// <summary>Runs the handler into a buffer, throws its answer away and plays the fault instead.</summary>
    private async Task RunAndLoseResponse(HttpContext context, Fault fault, Service service)
    {
        var realBody = context.Features.Get<IHttpResponseBodyFeature>()!;
        using (var buffer = new MemoryStream())
        {
            context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer));
            try
            {
                await next(context);
            }
            finally
            {
                context.Features.Set(realBody);
            }
        }
        context.Response.Clear();
        context.Response.Headers.Date = VirtualClock.Http(state.Now);
        stats.Fault(fault.Kind, fault.Phase);
        await FaultInjector.Play(context, fault, service, state, lifetime.ApplicationStopping);
    }

    private async Task<bool> PrepareCompute(HttpContext context, ApiCall call, string? regionName)
    {
        var request = context.Request;
        context.Response.Headers["X-Compute-Request-Id"] = "req-" + Guid.NewGuid().ToString("D");
        context.Response.Headers["X-OpenStack-Request-Id"] = context.Response.Headers["X-Compute-Request-Id"];
        call.Region = regionName is null ? null : state.Region(regionName);
        if (call.Region is null)
        {
            await Errors.Nova(context, 404, "The resource could not be found.");
            return false;
        }
        var tenant = request.RouteValues["tenant"] as string;
        call.LegacyCompute = tenant is not null;
        var host = $"{request.Scheme}://{request.Host}/compute/{call.Region.Name.ToLowerInvariant()}";
        call.ComputeRoot = call.LegacyCompute ? $"{host}/v2/{tenant}" : $"{host}/v2.1";
        call.ComputeBookmarkRoot = call.LegacyCompute ? $"{host}/{tenant}" : host;

        if (!call.LegacyCompute && !IsVersionDocument(call.Route))
        {
            var (outcome, minor, requested) = Microversion.Parse(request);
            if (outcome == Microversion.Outcome.Invalid)
            {
                await Errors.Nova(context, 400, $"API Version String {requested} is of invalid format. Must be of format MajorNum.MinorNum.");
                return false;
            }
            if (outcome == Microversion.Outcome.NotAcceptable)
            {
                await Errors.Nova(context, 406, $"Version {requested} is not supported by the API. Minimum is {Microversion.MinText} and maximum is {Microversion.MaxText}.");
                return false;
            }
            call.Microversion = minor;
            Microversion.WriteHeaders(context.Response, minor);
        }
        if (call.Route.Anonymous) return true;

        call.Token = state.Tokens.Validate(request.Headers["X-Auth-Token"].ToString(), state.Now);
        if (call.Token is null || !call.Token.Scoped || !call.Token.Account.HasRegion(call.Region.Name))
        {
            // Rackspace's legacy endpoint answers in Nova's envelope; v2.1 sits behind keystonemiddleware
            if (call.LegacyCompute) await Errors.Nova(context, 401, "The request you have made requires authentication.");
            else await Errors.KeystoneMiddleware(context);
            return false;
        }
        if (tenant is not null && tenant != call.Account.TenantId)
        {
            await Errors.Nova(context, 400,
                $"Malformed request URL: URL's project_id '{tenant}' doesn't match Context's project_id '{call.Account.TenantId}'");
            return false;
        }
        return true;
    }

    private async Task<bool> PrepareImage(HttpContext context, ApiCall call, string? regionName)
    {
        call.Region = regionName is null ? null : state.Region(regionName);
        if (call.Region is null)
        {
            await Errors.Glance(context, 404, "The resource could not be found.");
            return false;
        }
        if (call.Route.Anonymous) return true;
        call.Token = state.Tokens.Validate(context.Request.Headers["X-Auth-Token"].ToString(), state.Now);
        if (call.Token is null || !call.Token.Scoped || !call.Token.Account.HasRegion(call.Region.Name))
        {
            await Errors.Glance(context, 401, Errors.WebobUnauthorized);
            return false;
        }
        return true;
    }

    private static bool IsVersionDocument(ApiRoute route) => route.StatsKey.StartsWith("GET /versions", StringComparison.Ordinal)
                                                              || route.StatsKey == "GET /";

    private static Service ServiceOf(PathString path) =>
        path.StartsWithSegments("/compute") ? Service.Compute
        : path.StartsWithSegments("/image") ? Service.Image
        : Service.Identity;
}
