using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Autosnap.Cloud
{
    /// <summary>
    /// An authenticated connection to one account: the credential (kept to renew the token), the current token
    /// and catalog, and the HTTP pipeline every call of the session goes through. Tokens are renewed shortly
    /// before they expire and once more when a service refuses one (401).
    /// </summary>
    public sealed class CloudSession : IDisposable
    {
        /// <summary>Renew this long before the token expires: a job must not lose its token between two calls.</summary>
        private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

        private readonly CloudCredential _credential;
        private readonly SemaphoreSlim _renewal = new SemaphoreSlim(1, 1);
        private IdentityResult? _identity;

        public CloudSession(Uri identityUrl, CloudCredential credential, CloudHttpOptions? options = null, bool allowInsecureHttp = false,
                            HttpMessageHandler? handler = null)
        {
            if (identityUrl.Scheme == Uri.UriSchemeHttp && !allowInsecureHttp && !IsLoopback(identityUrl))
            {
                throw new CloudException(CloudErrorKind.Configuration,
                    $"The identity URL '{identityUrl}' is plain http to another machine: credentials and tokens would cross the network unencrypted. " +
                    "Use https, or allow it explicitly (-AllowInsecureHttp).");
            }
            IdentityUrl = identityUrl;
            Kind = IdentityProtocol.KindOf(identityUrl);
            _credential = credential;
            Http = new CloudHttp(options, handler);
        }

        public Uri IdentityUrl { get; }
        public IdentityKind Kind { get; }
        public CloudHttp Http { get; }
        public string CredentialDescription => _credential.Describe();

        /// <summary>Compute endpoints that answered 406 to microversion 2.45 (older Nova): createImage there goes without it.</summary>
        internal System.Collections.Concurrent.ConcurrentDictionary<string, bool> ComputeWithoutMicroversions { get; } =
            new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();

        /// <summary>The highest compute microversion of each endpoint (null: none), read once from its version document.</summary>
        internal System.Collections.Concurrent.ConcurrentDictionary<string, Version?> ComputeMaxMicroversions { get; } =
            new System.Collections.Concurrent.ConcurrentDictionary<string, Version?>();

        public IdentityResult Identity =>
            _identity ?? throw new InvalidOperationException("The session has not authenticated yet.");

        /// <summary>Authenticates (again). Wrong credentials are a CloudException of kind Authentication with a plain message.</summary>
        public async Task AuthenticateAsync(ICloudLog log, CancellationToken cancellationToken)
        {
            CloudRequest request = IdentityProtocol.BuildRequest(IdentityUrl, Kind, _credential);
            try
            {
                _identity = await Http.SendAsync(request, null, response => IdentityProtocol.Read(Kind, response), log, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e) when (e.Kind == CloudErrorKind.Authentication || e.Kind == CloudErrorKind.Forbidden ||
                                           // Keystone answers an unknown application credential with 404, not 401.
                                           (e.Kind == CloudErrorKind.NotFound && _credential is ApplicationCredential))
            {
                throw new CloudException(CloudErrorKind.Authentication,
                    $"The identity service at {IdentityUrl.GetLeftPart(UriPartial.Authority)} refused the {_credential.Describe()} ({(int?)e.StatusCode} {e.StatusCode}). " +
                    "Check the user name and the secret; an expired or revoked credential looks the same.", e.StatusCode, e.FaultName, e);
            }
            catch (CloudException e) when (e.Kind == CloudErrorKind.NotFound || e.Kind == CloudErrorKind.BadRequest)
            {
                throw new CloudException(CloudErrorKind.Configuration,
                    $"The identity service at {IdentityUrl} does not accept this kind of authentication ({(int?)e.StatusCode} {e.StatusCode}). " +
                    "Is it the right URL for this cloud (Rackspace: …/v2.0; OpenStack Keystone: …/v3)?", e.StatusCode, e.FaultName, e);
            }
            log.Verbose($"Authenticated as '{_identity.UserName}' (tenant {_identity.TenantId ?? "none"}); the token expires at {_identity.Expires:u}.");
        }

        /// <summary>
        /// Sends a request with the session's token. An expired token is renewed first; a token the service refuses
        /// (401) is renewed once and the request sent once more.
        /// </summary>
        public async Task<T> SendAsync<T>(CloudRequest request, Func<CloudResponse, T> read, ICloudLog log, CancellationToken cancellationToken)
        {
            if (!request.Authenticated)
            {
                return await Http.SendAsync(request, null, read, log, cancellationToken).ConfigureAwait(false);
            }
            string token = await CurrentTokenAsync(log, cancellationToken).ConfigureAwait(false);
            try
            {
                return await Http.SendAsync(request, token, read, log, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e) when (e.Kind == CloudErrorKind.Authentication)
            {
                log.Verbose($"{request.Service} refused the token ({(int?)e.StatusCode}); authenticating again and repeating '{request.Operation}' once.");
                token = await RenewAsync(token, log, cancellationToken).ConfigureAwait(false);
                return await Http.SendAsync(request, token, read, log, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Now, on the clock of the image service of <paramref name="region"/> (image creation times come from it).</summary>
        public DateTimeOffset ServerNow(string region) => Http.ServerNow(Identity.Catalog.ImageUrl(region));

        /// <summary>
        /// The region to work in: the one asked for (as the catalog spells it), else the account's default region,
        /// else the only region there is. A region the catalog does not have is an error listing the ones it has.
        /// </summary>
        public string ResolveRegion(string? requested)
        {
            ServiceCatalog catalog = Identity.Catalog;
            var regions = catalog.ComputeRegions;
            if (regions.Count == 0)
            {
                throw new CloudException(CloudErrorKind.Configuration, "The service catalog of this account has no compute endpoint in any region.");
            }
            if (!string.IsNullOrEmpty(requested))
            {
                return catalog.FindRegion(requested!) ?? throw new CloudException(CloudErrorKind.Configuration,
                    $"Region '{requested}' is not in this account's catalog. Regions available: {string.Join(", ", regions)}.");
            }
            if (Identity.DefaultRegion != null && catalog.FindRegion(Identity.DefaultRegion) is string defaultRegion)
            {
                return defaultRegion;
            }
            if (regions.Count == 1)
            {
                return regions[0];
            }
            throw new CloudException(CloudErrorKind.Configuration,
                $"This account has several regions and no default one; choose one with -Region. Regions available: {string.Join(", ", regions)}.");
        }

        private async Task<string> CurrentTokenAsync(ICloudLog log, CancellationToken cancellationToken)
        {
            IdentityResult identity = Identity;
            if (Http.ServerNow(IdentityUrl) < identity.Expires - RenewBefore)
            {
                return identity.Token;
            }
            log.Verbose($"The token expires at {identity.Expires:u}; authenticating again.");
            return await RenewAsync(identity.Token, log, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Renews once for everyone who holds <paramref name="staleToken"/>; later callers get the new token.</summary>
        private async Task<string> RenewAsync(string staleToken, ICloudLog log, CancellationToken cancellationToken)
        {
            await _renewal.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (Identity.Token == staleToken)
                {
                    await AuthenticateAsync(log, cancellationToken).ConfigureAwait(false);
                }
                return Identity.Token;
            }
            finally
            {
                _renewal.Release();
            }
        }

        private static bool IsLoopback(Uri uri) =>
            uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out IPAddress? address) && IPAddress.IsLoopback(address));

        public void Dispose()
        {
            Http.Dispose();
            _renewal.Dispose();
        }
    }
}
