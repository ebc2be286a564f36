using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Autosnap
{
    /// <summary>
    /// Runs when the module is imported: loads Autosnap's third-party assemblies (Polly, Newtonsoft.Json, TimeZoneConverter)
    /// from the module's <c>dependencies/</c> folder, so they never collide with the copies other modules bring.
    /// </summary>
    /// <remarks>
    /// The DLLs sit in a subfolder, so neither PowerShell nor the runtime finds them on their own; the request
    /// ends up in <see cref="AppDomain.AssemblyResolve"/>, which we answer.
    /// On .NET (PowerShell 7) we load them into a private AssemblyLoadContext, so the default context stays free
    /// for another module's Polly. netstandard2.0 has no System.Runtime.Loader, hence the reflection.
    /// Where pwsh already carries an assembly (Newtonsoft.Json 13 in pwsh 7.2+) the runtime binds to that copy
    /// and this handler is never asked; that is intended: one Newtonsoft per process is what pwsh supports.
    /// On .NET Framework (Windows PowerShell 5.1) there are no load contexts; LoadFrom keeps our copy apart from
    /// a different version loaded by someone else, because the binder then matches on the full identity.
    /// </remarks>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly object Gate = new object();
        private static readonly Dictionary<string, Assembly> Loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        private static readonly string DependencyDirectory =
            Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".", "dependencies");

        private static object? s_loadContext;
        private static MethodInfo? s_loadFromAssemblyPath;

        /// <summary>True on Windows PowerShell 5.1.</summary>
        internal static bool IsDotNetFramework { get; } =
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        /// <summary>The oldest PowerShell on .NET (Core edition) the module supports: the oldest still serviced.</summary>
        internal static readonly Version MinimumCoreVersion = new Version(7, 4);

        /// <summary>
        /// Why the module refuses to load in this PowerShell, or null when it loads. The manifest can only say
        /// PowerShellVersion = '5.1' for both editions, so PowerShell 7.0 to 7.3 (out of support, and never tested)
        /// would import it without a word; this is the check the manifest cannot make.
        /// </summary>
        /// <param name="edition">"Desktop" (Windows PowerShell) or "Core" (PowerShell 6 and later).</param>
        /// <param name="version">$PSVersionTable.PSVersion.</param>
        internal static string? ImportRefusal(string edition, Version version)
        {
            if (version == null) throw new ArgumentNullException(nameof(version));
            if (string.Equals(edition, "Desktop", StringComparison.OrdinalIgnoreCase) || version >= MinimumCoreVersion)
            {
                return null;
            }
            return $"Autosnap needs PowerShell {MinimumCoreVersion} or later (or Windows PowerShell 5.1); this is PowerShell {version}. " +
                   "Install a current PowerShell (7.4 LTS or newer) and import the module there.";
        }

        /// <summary>$PSVersionTable.PSVersion of the PowerShell this runs in, as the engine itself reports it.</summary>
        internal static Version CurrentPowerShellVersion()
        {
            // PSVersionInfo is public in every System.Management.Automation, but not in the reference assemblies we
            // compile against; the assembly's own version is not the PowerShell version (7.x ships 7.x.y.500).
            Type info = typeof(PSObject).Assembly.GetType("System.Management.Automation.PSVersionInfo", throwOnError: true)!;
            object? value = info.GetProperty("PSVersion", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null);
            return value switch
            {
                Version version => version,
                // PowerShell 7 reports a SemanticVersion; its text ("7.4.6", "7.5.0-preview.2") starts with the version.
                object other => Version.Parse(other.ToString()!.Split('-', '+')[0]),
                null => throw new InvalidOperationException("PSVersionInfo.PSVersion is missing."),
            };
        }

        public void OnImport()
        {
            string? refusal = ImportRefusal(IsDotNetFramework ? "Desktop" : "Core", CurrentPowerShellVersion());
            if (refusal != null)
            {
                // Thrown before the resolver is hooked: nothing of the module stays behind in this session.
                throw new PlatformNotSupportedException(refusal);
            }
            if (IsDotNetFramework)
            {
                // Windows PowerShell may not offer TLS 1.2 by default; add it without removing what the user chose.
                ServicePointManager.SecurityProtocol |= SecurityProtocolType.Tls12;
            }
            AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
        }

        public void OnRemove(PSModuleInfo module)
        {
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
        }

        private static Assembly? ResolveDependency(object? sender, ResolveEventArgs args)
        {
            var requested = new AssemblyName(args.Name);
            if (string.IsNullOrEmpty(requested.Name))
            {
                return null;
            }
            string path = Path.Combine(DependencyDirectory, requested.Name + ".dll");
            if (!File.Exists(path))
            {
                return null;
            }
            lock (Gate)
            {
                if (!Loaded.TryGetValue(requested.Name!, out Assembly? assembly))
                {
                    assembly = IsDotNetFramework ? Assembly.LoadFrom(path) : LoadIntoPrivateContext(path);
                    Loaded[requested.Name!] = assembly;
                }
                // Never hand out our copy for a request it cannot satisfy (a newer version someone else wants).
                return requested.Version == null || assembly.GetName().Version >= requested.Version ? assembly : null;
            }
        }

        private static Assembly LoadIntoPrivateContext(string path)
        {
            if (s_loadContext == null)
            {
                Type contextType = Type.GetType("System.Runtime.Loader.AssemblyLoadContext, System.Runtime.Loader", throwOnError: true)!;
                s_loadContext = Activator.CreateInstance(contextType, "Autosnap", false);
                s_loadFromAssemblyPath = contextType.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) });
            }
            return (Assembly)s_loadFromAssemblyPath!.Invoke(s_loadContext, new object[] { path })!;
        }
    }
}
