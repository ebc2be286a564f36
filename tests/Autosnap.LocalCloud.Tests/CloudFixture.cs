using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

/// <summary>
/// One LocalCloud per test (each test owns its clock, config and state) and a plain HttpClient on it:
/// every test goes over real HTTP on loopback.
/// </summary>
public sealed class Cloud : IAsyncDisposable
{
    private Cloud(LocalCloudServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public LocalCloudServer Server { get; }
    public HttpClient Http { get; }
    public string? Token { get; private set; }

    /// <summary>DFW's compute endpoints: legacy v2 with the tenant (Rackspace) and v2.1.</summary>
    public string Compute => "compute/dfw/v2/100001";
    public string Compute21 => "compute/dfw/v2.1";
    public string Glance => "image/dfw/v2";

    public static async Task<Cloud> Start(CloudSettings? settings = null, SeedDocument? seed = null)
    {
        var server = await LocalCloudServer.StartAsync(new LocalCloudOptions
        {
            Settings = settings ?? new CloudSettings { SnapshotSeconds = 0 },
            Seed = seed,
        });
        return new Cloud(server);
    }

    /// <summary>Starts a cloud and signs the demo user in with its API key.</summary>
    public static async Task<Cloud> StartSignedIn(CloudSettings? settings = null, SeedDocument? seed = null)
    {
        var cloud = await Start(settings, seed);
        await cloud.SignIn();
        return cloud;
    }

    public async Task<string> SignIn()
    {
        var response = await Post("v2.0/tokens", """{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"demo","apiKey":"demo-api-key"}}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Token = (await Json(response))["access"]!["token"]!["id"]!.GetValue<string>();
        return Token;
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? json = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, path);
        if (Token is not null) request.Headers.Add("X-Auth-Token", Token);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        return request;
    }

    public Task<HttpResponseMessage> Send(HttpRequestMessage request) => Http.SendAsync(request);

    public Task<HttpResponseMessage> Get(string path) => Send(Request(HttpMethod.Get, path));

    public Task<HttpResponseMessage> Delete(string path) => Send(Request(HttpMethod.Delete, path));

    public Task<HttpResponseMessage> Post(string path, string json, string contentType = "application/json") =>
        Send(Request(HttpMethod.Post, path, json, contentType));

    public Task<HttpResponseMessage> Put(string path, string json) => Send(Request(HttpMethod.Put, path, json));

    public async Task<JsonNode> GetJson(string path)
    {
        var response = await Get(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await Json(response);
    }

    public static async Task<JsonNode> Json(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    /// <summary>An admin call (never authenticated, faulted or counted).</summary>
    public async Task<JsonNode?> Admin(HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, "__admin/" + path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} /__admin/{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public Task<JsonNode?> Configure(string json) => Admin(HttpMethod.Post, "config", json);

    /// <summary>The id of a seeded DFW server by name.</summary>
    public async Task<string> ServerId(string name = "web01")
    {
        var servers = await GetJson($"{Compute}/servers");
        return servers["servers"]!.AsArray().First(s => s!["name"]!.GetValue<string>() == name)!["id"]!.GetValue<string>();
    }

    /// <summary>createImage on the legacy endpoint; returns the image id from Location.</summary>
    public async Task<string> Snapshot(string serverId, string name = "snap", string metadata = "{}")
    {
        var response = await Post($"{Compute}/servers/{serverId}/action", "{\"createImage\":{\"name\":\"" + name + "\",\"metadata\":" + metadata + "}}");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.ToString().Split('/')[^1];
    }

    public static void AssertNovaFault(JsonNode body, string name, int code)
    {
        Assert.Equal(code, body[name]!["code"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(body[name]!["message"]!.GetValue<string>()));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
