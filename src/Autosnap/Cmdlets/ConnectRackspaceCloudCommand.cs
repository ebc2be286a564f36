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
            CredentialSource source = SelectCredential();
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

        private CredentialSource SelectCredential()
        {
            var options = new CredentialOptions
            {
                IdentityUrl = IdentityUrl,
                ProjectName = ProjectName,
                ProjectId = ProjectId,
                UserDomainName = UserDomainName,
                ProjectDomainName = ProjectDomainName,
            };
            try
            {
                return ParameterSetName switch
                {
                    ApiKeySet => CredentialSource.FromApiKey(UserName, ApiKey, options),
                    PasswordSet => CredentialSource.FromPassword(UserName, Password, options),
                    CredentialSet => CredentialSource.FromUserAndSecret(Credential.UserName, Credential.Password, options),
                    ApplicationCredentialSet => CredentialSource.FromApplicationCredential(ApplicationCredentialId, ApplicationCredentialSecret, options),
                    CredentialFileSet => CredentialSource.FromVariables(
                        CredentialSource.FileVariables(SessionState.Path.GetUnresolvedProviderPathFromPSPath(CredentialFile)),
                        $"the credential file '{CredentialFile}'", options),
                    _ => CredentialSource.FromVariables(CredentialSource.EnvironmentVariable, "the environment", options),
                };
            }
            catch (CredentialNotFoundException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "RackspaceCloudCredentialNotFound", ErrorCategory.AuthenticationError, null));
                return null!;
            }
            catch (CloudException e)
            {
                ThrowTerminatingError(ErrorFor(e, "RackspaceCloud", ParameterSetName == CredentialFileSet ? CredentialFile : null));
                return null!;
            }
        }
    }
}
