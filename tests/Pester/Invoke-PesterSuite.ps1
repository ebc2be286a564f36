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
    [string[]] $ExcludeTag = @()
)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $PesterPath).Path -Force

# The suites find the module under test (and LocalCloud next to it) through this variable.
$env:AUTOSNAP_MODULE_PATH = (Resolve-Path $ModulePath).Path

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Filter.ExcludeTag = $ExcludeTag
$config.Output.Verbosity = 'Detailed'
$config.Should.ErrorAction = 'Continue'
$result = Invoke-Pester -Configuration $config

[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Encoding utf8 $ResultPath

exit ([int]($result.Result -ne 'Passed'))
