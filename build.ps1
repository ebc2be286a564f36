#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the Autosnap module.

.DESCRIPTION
    Tasks:
      Build            (default) stage the importable module in out/Autosnap and LocalCloud in out/LocalCloud
      Test             Build, run every xunit test, then every Pester suite in a child pwsh;
                       ends with the line "N passed, N failed" and exits non-zero on any failure
      Demo             Build, start LocalCloud on a free loopback port and run the nightly job against it
      Bench            measured figures (cold start, one-server job, fleet, listing), printed as tables
      Soak             many servers, many simulated days, injected faults; prints totals and violations
      Package          out/Autosnap.<version>.nupkg, the format PowerShell repositories serve
      IntegrationTest  the same module against a real OpenStack (Debian only, root)
      Clean            remove out/ and the locally restored packages

    Everything build.ps1 needs it fetches itself (Pester from NuGet into ./.packages); it never writes to
    PowerShell's module paths.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Soak', 'Package', 'IntegrationTest', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'Autosnap'
$LocalCloudOut = Join-Path $Out 'LocalCloud'
$TestResults = Join-Path $Out 'test-results'
$Packages = Join-Path $Root '.packages'
$PesterVersion = '6.2.0'

# Third-party assemblies the module ships, all under dependencies/. An allow-list: a missing one fails the
# build, and nothing else (System.Management.Automation above all) is ever copied.
$ModuleDependencies = @('Newtonsoft.Json.dll', 'Polly.dll', 'TimeZoneConverter.dll')

# A plain function (no CmdletBinding): its arguments go to dotnet untouched, so `-v:minimal` is not
# mistaken for -Verbose.
function Invoke-Dotnet {
    Write-Host "dotnet $($args -join ' ')" -ForegroundColor DarkGray
    # To the host, never to the caller's output: a function that runs dotnet and then returns a value (a path)
    # must return only that value.
    & dotnet @args | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($args[0]) failed with exit code $LASTEXITCODE"
    }
}

# The CHANGELOG.md section of a version ("## [0.1.0] - date" up to the next "## ["), for the manifest's ReleaseNotes.
function Get-ReleaseNotes([string] $Version) {
    $section = $null
    foreach ($line in Get-Content (Join-Path $Root 'CHANGELOG.md')) {
        if ($line -match '^## \[') {
            if ($null -ne $section) { break }
            if ($line -match "^## \[$([regex]::Escape($Version))\]") { $section = [System.Collections.Generic.List[string]]::new() }
        }
        elseif ($null -ne $section) { $section.Add($line) }
    }
    if ($null -eq $section) { throw "CHANGELOG.md has no section '## [$Version]': write the release notes of the version being built." }
    ($section -join "`n").Trim()
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))
    $version = $props.Project.PropertyGroup.ModuleVersion | Where-Object { $_ } | Select-Object -First 1
    if (-not $version) { throw 'ModuleVersion is missing from Directory.Build.props' }
    $version
}

# The pwsh that runs this script, as a command line that starts a fresh one. Under `dotnet pwsh` the
# process is dotnet itself and pwsh.dll sits in $PSHOME.
function Get-PwshCommand {
    $exe = (Get-Process -Id $PID).Path
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
        return @($exe, (Join-Path $PSHOME 'pwsh.dll'))
    }
    @($exe)
}

function Invoke-ChildPwsh {
    param([Parameter(Mandatory)] [string[]] $Arguments)
    $pwsh = @(Get-PwshCommand)
    $rest = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $Arguments
    # The child's output goes to the host: it is the test log people read, not a value for the caller.
    & $pwsh[0] @rest | Out-Host
    $LASTEXITCODE
}

function Invoke-Build {
    $version = Get-ModuleVersion
    $staging = Join-Path $Out 'staging'
    Invoke-Dotnet build (Join-Path $Root 'Autosnap.sln') -c $Configuration --nologo '-v:minimal'
    Invoke-Dotnet publish (Join-Path $Root 'src/Autosnap/Autosnap.csproj') -c $Configuration --no-build -o $staging --nologo '-v:minimal'
    Invoke-Dotnet publish (Join-Path $Root 'src/Autosnap.LocalCloud/Autosnap.LocalCloud.csproj') -c $Configuration --no-build -o $LocalCloudOut --nologo '-v:minimal'

    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $dependencies = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'dependencies')
    # Autosnap.Core sits beside Autosnap.dll, not in dependencies/: the cmdlets and the engine share its types, so
    # it must load into the same context as the module, which the runtime does for a DLL beside the one it loaded.
    foreach ($file in @('Autosnap.dll', 'Autosnap.pdb', 'Autosnap.Core.dll', 'Autosnap.Core.pdb')) {
        Copy-Item (Join-Path $staging $file) $ModuleOut
    }
    foreach ($file in $ModuleDependencies) {
        $source = Join-Path $staging $file
        if (-not (Test-Path $source)) { throw "Expected dependency $file was not published to $staging" }
        Copy-Item $source $dependencies
    }
    $module = Join-Path $Root 'module'
    $releaseNotes = (Get-ReleaseNotes $version).Replace("'", "''")
    (Get-Content -Raw (Join-Path $module 'Autosnap.psd1')).Replace('{{ModuleVersion}}', $version).Replace('{{ReleaseNotes}}', $releaseNotes) |
        Set-Content -NoNewline -Encoding utf8 (Join-Path $ModuleOut 'Autosnap.psd1')
    # The licence and the changelog travel with the module (and so with the package).
    foreach ($file in @('LICENSE', 'CHANGELOG.md')) { Copy-Item (Join-Path $Root $file) $ModuleOut }
    Get-ChildItem $module -Exclude 'Autosnap.psd1', '*.ps1' | Copy-Item -Destination $ModuleOut -Recurse -Force
    # The entry-point scripts ship in scripts/: a file named after the module at its root (autosnap.ps1) makes
    # PSResourceGet take the package for a script package and refuse to install it.
    $scripts = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'scripts')
    Get-ChildItem $module -Filter '*.ps1' | Copy-Item -Destination $scripts
    Remove-Item -Recurse -Force $staging

    $manifest = Test-ModuleManifest (Join-Path $ModuleOut 'Autosnap.psd1')
    Write-Host "Built Autosnap $($manifest.Version) in $ModuleOut; LocalCloud in $LocalCloudOut" -ForegroundColor Green
}

# Pester comes from NuGet (a PackageDownload restore into ./.packages), never from a module path.
function Get-PesterModulePath {
    $manifest = Join-Path $Packages "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest) -or -not (Test-Path (Join-Path $Packages 'polly.core'))) {
        Invoke-Dotnet restore (Join-Path $Root 'tests/TestTools.proj') --packages $Packages "-p:PesterVersion=$PesterVersion" --nologo '-v:minimal'
    }
    if (-not (Test-Path $manifest)) { throw "Pester $PesterVersion was restored but $manifest is missing" }
    $manifest
}

# Reads the counters of every .trx file dotnet test wrote.
function Get-XunitTotals {
    param([string] $Directory)
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($trx in Get-ChildItem $Directory -Filter *.trx -Recurse) {
        $counters = ([xml](Get-Content -Raw -LiteralPath $trx.FullName)).TestRun.ResultSummary.Counters
        $totals.Passed += [int]$counters.passed
        $totals.Failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $totals.Skipped += [int]$counters.notExecuted
    }
    [pscustomobject]$totals
}

function Invoke-Test {
    # Package builds too: a Pester suite installs the module from the .nupkg, as users will.
    Invoke-Package
    $pester = Get-PesterModulePath
    if (Test-Path $TestResults) { Remove-Item -Recurse -Force $TestResults }
    $null = New-Item -ItemType Directory -Force $TestResults

    $xunitFailed = $false
    try {
        Invoke-Dotnet test (Join-Path $Root 'Autosnap.sln') -c $Configuration --no-build --nologo `
            --logger trx --logger 'console;verbosity=minimal' --results-directory (Join-Path $TestResults 'xunit')
    }
    catch {
        # failures are counted from the .trx files below; keep going so Pester still runs
        $xunitFailed = $true
        Write-Warning $_
    }
    $xunit = Get-XunitTotals (Join-Path $TestResults 'xunit')

    $pesterTotals = Invoke-PesterShards -Pester $pester

    $passed = $xunit.Passed + $pesterTotals.Passed
    $failed = $xunit.Failed + $pesterTotals.Failed
    $skipped = $xunit.Skipped + $pesterTotals.Skipped
    if ($xunitFailed -and $xunit.Failed -eq 0) { $failed++ }   # dotnet test failed without a failing test: a crash
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pesterTotals.Passed) passed, $($pesterTotals.Failed) failed"
    $line = "$passed passed, $failed failed"
    if ($skipped) { $line += ", $skipped skipped" }
    Write-Host $line
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

# The Pester suites in two child pwsh processes side by side (tests/Pester/Invoke-PesterSuite.ps1 -Shard says which
# suites each runs). Shard One writes to the console as it goes; shard Two to a file, printed once shard One is done,
# so the log reads one suite after another. A shard that leaves no result counts as one failure.
function Invoke-PesterShards {
    param([Parameter(Mandatory)] [string] $Pester)
    $suite = Join-Path $Root 'tests/Pester/Invoke-PesterSuite.ps1'
    $shardArguments = { param($shard) @('-NoProfile', '-NonInteractive', '-File', $suite, '-PesterPath', $Pester, '-ModulePath', $ModuleOut,
        '-ResultPath', (Join-Path $TestResults "pester-$shard.json"), '-Shard', $shard) }
    $pwsh = @(Get-PwshCommand)
    $twoLog = Join-Path $TestResults 'pester-Two.log'
    $argumentLine = (@($pwsh | Select-Object -Skip 1) + (& $shardArguments 'Two') | ForEach-Object { '"' + $_ + '"' }) -join ' '
    $two = Start-Process -FilePath $pwsh[0] -ArgumentList $argumentLine -NoNewWindow -PassThru `
        -RedirectStandardOutput $twoLog -RedirectStandardError (Join-Path $TestResults 'pester-Two.err.log')
    $null = Invoke-ChildPwsh -Arguments (@(& $shardArguments 'One') | Select-Object -Skip 2)
    $two.WaitForExit()
    Get-Content -LiteralPath $twoLog | Out-Host
    Get-Content -LiteralPath (Join-Path $TestResults 'pester-Two.err.log') | Out-Host

    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($shard in 'One', 'Two') {
        $path = Join-Path $TestResults "pester-$shard.json"
        if (-not (Test-Path $path)) { $totals.Failed++; continue }
        $counts = Get-Content -Raw $path | ConvertFrom-Json
        $totals.Passed += $counts.Passed; $totals.Failed += $counts.Failed; $totals.Skipped += $counts.Skipped
    }
    [pscustomobject]$totals
}

function Invoke-Package {
    Invoke-Build
    $version = Get-ModuleVersion
    $target = Join-Path $Out "Autosnap.$version.nupkg"
    if (Test-Path $target) { Remove-Item -Force $target }
    # PSResourceGet (in pwsh 7.4+) writes the nupkg exactly as Publish-PSResource would, without a repository.
    Compress-PSResource -Path $ModuleOut -DestinationPath $Out
    if (-not (Test-Path $target)) { throw "Compress-PSResource did not produce $target" }
    Write-Host "Packaged $target" -ForegroundColor Green
}

function Invoke-Clean {
    foreach ($path in @($Out, $Packages)) {
        if (Test-Path $path) { Remove-Item -Recurse -Force $path }
    }
    Invoke-Dotnet clean (Join-Path $Root 'Autosnap.sln') -c $Configuration --nologo '-v:quiet'
}

# Starts out/LocalCloud on a free loopback port; returns the process and its URL (its first stdout line says it).
function Start-LocalCloudProcess {
    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @((Join-Path $LocalCloudOut 'Autosnap.LocalCloud.dll'), '--urls', 'http://127.0.0.1:0')) { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $line = $process.StandardOutput.ReadLine()
    if ($line -notmatch '(http://\S+)') { throw "LocalCloud did not start: $line" }
    [pscustomobject]@{ Process = $process; Url = $Matches[1].TrimEnd('/', ',') }
}

function Stop-LocalCloudProcess($Cloud) {
    try { $null = Invoke-RestMethod -Method Post "$($Cloud.Url)/__admin/shutdown" -TimeoutSec 10 } catch { }
    if (-not $Cloud.Process.WaitForExit(15000)) { $Cloud.Process.Kill($true) }
}

# The nightly job, as cron would run it, against LocalCloud: ten simulated nights of autosnap.ps1 on two
# servers, then what a person would look at the morning after.
function Invoke-Demo {
    Invoke-Build
    $cloud = Start-LocalCloudProcess
    $saved = @{ u = $env:RACKSPACE_USERNAME; k = $env:RACKSPACE_API_KEY; i = $env:RACKSPACE_IDENTITY_URL; r = $env:RACKSPACE_REGION }
    try {
        Write-Host "LocalCloud is listening on $($cloud.Url) (demo account: user demo, API key demo-api-key)." -ForegroundColor Cyan
        $null = Invoke-RestMethod -Method Post "$($cloud.Url)/__admin/config" -ContentType 'application/json' -Body '{"snapshotSeconds": 2}'
        # Credentials come from the environment, as in a crontab: never on the command line.
        $env:RACKSPACE_USERNAME = 'demo'; $env:RACKSPACE_API_KEY = 'demo-api-key'
        $env:RACKSPACE_IDENTITY_URL = "$($cloud.Url)/v2.0"; $env:RACKSPACE_REGION = 'DFW'
        $script = Join-Path $ModuleOut 'scripts/autosnap.ps1'
        foreach ($night in 1..10) {
            $now = Invoke-RestMethod -Method Post "$($cloud.Url)/__admin/clock" -ContentType 'application/json' -Body '{"advance": "1.00:00:00"}'
            # bfv01 boots from a volume (its restore points are Cinder snapshots); app01's data volume comes along with -IncludeVolumes.
            Write-Host "`n== night $night, cloud time $($now.now): autosnap.ps1 -Server web01,db01,bfv01,app01 -Schedule daily -Retention 3 -IncludeVolumes" -ForegroundColor Cyan
            $exit = Invoke-ChildPwsh -Arguments @('-File', $script, '-Server', 'web01,db01,bfv01,app01', '-Schedule', 'daily', '-Retention', '3', '-IncludeVolumes')
            Write-Host "exit code $exit" -ForegroundColor $(if ($exit -eq 0) { 'Green' } else { 'Red' })
        }
        Write-Host "`n== the morning after: what is kept, and what a GFS policy would keep instead" -ForegroundColor Cyan
        $null = Invoke-ChildPwsh -Arguments @('-Command', @"
Import-Module '$ModuleOut/Autosnap.psd1'
`$null = Connect-RackspaceCloud
Get-AutoSnapshot -Server web01, db01, bfv01, app01 | Format-Table
'Restore points with volumes: each is an image plus its Cinder snapshots, kept or deleted as one'
Get-AutoSnapshot -Server bfv01, app01 | Format-Table Name, State, @{ n = 'GB'; e = { [math]::Round(`$_.RealSize / 1GB, 1) } }, @{ n = 'Volume snapshots'; e = { (`$_.VolumeSnapshots | ForEach-Object { "`$(`$_.Id.Substring(0, 8)) `$(`$_.Status)" }) -join ', ' } }
Invoke-SnapshotRotation -Server web01 -Schedule daily -KeepLast 2 -KeepWeekly 2 -TimeZone UTC -WhatIf | Format-Table Action, Name, Reason
"@)
    }
    finally {
        $env:RACKSPACE_USERNAME = $saved.u; $env:RACKSPACE_API_KEY = $saved.k; $env:RACKSPACE_IDENTITY_URL = $saved.i; $env:RACKSPACE_REGION = $saved.r
        Stop-LocalCloudProcess $cloud
    }
}

# The measurement tasks are scripts of their own (tests/Bench, tests/Soak); these only build and hand over.
function Invoke-Bench {
    Invoke-Build
    $exit = Invoke-ChildPwsh -Arguments @('-File', (Join-Path $Root 'tests/Bench/Invoke-Benchmark.ps1'),
        '-ModulePath', $ModuleOut, '-OutFile', (Join-Path $Out 'bench/results.json'))
    # Figures never fail the task; a benchmark that could not run to its end does.
    if ($exit -ne 0) { throw "The benchmark did not run to its end (exit code $exit)." }
}

function Invoke-Soak {
    Invoke-Build
    $exit = Invoke-ChildPwsh -Arguments @('-File', (Join-Path $Root 'tests/Soak/Invoke-Soak.ps1'),
        '-ModulePath', $ModuleOut, '-LogDirectory', (Join-Path $Out 'soak'))
    if ($exit -ne 0) { Write-Host "The soak found violations or did not run to its end (exit code $exit)." -ForegroundColor Red; exit 1 }
}

# The module against a real OpenStack (Debian 12's Keystone, Nova, Glance on 127.0.0.1): brings the tier up or
# reuses it, runs tests/Integration/OpenStack/*.Tests.ps1, prints its own "N passed, N failed".
function Invoke-IntegrationTest {
    Invoke-Build
    $pester = Get-PesterModulePath
    $result = Join-Path $TestResults 'integration.json'
    $exit = Invoke-ChildPwsh -Arguments @('-File', (Join-Path $Root 'tests/Integration/OpenStack/Invoke-IntegrationTest.ps1'),
        '-ModulePath', $ModuleOut, '-PesterPath', $pester, '-ResultPath', $result)
    if ($exit -ne 0) { exit 1 }
}

function Invoke-NotYet([string] $Name) {
    Write-Warning "$Name is not implemented yet."
    exit 2
}

Push-Location $Root
try {
    switch ($Task) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Package' { Invoke-Package }
        'Clean' { Invoke-Clean }
        'Demo' { Invoke-Demo }
        'Bench' { Invoke-Bench }
        'Soak' { Invoke-Soak }
        'IntegrationTest' { Invoke-IntegrationTest }
    }
}
finally {
    Pop-Location
}
