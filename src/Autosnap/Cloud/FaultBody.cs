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
    /// Keystone's <c>{"error":{"code":401,"message":"...","title":"..."}}</c>, or Glance's plain text / HTML page.
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
                    if (JsonFields.Parse(text) is JObject root && root.Properties().FirstOrDefault() is JProperty envelope &&
                        envelope.Value is JObject inner)
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
                }
                catch (Exception e) when (e is Newtonsoft.Json.JsonException || e is FormatException)
                {
                    // not JSON after all: fall through to plain text
                }
            }
            // Plain text or an HTML page (Glance, proxies): strip the tags, keep the words.
            string plain = Regex.Replace(Regex.Replace(text, "<(script|style)[^>]*>.*?</\\1>", " ", RegexOptions.Singleline | RegexOptions.IgnoreCase), "<[^>]+>", " ");
            fault.Message = CloudHttp.Shorten(System.Net.WebUtility.HtmlDecode(plain));
            return fault;
        }
    }
}
