using System;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace Autosnap.Cloud
{
    /// <summary>
    /// The useful parts of an error body, whatever its shape: Nova's envelope
    /// <c>{"itemNotFound":{"code":404,"message":"..."}}</c> (also Rackspace identity's <c>{"unauthorized":{...}}</c>),
    /// Keystone's <c>{"error":{"code":401,"message":"...","title":"..."}}</c>, Glance's flat JSON (what it sends to our
    /// Accept: application/json) <c>{"message":"...&lt;br /&gt;&lt;br /&gt;\n\n\n","code":"403 Forbidden","title":"Forbidden"}</c>,
    /// or a plain text / HTML page (Glance without that Accept, proxies).
    /// Never used to decide anything: decisions use status codes. Only for messages and Retry-After hints.
    /// </summary>
    internal sealed class FaultBody
    {
        public string? Name { get; private set; }
        public string? Message { get; private set; }
        public double? RetryAfterSeconds { get; private set; }
        public DateTimeOffset? RetryAt { get; private set; }

        public static FaultBody Parse(string? body)
        {
            var fault = new FaultBody();
            string text = (body ?? string.Empty).Trim();
            if (text.Length == 0)
            {
                return fault;
            }
            if (text.StartsWith("{", StringComparison.Ordinal))
            {
                try
                {
                    JObject root = JsonFields.Parse(text);
                    if (root.Properties().FirstOrDefault() is JProperty envelope && envelope.Value is JObject inner)
                    {
                        fault.Name = envelope.Name;
                        fault.Message = (string?)inner["message"] ?? (string?)inner["title"];
                        if (double.TryParse((string?)inner["retryAfter"], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
                        {
                            fault.RetryAfterSeconds = seconds;
                        }
                        if (DateTimeOffset.TryParse((string?)inner["retryAt"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
                        {
                            fault.RetryAt = at;
                        }
                        return fault;
                    }
                    if (root["message"] is JValue { Type: JTokenType.String } message)
                    {
                        // Glance: no envelope; the message carries webob's HTML line breaks
                        fault.Message = PlainText((string)message!);
                        return fault;
                    }
                }
                catch (Exception e) when (e is Newtonsoft.Json.JsonException || e is FormatException)
                {
                    // not JSON after all: fall through to plain text
                }
            }
            fault.Message = PlainText(text);
            return fault;
        }

        /// <summary>Plain text or an HTML page (Glance, proxies): the tags stripped, the words kept, on one line.</summary>
        private static string PlainText(string text)
        {
            string plain = Regex.Replace(Regex.Replace(text, "<(script|style)[^>]*>.*?</\\1>", " ", RegexOptions.Singleline | RegexOptions.IgnoreCase), "<[^>]+>", " ");
            return CloudHttp.Shorten(System.Net.WebUtility.HtmlDecode(plain));
        }
    }
}
