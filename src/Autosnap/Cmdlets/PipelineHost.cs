using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Engine;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// Runs engine work on the thread pool while this (the pipeline) thread carries out everything that must happen
    /// on it: Write-Verbose, Write-Progress, WriteObject, WriteError and ShouldProcess. Engine threads post actions;
    /// <see cref="Pump"/> executes them in order until the work is done. Calling Write* from another thread throws,
    /// and Ctrl+C must reach the work: both are why this exists.
    /// </summary>
    internal sealed class PipelineHost : IJobHost, IDisposable
    {
        private readonly AutosnapCmdlet _cmdlet;
        private readonly BlockingCollection<Action> _queue = new BlockingCollection<Action>();
        private readonly CancellationTokenSource _stopping;
        private readonly int _pipelineThread = Thread.CurrentThread.ManagedThreadId;
        private Exception? _pipelineFailure;
        // Actions that run even while the queue drains after a failure (an after-snapshot hook waits for its answer).
        private readonly ConcurrentDictionary<Action, bool> _mustRun = new ConcurrentDictionary<Action, bool>();

        public PipelineHost(AutosnapCmdlet cmdlet, CancellationToken cancellationToken)
        {
            _cmdlet = cmdlet;
            _stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        }

        /// <summary>Cancelled by Ctrl+C or when the pipeline stops taking our output (e.g. Select-Object -First).</summary>
        public CancellationToken Token => _stopping.Token;

        public T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            Task<T> task = Task.Run(() => work(Token));
            task.ContinueWith(_ => _queue.CompleteAdding(), TaskScheduler.Default);
            Pump();
            if (_pipelineFailure != null)
            {
                // The pipeline refused our output or is stopping: that, not the cancelled work, is the news.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_pipelineFailure).Throw();
            }
            return task.GetAwaiter().GetResult();
        }

        private void Pump()
        {
            foreach (Action action in _queue.GetConsumingEnumerable())
            {
                if (_pipelineFailure != null && !_mustRun.ContainsKey(action))
                {
                    continue; // drain: the work is being cancelled and nobody may write any more
                }
                try
                {
                    action();
                }
                catch (Exception e) when (e is PipelineStoppedException || e is OperationCanceledException || e is ActionPreferenceStopException ||
                                          e is RuntimeException)
                {
                    _pipelineFailure = e;
                    _stopping.Cancel();
                }
            }
        }

        /// <summary>Queues an action for the pipeline thread (runs it at once when already there).</summary>
        public void Post(Action action)
        {
            if (Thread.CurrentThread.ManagedThreadId == _pipelineThread)
            {
                action();
                return;
            }
            try
            {
                _queue.Add(action);
            }
            catch (InvalidOperationException)
            {
                // The work already finished: a late message from a straggling task has nowhere to go.
            }
        }

        /// <summary>Runs a function on the pipeline thread and waits for its result.</summary>
        public T Invoke<T>(Func<T> function)
        {
            if (Thread.CurrentThread.ManagedThreadId == _pipelineThread)
            {
                return function();
            }
            var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(() =>
            {
                try { result.SetResult(function()); }
                catch (Exception e) { result.SetException(e); throw; }
            });
            using (Token.Register(() => result.TrySetCanceled()))
            {
                return result.Task.GetAwaiter().GetResult();
            }
        }

        /// <summary>
        /// Runs a function on the pipeline thread and waits for its answer, or for the stop of the command unless
        /// <paramref name="evenWhenStopping"/> (the after-snapshot hook: it resumes a server's writes, so a stop must not
        /// skip it). A failure of the function is its own business: it never stops the pump.
        /// </summary>
        public T? InvokeEvenIfStopping<T>(Func<T?> function, bool evenWhenStopping) where T : class
        {
            if (Thread.CurrentThread.ManagedThreadId == _pipelineThread) return function();
            var result = new TaskCompletionSource<T?>(TaskCreationOptions.RunContinuationsAsynchronously);
            Action action = () =>
            {
                try { result.TrySetResult(function()); }
                catch (Exception e) { result.TrySetException(e); }
            };
            if (evenWhenStopping) _mustRun[action] = true;
            try
            {
                _queue.Add(action);
            }
            catch (InvalidOperationException)
            {
                throw new OperationCanceledException("The command has ended; the hook cannot run any more.");
            }
            if (evenWhenStopping) return result.Task.GetAwaiter().GetResult();
            using (Token.Register(() => result.TrySetCanceled()))
            {
                return result.Task.GetAwaiter().GetResult();
            }
        }

        public void Verbose(string message) => Post(() => _cmdlet.WriteVerbose(message));

        public void Debug(string message) => Post(() => _cmdlet.WriteDebug(message));

        public void Warning(string message) => Post(() => _cmdlet.WriteWarning(message));

        public void Progress(ProgressUpdate update) => Post(() =>
        {
            var record = new ProgressRecord(update.ActivityId, update.Activity, update.Status)
            {
                PercentComplete = update.PercentComplete ?? -1,
                ParentActivityId = update.ParentActivityId,
                RecordType = update.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            _cmdlet.WriteProgress(record);
        });

        public bool ShouldProcess(string target, string action) => Invoke(() => _cmdlet.ShouldProcess(target, action));

        public void Dispose()
        {
            _queue.Dispose();
            _stopping.Dispose();
        }
    }
}
