using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using System.Xml.Linq;
using Autosnap.Tests.Policy;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Autosnap.Tests.Notify
{
    /// <summary>
    /// The scheduler examples under docs/scheduling parse (YAML, Task Scheduler XML, a PowerShell runbook), keep the
    /// rules the README gives for them, and pass autosnap.ps1 only options it has.
    /// </summary>
    public class SchedulingExamplesTests
    {
        private static string Example(string name) => PolicyTestSupport.RepositoryFile("docs/scheduling/" + name);

        /// <summary>The options autosnap.ps1 binds (its Read-Options parameters) and the common ones it honours.</summary>
        private static readonly Lazy<HashSet<string>> Options = new Lazy<HashSet<string>>(() =>
        {
            ScriptBlockAst script = Parser.ParseFile(PolicyTestSupport.RepositoryFile("module/autosnap.ps1"), out _, out ParseError[] errors);
            Assert.Empty(errors);
            var readOptions = (FunctionDefinitionAst)script.Find(ast => ast is FunctionDefinitionAst f && f.Name == "Read-Options", true)!;
            var names = new HashSet<string>(readOptions.Body.ParamBlock.Parameters.Select(p => p.Name.VariablePath.UserPath), StringComparer.OrdinalIgnoreCase)
            {
                "Verbose", "WhatIf", "Debug",
            };
            return names;
        });

        /// <summary>The options in a list of arguments: each "-Name" after the script's path.</summary>
        private static IEnumerable<string> OptionsIn(IEnumerable<string> arguments) =>
            arguments.SkipWhile(a => !a.EndsWith("autosnap.ps1", StringComparison.Ordinal)).Skip(1)
                     .Where(a => a.StartsWith("-", StringComparison.Ordinal)).Select(a => a.Substring(1).Split(':')[0]);

        private static void AssertRealOptions(IReadOnlyCollection<string> used, string where)
        {
            Assert.NotEmpty(used);
            Assert.Equal(string.Empty, string.Join(", ", used.Where(o => !Options.Value.Contains(o)).Select(o => $"{where}: -{o}")));
        }

        [Fact]
        public void The_kubernetes_cronjobs_forbid_overlap_take_the_credential_from_a_secret_and_name_real_options()
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(Example("kubernetes-cronjob.yaml"))) stream.Load(reader);
            var cronJobs = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).Where(n => ((YamlScalarNode)n["kind"]).Value == "CronJob").ToList();

            Assert.Equal(2, cronJobs.Count);
            foreach (YamlMappingNode job in cronJobs)
            {
                string name = ((YamlScalarNode)((YamlMappingNode)job["metadata"])["name"]).Value!;
                var spec = (YamlMappingNode)job["spec"];
                Assert.Equal("Forbid", ((YamlScalarNode)spec["concurrencyPolicy"]).Value);
                var pod = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)spec["jobTemplate"])["spec"])["template"])["spec"];
                var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Children.Single();
                var command = ((YamlSequenceNode)container["command"]).Children.Concat(((YamlSequenceNode)container["args"]).Children)
                    .Select(n => ((YamlScalarNode)n).Value!).ToList();
                Assert.Equal("pwsh", command[0]);
                AssertRealOptions(OptionsIn(command).ToList(), name);
                // The credential comes from a secret, and no credential is written out in the file.
                Assert.Contains(((YamlSequenceNode)container["envFrom"]).Children, e => ((YamlMappingNode)e).Children.ContainsKey(new YamlScalarNode("secretRef")));
                Assert.False(container.Children.ContainsKey(new YamlScalarNode("env")), $"{name}: credentials belong in the secret, not in env");
            }
        }

        [Fact]
        public void The_task_scheduler_task_never_overlaps_and_names_real_options()
        {
            XDocument task = XDocument.Load(Example("windows-task.xml"));
            XNamespace ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";

            Assert.Equal("IgnoreNew", task.Root!.Element(ns + "Settings")!.Element(ns + "MultipleInstancesPolicy")!.Value);
            XElement exec = task.Root.Element(ns + "Actions")!.Element(ns + "Exec")!;
            Assert.Equal("pwsh.exe", exec.Element(ns + "Command")!.Value);
            // Task Scheduler hands the arguments over as one command line; PowerShell's tokenizer splits it as pwsh would.
            Token[] tokens;
            Parser.ParseInput("pwsh " + exec.Element(ns + "Arguments")!.Value, out tokens, out _);
            List<string> arguments = tokens.Where(t => t.Kind != TokenKind.EndOfInput).Skip(1)
                .Select(t => t is StringToken s ? s.Value : t.Text).ToList();
            AssertRealOptions(OptionsIn(arguments).ToList(), "windows-task.xml");
        }

        [Fact]
        public void The_azure_automation_runbook_parses_and_calls_autosnap_with_real_options()
        {
            ScriptBlockAst runbook = Parser.ParseFile(Example("azure-automation-runbook.ps1"), out _, out ParseError[] errors);

            Assert.Empty(errors);
            var calls = runbook.FindAll(ast => ast is CommandAst c && c.InvocationOperator == TokenKind.Ampersand &&
                                               c.CommandElements[0] is VariableExpressionAst v && v.VariablePath.UserPath == "autosnap", true)
                               .Cast<CommandAst>().ToList();
            CommandAst call = Assert.Single(calls);
            AssertRealOptions(call.CommandElements.OfType<CommandParameterAst>().Select(p => p.ParameterName).ToList(), "azure-automation-runbook.ps1");
            Assert.DoesNotContain(call.CommandElements.OfType<CommandParameterAst>(), p => p.ParameterName == "NotifyUrl");
        }
    }
}
