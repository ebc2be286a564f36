using System.Threading;
using Autosnap.Cloud;

namespace Autosnap.Engine
{
    /// <summary>A progress record, as the engine reports it; the cmdlet turns it into Write-Progress.</summary>
    public sealed class ProgressUpdate
    {
        public ProgressUpdate(int activityId, string activity, string status, int? percentComplete = null, bool completed = false,
                              int parentActivityId = NoParent)
        {
            ActivityId = activityId;
            Activity = activity;
            Status = status;
            PercentComplete = percentComplete;
            Completed = completed;
            ParentActivityId = parentActivityId;
        }

        /// <summary>A bar of its own, under no other (Write-Progress's -ParentId default).</summary>
        public const int NoParent = -1;

        public int ActivityId { get; }

        /// <summary>The bar this one shows under (a fleet run's "n of N jobs"), or <see cref="NoParent"/>.</summary>
        public int ParentActivityId { get; }

        /// <summary>The same update under another bar.</summary>
        public ProgressUpdate Under(int parentActivityId) =>
            new ProgressUpdate(ActivityId, Activity, Status, PercentComplete, Completed, parentActivityId);
        public string Activity { get; }
        public string Status { get; }
        public int? PercentComplete { get; }
        public bool Completed { get; }
    }

    /// <summary>
    /// Activity ids for progress bars: each one taken once per process, so two bars (two snapshots of one run, a
    /// fleet's bar and its jobs', two runspaces) never share one, which a hash of the image id could not promise.
    /// They start far from the small numbers scripts use for their own Write-Progress -Id.
    /// </summary>
    public static class ProgressIds
    {
        private const int First = 0x41530000;
        private static int s_last = First - 1;

        public static int Next()
        {
            int id = Interlocked.Increment(ref s_last);
            while (id < First)
            {
                // Past int.MaxValue: start again from the first rather than go negative (Write-Progress refuses that).
                Interlocked.CompareExchange(ref s_last, First - 1, id);
                id = Interlocked.Increment(ref s_last);
            }
            return id;
        }
    }

    /// <summary>
    /// A host that puts every progress bar without a parent under the given one, and passes everything else on:
    /// how a fleet run's jobs show under its "n of N jobs" bar without each job knowing it runs in a fleet.
    /// </summary>
    public sealed class ChildProgressHost : IJobHost
    {
        private readonly IJobHost _inner;
        private readonly int _parentActivityId;

        public ChildProgressHost(IJobHost inner, int parentActivityId)
        {
            _inner = inner;
            _parentActivityId = parentActivityId;
        }

        public void Verbose(string message) => _inner.Verbose(message);
        public void Debug(string message) => _inner.Debug(message);
        public void Warning(string message) => _inner.Warning(message);
        public bool ShouldProcess(string target, string action) => _inner.ShouldProcess(target, action);

        public void Progress(ProgressUpdate update) =>
            _inner.Progress(update.ParentActivityId == ProgressUpdate.NoParent ? update.Under(_parentActivityId) : update);
    }

    /// <summary>
    /// What the engine needs from whoever runs it: somewhere to report, and someone to ask before deleting.
    /// Cmdlets implement it by queueing onto the pipeline thread (Write* from other threads throws); tests
    /// implement it with lists. May be called from any thread.
    /// </summary>
    public interface IJobHost : ICloudLog
    {
        void Warning(string message);

        void Progress(ProgressUpdate update);

        /// <summary>-WhatIf / -Confirm: true to go ahead. May block until the user answers.</summary>
        bool ShouldProcess(string target, string action);
    }
}
