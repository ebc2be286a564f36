using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Security;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.LocalCloud;
using Autosnap.LocalCloud.State;
using Autosnap.Model;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>Records what the engine reports, and answers ShouldProcess as told (true = go ahead, false = -WhatIf).</summary>
    internal sealed class RecordingHost : IJobHost
    {
        public ConcurrentQueue<string> Messages { get; } = new ConcurrentQueue<string>();
        public ConcurrentQueue<string> Warnings { get; } = new ConcurrentQueue<string>();
        public ConcurrentQueue<string> Asked { get; } = new ConcurrentQueue<string>();
        public bool Approve { get; set; } = true;

        public void Verbose(string message) => Messages.Enqueue(message);
        public void Debug(string message) => Messages.Enqueue(message);
        public void Warning(string message) => Warnings.Enqueue(message);
        public ConcurrentQueue<ProgressUpdate> Progresses { get; } = new ConcurrentQueue<ProgressUpdate>();
        public void Progress(ProgressUpdate update) => Progresses.Enqueue(update);

        public bool ShouldProcess(string target, string action)
        {
            Asked.Enqueue($"{action} | {target}");
            return Approve;
        }
    }

    /// <summary>
    /// A LocalCloud on a free loopback port, a session of the demo account on it, and the admin calls the tests use
    /// (over HTTP, as any client would). Each test owns one.
    /// </summary>
    internal sealed class CloudHarness : IAsyncDisposable
    {
        private readonly HttpClient _admin;

        private CloudHarness(LocalCloudServer server, RackspaceSession session, RecordingHost host)
        {
            Server = server;
            Session = session;
            Host = host;
            _admin = new HttpClient { BaseAddress = new Uri(server.BaseUri, "__admin/"), Timeout = TimeSpan.FromSeconds(30) };
        }

        public LocalCloudServer Server { get; }
        public RackspaceSession Session { get; }
        public RecordingHost Host { get; }
        public string Region => Session.Region;

        public static async Task<CloudHarness> StartAsync(CloudSettings? settings = null, CloudHttpOptions? http = null)
        {
            var server = await LocalCloudServer.StartAsync(new LocalCloudOptions { Settings = settings ?? new CloudSettings { SnapshotSeconds = 0 } });
            var cloud = new CloudSession(server.IdentityV2Uri, new ApiKeyCredential("demo", Secret("demo-api-key")),
                http ?? FastRetries());
            var host = new RecordingHost();
            await cloud.AuthenticateAsync(host, CancellationToken.None);
            return new CloudHarness(server, new RackspaceSession(cloud, cloud.ResolveRegion(null)), host);
        }

        /// <summary>Retries that do not make a test wait seconds: same policy, shorter pauses.</summary>
        public static CloudHttpOptions FastRetries() => new CloudHttpOptions
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(5),
            BreakAfterFailures = 1000,
            JitterSeed = 7,
        };

        public static SecureString Secret(string text)
        {
            var secure = new SecureString();
            foreach (char c in text) secure.AppendChar(c);
            return secure;
        }

        public static WaitOptions QuickWait(double timeoutSeconds = 30) => new WaitOptions
        {
            Timeout = TimeSpan.FromSeconds(timeoutSeconds),
            FirstPollInterval = TimeSpan.FromMilliseconds(50),
            MaxPollInterval = TimeSpan.FromMilliseconds(200),
        };

        public SnapshotService Snapshots => new SnapshotService(Session, Host);
        public SnapshotFinder Finder => new SnapshotFinder(Session, Host);
        public RotationService Rotation => new RotationService(Session, Host);

        public async Task<RackspaceServer> ServerAsync(string name) =>
            await Snapshots.ResolveServerAsync(name, Region, CancellationToken.None);

        public Task<IReadOnlyList<AutoSnapshot>> PoolAsync(RackspaceServer server, string schedule) =>
            Finder.ListPoolAsync(server.Region, server.Id, schedule, CancellationToken.None);

        /// <summary>Every image of the server, ours or not (through Glance's instance_uuid filter).</summary>
        public async Task<IReadOnlyList<AutoSnapshot>> ImagesOfAsync(RackspaceServer server)
        {
            var all = new List<AutoSnapshot>();
            await Finder.ListAsync(server.Region, new SnapshotFilter { ServerId = server.Id, IncludeForeign = true }, all.Add, CancellationToken.None);
            return all;
        }

        public Task ConfigureAsync(string json) => AdminAsync(HttpMethod.Post, "config", json);

        public Task AdvanceClockAsync(TimeSpan by) => AdminAsync(HttpMethod.Post, "clock", $"{{\"advance\":\"{by:c}\"}}");

        /// <summary>Seeds images through the admin API (any status, creation time and properties).</summary>
        public async Task<IReadOnlyList<string>> SeedImagesAsync(RackspaceServer server, int count, string status, DateTimeOffset createdFrom, TimeSpan step,
                                                                  IDictionary<string, string> properties, string namePrefix)
        {
            var body = new JsonObject
            {
                ["count"] = count,
                ["region"] = server.Region,
                ["server"] = server.Id,
                ["status"] = status,
                ["createdFrom"] = createdFrom.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                ["createdStep"] = step.ToString("c"),
                ["namePrefix"] = namePrefix,
                ["properties"] = new JsonObject(properties.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value))),
            };
            JsonNode answer = await AdminAsync(HttpMethod.Post, "images", body.ToJsonString());
            return answer["ids"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
        }

        public static IDictionary<string, string> Ownership(RackspaceServer server, string schedule) => new Dictionary<string, string>
        {
            [AutosnapMetadata.Schedule] = schedule,
            [AutosnapMetadata.Server] = server.Id,
        };

        public async Task<JsonNode> StatsAsync() => await AdminAsync(HttpMethod.Get, "stats", null);

        public async Task<int> CountAsync(string route)
        {
            JsonNode stats = await StatsAsync();
            return stats["byRoute"]![route]?.GetValue<int>() ?? 0;
        }

        public async Task<JsonNode> AdminAsync(HttpMethod method, string path, string? json)
        {
            using var request = new HttpRequestMessage(method, path);
            if (json != null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await _admin.SendAsync(request);
            string text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"admin {method} {path}: {(int)response.StatusCode} {text}");
            return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
        }

        public JobOptions Job(string schedule, Autosnap.Rotation.RetentionPolicy policy) => new JobOptions(schedule, policy) { Wait = QuickWait() };

        public async ValueTask DisposeAsync()
        {
            _admin.Dispose();
            Session.Cloud.Dispose();
            await Server.DisposeAsync();
        }
    }
}
