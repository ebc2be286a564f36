BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:ManifestData = Import-PowerShellDataFile $ModuleManifest
}

Describe 'The built module (out/Autosnap)' {
    It 'has a manifest that Test-ModuleManifest accepts' {
        $info = Test-ModuleManifest $ModuleManifest
        $info.Name | Should -Be 'Autosnap'
        $info.Version | Should -Not -Be ([version]'0.0')
    }

    It 'declares both editions, PowerShell 5.1, .NET Framework 4.7.2 and the binary root module' {
        $ManifestData.RootModule | Should -Be 'Autosnap.dll'
        $ManifestData.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $ManifestData.PowerShellVersion | Should -Be '5.1'
        $ManifestData.DotNetFrameworkVersion | Should -Be '4.7.2'
        $ManifestData.FormatsToProcess | Should -Be @('Autosnap.Format.ps1xml')
        $ManifestData.ContainsKey('RequiredAssemblies') | Should -BeFalse
    }

    It 'lists its cmdlets explicitly, without wildcards' {
        foreach ($name in $ManifestData.CmdletsToExport) { $name | Should -Not -Match '[\*\?]' }
        foreach ($key in 'FunctionsToExport', 'VariablesToExport', 'AliasesToExport') {
            @($ManifestData[$key]).Count | Should -Be 0 -Because "$key must be an empty list, not a wildcard"
        }
    }

    It 'has no version token left from the source manifest' {
        Get-Content -Raw $ModuleManifest | Should -Not -Match '\{\{'
    }

    It 'ships only Autosnap.dll at its root and third-party DLLs under dependencies/' {
        @(Get-ChildItem $ModulePath -Filter *.dll).Name | Should -Be @('Autosnap.dll')
        @(Get-ChildItem (Join-Path $ModulePath 'dependencies') -Filter *.dll).Name | Sort-Object |
            Should -Be @('Newtonsoft.Json.dll', 'Polly.dll')
    }

    It 'never ships System.Management.Automation' {
        Get-ChildItem $ModulePath -Recurse -Filter 'System.Management.Automation*' | Should -BeNullOrEmpty
    }

    It 'imports in a fresh pwsh and exports exactly the cmdlets its manifest names' {
        $exported = Invoke-FreshPwsh -Script @'
param($Manifest)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
(Get-Command -Module Autosnap | Sort-Object Name).Name -join ','
'@ -ArgumentList $ModuleManifest
        $LASTEXITCODE | Should -Be 0
        $expected = ($ManifestData.CmdletsToExport | Sort-Object) -join ','
        ($exported | Select-Object -Last 1) | Should -BeExactly $expected
    }
}
