using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;
using Autosnap.Policy;
using Xunit;
using static Autosnap.Tests.Policy.PolicyTestSupport;

namespace Autosnap.Tests.Policy
{
    /// <summary>Two policies must never rotate one pool (server, schedule): what loading refuses, and what a run finds.</summary>
    public class PoolConflictTests
    {
        private static string Two(string firstTargets, string secondTargets, string secondSchedule = "daily") =>
            "{\"policies\": [" +
            "{\"name\": \"first\", \"schedule\": \"daily\", \"targets\": " + firstTargets + ", \"retention\": 7}, " +
            "{\"name\": \"second\", \"schedule\": \"" + secondSchedule + "\", \"targets\": " + secondTargets + ", \"retention\": {\"keepMonthly\": 12}}]}";

        private const string Advice = " A pool (server, schedule) must have one policy: give one of them another schedule, or exclude those servers from one of them.";

        [Theory]
        [InlineData("{\"ids\": [\"" + Id1 + "\", \"" + Id2 + "\"]}", "{\"ids\": [\"" + Id2 + "\"]}",
                    "server " + Id2 + " (both list its id)")]
        [InlineData("{\"ids\": [\"" + Id1 + "\"], \"regions\": [\"DFW\"]}", "{\"ids\": [\"" + Id1 + "\"], \"regions\": [\"ORD\"]}",
                    "server " + Id1 + " (both list its id)")]
        [InlineData("{\"ids\": [\"" + Id1 + "\"], \"names\": [\"web*\"]}", "{\"ids\": [\"" + Id1 + "\"], \"metadata\": {\"a\": \"b\"}}",
                    "server " + Id1 + " (both list its id)")]
        [InlineData("{\"names\": [\"web*\", \"db*\"]}", "{\"names\": [\"DB*\", \"web*\"]}",
                    "the same servers (names web*, db*)")]
        [InlineData("{\"metadata\": {\"backup\": \"nightly\"}}", "{\"metadata\": {\"Backup\": \"NIGHTLY\"}, \"exclude\": {\"names\": [\"x\"]}}",
                    "the same servers (metadata backup=nightly)")]
        [InlineData("{\"all\": true, \"regions\": [\"DFW\"]}", "{\"all\": true, \"regions\": [\"dfw\", \"ORD\"], \"exclude\": {\"names\": [\"x\"]}}",
                    "the same servers (\"all\": true)")]
        [InlineData("{\"all\": true}", "{\"names\": [\"db*\"], \"regions\": [\"ORD\"]}",
                    "every server policies[0] selects (\"all\": true)")]
        [InlineData("{\"metadata\": {\"a\": \"b\"}, \"allRegions\": true}", "{\"all\": true, \"regions\": [\"IAD\"]}",
                    "every server this policy selects (\"all\": true)")]
        [InlineData("{\"names\": [\"db-main\"]}", "{\"names\": [\"db*\"]}",
                    "server 'db-main' (both select that name)")]
        [InlineData("{\"names\": [\"db*\"], \"regions\": [\"DFW\"]}", "{\"names\": [\"web1\", \"DB-MAIN\"], \"allRegions\": true}",
                    "server 'DB-MAIN' (both select that name)")]
        [InlineData("{\"names\": [\"web1\"]}", "{\"names\": [\"web[12]\"]}",
                    "server 'web1' (both select that name)")]
        [InlineData("{\"names\": [\"web`[1`]\"]}", "{\"names\": [\"WEB`[*\"]}",
                    "server 'web[1]' (both select that name)")]
        public void Certain_overlaps_of_one_schedule_are_refused(string first, string second, string what)
        {
            PolicyException error = Refused(Two(first, second));

            Assert.Equal(PolicyException.PoolConflict, error.ErrorId);
            Assert.Equal("policies[1]", error.Field);
            Assert.Equal("policies[1]: this policy ('second') and policies[0] ('first') would both rotate schedule 'daily' of " + what + "." + Advice,
                         WithoutLocation(error));
        }

        [Theory]
        [InlineData("{\"ids\": [\"" + Id1 + "\"]}", "{\"ids\": [\"" + Id1 + "\"]}", "weekly")]
        [InlineData("{\"ids\": [\"" + Id1 + "\"]}", "{\"ids\": [\"" + Id1 + "\"]}", "Daily")]
        [InlineData("{\"ids\": [\"" + Id1 + "\"]}", "{\"ids\": [\"" + Id2 + "\"]}", "daily")]
        [InlineData("{\"ids\": [\"" + Id1 + "\", \"" + Id2 + "\"], \"exclude\": {\"ids\": [\"" + Id2 + "\"]}}", "{\"ids\": [\"" + Id2 + "\"]}", "daily")]
        [InlineData("{\"names\": [\"web*\"], \"regions\": [\"DFW\"]}", "{\"names\": [\"web*\"], \"regions\": [\"ORD\"]}", "daily")]
        [InlineData("{\"all\": true, \"regions\": [\"DFW\"]}", "{\"names\": [\"db*\"], \"regions\": [\"ORD\"]}", "daily")]
        [InlineData("{\"all\": true, \"exclude\": {\"names\": [\"db*\"]}}", "{\"names\": [\"db*\"]}", "daily")]
        [InlineData("{\"names\": [\"web*\"]}", "{\"names\": [\"*-prod\"]}", "daily")]
        [InlineData("{\"names\": [\"web*\"]}", "{\"names\": [\"db*\"]}", "daily")]
        [InlineData("{\"names\": [\"db-main\"], \"exclude\": {\"names\": [\"db-m*\"]}}", "{\"names\": [\"db*\"]}", "daily")]
        [InlineData("{\"names\": [\"db-main\"]}", "{\"names\": [\"db*\"], \"exclude\": {\"names\": [\"db-main\"]}}", "daily")]
        [InlineData("{\"names\": [\"db-main\"]}", "{\"names\": [\"db*\"], \"metadata\": {\"tier\": \"gold\"}}", "daily")]
        [InlineData("{\"metadata\": {\"backup\": \"nightly\"}}", "{\"metadata\": {\"backup\": \"weekly\"}}", "daily")]
        [InlineData("{\"names\": [\"web[12]\"]}", "{\"names\": [\"web*\"]}", "daily")]
        [InlineData("{\"names\": [\"web3\"]}", "{\"names\": [\"web[12]\"]}", "daily")]
        public void What_loading_cannot_or_need_not_refuse_loads(string first, string second, string secondSchedule)
        {
            Assert.Equal(2, Parse(Two(first, second, secondSchedule)).Policies.Count);
        }

        [Fact]
        public void Unnamed_policies_of_one_schedule_may_coexist_when_they_do_not_overlap()
        {
            PolicyDocument document = Parse("{\"policies\": [" +
                "{\"schedule\": \"daily\", \"targets\": {\"names\": [\"web*\"]}, \"retention\": 7}, " +
                "{\"schedule\": \"daily\", \"targets\": {\"names\": [\"db*\"]}, \"retention\": 3}]}");

            Assert.Equal(new[] { "daily", "daily" }, document.Policies.Select(p => p.Name));
            Assert.Equal(new[] { "policy.json, policies[0]", "policy.json, policies[1]" }, document.Policies.Select(p => p.Origin));
        }

        [Fact]
        public void A_run_finds_overlaps_through_wildcards_metadata_and_exclusions()
        {
            PolicyDocument document = Parse("{\"policies\": [" +
                "{\"name\": \"web\", \"schedule\": \"daily\", \"targets\": {\"names\": [\"web*\"]}, \"retention\": 7}, " +
                "{\"name\": \"prod\", \"schedule\": \"daily\", \"targets\": {\"names\": [\"*-prod\"]}, \"retention\": 3}, " +
                "{\"name\": \"gold\", \"schedule\": \"daily\", \"targets\": {\"metadata\": {\"tier\": \"gold\"}}, \"retention\": 3}, " +
                "{\"name\": \"weekly\", \"schedule\": \"weekly\", \"targets\": {\"names\": [\"*\"]}, \"retention\": 3}]}");
            RackspaceServer webProd = Server("web-prod", Id1);
            RackspaceServer dbGold = Server("db-prod", Id2, metadata: ("tier", "gold"));
            RackspaceServer mail = Server("mail", Id3);

            IReadOnlyList<PoolConflict> conflicts = document.FindPoolConflicts(new[] { webProd, dbGold, mail });

            Assert.Equal(2, conflicts.Count);
            Assert.Same(webProd, conflicts[0].Server);
            Assert.Equal("daily", conflicts[0].Schedule);
            Assert.Equal(new[] { "web", "prod" }, conflicts[0].Policies.Select(p => p.Name));
            Assert.Same(dbGold, conflicts[1].Server);
            Assert.Equal(new[] { "prod", "gold" }, conflicts[1].Policies.Select(p => p.Name));
            Assert.Equal("Schedule 'daily' of server web-prod (" + Id1 + ") is selected by 2 policies ('web' from policy.json, policies[0], " +
                         "'prod' from policy.json, policies[1]); a pool (server, schedule) must have one policy.", conflicts[0].ToString());
        }

        [Fact]
        public void A_run_counts_a_policy_without_regions_only_in_the_session_region()
        {
            PolicyDocument document = Parse("{\"policies\": [" +
                "{\"schedule\": \"daily\", \"targets\": {\"names\": [\"web*\"]}, \"retention\": 7}, " +
                "{\"schedule\": \"daily\", \"targets\": {\"names\": [\"*1\"], \"regions\": [\"ORD\"]}, \"retention\": 3}]}");
            RackspaceServer inOrd = Server("web1", Id1, "ORD");

            Assert.Empty(document.FindPoolConflicts(new[] { inOrd }, sessionRegion: "DFW"));
            Assert.Single(document.FindPoolConflicts(new[] { inOrd }, sessionRegion: "ORD"));
            Assert.Single(document.FindPoolConflicts(new[] { inOrd }));
        }

        [Fact]
        public void Policies_from_server_metadata_and_a_file_can_be_checked_together()
        {
            RackspaceServer server = Server("web1", Id1, "DFW", ("autosnap:daily", "retention=3"));
            IEnumerable<SnapshotPolicy> policies = ServerMetadataPolicy.For(server).Concat(Parse(OnePolicy(Valid)).Policies);

            PoolConflict conflict = Assert.Single(PolicyDocument.FindPoolConflicts(policies, new[] { server }));
            Assert.Equal("daily", conflict.Schedule);
        }

        [Fact]
        public void Given_names_must_be_unique_without_regard_to_case()
        {
            PolicyException error = Refused("{\"policies\": [" +
                "{\"name\": \"Nightly\", \"schedule\": \"daily\", \"targets\": {\"names\": [\"web*\"]}, \"retention\": 7}, " +
                "{\"name\": \"nightly\", \"schedule\": \"weekly\", \"targets\": {\"names\": [\"web*\"]}, \"retention\": 3}]}");

            Assert.Equal(PolicyException.ValueDuplicate, error.ErrorId);
            Assert.Equal("policies[1].name: policies[0] has the name 'Nightly' already; names label messages and must be unique.", WithoutLocation(error));
        }

        [Fact]
        public void A_given_name_may_equal_another_policys_schedule()
        {
            Assert.Equal(2, Parse("{\"policies\": [" +
                "{\"schedule\": \"daily\", \"targets\": {\"names\": [\"web*\"]}, \"retention\": 7}, " +
                "{\"name\": \"daily\", \"schedule\": \"weekly\", \"targets\": {\"names\": [\"web*\"]}, \"retention\": 3}]}").Policies.Count);
        }
    }
}
