using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Autosnap.Cloud
{
    /// <summary>
    /// A file of credential variables for unattended runs, in the form of an OpenStack rc file:
    /// <c>NAME=value</c> lines (an <c>export </c> prefix and quotes are allowed, <c>#</c> starts a comment), with the
    /// same names as the environment variables (RACKSPACE_USERNAME, RACKSPACE_API_KEY, OS_AUTH_URL, OS_PASSWORD...).
    /// A file that anyone but its owner can read is refused: the key would be as exposed as on a command line.
    /// </summary>
    public static class CredentialFile
    {
        public static IReadOnlyDictionary<string, string> Read(string path)
        {
            if (!File.Exists(path))
            {
                throw new CloudException(CloudErrorKind.Configuration, $"The credential file '{path}' does not exist.");
            }
            string? exposure = ExposureOf(path);
            if (exposure != null)
            {
                throw new CloudException(CloudErrorKind.Configuration,
                    $"The credential file '{path}' is readable by others ({exposure}); it was not read. " +
                    (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                        ? "Remove every access rule but your own (and SYSTEM/Administrators)."
                        : $"Make it private: chmod 600 '{path}'."));
            }
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            int number = 0;
            foreach (string raw in File.ReadAllLines(path))
            {
                number++;
                string line = raw.Trim();
                if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal)) continue;
                if (line.StartsWith("export ", StringComparison.Ordinal)) line = line.Substring(7).TrimStart();
                int equals = line.IndexOf('=');
                if (equals <= 0)
                {
                    // Never quote the line: it may hold a secret.
                    throw new CloudException(CloudErrorKind.Configuration, $"The credential file '{path}' has a line {number} that is not NAME=value.");
                }
                string name = line.Substring(0, equals).Trim();
                string value = line.Substring(equals + 1).Trim();
                if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[value.Length - 1] == value[0])
                {
                    value = value.Substring(1, value.Length - 2);
                }
                values[name] = value;
            }
            return values;
        }

        /// <summary>Null when only the owner can read the file; otherwise who else can, in words.</summary>
        internal static string? ExposureOf(string path) =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? WindowsExposure(path) : UnixExposure(path);

        // .NET 7+ has File.GetUnixFileMode; netstandard2.0 cannot name it, so it is called by reflection. Without it
        // (an older runtime), the mode is unknown and the file is refused rather than trusted.
        private static string? UnixExposure(string path)
        {
            MethodInfo? getMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
            if (getMode == null)
            {
                return "its permissions cannot be read on this runtime";
            }
            int mode = Convert.ToInt32(getMode.Invoke(null, new object[] { path }));
            const int GroupOrOther = 0x3F; // rwx for group and other (octal 077)
            return (mode & GroupOrOther) == 0 ? null : "mode " + Convert.ToString(mode & 0x1FF, 8).PadLeft(3, '0');
        }

        // Allowed besides the owner: SYSTEM and Administrators, who can read any file anyway.
        private static readonly string[] TrustedSids = { "S-1-5-18", "S-1-5-32-544" };

        private static string? WindowsExposure(string path)
        {
            // FileInfo.GetAccessControl (.NET Framework) or FileSystemAclExtensions.GetAccessControl (.NET): by reflection.
            var file = new FileInfo(path);
            object? security = typeof(FileInfo).GetMethod("GetAccessControl", Type.EmptyTypes)?.Invoke(file, null);
            if (security == null)
            {
                Type? extensions = Type.GetType("System.IO.FileSystemAclExtensions, System.IO.FileSystem.AccessControl");
                security = extensions?.GetMethod("GetAccessControl", new[] { typeof(FileInfo) })?.Invoke(null, new object[] { file });
            }
            if (security == null)
            {
                return "its access rules cannot be read on this runtime";
            }
            Type sidType = Type.GetType("System.Security.Principal.SecurityIdentifier, System.Security.Principal.Windows")
                           ?? Type.GetType("System.Security.Principal.SecurityIdentifier, mscorlib")!;
            object? owner = security.GetType().GetMethod("GetOwner", new[] { typeof(Type) })!.Invoke(security, new object[] { sidType });
            var rules = (System.Collections.IEnumerable)security.GetType()
                .GetMethod("GetAccessRules", new[] { typeof(bool), typeof(bool), typeof(Type) })!
                .Invoke(security, new object[] { true, true, sidType })!;
            var others = new List<string>();
            foreach (object rule in rules)
            {
                string sid = rule.GetType().GetProperty("IdentityReference")!.GetValue(rule)!.ToString()!;
                string type = rule.GetType().GetProperty("AccessControlType")!.GetValue(rule)!.ToString()!;
                if (type == "Allow" && sid != owner?.ToString() && !TrustedSids.Contains(sid))
                {
                    others.Add(sid);
                }
            }
            return others.Count == 0 ? null : "access granted to " + string.Join(", ", others.Distinct());
        }
    }
}
