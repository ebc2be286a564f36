using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;

namespace Autosnap.Cloud
{
    /// <summary>How a request may be repeated when its first attempt fails.</summary>
    public enum RetryMode
    {
        /// <summary>Repeating it is harmless (GET, DELETE, PATCH to fixed values, authentication): retry every transient failure.</summary>
        Idempotent,
        /// <summary>
        /// Repeating it could do the work twice (createImage): retry only answers that prove nothing was done
        /// (413/429 rate limits, connection refused). Everything else is reported with OutcomeUnknown set,
        /// and the caller looks for the effect before trying again.
        /// </summary>
        NotIdempotent,
    }

    /// <summary>One API call: what to send and how it may be retried. Built by the Nova, Glance and identity clients.</summary>
    public sealed class CloudRequest
    {
        public CloudRequest(HttpMethod method, Uri uri, string service, string operation)
        {
            Method = method;
            Uri = uri;
            Service = service;
            Operation = operation;
        }

        public HttpMethod Method { get; }
        public Uri Uri { get; }

        /// <summary>For messages: "compute", "image", "identity".</summary>
        public string Service { get; }

        /// <summary>For messages: what the call is for, e.g. "list images of server 1234".</summary>
        public string Operation { get; }

        /// <summary>
        /// The region the call goes to. Rate limits are counted per account, region and verb (compute and image of a
        /// region together), so pacing uses this lane; calls without a region (identity) are not paced.
        /// </summary>
        public string? Region { get; set; }

        public string? JsonBody { get; set; }
        public string ContentType { get; set; } = "application/json";
        public Dictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public RetryMode Retry { get; set; } = RetryMode.Idempotent;

        /// <summary>Sends X-Auth-Token from the session (renewing it when it is about to expire or was refused once).</summary>
        public bool Authenticated { get; set; } = true;

        /// <summary>Statuses that are answers rather than failures for this call (e.g. 404 when looking something up).</summary>
        public HashSet<HttpStatusCode> AcceptedStatus { get; } = new HashSet<HttpStatusCode>();

        public string Describe() => $"{Service}: {Operation}";
    }

    /// <summary>An answer: status, headers and the body as text (bodies are small JSON documents).</summary>
    public sealed class CloudResponse
    {
        public CloudResponse(HttpStatusCode status, IReadOnlyDictionary<string, string> headers, string body,
                             DateTimeOffset? date = null, RetryConditionHeaderValue? retryAfter = null)
        {
            Status = status;
            Headers = headers;
            Body = body;
            Date = date;
            RetryAfter = retryAfter;
        }

        /// <summary>The answer as the framework parsed it: Date and Retry-After typed, every header also as text.</summary>
        public static CloudResponse From(HttpResponseMessage answer, string body)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in answer.Headers.Concat(answer.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }
            return new CloudResponse(answer.StatusCode, headers, body, answer.Headers.Date, answer.Headers.RetryAfter);
        }

        public HttpStatusCode Status { get; }
        public IReadOnlyDictionary<string, string> Headers { get; }
        public string Body { get; }

        /// <summary>The Date header: the time on the server's clock when it answered (null when absent or not an HTTP date).</summary>
        public DateTimeOffset? Date { get; }

        /// <summary>The Retry-After header, in seconds or as an HTTP date (null when absent or malformed).</summary>
        public RetryConditionHeaderValue? RetryAfter { get; }

        public bool IsSuccess => (int)Status >= 200 && (int)Status < 300;

        public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
    }
}
