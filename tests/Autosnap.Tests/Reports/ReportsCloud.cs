using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Cmdlets;
using Autosnap.Engine;
using Autosnap.LocalCloud;
using Autosnap.LocalCloud.State;
using Autosnap.Model;
using Xunit;

namespace Autosnap.Tests.Reports
{
    /// <summary>
    /// A LocalCloud started in-process for one test, a session on it, and the admin calls the tests need
    /// (seeding a pool's images at chosen times and statuses).
    /// </summary>
    internal sealed class ReportsCloud : IAsyncDisposable
    {
        public const string Region = "DFW";

        /// <summary>The virtual "now" every test starts at.</summary>
        public static readonly DateTimeOffset Start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        private readonly HttpClient _admin = new HttpClient();

        private ReportsCloud(LocalCloudServer server, RackspaceSession session)
        {
            Server = server;
            Session = session;
        }

        public LocalCloudServer Server { get; }

        public RackspaceSession Session { get; }

        public static string ServerId(string name, string region = Region) => DefaultSeed.ServerId(DefaultSeed.TenantId, region, name);

        public static async Task<ReportsCloud> StartAsync()
        {
            var server = await LocalCloudServer.StartAsync(new LocalCloudOptions { Settings = new CloudSettings { SnapshotSeconds = 0 } });
            server.Clock.Set(Start);
            var key = new SecureString();
            foreach (char c in DefaultSeed.ApiKey) key.AppendChar(c);
            // No retries: a test that provokes a failure wants to see it at once.
            var cloud = new CloudSession(server.IdentityV2Uri, new ApiKeyCredential(DefaultSeed.UserName, key), new CloudHttpOptions { MaxRetries = 0 });
            await cloud.AuthenticateAsync(new RecordingHost(), CancellationToken.None);
            return new ReportsCloud(server, new RackspaceSession(cloud, Region));
        }

        /// <summary>
        /// Adds images to the pool (server, schedule): one per entry, <paramref name="step"/> apart, the last created
        /// <paramref name="newestAge"/> before the cloud's now. Returns their ids, oldest first.
        /// </summary>
        public async Task<IReadOnlyList<string>> SeedPoolAsync(string serverId, string schedule, TimeSpan newestAge, TimeSpan step, params string[] statuses)
        {
            DateTimeOffset first = Server.Clock.UtcNow - newestAge - TimeSpan.FromTicks(step.Ticks * (statuses.Length - 1));
            var body = new JsonObject
            {
                ["count"] = statuses.Length,
                ["region"] = Region,
                ["server"] = serverId,
                ["namePrefix"] = $"{schedule}-",
                ["statuses"] = new JsonArray(statuses.Select(s => (JsonNode)s).ToArray()),
                ["createdFrom"] = first.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                ["createdStep"] = step.ToString("c"),
                ["properties"] = new JsonObject { [AutosnapMetadata.Schedule] = schedule, [AutosnapMetadata.Server] = serverId },
            };
            JsonNode answer = await PostAsync("images", body);
            return answer["ids"]!.AsArray().Select(id => (string)id!).ToList();
        }

        /// <summary>An image of the server that is not Autosnap's (a manual snapshot): never counted.</summary>
        public Task SeedForeignImageAsync(string serverId) =>
            PostAsync("images", new JsonObject { ["count"] = 1, ["region"] = Region, ["server"] = serverId, ["namePrefix"] = "manual-" });

        public void Advance(TimeSpan by) => Server.Clock.Advance(by);

        /// <summary>Every request to the image service fails with a 500 from now on.</summary>
        public void BreakImageService() =>
            Server.Settings = Server.Settings with { FaultRate = 1, FaultKinds = new[] { "500" }, FaultServices = new[] { "image" } };

        private async Task<JsonNode> PostAsync(string path, JsonObject body)
        {
            using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await _admin.PostAsync(Server.AdminUri + "/" + path, content);
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"POST /__admin/{path}: {(int)response.StatusCode} {text}");
            return JsonNode.Parse(text)!;
        }

        public async ValueTask DisposeAsync()
        {
            _admin.Dispose();
            Session.Cloud.Dispose();
            await Server.DisposeAsync();
        }
    }

    /// <summary>An engine host that records what the engine reports and agrees to everything (the reports never delete).</summary>
    internal sealed class RecordingHost : IJobHost
    {
        public List<string> Messages { get; } = new List<string>();

        public void Verbose(string message) { lock (Messages) Messages.Add("verbose: " + message); }
        public void Debug(string message) { lock (Messages) Messages.Add("debug: " + message); }
        public void Warning(string message) { lock (Messages) Messages.Add("warning: " + message); }
        public void Progress(ProgressUpdate update) { }
        public bool ShouldProcess(string target, string action) => throw new InvalidOperationException($"A report asked to change something: {action} {target}");
    }

    /// <summary>The two report cmdlets in an in-process runspace, as PowerShell binds and runs them.</summary>
    internal static class InProcess
    {
        public static PowerShell Shell()
        {
            InitialSessionState state = InitialSessionState.CreateDefault2();
            state.Commands.Add(new SessionStateCmdletEntry("Get-SnapshotRetentionPlan", typeof(GetSnapshotRetentionPlanCommand), null));
            state.Commands.Add(new SessionStateCmdletEntry("Test-AutoSnapshotFreshness", typeof(TestAutoSnapshotFreshnessCommand), null));
            return PowerShell.Create(state);
        }

        /// <summary>Runs the command and returns its output as T; a terminating error surfaces as the RuntimeException PowerShell throws.</summary>
        public static List<T> Invoke<T>(PowerShell shell) => shell.Invoke().Select(o => (T)o.BaseObject).ToList();

        /// <summary>The error id of the terminating error the command ends with.</summary>
        public static string TerminatingErrorId(PowerShell shell)
        {
            var error = Assert.ThrowsAny<RuntimeException>(() => shell.Invoke());
            return error.ErrorRecord.FullyQualifiedErrorId.Split(',')[0];
        }
    }
}
