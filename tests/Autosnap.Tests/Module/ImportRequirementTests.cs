using System;
using Xunit;

namespace Autosnap.Tests.Module
{
    /// <summary>Which PowerShell the module loads in: Windows PowerShell 5.1, or PowerShell 7.4 and later.</summary>
    public class ImportRequirementTests
    {
        [Theory]
        [InlineData("Core", "7.0.0")]
        [InlineData("Core", "7.2.24")]
        [InlineData("Core", "7.3.12")]
        [InlineData("Core", "6.2.7")]
        public void Core_before_7_4_is_refused_with_a_message_that_names_both_versions(string edition, string version)
        {
            string? refusal = ModuleInitializer.ImportRefusal(edition, Version.Parse(version));

            Assert.NotNull(refusal);
            Assert.Contains("needs PowerShell 7.4 or later", refusal);
            Assert.Contains("Windows PowerShell 5.1", refusal);
            Assert.Contains("this is PowerShell " + version, refusal);
        }

        [Theory]
        [InlineData("Core", "7.4.0")]
        [InlineData("Core", "7.4.6")]
        [InlineData("Core", "7.5.0")]
        [InlineData("Core", "7.6.9")]
        [InlineData("Core", "8.0")]
        [InlineData("Desktop", "5.1.19041.1")]
        public void Windows_PowerShell_and_Core_from_7_4_load(string edition, string version)
        {
            Assert.Null(ModuleInitializer.ImportRefusal(edition, Version.Parse(version)));
        }

        [Fact]
        public void The_version_read_from_the_running_PowerShell_is_its_PSVersion_and_it_loads()
        {
            // The tests host PowerShell 7.6 (Microsoft.PowerShell.SDK): the same reading the import makes.
            Version current = ModuleInitializer.CurrentPowerShellVersion();

            Assert.Equal(7, current.Major);
            Assert.True(current >= new Version(7, 6), current.ToString());
            Assert.Null(ModuleInitializer.ImportRefusal("Core", current));
        }
    }
}
