using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Autosnap.Cloud
{
    /// <summary>Which identity protocol a URL speaks.</summary>
    public enum IdentityKind
    {
        /// <summary>Identity v2.0 as Rackspace runs it (API key or password; token in the body).</summary>
        Rackspace,
        /// <summary>OpenStack Keystone v3 (password or application credential; token in X-Subject-Token).</summary>
        Keystone,
    }

    /// <summary>What authentication returned: the token, who we are, and the catalog.</summary>
    public sealed class IdentityResult
    {
        internal IdentityResult(string token, DateTimeOffset expires, string userId, string userName, string? tenantId, string? tenantName,
                                string? defaultRegion, ServiceCatalog catalog)
        {
            Token = token;
            Expires = expires;
            UserId = userId;
            UserName = userName;
            TenantId = tenantId;
            TenantName = tenantName;
            DefaultRegion = defaultRegion;
            Catalog = catalog;
        }

        /// <summary>The token. Internal: it must never reach an output object, a message or a log line.</summary>
        internal string Token { get; }
        public DateTimeOffset Expires { get; }
        public string UserId { get; }
        public string UserName { get; }
        public string? TenantId { get; }
        public string? TenantName { get; }
        /// <summary>Rackspace's RAX-AUTH:defaultRegion (null on Keystone).</summary>
        public string? DefaultRegion { get; }
        public ServiceCatalog Catalog { get; }
    }

    /// <summary>Builds the auth request for each credential and protocol, and reads the answer.</summary>
    internal static class IdentityProtocol
    {
        public static IdentityKind KindOf(Uri identityUrl)
        {
            string path = identityUrl.AbsolutePath.TrimEnd('/');
            if (path.EndsWith("/v3", StringComparison.OrdinalIgnoreCase)) return IdentityKind.Keystone;
            if (path.EndsWith("/v2.0", StringComparison.OrdinalIgnoreCase)) return IdentityKind.Rackspace;
            throw new CloudException(CloudErrorKind.Configuration,
                $"The identity URL '{identityUrl}' must end in /v2.0 (Rackspace identity) or /v3 (OpenStack Keystone).");
        }

        public static CloudRequest BuildRequest(Uri identityUrl, IdentityKind kind, CloudCredential credential)
        {
            string baseUrl = identityUrl.AbsoluteUri.TrimEnd('/');
            var request = kind == IdentityKind.Keystone
                ? new CloudRequest(HttpMethod.Post, new Uri(baseUrl + "/auth/tokens"), "identity", "authenticate with the " + credential.Describe())
                : new CloudRequest(HttpMethod.Post, new Uri(baseUrl + "/tokens"), "identity", "authenticate with the " + credential.Describe());
            request.Authenticated = false;
            request.JsonBody = (kind == IdentityKind.Keystone ? KeystoneBody(credential) : RackspaceBody(credential)).ToString(Formatting.None);
            return request;
        }

        private static JObject RackspaceBody(CloudCredential credential)
        {
            switch (credential)
            {
                case ApiKeyCredential key:
                    return new JObject(new JProperty("auth", new JObject(new JProperty("RAX-KSKEY:apiKeyCredentials",
                        new JObject(new JProperty("username", key.UserName), new JProperty("apiKey", CloudCredential.Reveal(key.ApiKey)))))));
                case PasswordCredential password:
                    var auth = new JObject(new JProperty("passwordCredentials",
                        new JObject(new JProperty("username", password.UserName), new JProperty("password", CloudCredential.Reveal(password.Password)))));
                    if (password.ProjectName != null) auth["tenantName"] = password.ProjectName;
                    else if (password.ProjectId != null) auth["tenantId"] = password.ProjectId;
                    return new JObject(new JProperty("auth", auth));
                default:
                    throw new CloudException(CloudErrorKind.Configuration,
                        $"An {credential.Describe()} works only with Keystone v3; give an identity URL ending in /v3.");
            }
        }

        private static JObject KeystoneBody(CloudCredential credential)
        {
            switch (credential)
            {
                case PasswordCredential password:
                    var identity = new JObject(
                        new JProperty("methods", new JArray("password")),
                        new JProperty("password", new JObject(new JProperty("user", new JObject(
                            new JProperty("name", password.UserName),
                            new JProperty("domain", new JObject(new JProperty("name", password.UserDomain))),
                            new JProperty("password", CloudCredential.Reveal(password.Password)))))));
                    JObject project = password.ProjectId != null
                        ? new JObject(new JProperty("id", password.ProjectId))
                        : password.ProjectName != null
                            ? new JObject(new JProperty("name", password.ProjectName), new JProperty("domain", new JObject(new JProperty("name", password.ProjectDomain))))
                            : throw new CloudException(CloudErrorKind.Configuration,
                                "Keystone needs a project to scope the token to: give -ProjectName (or OS_PROJECT_NAME).");
                    return new JObject(new JProperty("auth", new JObject(
                        new JProperty("identity", identity),
                        new JProperty("scope", new JObject(new JProperty("project", project))))));
                case ApplicationCredential application:
                    // The scope is the application credential's own; Keystone refuses an explicit one.
                    return new JObject(new JProperty("auth", new JObject(new JProperty("identity", new JObject(
                        new JProperty("methods", new JArray("application_credential")),
                        new JProperty("application_credential", new JObject(
                            new JProperty("id", application.Id),
                            new JProperty("secret", CloudCredential.Reveal(application.Secret)))))))));
                default:
                    throw new CloudException(CloudErrorKind.Configuration,
                        $"An {credential.Describe()} works only with Rackspace identity; give an identity URL ending in /v2.0.");
            }
        }

        public static IdentityResult Read(IdentityKind kind, CloudResponse response) =>
            kind == IdentityKind.Keystone ? ReadKeystone(response) : ReadRackspace(response);

        private static IdentityResult ReadRackspace(CloudResponse response)
        {
            JObject access = JsonFields.Object(JsonFields.Parse(response.Body), "access");
            JObject token = JsonFields.Object(access, "token");
            JObject user = JsonFields.Object(access, "user");
            JObject? tenant = token["tenant"] as JObject;
            var endpoints = new List<ServiceEndpoint>();
            foreach (JObject service in JsonFields.Array(access, "serviceCatalog").OfType<JObject>())
            {
                string type = JsonFields.String(service, "type");
                string name = JsonFields.OptionalString(service, "name") ?? type;
                foreach (JObject endpoint in (service["endpoints"] as JArray ?? new JArray()).OfType<JObject>())
                {
                    string? url = JsonFields.OptionalString(endpoint, "publicURL");
                    if (url != null)
                    {
                        endpoints.Add(new ServiceEndpoint(type, name, JsonFields.OptionalString(endpoint, "region"), JsonFields.Url(url, "publicURL"), "public"));
                    }
                }
            }
            return new IdentityResult(
                JsonFields.String(token, "id"),
                JsonFields.Date(token, "expires"),
                JsonFields.OptionalString(user, "id") ?? JsonFields.String(user, "name"),
                JsonFields.String(user, "name"),
                tenant != null ? JsonFields.OptionalString(tenant, "id") : null,
                tenant != null ? JsonFields.OptionalString(tenant, "name") : null,
                JsonFields.OptionalString(user, "RAX-AUTH:defaultRegion"),
                new ServiceCatalog(endpoints));
        }

        private static IdentityResult ReadKeystone(CloudResponse response)
        {
            string tokenId = response.Header("X-Subject-Token")
                ?? throw new FormatException("the answer has no X-Subject-Token header");
            JObject token = JsonFields.Object(JsonFields.Parse(response.Body), "token");
            JObject user = JsonFields.Object(token, "user");
            JObject? project = token["project"] as JObject;
            var endpoints = new List<ServiceEndpoint>();
            foreach (JObject service in (token["catalog"] as JArray ?? new JArray()).OfType<JObject>())
            {
                string type = JsonFields.String(service, "type");
                string name = JsonFields.OptionalString(service, "name") ?? type;
                foreach (JObject endpoint in (service["endpoints"] as JArray ?? new JArray()).OfType<JObject>())
                {
                    endpoints.Add(new ServiceEndpoint(type, name,
                        JsonFields.OptionalString(endpoint, "region_id") ?? JsonFields.OptionalString(endpoint, "region"),
                        JsonFields.Url(JsonFields.String(endpoint, "url"), "url"),
                        JsonFields.OptionalString(endpoint, "interface") ?? "public"));
                }
            }
            return new IdentityResult(
                tokenId,
                JsonFields.Date(token, "expires_at"),
                JsonFields.String(user, "id"),
                JsonFields.OptionalString(user, "name") ?? JsonFields.String(user, "id"),
                project != null ? JsonFields.OptionalString(project, "id") : null,
                project != null ? JsonFields.OptionalString(project, "name") : null,
                null,
                new ServiceCatalog(endpoints));
        }
    }
}
