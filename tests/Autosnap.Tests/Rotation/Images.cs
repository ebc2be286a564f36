using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Autosnap.Model;
using Autosnap.Rotation;

namespace Autosnap.Tests.Rotation
{
    /// <summary>Builds pools and reads plans in the shape the assertions want.</summary>
    internal static class Images
    {
        public const string Server = "6f1c2b3a-0000-4000-8000-00000000aa01";
        public const string Schedule = "daily";

        public static readonly TimeZoneInfo Berlin = TimeZones.Find("Europe/Berlin");
        public static readonly TimeZoneInfo NewYork = TimeZones.Find("America/New_York");

        /// <summary>An image of the test pool; the id defaults to the UTC creation time ("2026-01-20T00:05"), so plans read like calendars.</summary>
        public static AutoSnapshot At(DateTimeOffset created, string status = "ACTIVE", string? id = null, bool pinned = false,
            string schedule = Schedule, string server = Server)
        {
            var properties = new Dictionary<string, string>
            {
                [AutosnapMetadata.Schedule] = schedule,
                [AutosnapMetadata.Server] = server,
                [AutosnapMetadata.InstanceUuid] = server,
            };
            if (pinned) properties[AutosnapMetadata.Pinned] = "true";
            id ??= IdOf(created);
            return new AutoSnapshot(id, "web1-" + id, status, created, "DFW", properties);
        }

        /// <summary>An image created at an ISO time ("2026-01-20T00:05Z" or with an offset).</summary>
        public static AutoSnapshot At(string created, string status = "ACTIVE", string? id = null, bool pinned = false) =>
            At(Time(created), status, id, pinned);

        public static DateTimeOffset Time(string iso) =>
            DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        /// <summary>The instant a wall-clock time of a zone denotes (the time must exist and be unambiguous).</summary>
        public static DateTimeOffset Local(TimeZoneInfo zone, int year, int month, int day, int hour, int minute) =>
            Local(zone, new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified));

        public static DateTimeOffset Local(TimeZoneInfo zone, DateTime wall)
        {
            if (zone.IsInvalidTime(wall) || zone.IsAmbiguousTime(wall)) throw new ArgumentException($"{wall} is not a plain local time in {zone.Id}");
            return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
        }

        public static string IdOf(DateTimeOffset created) => created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

        /// <summary>Good images at 00:05 UTC every day from <paramref name="first"/> for <paramref name="days"/> days.</summary>
        public static List<AutoSnapshot> Daily(string first, int days) =>
            Enumerable.Range(0, days).Select(day => At(Time(first + "T00:05Z").AddDays(day))).ToList();

        public static RetentionPolicy Rules(BucketRules rules, TimeZoneInfo? zone = null) =>
            RetentionPolicy.FromRules(rules, zone ?? TimeZoneInfo.Utc);

        public static string[] KeptIds(this IEnumerable<RotationDecision> plan) =>
            plan.Where(d => d.Action == RotationAction.Keep).Select(d => d.Id).ToArray();

        public static string[] DeletedIds(this IEnumerable<RotationDecision> plan) =>
            plan.Where(d => d.Action == RotationAction.Delete).Select(d => d.Id).ToArray();

        public static RotationDecision For(this IEnumerable<RotationDecision> plan, string id) => plan.Single(d => d.Id == id);

        /// <summary>"id Keep reason; reason" per image, newest first: a whole plan in one readable assertion.</summary>
        public static string[] Table(this IEnumerable<RotationDecision> plan) =>
            plan.Select(d => $"{d.Id} {d.Action} {d.Reason}").ToArray();
    }
}
