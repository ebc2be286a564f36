using System;
using System.Globalization;
using Autosnap.Model;

namespace Autosnap.Policy
{
    /// <summary>
    /// Where a policy value came from, so that every error names it the same way:
    /// a file ("policy.json, line 7, position 22: policies[0].retention.keepDaily: ..."),
    /// a server's metadata ("server web1 (id), metadata 'autosnap:daily', rule 'daily=x': ..."),
    /// or code ("timeout: ...").
    /// </summary>
    internal sealed class ErrorSite
    {
        private readonly string prefix;

        private ErrorSite(string prefix, string? field, string? source, int? line, int? position)
        {
            this.prefix = prefix;
            Field = field;
            Source = source;
            Line = line;
            Position = position;
        }

        public string? Field { get; }
        public string? Source { get; }
        public int? Line { get; }
        public int? Position { get; }

        public static ErrorSite InFile(string source, string? field, int line, int position)
        {
            string location = line > 0
                ? string.Format(CultureInfo.InvariantCulture, "{0}, line {1}, position {2}", source, line, position)
                : source;
            return new ErrorSite(field == null ? location + ": " : location + ": " + field + ": ", field, source,
                                 line > 0 ? line : (int?)null, line > 0 ? position : (int?)null);
        }

        public static ErrorSite InCode(string field) => new ErrorSite(field + ": ", field, null, null, null);

        /// <summary>For a value a caller will put in its own context (a parameter, an argument): no prefix at all.</summary>
        public static ErrorSite Unprefixed(string field) => new ErrorSite(string.Empty, field, null, null, null);

        /// <summary>"server web1 (id), metadata 'autosnap:daily', rule 'daily=x': ..." (without the rule when none is to blame).</summary>
        public static ErrorSite OnServer(RackspaceServer server, string key, string? rule)
        {
            string source = ServerLabel(server);
            string where = source + ", metadata '" + key + "'" + (rule == null ? string.Empty : ", rule '" + rule + "'");
            return new ErrorSite(where + ": ", key, source, null, null);
        }

        public static string ServerLabel(RackspaceServer server) => "server " + server.Name + " (" + server.Id + ")";

        public PolicyException Error(string errorId, string text, Exception? inner = null) =>
            new PolicyException(errorId, prefix + text, Field, Source, Line, Position, inner);
    }
}
