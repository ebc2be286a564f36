using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Engine;

namespace Autosnap.Cmdlets
{
    /// <summary>
    /// -BeforeSnapshot and -AfterSnapshot: script blocks run on the pipeline thread, marshalled there like the engine's
    /// messages (a script block can run nowhere else), in the caller's scope. The before-snapshot block gets the server;
    /// the after-snapshot block gets the server, the snapshot (null when none was made or it is gone) and the outcome
    /// ("captured", "failed", "timedout", "cancelled", "skipped"). A block fails when it throws (a terminating error)
    /// or outputs $false; anything else it outputs goes to the verbose stream. The after-snapshot block runs even when
    /// the command is being stopped (Ctrl+C), because it is what resumes the server's writes.
    /// </summary>
    internal sealed class ScriptBlockHooks : ISnapshotHooks
    {
        private readonly ScriptBlock? _before;
        private readonly ScriptBlock? _after;
        private readonly PipelineHost _host;

        public ScriptBlockHooks(ScriptBlock? before, ScriptBlock? after, PipelineHost host)
        {
            _before = before;
            _after = after;
            _host = host;
        }

        public bool HasBefore => _before != null;
        public bool HasAfter => _after != null;

        public Task BeforeAsync(HookContext context, CancellationToken cancellationToken) =>
            _before == null ? Task.CompletedTask : Task.Run(() => Run("before-snapshot", _before, context, false, context.Server), CancellationToken.None);

        public Task AfterAsync(HookContext context, CancellationToken cancellationToken) =>
            _after == null ? Task.CompletedTask
                : Task.Run(() => Run("after-snapshot", _after, context, true, context.Server, context.Snapshot, context.OutcomeText), CancellationToken.None);

        private void Run(string which, ScriptBlock block, HookContext context, bool evenWhenStopping, params object?[] arguments)
        {
            string? failure = _host.InvokeEvenIfStopping<string>(() =>
            {
                try
                {
                    var output = evenWhenStopping && _host.Token.IsCancellationRequested ? InvokeNested(block, arguments) : block.Invoke(arguments);
                    foreach (PSObject? item in output)
                    {
                        if (item?.BaseObject is bool flag && !flag) return "it returned $false";
                        if (item != null) _host.Verbose($"{which} hook of {context.Server.Name}: {item}");
                    }
                    return null;
                }
                catch (RuntimeException e)
                {
                    return e.ErrorRecord?.Exception?.Message ?? e.Message;
                }
            }, evenWhenStopping);
            if (failure != null) throw new HookFailedException(failure);
        }

        /// <summary>
        /// A stopping command's pipeline refuses to run script (every statement throws PipelineStoppedException), so
        /// the after-snapshot block of a stopped command runs in a pipeline of its own, nested in the same runspace
        /// on this thread.
        /// </summary>
        private static System.Collections.ObjectModel.Collection<PSObject> InvokeNested(ScriptBlock block, object?[] arguments)
        {
            using PowerShell nested = PowerShell.Create(RunspaceMode.CurrentRunspace);
            nested.AddScript("param($__hook, $__arguments) & $__hook @__arguments").AddArgument(block).AddArgument(arguments);
            var output = nested.Invoke();
            if (nested.HadErrors && nested.Streams.Error.Count > 0 && nested.InvocationStateInfo.Reason != null)
            {
                throw new RuntimeException(nested.InvocationStateInfo.Reason.Message, nested.InvocationStateInfo.Reason);
            }
            return output;
        }
    }
}
