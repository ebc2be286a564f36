using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using Autosnap.Cmdlets;
using Autosnap.Model;
using Autosnap.Policy;
using Autosnap.Tests.EndToEnd;
using Xunit;

namespace Autosnap.Tests.Policy
{
    /// <summary>
    /// One wildcard dialect: Get-RackspaceServer's -Name and -Metadata select exactly the servers a policy target with
    /// the same patterns selects: PowerShell's wildcards in both, so web[12] is web1 or web2 and `[ a literal bracket.
    /// </summary>
    public class WildcardDialectTests
    {
        private static PowerShell Shell()
        {
            InitialSessionState state = InitialSessionState.CreateDefault2();
            state.Commands.Add(new SessionStateCmdletEntry("Get-RackspaceServer", typeof(GetRackspaceServerCommand), null));
            return PowerShell.Create(state);
        }

        private static async Task SeedAsync(CloudHarness cloud, string namePrefix, int count, string role)
        {
            await cloud.AdminAsync(System.Net.Http.HttpMethod.Post, "servers",
                $"{{\"count\": {count}, \"namePrefix\": \"{namePrefix}\", \"regions\": [\"{cloud.Region}\"], \"metadata\": {{\"role\": \"{role}\"}}}}");
        }

        private static List<string> ByCmdlet(CloudHarness cloud, string[]? names, Hashtable? metadata)
        {
            using PowerShell shell = Shell();
            shell.AddCommand("Get-RackspaceServer").AddParameter("Session", cloud.Session);
            if (names != null) shell.AddParameter("Name", names);
            if (metadata != null) shell.AddParameter("Metadata", metadata);
            shell.AddParameter("ErrorAction", "SilentlyContinue");
            return shell.Invoke().Select(o => ((RackspaceServer)o.BaseObject).Name).OrderBy(n => n).ToList();
        }

        private static async Task<List<string>> ByPolicyAsync(CloudHarness cloud, TargetSelector selector)
        {
            IReadOnlyList<RackspaceServer> all = await cloud.Snapshots.ListServersAsync(cloud.Region, null, CancellationToken.None);
            return all.Where(server => selector.Matches(server, cloud.Region)).Select(server => server.Name).OrderBy(n => n).ToList();
        }

        [Theory]
        [InlineData(new[] { "web00[12]" }, new[] { "web001", "web002" })]
        [InlineData(new[] { "WEB00[1-2]" }, new[] { "web001", "web002" })]
        [InlineData(new[] { "web00`[12`]*" }, new[] { "web00[12]001" })]
        [InlineData(new[] { "web00?" }, new[] { "web001", "web002", "web003" })]
        [InlineData(new[] { "WEB*3", "*`[12`]*" }, new[] { "web003", "web00[12]001" })]
        [InlineData(new[] { "web00`[12`]001" }, new[] { "web00[12]001" })]
        [InlineData(new[] { "web00[12]001" }, new string[0])]
        public async Task Names_select_the_same_servers_in_the_cmdlet_and_in_a_policy(string[] patterns, string[] expected)
        {
            await using CloudHarness cloud = await CloudHarness.StartAsync();
            await SeedAsync(cloud, "web", 3, "front{i}");
            await SeedAsync(cloud, "web00[12]", 1, "front[1]");

            List<string> byPolicy = await ByPolicyAsync(cloud, new TargetSelector(names: patterns));
            List<string> byCmdlet = ByCmdlet(cloud, patterns, null);

            Assert.Equal(expected.OrderBy(n => n), byPolicy);
            Assert.Equal(byPolicy, byCmdlet);
        }

        [Theory]
        [InlineData("front?", new[] { "web001", "web002", "web003" })]
        [InlineData("front[1]", new[] { "web001" })]
        [InlineData("front`[1`]", new[] { "web00[12]001" })]
        [InlineData("FRONT*", new[] { "web001", "web002", "web003", "web00[12]001" })]
        public async Task Metadata_patterns_select_the_same_servers_in_the_cmdlet_and_in_a_policy(string pattern, string[] expected)
        {
            await using CloudHarness cloud = await CloudHarness.StartAsync();
            await SeedAsync(cloud, "web", 3, "front{i}");
            await SeedAsync(cloud, "web00[12]", 1, "front[1]");

            List<string> byPolicy = await ByPolicyAsync(cloud, new TargetSelector(metadata: new Dictionary<string, string> { ["role"] = pattern }));
            List<string> byCmdlet = ByCmdlet(cloud, null, new Hashtable { ["role"] = pattern });

            Assert.Equal(expected.OrderBy(n => n), byPolicy);
            Assert.Equal(byPolicy, byCmdlet);
        }
    
        [Theory]
        [InlineData("Name", "web[12")]
        [InlineData("Metadata", "front[z-a]")]
        public async Task An_invalid_pattern_stops_the_cmdlet_as_it_is_refused_in_a_policy(string parameter, string pattern)
        {
            await using CloudHarness cloud = await CloudHarness.StartAsync();
            using PowerShell shell = Shell();
            shell.AddCommand("Get-RackspaceServer").AddParameter("Session", cloud.Session);
            shell.AddParameter(parameter, parameter == "Name" ? (object)new[] { pattern } : new Hashtable { ["role"] = pattern });

            ErrorRecord error = Assert.Throws<CmdletInvocationException>(() => shell.Invoke()).ErrorRecord;

            Assert.Equal("RackspaceServerWildcardInvalid,Autosnap.Cmdlets.GetRackspaceServerCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.IsType<WildcardPatternException>(error.Exception);
            Assert.Equal(pattern, error.TargetObject);
            string? policyProblem = Assert.Throws<PolicyException>(() => parameter == "Name"
                ? new TargetSelector(names: new[] { pattern })
                : new TargetSelector(metadata: new Dictionary<string, string> { ["role"] = pattern })).Message;
            Assert.EndsWith(Wildcard.Problem(pattern)!, policyProblem);
            Assert.Equal("-" + parameter + ": " + Wildcard.Problem(pattern), error.Exception.Message);
        }
    }
}
