using System;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cloud;
using Autosnap.Policy;

namespace Autosnap.Engine
{
    public enum NotificationOutcome
    {
        /// <summary>The webhook took it (a 2xx answer).</summary>
        Sent,
        /// <summary>Nothing to send: when = failure and the night had no news.</summary>
        NotNeeded,
        /// <summary>The webhook refused it, or could not be reached (after the retries the cloud calls get).</summary>
        Failed,
        /// <summary>No answer within the notification's timeout: abandoned, so the run goes on.</summary>
        TimedOut,
    }

    /// <summary>What became of a notification. Its message names the webhook only as scheme://host/... (redacted).</summary>
    public sealed class NotificationResult
    {
        internal NotificationResult(NotificationOutcome outcome, string target, string message)
        {
            Outcome = outcome;
            Target = target;
            Message = message;
        }

        public NotificationOutcome Outcome { get; }

        /// <summary>The webhook, redacted: scheme, host and port.</summary>
        public string Target { get; }

        public string Message { get; }

        public override string ToString() => Message;
    }

    /// <summary>
    /// Sends a run's summary to a webhook through the same pipeline as the cloud calls (<see cref="CloudHttp"/>): its
    /// retries, backoff, Retry-After handling and circuit breaker, with the webhook POST retried like every request
    /// that must not be done twice (only when the answer proves nothing arrived: refused connections, 429/413), so a
    /// chat never gets the night twice. The whole send, retries included, is bounded by the settings' timeout on the
    /// wait clock: a dead webhook costs the run that long and no longer. Never throws for a failed send (the result
    /// says what happened); the URL's secret parts (user information, path, query) appear in no message or log line.
    /// </summary>
    public sealed class WebhookNotifier
    {
        private readonly CloudHttpOptions _options;

        /// <param name="options">
        /// The retry knobs and the wait clock to use (a copy is made); the per-attempt timeout is always the
        /// notification's own. The defaults are the cloud calls' defaults.
        /// </param>
        public WebhookNotifier(CloudHttpOptions? options = null)
        {
            _options = options ?? new CloudHttpOptions();
        }

        /// <summary>
        /// For scripts (autosnap.ps1): sends and waits, never throws for a failed send. <paramref name="log"/> gets the
        /// pipeline's retries and answers (redacted); none when null.
        /// </summary>
        public NotificationResult Send(NotifySettings settings, RunReport report, ICloudLog? log = null) =>
            SendAsync(settings, report, log ?? SilentLog.Instance, CancellationToken.None).GetAwaiter().GetResult();

        public async Task<NotificationResult> SendAsync(NotifySettings settings, RunReport report, ICloudLog log, CancellationToken cancellationToken)
        {
            if (settings == null) throw new ArgumentNullException(nameof(settings));
            if (report == null) throw new ArgumentNullException(nameof(report));
            if (settings.Url == null) throw new ArgumentException("The notification has no URL.", nameof(settings));
            Uri url = settings.Url;
            string target = settings.RedactedUrl;
            if (!report.ShouldSend(settings.When))
            {
                return new NotificationResult(NotificationOutcome.NotNeeded, target, $"No notification to {target}: the run has no failure to report (when = failure).");
            }

            var redacting = new RedactingLog(log, url, target);
            var options = new CloudHttpOptions
            {
                RequestTimeout = settings.Timeout,
                MaxRetries = _options.MaxRetries,
                RetryBaseDelay = _options.RetryBaseDelay,
                RetryMaxDelay = _options.RetryMaxDelay,
                MaxRetryAfter = _options.MaxRetryAfter,
                BreakAfterFailures = _options.BreakAfterFailures,
                BreakDuration = _options.BreakDuration,
                MaxCircuitWait = settings.Timeout,
                MaxResponseBytes = 1024 * 1024,
                JitterSeed = _options.JitterSeed,
                Clock = _options.Clock,
            };
            var request = new CloudRequest(HttpMethod.Post, WithoutUserInfo(url), "notification", "send the run's summary")
            {
                JsonBody = report.Payload(settings.Format),
                Retry = RetryMode.NotIdempotent,
                Authenticated = false,
            };
            if (url.UserInfo.Length > 0)
            {
                // user:password@ in a webhook URL means HTTP basic authentication; HttpClient does not send it by itself.
                request.Headers["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(url.UserInfo)));
            }

            // Its own pipeline: the webhook's host is not the cloud's, and its circuit must not touch the cloud's.
            var http = new CloudHttp(options);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task<HttpStatusCode> send = http.SendAsync(request, null, response => response.Status, redacting, deadline.Token);
            Task timer = options.Clock.DelayAsync(settings.Timeout, deadline.Token);
            Task first = await Task.WhenAny(send, timer).ConfigureAwait(false);
            deadline.Cancel();
            Observe(timer);
            if (first != send)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Abandoned: disposing the client ends the request still waiting for its answer.
                Observe(send);
                http.Dispose();
                return new NotificationResult(NotificationOutcome.TimedOut, target,
                    $"The notification to {target} was not sent: no answer within its timeout of {PolicyDuration.Format(settings.Timeout)}.");
            }
            try
            {
                HttpStatusCode status = await send.ConfigureAwait(false);
                return new NotificationResult(NotificationOutcome.Sent, target, $"Notification sent to {target} ({(int)status}).");
            }
            catch (CloudException e)
            {
                return new NotificationResult(NotificationOutcome.Failed, target, $"The notification to {target} was not sent: {redacting.Redact(e.Message)}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new NotificationResult(NotificationOutcome.TimedOut, target,
                    $"The notification to {target} was not sent: no answer within its timeout of {PolicyDuration.Format(settings.Timeout)}.");
            }
            finally
            {
                http.Dispose();
            }
        }

        private static Uri WithoutUserInfo(Uri url)
        {
            if (url.UserInfo.Length == 0) return url;
            return new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri;
        }

        /// <summary>Keeps a task that is left behind from raising an unobserved exception later.</summary>
        private static void Observe(Task task) =>
            task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        private sealed class SilentLog : ICloudLog
        {
            public static readonly SilentLog Instance = new SilentLog();

            public void Verbose(string message) { }

            public void Debug(string message) { }
        }

        /// <summary>The pipeline's log with the URL's secret parts replaced: its debug lines name the request's path.</summary>
        private sealed class RedactingLog : ICloudLog
        {
            private readonly ICloudLog _inner;
            private readonly string[] _secrets;
            private readonly string _redacted;

            public RedactingLog(ICloudLog inner, Uri url, string redacted)
            {
                _inner = inner;
                _redacted = redacted;
                Uri bare = WithoutUserInfo(url);
                // Longest first, so that the whole URL goes before its parts.
                _secrets = new[]
                {
                    url.OriginalString, url.AbsoluteUri, bare.AbsoluteUri, url.GetLeftPart(UriPartial.Path), bare.GetLeftPart(UriPartial.Path),
                    url.PathAndQuery.Length > 1 ? url.PathAndQuery : string.Empty, url.AbsolutePath.Length > 1 ? url.AbsolutePath : string.Empty,
                    url.Query, url.UserInfo, Uri.UnescapeDataString(url.UserInfo),
                };
                Array.Sort(_secrets, (a, b) => b.Length.CompareTo(a.Length));
            }

            public string Redact(string message)
            {
                foreach (string secret in _secrets)
                {
                    if (secret.Length > 0) message = message.Replace(secret, _redacted);
                }
                return message;
            }

            public void Verbose(string message) => _inner.Verbose(Redact(message));

            public void Debug(string message) => _inner.Debug(Redact(message));
        }
    }
}
