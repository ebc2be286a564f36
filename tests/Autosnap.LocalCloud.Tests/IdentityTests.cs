using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Autosnap.LocalCloud.State;
using Xunit;

namespace Autosnap.LocalCloud.Tests;

public sealed class IdentityTests
{
    private const string KeystonePassword = """
        {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo","domain":{"name":"Default"},"password":"demo-password"}}},
         "scope":{"project":{"name":"demo","domain":{"id":"default"}}}}}
        """;

    [Fact]
    public async Task Rackspace_api_key_returns_a_token_and_a_catalog_with_tenant_urls_in_every_region()
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Post("v2.0/tokens", """{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"demo","apiKey":"demo-api-key"}}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var access = (await Cloud.Json(response))["access"]!;
        Assert.Equal("100001", access["token"]!["tenant"]!["id"]!.GetValue<string>());
        Assert.Equal("APIKEY", access["token"]!["RAX-AUTH:authenticatedBy"]![0]!.GetValue<string>());
        Assert.Equal("DFW", access["user"]!["RAX-AUTH:defaultRegion"]!.GetValue<string>());
        var expires = DateTimeOffset.Parse(access["token"]!["expires"]!.GetValue<string>());
        Assert.InRange(expires - cloud.Server.Clock.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24.1));

        var catalog = access["serviceCatalog"]!.AsArray();
        var compute = catalog.Single(s => s!["name"]!.GetValue<string>() == "cloudServersOpenStack")!;
        Assert.Equal("compute", compute["type"]!.GetValue<string>());
        var regions = compute["endpoints"]!.AsArray().Select(e => e!["region"]!.GetValue<string>()).ToArray();
        Assert.Equal(DefaultSeed.Regions, regions);
        var dfw = compute["endpoints"]!.AsArray().First()!["publicURL"]!.GetValue<string>();
        Assert.Equal(new Uri(cloud.Server.BaseUri, "compute/dfw/v2/100001").ToString(), dfw);
        var images = catalog.Single(s => s!["name"]!.GetValue<string>() == "cloudImages")!;
        Assert.Equal("image", images["type"]!.GetValue<string>());
        Assert.All(images["endpoints"]!.AsArray(), e => Assert.EndsWith("/v2", e!["publicURL"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Rackspace_password_credentials_work_and_say_so()
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Post("v2.0/tokens", """{"auth":{"passwordCredentials":{"username":"demo","password":"demo-password"}}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PASSWORD", (await Cloud.Json(response))["access"]!["token"]!["RAX-AUTH:authenticatedBy"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"demo","apiKey":"wrong"}}}""")]
    [InlineData("""{"auth":{"passwordCredentials":{"username":"demo","password":"wrong"}}}""")]
    [InlineData("""{"auth":{"passwordCredentials":{"username":"nobody","password":"demo-password"}}}""")]
    [InlineData("""{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"demo","apiKey":"demo-api-key"},"tenantId":"999"}}""")]
    public async Task Rackspace_wrong_credentials_get_401_unauthorized(string body)
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Post("v2.0/tokens", body);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(response), "unauthorized", 401);
    }

    [Theory]
    [InlineData("{not json", "application/json", 400)]
    [InlineData("""{"nope":{}}""", "application/json", 400)]
    [InlineData("""{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"demo","apiKey":"demo-api-key"},"tenantId":"1","tenantName":"1"}}""", "application/json", 400)]
    [InlineData("""{"auth":{}}""", "text/plain", 415)]
    public async Task Rackspace_bad_requests_get_their_codes(string body, string contentType, int status)
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Post("v2.0/tokens", body, contentType);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.NotNull((await Cloud.Json(response)).AsObject().First().Value!["code"]);
    }

    [Fact]
    public async Task Keystone_password_returns_201_with_the_token_in_X_Subject_Token_and_a_v21_catalog()
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Post("v3/auth/tokens", KeystonePassword);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var tokenId = response.Headers.GetValues("X-Subject-Token").Single();
        var token = (await Cloud.Json(response))["token"]!;
        Assert.Equal("100001", token["project"]!["id"]!.GetValue<string>());
        Assert.Equal("demo", token["project"]!["name"]!.GetValue<string>());
        Assert.Equal("Default", token["user"]!["domain"]!["name"]!.GetValue<string>());
        Assert.EndsWith("Z", token["expires_at"]!.GetValue<string>());
        var nova = token["catalog"]!.AsArray().Single(s => s!["type"]!.GetValue<string>() == "compute")!;
        var publicDfw = nova["endpoints"]!.AsArray().Single(e => e!["interface"]!.GetValue<string>() == "public" && e["region_id"]!.GetValue<string>() == "DFW")!;
        Assert.EndsWith("/compute/dfw/v2.1", publicDfw["url"]!.GetValue<string>());
        var glance = token["catalog"]!.AsArray().Single(s => s!["type"]!.GetValue<string>() == "image")!;
        Assert.EndsWith("/image/dfw", glance["endpoints"]![0]!["url"]!.GetValue<string>());

        var request = cloud.Request(HttpMethod.Get, "compute/dfw/v2.1/servers");
        request.Headers.Add("X-Auth-Token", tokenId);
        Assert.Equal(HttpStatusCode.OK, (await cloud.Send(request)).StatusCode);
    }

    [Fact]
    public async Task Keystone_nocatalog_leaves_the_catalog_out()
    {
        await using var cloud = await Cloud.Start();
        var token = (await Cloud.Json(await cloud.Post("v3/auth/tokens?nocatalog", KeystonePassword)))["token"]!;
        Assert.Null(token["catalog"]);
    }

    [Theory]
    [InlineData("""{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo","domain":{"name":"Default"},"password":"bad"}}}}}""", 401)]
    [InlineData("""{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo","domain":{"name":"Other"},"password":"demo-password"}}}}}""", 401)]
    [InlineData("""{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"a5d0f1c0e4b94b4e9c4f2e7d8b6a3c21","secret":"bad"}}}}""", 401)]
    [InlineData("""{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo","domain":{"name":"Default"},"password":"demo-password"}}},"scope":{"project":{"id":"42"}}}}""", 401)]
    [InlineData("""{"auth":{"identity":{}}}""", 400)]
    [InlineData("""{"auth":{}}""", 400)]
    [InlineData("""[1]""", 400)]
    public async Task Keystone_failures_use_its_error_envelope(string body, int status)
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Post("v3/auth/tokens", body);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(status, (await Cloud.Json(response))["error"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_seeded_application_credential_gives_a_scoped_token()
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Post("v3/auth/tokens", $$$$$"""
            {"auth":{"identity":{"methods":["application_credential"],"application_credential":
              {"id":"{{{{{DefaultSeed.ApplicationCredentialId}}}}}","secret":"{{{{{DefaultSeed.ApplicationCredentialSecret}}}}}"}}}}
            """);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var token = (await Cloud.Json(response))["token"]!;
        Assert.Equal("100001", token["project"]!["id"]!.GetValue<string>());
        Assert.Equal(DefaultSeed.ApplicationCredentialId, token["application_credential"]!["id"]!.GetValue<string>());
        Assert.Equal("application_credential", token["methods"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Application_credentials_created_through_keystone_authenticate_by_id_and_by_name()
    {
        await using var cloud = await Cloud.Start();
        var login = await cloud.Post("v3/auth/tokens", KeystonePassword);
        var userId = (await Cloud.Json(login))["token"]!["user"]!["id"]!.GetValue<string>();
        var create = new HttpRequestMessage(HttpMethod.Post, $"v3/users/{userId}/application_credentials")
        {
            Content = new StringContent("""{"application_credential":{"name":"cron","secret":"s3cret"}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        create.Headers.Add("X-Auth-Token", login.Headers.GetValues("X-Subject-Token").Single());
        var created = await cloud.Send(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var credential = (await Cloud.Json(created))["application_credential"]!;
        Assert.Equal("s3cret", credential["secret"]!.GetValue<string>());

        var byId = await cloud.Post("v3/auth/tokens", $$$$$"""
            {"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"{{{{{credential["id"]}}}}}","secret":"s3cret"}}}}
            """);
        Assert.Equal(HttpStatusCode.Created, byId.StatusCode);
        var byName = await cloud.Post("v3/auth/tokens", """
            {"auth":{"identity":{"methods":["application_credential"],"application_credential":
              {"name":"cron","secret":"s3cret","user":{"name":"demo","domain":{"name":"Default"}}}}}}
            """);
        Assert.Equal(HttpStatusCode.Created, byName.StatusCode);

        var duplicate = new HttpRequestMessage(HttpMethod.Post, $"v3/users/{userId}/application_credentials")
        {
            Content = new StringContent("""{"application_credential":{"name":"cron"}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        duplicate.Headers.Add("X-Auth-Token", login.Headers.GetValues("X-Subject-Token").Single());
        Assert.Equal(HttpStatusCode.Conflict, (await cloud.Send(duplicate)).StatusCode);
    }

    [Fact]
    public async Task An_unscoped_keystone_token_cannot_call_compute()
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Post("v3/auth/tokens",
            """{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo","domain":{"name":"Default"},"password":"demo-password"}}}}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Null((await Cloud.Json(response))["token"]!["catalog"]);
        var request = cloud.Request(HttpMethod.Get, "compute/dfw/v2.1/servers");
        request.Headers.Add("X-Auth-Token", response.Headers.GetValues("X-Subject-Token").Single());
        Assert.Equal(HttpStatusCode.Unauthorized, (await cloud.Send(request)).StatusCode);
    }

    [Fact]
    public async Task A_day_on_the_virtual_clock_expires_a_default_token()
    {
        await using var cloud = await Cloud.StartSignedIn();
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Compute}/servers")).StatusCode);
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"1.00:00:01"}""");
        var compute = await cloud.Get($"{cloud.Compute}/servers");
        Assert.Equal(HttpStatusCode.Unauthorized, compute.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(compute), "unauthorized", 401);
        Assert.Equal(HttpStatusCode.Unauthorized, (await cloud.Get($"{cloud.Glance}/images")).StatusCode);
        await cloud.SignIn();   // a fresh token works again
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Compute}/servers")).StatusCode);
    }

    [Fact]
    public async Task Token_ttl_follows_the_setting_on_both_identity_apis()
    {
        await using var cloud = await Cloud.Start(new CloudSettings { TokenTtlSeconds = 600 });
        await cloud.SignIn();
        var keystone = await cloud.Post("v3/auth/tokens", KeystonePassword);
        var token = (await Cloud.Json(keystone))["token"]!;
        Assert.Equal(TimeSpan.FromSeconds(600),
            DateTimeOffset.Parse(token["expires_at"]!.GetValue<string>()) - DateTimeOffset.Parse(token["issued_at"]!.GetValue<string>()));
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"00:11:00"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, (await cloud.Get($"{cloud.Compute}/servers")).StatusCode);
        var request = cloud.Request(HttpMethod.Get, $"{cloud.Compute21}/servers");
        request.Headers.Remove("X-Auth-Token");
        request.Headers.Add("X-Auth-Token", keystone.Headers.GetValues("X-Subject-Token").Single());
        Assert.Equal(HttpStatusCode.Unauthorized, (await cloud.Send(request)).StatusCode);

        // null puts each API back on its own default
        Assert.Null((await cloud.Configure("""{"tokenTtlSeconds":null}"""))!["tokenTtlSeconds"]);
    }

    [Fact]
    public async Task Keystone_tokens_live_an_hour_in_whole_seconds_and_rackspace_tokens_a_day()
    {
        await using var cloud = await Cloud.Start();
        Assert.Null((await cloud.Admin(HttpMethod.Get, "config"))!["tokenTtlSeconds"]);
        var keystone = await cloud.Post("v3/auth/tokens", KeystonePassword);
        var token = (await Cloud.Json(keystone))["token"]!;
        var (issued, expires) = (token["issued_at"]!.GetValue<string>(), token["expires_at"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$", issued);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$", expires);
        Assert.Equal(TimeSpan.FromSeconds(3600), DateTimeOffset.Parse(expires) - DateTimeOffset.Parse(issued));
        Assert.InRange(DateTimeOffset.Parse(issued) - cloud.Server.Clock.UtcNow, TimeSpan.FromSeconds(-5), TimeSpan.Zero);

        var subject = keystone.Headers.GetValues("X-Subject-Token").Single();
        HttpRequestMessage Servers()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"{cloud.Compute21}/servers");
            request.Headers.Add("X-Auth-Token", subject);
            return request;
        }
        await cloud.SignIn();   // Rackspace v2.0
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"01:00:01"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, (await cloud.Send(Servers())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cloud.Get($"{cloud.Compute}/servers")).StatusCode);
    }

    [Fact]
    public async Task Unknown_tokens_get_401_from_nova_as_json_and_from_glance_as_plain_http()
    {
        await using var cloud = await Cloud.Start();
        var nova = await cloud.Send(new HttpRequestMessage(HttpMethod.Get, "compute/dfw/v2/100001/servers") { Headers = { { "X-Auth-Token", "nope" } } });
        Assert.Equal(HttpStatusCode.Unauthorized, nova.StatusCode);
        Cloud.AssertNovaFault(await Cloud.Json(nova), "unauthorized", 401);
        var glance = await cloud.Get("image/dfw/v2/images");
        Assert.Equal(HttpStatusCode.Unauthorized, glance.StatusCode);
        Assert.Equal("text/html", glance.Content.Headers.ContentType!.MediaType);
        var glanceJson = new HttpRequestMessage(HttpMethod.Get, "image/dfw/v2/images");
        glanceJson.Headers.Add("Accept", "application/json");
        var body = await Cloud.Json(await cloud.Send(glanceJson));
        Assert.Equal("401 Unauthorized", body["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refused_tokens_on_v21_and_glance_come_from_keystonemiddleware_with_WWW_Authenticate()
    {
        await using var cloud = await Cloud.Start();
        var root = cloud.Server.BaseUri.ToString().TrimEnd('/');
        HttpRequestMessage Bad(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Auth-Token", "nope" } } };
            request.Headers.Add("Accept", "application/json");
            return request;
        }

        var nova = await cloud.Send(Bad("compute/dfw/v2.1/servers"));
        Assert.Equal(HttpStatusCode.Unauthorized, nova.StatusCode);
        Assert.Equal($"Keystone uri=\"{root}\"", nova.Headers.NonValidated["WWW-Authenticate"].ToString());
        var error = (await Cloud.Json(nova))["error"]!;
        Assert.Equal((401, "Unauthorized", "The request you have made requires authentication."),
            (error["code"]!.GetValue<int>(), error["title"]!.GetValue<string>(), error["message"]!.GetValue<string>()));
        Assert.True(nova.Headers.Contains("X-Compute-Request-Id"));

        // the legacy endpoint keeps Nova's own envelope
        var legacy = await cloud.Send(Bad("compute/dfw/v2/100001/servers"));
        Cloud.AssertNovaFault(await Cloud.Json(legacy), "unauthorized", 401);

        var glance = await cloud.Send(Bad("image/dfw/v2/images"));
        Assert.Equal($"Keystone uri=\"{root}\"", glance.Headers.NonValidated["WWW-Authenticate"].ToString());
        Assert.Equal("This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong " +
                     "credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.<br /><br />\n\n\n",
            (await Cloud.Json(glance))["message"]!.GetValue<string>());

        var keystone = await cloud.Post("v3/auth/tokens",
            """{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo","domain":{"name":"Default"},"password":"bad"}}}}}""");
        Assert.Equal(HttpStatusCode.Unauthorized, keystone.StatusCode);
        Assert.Equal($"Keystone uri=\"{root}/v3\"", keystone.Headers.NonValidated["WWW-Authenticate"].ToString());
    }

    [Fact]
    public async Task Keystone_validates_and_revokes_tokens()
    {
        await using var cloud = await Cloud.Start();
        var subject = (await cloud.Post("v3/auth/tokens", KeystonePassword)).Headers.GetValues("X-Subject-Token").Single();
        var caller = await cloud.SignIn();
        var validate = new HttpRequestMessage(HttpMethod.Get, "v3/auth/tokens") { Headers = { { "X-Auth-Token", caller }, { "X-Subject-Token", subject } } };
        Assert.Equal(HttpStatusCode.OK, (await cloud.Send(validate)).StatusCode);
        var revoke = new HttpRequestMessage(HttpMethod.Delete, "v3/auth/tokens") { Headers = { { "X-Auth-Token", caller }, { "X-Subject-Token", subject } } };
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Send(revoke)).StatusCode);
        var again = new HttpRequestMessage(HttpMethod.Get, "v3/auth/tokens") { Headers = { { "X-Auth-Token", caller }, { "X-Subject-Token", subject } } };
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Send(again)).StatusCode);
    }

    [Fact]
    public async Task Application_credentials_are_listed_without_secrets_and_deleted_by_their_owner_only()
    {
        await using var cloud = await Cloud.Start();
        var login = await cloud.Post("v3/auth/tokens", KeystonePassword);
        var token = login.Headers.GetValues("X-Subject-Token").Single();
        var userId = (await Cloud.Json(login))["token"]!["user"]!["id"]!.GetValue<string>();
        HttpRequestMessage Call(HttpMethod method, string path, string? t = null)
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.Add("X-Auth-Token", t ?? token);
            return request;
        }

        var list = await Cloud.Json(await cloud.Send(Call(HttpMethod.Get, $"v3/users/{userId}/application_credentials")));
        var seeded = list["application_credentials"]!.AsArray().Single()!;
        Assert.Equal(DefaultSeed.ApplicationCredentialName, seeded["name"]!.GetValue<string>());
        Assert.Null(seeded["secret"]);

        Assert.Equal(HttpStatusCode.Forbidden, (await cloud.Send(Call(HttpMethod.Get, "v3/users/someone-else/application_credentials"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await cloud.Send(Call(HttpMethod.Get, $"v3/users/{userId}/application_credentials", "bogus"))).StatusCode);
        var path = $"v3/users/{userId}/application_credentials/{DefaultSeed.ApplicationCredentialId}";
        Assert.Equal(HttpStatusCode.NoContent, (await cloud.Send(Call(HttpMethod.Delete, path))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cloud.Send(Call(HttpMethod.Delete, path))).StatusCode);
        var gone = await cloud.Post("v3/auth/tokens", $$$$$"""
            {"auth":{"identity":{"methods":["application_credential"],"application_credential":
              {"id":"{{{{{DefaultSeed.ApplicationCredentialId}}}}}","secret":"{{{{{DefaultSeed.ApplicationCredentialSecret}}}}}"}}}}
            """);
        // Keystone finds no credential with that id any more: 404, as for any unknown id
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Application_credential_documents_scope_errors_and_deletes_read_as_keystones()
    {
        await using var cloud = await Cloud.Start();
        var login = await cloud.Post("v3/auth/tokens", KeystonePassword);
        var token = login.Headers.GetValues("X-Subject-Token").Single();
        var userId = (await Cloud.Json(login))["token"]!["user"]!["id"]!.GetValue<string>();
        var create = new HttpRequestMessage(HttpMethod.Post, $"v3/users/{userId}/application_credentials")
        {
            Content = new StringContent("""{"application_credential":{"name":"generated"}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        create.Headers.Add("X-Auth-Token", token);
        var credential = (await Cloud.Json(await cloud.Send(create)))["application_credential"]!.AsObject();
        Assert.Equal(["description", "expires_at", "id", "links", "name", "project_id", "roles", "secret", "system", "unrestricted", "user_id"],
            credential.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(86, credential["secret"]!.GetValue<string>().Length);
        Assert.Equal(userId, credential["user_id"]!.GetValue<string>());
        Assert.Null(credential["unrestricted"]);
        Assert.Null(credential["system"]);
        Assert.Equal(["member", "reader"], credential["roles"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToArray());
        var id = credential["id"]!.GetValue<string>();
        Assert.EndsWith($"/v3/application_credentials/{id}", credential["links"]!["self"]!.GetValue<string>());

        var scoped = await cloud.Post("v3/auth/tokens", """
            {"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"ID","secret":"SECRET"}},
             "scope":{"project":{"id":"100001"}}}}
            """.Replace("ID", id).Replace("SECRET", credential["secret"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Unauthorized, scoped.StatusCode);
        var error = (await Cloud.Json(scoped))["error"]!;
        Assert.Equal("Error authenticating with application credential: Application credentials cannot request a scope.",
            error["message"]!.GetValue<string>());
        Assert.Empty(error["identity"]!.AsObject());

        var delete = new HttpRequestMessage(HttpMethod.Delete, $"v3/users/{userId}/application_credentials/0123456789abcdef0123456789abcdef");
        delete.Headers.Add("X-Auth-Token", token);
        var missing = await cloud.Send(delete);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Could not find Application Credential: 0123456789abcdef0123456789abcdef.",
            (await Cloud.Json(missing))["error"]!["message"]!.GetValue<string>());
    }

    private static string ApplicationCredentialLogin(string id, string secret) =>
        "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],\"application_credential\":{\"id\":\"" + id
        + "\",\"secret\":\"" + secret + "\"}}}}";

    [Fact]
    public async Task An_unknown_application_credential_id_gets_keystones_404_and_a_wrong_secret_or_expiry_401()
    {
        await using var cloud = await Cloud.Start();
        const string unknown = "0123456789abcdef0123456789abcdef";
        var response = await cloud.Post("v3/auth/tokens", ApplicationCredentialLogin(unknown, "x"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = (await Cloud.Json(response))["error"]!;
        Assert.Equal(404, error["code"]!.GetValue<int>());
        Assert.Equal($"Could not find Application Credential: {unknown}.", error["message"]!.GetValue<string>());
        Assert.Equal("Not Found", error["title"]!.GetValue<string>());

        var wrongSecret = await cloud.Post("v3/auth/tokens", ApplicationCredentialLogin(DefaultSeed.ApplicationCredentialId, "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        Assert.Equal("The request you have made requires authentication.", (await Cloud.Json(wrongSecret))["error"]!["message"]!.GetValue<string>());

        // an expired credential still exists: 401
        var login = await cloud.Post("v3/auth/tokens", KeystonePassword);
        var userId = (await Cloud.Json(login))["token"]!["user"]!["id"]!.GetValue<string>();
        var expiring = new HttpRequestMessage(HttpMethod.Post, $"v3/users/{userId}/application_credentials")
        {
            Content = new StringContent("{\"application_credential\":{\"name\":\"short\",\"secret\":\"s\",\"expires_at\":\""
                    + cloud.Server.Clock.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) + "\"}}",
                System.Text.Encoding.UTF8, "application/json"),
        };
        expiring.Headers.Add("X-Auth-Token", login.Headers.GetValues("X-Subject-Token").Single());
        var id = (await Cloud.Json(await cloud.Send(expiring)))["application_credential"]!["id"]!.GetValue<string>();
        await cloud.Admin(HttpMethod.Post, "clock", """{"advance":"02:00:00"}""");
        var expired = await cloud.Post("v3/auth/tokens", ApplicationCredentialLogin(id, "s"));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task Keystone_v2_style_password_with_the_project_as_tenantName_works()
    {
        await using var cloud = await Cloud.Start();
        var response = await cloud.Post("v2.0/tokens", """{"auth":{"tenantName":"demo","passwordCredentials":{"username":"demo","password":"demo-password"}}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Version_documents_sit_at_the_roots()
    {
        await using var cloud = await Cloud.Start();
        var root = await cloud.Get("");
        Assert.Equal(HttpStatusCode.MultipleChoices, root.StatusCode);
        var ids = (await Cloud.Json(root))["versions"]!["values"]!.AsArray().Select(v => v!["id"]!.GetValue<string>()).ToArray();
        Assert.Contains("v3.14", ids);
        Assert.Equal("v3.14", (await cloud.GetJson("v3"))["version"]!["id"]!.GetValue<string>());
        Assert.Equal("v2.0", (await cloud.GetJson("v2.0"))["version"]!["id"]!.GetValue<string>());
    }
}
