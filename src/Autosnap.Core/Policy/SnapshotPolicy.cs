using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Rotation;

namespace Autosnap.Policy
{
    /// <summary>
    /// One policy: which servers (<see cref="Targets"/>) get snapshots into which pool (<see cref="Schedule"/>), how
    /// often at most, how long to wait, and what rotation keeps. Immutable and always valid: the constructor applies
    /// the same rules as the policy file and the server metadata convention.
    /// </summary>
    public sealed class SnapshotPolicy
    {
        /// <summary>How long a policy waits for each snapshot unless it says otherwise.</summary>
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromHours(1);

        /// <summary>The longest wait a policy may ask for: even very large servers snapshot within days.</summary>
        public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(7);

        /// <summary>The longest frequency guard: a policy that snapshots less than once a year is a mistake.</summary>
        public static readonly TimeSpan MaxMinInterval = TimeSpan.FromDays(366);

        /// <summary>The longest policy name.</summary>
        public const int MaxNameLength = 128;

        /// <summary>The placeholders SnapshotService.FormatName fills in.</summary>
        internal static readonly string[] Placeholders = { "server", "id", "schedule", "timestamp", "date" };

        /// <summary>A name template: text with no braces except known placeholders (module/policy.schema.json uses it verbatim).</summary>
        internal const string NameTemplatePattern = "^(?:[^{}]|\\{(?:server|id|schedule|timestamp|date)\\})*$";

        private static readonly Regex Braced = new Regex("\\{[^{}]*\\}|[{}]", RegexOptions.CultureInvariant);

        /// <exception cref="PolicyException">Any value the policy file would refuse.</exception>
        public SnapshotPolicy(string schedule, TargetSelector targets, RetentionPolicy retention, string? name = null,
                              TimeSpan? minInterval = null, TimeSpan? timeout = null, bool adoptLegacy = false,
                              OrphanHandling onServerDeleted = OrphanHandling.Keep, IReadOnlyDictionary<string, string>? metadata = null,
                              string? nameTemplate = null)
            : this(schedule, targets, retention, name, minInterval, timeout, adoptLegacy, onServerDeleted,
                   (IEnumerable<KeyValuePair<string, string>>?)metadata ?? Array.Empty<KeyValuePair<string, string>>(), nameTemplate,
                   Sites.InCode(), origin: null)
        {
        }

        internal SnapshotPolicy(string schedule, TargetSelector targets, RetentionPolicy retention, string? name, TimeSpan? minInterval,
                                TimeSpan? timeout, bool adoptLegacy, OrphanHandling onServerDeleted,
                                IEnumerable<KeyValuePair<string, string>> metadata, string? nameTemplate, Sites sites, string? origin)
        {
            Schedule = CheckSchedule(schedule, sites.At("schedule"));
            NameGiven = name != null;
            Name = name == null ? Schedule : CheckName(name, sites.At("name"));
            Targets = targets ?? throw new ArgumentNullException(nameof(targets));
            Retention = retention ?? throw new ArgumentNullException(nameof(retention));
            MinInterval = minInterval.HasValue ? CheckDuration(minInterval.Value, MaxMinInterval, sites.At("minInterval")) : (TimeSpan?)null;
            Timeout = timeout.HasValue ? CheckDuration(timeout.Value, MaxTimeout, sites.At("timeout")) : DefaultTimeout;
            AdoptLegacy = adoptLegacy;
            if (!Enum.IsDefined(typeof(OrphanHandling), onServerDeleted))
            {
                throw sites.At("onServerDeleted").Error(PolicyException.ValueInvalid,
                    "'" + onServerDeleted + "' is not one of " + string.Join(", ", Enum.GetNames(typeof(OrphanHandling))) + ".");
            }

            OnServerDeleted = onServerDeleted;
            Metadata = CheckMetadata(metadata, Schedule, sites);
            NameTemplate = nameTemplate == null ? null : CheckNameTemplate(nameTemplate, Schedule, sites.At("nameTemplate"));
            Origin = origin;
        }

        /// <summary>A label for messages: the policy's name, or its schedule when it has none.</summary>
        public string Name { get; }

        /// <summary>The pool name: images go to pool (server, Schedule).</summary>
        public string Schedule { get; }

        public TargetSelector Targets { get; }

        /// <summary>What rotation keeps, including whether failed images are kept.</summary>
        public RetentionPolicy Retention { get; }

        /// <summary>The frequency guard: a server whose newest good image of this schedule is younger is skipped. Null: no guard.</summary>
        public TimeSpan? MinInterval { get; }

        /// <summary>How long to wait for each snapshot.</summary>
        public TimeSpan Timeout { get; }

        /// <summary>Adopt images named by the original autosnap.py into the schedule.</summary>
        public bool AdoptLegacy { get; }

        /// <summary>Also snapshot the data volumes attached to image-backed servers (the restore point is the image and those snapshots).</summary>
        public bool IncludeVolumes { get; set; }

        /// <summary>When the block storage snapshot quota is full, delete Autosnap's own leftover volume snapshots first instead of failing.</summary>
        public bool ReclaimLeftovers { get; set; }

        /// <summary>The pools' restore tests (how often, which restore point, flavor, network, timeout); null: none.</summary>
        public RestoreTestPolicy? RestoreTest { get; set; }

        /// <summary>Commands run around each snapshot (a policy file's hooks); null for none.</summary>
        public PolicyHooks? Hooks { get; set; }

        /// <summary>Rotation counts only application-consistent restore points as good ("requireConsistency": "application").</summary>
        public bool RequireApplicationConsistency { get; set; }

        /// <summary>What to do with pools whose server no longer exists.</summary>
        public OrphanHandling OnServerDeleted { get; }

        /// <summary>Extra image metadata (keys compare exactly, as in Glance).</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <summary>The snapshot name template ({server} {id} {schedule} {timestamp} {date}); null for the default.</summary>
        public string? NameTemplate { get; }

        /// <summary>Where the policy came from, for messages: "policy.json, policies[1]", "server web1 (id), metadata 'autosnap:daily'"; null when built in code.</summary>
        public string? Origin { get; }

        /// <summary>True when the name was given (not taken from the schedule); given names must be unique in a document.</summary>
        internal bool NameGiven { get; }

        /// <summary>
        /// The frequency guard: true when a snapshot is due, i.e. there is no guard, no good image yet, or the newest
        /// good image of the pool is at least <see cref="MinInterval"/> old at <paramref name="now"/> (cloud time).
        /// </summary>
        public bool IsDue(DateTimeOffset? newestGoodImage, DateTimeOffset now) => IsDue(MinInterval, newestGoodImage, now);

        /// <summary>The frequency guard's one rule, for the job too (which has the interval, not the policy).</summary>
        public static bool IsDue(TimeSpan? minInterval, DateTimeOffset? newestGoodImage, DateTimeOffset now) =>
            !minInterval.HasValue || !newestGoodImage.HasValue || now - newestGoodImage.Value >= minInterval.Value;

        /// <summary>"nightly (daily): names web* in DFW; retention 7 (keeps 8)".</summary>
        public override string ToString() =>
            (Name == Schedule ? Schedule : Name + " (" + Schedule + ")") + ": " + Targets + "; " + Retention;

        internal static string CheckSchedule(string schedule, ErrorSite site)
        {
            try
            {
                SnapshotService.ValidateSchedule(schedule);
                return schedule;
            }
            catch (ArgumentException e)
            {
                throw site.Error(PolicyException.ScheduleInvalid, Lower(MessageOf(e)), e);
            }
        }

        private static string CheckName(string name, ErrorSite site)
        {
            if (string.IsNullOrWhiteSpace(name)) throw site.Error(PolicyException.ValueEmpty, "a policy name cannot be empty; omit it to use the schedule.");
            if (name.Length > MaxNameLength)
            {
                throw site.Error(PolicyException.ValueOutOfRange,
                    "a policy name has at most " + MaxNameLength.ToString(CultureInfo.InvariantCulture) + " characters, not " +
                    name.Length.ToString(CultureInfo.InvariantCulture) + ".");
            }

            if (name.Any(char.IsControl)) throw site.Error(PolicyException.ValueInvalid, "a policy name cannot contain control characters.");
            return name;
        }

        private static TimeSpan CheckDuration(TimeSpan value, TimeSpan max, ErrorSite site)
        {
            if (value <= TimeSpan.Zero || value > max)
            {
                throw site.Error(PolicyException.ValueOutOfRange,
                    "must be longer than zero and at most " + PolicyDuration.Format(max) + ", not " + PolicyDuration.Format(value) + ".");
            }

            return value;
        }

        private static IReadOnlyDictionary<string, string> CheckMetadata(IEnumerable<KeyValuePair<string, string>> entries, string schedule, Sites sites)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                if (entry.Key == null) throw sites.At("metadata").Error(PolicyException.ValueEmpty, "a metadata key cannot be empty.");
                if (entry.Value == null) throw sites.At("metadata", entry.Key).Error(PolicyException.MetadataInvalid, "the value must be a text.");
                // SnapshotService decides what image metadata is acceptable; asking it key by key tells which key is bad.
                CheckWithService(new Dictionary<string, string> { [entry.Key] = entry.Value }, schedule, sites.At("metadata", entry.Key));
                result[entry.Key] = entry.Value;
            }

            CheckWithService(result, schedule, sites.At("metadata"));
            return new ReadOnlyDictionary<string, string>(result);
        }

        private static void CheckWithService(IReadOnlyDictionary<string, string> metadata, string schedule, ErrorSite site)
        {
            try
            {
                SnapshotService.BuildMetadata("00000000-0000-0000-0000-000000000000", schedule, "check", metadata);
            }
            catch (ArgumentException e)
            {
                throw site.Error(PolicyException.MetadataInvalid, Lower(MessageOf(e)), e);
            }
        }

        private static string CheckNameTemplate(string template, string schedule, ErrorSite site)
        {
            if (!Regex.IsMatch(template, NameTemplatePattern.Replace("$", "\\z"), RegexOptions.CultureInvariant))
            {
                Match bad = Braced.Matches(template).Cast<Match>().First(m => !Placeholders.Any(p => m.Value == "{" + p + "}"));
                string known = string.Join(", ", Placeholders.Select(p => "{" + p + "}"));
                throw site.Error(PolicyException.NameTemplateInvalid, bad.Length == 1
                    ? "a '" + bad.Value + "' that is not part of a placeholder; placeholders are " + known + "."
                    : "'" + bad.Value + "' is not a placeholder; use " + known + ".");
            }

            try
            {
                var sample = new RackspaceServer("00000000-0000-0000-0000-000000000000", "server", "ACTIVE", null, "REGION", null,
                                                 new Dictionary<string, string>());
                SnapshotService.FormatName(template, sample, schedule, new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));
            }
            catch (ArgumentException e)
            {
                throw site.Error(PolicyException.NameTemplateInvalid, Lower(MessageOf(e)), e);
            }

            return template;
        }

        /// <summary>An ArgumentException's own message, without the " (Parameter 'x')" the runtime appends.</summary>
        internal static string MessageOf(ArgumentException e)
        {
            string message = e.Message;
            if (e.ParamName != null)
            {
                string suffix = new ArgumentException(string.Empty, e.ParamName).Message;
                if (suffix.Length > 0 && message.EndsWith(suffix, StringComparison.Ordinal)) message = message.Substring(0, message.Length - suffix.Length);
            }

            return message;
        }

        internal static string Lower(string message) =>
            message.Length > 1 && char.IsUpper(message[0]) && char.IsLower(message[1]) ? char.ToLowerInvariant(message[0]) + message.Substring(1) : message;
    }
}
