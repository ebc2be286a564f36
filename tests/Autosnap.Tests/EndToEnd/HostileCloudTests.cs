using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Autosnap.Tests.EndToEnd
{
    /// <summary>
    /// A cloud that answers badly, on purpose: what broken proxies, half-written answers and buggy servers send.
    /// Identity works; Glance's listing answers with whatever the test sets. Every DELETE is counted: none may come.
    /// </summary>
    internal sealed class HostileCloud : IAsyncDisposable
    {
        public const string ServerId = "11111111-2222-4333-8444-555555555555";
        private readonly WebApplication _app;

        private HostileCloud(WebApplication app, Func<HttpContext, Task> listing)
        {
            _app = app;
            Listing = listing;
        }

        public Func<HttpContext, Task> Listing { get; set; }
        public ConcurrentQueue<string> Requests { get; } = new ConcurrentQueue<string>();
        public int Deletes => Requests.Count(r => r.StartsWith("DELETE", StringComparison.Ordinal));
        public string BaseUrl => _app.Urls.First();

        public static async Task<HostileCloud> StartAsync(Func<HttpContext, Task> listing)
        {
            var builder = WebApplication.CreateBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var cloud = new HostileCloud(app, listing);
            app.Use(async (context, next) =>
            {
                cloud.Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
                await next();
            });
            app.MapPost("/v2.0/tokens", context => Json(context, 200, $@"{{""access"":{{
                ""token"":{{""id"":""hostile-token"",""expires"":""2099-01-01T00:00:00Z"",""tenant"":{{""id"":""1"",""name"":""1""}}}},
                ""user"":{{""id"":""u"",""name"":""demo"",""RAX-AUTH:defaultRegion"":""DFW""}},
                ""serviceCatalog"":[
                  {{""name"":""cloudServersOpenStack"",""type"":""compute"",""endpoints"":[{{""region"":""DFW"",""publicURL"":""{cloud.BaseUrl}/compute/v2/1""}}]}},
                  {{""name"":""cloudImages"",""type"":""image"",""endpoints"":[{{""region"":""DFW"",""publicURL"":""{cloud.BaseUrl}/image/v2""}}]}}]}}}}"));
            app.MapGet("/image/v2/images", context => cloud.Listing(context));
            app.MapDelete("/image/v2/images/{id}", context => { context.Response.StatusCode = 204; return Task.CompletedTask; });
            await app.StartAsync();
            return cloud;
        }

        public static Task Json(HttpContext context, int status, string body, string contentType = "application/json")
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            return context.Response.WriteAsync(body);
        }

        /// <summary>A listing page with one image per id, newest first, fields as given.</summary>
        public static string Page(string? next, params string[] imageJson) =>
            $@"{{""images"":[{string.Join(",", imageJson)}]{(next != null ? $@",""next"":""{next}""" : string.Empty)}}}";

        public static string Image(string id, string created = "2026-01-20T00:05:00Z", string status = "active") =>
            $@"{{""id"":""{id}"",""name"":""img-{id}"",""status"":""{status}"",""created_at"":""{created}"",
                 ""instance_uuid"":""{ServerId}"",""autosnap_schedule"":""daily"",""autosnap_server"":""{ServerId}""}}";

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    public class HostileCloudTests
    {
        private static async Task<(HostileCloud Cloud, RackspaceSession Session, RecordingHost Host)> Connect(Func<HttpContext, Task> listing)
        {
            var cloud = await HostileCloud.StartAsync(listing);
            var options = CloudHarness.FastRetries();
            options.MaxResponseBytes = 4 * 1024 * 1024;
            var session = new CloudSession(new Uri(cloud.BaseUrl + "/v2.0"), new ApiKeyCredential("demo", CloudHarness.Secret("k")), options);
            var host = new RecordingHost();
            await session.AuthenticateAsync(host, CancellationToken.None);
            return (cloud, new RackspaceSession(session, "DFW"), host);
        }

        /// <summary>Rotation with a policy that would delete all but one image, were the listing believed.</summary>
        private static async Task<CloudException> RotationFails(Func<HttpContext, Task> listing, CloudErrorKind kind, string messagePart)
        {
            var (cloud, session, host) = await Connect(listing);
            await using (cloud)
            {
                var error = await Assert.ThrowsAsync<CloudException>(() => new RotationService(session, host)
                    .RotatePoolAsync("DFW", HostileCloud.ServerId, "daily", RetentionPolicy.FromRetention(0), null, null, CancellationToken.None));
                Assert.Equal(kind, error.Kind);
                Assert.Contains(messagePart, error.Message);
                Assert.Equal(0, cloud.Deletes);
                session.Cloud.Dispose();
                return error;
            }
        }

        [Fact]
        public Task Truncated_json_deletes_nothing() =>
            RotationFails(c => HostileCloud.Json(c, 200, HostileCloud.Page(null, HostileCloud.Image("a"), HostileCloud.Image("b")).Substring(0, 80)),
                CloudErrorKind.InvalidResponse, "cannot be understood");

        [Fact]
        public Task An_html_page_from_a_proxy_with_200_deletes_nothing() =>
            RotationFails(c => HostileCloud.Json(c, 200, "<html><body><h1>Welcome to nginx!</h1></body></html>", "text/html"),
                CloudErrorKind.InvalidResponse, "cannot be understood");

        [Fact]
        public async Task A_bad_gateway_page_is_retried_then_reported_in_words()
        {
            CloudException error = await RotationFails(c => HostileCloud.Json(c, 502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>", "text/html"),
                CloudErrorKind.Unavailable, "answered 502 Bad Gateway: 502 Bad Gateway");
            Assert.Contains("after 5 attempts", error.Message);
        }

        [Fact]
        public Task Valid_json_under_a_wrong_content_type_is_read_for_what_it_is()
        {
            // The body decides, not the label: a correct listing labelled text/plain is still a correct listing.
            return RotationSucceeds(c => HostileCloud.Json(c, 200, HostileCloud.Page(null, HostileCloud.Image("a"), HostileCloud.Image("b", "2026-01-19T00:05:00Z")), "text/plain"),
                expectedDeletes: 1);
        }

        private static async Task RotationSucceeds(Func<HttpContext, Task> listing, int expectedDeletes)
        {
            var (cloud, session, host) = await Connect(listing);
            await using (cloud)
            {
                PoolRotation rotation = await new RotationService(session, host)
                    .RotatePoolAsync("DFW", HostileCloud.ServerId, "daily", RetentionPolicy.FromRetention(0), null, null, CancellationToken.None);
                Assert.Equal(expectedDeletes, rotation.Deleted);
                Assert.Equal(expectedDeletes, cloud.Deletes);
                session.Cloud.Dispose();
            }
        }

        [Fact]
        public Task A_huge_body_is_refused_without_reading_it_all() =>
            RotationFails(async c =>
            {
                c.Response.StatusCode = 200;
                c.Response.ContentType = "application/json";
                var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
                await c.Response.WriteAsync("{\"images\": [");
                for (int i = 0; i < 200 && !c.RequestAborted.IsCancellationRequested; i++) await c.Response.Body.WriteAsync(chunk, c.RequestAborted);
            }, CloudErrorKind.InvalidResponse, "larger than 4 MiB");

        [Theory]
        [InlineData("{\"id\":\"x\",\"name\":\"n\",\"status\":\"active\"}", "'created_at' is missing")]
        [InlineData("{\"id\":\"x\",\"name\":\"n\",\"status\":\"active\",\"created_at\":\"yesterday\"}", "'created_at' is not a date")]
        [InlineData("{\"name\":\"n\",\"status\":\"active\",\"created_at\":\"2026-01-01T00:00:00Z\"}", "'id' is missing")]
        [InlineData("{\"id\":\"x\",\"name\":\"n\",\"created_at\":\"2026-01-01T00:00:00Z\"}", "'status' is missing")]
        [InlineData("{\"id\":\"x\",\"name\":\"n\",\"status\":{\"odd\":true},\"created_at\":\"2026-01-01T00:00:00Z\"}", "'status' is not a simple value")]
        [InlineData("\"not an image\"", "an image is not an object")]
        public Task An_image_with_missing_or_odd_fields_deletes_nothing(string oddImage, string message) =>
            RotationFails(c => HostileCloud.Json(c, 200, HostileCloud.Page(null, HostileCloud.Image("a"), HostileCloud.Image("b", "2026-01-19T00:05:00Z"), oddImage)),
                CloudErrorKind.InvalidResponse, message);

        [Fact]
        public Task A_next_link_that_points_back_is_a_loop_and_deletes_nothing() =>
            RotationFails(c =>
            {
                bool second = c.Request.Query.ContainsKey("marker");
                // page 1 -> page 2 -> page 1 again
                return HostileCloud.Json(c, 200, second
                    ? HostileCloud.Page("/v2/images?autosnap_schedule=daily&autosnap_server=" + HostileCloud.ServerId + "&sort_key=created_at&sort_dir=desc&limit=1000", HostileCloud.Image("b", "2026-01-19T00:05:00Z"))
                    : HostileCloud.Page("/v2/images?marker=a&limit=1000", HostileCloud.Image("a")));
            }, CloudErrorKind.InvalidResponse, "points back to a page already read");

        [Fact]
        public Task A_server_that_ignores_the_marker_repeats_pages_and_deletes_nothing() =>
            RotationFails(c => HostileCloud.Json(c, 200, HostileCloud.Page($"/v2/images?marker=m{Guid.NewGuid():N}&limit=1000", HostileCloud.Image("a"), HostileCloud.Image("b", "2026-01-19T00:05:00Z"))),
                CloudErrorKind.InvalidResponse, "repeats images of an earlier page");

        [Fact]
        public Task A_listing_that_mixes_in_a_stranger_is_not_trusted_with_it()
        {
            // A cloud that ignored our filters would hand over other images: the client's own checks leave them out.
            string stranger = "{\"id\":\"s\",\"name\":\"manual\",\"status\":\"active\",\"created_at\":\"2026-01-01T00:00:00Z\",\"instance_uuid\":\"" + HostileCloud.ServerId + "\"}";
            return RotationSucceeds(c => HostileCloud.Json(c, 200, HostileCloud.Page(null, HostileCloud.Image("a"), HostileCloud.Image("b", "2026-01-19T00:05:00Z"), stranger)),
                expectedDeletes: 1);
        }
    }
}
