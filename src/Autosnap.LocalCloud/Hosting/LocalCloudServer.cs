using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Admin;
using Autosnap.LocalCloud.Compute;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.Identity;
using Autosnap.LocalCloud.Images;
using Autosnap.LocalCloud.State;
using Autosnap.LocalCloud.Volumes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Autosnap.LocalCloud;

/// <summary>How to start a LocalCloud in-process.</summary>
public sealed class LocalCloudOptions
{
    /// <summary>The seed (default: the demo account, see <see cref="DefaultSeed"/>).</summary>
    public SeedDocument? Seed { get; set; }

    /// <summary>Initial runtime settings (default: <see cref="CloudSettings"/>'s defaults).</summary>
    public CloudSettings? Settings { get; set; }

    /// <summary>A seed/config JSON file, as --config takes; used when Seed and Settings are not given.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Where to listen; port 0 picks a free port.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:0";
}

/// <summary>
/// A running LocalCloud. Tests start one per class (or per test) on a free loopback port:
/// <code>await using var cloud = await LocalCloudServer.StartAsync();  // cloud.BaseUri, cloud.IdentityV3Uri ...</code>
/// </summary>
public sealed class LocalCloudServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalCloudServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
        State = app.Services.GetRequiredService<CloudState>();
        Stats = app.Services.GetRequiredService<RequestStats>();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Lifetime.ApplicationStopped.Register(() => stopped.TrySetResult());
        Stopped = stopped.Task;
    }

    /// <summary>Completes when the server has stopped (DisposeAsync, or POST /__admin/shutdown).</summary>
    public Task Stopped { get; }

    /// <summary>http://127.0.0.1:PORT (no trailing slash).</summary>
    public Uri BaseUri { get; }

    /// <summary>Rackspace identity: POST {IdentityV2Uri}/tokens.</summary>
    public Uri IdentityV2Uri => new(BaseUri + "v2.0");

    /// <summary>Keystone: the auth_url, POST {IdentityV3Uri}/auth/tokens.</summary>
    public Uri IdentityV3Uri => new(BaseUri + "v3");

    public Uri AdminUri => new(BaseUri + "__admin");

    public CloudState State { get; }
    public RequestStats Stats { get; }
    public VirtualClock Clock => State.Clock;
    public SeedDocument Seed => State.Seed;

    /// <summary>The runtime settings; setting them is what POST /__admin/config does.</summary>
    public CloudSettings Settings
    {
        get => State.Settings;
        set => State.UpdateSettings(value);
    }

    /// <summary>Compute endpoint of a region: legacy v2 with the tenant (Rackspace) or v2.1 (Keystone catalog).</summary>
    public Uri ComputeUri(string region, bool legacy = true, string tenant = DefaultSeed.TenantId) =>
        new(legacy ? Catalog.ComputeLegacy(Base, region, tenant) : Catalog.ComputeV21(Base, region));

    /// <summary>Image endpoint root of a region (append /v2 for Glance's API, as Rackspace's catalog does).</summary>
    public Uri ImageUri(string region) => new(Catalog.ImageRoot(Base, region));

    /// <summary>Neutron's root for a region (append /v2.0), as the Keystone catalog gives it.</summary>
    public Uri NetworkUri(string region) => new(Catalog.NetworkRoot(Base, region));

    /// <summary>Block storage endpoint of a region: Cinder v1 with the tenant (Rackspace) or v3 with the project (Keystone catalog).</summary>
    public Uri VolumeUri(string region, bool legacy = true, string tenant = DefaultSeed.TenantId) =>
        new(legacy ? Catalog.VolumeV1(Base, region, tenant) : Catalog.VolumeV3(Base, region, tenant));

    private string Base => BaseUri.ToString().TrimEnd('/');

    public static async Task<LocalCloudServer> StartAsync(LocalCloudOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new LocalCloudOptions();
        var (seed, settings) = options.ConfigFile is not null && options.Seed is null && options.Settings is null
            ? Hosting.ConfigFile.Load(options.ConfigFile)
            : (options.Seed ?? DefaultSeed.Create(), options.Settings ?? new CloudSettings());
        var app = Build([], seed, settings, options.Urls, inProcess: true);
        await app.StartAsync(cancellationToken);
        // POST /__admin/shutdown only signals "stopping"; in-process nobody else turns that into a stop
        app.Lifetime.ApplicationStopping.Register(() => _ = Task.Run(() => app.StopAsync()));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalCloudServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    /// <summary>The whole application: services, the API pipeline and every route.</summary>
    public static WebApplication Build(string[] args, SeedDocument seed, CloudSettings settings, string? urls, bool inProcess)
    {
        // always Production: a Development environment variable must not bring in the developer exception page
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter(_ => false);
        if (urls is not null) builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // a stalled or garbage response must not keep the process from stopping
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        if (inProcess) builder.Services.AddSingleton<IHostLifetime, InProcessLifetime>();
        var state = new CloudState(seed, settings);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton<RequestStats>();
        builder.Services.AddSingleton<RateLimiter>();
        builder.Services.AddRouting();

        var app = builder.Build();
        app.Use(LastResort);
        app.UseRouting();
        app.UseMiddleware<ApiPipeline>();
        var stats = app.Services.GetRequiredService<RequestStats>();
        var limiter = app.Services.GetRequiredService<RateLimiter>();
        IdentityEndpoints.Map(app, state);
        ComputeEndpoints.Map(app, state, limiter);
        ImageEndpoints.Map(app, state);
        VolumeEndpoints.Map(app, state);
        Networking.NetworkEndpoints.Map(app, state);
        AdminEndpoints.Map(app, state, stats, limiter, app.Lifetime);
        return app;
    }

    /// <summary>
    /// Anything thrown outside the API pipeline (routing included) still gets a plain 500, never a stack trace.
    /// </summary>
    private static async Task LastResort(Microsoft.AspNetCore.Http.HttpContext context, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            Console.Error.WriteLine($"LocalCloud: {context.Request.Method} {context.Request.Path}: {e.GetType().Name}: {e.Message}");
            context.Response.Clear();
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"computeFault\":{\"code\":500,\"message\":\"The server has either erred or is incapable of performing the requested operation.\"}}");
        }
    }

    /// <summary>Stops the server and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>No Ctrl+C/SIGTERM handling in-process: the test host owns the process.</summary>
    private sealed class InProcessLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
