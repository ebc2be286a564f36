using System;
using System.Management.Automation;
using System.Security;
using Autosnap.Cloud;
using Autosnap.Model;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Authenticates to Rackspace (identity v2.0: API key or password) or an OpenStack cloud (Keystone v3: password
    /// or application credential) and makes the session the runspace's default.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "RackspaceCloud", DefaultParameterSetName = EnvironmentSet)]
    [OutputType(typeof(RackspaceSession))]
    public sealed class ConnectRackspaceCloudCommand : AutosnapCmdlet
    {
        private const string EnvironmentSet = "Environment";
        private const string ApiKeySet = "ApiKey";
        private const string PasswordSet = "Password";
        private const string CredentialSet = "Credential";
        private const string ApplicationCredentialSet = "ApplicationCredential";
        private const string CredentialFileSet = "CredentialFile";

        /// <summary>Rackspace's public identity endpoint: the default when nothing else is given.</summary>
        public static readonly Uri RackspaceIdentityUrl = new Uri("https://identity.api.rackspacecloud.com/v2.0");

        /// <summary>The account's user name (with -ApiKey or -Password).</summary>
        [Parameter(Mandatory = true, ParameterSetName = ApiKeySet)]
        [Parameter(Mandatory = true, ParameterSetName = PasswordSet)]
        [ValidateNotNullOrEmpty]
        public string UserName { get; set; } = null!;

        /// <summary>The Rackspace API key, as a SecureString.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ApiKeySet)]
        [ValidateNotNull]
        public SecureString ApiKey { get; set; } = null!;

        /// <summary>The account's password (Rackspace passwordCredentials, or Keystone v3 password).</summary>
        [Parameter(Mandatory = true, ParameterSetName = PasswordSet)]
        [ValidateNotNull]
        public SecureString Password { get; set; } = null!;

        /// <summary>User name and secret: the API key on Rackspace identity, the password on Keystone.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
        [ValidateNotNull]
        [Credential]
        public PSCredential Credential { get; set; } = null!;

        /// <summary>Keystone v3 application credential id.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ApplicationCredentialSet)]
        [ValidateNotNullOrEmpty]
        public string ApplicationCredentialId { get; set; } = null!;

        /// <summary>Keystone v3 application credential secret.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ApplicationCredentialSet)]
        [ValidateNotNull]
        public SecureString ApplicationCredentialSecret { get; set; } = null!;

        /// <summary>A file of NAME=value lines with the environment variables' names, readable only by its owner.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CredentialFileSet)]
        [ValidateNotNullOrEmpty]
        public string CredentialFile { get; set; } = null!;

        /// <summary>The identity endpoint: ending in /v2.0 (Rackspace) or /v3 (Keystone).</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? IdentityUrl { get; set; }

        /// <summary>The region to work in by default.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Region { get; set; }

        /// <summary>Keystone: the project to scope the token to.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ProjectName { get; set; }

        /// <summary>Keystone: the project id (instead of -ProjectName).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ProjectId { get; set; }

        /// <summary>Keystone: the user's domain name.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? UserDomainName { get; set; }

        /// <summary>Keystone: the project's domain name.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ProjectDomainName { get; set; }

        /// <summary>Allows a plain http identity URL to another machine.</summary>
        [Parameter]
        public SwitchParameter AllowInsecureHttp { get; set; }

        /// <summary>How long one HTTP attempt may take.</summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Retries of a failed call.</summary>
        [Parameter]
        [ValidateRange(0, 10)]
        public int MaxRetries { get; set; } = 4;

        /// <summary>Keeps the current default session.</summary>
        [Parameter]
        public SwitchParameter NotDefault { get; set; }

        protected override void ProcessRecord()
        {
            if (RequestTimeout < TimeSpan.FromSeconds(1) || RequestTimeout > TimeSpan.FromHours(1))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout,
                    "-RequestTimeout must be between 1 second and 1 hour."), "RackspaceCloudInvalidArgument", ErrorCategory.InvalidArgument, RequestTimeout));
            }
            CredentialSource source = ParameterSetName switch
            {
                EnvironmentSet => FromVariables(Env, "the environment"),
                CredentialFileSet => FromVariables(ReadCredentialFile(), $"the credential file '{CredentialFile}'"),
                _ => FromParameters(),
            };
            var options = new CloudHttpOptions { RequestTimeout = RequestTimeout, MaxRetries = MaxRetries };

            CloudSession cloud;
            RackspaceSession session;
            try
            {
                cloud = new CloudSession(source.IdentityUrl, source.Credential, options, AllowInsecureHttp.IsPresent);
            }
            catch (CloudException e)
            {
                ThrowTerminatingError(ErrorFor(e, "RackspaceCloud", source.IdentityUrl));
                return;
            }
            try
            {
                Run((host, token) => cloud.AuthenticateAsync(host, token));
                session = new RackspaceSession(cloud, cloud.ResolveRegion(Region ?? source.Region));
            }
            catch (CloudException e)
            {
                cloud.Dispose();
                ThrowTerminatingError(ErrorFor(e, "RackspaceCloud", source.IdentityUrl));
                return;
            }
            SessionStore.Add(session, makeDefault: !NotDefault.IsPresent);
            WriteVerbose($"Connected to {session.IdentityUrl.Host} as {session.UserName}, region {session.Region} (regions: {string.Join(", ", session.Regions)}).");
            WriteObject(session);
        }

        private sealed class CredentialSource
        {
            public CredentialSource(Uri identityUrl, CloudCredential credential, string? region)
            {
                IdentityUrl = identityUrl;
                Credential = credential;
                Region = region;
            }

            public Uri IdentityUrl { get; }
            public CloudCredential Credential { get; }
            public string? Region { get; }
        }

        private CredentialSource FromParameters()
        {
            // RACKSPACE_IDENTITY_URL also serves explicit credentials, so a rehearsal cloud needs no extra parameter.
            Uri identityUrl = IdentityUrl ?? ParseUrl(Env("RACKSPACE_IDENTITY_URL"), "RACKSPACE_IDENTITY_URL") ?? RackspaceIdentityUrl;
            bool keystone = IsKeystone(identityUrl);
            CloudCredential credential = ParameterSetName switch
            {
                ApiKeySet => new ApiKeyCredential(UserName, ApiKey),
                PasswordSet => ScopedPassword(UserName, Password),
                ApplicationCredentialSet => new ApplicationCredential(ApplicationCredentialId, ApplicationCredentialSecret),
                // -Credential: the password field holds the API key on Rackspace identity, the password on Keystone.
                _ => keystone ? ScopedPassword(Credential.UserName, Credential.Password) : new ApiKeyCredential(Credential.UserName, Credential.Password),
            };
            return new CredentialSource(identityUrl, credential, null);
        }

        private Func<string, string?> ReadCredentialFile()
        {
            try
            {
                var values = Autosnap.Cloud.CredentialFile.Read(SessionState.Path.GetUnresolvedProviderPathFromPSPath(CredentialFile));
                return name => values.TryGetValue(name, out string? value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
            }
            catch (CloudException e)
            {
                ThrowTerminatingError(ErrorFor(e, "RackspaceCloud", CredentialFile));
                return null!;
            }
        }

        /// <summary>
        /// RACKSPACE_USERNAME + RACKSPACE_API_KEY first (with RACKSPACE_IDENTITY_URL, RACKSPACE_REGION), then OpenStack's
        /// OS_AUTH_URL with OS_APPLICATION_CREDENTIAL_ID/_SECRET or OS_USERNAME/OS_PASSWORD (and the OS_PROJECT_*,
        /// OS_*_DOMAIN_NAME, OS_REGION_NAME variables), from the environment or a credential file.
        /// Nothing found is a terminating error that names every option.
        /// </summary>
        private CredentialSource FromVariables(Func<string, string?> variable, string where)
        {
            _variable = variable;
            string? rackspaceUser = Variable("RACKSPACE_USERNAME");
            string? rackspaceKey = Variable("RACKSPACE_API_KEY");
            if (rackspaceUser != null && rackspaceKey != null)
            {
                Uri url = IdentityUrl ?? ParseUrl(Variable("RACKSPACE_IDENTITY_URL"), "RACKSPACE_IDENTITY_URL") ?? RackspaceIdentityUrl;
                CloudCredential credential = IsKeystone(url)
                    ? ScopedPassword(rackspaceUser, Secure(rackspaceKey))
                    : new ApiKeyCredential(rackspaceUser, Secure(rackspaceKey));
                return new CredentialSource(url, credential, Variable("RACKSPACE_REGION"));
            }

            string? authUrl = Variable("OS_AUTH_URL");
            if (authUrl != null)
            {
                Uri url = IdentityUrl ?? WithKeystoneVersion(ParseUrl(authUrl, "OS_AUTH_URL")!);
                string? appId = Variable("OS_APPLICATION_CREDENTIAL_ID");
                string? appSecret = Variable("OS_APPLICATION_CREDENTIAL_SECRET");
                string? user = Variable("OS_USERNAME");
                string? password = Variable("OS_PASSWORD");
                CloudCredential? credential =
                    appId != null && appSecret != null ? new ApplicationCredential(appId, Secure(appSecret))
                    : user != null && password != null ? ScopedPassword(user, Secure(password))
                    : null;
                if (credential != null)
                {
                    return new CredentialSource(url, credential, Variable("OS_REGION_NAME"));
                }
            }

            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException(
                    $"No credentials in {where}. Give -Credential, -UserName with -ApiKey or -Password, or -ApplicationCredentialId with -ApplicationCredentialSecret; " +
                    "or set RACKSPACE_USERNAME and RACKSPACE_API_KEY; or set OS_AUTH_URL with OS_USERNAME and OS_PASSWORD " +
                    "(or OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET); or give -CredentialFile."),
                "RackspaceCloudCredentialNotFound", ErrorCategory.AuthenticationError, null));
            return null!;
        }

        private PasswordCredential ScopedPassword(string userName, SecureString password) =>
            new PasswordCredential(userName, password)
            {
                ProjectName = ProjectName ?? (ProjectId == null ? Variable("OS_PROJECT_NAME") ?? Variable("OS_TENANT_NAME") : null),
                ProjectId = ProjectId ?? (ProjectName == null ? Variable("OS_PROJECT_ID") ?? Variable("OS_TENANT_ID") : null),
                UserDomain = UserDomainName ?? Variable("OS_USER_DOMAIN_NAME") ?? "Default",
                ProjectDomain = ProjectDomainName ?? Variable("OS_PROJECT_DOMAIN_NAME") ?? "Default",
            };

        private static bool IsKeystone(Uri url) => url.AbsolutePath.TrimEnd('/').EndsWith("/v3", StringComparison.OrdinalIgnoreCase);

        /// <summary>OS_AUTH_URL is often given without a version ("http://host:5000"): that means Keystone v3.</summary>
        private static Uri WithKeystoneVersion(Uri url)
        {
            string path = url.AbsolutePath.TrimEnd('/');
            return path.EndsWith("/v3", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/v2.0", StringComparison.OrdinalIgnoreCase)
                ? url
                : new Uri(url.AbsoluteUri.TrimEnd('/') + "/v3");
        }

        private Uri? ParseUrl(string? value, string variable)
        {
            if (value == null) return null;
            if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"{variable} is not an http(s) URL: '{value}'."),
                    "RackspaceCloudInvalidConfiguration", ErrorCategory.InvalidArgument, value));
            }
            return url;
        }

        // Where credential variables come from in this call: the environment, or a credential file.
        private Func<string, string?> _variable = Env;

        private string? Variable(string name) => _variable(name);

        private static string? Env(string name)
        {
            string? value = Environment.GetEnvironmentVariable(name);
            return string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
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
