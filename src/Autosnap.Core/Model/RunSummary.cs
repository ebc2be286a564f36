using System;
using System.Diagnostics;

namespace Autosnap.Model
{
    /// <summary>The totals of a run, for its final summary line.</summary>
    public sealed class RunSummary
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();

        public int Servers { get; private set; }
        public int Succeeded { get; private set; }
        public int Failed { get; private set; }
        public int Skipped { get; private set; }
        public int Created { get; private set; }
        public int Deleted { get; private set; }
        public TimeSpan Elapsed => _watch.Elapsed;

        public void Add(SnapshotJobResult result)
        {
            Servers++;
            Created += result.Created;
            Deleted += result.Deleted;
            switch (result.Status)
            {
                case JobStatus.Succeeded: Succeeded++; break;
                case JobStatus.Failed: Failed++; break;
                default: Skipped++; break;
            }
        }

        public override string ToString() =>
            $"{Servers} server(s): {Succeeded} succeeded, {Failed} failed, {Skipped} skipped; {Created} snapshot(s) created, {Deleted} deleted; {Elapsed:hh\\:mm\\:ss}";
    }
}
