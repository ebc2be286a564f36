using System;
using System.Net;

namespace Autosnap.Cloud
{
    /// <summary>What went wrong, in the terms a caller decides on (retry, report, give up).</summary>
    public enum CloudErrorKind
    {
        /// <summary>Wrong or expired credentials, or a token the service refused (401).</summary>
        Authentication,
        /// <summary>The caller may not do this (403), e.g. deleting a protected image.</summary>
        Forbidden,
        /// <summary>The server or image does not exist (404).</summary>
        NotFound,
        /// <summary>The resource is busy (409), e.g. a snapshot is already running on the server.</summary>
        Conflict,
        /// <summary>Rate limited (413 overLimit or 429) and still limited after waiting and retrying.</summary>
        RateLimited,
        /// <summary>The request was refused as invalid (400, 405, 406, 415).</summary>
        BadRequest,
        /// <summary>The service failed (5xx) or its circuit is open after repeated failures.</summary>
        Unavailable,
        /// <summary>No answer in time.</summary>
        Timeout,
        /// <summary>The service could not be reached (refused, reset, DNS).</summary>
        Connection,
        /// <summary>An answer that cannot be understood: not JSON, truncated, missing fields, a pagination loop.</summary>
        InvalidResponse,
        /// <summary>Wrong input before anything was sent: unknown region, insecure URL, missing credential.</summary>
        Configuration,
        /// <summary>A name that fits several things (servers of the same name): give the id.</summary>
        Ambiguous,
        /// <summary>A quota of the project would be exceeded (Cinder's snapshot quota, Nova's 403 "Quota exceeded").</summary>
        QuotaExceeded,
    }

    /// <summary>
    /// A failed cloud call. The message names the service, the operation and the cause; it never contains a
    /// token, key or password (requests carry those in headers and bodies, which are never quoted here).
    /// </summary>
    public sealed class CloudException : Exception
    {
        public CloudException(CloudErrorKind kind, string message, HttpStatusCode? statusCode = null, string? faultName = null, Exception? inner = null)
            : base(message, inner)
        {
            Kind = kind;
            StatusCode = statusCode;
            FaultName = faultName;
        }

        public CloudErrorKind Kind { get; }

        /// <summary>The HTTP status of the last answer, when there was one.</summary>
        public HttpStatusCode? StatusCode { get; }

        /// <summary>The fault name of a Nova error body (itemNotFound, conflictingRequest, overLimit...).</summary>
        public string? FaultName { get; }

        /// <summary>True when the request may have reached the service and changed something before it failed.</summary>
        public bool OutcomeUnknown { get; internal set; }

        /// <summary>How long the service asked us to wait (Retry-After), on rate limits.</summary>
        public TimeSpan? RetryAfter { get; internal set; }

        internal static CloudErrorKind KindOf(HttpStatusCode status)
        {
            switch ((int)status)
            {
                case 401: return CloudErrorKind.Authentication;
                case 403: return CloudErrorKind.Forbidden;
                case 404: return CloudErrorKind.NotFound;
                case 409: return CloudErrorKind.Conflict;
                case 408: return CloudErrorKind.Timeout;
                case 413:
                case 429: return CloudErrorKind.RateLimited;
                default:
                    return (int)status >= 500 ? CloudErrorKind.Unavailable : CloudErrorKind.BadRequest;
            }
        }
    }
}
