using System;
using System.Collections.Generic;
using Autosnap.Cloud;

namespace Autosnap.Model
{
    /// <summary>
    /// A connection to one account, as Connect-RackspaceCloud returns it: who, where, and until when.
    /// It never exposes a secret or the token; the credential stays inside, in SecureString, to renew the token.
    /// </summary>
    public sealed class RackspaceSession
    {
        private static int s_lastId;

        internal RackspaceSession(CloudSession cloud, string region)
        {
            Cloud = cloud;
            Region = region;
            Id = System.Threading.Interlocked.Increment(ref s_lastId);
        }

        internal CloudSession Cloud { get; }

        /// <summary>A number that tells sessions of this process apart.</summary>
        public int Id { get; }

        public string UserName => Cloud.Identity.UserName;
        public string? TenantId => Cloud.Identity.TenantId;
        public string? TenantName => Cloud.Identity.TenantName;

        /// <summary>The region cmdlets work in when they are not given -Region.</summary>
        public string Region { get; }

        /// <summary>Every region of the catalog with a compute endpoint.</summary>
        public IReadOnlyList<string> Regions => Cloud.Identity.Catalog.ComputeRegions;

        public Uri IdentityUrl => Cloud.IdentityUrl;
        public IdentityKind IdentityType => Cloud.Kind;
        public string Credential => Cloud.CredentialDescription;
        public Uri ComputeUrl => Cloud.Identity.Catalog.ComputeUrl(Region);
        public Uri ImageUrl => Cloud.Identity.Catalog.ImageUrl(Region);

        /// <summary>When the current token expires (it is renewed automatically before then).</summary>
        public DateTimeOffset TokenExpires => Cloud.Identity.Expires;

        public override string ToString() => $"{UserName}@{Region} ({IdentityUrl.Host})";
    }
}
