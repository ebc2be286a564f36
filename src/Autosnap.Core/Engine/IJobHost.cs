using Autosnap.Cloud;

namespace Autosnap.Engine
{
    /// <summary>A progress record, as the engine reports it; the cmdlet turns it into Write-Progress.</summary>
    public sealed class ProgressUpdate
    {
        public ProgressUpdate(int activityId, string activity, string status, int? percentComplete = null, bool completed = false)
        {
            ActivityId = activityId;
            Activity = activity;
            Status = status;
            PercentComplete = percentComplete;
            Completed = completed;
        }

        public int ActivityId { get; }
        public string Activity { get; }
        public string Status { get; }
        public int? PercentComplete { get; }
        public bool Completed { get; }
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
