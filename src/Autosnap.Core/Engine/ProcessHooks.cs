using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Autosnap.Engine
{
    /// <summary>An executable and its arguments, run without a shell (a policy file's hooks.before / hooks.after).</summary>
    public sealed class HookCommand
    {
        public HookCommand(string command, IReadOnlyList<string>? arguments = null)
        {
            if (string.IsNullOrWhiteSpace(command)) throw new ArgumentException("A hook command cannot be empty.", nameof(command));
            Command = command;
            Arguments = arguments ?? Array.Empty<string>();
        }

        public string Command { get; }
        public IReadOnlyList<string> Arguments { get; }

        public override string ToString() => string.Join(" ", new[] { Command }.Concat(Arguments).Select(ProcessHooks.QuoteArgument));
    }

    /// <summary>
    /// Hooks that are external processes. No shell: the command is started with its arguments as a list (quoted for
    /// the platform's argument parser, so a space or a quote stays inside its argument). The process gets Autosnap's
    /// environment without any credential variable (every RACKSPACE_* and OS_* variable is removed, and any AUTOSNAP_*
    /// one the caller had), plus AUTOSNAP_SERVER_ID, AUTOSNAP_SERVER_NAME, AUTOSNAP_SCHEDULE, AUTOSNAP_REGION and, for
    /// the after-snapshot hook, AUTOSNAP_IMAGE_ID (empty when no image was made) and AUTOSNAP_OUTCOME. Its output goes
    /// to the verbose stream line by line; an exit code other than 0 is a failure; a timeout kills it with its children.
    /// </summary>
    public sealed class ProcessHooks : ISnapshotHooks
    {
        /// <summary>Environment variable prefixes never passed to a hook: the credential sources Autosnap reads.</summary>
        public static readonly IReadOnlyList<string> WithheldPrefixes = new[] { "RACKSPACE_", "OS_", "AUTOSNAP_" };

        private readonly HookCommand? _before;
        private readonly HookCommand? _after;
        private readonly IJobHost _host;

        public ProcessHooks(HookCommand? before, HookCommand? after, IJobHost host)
        {
            _before = before;
            _after = after;
            _host = host;
        }

        public bool HasBefore => _before != null;
        public bool HasAfter => _after != null;

        public Task BeforeAsync(HookContext context, CancellationToken cancellationToken) =>
            _before == null ? Task.CompletedTask : RunAsync("before-snapshot", _before, context, cancellationToken);

        public Task AfterAsync(HookContext context, CancellationToken cancellationToken) =>
            _after == null ? Task.CompletedTask : RunAsync("after-snapshot", _after, context, cancellationToken);

        /// <summary>The environment a hook gets for <paramref name="context"/>: names and values, no secret.</summary>
        public static IDictionary<string, string> EnvironmentFor(HookContext context, bool after, IDictionary<string, string> inherited)
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in inherited)
            {
                if (WithheldPrefixes.Any(p => pair.Key.StartsWith(p, StringComparison.OrdinalIgnoreCase))) continue;
                environment[pair.Key] = pair.Value;
            }
            environment["AUTOSNAP_SERVER_ID"] = context.Server.Id;
            environment["AUTOSNAP_SERVER_NAME"] = context.Server.Name;
            environment["AUTOSNAP_SCHEDULE"] = context.Schedule;
            environment["AUTOSNAP_REGION"] = context.Region;
            if (after)
            {
                environment["AUTOSNAP_IMAGE_ID"] = context.ImageId ?? string.Empty;
                environment["AUTOSNAP_OUTCOME"] = context.OutcomeText ?? string.Empty;
            }
            return environment;
        }

        private async Task RunAsync(string which, HookCommand command, HookContext context, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(command.Command)
            {
                Arguments = string.Join(" ", command.Arguments.Select(QuoteArgument)),
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
            };
            var inherited = start.Environment.ToDictionary(p => p.Key, p => p.Value ?? string.Empty, StringComparer.Ordinal);
            start.Environment.Clear();
            foreach (var pair in EnvironmentFor(context, which.StartsWith("after", StringComparison.Ordinal), inherited)) start.Environment[pair.Key] = pair.Value;

            using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var outputDone = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var errorDone = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            string? lastError = null;
            string label = $"{which} hook of {context.Server.Name}";
            process.Exited += (_, _) => exited.TrySetResult(true);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data == null) outputDone.TrySetResult(true);
                else _host.Verbose($"{label}: {e.Data}");
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data == null) errorDone.TrySetResult(true);
                else
                {
                    if (e.Data.Trim().Length > 0) lastError = e.Data.Trim();
                    _host.Verbose($"{label} (stderr): {e.Data}");
                }
            };
            try
            {
                process.Start();
            }
            catch (Exception e) when (e is Win32Exception || e is InvalidOperationException || e is PlatformNotSupportedException)
            {
                throw new HookFailedException($"'{command.Command}' could not be started: {e.Message}", e);
            }
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using (cancellationToken.Register(() => KillTree(process)))
            {
                await exited.Task.ConfigureAwait(false);
                // The pipes close when the last process holding them ends; a killed tree closes them at once.
                await Task.WhenAll(outputDone.Task, errorDone.Task).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (process.ExitCode != 0)
            {
                throw new HookFailedException($"'{command.Command}' exited with code {process.ExitCode}" + (lastError != null ? $": {lastError}" : string.Empty));
            }
        }

        /// <summary>Ends the process and every process it started (a shell script's children too).</summary>
        private static void KillTree(Process process)
        {
            try
            {
                if (process.HasExited) return;
                // .NET Core 3.0 and later (PowerShell 7): Kill(entireProcessTree). .NET Framework (Windows PowerShell 5.1): taskkill /T.
                MethodInfo? killTree = typeof(Process).GetMethod("Kill", new[] { typeof(bool) });
                if (killTree != null)
                {
                    killTree.Invoke(process, new object[] { true });
                }
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    using Process? taskkill = Process.Start(new ProcessStartInfo("taskkill.exe", $"/PID {process.Id} /T /F") { UseShellExecute = false, CreateNoWindow = true });
                    taskkill?.WaitForExit(10_000);
                }
                else
                {
                    process.Kill();
                }
            }
            catch (Exception e) when (e is InvalidOperationException || e is Win32Exception || e is TargetInvocationException || e is NotSupportedException)
            {
                // It ended on its own meanwhile.
            }
        }

        /// <summary>
        /// One argument quoted for the command-line parser of Windows programs, which .NET also follows on Linux and macOS
        /// when it splits ProcessStartInfo.Arguments: quotes around it when it is empty or has a space or a quote;
        /// backslashes doubled only before a quote.
        /// </summary>
        public static string QuoteArgument(string argument)
        {
            if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0) return argument;
            var quoted = new StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in argument)
            {
                if (c == '\\')
                {
                    backslashes++;
                    continue;
                }
                quoted.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes);
                quoted.Append(c);
                backslashes = 0;
            }
            quoted.Append('\\', backslashes * 2);
            quoted.Append('"');
            return quoted.ToString();
        }
    }
}
