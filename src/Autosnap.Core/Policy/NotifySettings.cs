using System;
using System.Globalization;

namespace Autosnap.Policy
{
    /// <summary>When a run sends its summary.</summary>
    public enum NotifyWhen
    {
        /// <summary>Only after a night with news: a failed job or deletion, or a stuck restore point.</summary>
        Failure,
        /// <summary>After every run.</summary>
        Always,
    }

    /// <summary>What a run sends.</summary>
    public enum NotifyFormat
    {
        /// <summary>The summary as a plain JSON document (module/notification.schema.json).</summary>
        Json,
        /// <summary>{"text": "..."}: what Slack, Microsoft Teams and Mattermost incoming webhooks accept.</summary>
        Text,
    }

    /// <summary>
    /// Where and when a run's summary goes: a policy file's "notify" section, autosnap.ps1's -Notify* options or the
    /// AUTOSNAP_NOTIFY_URL environment variable. The URL is a secret (a webhook's path is its key): only
    /// <see cref="Redact(Uri)"/> forms of it are ever shown.
    /// </summary>
    public sealed class NotifySettings
    {
        /// <summary>The environment variable a URL may come from, so that it stays out of the crontab.</summary>
        public const string UrlVariable = "AUTOSNAP_NOTIFY_URL";

        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

        /// <summary>A notification never holds a night up longer than this.</summary>
        public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

        public NotifySettings(string? url = null, NotifyWhen when = NotifyWhen.Failure, NotifyFormat format = NotifyFormat.Json, TimeSpan? timeout = null)
            : this(url, when, format, timeout, Sites.InCode())
        {
        }

        internal NotifySettings(string? url, NotifyWhen when, NotifyFormat format, TimeSpan? timeout, Sites sites)
        {
            Url = url == null ? null : ParseUrl(url, sites.At("url"));
            When = when;
            Format = format;
            Timeout = timeout.HasValue ? SnapshotPolicy.CheckDuration(timeout.Value, MaxTimeout, sites.At("timeout")) : DefaultTimeout;
        }

        /// <summary>The webhook; null when the URL is to come from elsewhere (the environment).</summary>
        public Uri? Url { get; }

        public NotifyWhen When { get; }

        public NotifyFormat Format { get; }

        /// <summary>The most a notification may cost the run, retries included.</summary>
        public TimeSpan Timeout { get; }

        /// <summary>These settings with another URL (from the command line or the environment).</summary>
        public NotifySettings WithUrl(string url) => new NotifySettings(url, When, Format, Timeout);

        /// <summary>"https://hooks.example.com/... (redacted)": the scheme, host and port only.</summary>
        public string RedactedUrl => Url == null ? "(no URL)" : Redact(Url);

        /// <summary>
        /// The URL without its secret parts (user information, path, query, fragment): scheme://host[:port]/...
        /// </summary>
        public static string Redact(Uri url)
        {
            if (url == null) throw new ArgumentNullException(nameof(url));
            string port = url.IsDefaultPort ? string.Empty : ":" + url.Port.ToString(CultureInfo.InvariantCulture);
            return url.Scheme + "://" + url.Host + port + "/... (redacted)";
        }

        /// <summary>An absolute http or https URL; the message of a refusal never repeats it.</summary>
        internal static Uri ParseUrl(string text, ErrorSite site)
        {
            if (Uri.TryCreate(text?.Trim(), UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) && url.Host.Length > 0)
            {
                return url;
            }
            throw site.Error(PolicyException.ValueInvalid, "must be an absolute http:// or https:// URL (the value is not repeated here: a webhook URL is a secret).");
        }
    }
}
