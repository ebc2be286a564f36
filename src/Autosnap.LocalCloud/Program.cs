using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Autosnap.LocalCloud;
using Autosnap.LocalCloud.Hosting;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Builder;

// dotnet Autosnap.LocalCloud.dll [--urls http://127.0.0.1:0] [--config seed.json]
// The first stdout line says where it listens; Ctrl+C, SIGTERM or POST /__admin/shutdown stops it.
var rest = new List<string>();
string? configPath = null;
string? urls = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "--config" or "-c" && i + 1 < args.Length) configPath = args[++i];
    else if (args[i].StartsWith("--config=", StringComparison.Ordinal)) configPath = args[i]["--config=".Length..];
    else if (args[i] == "--urls" && i + 1 < args.Length) urls = args[++i];
    else if (args[i].StartsWith("--urls=", StringComparison.Ordinal)) urls = args[i]["--urls=".Length..];
    else if (args[i] is "--help" or "-h")
    {
        Console.WriteLine("usage: dotnet Autosnap.LocalCloud.dll [--urls http://127.0.0.1:PORT] [--config seed.json]");
        return 0;
    }
    else rest.Add(args[i]);
}

SeedDocument seed;
CloudSettings settings;
try
{
    (seed, settings) = configPath is null ? (DefaultSeed.Create(), new CloudSettings()) : ConfigFile.Load(configPath);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"LocalCloud: cannot read --config: {e.Message}");
    return 2;
}

// loopback by default: never listen on other interfaces unless asked
urls ??= Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://127.0.0.1:5000";
WebApplication app;
try
{
    app = LocalCloudServer.Build(rest.ToArray(), seed, settings, urls, inProcess: false);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"LocalCloud: bad seed: {e.Message}");
    return 2;
}
app.Lifetime.ApplicationStarted.Register(() =>
{
    Console.WriteLine("LocalCloud listening on " + string.Join(", ", app.Urls));
    Console.Out.Flush();
});
app.Lifetime.ApplicationStopped.Register(() => Console.WriteLine("LocalCloud stopped"));
try
{
    app.Run();
}
catch (IOException e)
{
    Console.Error.WriteLine($"LocalCloud: cannot listen on {urls}: {e.Message}");
    return 1;
}
return 0;
