<#
.SYNOPSIS
    Brings up the OpenStack tier (or reuses the running one) and runs the integration suites against it.

.DESCRIPTION
    1. Runs up.sh (Debian, root): installs missing packages, starts the services, boots the test servers.
       When the tier already runs, up.sh only checks it (a few seconds).
    2. Runs every tests/Integration/OpenStack/*.Tests.ps1 (or -Path) in a fresh pwsh through the same runner as the
       Pester tier (tests/Pester/Invoke-PesterSuite.ps1), which writes {Passed, Failed, Skipped} to
       ResultPath. The suites find the tier through $env:AUTOSNAP_OSRIG_STATE (rig.json).
    3. Prints "N passed, N failed" and exits 1 on any failure.
    The tier stays up afterwards (the next run reuses it) unless -StopAfter is given; down.sh stops it.

.EXAMPLE
    dotnet pwsh tests/Integration/OpenStack/Invoke-IntegrationTest.ps1 -ModulePath out/Autosnap `
        -PesterPath .packages/pester/6.2.0/tools/Pester.psd1 -ResultPath out/test-results/integration.json
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string[]] $Path = @($PSScriptRoot),
    [string] $StateDirectory = $(if ($env:AUTOSNAP_OSRIG_STATE) { $env:AUTOSNAP_OSRIG_STATE } else { '/var/lib/autosnap-osrig' }),
    [switch] $StopAfter
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

# Absolute paths: the child pwsh resolves nothing relative to our location (Import-Module takes
# '.packages/...' for a module name).
$ResultPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ResultPath)
$PesterPath = (Resolve-Path $PesterPath).Path
$ModulePath = (Resolve-Path $ModulePath).Path
$Path = @($Path | ForEach-Object { (Resolve-Path $_).Path })

function Write-Result([int] $Passed, [int] $Failed, [int] $Skipped = 0) {
    $dir = Split-Path -Parent $ResultPath
    if ($dir) { $null = New-Item -ItemType Directory -Force $dir }
    [pscustomobject]@{ Passed = $Passed; Failed = $Failed; Skipped = $Skipped } |
        ConvertTo-Json | Set-Content -Encoding utf8 $ResultPath
}

# The same pwsh as this one, fresh (under `dotnet pwsh` the process is dotnet and pwsh.dll is in $PSHOME).
function Get-PwshCommand {
    $exe = (Get-Process -Id $PID).Path
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { return @($exe, (Join-Path $PSHOME 'pwsh.dll')) }
    @($exe)
}

$preconditions = @(
    if (-not $IsLinux) { 'it needs Linux (Debian 12)' }
    elseif (-not (Test-Path /etc/debian_version) -or -not (Get-Command apt-get -ErrorAction SilentlyContinue)) { 'it needs Debian (apt-get)' }
    elseif ((& id -u) -ne '0') { 'it needs root (it installs packages and runs the services)' }
)
if ($preconditions) {
    Write-Host "OpenStack integration tier not run: $($preconditions -join '; ')." -ForegroundColor Red
    Write-Result -Passed 0 -Failed 1
    Write-Host '0 passed, 1 failed'
    exit 1
}

$env:AUTOSNAP_OSRIG_STATE = $StateDirectory
$up = Join-Path $PSScriptRoot 'up.sh'
$watch = [Diagnostics.Stopwatch]::StartNew()
& bash $up 2>&1 | Out-Host
$upExit = $LASTEXITCODE
Write-Host ("up.sh exit {0} after {1:n0} s" -f $upExit, $watch.Elapsed.TotalSeconds)
if ($upExit -ne 0) {
    Write-Host "The OpenStack tier did not come up; logs in $StateDirectory/log" -ForegroundColor Red
    Write-Result -Passed 0 -Failed 1
    Write-Host '0 passed, 1 failed'
    exit 1
}

try {
    $runner = Join-Path $PSScriptRoot '../../Pester/Invoke-PesterSuite.ps1' | Resolve-Path
    if (Test-Path $ResultPath) { Remove-Item -Force $ResultPath }
    # the runner writes the result file but makes no directory (without a Test run before, out/test-results is missing)
    $null = New-Item -ItemType Directory -Force (Split-Path -Parent $ResultPath)
    $pwsh = @(Get-PwshCommand)
    # -Command rather than -File: -File cannot pass an array to -Path
    $quote = { param($s) "'" + ([string]$s).Replace("'", "''") + "'" }
    $command = "& $(& $quote $runner) -PesterPath $(& $quote $PesterPath) -ModulePath $(& $quote $ModulePath) " +
        "-ResultPath $(& $quote $ResultPath) -Path @($(($Path | ForEach-Object { & $quote $_ }) -join ', ')); exit `$LASTEXITCODE"
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $command)
    & $pwsh[0] @arguments
    $totals = if (Test-Path $ResultPath) { Get-Content -Raw $ResultPath | ConvertFrom-Json }
              else { Write-Result -Passed 0 -Failed 1; [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
}
finally {
    if ($StopAfter) { & bash (Join-Path $PSScriptRoot 'down.sh') 2>&1 | Out-Host }
    else { Write-Host "The tier keeps running (reused next time); stop it with $(Join-Path $PSScriptRoot 'down.sh')" }
}

$line = "$($totals.Passed) passed, $($totals.Failed) failed"
if ($totals.Skipped) { $line += ", $($totals.Skipped) skipped" }
Write-Host $line
if ($totals.Failed -gt 0 -or $totals.Passed -eq 0) { exit 1 }
