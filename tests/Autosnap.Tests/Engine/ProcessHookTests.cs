using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Tests.EndToEnd;
using Xunit;

namespace Autosnap.Tests.Engine
{
    /// <summary>Policy-file hooks as processes: no shell, arguments as a list, Autosnap's variables in, no credential.</summary>
    public class ProcessHookTests : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "autosnap-hooks-" + Guid.NewGuid().ToString("N"));

        public ProcessHookTests() => Directory.CreateDirectory(_directory);

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private static HookContext Context(CaptureOutcome? outcome = null, string? imageId = null)
        {
            var server = new RackspaceServer("0b1c2d3e-0000-4000-8000-000000000001", "db 1", "ACTIVE", null, "DFW", null, new Dictionary<string, string>());
            var context = new HookContext(server, "daily");
            context.ImageId = imageId;
            context.Outcome = outcome;
            return context;
        }

        [Fact]
        public void The_environment_has_autosnaps_variables_and_none_of_the_credential_ones()
        {
            var inherited = new Dictionary<string, string>
            {
                ["PATH"] = "/usr/bin", ["HOME"] = "/root",
                ["RACKSPACE_API_KEY"] = "k-secret", ["RACKSPACE_USERNAME"] = "jdoe", ["OS_PASSWORD"] = "p-secret",
                ["OS_APPLICATION_CREDENTIAL_SECRET"] = "a-secret", ["os_token"] = "t-secret", ["AUTOSNAP_IMAGE_ID"] = "stale",
            };

            IDictionary<string, string> before = ProcessHooks.EnvironmentFor(Context(), after: false, inherited);
            IDictionary<string, string> after = ProcessHooks.EnvironmentFor(Context(CaptureOutcome.Captured, "img-1"), after: true, inherited);

            Assert.Equal(new[] { "AUTOSNAP_REGION", "AUTOSNAP_SCHEDULE", "AUTOSNAP_SERVER_ID", "AUTOSNAP_SERVER_NAME", "HOME", "PATH" },
                         before.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(("db 1", "0b1c2d3e-0000-4000-8000-000000000001", "daily", "DFW"),
                         (before["AUTOSNAP_SERVER_NAME"], before["AUTOSNAP_SERVER_ID"], before["AUTOSNAP_SCHEDULE"], before["AUTOSNAP_REGION"]));
            Assert.Equal(("img-1", "captured"), (after["AUTOSNAP_IMAGE_ID"], after["AUTOSNAP_OUTCOME"]));
            Assert.DoesNotContain(after.Values, v => v.Contains("secret"));
        }

        [Theory]
        [InlineData("plain")]
        [InlineData("two words")]
        [InlineData("")]
        [InlineData("say \"hi\"")]
        [InlineData("C:\\dir with space\\")]
        [InlineData("back\\\\slash\\\"quote")]
        [InlineData("$HOME; rm -rf / `x` | y")]
        public async Task Each_argument_arrives_as_it_was_given_without_a_shell(string argument)
        {
            string output = Path.Combine(_directory, "args");
            var hooks = new ProcessHooks(new HookCommand("sh", new[] { "-c", "printf '%s\\n' \"$#\" \"$1\" > \"$0\"", output, argument }), null, new RecordingHost());

            await hooks.BeforeAsync(Context(), CancellationToken.None);

            Assert.Equal(new[] { "1", argument }, File.ReadAllText(output).Split('\n').Take(2));
        }

        [Fact]
        public async Task The_process_gets_the_variables_and_its_output_goes_to_the_verbose_stream()
        {
            var host = new RecordingHost();
            var hooks = new ProcessHooks(null, new HookCommand("sh", new[] { "-c", "echo \"$AUTOSNAP_SERVER_NAME $AUTOSNAP_OUTCOME $AUTOSNAP_IMAGE_ID ${RACKSPACE_API_KEY:-none}\"" }), host);

            await hooks.AfterAsync(Context(CaptureOutcome.TimedOut, "img-2"), CancellationToken.None);

            Assert.Contains("after-snapshot hook of db 1: db 1 timedout img-2 none", host.Messages);
        }

        [Fact]
        public async Task An_exit_code_other_than_zero_fails_the_hook_with_its_last_error_line()
        {
            var hooks = new ProcessHooks(new HookCommand("sh", new[] { "-c", "echo one >&2; echo 'cannot lock tables' >&2; exit 3" }), null, new RecordingHost());

            var failure = await Assert.ThrowsAsync<HookFailedException>(() => hooks.BeforeAsync(Context(), CancellationToken.None));

            Assert.Equal("'sh' exited with code 3: cannot lock tables", failure.Message);
        }

        [Fact]
        public async Task A_command_that_does_not_exist_fails_the_hook()
        {
            var hooks = new ProcessHooks(new HookCommand(Path.Combine(_directory, "no-such-freeze")), null, new RecordingHost());

            var failure = await Assert.ThrowsAsync<HookFailedException>(() => hooks.BeforeAsync(Context(), CancellationToken.None));

            Assert.StartsWith($"'{Path.Combine(_directory, "no-such-freeze")}' could not be started", failure.Message);
        }

        [Fact]
        public async Task Cancelling_a_hook_kills_its_whole_process_tree()
        {
            string pidFile = Path.Combine(_directory, "child");
            // A shell that starts a child and waits for it: killing the shell alone would leave the child running.
            var hooks = new ProcessHooks(new HookCommand("sh", new[] { "-c", "sleep 60 & echo $! > \"$0\"; wait", pidFile }), null, new RecordingHost());
            using var stop = new CancellationTokenSource();

            Task run = hooks.BeforeAsync(Context(), stop.Token);
            while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0) await Task.Delay(20);
            int child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            stop.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.False(IsRunning(child), $"the child {child} still runs");
        }

        private static bool IsRunning(int pid)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                // a reaped child is gone; an unreaped one is a zombie, which no longer runs
                return !process.HasExited && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ");
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }
}
