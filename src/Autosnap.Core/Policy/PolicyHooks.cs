using System;
using System.Collections.Generic;
using Autosnap.Engine;

namespace Autosnap.Policy
{
    /// <summary>
    /// A policy file's hooks: a command before the snapshot and one after the disk is captured (external processes, no
    /// shell), how long each may run, and what a failed before-snapshot hook means. Always valid.
    /// </summary>
    public sealed class PolicyHooks
    {
        /// <summary>The words of onHookFailure.</summary>
        internal static readonly IReadOnlyDictionary<string, HookFailureAction> FailureActions =
            new Dictionary<string, HookFailureAction>(StringComparer.Ordinal) { ["skip"] = HookFailureAction.Skip, ["snapshot"] = HookFailureAction.Snapshot };

        /// <exception cref="PolicyException">No command at all, or a timeout out of range.</exception>
        public PolicyHooks(HookCommand? before, HookCommand? after, TimeSpan? timeout = null, HookFailureAction onHookFailure = HookFailureAction.Skip)
            : this(before, after, timeout, onHookFailure, Sites.InCode().Child("hooks"))
        {
        }

        internal PolicyHooks(HookCommand? before, HookCommand? after, TimeSpan? timeout, HookFailureAction onHookFailure, Sites sites)
        {
            if (before == null && after == null) throw sites.At().Error(PolicyException.ValueEmpty, "runs nothing; give before, after or both, or leave hooks out.");
            if (timeout.HasValue && (timeout.Value <= TimeSpan.Zero || timeout.Value > HookOptions.MaxTimeout))
            {
                throw sites.At("timeout").Error(PolicyException.ValueOutOfRange,
                    "must be longer than zero and at most " + PolicyDuration.Format(HookOptions.MaxTimeout) + ", not " + PolicyDuration.Format(timeout.Value) + ".");
            }
            Before = before;
            After = after;
            Timeout = timeout ?? HookOptions.DefaultTimeout;
            OnHookFailure = onHookFailure;
        }

        public HookCommand? Before { get; }
        public HookCommand? After { get; }
        public TimeSpan Timeout { get; }
        public HookFailureAction OnHookFailure { get; }

        /// <summary>The hooks as a job runs them: processes, reporting to <paramref name="host"/>.</summary>
        public HookOptions ToOptions(IJobHost host) =>
            new HookOptions(new ProcessHooks(Before, After, host)) { Timeout = Timeout, OnHookFailure = OnHookFailure };
    }
}
