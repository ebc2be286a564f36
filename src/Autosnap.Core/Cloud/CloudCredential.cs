using System;
using System.Runtime.InteropServices;
using System.Security;

namespace Autosnap.Cloud
{
    /// <summary>How a session proves who it is. Secrets stay in SecureString; they are revealed only to build an auth body.</summary>
    public abstract class CloudCredential
    {
        /// <summary>What a user would call this credential in a message ("API key of user 'demo'"). Never the secret.</summary>
        public abstract string Describe();

        /// <summary>Reveals a secret for the moment it takes to write an auth body.</summary>
        internal static string Reveal(SecureString secret)
        {
            IntPtr pointer = IntPtr.Zero;
            try
            {
                pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
                return Marshal.PtrToStringUni(pointer) ?? string.Empty;
            }
            finally
            {
                if (pointer != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }

    /// <summary>Rackspace: user name + API key (RAX-KSKEY:apiKeyCredentials).</summary>
    public sealed class ApiKeyCredential : CloudCredential
    {
        public ApiKeyCredential(string userName, SecureString apiKey)
        {
            UserName = userName;
            ApiKey = apiKey;
        }

        public string UserName { get; }
        internal SecureString ApiKey { get; }
        public override string Describe() => $"API key of user '{UserName}'";
    }

    /// <summary>
    /// A user name and password. Against a v2.0 identity (Rackspace) it is passwordCredentials; against Keystone v3
    /// the password method, scoped to a project by name (in ProjectDomain) or by id.
    /// </summary>
    public sealed class PasswordCredential : CloudCredential
    {
        public PasswordCredential(string userName, SecureString password)
        {
            UserName = userName;
            Password = password;
        }

        public string UserName { get; }
        internal SecureString Password { get; }
        public string UserDomain { get; set; } = "Default";
        public string? ProjectName { get; set; }
        public string? ProjectId { get; set; }
        public string ProjectDomain { get; set; } = "Default";
        public override string Describe() => $"password of user '{UserName}'";
    }

    /// <summary>Keystone v3 application credential: the right thing for an unattended job (scoped, revocable, no user password).</summary>
    public sealed class ApplicationCredential : CloudCredential
    {
        public ApplicationCredential(string id, SecureString secret)
        {
            Id = id;
            Secret = secret;
        }

        public string Id { get; }
        internal SecureString Secret { get; }
        public override string Describe() => $"application credential '{Id}'";
    }
}
