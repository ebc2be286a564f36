// A small load generator for LocalCloud's README figure (a separate process from the server):
//   dotnet run src/Autosnap.LocalCloud/tools/load.cs -- <base url> <path?query> [concurrency=16] [seconds=10]
// It signs the demo user in, then keeps <concurrency> GETs in flight for <seconds> and prints requests/s and
// latency percentiles. "{marker}" in the path is replaced by the id of the 5000th image of the listing.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using System.Net;
using System.Text;
using System.Text.Json;

var baseUrl = args[0].TrimEnd('/');
var path = args[1];
var concurrency = args.Length > 2 ? int.Parse(args[2]) : 16;
var seconds = args.Length > 3 ? double.Parse(args[3]) : 10;

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false });
var auth = await http.PostAsync($"{baseUrl}/v2.0/tokens", new StringContent(
    """{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"demo","apiKey":"demo-api-key"}}}""", Encoding.UTF8, "application/json"));
var token = JsonDocument.Parse(await auth.Content.ReadAsStringAsync()).RootElement.GetProperty("access").GetProperty("token").GetProperty("id").GetString();
http.DefaultRequestHeaders.Add("X-Auth-Token", token);
if (path.Contains("{marker}"))
{
    var page = JsonDocument.Parse(await http.GetStringAsync($"{baseUrl}/image/dfw/v2/images?limit=1000&marker=" +
        JsonDocument.Parse(await http.GetStringAsync($"{baseUrl}/image/dfw/v2/images?limit=1000&sort=created_at:desc"))
            .RootElement.GetProperty("images")[999].GetProperty("id").GetString()));
    path = path.Replace("{marker}", page.RootElement.GetProperty("images")[0].GetProperty("id").GetString());
}

var url = baseUrl + path;
var first = await http.GetAsync(url);
Console.WriteLine($"GET {path} -> {(int)first.StatusCode}, {(await first.Content.ReadAsByteArrayAsync()).Length} bytes");

var stop = Stopwatch.StartNew();
var latencies = new List<double>[concurrency];
var failures = 0;
var workers = Enumerable.Range(0, concurrency).Select(async worker =>
{
    var mine = latencies[worker] = [];
    while (stop.Elapsed.TotalSeconds < seconds)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseContentRead);
        mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
    }
}).ToArray();
await Task.WhenAll(workers);
var elapsed = stop.Elapsed.TotalSeconds;
var all = latencies.SelectMany(l => l).Order().ToArray();
Console.WriteLine($"{all.Length} requests in {elapsed:F1} s = {all.Length / elapsed:F0} req/s, concurrency {concurrency}, " +
                  $"p50 {all[all.Length / 2]:F2} ms, p99 {all[(int)(all.Length * 0.99)]:F2} ms, non-200: {failures}");
