<#
.SYNOPSIS
    Runs the Pester suites against a built module. build.ps1 starts it in a fresh pwsh, so the binary
    module loaded by the tests never outlives the run and never locks the build output.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string[]] $Path = @($PSScriptRoot),
    [string[]] $ExcludeTag = @(),
    # build.ps1 Test runs two shards side by side (see $ShardTwo); 'All' runs every suite under -Path.
    [ValidateSet('All', 'One', 'Two')] [string] $Shard = 'All'
)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $PesterPath).Path -Force

# The suites find the module under test (and LocalCloud next to it) through this variable.
$env:AUTOSNAP_MODULE_PATH = (Resolve-Path $ModulePath).Path

# Shard Two holds about half of the suites' wall time. Most of a suite's time is waiting (LocalCloud's snapshot times,
# child pwsh start-ups), not the CPU, so two shards side by side nearly halve the run on two cores. Shard One is
# everything else, so a new suite is never left out of a run.
$ShardTwo = 'Smoke', 'Secrets', 'LocalCloud.OpenStackClient', 'RestoreTests', 'Volumes', 'ScheduledImages'
if ($Shard -ne 'All') {
    $suites = @(Get-ChildItem -Path $Path -Filter *.Tests.ps1 -File | Sort-Object Name)
    $Path = @($suites | Where-Object { ($ShardTwo -contains ($_.Name -replace '\.Tests\.ps1$')) -eq ($Shard -eq 'Two') } |
        ForEach-Object FullName)
}

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Filter.ExcludeTag = $ExcludeTag
$config.Output.Verbosity = 'Detailed'
$config.Should.ErrorAction = 'Continue'
$result = Invoke-Pester -Configuration $config

# Each suite's wall time, slowest first: what the shards are balanced by.
Write-Host "Suite times ($Shard):"
$result.Containers | Sort-Object Duration -Descending | ForEach-Object {
    Write-Host ('  {0,6:n1} s  {1}' -f $_.Duration.TotalSeconds, (Split-Path -Leaf $_.Item))
}

[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Encoding utf8 $ResultPath

exit ([int]($result.Result -ne 'Passed'))
