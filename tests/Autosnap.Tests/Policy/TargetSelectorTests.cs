using System;
using System.Collections.Generic;
using System.Linq;
using Autosnap.Model;
using Autosnap.Policy;
using Xunit;
using static Autosnap.Tests.Policy.PolicyTestSupport;

namespace Autosnap.Tests.Policy
{
    public class TargetSelectorTests
    {
        [Theory]
        [InlineData("web*", "web1", true)]
        [InlineData("web*", "WEB1", true)]
        [InlineData("WEB*", "web1", true)]
        [InlineData("web*", "web", true)]
        [InlineData("web*", "aweb1", false)]
        [InlineData("*-test", "db-test", true)]
        [InlineData("*-test", "db-test2", false)]
        [InlineData("?b", "db", true)]
        [InlineData("?b", "b", false)]
        [InlineData("?b", "xdb", false)]
        [InlineData("a?c", "abc", true)]
        [InlineData("a?c", "ac", false)]
        [InlineData("*", "", true)]
        [InlineData("*", "anything", true)]
        [InlineData("**", "x", true)]
        [InlineData("", "", true)]
        [InlineData("", "a", false)]
        [InlineData("a*b*c", "aXbYc", true)]
        [InlineData("a*b*c", "abc", true)]
        [InlineData("a*b*c", "aXbY", false)]
        [InlineData("*a", "bbba", true)]
        [InlineData("*a*", "bab", true)]
        [InlineData("*ab", "aab", true)]
        [InlineData("web1", "web1", true)]
        [InlineData("web1", "web10", false)]
        [InlineData("[web]", "[web]", false)]
        [InlineData("[web]", "w", true)]
        [InlineData("`[web`]", "[web]", true)]
        [InlineData("db-??", "db-01", true)]
        [InlineData("db-??", "db-1", false)]
        public void Wildcards_cover_the_whole_text_without_regard_to_case(string pattern, string text, bool expected)
        {
            Assert.Equal(expected, Wildcard.IsMatch(pattern, text));
        }

        [Fact]
        public void Any_name_pattern_is_enough()
        {
            var selector = new TargetSelector(names: new[] { "web*", "db*" });

            Assert.True(selector.Matches(Server("web1")));
            Assert.True(selector.Matches(Server("DB-main")));
            Assert.False(selector.Matches(Server("mail1")));
        }

        [Fact]
        public void Any_listed_id_is_enough_and_ids_ignore_case()
        {
            var selector = new TargetSelector(ids: new[] { Id1, Id2.ToUpperInvariant() });

            Assert.True(selector.Matches(Server("a", Id1.ToUpperInvariant())));
            Assert.True(selector.Matches(Server("b", Id2)));
            Assert.False(selector.Matches(Server("c", Id3)));
        }

        [Fact]
        public void Every_metadata_entry_must_match_keys_ignore_case_values_are_patterns()
        {
            var selector = new TargetSelector(metadata: Map(("backup", "nightly"), ("env", "prod*")));

            Assert.True(selector.Matches(Server("a", metadata: new[] { ("backup", "nightly"), ("env", "production") })));
            Assert.True(selector.Matches(Server("b", metadata: new[] { ("Backup", "NIGHTLY"), ("ENV", "Prod") })));
            Assert.False(selector.Matches(Server("c", metadata: new[] { ("backup", "nightly") })));
            Assert.False(selector.Matches(Server("d", metadata: new[] { ("backup", "weekly"), ("env", "prod") })));
            Assert.False(selector.Matches(Server("e")));
        }

        [Fact]
        public void A_star_value_asks_only_for_the_key()
        {
            var selector = new TargetSelector(metadata: Map(("backup", "*")));

            Assert.True(selector.Matches(Server("a", metadata: ("backup", ""))));
            Assert.True(selector.Matches(Server("b", metadata: ("backup", "anything"))));
            Assert.False(selector.Matches(Server("c", metadata: ("other", "x"))));
        }

        [Fact]
        public void An_empty_value_matches_only_an_empty_value()
        {
            var selector = new TargetSelector(metadata: Map(("backup", "")));

            Assert.True(selector.Matches(Server("a", metadata: ("backup", ""))));
            Assert.False(selector.Matches(Server("b", metadata: ("backup", "x"))));
        }

        [Fact]
        public void Kinds_are_ANDed()
        {
            var selector = new TargetSelector(names: new[] { "web*" }, ids: new[] { Id1, Id2 }, metadata: Map(("env", "prod")));

            Assert.True(selector.Matches(Server("web1", Id1, metadata: ("env", "prod"))));
            Assert.False(selector.Matches(Server("web1", Id1, metadata: ("env", "dev"))));
            Assert.False(selector.Matches(Server("db1", Id1, metadata: ("env", "prod"))));
            Assert.False(selector.Matches(Server("web1", Id3, metadata: ("env", "prod"))));
        }

        [Fact]
        public void All_selects_every_server()
        {
            var selector = new TargetSelector(allServers: true);

            Assert.True(selector.Matches(Server("anything", Id3, "SYD")));
            Assert.True(selector.AllServers);
        }

        [Fact]
        public void Exclusions_win_over_every_selector()
        {
            var byName = new TargetSelector(allServers: true, exclude: new ServerFilter(names: new[] { "*-test" }));
            var byId = new TargetSelector(ids: new[] { Id1, Id2 }, exclude: new ServerFilter(ids: new[] { Id1 }));
            var byMetadata = new TargetSelector(names: new[] { "*" }, exclude: new ServerFilter(metadata: Map(("autosnap", "off"))));

            Assert.False(byName.Matches(Server("db-TEST")));
            Assert.True(byName.Matches(Server("db-prod")));
            Assert.False(byId.Matches(Server("a", Id1)));
            Assert.True(byId.Matches(Server("a", Id2)));
            Assert.False(byMetadata.Matches(Server("a", metadata: ("AutoSnap", "OFF"))));
            Assert.True(byMetadata.Matches(Server("a", metadata: ("autosnap", "on"))));
        }

        [Fact]
        public void Any_single_metadata_exclusion_is_enough()
        {
            var filter = new ServerFilter(metadata: Map(("env", "test"), ("autosnap", "off")));

            Assert.True(filter.Matches(Server("a", metadata: ("env", "test"))));
            Assert.True(filter.Matches(Server("b", metadata: ("autosnap", "off"))));
            Assert.False(filter.Matches(Server("c", metadata: ("env", "prod"))));
        }

        [Fact]
        public void Any_exclusion_kind_is_enough()
        {
            var filter = new ServerFilter(names: new[] { "x*" }, ids: new[] { Id2 }, metadata: Map(("env", "test")));

            Assert.True(filter.Matches(Server("x1", Id1)));
            Assert.True(filter.Matches(Server("a", Id2)));
            Assert.True(filter.Matches(Server("a", Id1, metadata: ("env", "test"))));
            Assert.False(filter.Matches(Server("a", Id1)));
        }

        [Fact]
        public void An_empty_filter_matches_nothing()
        {
            Assert.True(ServerFilter.None.IsEmpty);
            Assert.True(new ServerFilter().IsEmpty);
            Assert.False(new ServerFilter(names: new[] { "a" }).IsEmpty);
            Assert.False(ServerFilter.None.Matches(Server("a")));
            Assert.Equal("nothing", ServerFilter.None.ToString());
        }

        [Fact]
        public void Listed_regions_are_checked_without_regard_to_case()
        {
            var selector = new TargetSelector(names: new[] { "*" }, regions: new[] { "DFW", "ord" });

            Assert.True(selector.Matches(Server("a", region: "dfw")));
            Assert.True(selector.Matches(Server("a", region: "ORD")));
            Assert.False(selector.Matches(Server("a", region: "IAD")));
            Assert.False(selector.Matches(Server("a", region: "IAD"), "IAD"));
        }

        [Fact]
        public void Without_regions_the_session_region_is_meant()
        {
            var selector = new TargetSelector(names: new[] { "*" });

            Assert.True(selector.Matches(Server("a", region: "IAD")));
            Assert.True(selector.Matches(Server("a", region: "iad"), "IAD"));
            Assert.False(selector.Matches(Server("a", region: "DFW"), "IAD"));
        }

        [Fact]
        public void All_regions_match_every_region()
        {
            var selector = new TargetSelector(names: new[] { "*" }, allRegions: true);

            Assert.True(selector.Matches(Server("a", region: "SYD"), "DFW"));
        }

        [Fact]
        public void ResolveRegions_gives_the_regions_to_list()
        {
            string[] catalog = { "DFW", "ORD", "IAD" };

            Assert.Equal(catalog, new TargetSelector(allServers: true, allRegions: true).ResolveRegions("DFW", catalog));
            Assert.Equal(new[] { "ORD" }, new TargetSelector(allServers: true).ResolveRegions("ORD", catalog));
            Assert.Equal(new[] { "IAD", "DFW" }, new TargetSelector(allServers: true, regions: new[] { "iad", "dfw" }).ResolveRegions("ORD", catalog));

            var error = Assert.Throws<PolicyException>(() => new TargetSelector(allServers: true, regions: new[] { "LON" }).ResolveRegions("DFW", catalog));
            Assert.Equal(PolicyException.ValueInvalid, error.ErrorId);
            Assert.Equal("targets.regions: the region 'LON' is not in the service catalog (DFW, ORD, IAD).", error.Message);
        }

        [Fact]
        public void ForServer_targets_that_server_in_its_region_even_with_an_id_that_is_no_uuid()
        {
            RackspaceServer server = Server("web1", "srv-1", "ORD");
            TargetSelector selector = TargetSelector.ForServer(server);

            Assert.Equal(new[] { "srv-1" }, selector.Ids);
            Assert.Equal(new[] { "ORD" }, selector.Regions);
            Assert.True(selector.Matches(server));
            Assert.False(selector.Matches(Server("web1", "srv-2", "ORD")));
            Assert.False(selector.Matches(Server("web1", "srv-1", "DFW")));
        }

        public static IEnumerable<object[]> InvalidSelectors() => new[]
        {
            new object[] { (Func<object>)(() => new TargetSelector()), PolicyException.TargetsEmpty, "targets",
                "targets: selects no servers: give names, ids or metadata, or \"all\": true to select every server of the regions." },
            new object[] { (Func<object>)(() => new TargetSelector(regions: new[] { "DFW" }, exclude: new ServerFilter(names: new[] { "x" }))), PolicyException.TargetsEmpty, "targets",
                "targets: selects no servers: give names, ids or metadata, or \"all\": true to select every server of the regions." },
            new object[] { (Func<object>)(() => new TargetSelector(names: new[] { "a" }, regions: new[] { "DFW" }, allRegions: true)), PolicyException.FieldConflict, "targets.allRegions",
                "targets.allRegions: \"allRegions\": true cannot be combined with regions; give one or the other." },
            new object[] { (Func<object>)(() => new TargetSelector(names: new[] { "a" }, allServers: true)), PolicyException.FieldConflict, "targets.all",
                "targets.all: \"all\": true selects every server of the regions and cannot be combined with names, ids or metadata; leave servers out with exclude." },
            new object[] { (Func<object>)(() => new TargetSelector(ids: new[] { Id1 }, exclude: new ServerFilter(ids: new[] { Id1.ToUpperInvariant() }))), PolicyException.TargetsEmpty, "targets",
                "targets: selects no servers: every id in ids is also excluded." },
            new object[] { (Func<object>)(() => new TargetSelector(names: new[] { "web*", "" })), PolicyException.ValueEmpty, "targets.names[1]",
                "targets.names[1]: a name pattern cannot be empty." },
            new object[] { (Func<object>)(() => new TargetSelector(names: new[] { " web*" })), PolicyException.ValueInvalid, "targets.names[0]",
                "targets.names[0]: ' web*' has spaces around it; remove them." },
            new object[] { (Func<object>)(() => new TargetSelector(names: new[] { "web*", "WEB*" })), PolicyException.ValueDuplicate, "targets.names[1]",
                "targets.names[1]: 'WEB*' is listed twice (compared without regard to case)." },
            new object[] { (Func<object>)(() => new TargetSelector(ids: new[] { "web1" })), PolicyException.ValueInvalid, "targets.ids[0]",
                "targets.ids[0]: 'web1' is not a server id: ids are UUIDs such as 0b1c2d3e-0000-4000-8000-000000000001 (select servers by name with names, by metadata with metadata)." },
            new object[] { (Func<object>)(() => new TargetSelector(ids: new[] { "   " })), PolicyException.ValueEmpty, "targets.ids[0]",
                "targets.ids[0]: a server id cannot be empty." },
            new object[] { (Func<object>)(() => new TargetSelector(allServers: true, regions: new[] { "DFW", "dfw" })), PolicyException.ValueDuplicate, "targets.regions[1]",
                "targets.regions[1]: 'dfw' is listed twice (compared without regard to case)." },
            new object[] { (Func<object>)(() => new TargetSelector(allServers: true, regions: new[] { "" })), PolicyException.ValueEmpty, "targets.regions[0]",
                "targets.regions[0]: a region cannot be empty." },
            new object[] { (Func<object>)(() => new TargetSelector(metadata: new Dictionary<string, string>(StringComparer.Ordinal) { ["env"] = "a", ["ENV"] = "b" })),
                PolicyException.ValueDuplicate, "targets.metadata.ENV",
                "targets.metadata.ENV: the key 'ENV' is given twice (metadata keys compare without regard to case)." },
            new object[] { (Func<object>)(() => new TargetSelector(metadata: Map(("", "a")))), PolicyException.ValueEmpty, "targets.metadata",
                "targets.metadata: a metadata key cannot be empty." },
            new object[] { (Func<object>)(() => new TargetSelector(metadata: new Dictionary<string, string> { ["env"] = null! })), PolicyException.ValueInvalid, "targets.metadata.env",
                "targets.metadata.env: the value must be a text (\"*\" matches any value)." },
            new object[] { (Func<object>)(() => new ServerFilter(ids: new[] { "db1" })), PolicyException.ValueInvalid, "exclude.ids[0]",
                "exclude.ids[0]: 'db1' is not a server id: ids are UUIDs such as 0b1c2d3e-0000-4000-8000-000000000001 (select servers by name with names, by metadata with metadata)." },
        };

        [Theory]
        [MemberData(nameof(InvalidSelectors))]
        public void Invalid_selectors_are_refused_naming_the_property(Func<object> create, string errorId, string field, string message)
        {
            var error = Assert.Throws<PolicyException>(() => create());

            Assert.Equal(errorId, error.ErrorId);
            Assert.Equal(field, error.Field);
            Assert.Equal(message, error.Message);
            Assert.Null(error.SourceName);
            Assert.Null(error.Line);
        }

        [Fact]
        public void Selectors_are_immutable_copies()
        {
            var names = new List<string> { "web*" };
            var metadata = new Dictionary<string, string> { ["env"] = "prod" };
            var selector = new TargetSelector(names: names, metadata: metadata);
            names.Add("db*");
            metadata["backup"] = "x";

            Assert.Equal(new[] { "web*" }, selector.Names);
            Assert.Single(selector.Metadata);
            Assert.Throws<NotSupportedException>(() => ((IList<string>)selector.Names).Add("x"));
            Assert.Throws<NotSupportedException>(() => ((IDictionary<string, string>)selector.Metadata).Add("x", "y"));
            Assert.Throws<NotSupportedException>(() => ((IList<string>)selector.Regions).Add("x"));
            Assert.Throws<NotSupportedException>(() => ((IList<string>)selector.Ids).Add("x"));
        }

        [Fact]
        public void Metadata_lookups_ignore_case()
        {
            var selector = new TargetSelector(metadata: Map(("Env", "prod")));

            Assert.Equal("prod", selector.Metadata["ENV"]);
        }

        [Fact]
        public void Descriptions_read_as_sentences()
        {
            Assert.Equal("names web*, db* and metadata env=prod in DFW, ORD, except names *-test or ids " + Id1,
                new TargetSelector(names: new[] { "web*", "db*" }, metadata: Map(("env", "prod")), regions: new[] { "DFW", "ORD" },
                                   exclude: new ServerFilter(names: new[] { "*-test" }, ids: new[] { Id1 })).ToString());
            Assert.Equal("all servers in all regions", new TargetSelector(allServers: true, allRegions: true).ToString());
            Assert.Equal("ids " + Id1, new TargetSelector(ids: new[] { Id1 }).ToString());
        }
    }
}
