using System;

namespace Autosnap.Rotation
{
    /// <summary>
    /// A retention policy (or its time zone) that cannot be used. <see cref="ErrorId"/> is stable, so a cmdlet can
    /// put it into an ErrorRecord and a script or test can match it; the message names the bad value.
    /// </summary>
    public sealed class RetentionPolicyException : ArgumentException
    {
        /// <summary>A count is below zero (-Retention, -KeepLast ... -KeepYearly).</summary>
        public const string NegativeCount = "RetentionPolicyNegativeCount";

        /// <summary>-KeepWithin is zero or negative.</summary>
        public const string InvalidWithin = "RetentionPolicyInvalidWithin";

        /// <summary>Bucket rules that keep nothing: every count is zero and -KeepWithin is not set.</summary>
        public const string KeepsNothing = "RetentionPolicyKeepsNothing";

        /// <summary>-Retention together with bucket rules.</summary>
        public const string Conflict = "RetentionPolicyConflict";

        /// <summary>Neither -Retention nor any bucket rule was given.</summary>
        public const string Missing = "RetentionPolicyMissing";

        /// <summary>A time zone id that is neither an IANA nor a Windows id known to this machine.</summary>
        public const string TimeZoneNotFound = "TimeZoneNotFound";

        private readonly string message;

        public RetentionPolicyException(string errorId, string message, string? paramName = null, Exception? innerException = null)
            : base(message, paramName, innerException)
        {
            ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
            this.message = message;
        }

        /// <summary>The stable error id, one of the constants of this class.</summary>
        public string ErrorId { get; }

        /// <summary>
        /// The message alone. ArgumentException would append "(Parameter 'KeepDaily')", which reads badly in a
        /// PowerShell error; the parameter is still available as <see cref="ArgumentException.ParamName"/>.
        /// </summary>
        public override string Message => message;
    }
}
