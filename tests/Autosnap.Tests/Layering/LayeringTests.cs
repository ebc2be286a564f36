using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using Autosnap.Cloud;
using Autosnap.Cmdlets;
using Autosnap.Tests.Policy;
using Xunit;

namespace Autosnap.Tests.Layering
{
    /// <summary>
    /// The engine, cloud, rotation, policy and model code build into Autosnap.Core, which must never reach
    /// PowerShell: everything the module does stays callable (and testable) from plain C#.
    /// </summary>
    public sealed class LayeringTests
    {
        private static readonly Assembly Core = typeof(CloudHttp).Assembly;
        private static readonly Assembly Module = typeof(AutosnapCmdlet).Assembly;

        private static bool IsPowerShell(string name) =>
            name.StartsWith("System.Management.Automation", StringComparison.OrdinalIgnoreCase) ||
            name.StartsWith("Microsoft.PowerShell", StringComparison.OrdinalIgnoreCase) ||
            name.StartsWith("PowerShellStandard", StringComparison.OrdinalIgnoreCase);

        [Fact]
        public void CoreIsItsOwnAssembly()
        {
            Assert.Equal("Autosnap.Core", Core.GetName().Name);
            Assert.Equal("Autosnap", Module.GetName().Name);
            Assert.Contains(Module.GetReferencedAssemblies(), reference => reference.Name == "Autosnap.Core");
        }

        [Fact]
        public void CoreReferencesNoPowerShellAssembly()
        {
            string[] references = Core.GetReferencedAssemblies().Select(reference => reference.Name!).ToArray();
            Assert.DoesNotContain(references, IsPowerShell);
            // nor the cmdlet assembly, which would bring PowerShell in through the back door
            Assert.DoesNotContain("Autosnap", references);
        }

        [Fact]
        public void CoreProjectDeclaresNoPowerShellReference()
        {
            // The compiler only records references that the code uses; the project file shows intent too.
            var project = XDocument.Load(PolicyTestSupport.RepositoryFile(Path.Combine("src", "Autosnap.Core", "Autosnap.Core.csproj")));
            string[] included = project.Descendants()
                .Where(element => element.Name.LocalName is "PackageReference" or "Reference" or "ProjectReference" or "FrameworkReference")
                .Select(element => ReferencedName((string?)element.Attribute("Include") ?? string.Empty))
                .ToArray();
            Assert.NotEmpty(included);
            Assert.DoesNotContain(included, IsPowerShell);
            Assert.DoesNotContain("Autosnap", included);
        }

        /// <summary>A package id as it is; a project or DLL path by its file name without the extension.</summary>
        private static string ReferencedName(string include)
        {
            string name = Path.GetFileName(include.Replace('\\', '/'));
            foreach (string extension in new[] { ".csproj", ".dll" })
            {
                if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                {
                    return name.Substring(0, name.Length - extension.Length);
                }
            }
            return name;
        }

        [Fact]
        public void EngineNamespacesLiveOnlyInCore()
        {
            string[] layers = { "Autosnap.Engine", "Autosnap.Cloud", "Autosnap.Rotation", "Autosnap.Policy", "Autosnap.Model" };
            Type[] misplaced = Module.GetTypes()
                .Where(type => type.Namespace != null && layers.Any(layer => type.Namespace == layer || type.Namespace.StartsWith(layer + ".", StringComparison.Ordinal)))
                .ToArray();
            Assert.Empty(misplaced);
            Assert.All(layers, layer => Assert.Contains(Core.GetTypes(), type => type.Namespace == layer));
        }
    }
}
