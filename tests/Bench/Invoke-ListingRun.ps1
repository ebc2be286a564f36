<#
.SYNOPSIS
    One measured Get-AutoSnapshot listing in a fresh pwsh started by Invoke-Benchmark.ps1. Prints one line
    "BENCH-RESULT <json>": objects, time to the first object, total time, working set before and peak.

.DESCRIPTION
    The objects go down the pipeline into a counter and are dropped, as `Get-AutoSnapshot | Where-Object ...`
    would use them: when the cmdlet streams, the first object arrives after the first page, not after the last,
    and memory does not hold the whole listing.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $CloudUrl,
    [ValidateSet('Account', 'Schedule', 'Server')] [string] $Scope = 'Account',
    [string] $Schedule = 'daily',
    [string] $ServerId
)
$ErrorActionPreference = 'Stop'

Import-Module (Join-Path $ModulePath 'Autosnap.psd1')
$key = ConvertTo-SecureString -String 'demo-api-key' -AsPlainText -Force
$null = Connect-RackspaceCloud -UserName demo -ApiKey $key -IdentityUrl "$CloudUrl/v2.0" -Region DFW
$listing = switch ($Scope) {
    'Account' { @{} }
    'Schedule' { @{ Schedule = $Schedule } }
    'Server' { @{ Server = $ServerId } }
}

$self = [Diagnostics.Process]::GetCurrentProcess()
[GC]::Collect()
$self.Refresh()
$baseline = $self.WorkingSet64
$null = Invoke-RestMethod -Method Delete -Uri "$CloudUrl/__admin/stats"

$count = 0
$first = $null
$watch = [Diagnostics.Stopwatch]::StartNew()
Get-AutoSnapshot @listing | ForEach-Object {
    if ($count -eq 0) { $first = $watch.Elapsed.TotalSeconds }
    $count++
}
$seconds = $watch.Elapsed.TotalSeconds

$self.Refresh()
'BENCH-RESULT ' + ([ordered]@{
    scope         = $Scope
    objects       = $count
    firstSeconds  = if ($null -ne $first) { [math]::Round($first, 3) } else { $null }
    seconds       = [math]::Round($seconds, 3)
    baselineBytes = $baseline
    peakBytes     = $self.PeakWorkingSet64
} | ConvertTo-Json -Compress)
