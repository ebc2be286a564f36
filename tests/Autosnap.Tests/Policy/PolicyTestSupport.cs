using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Autosnap.Model;
using Autosnap.Policy;
using Xunit;

namespace Autosnap.Tests.Policy
{
    /// <summary>Servers, documents and assertions shared by the policy tests.</summary>
    internal static class PolicyTestSupport
    {
        public const string Id1 = "0b1c2d3e-0000-4000-8000-000000000001";
        public const string Id2 = "0b1c2d3e-0000-4000-8000-000000000002";
        public const string Id3 = "0b1c2d3e-0000-4000-8000-000000000003";

        public static RackspaceServer Server(string name, string id = Id1, string region = "DFW", params (string Key, string Value)[] metadata) =>
            new RackspaceServer(id, name, "ACTIVE", null, region, null, metadata.ToDictionary(m => m.Key, m => m.Value));

        /// <summary>A document with one policy whose fields are the JSON members given (without braces).</summary>
        public static string OnePolicy(string members) => "{\"policies\": [{" + members + "}]}";

        /// <summary>A valid policy's members, to which a test adds one.</summary>
        public const string Valid = "\"schedule\": \"daily\", \"targets\": {\"names\": [\"web*\"]}, \"retention\": 7";

        public static PolicyDocument Parse(string json) => PolicyFile.Parse(json, "policy.json");

        public static SnapshotPolicy ParseOne(string members) => Parse(OnePolicy(members)).Policies.Single();

        public static PolicyException Refused(string json)
        {
            Exception error = Record.Exception(() => Parse(json));
            Assert.NotNull(error);
            return Assert.IsType<PolicyException>(error);
        }

        /// <summary>The message without "policy.json, line L, position P: ".</summary>
        public static string WithoutLocation(PolicyException error)
        {
            string prefix = "policy.json, line " + error.Line + ", position " + error.Position + ": ";
            Assert.StartsWith(prefix, error.Message);
            return error.Message.Substring(prefix.Length);
        }

        /// <summary>The repository's copy of a file (docs/policy.md, module/policy.schema.json).</summary>
        public static string RepositoryFile(string relativePath)
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Autosnap.sln")))
                {
                    return Path.Combine(directory.FullName, relativePath);
                }
            }

            throw new InvalidOperationException("The repository root (with Autosnap.sln) is not above " + AppContext.BaseDirectory);
        }

        public static IReadOnlyDictionary<string, string> Map(params (string Key, string Value)[] entries) =>
            entries.ToDictionary(e => e.Key, e => e.Value);
    }
}
