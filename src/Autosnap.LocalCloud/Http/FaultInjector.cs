using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Http;

namespace Autosnap.LocalCloud.Http;

/// <summary>A fault chosen for one request: its kind and whether it strikes before or after the request ran.</summary>
public sealed record Fault(string Kind, bool After)
{
    public string Phase => After ? "after" : "before";

    /// <summary>
    /// Played by the handler, not the pipeline: "orphan" only means something to createImage/createBackup
    /// (the image is made, then Nova's API fails before the snapshot starts); any other request runs normally.
    /// </summary>
    public bool PlayedByHandler => Kind == "orphan";
}

/// <summary>
/// Chooses and plays injected faults. 413 and 429 are rejections, so always "before"; the others (500, 503,
/// reset, stall, garbage) may strike after the request was processed too: the state changed but the client
/// sees a failure, which is what a lost response looks like.
/// </summary>
public static class FaultInjector
{
    public static Fault? Choose(CloudSettings settings, SeededRandom random, Service service)
    {
        if (settings.FaultRate <= 0 || settings.FaultKinds.Count == 0) return null;
        var serviceName = service.ToString().ToLowerInvariant();
        var applies = false;
        foreach (var s in settings.FaultServices) applies |= s == serviceName;
        if (!applies || random.NextDouble() >= settings.FaultRate) return null;
        var kind = settings.FaultKinds[random.Next(settings.FaultKinds.Count)];
        if (kind is "413" or "429" or "orphan") return new Fault(kind, false);
        var after = settings.FaultPhase switch
        {
            "before" => false,
            "after" => true,
            _ => random.NextDouble() < 0.5,
        };
        return new Fault(kind, after);
    }

    /// <summary>Writes (or withholds) the faulty answer. The response must not have started.</summary>
    public static async Task Play(HttpContext context, Fault fault, Service service, CloudState state,
        CancellationToken stopping)
    {
        switch (fault.Kind)
        {
            case "500":
                await Errors.For(context, service, 500, service is Service.Compute or Service.Volume
                    ? "The server has either erred or is incapable of performing the requested operation."
                    : "Internal Server Error");
                break;
            case "503":
                context.Response.Headers.RetryAfter = "1";
                await Errors.For(context, service, 503, service is Service.Compute or Service.Volume
                    ? "Service Unavailable"
                    : "The server is currently unavailable. Please try again at a later time.");
                break;
            case "413":
            case "429":
            {
                var seconds = 1 + state.Random.Next(3);
                await Errors.OverLimit(context, fault.Kind == "413" ? 413 : 429, seconds,
                    state.Now.AddSeconds(seconds), context.Request.Method, 0);
                break;
            }
            case "reset":
                context.Abort();
                break;
            case "stall":
                // Holds the response without a thread (an awaited timer) until the client gives up, the
                // server stops, or stallSeconds pass; then drops the connection without an answer.
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping))
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(state.Settings.StallSeconds), linked.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
                context.Abort();
                break;
            case "garbage":
                await Garbage(context, state.Random);
                break;
        }
    }

    /// <summary>A 200 whose JSON body cannot be parsed: either complete but malformed, or cut short.</summary>
    private static async Task Garbage(HttpContext context, SeededRandom random)
    {
        var truncated = random.NextDouble() < 0.5;
        var body = Encoding.UTF8.GetBytes("{\"server\": {\"id\": \"7d1f\u0000\u00ff<html>oops, \"status\": ");
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        if (truncated)
        {
            // announces more than it sends, then hangs up: the client reads a short body
            context.Response.ContentLength = body.Length + 4096;
            await context.Response.Body.WriteAsync(body);
            await context.Response.Body.FlushAsync();
            context.Abort();
        }
        else
        {
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        }
    }
}
