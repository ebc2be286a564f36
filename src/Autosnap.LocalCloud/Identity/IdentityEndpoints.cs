using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Autosnap.LocalCloud.Http;
using Autosnap.LocalCloud.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autosnap.LocalCloud.Identity;

/// <summary>
/// Rackspace identity v2.0 (API key and password) and Keystone v3 (password, application credential,
/// token; application-credential management), with the version documents at the roots.
/// </summary>
public static class IdentityEndpoints
{
    private const string KeystoneVersion = "v3.14";
    private const string KeystoneUpdated = "2020-04-07T00:00:00Z";
    private const string Unauthorized = "The request you have made requires authentication.";

    public static void Map(IEndpointRouteBuilder app, CloudState state)
    {
        Route(app.MapGet("/", context => Versions(context)), "GET /", anonymous: true);
        Route(app.MapGet("/v3", context => KeystoneVersionDocument(context)), "GET /v3", anonymous: true);
        Route(app.MapGet("/v2.0", context => RackspaceVersionDocument(context)), "GET /v2.0", anonymous: true);
        Route(app.MapPost("/v2.0/tokens", context => RackspaceAuthenticate(context, state)), "POST /v2.0/tokens", true);
        Route(app.MapPost("/v3/auth/tokens", context => KeystoneAuthenticate(context, state)), "POST /v3/auth/tokens", true);
        Route(app.MapGet("/v3/auth/tokens", context => KeystoneValidate(context, state)), "GET /v3/auth/tokens", true);
        Route(app.MapDelete("/v3/auth/tokens", context => KeystoneRevoke(context, state)), "DELETE /v3/auth/tokens", true);
        Route(app.MapPost("/v3/users/{userId}/application_credentials", context => CreateApplicationCredential(context, state)),
            "POST /v3/users/{user_id}/application_credentials", true);
        Route(app.MapGet("/v3/users/{userId}/application_credentials", context => ListApplicationCredentials(context, state)),
            "GET /v3/users/{user_id}/application_credentials", true);
        Route(app.MapDelete("/v3/users/{userId}/application_credentials/{id}", context => DeleteApplicationCredential(context, state)),
            "DELETE /v3/users/{user_id}/application_credentials/{id}", true);
    }

    private static void Route(IEndpointConventionBuilder builder, string key, bool anonymous) =>
        builder.WithApiGuards(new ApiRoute(Service.Identity, key, anonymous));

    private static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    // ---- version documents -------------------------------------------------------------------------

    private static Task Versions(HttpContext context) => JsonOut.Write(context, 300, w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("versions");
        w.WriteStartArray("values");
        WriteKeystoneVersion(w, BaseUrl(context));
        WriteRackspaceVersion(w, BaseUrl(context));
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static Task KeystoneVersionDocument(HttpContext context) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("version");
        WriteKeystoneVersion(w, BaseUrl(context));
        w.WriteEndObject();
    });

    private static Task RackspaceVersionDocument(HttpContext context) => JsonOut.Write(context, 200, w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("version");
        WriteRackspaceVersion(w, BaseUrl(context));
        w.WriteEndObject();
    });

    private static void WriteKeystoneVersion(Utf8JsonWriter w, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteString("id", KeystoneVersion);
        w.WriteString("status", "stable");
        w.WriteString("updated", KeystoneUpdated);
        w.WriteStartArray("links");
        w.WriteStartObject(); w.WriteString("rel", "self"); w.WriteString("href", baseUrl + "/v3/"); w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("media-types");
        w.WriteStartObject();
        w.WriteString("base", "application/json");
        w.WriteString("type", "application/vnd.openstack.identity-v3+json");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRackspaceVersion(Utf8JsonWriter w, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteString("id", "v2.0");
        w.WriteString("status", "deprecated");
        w.WriteString("updated", "2014-04-17T00:00:00Z");
        w.WriteStartArray("links");
        w.WriteStartObject(); w.WriteString("rel", "self"); w.WriteString("href", baseUrl + "/v2.0/"); w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("media-types");
        w.WriteStartObject();
        w.WriteString("base", "application/json");
        w.WriteString("type", "application/vnd.openstack.identity-v2.0+json");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    // ---- Rackspace v2.0 ------------------------------------------------------------------------------

    private static async Task RackspaceAuthenticate(HttpContext context, CloudState state)
    {
        var body = await RequestBody.ReadObject(context, Service.Identity);
        if (body is null) return;
        if (body["auth"] is not JsonObject auth)
        {
            await Errors.Rackspace(context, 400, "badRequest", "Invalid json request body");
            return;
        }
        var tenantId = auth.String("tenantId");
        var tenantName = auth.String("tenantName");
        if (tenantId is not null && tenantName is not null)
        {
            await Errors.Rackspace(context, 400, "badRequest", "Invalid request. Specify tenantId or tenantName, not both.");
            return;
        }

        Account? account;
        string authenticatedBy;
        if (auth["RAX-KSKEY:apiKeyCredentials"] is JsonObject apiKey)
        {
            var (user, key) = (apiKey.String("username"), apiKey.String("apiKey"));
            if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(key))
            {
                await Errors.Rackspace(context, 400, "badRequest", "Invalid request body: 'username' and 'apiKey' are required.");
                return;
            }
            account = state.Accounts.FirstOrDefault(a => a.UserName == user && a.ApiKey is not null && a.ApiKey == key);
            authenticatedBy = "APIKEY";
        }
        else if (auth["passwordCredentials"] is JsonObject password)
        {
            var (user, secret) = (password.String("username"), password.String("password"));
            if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(secret))
            {
                await Errors.Rackspace(context, 400, "badRequest", "Invalid request body: 'username' and 'password' are required.");
                return;
            }
            account = state.Accounts.FirstOrDefault(a => a.UserName == user && a.Password is not null && a.Password == secret);
            authenticatedBy = "PASSWORD";
        }
        else
        {
            await Errors.Rackspace(context, 400, "badRequest", "Invalid json request body");
            return;
        }

        if (account is null)
        {
            await Errors.Rackspace(context, 401, "unauthorized", "Unable to authenticate user with credentials provided.");
            return;
        }
        if (!account.Enabled)
        {
            await Errors.Rackspace(context, 403, "userDisabled", $"User '{account.UserName}' is disabled.");
            return;
        }
        // pyrax sends the user name as tenantId with passwordCredentials; Keystone v2.0 clients the project name
        // as tenantName; the account number is the real one
        if ((tenantId is not null && tenantId != account.TenantId && tenantId != account.UserName)
            || (tenantName is not null && tenantName != account.TenantName && tenantName != account.UserName
                && tenantName != account.ProjectName))
        {
            await Errors.Rackspace(context, 401, "unauthorized",
                $"Token doesn't belong to Tenant with Id/Name: '{tenantId ?? tenantName}'");
            return;
        }

        var token = Issue(state, account, [authenticatedBy == "APIKEY" ? "apikey" : "password"], null, true, keystone: false);
        var baseUrl = BaseUrl(context);
        await JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("access");
            w.WriteStartObject("token");
            w.WriteString("id", token.Id);
            w.WriteString("expires", VirtualClock.IsoMillis(token.ExpiresAt));
            w.WriteStartObject("tenant");
            w.WriteString("id", account.TenantId);
            w.WriteString("name", account.TenantName);
            w.WriteEndObject();
            w.WriteStartArray("RAX-AUTH:authenticatedBy");
            w.WriteStringValue(authenticatedBy);
            w.WriteEndArray();
            w.WriteEndObject();
            Catalog.WriteRackspace(w, baseUrl, account);
            w.WriteStartObject("user");
            w.WriteString("id", account.UserId);
            w.WriteString("name", account.UserName);
            w.WriteString("RAX-AUTH:defaultRegion", account.DefaultRegion);
            w.WriteStartArray("roles");
            w.WriteStartObject();
            w.WriteString("id", "3");
            w.WriteString("name", "identity:default");
            w.WriteString("description", "Default Role.");
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("id", "10000150");
            w.WriteString("name", "compute:default");
            w.WriteString("description", "A Role that allows a user access to keystone Service methods");
            w.WriteString("tenantId", account.TenantId);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    // ---- Keystone v3 ---------------------------------------------------------------------------------

    private static async Task KeystoneAuthenticate(HttpContext context, CloudState state)
    {
        var body = await RequestBody.ReadObject(context, Service.Identity);
        if (body is null) return;
        if (body["auth"] is not JsonObject auth || auth["identity"] is not JsonObject identity)
        {
            await Errors.Keystone(context, 400, "Invalid input for field 'auth': 'identity' is a required property");
            return;
        }
        if (identity["methods"] is not JsonArray methodsNode || methodsNode.Count == 0)
        {
            await Errors.Keystone(context, 400, "Invalid input for field 'identity': 'methods' is a required property");
            return;
        }
        var methods = methodsNode.Select(m => m?.GetValue<string>() ?? "").ToList();
        Account? account = null;
        ApplicationCredential? credential = null;
        Token? fromToken = null;
        foreach (var method in methods)
        {
            if (identity[method] is not JsonObject payload)
            {
                await Errors.Keystone(context, 400, $"Invalid input for field 'identity': '{method}' is a required property");
                return;
            }
            switch (method)
            {
                case "password":
                    account = PasswordUser(state, payload);
                    break;
                case "application_credential":
                    (account, credential) = ApplicationCredentialUser(state, payload);
                    if (account is null && payload.String("id") is { } unknownId && !CredentialExists(state, unknownId))
                    {
                        // Keystone looks the credential up by id first: an id nobody has is 404, not 401
                        // (a known id with a wrong secret, or an expired one, is 401 below)
                        await Errors.Keystone(context, 404, $"Could not find Application Credential: {unknownId}.");
                        return;
                    }
                    break;
                case "token":
                    fromToken = state.Tokens.Validate(payload.String("id"), state.Now);
                    account = fromToken?.Account;
                    break;
                default:
                    await Errors.Keystone(context, 401, "Attempted to authenticate with an unsupported method.");
                    return;
            }
            if (account is null) break;
        }
        if (account is null)
        {
            await Errors.Keystone(context, 401, Unauthorized);
            return;
        }
        if (!account.Enabled)
        {
            await Errors.Keystone(context, 401, Unauthorized);
            return;
        }

        // scope: an application credential carries its project; otherwise the request names one (or none)
        var scoped = credential is not null || fromToken is { Scoped: true };
        if (auth["scope"] is JsonObject scope)
        {
            if (credential is not null)
            {
                // Keystone's auth plugin error: its body has an extra (empty) "identity"
                context.Response.Headers.WWWAuthenticate = $"Keystone uri=\"{BaseUrl(context)}/v3\"";
                await JsonOut.Write(context, 401, w =>
                {
                    w.WriteStartObject();
                    w.WriteStartObject("error");
                    w.WriteNumber("code", 401);
                    w.WriteStartObject("identity");
                    w.WriteEndObject();
                    w.WriteString("message", "Error authenticating with application credential: Application credentials cannot request a scope.");
                    w.WriteString("title", "Unauthorized");
                    w.WriteEndObject();
                    w.WriteEndObject();
                });
                return;
            }
            if (scope["project"] is not JsonObject project || !ProjectMatches(account, project))
            {
                await Errors.Keystone(context, 401, Unauthorized);
                return;
            }
            scoped = true;
        }
        else if (auth["scope"] is not null && auth["scope"] is not JsonValue)
        {
            await Errors.Keystone(context, 400, "Invalid input for field 'scope'.");
            return;
        }

        var token = Issue(state, account, methods, credential?.Id ?? fromToken?.ApplicationCredentialId, scoped, keystone: true);
        context.Response.Headers["X-Subject-Token"] = token.Id;
        var withCatalog = !context.Request.Query.ContainsKey("nocatalog");
        await JsonOut.Write(context, 201, w => WriteKeystoneToken(w, BaseUrl(context), token, credential, withCatalog));
    }

    private static Account? PasswordUser(CloudState state, JsonObject payload)
    {
        if (payload["user"] is not JsonObject user) return null;
        var secret = user.String("password");
        var account = FindUser(state, user);
        return account is not null && account.Password is not null && account.Password == secret ? account : null;
    }

    private static (Account?, ApplicationCredential?) ApplicationCredentialUser(CloudState state, JsonObject payload)
    {
        var (id, name, secret) = (payload.String("id"), payload.String("name"), payload.String("secret"));
        IEnumerable<Account> candidates = state.Accounts;
        if (id is null)
        {
            // by name, the user must be named too
            var user = payload["user"] is JsonObject u ? FindUser(state, u) : null;
            if (user is null || name is null) return (null, null);
            candidates = [user];
        }
        foreach (var account in candidates)
        {
            lock (account.ApplicationCredentials)
            {
                var credential = account.ApplicationCredentials.FirstOrDefault(c =>
                    (id is not null ? c.Id == id : c.Name == name) && c.Secret == secret
                    && (c.ExpiresAt is null || c.ExpiresAt > state.Now));
                if (credential is not null) return (account, credential);
            }
        }
        return (null, null);
    }

    private static bool CredentialExists(CloudState state, string id)
    {
        foreach (var account in state.Accounts)
        {
            lock (account.ApplicationCredentials)
            {
                if (account.ApplicationCredentials.Any(c => c.Id == id)) return true;
            }
        }
        return false;
    }

    /// <summary>A user named by id, or by name within a domain (by domain id or name).</summary>
    private static Account? FindUser(CloudState state, JsonObject user)
    {
        var id = user.String("id");
        if (id is not null) return state.Accounts.FirstOrDefault(a => a.UserId == id);
        var name = user.String("name");
        if (name is null || user["domain"] is not JsonObject domain) return null;
        return state.Accounts.FirstOrDefault(a => a.UserName == name && DomainMatches(a, domain));
    }

    private static bool DomainMatches(Account account, JsonObject domain)
    {
        var (id, name) = (domain.String("id"), domain.String("name"));
        return (id is null || string.Equals(id, account.DomainId, StringComparison.OrdinalIgnoreCase))
               && (name is null || name == account.DomainName)
               && (id is not null || name is not null);
    }

    private static bool ProjectMatches(Account account, JsonObject project)
    {
        var id = project.String("id");
        if (id is not null) return id == account.TenantId;
        var name = project.String("name");
        return name is not null && name == account.ProjectName
               && project["domain"] is JsonObject domain && DomainMatches(account, domain);
    }

    private static async Task KeystoneValidate(HttpContext context, CloudState state)
    {
        var caller = state.Tokens.Validate(context.Request.Headers["X-Auth-Token"].ToString(), state.Now);
        if (caller is null)
        {
            await Errors.Keystone(context, 401, Unauthorized);
            return;
        }
        var subjectId = context.Request.Headers["X-Subject-Token"].ToString();
        var subject = state.Tokens.Validate(subjectId, state.Now);
        if (subject is null)
        {
            await Errors.Keystone(context, 404, $"Could not find token: {subjectId}.");
            return;
        }
        context.Response.Headers["X-Subject-Token"] = subject.Id;
        await JsonOut.Write(context, 200, w => WriteKeystoneToken(w, BaseUrl(context), subject, null,
            !context.Request.Query.ContainsKey("nocatalog")));
    }

    private static async Task KeystoneRevoke(HttpContext context, CloudState state)
    {
        var caller = state.Tokens.Validate(context.Request.Headers["X-Auth-Token"].ToString(), state.Now);
        if (caller is null)
        {
            await Errors.Keystone(context, 401, Unauthorized);
            return;
        }
        var subjectId = context.Request.Headers["X-Subject-Token"].ToString();
        var subject = state.Tokens.Validate(subjectId, state.Now);
        if (subject is null)
        {
            await Errors.Keystone(context, 404, $"Could not find token: {subjectId}.");
            return;
        }
        subject.Revoke();
        await JsonOut.Empty(context, 204);
    }

    /// <summary>
    /// A new token. Keystone's (Fernet) carry whole seconds and live an hour by default; Rackspace's carry
    /// milliseconds and live a day. tokenTtlSeconds, when set, applies to both.
    /// </summary>
    private static Token Issue(CloudState state, Account account, IReadOnlyList<string> methods, string? credentialId,
        bool scoped, bool keystone)
    {
        var now = state.Now;
        if (keystone) now = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var ttl = state.Settings.TokenTtlSeconds
                  ?? (keystone ? CloudSettings.KeystoneTokenTtlSeconds : CloudSettings.RackspaceTokenTtlSeconds);
        var token = new Token
        {
            Id = state.Random.NewToken(keystone ? "gAAAAA" : "AAB"),
            Account = account,
            IssuedAt = now,
            ExpiresAt = now.AddSeconds(ttl),
            Methods = methods,
            ApplicationCredentialId = credentialId,
            Scoped = scoped,
            AuditId = state.Random.NewToken("").Substring(0, 22),
        };
        state.Tokens.Add(token);
        return token;
    }

    private static void WriteKeystoneToken(Utf8JsonWriter w, string baseUrl, Token token, ApplicationCredential? credential,
        bool withCatalog)
    {
        var account = token.Account;
        w.WriteStartObject();
        w.WriteStartObject("token");
        w.WriteStartArray("methods");
        foreach (var method in token.Methods) w.WriteStringValue(method);
        w.WriteEndArray();
        w.WriteStartObject("user");
        WriteDomain(w, account);
        w.WriteString("id", account.UserId);
        w.WriteString("name", account.UserName);
        w.WriteNull("password_expires_at");
        w.WriteEndObject();
        w.WriteStartArray("audit_ids");
        w.WriteStringValue(token.AuditId);
        w.WriteEndArray();
        w.WriteString("expires_at", VirtualClock.IsoMicros(token.ExpiresAt));
        w.WriteString("issued_at", VirtualClock.IsoMicros(token.IssuedAt));
        if (token.Scoped)
        {
            w.WriteStartObject("project");
            WriteDomain(w, account);
            w.WriteString("id", account.TenantId);
            w.WriteString("name", account.ProjectName);
            w.WriteEndObject();
            w.WriteBoolean("is_domain", false);
            w.WriteStartArray("roles");
            foreach (var role in new[] { "member", "reader" })
            {
                w.WriteStartObject();
                w.WriteString("id", StableIds.Hex32("role:" + role));
                w.WriteString("name", role);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (token.ApplicationCredentialId is not null)
            {
                w.WriteStartObject("application_credential");
                w.WriteString("id", token.ApplicationCredentialId);
                w.WriteString("name", credential?.Name ?? "");
                w.WriteBoolean("restricted", true);
                w.WriteEndObject();
            }
            if (withCatalog) Catalog.WriteKeystone(w, baseUrl, account);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteDomain(Utf8JsonWriter w, Account account)
    {
        w.WriteStartObject("domain");
        w.WriteString("id", account.DomainId);
        w.WriteString("name", account.DomainName);
        w.WriteEndObject();
    }

    // ---- application credentials ---------------------------------------------------------------------

    private static async Task<Token?> OwnerToken(HttpContext context, CloudState state)
    {
        var token = state.Tokens.Validate(context.Request.Headers["X-Auth-Token"].ToString(), state.Now);
        if (token is null)
        {
            await Errors.Keystone(context, 401, Unauthorized);
            return null;
        }
        if (token.Account.UserId != (string?)context.Request.RouteValues["userId"])
        {
            await Errors.Keystone(context, 403, "You are not authorized to perform the requested action: identity:create_application_credential.");
            return null;
        }
        return token;
    }

    private static async Task CreateApplicationCredential(HttpContext context, CloudState state)
    {
        var token = await OwnerToken(context, state);
        if (token is null) return;
        if (token.ApplicationCredentialId is not null)
        {
            await Errors.Keystone(context, 403, "Using method 'application_credential' is not allowed for managing additional application credentials.");
            return;
        }
        var body = await RequestBody.ReadObject(context, Service.Identity);
        if (body is null) return;
        if (body["application_credential"] is not JsonObject request || string.IsNullOrEmpty(request.String("name")))
        {
            await Errors.Keystone(context, 400, "Invalid input for field 'application_credential': 'name' is a required property");
            return;
        }
        DateTimeOffset? expires = null;
        if (request.String("expires_at") is { } expiresText)
        {
            if (!VirtualClock.TryParse(expiresText, out var e))
            {
                await Errors.Keystone(context, 400, $"Invalid input for field 'expires_at': '{expiresText}' is not a 'date-time'");
                return;
            }
            expires = e;
        }
        var account = token.Account;
        var credential = new ApplicationCredential
        {
            Id = state.Random.NewHex(16),
            Name = request.String("name")!,
            Secret = request.String("secret") ?? state.Random.NewSecret(),
            Description = request.String("description"),
            ExpiresAt = expires,
        };
        lock (account.ApplicationCredentials)
        {
            if (account.ApplicationCredentials.Any(c => c.Name == credential.Name))
            {
                credential = null;
            }
            else
            {
                account.ApplicationCredentials.Add(credential);
            }
        }
        if (credential is null)
        {
            await Errors.Keystone(context, 409, "Conflict occurred attempting to store application_credential - Duplicate entry.");
            return;
        }
        await JsonOut.Write(context, 201, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("application_credential");
            WriteCredential(w, BaseUrl(context), account, credential, withSecret: true);
            w.WriteEndObject();
        });
    }

    private static async Task ListApplicationCredentials(HttpContext context, CloudState state)
    {
        var token = await OwnerToken(context, state);
        if (token is null) return;
        var account = token.Account;
        List<ApplicationCredential> credentials;
        lock (account.ApplicationCredentials) { credentials = [.. account.ApplicationCredentials]; }
        await JsonOut.Write(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("application_credentials");
            foreach (var credential in credentials) WriteCredential(w, BaseUrl(context), account, credential, withSecret: false);
            w.WriteEndArray();
            w.WriteStartObject("links");
            w.WriteString("self", $"{BaseUrl(context)}/v3/users/{account.UserId}/application_credentials");
            w.WriteNull("previous");
            w.WriteNull("next");
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static async Task DeleteApplicationCredential(HttpContext context, CloudState state)
    {
        var token = await OwnerToken(context, state);
        if (token is null) return;
        var id = (string)context.Request.RouteValues["id"]!;
        int removed;
        lock (token.Account.ApplicationCredentials) { removed = token.Account.ApplicationCredentials.RemoveAll(c => c.Id == id); }
        if (removed == 0)
        {
            await Errors.Keystone(context, 404, $"Could not find Application Credential: {id}.");
            return;
        }
        await JsonOut.Empty(context, 204);
    }

    /// <summary>Keystone's application-credential document (Zed): roles as the creating token had them.</summary>
    private static void WriteCredential(Utf8JsonWriter w, string baseUrl, Account account, ApplicationCredential credential,
        bool withSecret)
    {
        w.WriteStartObject();
        w.WriteString("id", credential.Id);
        w.WriteString("name", credential.Name);
        w.WriteNullableString("description", credential.Description);
        w.WriteString("user_id", account.UserId);
        w.WriteString("project_id", account.TenantId);
        w.WriteNull("system");
        if (credential.ExpiresAt is { } expires) w.WriteString("expires_at", VirtualClock.IsoMicros(expires));
        else w.WriteNull("expires_at");
        w.WriteNull("unrestricted");
        w.WriteStartArray("roles");
        foreach (var role in new[] { "member", "reader" })
        {
            w.WriteStartObject();
            w.WriteString("id", StableIds.Hex32("role:" + role));
            w.WriteString("name", role);
            w.WriteNull("domain_id");
            w.WriteNull("description");
            w.WriteStartObject("options");
            w.WriteBoolean("immutable", true);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (withSecret) w.WriteString("secret", credential.Secret);
        w.WriteStartObject("links");
        w.WriteString("self", $"{baseUrl}/v3/application_credentials/{credential.Id}");
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
