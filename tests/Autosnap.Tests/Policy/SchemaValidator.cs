using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Json.Schema;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Autosnap.Tests.Policy
{
    /// <summary>
    /// module/policy.schema.json as the tests use it: validated by JsonSchema.Net (draft-07, as its $schema says),
    /// and readable as a Newtonsoft tree for the tests that compare its patterns and limits with the parser's.
    /// </summary>
    internal sealed class SchemaValidator
    {
        private readonly JsonSchema schema;

        private SchemaValidator(JObject root)
        {
            Root = root;
            schema = JsonSchema.FromText(root.ToString(Formatting.None));
        }

        public static SchemaValidator Load(string path) => new SchemaValidator((JObject)Read(File.ReadAllText(path)));

        /// <summary>JSON with comments, strings kept as strings (no dates), duplicate keys refused.</summary>
        public static JToken Read(string json)
        {
            using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
            return JToken.ReadFrom(reader, new JsonLoadSettings
            {
                CommentHandling = CommentHandling.Ignore,
                DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
            });
        }

        public JObject Root { get; }

        /// <summary>The schema's errors for the document ("location: message"): empty when it is valid.</summary>
        public IReadOnlyList<string> Validate(JToken instance)
        {
            EvaluationResults results = schema.Evaluate(JsonNode.Parse(instance.ToString(Formatting.None)),
                                                        new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (results.IsValid) return new string[0];
            return results.Details
                .Where(detail => detail.Errors != null)
                .SelectMany(detail => detail.Errors!.Select(error => "$" + detail.InstanceLocation + ": " + error.Value))
                .DefaultIfEmpty("the document does not match the schema")
                .ToList();
        }

        public JObject Definition(string name) => (JObject)Root["definitions"]![name]!;
    }
}
