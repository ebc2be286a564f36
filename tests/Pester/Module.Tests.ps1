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

    It 'ships only Autosnap.dll and Autosnap.Core.dll at its root and third-party DLLs under dependencies/' {
        @(Get-ChildItem $ModulePath -Filter *.dll).Name | Sort-Object | Should -Be @('Autosnap.Core.dll', 'Autosnap.dll')
        @(Get-ChildItem (Join-Path $ModulePath 'dependencies') -Filter *.dll).Name | Sort-Object |
            Should -Be @('Newtonsoft.Json.dll', 'Polly.dll', 'TimeZoneConverter.dll')
    }

    It 'ships the licence and the changelog of the repository' {
        $root = Join-Path $PSScriptRoot '../..'
        foreach ($file in 'LICENSE', 'CHANGELOG.md') {
            Get-Content -Raw (Join-Path $ModulePath $file) | Should -BeExactly (Get-Content -Raw (Join-Path $root $file))
        }
        Get-Content -Raw (Join-Path $ModulePath 'LICENSE') | Should -Match '^MIT License\s+Copyright \(c\) \d{4} Autosnap contributors'
    }

    It 'has release notes from the changelog section of its version, and a licence URI' {
        $version = $ManifestData.ModuleVersion
        $changelog = Get-Content -Raw (Join-Path $PSScriptRoot '../../CHANGELOG.md')
        $changelog | Should -Match "(?m)^## \[$([regex]::Escape($version))\]"
        $notes = $ManifestData.PrivateData.PSData.ReleaseNotes
        $notes | Should -Not -BeNullOrEmpty
        $changelog.Replace("`r`n", "`n") | Should -Match ([regex]::Escape("## [$version]") + '[^\n]*\n\s*' + [regex]::Escape($notes) + '\s*(\n## \[|$)')
        (Test-ModuleManifest $ModuleManifest).LicenseUri.IsAbsoluteUri | Should -BeTrue
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

    It 'converts time zone ids with TimeZoneConverter loaded from dependencies/ in a fresh pwsh' {
        # A lower-case IANA id is one the system lookup on Linux does not know (zoneinfo file names match case),
        # so the CLDR mapping is asked; on Windows the system knows Windows ids only and the mapping is asked too.
        $out = Invoke-FreshPwsh -MergeErrors -Script @'
param($Manifest)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$zone = [Autosnap.Rotation.TimeZones]::Find('europe/berlin')
"offset=$($zone.GetUtcOffset([DateTimeOffset]'2026-07-15T12:00:00Z'))"
$converter = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'TimeZoneConverter' }
"converter=$(Split-Path -Leaf (Split-Path -Parent $converter.Location))/$(Split-Path -Leaf $converter.Location)"
'@ -ArgumentList $ModuleManifest
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'offset=02:00:00'
        $out | Should -Contain 'converter=dependencies/TimeZoneConverter.dll'
    }
}

Describe 'The PowerShell it needs' {
    It 'imports in this PowerShell (7.4 or later), and the refusal for 7.0-7.3 is not reached' {
        $out = Invoke-FreshPwsh -MergeErrors -Script @'
param($Manifest)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
"$($PSVersionTable.PSVersion.Major).$($PSVersionTable.PSVersion.Minor) imported $(@(Get-Module Autosnap).Count)"
'@ -ArgumentList $ModuleManifest
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $line = $out | Select-Object -Last 1
        $line | Should -Match '^\d+\.\d+ imported 1$'
        [version]($line -split ' ')[0] | Should -BeGreaterOrEqual ([version]'7.4')
    }
}

Describe 'Living beside other modules' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
        $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0 }
        $packages = Join-Path $PSScriptRoot '../../.packages' | Resolve-Path
        # Another module's Polly: version 8, not ours (7.2.4).
        $script:OtherPolly = @(
            (Join-Path $packages 'polly.core/8.6.5/lib/netstandard2.0/Polly.Core.dll'),
            (Join-Path $packages 'polly/8.6.5/lib/netstandard2.0/Polly.dll'))
        # Loads what is asked, works against LocalCloud, and says which Polly and Newtonsoft each side uses.
        $script:Probe = @'
param($Manifest, $Url, $OtherPollyCore, $OtherPolly, [switch] $OtherFirst)
$ErrorActionPreference = 'Stop'
function Load-Other { Add-Type -Path $OtherPollyCore; Add-Type -Path $OtherPolly }
if ($OtherFirst) { Load-Other }
Import-Module $Manifest
$null = Connect-RackspaceCloud -IdentityUrl "$Url/v2.0" -UserName demo -ApiKey (ConvertTo-SecureString 'demo-api-key' -AsPlainText -Force) -Region DFW
$servers = @(Get-RackspaceServer)
if (-not $OtherFirst) { Load-Other }
$ours = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Polly' -and $_.Location -like '*dependencies*' }
$theirs = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Polly' -and $_.Location -notlike '*dependencies*' }
# Which Polly Autosnap's code runs on: the one its HTTP pipeline's types come from.
$used = [Autosnap.Cloud.CloudHttp].Assembly.GetReferencedAssemblies() | Where-Object Name -EQ 'Polly' | ForEach-Object { [Reflection.Assembly]::Load($_) }
"autosnap uses=$($used.GetName().Version) from=$(if ($used.Location -like '*dependencies*') { 'own' } else { 'other' })"
# the other module's Polly still works
$answer = [Polly.Policy]::NoOp().Execute([Func[int]] { 42 })
"servers=$($servers.Count)"
"ours=$(if ($ours) { "$($ours.GetName().Version) context=$([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($ours).Name)" } else { 'not loaded' })"
"theirs=$($theirs.GetName().Version) context=$([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($theirs).Name)"
"json=$((@{ a = 1 } | ConvertTo-Json -Compress)) answer=$answer"
# The engine (Autosnap.Core) shares its types with the cmdlets: it must sit in the module's own load context.
$module = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([Autosnap.Cmdlets.AutosnapCmdlet].Assembly).Name
$core = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([Autosnap.Cloud.CloudHttp].Assembly)
"core=$($core.Name) module=$module copies=$(@([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Autosnap.Core' }).Count)"
'@
    }

    AfterAll { Stop-LocalCloud }

    It 'works when another module loaded Polly 8 first, and leaves it working' {
        # The runtime hands Autosnap the Polly already loaded (a newer version satisfies the reference); Polly 8
        # keeps the v7 API Autosnap uses, and the job works. Our copy stays unloaded.
        $out = Invoke-FreshPwsh -MergeErrors -Script $Probe -ArgumentList $ModuleManifest, $Cloud.Url, $OtherPolly[0], $OtherPolly[1], '-OtherFirst'
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'servers=4'
        $out | Should -Contain 'theirs=8.0.0.0 context=Default'
        $out | Should -Contain 'autosnap uses=8.0.0.0 from=other'
        $out | Should -Contain 'json={"a":1} answer=42'
        $out | Should -Contain 'core=Default module=Default copies=1'
    }

    It 'lets another module load Polly 8 after Autosnap used its own' {
        $out = Invoke-FreshPwsh -MergeErrors -Script $Probe -ArgumentList $ModuleManifest, $Cloud.Url, $OtherPolly[0], $OtherPolly[1]
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'servers=4'
        $out | Should -Contain 'ours=7.0.0.0 context=Autosnap'
        $out | Should -Contain 'autosnap uses=7.0.0.0 from=own'
        $out | Should -Contain 'theirs=8.0.0.0 context=Default'
        $out | Should -Contain 'json={"a":1} answer=42'
        $out | Should -Contain 'core=Default module=Default copies=1'
    }
}

Describe 'The package (out/Autosnap.<version>.nupkg)' {
    It 'installs from a PowerShell repository and imports' {
        $version = (Import-PowerShellDataFile $ModuleManifest).ModuleVersion
        $package = Join-Path $OutDirectory "Autosnap.$version.nupkg"
        Test-Path $package | Should -BeTrue
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($package)
        try { @($zip.Entries.FullName) | Should -Contain 'LICENSE'; @($zip.Entries.FullName) | Should -Contain 'CHANGELOG.md' }
        finally { $zip.Dispose() }
        # A throwaway repository and home, so the user's PSResourceGet settings are never touched.
        $scratch = Join-Path ([IO.Path]::GetTempPath()) ("autosnap-package-{0}" -f [guid]::NewGuid())
        $null = New-Item -ItemType Directory (Join-Path $scratch 'repo'), (Join-Path $scratch 'home'), (Join-Path $scratch 'modules')
        Copy-Item $package (Join-Path $scratch 'repo')
        try {
            $out = Invoke-FreshPwsh -MergeErrors -Script @'
param($Scratch)
$ErrorActionPreference = 'Stop'
$env:HOME = Join-Path $Scratch 'home'; $env:XDG_DATA_HOME = Join-Path $Scratch 'home'; $env:XDG_CONFIG_HOME = Join-Path $Scratch 'home'; $env:LOCALAPPDATA = Join-Path $Scratch 'home'
Register-PSResourceRepository -Name AutosnapTest -Uri (Join-Path $Scratch 'repo') -Trusted
Save-PSResource -Name Autosnap -Repository AutosnapTest -Path (Join-Path $Scratch 'modules') -TrustRepository
# (PSResourceGet saves under the lower-cased name on Linux: search rather than guess the folder)
$installed = Get-ChildItem (Join-Path $Scratch 'modules') -Recurse -Filter Autosnap.psd1 | Select-Object -First 1
Import-Module $installed.FullName
"imported $((Get-Module Autosnap).Version) with $(@(Get-Command -Module Autosnap).Count) cmdlets"
"dependencies: $((Get-ChildItem (Join-Path $installed.DirectoryName 'dependencies') -Filter *.dll).Name -join ',')"
"root: $(((Get-ChildItem $installed.DirectoryName -Filter *.dll).Name | Sort-Object) -join ',')"
"licence: $(Test-Path (Join-Path $installed.DirectoryName 'LICENSE')), changelog: $(Test-Path (Join-Path $installed.DirectoryName 'CHANGELOG.md'))"
'@ -ArgumentList $scratch
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $count = (Import-PowerShellDataFile $ModuleManifest).CmdletsToExport.Count
            $out | Should -Contain "imported $version with $count cmdlets"
            $out | Should -Contain 'dependencies: Newtonsoft.Json.dll,Polly.dll,TimeZoneConverter.dll'
            $out | Should -Contain 'root: Autosnap.Core.dll,Autosnap.dll'
            $out | Should -Contain 'licence: True, changelog: True'
        }
        finally {
            Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
        }
    }
}
