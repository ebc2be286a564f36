using System;
using System.Collections.Generic;
using System.Security;

namespace Autosnap.Cloud
{
    /// <summary>What the caller chose explicitly; each one wins over the matching variable.</summary>
    public sealed class CredentialOptions
    {
        /// <summary>The identity endpoint, ending in /v2.0 (Rackspace) or /v3 (Keystone).</summary>
        public Uri? IdentityUrl { get; set; }

        /// <summary>Keystone: the project to scope the token to.</summary>
        public string? ProjectName { get; set; }

        /// <summary>Keystone: the project id (instead of <see cref="ProjectName"/>).</summary>
        public string? ProjectId { get; set; }

        /// <summary>Keystone: the user's domain name.</summary>
        public string? UserDomainName { get; set; }

        /// <summary>Keystone: the project's domain name.</summary>
        public string? ProjectDomainName { get; set; }
    }

    /// <summary>Neither the caller nor the variables named a complete credential.</summary>
    public sealed class CredentialNotFoundException : Exception
    {
        public CredentialNotFoundException(string message) : base(message)
        {
        }
    }

    /// <summary>
    /// Where a session's identity endpoint, credential and default region come from: credentials given explicitly,
    /// or the RACKSPACE_* and OpenStack OS_* variables of the environment or of a credential file.
    /// </summary>
    public sealed class CredentialSource
    {
        /// <summary>Rackspace's public identity endpoint: the default when nothing else is given.</summary>
        public static readonly Uri RackspaceIdentityUrl = new Uri("https://identity.api.rackspacecloud.com/v2.0");

        private readonly Func<string, string?> _variable;
        private readonly CredentialOptions _options;

        private CredentialSource(Func<string, string?> variable, CredentialOptions? options)
        {
            _variable = variable;
            _options = options ?? new CredentialOptions();
            IdentityUrl = RackspaceIdentityUrl;
            Credential = null!;
        }

        public Uri IdentityUrl { get; private set; }

        public CloudCredential Credential { get; private set; }

        /// <summary>The region the variables name (RACKSPACE_REGION, OS_REGION_NAME); null for explicit credentials.</summary>
        public string? Region { get; private set; }

        /// <summary>An environment variable, trimmed; null when unset or blank.</summary>
        public static string? EnvironmentVariable(string name)
        {
            string? value = Environment.GetEnvironmentVariable(name);
            return string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
        }

        /// <summary>The variables of a credential file (see <see cref="CredentialFile"/>), looked up like the environment's.</summary>
        public static Func<string, string?> FileVariables(string path)
        {
            IReadOnlyDictionary<string, string> values = CredentialFile.Read(path);
            return name => values.TryGetValue(name, out string? value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        }

        /// <summary>A Rackspace API key.</summary>
        public static CredentialSource FromApiKey(string userName, SecureString apiKey, CredentialOptions? options = null, Func<string, string?>? variable = null) =>
            Explicit(variable, options, _ => new ApiKeyCredential(userName, apiKey));

        /// <summary>A password: Rackspace passwordCredentials, or a Keystone v3 password.</summary>
        public static CredentialSource FromPassword(string userName, SecureString password, CredentialOptions? options = null, Func<string, string?>? variable = null) =>
            Explicit(variable, options, source => source.ScopedPassword(userName, password));

        /// <summary>A user name and secret whose meaning follows the endpoint: the API key on Rackspace identity, the password on Keystone.</summary>
        public static CredentialSource FromUserAndSecret(string userName, SecureString secret, CredentialOptions? options = null, Func<string, string?>? variable = null) =>
            Explicit(variable, options, source => source.IsKeystone ? source.ScopedPassword(userName, secret) : new ApiKeyCredential(userName, secret));

        /// <summary>A Keystone v3 application credential.</summary>
        public static CredentialSource FromApplicationCredential(string id, SecureString secret, CredentialOptions? options = null, Func<string, string?>? variable = null) =>
            Explicit(variable, options, _ => new ApplicationCredential(id, secret));

        /// <summary>
        /// RACKSPACE_USERNAME + RACKSPACE_API_KEY first (with RACKSPACE_IDENTITY_URL, RACKSPACE_REGION), then OpenStack's
        /// OS_AUTH_URL with OS_APPLICATION_CREDENTIAL_ID/_SECRET or OS_USERNAME/OS_PASSWORD (and the OS_PROJECT_*,
        /// OS_*_DOMAIN_NAME, OS_REGION_NAME variables). <paramref name="where"/> names the place in the error when
        /// nothing is found (<see cref="CredentialNotFoundException"/>, which lists every option).
        /// </summary>
        public static CredentialSource FromVariables(Func<string, string?> variable, string where, CredentialOptions? options = null)
        {
            var source = new CredentialSource(variable, options);
            string? rackspaceUser = variable("RACKSPACE_USERNAME");
            string? rackspaceKey = variable("RACKSPACE_API_KEY");
            if (rackspaceUser != null && rackspaceKey != null)
            {
                source.IdentityUrl = source.ExplicitOrRackspaceUrl();
                source.Credential = source.IsKeystone
                    ? source.ScopedPassword(rackspaceUser, Secure(rackspaceKey))
                    : new ApiKeyCredential(rackspaceUser, Secure(rackspaceKey));
                source.Region = variable("RACKSPACE_REGION");
                return source;
            }

            string? authUrl = variable("OS_AUTH_URL");
            if (authUrl != null)
            {
                source.IdentityUrl = source._options.IdentityUrl ?? WithKeystoneVersion(ParseUrl(authUrl, "OS_AUTH_URL")!);
                string? appId = variable("OS_APPLICATION_CREDENTIAL_ID");
                string? appSecret = variable("OS_APPLICATION_CREDENTIAL_SECRET");
                string? user = variable("OS_USERNAME");
                string? password = variable("OS_PASSWORD");
                CloudCredential? credential =
                    appId != null && appSecret != null ? new ApplicationCredential(appId, Secure(appSecret))
                    : user != null && password != null ? source.ScopedPassword(user, Secure(password))
                    : null;
                if (credential != null)
                {
                    source.Credential = credential;
                    source.Region = variable("OS_REGION_NAME");
                    return source;
                }
            }

            throw new CredentialNotFoundException(
                $"No credentials in {where}. Give -Credential, -UserName with -ApiKey or -Password, or -ApplicationCredentialId with -ApplicationCredentialSecret; " +
                "or set RACKSPACE_USERNAME and RACKSPACE_API_KEY; or set OS_AUTH_URL with OS_USERNAME and OS_PASSWORD " +
                "(or OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET); or give -CredentialFile.");
        }

        private static CredentialSource Explicit(Func<string, string?>? variable, CredentialOptions? options, Func<CredentialSource, CloudCredential> credential)
        {
            // The variables still fill in what explicit credentials leave open: RACKSPACE_IDENTITY_URL (so a rehearsal
            // cloud needs no extra parameter) and the OS_PROJECT_* / OS_*_DOMAIN_NAME scope.
            var source = new CredentialSource(variable ?? EnvironmentVariable, options);
            source.IdentityUrl = source.ExplicitOrRackspaceUrl();
            source.Credential = credential(source);
            return source;
        }

        private bool IsKeystone => IdentityUrl.AbsolutePath.TrimEnd('/').EndsWith("/v3", StringComparison.OrdinalIgnoreCase);

        private Uri ExplicitOrRackspaceUrl() =>
            _options.IdentityUrl ?? ParseUrl(_variable("RACKSPACE_IDENTITY_URL"), "RACKSPACE_IDENTITY_URL") ?? RackspaceIdentityUrl;

        private PasswordCredential ScopedPassword(string userName, SecureString password) =>
            new PasswordCredential(userName, password)
            {
                ProjectName = _options.ProjectName ?? (_options.ProjectId == null ? _variable("OS_PROJECT_NAME") ?? _variable("OS_TENANT_NAME") : null),
                ProjectId = _options.ProjectId ?? (_options.ProjectName == null ? _variable("OS_PROJECT_ID") ?? _variable("OS_TENANT_ID") : null),
                UserDomain = _options.UserDomainName ?? _variable("OS_USER_DOMAIN_NAME") ?? "Default",
                ProjectDomain = _options.ProjectDomainName ?? _variable("OS_PROJECT_DOMAIN_NAME") ?? "Default",
            };

        /// <summary>OS_AUTH_URL is often given without a version ("http://host:5000"): that means Keystone v3.</summary>
        private static Uri WithKeystoneVersion(Uri url)
        {
            string path = url.AbsolutePath.TrimEnd('/');
            return path.EndsWith("/v3", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/v2.0", StringComparison.OrdinalIgnoreCase)
                ? url
                : new Uri(url.AbsoluteUri.TrimEnd('/') + "/v3");
        }

        private static Uri? ParseUrl(string? value, string variable)
        {
            if (value == null) return null;
            if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                throw new CloudException(CloudErrorKind.Configuration, $"{variable} is not an http(s) URL: '{value}'.");
            }
            return url;
        }

        private static SecureString Secure(string text)
        {
            var secure = new SecureString();
            foreach (char c in text) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }
    }
}
