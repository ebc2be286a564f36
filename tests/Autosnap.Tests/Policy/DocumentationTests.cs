using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Autosnap.Engine;
using Autosnap.Model;
using Autosnap.Policy;
using Autosnap.Rotation;
using Newtonsoft.Json.Linq;
using Xunit;
using static Autosnap.Tests.Policy.PolicyTestSupport;

namespace Autosnap.Tests.Policy
{
    /// <summary>
    /// docs/policy.md and module/policy.schema.json against the parser: every example loads (or fails with the message
    /// shown), the schema has the parser's fields, patterns and limits, and the two agree on what they refuse.
    /// </summary>
    public class DocumentationTests
    {
        private static readonly Lazy<IReadOnlyList<Block>> Doc = new Lazy<IReadOnlyList<Block>>(() => Blocks(File.ReadAllText(RepositoryFile("docs/policy.md"))));
        private static readonly Lazy<SchemaValidator> Schema = new Lazy<SchemaValidator>(() => SchemaValidator.Load(RepositoryFile("module/policy.schema.json")));

        private sealed class Block
        {
            public Block(string info, string text, int line)
            {
                Info = info;
                Text = text;
                Line = line;
            }

            public string Info { get; }
            public string Text { get; }
            public int Line { get; }

            public override string ToString() => "docs/policy.md line " + Line + " (" + Info + ")";
        }

        /// <summary>Fenced code blocks with their info strings.</summary>
        private static IReadOnlyList<Block> Blocks(string markdown)
        {
            var blocks = new List<Block>();
            string[] lines = markdown.Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith("```", StringComparison.Ordinal)) continue;
                string info = lines[i].Substring(3).Trim();
                int start = i + 1;
                int end = start;
                while (end < lines.Length && lines[end] != "```") end++;
                Assert.True(end < lines.Length, "unclosed code block at line " + (i + 1));
                blocks.Add(new Block(info, string.Join("\n", lines, start, end - start), i + 1));
                i = end;
            }

            return blocks;
        }

        private static IEnumerable<Block> OfKind(string info) => Doc.Value.Where(b => b.Info == info);

        /// <summary>The block after <paramref name="block"/>, which shows its message.</summary>
        private static string MessageAfter(Block block)
        {
            int index = Doc.Value.ToList().IndexOf(block);
            Block next = Doc.Value[index + 1];
            Assert.True(next.Info == "text", block + " must be followed by a text block with its message");
            return next.Text.Trim();
        }

        [Fact]
        public void Every_code_block_has_a_kind_these_tests_know()
        {
            string[] known = { "json", "jsonc", "jsonc invalid", "jsonc fragment", "text", "text metadata", "text metadata invalid", "sh", "abnf" };

            Assert.Empty(Doc.Value.Where(b => !known.Contains(b.Info)).Select(b => b.ToString()));
        }

        [Fact]
        public void Every_json_example_loads_and_passes_the_schema()
        {
            Block[] examples = OfKind("json").Concat(OfKind("jsonc")).ToArray();
            Assert.True(examples.Length >= 5, "the examples are found");

            foreach (Block example in examples)
            {
                PolicyDocument document = PolicyFile.Parse(example.Text, "policy.json");
                Assert.NotEmpty(document.Policies);
                Assert.True(Schema.Value.Validate(SchemaValidator.Read(example.Text)).Count == 0,
                            example + ": " + string.Join("; ", Schema.Value.Validate(SchemaValidator.Read(example.Text))));
            }
        }

        [Fact]
        public void Every_invalid_example_fails_with_the_message_shown()
        {
            Block[] examples = OfKind("jsonc invalid").ToArray();
            Assert.True(examples.Length >= 5, "the examples are found");

            foreach (Block example in examples)
            {
                var error = Assert.Throws<PolicyException>(() => PolicyFile.Parse(example.Text, "policy.json"));
                Assert.Equal(MessageAfter(example), error.Message);
            }
        }

        [Fact]
        public void The_fragment_shows_the_fields_of_targets_and_exclude()
        {
            JObject targets = (JObject)((JObject)SchemaValidator.Read("{" + OfKind("jsonc fragment").Single().Text + "}"))["targets"]!;

            Assert.Equal(PolicyShape.Targets.Fields.OrderBy(f => f), targets.Properties().Select(p => p.Name).OrderBy(f => f));
            Assert.Equal(PolicyShape.Exclude.Fields.OrderBy(f => f), ((JObject)targets["exclude"]!).Properties().Select(p => p.Name).OrderBy(f => f));
        }

        private static RackspaceServer ServerWith(string lines)
        {
            var metadata = new Dictionary<string, string>();
            foreach (string line in lines.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
            {
                int equals = line.IndexOf('=');
                string value = line.Substring(equals + 1).Trim();
                Assert.True(value.Length >= 2 && value[0] == '"' && value[value.Length - 1] == '"', "metadata values are quoted in the docs: " + line);
                metadata.Add(line.Substring(0, equals).Trim(), value.Substring(1, value.Length - 2));
            }

            return new RackspaceServer(Id1, "web1", "ACTIVE", null, "DFW", null, metadata);
        }

        [Fact]
        public void Every_metadata_example_gives_one_policy_per_key()
        {
            Block[] examples = OfKind("text metadata").ToArray();
            Assert.NotEmpty(examples);

            foreach (Block example in examples)
            {
                RackspaceServer server = ServerWith(example.Text);
                var errors = new List<PolicyException>();
                IReadOnlyList<SnapshotPolicy> policies = ServerMetadataPolicy.For(server, errors);

                Assert.Empty(errors.Select(e => e.Message));
                Assert.Equal(server.Metadata.Count, policies.Count);
                Assert.True(policies.Count >= 4);
            }
        }

        [Fact]
        public void Every_invalid_metadata_example_fails_with_the_message_shown()
        {
            Block[] examples = OfKind("text metadata invalid").ToArray();
            Assert.True(examples.Length >= 3, "the examples are found");

            foreach (Block example in examples)
            {
                var error = Assert.Throws<PolicyException>(() => ServerMetadataPolicy.For(ServerWith(example.Text)));
                Assert.Equal(MessageAfter(example), error.Message);
            }
        }

        [Fact]
        public void The_documentation_names_every_error_id_field_and_rule()
        {
            string markdown = File.ReadAllText(RepositoryFile("docs/policy.md"));
            IEnumerable<string> ids = typeof(PolicyException).GetFields(BindingFlags.Public | BindingFlags.Static)
                .Concat(typeof(RetentionPolicyException).GetFields(BindingFlags.Public | BindingFlags.Static))
                .Where(f => f.IsLiteral)
                .Select(f => (string)f.GetRawConstantValue()!);
            IEnumerable<string> fields = PolicyShape.All.SelectMany(shape => shape.Fields);

            Assert.Equal(string.Empty, string.Join(", ", ids.Concat(fields).Where(name => !markdown.Contains("`" + name + "`"))));
            Assert.Equal(string.Empty, string.Join(", ", ServerMetadataPolicy.RuleKeys.Where(key => !markdown.Contains("\"" + key + "\""))));
        }

        public static IEnumerable<object[]> Shapes() => new[]
        {
            new object[] { "document", null! },
            new object[] { "policy", "policy" },
            new object[] { "targets", "targets" },
            new object[] { "exclude", "exclude" },
            new object[] { "retention", "retentionRules" },
            new object[] { "restoreTest", "restoreTest" },
            new object[] { "hooks", "hooks" },
            new object[] { "hookCommand", "hookCommand" },
        };

        [Theory]
        [MemberData(nameof(Shapes))]
        public void The_schema_has_the_fields_of_the_parser(string kind, string? definition)
        {
            PolicyShape shape = PolicyShape.All.Single(s => s.Kind == kind);
            JObject schema = definition == null ? Schema.Value.Root : Schema.Value.Definition(definition);

            Assert.Equal(shape.Fields.OrderBy(f => f, StringComparer.Ordinal),
                         ((JObject)schema["properties"]!).Properties().Select(p => p.Name).OrderBy(f => f, StringComparer.Ordinal));
            Assert.Equal(shape.Required.OrderBy(f => f, StringComparer.Ordinal),
                         (schema["required"]?.Values<string>() ?? Enumerable.Empty<string>()).OrderBy(f => f, StringComparer.Ordinal));
            Assert.False((bool)schema["additionalProperties"]!);
        }

        [Fact]
        public void The_schema_has_the_patterns_and_limits_of_the_parser()
        {
            JObject policy = Schema.Value.Definition("policy");
            JObject properties = (JObject)policy["properties"]!;

            Assert.Equal(PolicyDuration.Pattern, (string)Schema.Value.Definition("duration")["pattern"]!);
            Assert.Equal(SnapshotPolicy.NameTemplatePattern, (string)properties["nameTemplate"]!["pattern"]!);
            Assert.Equal(Enum.GetNames(typeof(OrphanHandling)), properties["onServerDeleted"]!["enum"]!.Values<string>());
            Assert.Equal(SnapshotPolicy.MaxNameLength, (int)properties["name"]!["maxLength"]!);
            Assert.Equal(RetentionInput.MaxCount, (int)Schema.Value.Definition("count")["maximum"]!);
            Assert.Equal(0, (int)Schema.Value.Definition("count")["minimum"]!);
            JToken throttle = Schema.Value.Root["properties"]!["throttleLimit"]!;
            Assert.Equal((PolicyDocument.MinThrottleLimit, PolicyDocument.MaxThrottleLimit), ((int)throttle["minimum"]!, (int)throttle["maximum"]!));
        }

        [Theory]
        [InlineData("daily")]
        [InlineData("Daily")]
        [InlineData("d")]
        [InlineData("7")]
        [InlineData("db.weekly_2-x")]
        [InlineData("")]
        [InlineData("-daily")]
        [InlineData(".daily")]
        [InlineData("_daily")]
        [InlineData("da ily")]
        [InlineData("daily/x")]
        [InlineData("tägl")]
        [InlineData("daily\n")]
        [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
        [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
        public void The_schedule_pattern_accepts_what_SnapshotService_accepts(string schedule)
        {
            string pattern = (string)((JObject)Schema.Value.Definition("policy")["properties"]!)["schedule"]!["pattern"]!;
            bool serviceAccepts = Record.Exception(() => SnapshotService.ValidateSchedule(schedule)) == null;

            Assert.Equal(serviceAccepts, Regex.IsMatch(schedule, pattern.Replace("$", "\\z"), RegexOptions.ECMAScript));
        }

        [Theory]
        [InlineData(Id1, true)]
        [InlineData("0B1C2D3E-0000-4000-8000-00000000000A", true)]
        [InlineData("0b1c2d3e000040008000000000000001", false)]
        [InlineData("{0b1c2d3e-0000-4000-8000-000000000001}", false)]
        [InlineData("web1", false)]
        [InlineData("0b1c2d3e-0000-4000-8000-00000000000g", false)]
        public void The_id_pattern_accepts_what_the_parser_accepts(string id, bool valid)
        {
            string pattern = (string)Schema.Value.Definition("idList")["items"]!["pattern"]!;
            bool parserAccepts = Record.Exception(() => new TargetSelector(ids: new[] { id })) == null;

            Assert.Equal(valid, parserAccepts);
            Assert.Equal(valid, Regex.IsMatch(id, pattern, RegexOptions.ECMAScript));
        }

        /// <summary>
        /// What the schema cannot say and the parser checks (docs/policy.md, "Editor support"): any of these may pass the
        /// schema. Every other refusal must fail it too.
        /// </summary>
        private static bool ParserOnly(string errorId, string? field, string message) =>
            errorId == RetentionPolicyException.TimeZoneNotFound ||
            errorId == PolicyException.PoolConflict ||
            errorId == PolicyException.MetadataInvalid ||
            errorId == RetentionPolicyException.KeepsNothing ||
            errorId == RetentionPolicyException.InvalidWithin ||
            (errorId == PolicyException.ValueDuplicate && (message.Contains("without regard to case") || field!.EndsWith(".name", StringComparison.Ordinal))) ||
            (errorId == PolicyException.ValueOutOfRange && Regex.IsMatch(field!, "(minInterval|timeout|keepWithin)$")) ||
            (errorId == PolicyException.ValueEmpty && Regex.IsMatch(message, "cannot be empty")) ||
            (errorId == PolicyException.ValueInvalid && Regex.IsMatch(message, "spaces around it|control characters|is not a valid wildcard pattern")) ||
            (errorId == PolicyException.TargetsEmpty && message.EndsWith("every id in ids is also excluded.", StringComparison.Ordinal)) ||
            (errorId == PolicyException.NameTemplateInvalid && message.Contains("gives an empty name")) ||
            // JSON Schema (draft-06 on) counts 7.0 and 7e0 as integers; the parser wants them written 7.
            (errorId == PolicyException.FieldType && message.EndsWith("must be a whole number, not a number with a fraction.", StringComparison.Ordinal));

        [Fact]
        public void The_schema_refuses_what_the_parser_refuses_except_what_it_cannot_express()
        {
            var disagreements = new List<string>();
            int compared = 0;
            foreach (object?[] row in PolicyFileErrorTests.Refusals())
            {
                string json = (string)row[0]!, errorId = (string)row[1]!, message = (string)row[3]!;
                string? field = (string?)row[2];
                // Not JSON, or a key twice: nothing a schema is asked about.
                if (errorId == PolicyException.FileNotJson || errorId == PolicyException.FieldDuplicate) continue;
                compared++;
                bool schemaRefuses = Schema.Value.Validate(SchemaValidator.Read(json)).Count > 0;
                if (!schemaRefuses && !ParserOnly(errorId, field, message)) disagreements.Add("schema accepts: " + json + " (" + errorId + ")");
            }

            Assert.True(compared > 100, "the refusals are compared");
            Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
        }

        [Theory]
        [InlineData("{\"policies\": [{\"schedule\": \"d\", \"targets\": {\"all\": true, \"allRegions\": false, \"regions\": [\"DFW\"]}, \"retention\": 0}]}")]
        [InlineData("{\"policies\": [{\"schedule\": \"d\", \"targets\": {\"all\": false, \"names\": [\"x\"]}, \"retention\": {\"keepWithin\": \"1d\"}}]}")]
        [InlineData("{\"policies\": [{\"schedule\": \"d\", \"targets\": {\"ids\": [\"" + Id1 + "\"], \"metadata\": {\"a\": \"*\"}}, \"retention\": {\"keepDaily\": 1, \"keepLast\": 0, \"timeZone\": \"UTC\"}}]}")]
        [InlineData("{\"policies\": [{\"schedule\": \"d\", \"targets\": {\"all\": true}, \"retention\": {\"retention\": 100000}, \"timeout\": \"7d\", \"minInterval\": \"00:00:01\"}]}")]
        public void Valid_documents_pass_both(string json)
        {
            PolicyFile.Parse(json, "policy.json");
            Assert.Empty(Schema.Value.Validate(SchemaValidator.Read(json)));
        }
    }
}
