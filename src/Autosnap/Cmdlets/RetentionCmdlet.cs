using System;
using System.Linq;
using System.Management.Automation;
using Autosnap.Rotation;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// The retention parameters shared by every cmdlet that rotates: -Retention N (the original script's "minimum
    /// retention": keep the newest N+1 good images) or the bucket rules -KeepLast/-KeepHourly/.../-KeepWithin in a
    /// -TimeZone. Combining the two, or a policy that keeps nothing, ends the command before anything is listed.
    /// The parameters are virtual so that a cmdlet with several parameter sets can bind them to the sets where they
    /// work (PowerShell reads the attributes of the override).
    /// </summary>
    public abstract class RetentionCmdlet : AutosnapCmdlet
    {
        /// <summary>Keep the newest N+1 good images (N old ones plus the new one).</summary>
        [Parameter]
        [ValidateRange(0, 9999)]
        public virtual int? Retention { get; set; }

        /// <summary>Keep the newest n good images.</summary>
        [Parameter]
        [ValidateRange(0, 9999)]
        public virtual int KeepLast { get; set; }

        /// <summary>Keep the newest good image of each of the last n hours that have one.</summary>
        [Parameter]
        [ValidateRange(0, 9999)]
        public virtual int KeepHourly { get; set; }

        /// <summary>Keep the newest good image of each of the last n days that have one.</summary>
        [Parameter]
        [ValidateRange(0, 9999)]
        public virtual int KeepDaily { get; set; }

        /// <summary>Keep the newest good image of each of the last n ISO weeks that have one.</summary>
        [Parameter]
        [ValidateRange(0, 9999)]
        public virtual int KeepWeekly { get; set; }

        /// <summary>Keep the newest good image of each of the last n months that have one.</summary>
        [Parameter]
        [ValidateRange(0, 9999)]
        public virtual int KeepMonthly { get; set; }

        /// <summary>Keep the newest good image of each of the last n years that have one.</summary>
        [Parameter]
        [ValidateRange(0, 9999)]
        public virtual int KeepYearly { get; set; }

        /// <summary>Keep every good image created within this span of the newest good image.</summary>
        [Parameter]
        [DurationTransformation]
        public virtual TimeSpan? KeepWithin { get; set; }

        /// <summary>The time zone of the buckets (IANA or Windows id); the local zone when omitted.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(TimeZoneCompleter))]
        [ValidateNotNullOrEmpty]
        public virtual string? TimeZone { get; set; }

        /// <summary>Keep failed images instead of removing them once a newer good image exists.</summary>
        [Parameter]
        public virtual SwitchParameter KeepFailed { get; set; }

        /// <summary>The policy the parameters describe; invalid ones end the command with the policy's own error id.</summary>
        internal RetentionPolicy BuildPolicy()
        {
            try
            {
                var rules = new BucketRules
                {
                    KeepLast = KeepLast,
                    KeepHourly = KeepHourly,
                    KeepDaily = KeepDaily,
                    KeepWeekly = KeepWeekly,
                    KeepMonthly = KeepMonthly,
                    KeepYearly = KeepYearly,
                    KeepWithin = KeepWithin,
                };
                var bound = MyInvocation.BoundParameters;
                bool anyRule = new[] { nameof(KeepLast), nameof(KeepHourly), nameof(KeepDaily), nameof(KeepWeekly), nameof(KeepMonthly), nameof(KeepYearly), nameof(KeepWithin) }
                    .Any(bound.ContainsKey);
                TimeZoneInfo? zone = TimeZone != null ? TimeZones.Find(TimeZone) : null;
                return RetentionPolicy.FromParameters(Retention, anyRule ? rules : null, zone).WithKeepFailed(KeepFailed.IsPresent);
            }
            catch (RetentionPolicyException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidArgument, null));
                return null!;
            }
        }
    }

    /// <summary>Completes -TimeZone with the zones this machine knows.</summary>
    public sealed class TimeZoneCompleter : IArgumentCompleter
    {
        public System.Collections.Generic.IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters) =>
            RegionCompleter.Complete(System.Linq.Enumerable.Select(TimeZoneInfo.GetSystemTimeZones(), z => z.Id), wordToComplete);
    }
}
