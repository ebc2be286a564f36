<#
.SYNOPSIS
    One measured Invoke-AutoSnapshotPolicy run over every server whose name starts with -NamePrefix, in a fresh
    pwsh started by Invoke-Benchmark.ps1. Prints one line "BENCH-RESULT <json>" with its figures.

.DESCRIPTION
    Connects to LocalCloud (demo account), lists the fleet, then resets LocalCloud's stats (so its minute 0 is the
    start of the policy run) and times Invoke-AutoSnapshotPolicy alone. The working set is read from this process
    after the import and connect (baseline) and at the end (peak: the kernel's high-water mark, VmHWM on Linux).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $CloudUrl,
    [Parameter(Mandatory)] [string[]] $Region,
    [string] $NamePrefix = 'fleet-',
    # 0: not given, so the cmdlet's own default applies
    [int] $ThrottleLimit = 0,
    [int] $Retention = 7,
    [string] $Schedule = 'daily'
)
$ErrorActionPreference = 'Stop'
$Region = @($Region | ForEach-Object { $_ -split ',' } | Where-Object { $_ })   # -File passes "DFW,ORD" as one word

Import-Module (Join-Path $ModulePath 'Autosnap.psd1')
$key = ConvertTo-SecureString -String 'demo-api-key' -AsPlainText -Force
$null = Connect-RackspaceCloud -UserName demo -ApiKey $key -IdentityUrl "$CloudUrl/v2.0" -Region $Region[0]
$servers = @(Get-RackspaceServer -Region $Region -Name "$NamePrefix*")

$self = [Diagnostics.Process]::GetCurrentProcess()
$self.Refresh()
$baseline = $self.WorkingSet64
$null = Invoke-RestMethod -Method Delete -Uri "$CloudUrl/__admin/stats"

$throttle = if ($ThrottleLimit -gt 0) { @{ ThrottleLimit = $ThrottleLimit } } else { @{} }
$watch = [Diagnostics.Stopwatch]::StartNew()
$results = @($servers | Invoke-AutoSnapshotPolicy -Schedule $Schedule -Retention $Retention @throttle -ErrorAction SilentlyContinue)
$seconds = $watch.Elapsed.TotalSeconds

$self.Refresh()
$byStatus = @{}
foreach ($group in $results | Group-Object { $_.Status.ToString() }) { $byStatus[$group.Name] = $group.Count }
$failures = @($results | Where-Object { $_.Status.ToString() -eq 'Failed' } | Select-Object -First 5 | ForEach-Object { "$($_.ServerName): $($_.Message)" })
'BENCH-RESULT ' + ([ordered]@{
    servers          = $servers.Count
    results          = $results.Count
    byStatus         = $byStatus
    created          = ($results | Measure-Object -Property Created -Sum).Sum
    seconds          = [math]::Round($seconds, 3)
    baselineBytes    = $baseline
    peakBytes        = $self.PeakWorkingSet64
    throttleLimit    = $(if ($ThrottleLimit -gt 0) { $ThrottleLimit } else { 'default' })
    firstFailures    = $failures
} | ConvertTo-Json -Compress -Depth 5)
