using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Runtime.InteropServices;
using System.Security;
using Autosnap.Cloud;
using Xunit;

namespace Autosnap.Tests.Cloud
{
    /// <summary>Which credential, identity endpoint and region a connection uses, without PowerShell.</summary>
    public class CredentialSourceTests
    {
        private static Func<string, string?> Variables(params (string Name, string Value)[] values)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in values) map[name] = value;
            return name => map.TryGetValue(name, out string? value) ? value : null;
        }

        private static SecureString Secret(string text)
        {
            var secure = new SecureString();
            foreach (char c in text) secure.AppendChar(c);
            return secure;
        }

        private static string Reveal(SecureString secret) => new NetworkCredential(string.Empty, secret).Password;

        [Fact]
        public void Rackspace_variables_give_an_api_key_on_rackspace_identity_and_their_region()
        {
            var source = CredentialSource.FromVariables(
                Variables(("RACKSPACE_USERNAME", "demo"), ("RACKSPACE_API_KEY", "k3y"), ("RACKSPACE_REGION", "IAD")), "the environment");
            var credential = Assert.IsType<ApiKeyCredential>(source.Credential);
            Assert.Equal("demo", credential.UserName);
            Assert.Equal("k3y", Reveal(credential.ApiKey));
            Assert.Equal(CredentialSource.RackspaceIdentityUrl, source.IdentityUrl);
            Assert.Equal("IAD", source.Region);
        }

        [Fact]
        public void Rackspace_variables_win_over_openstack_ones()
        {
            var source = CredentialSource.FromVariables(Variables(
                ("RACKSPACE_USERNAME", "demo"), ("RACKSPACE_API_KEY", "k3y"), ("RACKSPACE_IDENTITY_URL", "http://127.0.0.1:5000/v2.0"),
                ("OS_AUTH_URL", "http://127.0.0.1:5001"), ("OS_USERNAME", "other"), ("OS_PASSWORD", "pw")), "the environment");
            Assert.Equal("demo", Assert.IsType<ApiKeyCredential>(source.Credential).UserName);
            Assert.Equal("http://127.0.0.1:5000/v2.0", source.IdentityUrl.AbsoluteUri);
        }

        [Fact]
        public void A_rackspace_key_sent_to_keystone_is_a_scoped_password()
        {
            var source = CredentialSource.FromVariables(Variables(
                ("RACKSPACE_USERNAME", "demo"), ("RACKSPACE_API_KEY", "k3y"), ("RACKSPACE_IDENTITY_URL", "http://127.0.0.1:5000/v3"),
                ("OS_PROJECT_NAME", "ops"), ("OS_USER_DOMAIN_NAME", "Users")), "the environment");
            var credential = Assert.IsType<PasswordCredential>(source.Credential);
            Assert.Equal("k3y", Reveal(credential.Password));
            Assert.Equal("ops", credential.ProjectName);
            Assert.Null(credential.ProjectId);
            Assert.Equal("Users", credential.UserDomain);
            Assert.Equal("Default", credential.ProjectDomain);
        }

        [Theory]
        [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/v3")]
        [InlineData("http://127.0.0.1:5000/", "http://127.0.0.1:5000/v3")]
        [InlineData("http://127.0.0.1:5000/identity/v3", "http://127.0.0.1:5000/identity/v3")]
        [InlineData("http://127.0.0.1:5000/v2.0", "http://127.0.0.1:5000/v2.0")]
        public void An_os_auth_url_without_a_version_means_keystone_v3(string authUrl, string expected)
        {
            var source = CredentialSource.FromVariables(Variables(("OS_AUTH_URL", authUrl), ("OS_USERNAME", "u"), ("OS_PASSWORD", "p")), "the environment");
            Assert.Equal(expected, source.IdentityUrl.AbsoluteUri);
        }

        [Fact]
        public void An_application_credential_wins_over_a_password_and_os_region_name_is_the_region()
        {
            var source = CredentialSource.FromVariables(Variables(
                ("OS_AUTH_URL", "http://127.0.0.1:5000/v3"), ("OS_USERNAME", "u"), ("OS_PASSWORD", "p"),
                ("OS_APPLICATION_CREDENTIAL_ID", "app1"), ("OS_APPLICATION_CREDENTIAL_SECRET", "s3cret"), ("OS_REGION_NAME", "RegionOne")), "the environment");
            var credential = Assert.IsType<ApplicationCredential>(source.Credential);
            Assert.Equal("app1", credential.Id);
            Assert.Equal("s3cret", Reveal(credential.Secret));
            Assert.Equal("RegionOne", source.Region);
        }

        [Fact]
        public void Explicit_choices_win_over_the_variables()
        {
            var options = new CredentialOptions { IdentityUrl = new Uri("http://127.0.0.1:7000/v3"), ProjectId = "p-42", ProjectDomainName = "Projects" };
            var source = CredentialSource.FromVariables(Variables(
                ("OS_AUTH_URL", "http://127.0.0.1:5000"), ("OS_USERNAME", "u"), ("OS_PASSWORD", "p"),
                ("OS_PROJECT_NAME", "from-variable"), ("OS_PROJECT_DOMAIN_NAME", "Other")), "the environment", options);
            Assert.Equal("http://127.0.0.1:7000/v3", source.IdentityUrl.AbsoluteUri);
            var credential = Assert.IsType<PasswordCredential>(source.Credential);
            // an explicit project id means the variable's project name is not sent beside it
            Assert.Equal("p-42", credential.ProjectId);
            Assert.Null(credential.ProjectName);
            Assert.Equal("Projects", credential.ProjectDomain);
        }

        [Fact]
        public void Nothing_usable_names_the_place_and_every_option_but_no_secret()
        {
            var error = Assert.Throws<CredentialNotFoundException>(() => CredentialSource.FromVariables(
                Variables(("RACKSPACE_USERNAME", "demo"), ("OS_AUTH_URL", "http://127.0.0.1:5000"), ("OS_PASSWORD", "hunter2")),
                "the credential file 'creds.env'"));
            Assert.StartsWith("No credentials in the credential file 'creds.env'.", error.Message);
            foreach (string option in new[] { "-Credential", "-ApiKey", "RACKSPACE_API_KEY", "OS_AUTH_URL", "OS_APPLICATION_CREDENTIAL_ID", "-CredentialFile" })
            {
                Assert.Contains(option, error.Message);
            }
            Assert.DoesNotContain("hunter2", error.Message);
        }

        [Theory]
        [InlineData("RACKSPACE_IDENTITY_URL", "ftp://id.example/v2.0")]
        [InlineData("OS_AUTH_URL", "not a url")]
        public void A_variable_that_is_not_an_http_url_is_a_configuration_error(string name, string value)
        {
            var variables = name == "OS_AUTH_URL"
                ? Variables((name, value), ("OS_USERNAME", "u"), ("OS_PASSWORD", "p"))
                : Variables((name, value), ("RACKSPACE_USERNAME", "demo"), ("RACKSPACE_API_KEY", "k3y"));
            var error = Assert.Throws<CloudException>(() => CredentialSource.FromVariables(variables, "the environment"));
            Assert.Equal(CloudErrorKind.Configuration, error.Kind);
            Assert.Equal($"{name} is not an http(s) URL: '{value}'.", error.Message);
        }

        [Fact]
        public void Explicit_credentials_take_the_identity_url_and_scope_from_the_variables()
        {
            var variables = Variables(("RACKSPACE_IDENTITY_URL", "http://127.0.0.1:5000/v3"), ("OS_TENANT_NAME", "legacy"));
            var password = CredentialSource.FromPassword("u", Secret("p"), variable: variables);
            Assert.Equal("http://127.0.0.1:5000/v3", password.IdentityUrl.AbsoluteUri);
            Assert.Equal("legacy", Assert.IsType<PasswordCredential>(password.Credential).ProjectName);
            Assert.Null(password.Region);

            var apiKey = CredentialSource.FromApiKey("u", Secret("k"), variable: Variables());
            Assert.Equal(CredentialSource.RackspaceIdentityUrl, apiKey.IdentityUrl);
            Assert.IsType<ApiKeyCredential>(apiKey.Credential);

            var application = CredentialSource.FromApplicationCredential("app", Secret("s"), new CredentialOptions { IdentityUrl = new Uri("http://127.0.0.1:9/v3") }, variables);
            Assert.Equal("http://127.0.0.1:9/v3", application.IdentityUrl.AbsoluteUri);
            Assert.IsType<ApplicationCredential>(application.Credential);
        }

        [Theory]
        [InlineData("http://127.0.0.1:5000/v3", typeof(PasswordCredential))]
        [InlineData("http://127.0.0.1:5000/v2.0", typeof(ApiKeyCredential))]
        public void A_user_and_secret_is_a_password_on_keystone_and_an_api_key_on_rackspace(string identityUrl, Type expected)
        {
            var source = CredentialSource.FromUserAndSecret("demo", Secret("s"), new CredentialOptions { IdentityUrl = new Uri(identityUrl) }, Variables());
            Assert.IsType(expected, source.Credential);
        }

        [Fact]
        public void A_credential_file_is_read_like_the_environment()
        {
            string path = Path.Combine(Path.GetTempPath(), "autosnap-credentials-" + Guid.NewGuid().ToString("N") + ".env");
            File.WriteAllText(path, "# unattended\nexport RACKSPACE_USERNAME=demo\nRACKSPACE_API_KEY='k3y'\nRACKSPACE_REGION=  \n");
            try
            {
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                var source = CredentialSource.FromVariables(CredentialSource.FileVariables(path), "the credential file");
                Assert.Equal("k3y", Reveal(Assert.IsType<ApiKeyCredential>(source.Credential).ApiKey));
                Assert.Null(source.Region);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
