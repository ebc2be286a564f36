using System;

namespace Autosnap.Policy
{
    /// <summary>
    /// A policy (from a file, from server metadata or from parameters) that cannot be used. <see cref="ErrorId"/> is
    /// stable, so a cmdlet can put it into an ErrorRecord and a script or test can match it; <see cref="Field"/> names
    /// the bad field and the message says where it is and what is wrong with it. Errors the retention policy finds
    /// carry <see cref="Rotation.RetentionPolicyException"/>'s ErrorId (RetentionPolicy*, TimeZoneNotFound) and keep
    /// that exception as the inner one.
    /// </summary>
    public sealed class PolicyException : Exception
    {
        /// <summary>The policy file does not exist.</summary>
        public const string FileNotFound = "PolicyFileNotFound";

        /// <summary>The policy file exists but cannot be read (permissions, I/O, not UTF-8 text).</summary>
        public const string FileUnreadable = "PolicyFileUnreadable";

        /// <summary>The text is not JSON (with comments): syntax, single quotes, trailing commas, octal or hex numbers...</summary>
        public const string FileNotJson = "PolicyFileNotJson";

        /// <summary>A key that this object does not have (the message suggests the closest known key).</summary>
        public const string FieldUnknown = "PolicyFieldUnknown";

        /// <summary>The same key twice in one object.</summary>
        public const string FieldDuplicate = "PolicyFieldDuplicate";

        /// <summary>A value of the wrong JSON type (a string where a number belongs, null, a fraction for a count...).</summary>
        public const string FieldType = "PolicyFieldType";

        /// <summary>A required field is missing (policies, schedule, targets, retention).</summary>
        public const string FieldMissing = "PolicyFieldMissing";

        /// <summary>Two fields that cannot be given together (regions and allRegions, all and names...).</summary>
        public const string FieldConflict = "PolicyFieldConflict";

        /// <summary>An empty string, list or object where something is needed.</summary>
        public const string ValueEmpty = "PolicyValueEmpty";

        /// <summary>The same value twice in a list (regions, names, ids), or two policies with the same name.</summary>
        public const string ValueDuplicate = "PolicyValueDuplicate";

        /// <summary>A value that is not one of the allowed ones (onServerDeleted, a server id that is no UUID, a flag...).</summary>
        public const string ValueInvalid = "PolicyValueInvalid";

        /// <summary>A number or a duration outside its range (counts above 100000, throttleLimit outside 1..256...).</summary>
        public const string ValueOutOfRange = "PolicyValueOutOfRange";

        /// <summary>A duration that is neither a TimeSpan ("20:00:00", "6.00:00:00") nor a short form ("20h", "1d12h").</summary>
        public const string DurationInvalid = "PolicyDurationInvalid";

        /// <summary>A schedule name that SnapshotService refuses.</summary>
        public const string ScheduleInvalid = "PolicyScheduleInvalid";

        /// <summary>Image metadata that SnapshotService refuses (reserved keys, lengths, too many items).</summary>
        public const string MetadataInvalid = "PolicyMetadataInvalid";

        /// <summary>A snapshot name template with an unknown placeholder or one that gives an empty name.</summary>
        public const string NameTemplateInvalid = "PolicyNameTemplateInvalid";

        /// <summary>Targets that select nothing: no names, ids or metadata and no "all": true.</summary>
        public const string TargetsEmpty = "PolicyTargetsEmpty";

        /// <summary>Two policies that would both rotate the same pool (server, schedule).</summary>
        public const string PoolConflict = "PolicyPoolConflict";

        /// <summary>A server metadata value "autosnap:&lt;schedule&gt;" whose rule text cannot be read.</summary>
        public const string RuleSyntax = "PolicyRuleSyntax";

        /// <summary>A server metadata value longer than the 255 characters Nova and Rackspace store.</summary>
        public const string RuleTooLong = "PolicyRuleTooLong";

        public PolicyException(string errorId, string message, string? field = null, Exception? innerException = null)
            : this(errorId, message, field, null, null, null, innerException)
        {
        }

        public PolicyException(string errorId, string message, string? field, string? sourceName, int? line, int? position,
                               Exception? innerException = null)
            : base(message, innerException)
        {
            ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
            Field = field;
            SourceName = sourceName;
            Line = line;
            Position = position;
        }

        /// <summary>The stable error id: one of the constants of this class, or of RetentionPolicyException.</summary>
        public string ErrorId { get; }

        /// <summary>
        /// The bad field: a JSON path such as "policies[1].retention.keepDaily" for a policy file, the metadata key
        /// ("autosnap:daily") for server metadata, the property name for a policy built in code; null when the
        /// problem is not a field's (a file that is not JSON).
        /// </summary>
        public string? Field { get; }

        /// <summary>The file (as given to Load or Parse), or the server ("server web1 (id)"); null for a policy built in code.</summary>
        public string? SourceName { get; }

        /// <summary>The line in the file (1-based), when known.</summary>
        public int? Line { get; }

        /// <summary>The position in that line (as Newtonsoft counts it: the column where the token ends), when known.</summary>
        public int? Position { get; }
    }
}
