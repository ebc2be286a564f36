using System;
using System.Globalization;
using System.Linq;

namespace Autosnap.Model
{
    /// <summary>
    /// The value of a restore test's result key on an image (autosnap_restore_verified, autosnap_restore_failed):
    /// the cloud time of the test as "yyyy-MM-ddTHH:mm:ssZ", then for a failure a space and a short reason. Glance
    /// refuses property values over 255 characters, so the reason is cut to fit, on one line.
    /// </summary>
    public sealed class RestoreTestMark
    {
        /// <summary>Glance's limit on a property value.</summary>
        public const int MaxLength = 255;

        private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

        /// <summary>The length of the time: "2026-12-05T01:02:03Z".</summary>
        private const int TimeLength = 20;

        public RestoreTestMark(DateTimeOffset time, string? reason = null)
        {
            Time = new DateTimeOffset(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
            Reason = string.IsNullOrWhiteSpace(reason) ? null : Shorten(reason!, MaxLength - TimeLength - 1);
        }

        /// <summary>When the test ran, on the cloud's clock, to the second.</summary>
        public DateTimeOffset Time { get; }

        /// <summary>Why the test failed (null for a verified test).</summary>
        public string? Reason { get; }

        /// <summary>"2026-12-05T01:02:03Z" or "2026-12-05T01:02:03Z did not become ACTIVE within 15m".</summary>
        public override string ToString() =>
            Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) + (Reason == null ? string.Empty : " " + Reason);

        /// <summary>The mark in a property value, or null when the value is not one (hand-edited, another tool's).</summary>
        public static RestoreTestMark? Parse(string? value)
        {
            if (string.IsNullOrEmpty(value)) return null;
            string text = value!.Trim();
            int space = text.IndexOf(' ');
            string time = space < 0 ? text : text.Substring(0, space);
            if (!DateTimeOffset.TryParseExact(time, TimeFormat, CultureInfo.InvariantCulture,
                                               DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed))
            {
                return null;
            }
            return new RestoreTestMark(parsed, space < 0 ? null : text.Substring(space + 1));
        }

        /// <summary>One line, no longer than <paramref name="max"/> characters (an ellipsis marks a cut).</summary>
        internal static string Shorten(string text, int max)
        {
            string line = string.Join(" ", text.Split(new[] { '\r', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries).Select(part => part.Trim()))
                                .Trim();
            return line.Length <= max ? line : line.Substring(0, max - 1) + "\u2026";
        }
    }
}
