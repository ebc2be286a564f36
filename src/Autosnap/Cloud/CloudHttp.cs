using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Autosnap.Cloud
{
    /// <summary>Knobs of the resilience pipeline. The defaults suit a nightly job against a public cloud.</summary>
    public sealed class CloudHttpOptions
    {
        /// <summary>How long one attempt may take before it is abandoned (and, when safe, retried).</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Retries after the first attempt.</summary>
        public int MaxRetries { get; set; } = 4;

        /// <summary>Base of the exponential backoff; each wait is random in [0, min(max, base * 2^attempt)] (full jitter).</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>The longest Retry-After honoured for one wait; longer ones are cut to this.</summary>
        public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>Operations (each with all its retries) that may fail in a row against one host before its circuit opens.</summary>
        public int BreakAfterFailures { get; set; } = 3;

        /// <summary>How long an open circuit keeps calls away from the host before it lets one through to try it.</summary>
        public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// How long one call waits, in all, for an open circuit to let it through before it fails. A nightly job would
        /// rather wait out a short outage than lose its night; a long one still ends the call.
        /// </summary>
        public TimeSpan MaxCircuitWait { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>Answers larger than this are refused as invalid (a hostile or broken server).</summary>
        public long MaxResponseBytes { get; set; } = 64L * 1024 * 1024;

        /// <summary>Seed of the jitter, for reproducible test runs; null for a random seed.</summary>
        public int? JitterSeed { get; set; }
    }

    /// <summary>Where the HTTP layer reports what a user may want to see with -Verbose / -Debug.</summary>
    public interface ICloudLog
    {
        void Verbose(string message);
        void Debug(string message);
    }

    /// <summary>
    /// The one HTTP pipeline of a session: HttpClient under Polly. Per call, from the outside in:
    /// a circuit breaker per host (after repeated failed operations it holds calls back for a while, and they wait
    /// for it up to MaxCircuitWait instead of hammering a failing host), retries with exponential
    /// backoff and full jitter (honouring Retry-After on 413/429), a per-attempt timeout, and client-side
    /// pacing so a fleet run stays under the rate limits instead of bouncing off them.
    /// Requests that must not be repeated blindly (createImage) are retried only when the answer proves
    /// nothing was done. No PowerShell types here; secrets travel only in headers and bodies, never in messages.
    /// </summary>
    public sealed class CloudHttp : IDisposable
    {
        /// <summary>How often a call held back by an open circuit looks whether it may go.</summary>
        private static readonly TimeSpan CircuitPollInterval = TimeSpan.FromMilliseconds(250);

        private const string LogKey = "log";
        private const string AttemptKey = "attempt";

        private readonly HttpClient _client;
        private readonly CloudHttpOptions _options;
        private readonly ConcurrentDictionary<string, AsyncCircuitBreakerPolicy> _breakers = new ConcurrentDictionary<string, AsyncCircuitBreakerPolicy>();
        private readonly ConcurrentDictionary<string, ServerClock> _clocks = new ConcurrentDictionary<string, ServerClock>();
        private readonly AsyncPolicy _idempotentRetry;
        private readonly AsyncPolicy _guardedRetry;
        private readonly AsyncPolicy _timeout;
        private readonly Random _jitter;
        private long _requestCount;

        public CloudHttp(CloudHttpOptions? options = null, HttpMessageHandler? handler = null)
        {
            _options = options ?? new CloudHttpOptions();
            _client = new HttpClient(handler ?? new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate })
            {
                // Per-attempt timeouts come from the Polly timeout policy; HttpClient's own would cut retries short.
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            };
            _client.DefaultRequestHeaders.UserAgent.ParseAdd("Autosnap/" + typeof(CloudHttp).Assembly.GetName().Version?.ToString(3));
            _jitter = _options.JitterSeed.HasValue ? new Random(_options.JitterSeed.Value) : new Random();

            _timeout = Polly.Policy.TimeoutAsync(_options.RequestTimeout, TimeoutStrategy.Optimistic);
            _idempotentRetry = Polly.Policy
                .Handle<Exception>(e => IsRetryable(e, RetryMode.Idempotent))
                .WaitAndRetryAsync(_options.MaxRetries, RetryDelay, OnRetryAsync);
            _guardedRetry = Polly.Policy
                .Handle<Exception>(e => IsRetryable(e, RetryMode.NotIdempotent))
                .WaitAndRetryAsync(_options.MaxRetries, RetryDelay, OnRetryAsync);
        }

        public CloudHttpOptions Options => _options;

        /// <summary>Client-side pacing shared by every call of this session.</summary>
        public RequestPacer Pacer { get; } = new RequestPacer();

        /// <summary>Requests sent (every attempt), for statistics.</summary>
        public long RequestCount => Interlocked.Read(ref _requestCount);

        /// <summary>
        /// The time on the clock of the service at <paramref name="endpoint"/>, from the Date headers of its answers.
        /// Image ages are measured on the cloud's clock, never on this machine's.
        /// </summary>
        public DateTimeOffset ServerNow(Uri endpoint) =>
            _clocks.TryGetValue(endpoint.Authority, out ServerClock? clock) ? clock.Now : DateTimeOffset.UtcNow;

        /// <summary>
        /// Sends <paramref name="request"/> through the pipeline and turns the answer into a T with <paramref name="read"/>.
        /// <paramref name="read"/> runs inside the retried attempt: an unparseable answer to an idempotent call is retried
        /// like a failed one. Throws <see cref="CloudException"/> for every failure; OperationCanceledException on cancel.
        /// </summary>
        public async Task<T> SendAsync<T>(CloudRequest request, string? token, Func<CloudResponse, T> read, ICloudLog log, CancellationToken cancellationToken)
        {
            AsyncCircuitBreakerPolicy breaker = _breakers.GetOrAdd(request.Uri.Authority, CreateBreaker);
            AsyncPolicy retry = request.Retry == RetryMode.Idempotent ? _idempotentRetry : _guardedRetry;
            var context = new Context(request.Describe()) { [LogKey] = log, [AttemptKey] = 0 };
            TimeSpan waitedForCircuit = TimeSpan.Zero;
            while (true)
            {
                try
                {
                    return await breaker.ExecuteAsync(
                        (ctx, ct) => retry.ExecuteAsync(
                            (ctx2, ct2) => _timeout.ExecuteAsync((ctx3, ct3) => AttemptAsync(request, token, read, ctx3, ct3), ctx2, ct2, false),
                            ctx, ct, false),
                        context, cancellationToken, false).ConfigureAwait(false);
                }
                catch (BrokenCircuitException) when (waitedForCircuit < _options.MaxCircuitWait)
                {
                    // The circuit holds calls back; it does not end them. Its state lives in memory, so looking is free.
                    if (waitedForCircuit == TimeSpan.Zero)
                    {
                        log.Verbose($"{request.Describe()}: {request.Uri.Authority} failed repeatedly; waiting up to {Seconds(_options.MaxCircuitWait)} for it to take calls again.");
                    }
                    TimeSpan pause = CircuitPollInterval < _options.MaxCircuitWait - waitedForCircuit ? CircuitPollInterval : _options.MaxCircuitWait - waitedForCircuit;
                    await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                    waitedForCircuit += pause;
                }
                catch (TimeoutRejectedException e)
                {
                    throw new CloudException(CloudErrorKind.Timeout,
                        $"{request.Describe()}: no answer from {request.Uri.Authority} within {Seconds(_options.RequestTimeout)}{AttemptsNote(context)}.", inner: e)
                    { OutcomeUnknown = request.Retry == RetryMode.NotIdempotent };
                }
                catch (BrokenCircuitException e)
                {
                    throw new CloudException(CloudErrorKind.Unavailable,
                        $"{request.Describe()}: {request.Uri.Authority} failed repeatedly and still takes no calls after {Seconds(waitedForCircuit)} of waiting.", inner: e);
                }
                catch (CloudException e) when (Attempts(context) > 1 && e.InnerException is not CloudException)
                {
                    throw new CloudException(e.Kind, e.Message.TrimEnd('.') + AttemptsNote(context) + ".", e.StatusCode, e.FaultName, e)
                    { OutcomeUnknown = e.OutcomeUnknown, RetryAfter = e.RetryAfter };
                }
            }
        }

        private async Task<T> AttemptAsync<T>(CloudRequest request, string? token, Func<CloudResponse, T> read, Context context, CancellationToken cancellationToken)
        {
            context[AttemptKey] = Attempts(context) + 1;
            var log = (ICloudLog)context[LogKey];
            await Pacer.WaitTurnAsync(PacingLane(request), request.Method.Method, cancellationToken).ConfigureAwait(false);

            using var message = new HttpRequestMessage(request.Method, request.Uri);
            message.Headers.Accept.ParseAdd("application/json");
            if (token != null)
            {
                message.Headers.TryAddWithoutValidation("X-Auth-Token", token);
            }
            foreach (var header in request.Headers)
            {
                message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            if (request.JsonBody != null)
            {
                message.Content = new StringContent(request.JsonBody, Encoding.UTF8);
                message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(request.ContentType);
            }

            // A request that changes something is never abandoned halfway because the user pressed Ctrl+C: once sent,
            // it runs to its answer or its own timeout (a second later than Polly's, so Polly reports the timeout).
            // Cancellation still stops everything before the send and between attempts.
            using var sendTimeout = request.Method == HttpMethod.Get ? null : new CancellationTokenSource(_options.RequestTimeout + TimeSpan.FromSeconds(1));
            CancellationToken sendToken = sendTimeout?.Token ?? cancellationToken;

            var watch = Stopwatch.StartNew();
            Interlocked.Increment(ref _requestCount);
            CloudResponse response;
            try
            {
                using HttpResponseMessage answer = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, sendToken).ConfigureAwait(false);
                response = new CloudResponse(answer.StatusCode, ReadHeaders(answer),
                    await ReadBodyAsync(answer, request, sendToken).ConfigureAwait(false));
            }
            catch (HttpRequestException e)
            {
                throw ConnectionFailure(request, e);
            }
            catch (IOException e)
            {
                throw ConnectionFailure(request, e);
            }
            log.Debug($"{request.Method} {request.Uri.GetLeftPart(UriPartial.Path)} -> {(int)response.Status} in {watch.ElapsedMilliseconds} ms");
            ObserveClock(request.Uri, response);

            if (response.IsSuccess || request.AcceptedStatus.Contains(response.Status))
            {
                try
                {
                    return read(response);
                }
                catch (CloudException)
                {
                    throw;
                }
                catch (Exception e) when (e is Newtonsoft.Json.JsonException || e is FormatException || e is InvalidCastException ||
                                          e is ArgumentException || e is OverflowException)
                {
                    throw new CloudException(CloudErrorKind.InvalidResponse,
                        $"{request.Describe()}: {request.Uri.Authority} answered {(int)response.Status} with a body that cannot be understood ({Shorten(e.Message)}).", response.Status, inner: e)
                    { OutcomeUnknown = request.Method != HttpMethod.Get };
                }
            }
            throw FailureFor(request, response);
        }

        private static CloudException ConnectionFailure(CloudRequest request, Exception e)
        {
            bool notSent = NeverReachedServer(e);
            string cause = notSent ? "could not connect" : "the connection failed";
            return new CloudException(CloudErrorKind.Connection,
                $"{request.Describe()}: {cause} to {request.Uri.Authority} ({Shorten(Innermost(e).Message)}).", inner: e)
            { OutcomeUnknown = !notSent };
        }

        private CloudException FailureFor(CloudRequest request, CloudResponse response)
        {
            FaultBody fault = FaultBody.Parse(response.Body);
            CloudErrorKind kind = CloudException.KindOf(response.Status);
            string detail = fault.Message ?? response.Status.ToString();
            if (IsQuotaRefusal(response.Status, detail, response.Header("Retry-After")))
            {
                // Nova's 403 "Quota exceeded for resources: snapshots", Cinder's 413 "SnapshotLimitExceeded" with no
                // Retry-After: waiting does not help, so it is not a rate limit to retry.
                kind = CloudErrorKind.QuotaExceeded;
            }
            var error = new CloudException(kind,
                $"{request.Describe()}: {request.Uri.Authority} answered {(int)response.Status} {Reason(response.Status)}: {Shorten(detail)}",
                response.Status, fault.Name)
            {
                // 4xx answers and rate-limit rejections are definite: nothing was done. 5xx may come after the work.
                OutcomeUnknown = (int)response.Status >= 500 && request.Retry == RetryMode.NotIdempotent,
            };
            if (kind == CloudErrorKind.RateLimited)
            {
                error.RetryAfter = RetryAfter(response, fault);
                if (error.RetryAfter.HasValue)
                {
                    // Everyone sharing this host and verb waits, not just this call: that is what keeps a fleet from bouncing.
                    Pacer.PauseFor(PacingLane(request), request.Method.Method, error.RetryAfter.Value);
                }
            }
            return error;
        }

        /// <summary>
        /// A refusal because a quota is full (not a rate limit): 403, or 413 with no wait or a zero one (Cinder sends
        /// "Retry-After: 0" with its SnapshotLimitExceeded), whose message says so.
        /// </summary>
        internal static bool IsQuotaRefusal(HttpStatusCode status, string message, string? retryAfter) =>
            ((int)status == 403 || ((int)status == 413 && (string.IsNullOrEmpty(retryAfter) || retryAfter!.Trim() == "0"))) &&
            (message.IndexOf("quota", StringComparison.OrdinalIgnoreCase) >= 0 ||
             message.IndexOf("LimitExceeded", StringComparison.OrdinalIgnoreCase) >= 0 ||
             message.IndexOf("allowed", StringComparison.OrdinalIgnoreCase) >= 0 && message.IndexOf("exceeded", StringComparison.OrdinalIgnoreCase) >= 0);

        /// <summary>The pacing lane: the region for cloud calls (limits are per region), else the host.</summary>
        internal static string PacingLane(CloudRequest request) => request.Region ?? request.Uri.Authority;

        private static bool IsRetryable(Exception e, RetryMode mode)
        {
            if (e is TimeoutRejectedException)
            {
                return mode == RetryMode.Idempotent;
            }
            if (e is not CloudException error)
            {
                return false;
            }
            switch (error.Kind)
            {
                case CloudErrorKind.RateLimited:
                    return true;    // a rejection: nothing was done, whatever the verb
                case CloudErrorKind.Connection:
                    return mode == RetryMode.Idempotent || !error.OutcomeUnknown;
                case CloudErrorKind.Unavailable:
                case CloudErrorKind.Timeout:
                case CloudErrorKind.InvalidResponse:
                    return mode == RetryMode.Idempotent;
                default:
                    return false;
            }
        }

        private TimeSpan RetryDelay(int retryAttempt, Exception e, Context context)
        {
            if (e is CloudException { RetryAfter: TimeSpan retryAfter })
            {
                return retryAfter > _options.MaxRetryAfter ? _options.MaxRetryAfter : retryAfter;
            }
            double ceiling = Math.Min(_options.RetryMaxDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, retryAttempt));
            lock (_jitter)
            {
                return TimeSpan.FromMilliseconds(_jitter.NextDouble() * ceiling);
            }
        }

        private Task OnRetryAsync(Exception e, TimeSpan delay, int retryAttempt, Context context)
        {
            var log = (ICloudLog)context[LogKey];
            string cause = e is TimeoutRejectedException ? $"no answer within {Seconds(_options.RequestTimeout)}" : Shorten(e.Message);
            log.Verbose($"Retry {retryAttempt}/{_options.MaxRetries} of '{context.OperationKey}' in {delay.TotalSeconds:0.0} s after: {cause}");
            return Task.CompletedTask;
        }

        private AsyncCircuitBreakerPolicy CreateBreaker(string authority) =>
            Polly.Policy.Handle<Exception>(e => e is TimeoutRejectedException ||
                                                e is CloudException { Kind: CloudErrorKind.Unavailable or CloudErrorKind.Connection or CloudErrorKind.Timeout })
                        .CircuitBreakerAsync(_options.BreakAfterFailures, _options.BreakDuration);

        private void ObserveClock(Uri uri, CloudResponse response)
        {
            string? date = response.Header("Date");
            if (date != null && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset serverTime))
            {
                _clocks.GetOrAdd(uri.Authority, _ => new ServerClock()).Observe(serverTime);
            }
        }

        /// <summary>Retry-After in seconds or as an HTTP date (measured against the answer's own Date), else the body's hints.</summary>
        internal static TimeSpan? RetryAfter(CloudResponse response, FaultBody fault)
        {
            string? header = response.Header("Retry-After");
            if (header != null)
            {
                if (double.TryParse(header, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
                {
                    return TimeSpan.FromSeconds(Math.Max(0, seconds));
                }
                if (DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
                {
                    return Until(at, response);
                }
            }
            if (fault.RetryAfterSeconds.HasValue)
            {
                return TimeSpan.FromSeconds(Math.Max(0, fault.RetryAfterSeconds.Value));
            }
            return fault.RetryAt.HasValue ? Until(fault.RetryAt.Value, response) : (TimeSpan?)null;
        }

        private static TimeSpan Until(DateTimeOffset at, CloudResponse response)
        {
            string? date = response.Header("Date");
            DateTimeOffset now = date != null && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset d)
                ? d : DateTimeOffset.UtcNow;
            TimeSpan wait = at - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        private async Task<string> ReadBodyAsync(HttpResponseMessage answer, CloudRequest request, CancellationToken cancellationToken)
        {
            if (answer.Content == null)
            {
                return string.Empty;
            }
            long? length = answer.Content.Headers.ContentLength;
            if (length > _options.MaxResponseBytes)
            {
                throw TooLarge(request, answer.StatusCode);
            }
            using Stream stream = await answer.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > _options.MaxResponseBytes)
                {
                    throw TooLarge(request, answer.StatusCode);
                }
            }
            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        private CloudException TooLarge(CloudRequest request, HttpStatusCode status) =>
            new CloudException(CloudErrorKind.InvalidResponse,
                $"{request.Describe()}: {request.Uri.Authority} sent an answer larger than {_options.MaxResponseBytes / (1024 * 1024)} MiB; refused.", status)
            { OutcomeUnknown = request.Method != HttpMethod.Get };

        private static IReadOnlyDictionary<string, string> ReadHeaders(HttpResponseMessage answer)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in answer.Headers.Concat(answer.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }
            return headers;
        }

        private static bool NeverReachedServer(Exception e)
        {
            for (Exception? inner = e; inner != null; inner = inner.InnerException)
            {
                if (inner is SocketException socket &&
                    (socket.SocketErrorCode == SocketError.ConnectionRefused || socket.SocketErrorCode == SocketError.HostNotFound ||
                     socket.SocketErrorCode == SocketError.HostUnreachable || socket.SocketErrorCode == SocketError.NetworkUnreachable ||
                     socket.SocketErrorCode == SocketError.TryAgain || socket.SocketErrorCode == SocketError.NoData))
                {
                    return true;
                }
                if (inner is WebException web &&
                    (web.Status == WebExceptionStatus.ConnectFailure || web.Status == WebExceptionStatus.NameResolutionFailure))
                {
                    return true;
                }
            }
            return false;
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }

        private static int Attempts(Context context) => (int)context[AttemptKey];

        private static string AttemptsNote(Context context) => Attempts(context) > 1 ? $" (after {Attempts(context)} attempts)" : string.Empty;

        private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

        private static string Reason(HttpStatusCode status) =>
            System.Text.RegularExpressions.Regex.Replace(status.ToString(), "(?<=[a-z])(?=[A-Z])", " ");

        /// <summary>Keeps messages one line and short: bodies can be whole HTML pages.</summary>
        internal static string Shorten(string text)
        {
            string line = System.Text.RegularExpressions.Regex.Replace(text ?? string.Empty, @"\s+", " ").Trim();
            return line.Length <= 300 ? line : line.Substring(0, 300) + "...";
        }

        public void Dispose() => _client.Dispose();
    }
}
