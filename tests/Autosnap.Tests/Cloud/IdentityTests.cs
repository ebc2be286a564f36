using System;
using System.Collections.Generic;
using System.Net;
using System.Security;
using Autosnap.Cloud;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Autosnap.Tests.Cloud
{
    public class IdentityTests
    {
        private static SecureString Secret(string text)
        {
            var secure = new SecureString();
            foreach (char c in text) secure.AppendChar(c);
            return secure;
        }

        private static CloudResponse Answer(string body, params (string Name, string Value)[] headers)
        {
            var dictionary = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in headers) dictionary[name] = value;
            return new CloudResponse(HttpStatusCode.OK, dictionary, body);
        }

        // The shape of Rackspace's answer (docs sample auth-apikey-resp.json), with the first-generation
        // cloudServers entry that has no region and must never be picked.
        private const string RackspaceAnswer = @"{""access"":{
            ""token"":{""id"":""AAB-token"",""expires"":""2031-08-11T20:00:44.526Z"",""tenant"":{""id"":""929418"",""name"":""929418""},
                       ""RAX-AUTH:authenticatedBy"":[""APIKEY""]},
            ""user"":{""id"":""161418"",""name"":""demoauthor"",""RAX-AUTH:defaultRegion"":""IAD"",""roles"":[]},
            ""serviceCatalog"":[
              {""name"":""cloudServers"",""type"":""compute"",""endpoints"":[{""tenantId"":""929418"",""publicURL"":""https://servers.api.rackspacecloud.com/v1.0/929418""}]},
              {""name"":""cloudServersOpenStack"",""type"":""compute"",""endpoints"":[
                 {""region"":""IAD"",""tenantId"":""929418"",""publicURL"":""https://iad.servers.api.rackspacecloud.com/v2/929418""},
                 {""region"":""DFW"",""tenantId"":""929418"",""publicURL"":""https://dfw.servers.api.rackspacecloud.com/v2/929418""}]},
              {""name"":""cloudImages"",""type"":""image"",""endpoints"":[
                 {""region"":""IAD"",""tenantId"":""929418"",""publicURL"":""https://iad.images.api.rackspacecloud.com/v2""},
                 {""region"":""DFW"",""tenantId"":""929418"",""publicURL"":""https://dfw.images.api.rackspacecloud.com/v2""}]},
              {""name"":""cloudDNS"",""type"":""rax:dns"",""endpoints"":[{""tenantId"":""929418"",""publicURL"":""https://dns.api.rackspacecloud.com/v1.0/929418""}]}
            ]}}";

        private const string KeystoneAnswer = @"{""token"":{""expires_at"":""2031-01-02T00:00:00.000000Z"",""methods"":[""password""],
            ""user"":{""id"":""u1"",""name"":""demo"",""domain"":{""id"":""default"",""name"":""Default""}},
            ""project"":{""id"":""p1"",""name"":""demo""},
            ""catalog"":[
              {""type"":""compute"",""name"":""nova"",""endpoints"":[
                 {""interface"":""admin"",""region"":""RegionOne"",""region_id"":""RegionOne"",""url"":""http://10.0.0.1:8774/v2.1""},
                 {""interface"":""public"",""region"":""RegionOne"",""region_id"":""RegionOne"",""url"":""http://127.0.0.1:8774/v2.1""}]},
              {""type"":""image"",""name"":""glance"",""endpoints"":[
                 {""interface"":""public"",""region"":""RegionOne"",""region_id"":""RegionOne"",""url"":""http://127.0.0.1:9292""}]}]}}";

        [Theory]
        [InlineData("https://identity.api.rackspacecloud.com/v2.0", IdentityKind.Rackspace)]
        [InlineData("https://identity.api.rackspacecloud.com/v2.0/", IdentityKind.Rackspace)]
        [InlineData("http://127.0.0.1:5000/v3", IdentityKind.Keystone)]
        [InlineData("http://127.0.0.1:5000/identity/v3/", IdentityKind.Keystone)]
        public void The_url_says_which_protocol(string url, IdentityKind kind)
        {
            Assert.Equal(kind, IdentityProtocol.KindOf(new Uri(url)));
        }

        [Fact]
        public void A_url_without_a_version_is_a_clear_configuration_error()
        {
            var error = Assert.Throws<CloudException>(() => IdentityProtocol.KindOf(new Uri("http://127.0.0.1:5000/")));
            Assert.Equal(CloudErrorKind.Configuration, error.Kind);
            Assert.Contains("/v2.0", error.Message);
            Assert.Contains("/v3", error.Message);
        }

        [Fact]
        public void Rackspace_api_key_body()
        {
            var request = IdentityProtocol.BuildRequest(new Uri("https://id.example/v2.0"), IdentityKind.Rackspace, new ApiKeyCredential("demo", Secret("k3y")));
            Assert.Equal("https://id.example/v2.0/tokens", request.Uri.AbsoluteUri);
            Assert.False(request.Authenticated);
            JObject body = JObject.Parse(request.JsonBody!);
            Assert.Equal("demo", (string?)body["auth"]!["RAX-KSKEY:apiKeyCredentials"]!["username"]);
            Assert.Equal("k3y", (string?)body["auth"]!["RAX-KSKEY:apiKeyCredentials"]!["apiKey"]);
            Assert.DoesNotContain("k3y", request.Describe());
        }

        [Fact]
        public void Keystone_password_body_scopes_to_the_project_by_name_in_its_domain()
        {
            var credential = new PasswordCredential("demo", Secret("pw")) { ProjectName = "demo", UserDomain = "Users", ProjectDomain = "Projects" };
            var request = IdentityProtocol.BuildRequest(new Uri("http://127.0.0.1:5000/v3"), IdentityKind.Keystone, credential);
            Assert.Equal("http://127.0.0.1:5000/v3/auth/tokens", request.Uri.AbsoluteUri);
            JObject auth = (JObject)JObject.Parse(request.JsonBody!)["auth"]!;
            Assert.Equal("password", (string?)auth["identity"]!["methods"]![0]);
            Assert.Equal("Users", (string?)auth["identity"]!["password"]!["user"]!["domain"]!["name"]);
            Assert.Equal("demo", (string?)auth["scope"]!["project"]!["name"]);
            Assert.Equal("Projects", (string?)auth["scope"]!["project"]!["domain"]!["name"]);
        }

        [Fact]
        public void Keystone_password_without_a_project_is_refused_before_sending()
        {
            var error = Assert.Throws<CloudException>(() =>
                IdentityProtocol.BuildRequest(new Uri("http://127.0.0.1:5000/v3"), IdentityKind.Keystone, new PasswordCredential("demo", Secret("pw"))));
            Assert.Equal(CloudErrorKind.Configuration, error.Kind);
            Assert.Contains("-ProjectName", error.Message);
        }

        [Fact]
        public void Application_credential_body_has_no_scope()
        {
            var request = IdentityProtocol.BuildRequest(new Uri("http://127.0.0.1:5000/v3"), IdentityKind.Keystone, new ApplicationCredential("app1", Secret("s")));
            JObject auth = (JObject)JObject.Parse(request.JsonBody!)["auth"]!;
            Assert.Equal("application_credential", (string?)auth["identity"]!["methods"]![0]);
            Assert.Equal("app1", (string?)auth["identity"]!["application_credential"]!["id"]);
            Assert.Null(auth["scope"]);
        }

        [Fact]
        public void An_api_key_against_keystone_is_refused_before_sending()
        {
            var error = Assert.Throws<CloudException>(() =>
                IdentityProtocol.BuildRequest(new Uri("http://127.0.0.1:5000/v3"), IdentityKind.Keystone, new ApiKeyCredential("demo", Secret("k"))));
            Assert.Equal(CloudErrorKind.Configuration, error.Kind);
        }

        [Fact]
        public void Reads_a_rackspace_answer_and_ignores_first_generation_servers()
        {
            IdentityResult result = IdentityProtocol.Read(IdentityKind.Rackspace, Answer(RackspaceAnswer));
            Assert.Equal("AAB-token", result.Token);
            Assert.Equal(new DateTimeOffset(2031, 8, 11, 20, 0, 44, 526, TimeSpan.Zero), result.Expires);
            Assert.Equal("demoauthor", result.UserName);
            Assert.Equal("929418", result.TenantId);
            Assert.Equal("IAD", result.DefaultRegion);
            Assert.Equal(new[] { "IAD", "DFW" }, result.Catalog.ComputeRegions);
            Assert.Equal("https://dfw.servers.api.rackspacecloud.com/v2/929418", result.Catalog.ComputeUrl("dfw").AbsoluteUri);
            Assert.Equal("https://dfw.images.api.rackspacecloud.com/v2", result.Catalog.ImageUrl("DFW").AbsoluteUri);
        }

        [Fact]
        public void Reads_a_keystone_answer_with_the_token_from_the_header_and_public_endpoints_only()
        {
            IdentityResult result = IdentityProtocol.Read(IdentityKind.Keystone, Answer(KeystoneAnswer, ("X-Subject-Token", "gAAAA-token")));
            Assert.Equal("gAAAA-token", result.Token);
            Assert.Equal("demo", result.UserName);
            Assert.Equal("p1", result.TenantId);
            Assert.Null(result.DefaultRegion);
            Assert.Equal("http://127.0.0.1:8774/v2.1", result.Catalog.ComputeUrl("RegionOne").AbsoluteUri);
            // Generic Glance endpoints have no version; the client works against /v2.
            Assert.Equal("http://127.0.0.1:9292/v2", result.Catalog.ImageUrl("RegionOne").AbsoluteUri);
        }

        [Fact]
        public void A_keystone_answer_without_the_token_header_cannot_be_understood()
        {
            Assert.Throws<FormatException>(() => IdentityProtocol.Read(IdentityKind.Keystone, Answer(KeystoneAnswer)));
        }

        [Fact]
        public void An_unknown_region_lists_the_regions_there_are()
        {
            IdentityResult result = IdentityProtocol.Read(IdentityKind.Rackspace, Answer(RackspaceAnswer));
            var error = Assert.Throws<CloudException>(() => result.Catalog.ComputeUrl("LON"));
            Assert.Equal(CloudErrorKind.Configuration, error.Kind);
            Assert.Contains("IAD, DFW", error.Message);
        }

        [Fact]
        public void Missing_fields_name_the_field()
        {
            var error = Assert.Throws<FormatException>(() =>
                IdentityProtocol.Read(IdentityKind.Rackspace, Answer(@"{""access"":{""token"":{""expires"":""2031-01-01T00:00:00Z""},""user"":{""name"":""x""},""serviceCatalog"":[]}}")));
            Assert.Contains("'id'", error.Message);
        }
    }
}
