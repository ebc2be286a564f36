using System;
using System.IO;
using System.Linq;
using System.Text;
using Autosnap.Policy;
using Autosnap.Rotation;
using Xunit;
using static Autosnap.Tests.Policy.PolicyTestSupport;

namespace Autosnap.Tests.Policy
{
    /// <summary>What a valid policy file means: every field, every default, comments, encodings, Load.</summary>
    public class PolicyFileTests
    {
        private const string BriefExample = @"{
  ""throttleLimit"": 20,
  ""policies"": [
    {
      ""name"": ""nightly"",
      ""schedule"": ""daily"",
      ""targets"": { ""regions"": [""DFW"", ""ORD""], ""metadata"": { ""backup"": ""nightly"" }, ""exclude"": { ""names"": [""*-test""] } },
      ""retention"": { ""keepDaily"": 7, ""keepWeekly"": 4, ""keepMonthly"": 12, ""timeZone"": ""Europe/Berlin"" },
      ""minInterval"": ""20:00:00"",
      ""keepFailed"": false,
      ""timeout"": ""01:00:00"",
      ""adoptLegacy"": false,
      ""onServerDeleted"": ""Keep"",
      ""metadata"": { ""owner"": ""ops"" },
      ""nameTemplate"": ""{server}-{schedule}-{timestamp}""
    },
    { ""schedule"": ""weekly"", ""targets"": { ""allRegions"": true, ""names"": [""db*""] }, ""retention"": { ""retention"": 2 }, ""minInterval"": ""6.00:00:00"" }
  ]
}";

        [Fact]
        public void The_example_of_the_design_reads_field_by_field()
        {
            PolicyDocument document = Parse(BriefExample);

            Assert.Equal(20, document.ThrottleLimit);
            Assert.Equal(2, document.Policies.Count);

            SnapshotPolicy nightly = document.Policies[0];
            Assert.Equal("nightly", nightly.Name);
            Assert.Equal("daily", nightly.Schedule);
            Assert.Equal(new[] { "DFW", "ORD" }, nightly.Targets.Regions);
            Assert.False(nightly.Targets.AllRegions);
            Assert.False(nightly.Targets.AllServers);
            Assert.Equal("nightly", nightly.Targets.Metadata["backup"]);
            Assert.Empty(nightly.Targets.Names);
            Assert.Empty(nightly.Targets.Ids);
            Assert.Equal(new[] { "*-test" }, nightly.Targets.Exclude.Names);
            Assert.Null(nightly.Retention.Retention);
            BucketRules rules = nightly.Retention.Rules!;
            Assert.Equal((0, 0, 7, 4, 12, 0), (rules.KeepLast, rules.KeepHourly, rules.KeepDaily, rules.KeepWeekly, rules.KeepMonthly, rules.KeepYearly));
            Assert.Null(rules.KeepWithin);
            Assert.Equal(TimeZones.Find("Europe/Berlin").Id, nightly.Retention.TimeZone.Id);
            Assert.False(nightly.Retention.KeepFailed);
            Assert.Equal(TimeSpan.FromHours(20), nightly.MinInterval);
            Assert.Equal(TimeSpan.FromHours(1), nightly.Timeout);
            Assert.False(nightly.AdoptLegacy);
            Assert.Equal(OrphanHandling.Keep, nightly.OnServerDeleted);
            Assert.Equal("ops", nightly.Metadata["owner"]);
            Assert.Equal("{server}-{schedule}-{timestamp}", nightly.NameTemplate);
            Assert.Equal("policy.json, policies[0]", nightly.Origin);

            SnapshotPolicy weekly = document.Policies[1];
            Assert.Equal("weekly", weekly.Name);
            Assert.True(weekly.Targets.AllRegions);
            Assert.Equal(new[] { "db*" }, weekly.Targets.Names);
            Assert.Equal(2, weekly.Retention.Retention);
            Assert.Equal(TimeSpan.FromDays(6), weekly.MinInterval);
        }

        [Fact]
        public void Omitted_fields_take_their_defaults()
        {
            PolicyDocument document = Parse(OnePolicy(Valid));
            SnapshotPolicy policy = document.Policies.Single();

            Assert.Null(document.ThrottleLimit);
            Assert.Equal("daily", policy.Name);
            Assert.Empty(policy.Targets.Regions);
            Assert.False(policy.Targets.AllRegions);
            Assert.True(policy.Targets.Exclude.IsEmpty);
            Assert.Null(policy.MinInterval);
            Assert.Equal(SnapshotPolicy.DefaultTimeout, policy.Timeout);
            Assert.Equal(TimeSpan.FromHours(1), policy.Timeout);
            Assert.False(policy.Retention.KeepFailed);
            Assert.False(policy.AdoptLegacy);
            Assert.Equal(OrphanHandling.Keep, policy.OnServerDeleted);
            Assert.Empty(policy.Metadata);
            Assert.Null(policy.NameTemplate);
        }

        [Fact]
        public void A_number_is_retention_N_like_the_object_form()
        {
            SnapshotPolicy shortForm = ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": 7");
            SnapshotPolicy objectForm = ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": {\"retention\": 7}");

            Assert.Equal(7, shortForm.Retention.Retention);
            Assert.Equal(8, shortForm.Retention.RetentionKeeps);
            Assert.Equal(shortForm.Retention.ToString(), objectForm.Retention.ToString());
            Assert.Equal(0, ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": 0").Retention.Retention);
        }

        [Theory]
        [InlineData("keepLast")]
        [InlineData("keepHourly")]
        [InlineData("keepDaily")]
        [InlineData("keepWeekly")]
        [InlineData("keepMonthly")]
        [InlineData("keepYearly")]
        public void Each_count_sets_its_rule(string field)
        {
            SnapshotPolicy policy = ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": {\"" + field + "\": 5, \"timeZone\": \"UTC\"}");

            BucketRules rules = policy.Retention.Rules!;
            Assert.Equal(5, (int)typeof(BucketRules).GetProperty(char.ToUpperInvariant(field[0]) + field.Substring(1))!.GetValue(rules)!);
            Assert.Equal(5, rules.KeepLast + rules.KeepHourly + rules.KeepDaily + rules.KeepWeekly + rules.KeepMonthly + rules.KeepYearly);
            Assert.Equal(TimeZoneInfo.Utc, policy.Retention.TimeZone);
        }

        [Fact]
        public void KeepWithin_takes_a_duration_and_counts_may_be_zero_beside_it()
        {
            SnapshotPolicy policy = ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": {\"keepDaily\": 0, \"keepWithin\": \"2d\"}");

            Assert.Equal(TimeSpan.FromDays(2), policy.Retention.Rules!.KeepWithin);
            Assert.Equal(0, policy.Retention.Rules.KeepDaily);
        }

        [Fact]
        public void Bucket_rules_without_a_zone_use_the_local_one()
        {
            SnapshotPolicy policy = ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": {\"keepDaily\": 7}");

            Assert.Equal(TimeZoneInfo.Local.Id, policy.Retention.TimeZone.Id);
        }

        [Fact]
        public void Windows_zone_ids_work_too()
        {
            SnapshotPolicy policy = ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": {\"keepDaily\": 7, \"timeZone\": \"W. Europe Standard Time\"}");

            Assert.Equal(TimeZones.Find("Europe/Berlin").BaseUtcOffset, policy.Retention.TimeZone.BaseUtcOffset);
        }

        [Fact]
        public void Every_policy_field_is_read()
        {
            SnapshotPolicy policy = ParseOne(
                "\"name\": \"billing\", \"schedule\": \"hourly\", \"targets\": {\"ids\": [\"" + Id1 + "\"], \"regions\": [\"IAD\"]}, " +
                "\"retention\": {\"keepHourly\": 24}, \"minInterval\": \"50m\", \"keepFailed\": true, \"timeout\": \"3h\", \"adoptLegacy\": true, " +
                "\"onServerDeleted\": \"ApplyRetention\", \"metadata\": {\"owner\": \"billing\", \"Owner\": \"other\"}, \"nameTemplate\": \"{id}-{date}\"");

            Assert.Equal("billing", policy.Name);
            Assert.Equal("hourly", policy.Schedule);
            Assert.Equal(new[] { Id1 }, policy.Targets.Ids);
            Assert.Equal(new[] { "IAD" }, policy.Targets.Regions);
            Assert.Equal(24, policy.Retention.Rules!.KeepHourly);
            Assert.Equal(TimeSpan.FromMinutes(50), policy.MinInterval);
            Assert.True(policy.Retention.KeepFailed);
            Assert.Equal(TimeSpan.FromHours(3), policy.Timeout);
            Assert.True(policy.AdoptLegacy);
            Assert.Equal(OrphanHandling.ApplyRetention, policy.OnServerDeleted);
            // Image metadata keys are exact, as Glance has them.
            Assert.Equal(2, policy.Metadata.Count);
            Assert.Equal("other", policy.Metadata["Owner"]);
            Assert.False(policy.Metadata.ContainsKey("OWNER"));
            Assert.Equal("{id}-{date}", policy.NameTemplate);
            Assert.False(policy.IncludeVolumes);
            Assert.False(policy.ReclaimLeftovers);
        }

        [Fact]
        public void Volume_fields_are_read_into_the_job()
        {
            SnapshotPolicy policy = ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": 3, \"includeVolumes\": true, \"reclaimLeftovers\": true");
            Assert.True(policy.IncludeVolumes);
            Assert.True(policy.ReclaimLeftovers);
            var options = Autosnap.Engine.PolicyRunPlanner.OptionsFor(policy);
            Assert.True(options.IncludeVolumes);
            Assert.True(options.ReclaimLeftovers);
            var error = Assert.Throws<PolicyException>(() => ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": 3, \"includeVolumes\": \"yes\""));
            Assert.Contains("includeVolumes", error.Message);
        }

        [Fact]
        public void Hooks_and_the_consistency_requirement_are_read_into_the_job()
        {
            SnapshotPolicy policy = ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": 3, \"requireConsistency\": \"application\", " +
                "\"hooks\": {\"before\": {\"command\": \"/usr/bin/ssh\", \"arguments\": [\"db1\", \"sudo fsfreeze -f /data\"]}, " +
                "\"after\": {\"command\": \"/usr/bin/ssh\", \"arguments\": [\"db1\", \"sudo fsfreeze -u /data\"]}, \"timeout\": \"90s\", \"onHookFailure\": \"snapshot\"}");

            Assert.True(policy.RequireApplicationConsistency);
            Assert.Equal("/usr/bin/ssh", policy.Hooks!.Before!.Command);
            Assert.Equal(new[] { "db1", "sudo fsfreeze -u /data" }, policy.Hooks.After!.Arguments);
            Assert.Equal(TimeSpan.FromSeconds(90), policy.Hooks.Timeout);
            Assert.Equal(Autosnap.Engine.HookFailureAction.Snapshot, policy.Hooks.OnHookFailure);
            var options = Autosnap.Engine.PolicyRunPlanner.OptionsFor(policy, new Autosnap.Tests.EndToEnd.RecordingHost());
            Assert.True(options.RequireApplicationConsistency);
            Assert.IsType<Autosnap.Engine.ProcessHooks>(options.Hooks!.Hooks);
            Assert.Equal((TimeSpan.FromSeconds(90), Autosnap.Engine.HookFailureAction.Snapshot), (options.Hooks.Timeout, options.Hooks.OnHookFailure));

            SnapshotPolicy plain = ParseOne("\"schedule\": \"daily\", \"targets\": {\"all\": true}, \"retention\": 3, \"hooks\": {\"after\": {\"command\": \"thaw\"}}");
            Assert.Equal((Autosnap.Engine.HookFailureAction.Skip, TimeSpan.FromMinutes(5), false), (plain.Hooks!.OnHookFailure, plain.Hooks.Timeout, plain.RequireApplicationConsistency));
            Assert.Null(plain.Hooks.Before);
            Assert.Empty(plain.Hooks.After!.Arguments);
        }

        [Fact]
        public void Every_target_field_is_read()
        {
            TargetSelector targets = ParseOne(
                "\"schedule\": \"daily\", \"retention\": 1, \"targets\": {\"allRegions\": true, \"names\": [\"web*\", \"api-??\"], " +
                "\"metadata\": {\"env\": \"prod*\"}, \"exclude\": {\"names\": [\"*-test\"], \"ids\": [\"" + Id2 + "\"], \"metadata\": {\"autosnap\": \"off\"}}}").Targets;

            Assert.True(targets.AllRegions);
            Assert.Equal(new[] { "web*", "api-??" }, targets.Names);
            Assert.Equal("prod*", targets.Metadata["env"]);
            Assert.Equal(new[] { "*-test" }, targets.Exclude.Names);
            Assert.Equal(new[] { Id2 }, targets.Exclude.Ids);
            Assert.Equal("off", targets.Exclude.Metadata["autosnap"]);
            Assert.True(targets.Matches(Server("web1", Id1, "SYD", ("env", "production"))));
            Assert.False(targets.Matches(Server("web1", Id2, "SYD", ("env", "production"))));
        }

        [Fact]
        public void All_true_selects_everything_and_false_flags_are_as_good_as_absent()
        {
            Assert.True(ParseOne("\"schedule\": \"daily\", \"retention\": 1, \"targets\": {\"all\": true, \"exclude\": {\"names\": [\"x\"]}}").Targets.AllServers);
            TargetSelector targets = ParseOne("\"schedule\": \"daily\", \"retention\": 1, \"targets\": {\"all\": false, \"allRegions\": false, \"names\": [\"x\"]}").Targets;
            Assert.False(targets.AllServers);
            Assert.False(targets.AllRegions);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(256)]
        public void ThrottleLimit_takes_1_to_256(int limit)
        {
            Assert.Equal(limit, Parse("{\"throttleLimit\": " + limit + ", \"policies\": [{" + Valid + "}]}").ThrottleLimit);
        }

        [Fact]
        public void A_schema_reference_is_allowed_and_ignored()
        {
            Assert.Single(Parse("{\"$schema\": \"./policy.schema.json\", \"policies\": [{" + Valid + "}]}").Policies);
        }

        [Fact]
        public void Comments_may_go_wherever_whitespace_may()
        {
            const string json = "// a policy file\n/* block\n comment */ {\n" +
                                "  \"policies\": /* the list */ [ // one policy\n" +
                                "    { \"schedule\": \"daily\", // the pool\n" +
                                "      \"targets\": { \"names\": [ \"web*\" /* more later */ ] },\n" +
                                "      \"retention\": /* keep 8 */ 7 }\n" +
                                "  ] /* end */\n} // the end";

            Assert.Equal("daily", Parse(json).Policies.Single().Schedule);
        }

        [Fact]
        public void Comment_markers_inside_strings_are_text()
        {
            SnapshotPolicy policy = ParseOne(Valid + ", \"name\": \"a // b /* c */\", \"metadata\": {\"url\": \"http://example.invalid/x\"}");

            Assert.Equal("a // b /* c */", policy.Name);
            Assert.Equal("http://example.invalid/x", policy.Metadata["url"]);
        }

        [Fact]
        public void Strings_are_read_exactly_escapes_included_and_never_as_dates()
        {
            SnapshotPolicy policy = ParseOne(Valid + ", \"name\": \"2026-01-20T00:05:00Z\", \"metadata\": {\"note\": \"caf\\u00e9 \\\"quoted\\\" \\\\ \\/ \\t\"}");

            Assert.Equal("2026-01-20T00:05:00Z", policy.Name);
            Assert.Equal("café \"quoted\" \\ / \t", policy.Metadata["note"]);
        }

        [Theory]
        [InlineData("\n")]
        [InlineData("\r\n")]
        [InlineData("\r")]
        public void Lines_are_counted_with_any_line_ending(string newline)
        {
            string json = string.Join(newline, "{", "  \"policies\": [", "    { " + Valid + ", \"timeout\": \"soon\" }", "  ]", "}");

            PolicyException error = Refused(json);

            Assert.Equal(3, error.Line);
        }

        [Fact]
        public void A_byte_order_mark_is_skipped()
        {
            Assert.Single(Parse("\uFEFF" + OnePolicy(Valid)).Policies);
        }

        [Fact]
        public void Load_reads_utf8_with_or_without_a_byte_order_mark_and_utf16_with_one()
        {
            string directory = Path.Combine(Path.GetTempPath(), "autosnap-policy-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            try
            {
                string json = OnePolicy(Valid + ", \"name\": \"n\u00e4chtlich\"");
                string plain = Path.Combine(directory, "plain.json");
                string bom = Path.Combine(directory, "bom.json");
                string utf16 = Path.Combine(directory, "utf16.json");
                File.WriteAllText(plain, json, new UTF8Encoding(false));
                File.WriteAllText(bom, json, new UTF8Encoding(true));
                File.WriteAllText(utf16, json, new UnicodeEncoding(false, true));

                foreach (string path in new[] { plain, bom, utf16 })
                {
                    SnapshotPolicy policy = PolicyFile.Load(path).Policies.Single();
                    Assert.Equal("n\u00e4chtlich", policy.Name);
                    Assert.Equal(path + ", policies[0]", policy.Origin);
                }
            }
            finally
            {
                Directory.Delete(directory, true);
            }
        }

        [Fact]
        public void Load_names_the_path_in_messages()
        {
            string path = Path.Combine(Path.GetTempPath(), "autosnap-policy-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, "{\"policies\": 1}");
            try
            {
                var error = Assert.Throws<PolicyException>(() => PolicyFile.Load(path));

                Assert.Equal(PolicyException.FieldType, error.ErrorId);
                Assert.Equal(path, error.SourceName);
                Assert.Equal(path + ", line 1, position 14: policies: must be a list of policies, not a whole number.", error.Message);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_missing_file_is_PolicyFileNotFound()
        {
            string path = Path.Combine(Path.GetTempPath(), "autosnap-no-such-" + Guid.NewGuid().ToString("N"), "policy.json");

            var error = Assert.Throws<PolicyException>(() => PolicyFile.Load(path));

            Assert.Equal("PolicyFileNotFound", error.ErrorId);
            Assert.Equal(path + ": the policy file does not exist.", error.Message);
            Assert.Equal(path, error.SourceName);
            Assert.Null(error.Field);
        }

        [Fact]
        public void A_file_that_is_not_utf8_is_PolicyFileUnreadable()
        {
            string path = Path.Combine(Path.GetTempPath(), "autosnap-policy-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllBytes(path, new byte[] { (byte)'{', (byte)'"', 0xE4, (byte)'"', (byte)':', (byte)'1', (byte)'}' });
            try
            {
                var error = Assert.Throws<PolicyException>(() => PolicyFile.Load(path));

                Assert.Equal("PolicyFileUnreadable", error.ErrorId);
                Assert.Equal(path + ": the policy file is not UTF-8 text.", error.Message);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_directory_is_PolicyFileUnreadable()
        {
            string path = Path.Combine(Path.GetTempPath(), "autosnap-policy-dir-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(path);
            try
            {
                var error = Assert.Throws<PolicyException>(() => PolicyFile.Load(path));

                Assert.Equal("PolicyFileUnreadable", error.ErrorId);
                Assert.StartsWith(path + ": the policy file cannot be read: ", error.Message);
            }
            finally
            {
                Directory.Delete(path);
            }
        }

        [Fact]
        public void An_empty_source_name_still_gives_a_readable_message()
        {
            var error = Assert.Throws<PolicyException>(() => PolicyFile.Parse("[]", ""));

            Assert.Equal("(policy), line 1, position 1: the document must be an object, { \"policies\": [ ... ] }, not a list.", error.Message);
            Assert.Null(error.Field);
        }

        [Fact]
        public void A_schedule_with_a_trailing_line_break_is_refused()
        {
            PolicyException error = Refused(OnePolicy("\"schedule\": \"daily\\n\", \"targets\": {\"all\": true}, \"retention\": 1"));

            Assert.Equal(PolicyException.ScheduleInvalid, error.ErrorId);
            Assert.Equal("policies[0].schedule", error.Field);
        }

        [Fact]
        public void PolicyException_carries_what_it_is_given()
        {
            var inner = new InvalidOperationException("inner");
            var error = new PolicyException("PolicyX", "text", "a.b", "file.json", 3, 7, inner);

            Assert.Equal(("PolicyX", "text", "a.b", "file.json", 3, 7), (error.ErrorId, error.Message, error.Field, error.SourceName, error.Line, error.Position));
            Assert.Same(inner, error.InnerException);
            var plain = new PolicyException("PolicyY", "other");
            Assert.Equal((null, null, null, null), (plain.Field, plain.SourceName, plain.Line, plain.Position));
            Assert.Throws<ArgumentNullException>(() => new PolicyException(null!, "x"));
        }

        [Fact]
        public void Documents_and_policies_are_immutable()
        {
            PolicyDocument document = Parse(BriefExample);

            Assert.Throws<NotSupportedException>(() => ((System.Collections.Generic.IList<SnapshotPolicy>)document.Policies).Add(document.Policies[0]));
            Assert.Throws<NotSupportedException>(() => ((System.Collections.Generic.IDictionary<string, string>)document.Policies[0].Metadata).Add("a", "b"));
        }
    }
}
