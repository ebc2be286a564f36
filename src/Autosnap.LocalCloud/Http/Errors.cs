using System;
using System.Globalization;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Autosnap.LocalCloud.Http;

/// <summary>
/// The error bodies of the real services: Nova's {"itemNotFound":{"code":404,"message":...}} envelopes,
/// Glance's plain webob errors (HTML, or JSON when asked), Keystone's {"error":{...}}, and Rackspace
/// identity's {"unauthorized":{...}}.
/// </summary>
public static class Errors
{
    /// <summary>Nova's fault names (nova/api/openstack/wsgi.py Fault._fault_names).</summary>
    public static string NovaFaultName(int code) => code switch
    {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "badMethod",
        409 => "conflictingRequest",
        413 => "overLimit",
        415 => "badMediaType",
        429 => "overLimit",
        501 => "notImplemented",
        503 => "serviceUnavailable",
        _ => "computeFault",
    };

    public static Task Nova(HttpContext context, int code, string message, string? name = null) =>
        JsonOut.Write(context, code, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject(name ?? NovaFaultName(code));
            w.WriteNumber("code", code);
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteEndObject();
        }, "application/json; charset=UTF-8");

    /// <summary>
    /// Glance answers with webob's plain errors: HTML unless the client accepts JSON. The text is webob's body
    /// template, explanation then detail: <c>"&lt;message&gt;&lt;br /&gt;&lt;br /&gt;\n\n\n"</c>. Glance passes most messages
    /// as the explanation; for 409 it passes them as the detail, after webob's own sentence, and 415 has a template
    /// of its own (<paramref name="message"/> is not used there).
    /// </summary>
    public static Task Glance(HttpContext context, int code, string message)
    {
        if (code == 401) context.Response.Headers.WWWAuthenticate = $"Keystone uri=\"{BaseUrl(context)}\"";
        var reason = ReasonPhrase(code);
        var status = $"{code} {reason}";
        if (AcceptsJson(context))
        {
            return JsonOut.Write(context, code, w =>
            {
                w.WriteStartObject();
                w.WriteString("message", WebobBody(context, code, message, text => text));
                w.WriteString("code", status);
                w.WriteString("title", reason);
                w.WriteEndObject();
            }, "application/json");
        }
        var html = $"<html>\n <head>\n  <title>{status}</title>\n </head>\n <body>\n  <h1>{status}</h1>\n  " +
                   $"{WebobBody(context, code, message, WebUtility.HtmlEncode)}\n </body>\n</html>";
        return JsonOut.Send(context, code, "text/html; charset=UTF-8", Encoding.UTF8.GetBytes(html));
    }

    /// <summary>webob's body_template: "${explanation}&lt;br /&gt;&lt;br /&gt;\n${detail}\n${html_comment}\n" (415: its own).</summary>
    private static string WebobBody(HttpContext context, int code, string message, Func<string, string> escape)
    {
        switch (code)
        {
            case 409:
                return $"{escape("There was a conflict when trying to complete your request.")}<br /><br />\n{escape(message)}\n\n";
            case 415:
                var type = context.Request.ContentType ?? "";
                return $"The request media type {escape(type)} is not supported by this server.\n<br /><br />\n";
            default:
                return $"{escape(message)}<br /><br />\n\n\n";
        }
    }

    /// <summary>Keystone's own 401s name where to authenticate.</summary>
    public static Task Keystone(HttpContext context, int code, string message)
    {
        if (code == 401) context.Response.Headers.WWWAuthenticate = $"Keystone uri=\"{BaseUrl(context)}/v3\"";
        return JsonOut.Write(context, code, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteNumber("code", code);
            w.WriteString("message", message);
            w.WriteString("title", ReasonPhrase(code));
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// A service behind keystonemiddleware (Nova's v2.1 endpoint) refusing a token: the middleware's own body
    /// and header, not the service's fault envelope.
    /// </summary>
    public static Task KeystoneMiddleware(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = $"Keystone uri=\"{BaseUrl(context)}\"";
        return JsonOut.Write(context, 401, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteNumber("code", 401);
            w.WriteString("title", "Unauthorized");
            w.WriteString("message", "The request you have made requires authentication.");
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>webob's text for a 401 (Glance behind keystonemiddleware).</summary>
    public const string WebobUnauthorized =
        "This server could not verify that you are authorized to access the document you requested. Either you supplied " +
        "the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.";

    private static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    /// <summary>Rackspace identity v2.0: {"unauthorized":{"code":401,"message":...}}.</summary>
    public static Task Rackspace(HttpContext context, int code, string name, string message) =>
        JsonOut.Write(context, code, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject(name);
            w.WriteNumber("code", code);
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>Neutron's envelope: {"NeutronError":{"type":"NetworkNotFound","message":...,"detail":""}}.</summary>
    public static Task Neutron(HttpContext context, int code, string type, string message) =>
        JsonOut.Write(context, code, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("NeutronError");
            w.WriteString("type", type);
            w.WriteString("message", message);
            w.WriteString("detail", "");
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>An error in the style of the service a request went to.</summary>
    public static Task For(HttpContext context, Service service, int code, string message) => service switch
    {
        Service.Compute or Service.Volume => Nova(context, code, message),
        Service.Image => Glance(context, code, message),
        Service.Network => Neutron(context, code, code switch
        {
            400 => "HTTPBadRequest", 401 => "HTTPUnauthorized", 404 => "HTTPNotFound", 405 => "HTTPMethodNotAllowed",
            409 => "HTTPConflict", 413 or 429 => "OverQuota", 503 => "ServiceUnavailable", _ => "HTTPInternalServerError",
        }, message),
        _ => IsKeystoneV3(context)
            ? Keystone(context, code, message)
            : Rackspace(context, code, RackspaceIdentityFaultName(code), message),
    };

    /// <summary>
    /// Rate limited: Rackspace's Repose answers 413 with Retry-After and "retryAt"; upstream Nova answers
    /// 429 with Retry-After and "retryAfter". Both use the overLimit envelope (Glance behind Repose too).
    /// </summary>
    public static Task OverLimit(HttpContext context, int status, int retryAfterSeconds, DateTimeOffset retryAt,
        string verb, int perMinute)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return JsonOut.Write(context, status, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("overLimit");
            w.WriteNumber("code", status);
            if (status == 413)
            {
                w.WriteString("message", "OverLimit Retry...");
                w.WriteString("details", $"Error Details... Only {perMinute} {verb} request(s) can be made every minute.");
                w.WriteString("retryAt", State.VirtualClock.Iso(retryAt));
            }
            else
            {
                w.WriteString("message", "This request was rate-limited.");
                w.WriteString("details", $"Only {perMinute} {verb} request(s) can be made to * every minute.");
                w.WriteString("retryAfter", retryAfterSeconds.ToString(CultureInfo.InvariantCulture));
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }, "application/json; charset=UTF-8");
    }

    public static bool AcceptsJson(HttpContext context) =>
        context.Request.Headers.Accept.ToString().Contains("json", StringComparison.OrdinalIgnoreCase);

    private static bool IsKeystoneV3(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/v3") || context.Request.Path == "/";

    private static string RackspaceIdentityFaultName(int code) => code switch
    {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "badMethod",
        413 => "overLimit",
        415 => "badMediaType",
        503 => "serviceUnavailable",
        _ => "identityFault",
    };

    public static string ReasonPhrase(int code) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code) is { Length: > 0 } phrase ? phrase : "Error";
}
