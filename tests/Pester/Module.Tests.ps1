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
    }

    It 'lets another module load Polly 8 after Autosnap used its own' {
        $out = Invoke-FreshPwsh -MergeErrors -Script $Probe -ArgumentList $ModuleManifest, $Cloud.Url, $OtherPolly[0], $OtherPolly[1]
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'servers=4'
        $out | Should -Contain 'ours=7.0.0.0 context=Autosnap'
        $out | Should -Contain 'autosnap uses=7.0.0.0 from=own'
        $out | Should -Contain 'theirs=8.0.0.0 context=Default'
        $out | Should -Contain 'json={"a":1} answer=42'
    }
}

Describe 'The package (out/Autosnap.<version>.nupkg)' {
    It 'installs from a PowerShell repository and imports' {
        $version = (Import-PowerShellDataFile $ModuleManifest).ModuleVersion
        $package = Join-Path $OutDirectory "Autosnap.$version.nupkg"
        Test-Path $package | Should -BeTrue
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
'@ -ArgumentList $scratch
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $count = (Import-PowerShellDataFile $ModuleManifest).CmdletsToExport.Count
            $out | Should -Contain "imported $version with $count cmdlets"
            $out | Should -Contain 'dependencies: Newtonsoft.Json.dll,Polly.dll'
        }
        finally {
            Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
        }
    }
}
