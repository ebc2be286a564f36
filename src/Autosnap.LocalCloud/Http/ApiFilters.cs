using System;
using System.IO;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// The guard steps every API route shares, as endpoint filters around its handler, in this order: the service's
/// own checks (region, compute microversion, token), the rate limit, and a fault drawn to strike after the
/// handler ran. What must also happen to requests no route matches (Date header, counting, latency, a fault
/// that strikes before, the 404/405) stays in <see cref="ApiPipeline"/>, which sets up the <see cref="ApiCall"/>.
/// </summary>
public static class ApiFilters
{
    /// <summary>Marks a route as an API route counted under <paramref name="route"/> and puts the guards around it.</summary>
    public static TBuilder WithApiGuards<TBuilder>(this TBuilder builder, ApiRoute route) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(route);
        builder.AddEndpointFilter<TBuilder, ServiceGuard>();
        builder.AddEndpointFilter<TBuilder, RateLimitGuard>();
        builder.AddEndpointFilter<TBuilder, LostResponseGuard>();
        return builder;
    }
}

/// <summary>Region, microversion and token checks, each in the style of the service the route belongs to.</summary>
public sealed class ServiceGuard(CloudState state) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var call = ApiCall.Of(context);
        var regionName = context.Request.RouteValues["region"] as string;
        var ready = call.Route.Service switch
        {
            Service.Compute => await PrepareCompute(context, call, regionName),
            Service.Image => await PrepareImage(context, call, regionName),
            Service.Volume => await PrepareVolume(context, call, regionName),
            Service.Network => await PrepareNetwork(context, call, regionName),
            _ => true,
        };
        return ready ? await next(invocation) : null;
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

    /// <summary>Neutron: behind keystonemiddleware, its own error envelope for the rest.</summary>
    private async Task<bool> PrepareNetwork(HttpContext context, ApiCall call, string? regionName)
    {
        call.Region = regionName is null ? null : state.Region(regionName);
        if (call.Region is null)
        {
            await Errors.Neutron(context, 404, "HTTPNotFound", "The resource could not be found.");
            return false;
        }
        call.Token = state.Tokens.Validate(context.Request.Headers["X-Auth-Token"].ToString(), state.Now);
        if (call.Token is null || !call.Token.Scoped || !call.Token.Account.HasRegion(call.Region.Name))
        {
            await Errors.KeystoneMiddleware(context);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Cinder: v3 behind keystonemiddleware (OpenStack), v1 answering in Cinder's own envelope (Rackspace); both
    /// carry the project in the URL and refuse another project's ("Malformed request url"). v3 negotiates
    /// <c>OpenStack-API-Version: volume 3.x</c>.
    /// </summary>
    private async Task<bool> PrepareVolume(HttpContext context, ApiCall call, string? regionName)
    {
        var request = context.Request;
        context.Response.Headers["X-OpenStack-Request-Id"] = "req-" + Guid.NewGuid().ToString("D");
        call.Region = regionName is null ? null : state.Region(regionName);
        if (call.Region is null)
        {
            await Errors.Nova(context, 404, "The resource could not be found.");
            return false;
        }
        var project = request.RouteValues["project"] as string;
        var version = request.RouteValues["version"] as string;
        call.VolumeV1 = version == "v1";
        if (version is not null && version != "v1" && version != "v3")
        {
            await Errors.Nova(context, 404, "The resource could not be found.");
            return false;
        }
        var host = $"{request.Scheme}://{request.Host}/volume/{call.Region.Name.ToLowerInvariant()}";
        call.VolumeRoot = project is null ? host : $"{host}/{version}/{project}";
        if (version == "v3" && project is not null)
        {
            var (outcome, minor, requested) = VolumeMicroversion.Parse(request);
            if (outcome == Microversion.Outcome.Invalid)
            {
                await Errors.Nova(context, 400, $"API Version String {requested} is of invalid format. Must be of format MajorNum.MinorNum.");
                return false;
            }
            if (outcome == Microversion.Outcome.NotAcceptable)
            {
                await Errors.Nova(context, 406, $"Version {requested} is not supported by the API. Minimum is {VolumeMicroversion.MinText} and maximum is {VolumeMicroversion.MaxText}.");
                return false;
            }
            call.Microversion = minor;
            VolumeMicroversion.WriteHeaders(context.Response, minor);
        }
        if (call.Route.Anonymous) return true;

        call.Token = state.Tokens.Validate(request.Headers["X-Auth-Token"].ToString(), state.Now);
        if (call.Token is null || !call.Token.Scoped || !call.Token.Account.HasRegion(call.Region.Name))
        {
            if (call.VolumeV1) await Errors.Nova(context, 401, "The request you have made requires authentication.");
            else await Errors.KeystoneMiddleware(context);
            return false;
        }
        if (project is not null && project != call.Account.TenantId)
        {
            await Errors.Nova(context, 400, "Malformed request url");
            return false;
        }
        return true;
    }

    private static bool IsVersionDocument(ApiRoute route) => route.StatsKey.StartsWith("GET /versions", StringComparison.Ordinal)
                                                              || route.StatsKey == "GET /";
}

/// <summary>Requests per minute per account, region and verb (Repose's 413 or Nova's 429).</summary>
public sealed class RateLimitGuard(CloudState state, RequestStats stats, RateLimiter limiter) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var call = ApiCall.Of(context);
        var settings = state.Settings;
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
                return null;
            }
        }
        return await next(invocation);
    }
}

/// <summary>
/// A fault drawn to strike after the request ran: the handler runs into a buffer (the state changes), its
/// answer is thrown away and the fault is played instead. That is what a lost response looks like.
/// </summary>
public sealed class LostResponseGuard(CloudState state, RequestStats stats, IHostApplicationLifetime lifetime) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var call = ApiCall.Of(context);
        if (call.AfterFault is not { } fault) return await next(invocation);

        var realBody = context.Features.Get<IHttpResponseBodyFeature>()!;
        using (var buffer = new MemoryStream())
        {
            context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer));
            try
            {
                await next(invocation);
            }
            finally
            {
                context.Features.Set(realBody);
            }
        }
        context.Response.Clear();
        context.Response.Headers.Date = VirtualClock.Http(state.Now);
        stats.Fault(fault.Kind, fault.Phase);
        await FaultInjector.Play(context, fault, call.Route.Service, state, lifetime.ApplicationStopping);
        return null;
    }
}
