<#
.SYNOPSIS
    build.ps1 Soak: many servers, many simulated days on LocalCloud's virtual clock, one policy run per day under
    injected faults of every kind and failed snapshots; the invariants checked after every day by an independent
    checker (SoakChecker.ps1). Prints a line per day and the totals; violations must be 0.

.DESCRIPTION
    Each day: the clock moves one day; faults are switched on; out/Autosnap/scripts/autosnap.ps1 runs once for every
    server as cron would (credentials from the environment, -LogPath, -Verbose, a short request timeout so stalls
    cost seconds, not minutes); faults are switched off; the checker reads the cloud with plain HTTP and checks:
      - every pool that ever had a good image still has one;
      - no image the retention contract keeps was deleted, and nothing was deleted from a pool whose new snapshot
        is not good; no foreign image was deleted;
      - no duplicate snapshot: at most one new image per server per run and per request token;
      - the run ended with a documented exit code (0/1/2/3) matching the failures, and every server left without
        a good snapshot is reported failed in the JSON log and named on stderr.
    Requests and faults are LocalCloud's counts during the runs only (the checker reads with faults off, between
    runs). Retries are autosnap's own -Verbose lines ("Retry n/m", and createImage's "asking again").

    Seeded (LocalCloud's -Seed drives ids, faults and snapshot failures; the clock starts at -Start), but the order
    of parallel requests varies from run to run, so two soaks with one seed are alike, not identical.

.EXAMPLE
    dotnet pwsh tests/Soak/Invoke-Soak.ps1                                  # 100 servers, 60 days
    dotnet pwsh tests/Soak/Invoke-Soak.ps1 -Servers 10 -Days 5              # the Test task's smoke
    dotnet pwsh tests/Soak/Invoke-Soak.ps1 -Retention 7 -FaultRate 0.3 -Seed 7
#>
[CmdletBinding()]
param(
    [string] $ModulePath,
    [string] $LogDirectory,
    [int] $Servers = 100,
    [int] $Days = 60,
    [double] $FaultRate = 0.2,
    [string[]] $FaultKinds = @('500', '503', '429', '413', 'reset', 'stall', 'garbage'),
    [ValidateSet('before', 'after', 'mixed')] [string] $FaultPhase = 'mixed',
    [double] $SnapshotFailRate = 0.05,
    [double] $SnapshotSeconds = 1,
    [int] $Seed = 1,
    [datetimeoffset] $Start = '2026-01-01T00:05:00Z',
    [string] $Region = 'DFW',
    [string] $Schedule = 'daily',
    # The policy: -Retention N, or bucket rules (the default, GFS in UTC).
    [int] $Retention = -1,
    [int] $KeepDaily = 7,
    [int] $KeepWeekly = 4,
    [int] $KeepMonthly = 2,
    [int] $ThrottleLimit = 32,
    [int] $RequestTimeoutSeconds = 5,
    [int] $StallSeconds = 30,
    [timespan] $SnapshotTimeout = '00:05:00'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
if (-not $ModulePath) { $ModulePath = Join-Path $repo 'out/Autosnap' }
$ModulePath = (Resolve-Path $ModulePath).Path
if (-not $LogDirectory) { $LogDirectory = Join-Path $repo 'out/soak' }
$LogDirectory = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($LogDirectory)
$env:AUTOSNAP_MODULE_PATH = $ModulePath
$FaultKinds = @($FaultKinds | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
. (Join-Path $PSScriptRoot '../Bench/BenchCommon.ps1')
. (Join-Path $PSScriptRoot 'SoakChecker.ps1')

$policy = if ($Retention -ge 0) { @{ Retention = $Retention } }
          else { @{ KeepDaily = $KeepDaily; KeepWeekly = $KeepWeekly; KeepMonthly = $KeepMonthly } }
$policyArguments = if ($Retention -ge 0) { @('-Retention', "$Retention") }
                   else { @('-KeepDaily', "$KeepDaily", '-KeepWeekly', "$KeepWeekly", '-KeepMonthly', "$KeepMonthly", '-TimeZone', 'UTC') }
$policyText = ($policyArguments -join ' ')

# only what an earlier soak wrote here goes (the directory may be shared)
$null = New-Item -ItemType Directory -Force $LogDirectory
Get-ChildItem -LiteralPath $LogDirectory -File | Where-Object { $_.Name -match '^day\d{3}\.(jsonl|out\.txt|err\.txt)$' -or $_.Name -eq 'results.json' } | Remove-Item -Force

$machine = Get-BenchMachine
Write-Host "Autosnap soak: $Servers servers, $Days days, faults $([math]::Round($FaultRate * 100))% of requests ($($FaultKinds -join ', '); phase $FaultPhase), $([math]::Round($SnapshotFailRate * 100))% failed snapshots, policy $policyText, seed $Seed"
Write-BenchMachine $machine

# What a failed job's message says, in a few words (the JSON log's message), for the totals.
function Get-FailureCause([string] $Message) {
    switch -Regex ($Message) {
        'failed repeatedly and still takes no calls' { return 'circuit breaker open' }
        'failed \((killed|ERROR|error)\); nothing was deleted' { return 'snapshot failed (injected)' }
        'deletions failed' { return 'a delete failed' }
        'no answer .* within' { return 'timeout' }
        'answered 5\d\d' { return 'server error' }
        'connection failed|could not connect' { return 'connection' }
        'cannot be understood' { return 'garbage answer' }
        'answered 413|answered 429' { return 'rate limited' }
        'already running' { return 'snapshot already running' }
        default { return 'other' }
    }
}

$watch = [Diagnostics.Stopwatch]::StartNew()
$totals = [ordered]@{
    runs = 0; requests = 0; faults = 0; faultsByKind = [ordered]@{}; rateLimited = 0; retries = 0; createRetries = 0; lostCreateAnswers = 0
    imagesCreated = 0; imagesGood = 0; imagesFailed = 0; imagesDeleted = 0; failedJobs = 0; failedJobsByCause = [ordered]@{}; exitCodes = [ordered]@{}
    violations = 0; notConvergedAfterSuccess = 0
}
$dayRecords = [System.Collections.Generic.List[object]]::new()
$allViolations = [System.Collections.Generic.List[string]]::new()
$cloud = $null
try {
    $cloud = Start-LocalCloud -Config @{ seed = $Seed; clock = $Start.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ssZ') }
    $faults = @{ faultRate = $FaultRate; faultKinds = $FaultKinds; faultPhase = $FaultPhase; snapshotFailRate = $SnapshotFailRate }
    $null = Set-LocalCloudConfig -Settings @{ snapshotSeconds = $SnapshotSeconds; stallSeconds = $StallSeconds; faultRate = 0; snapshotFailRate = $SnapshotFailRate }
    $fleet = @(New-LocalCloudServer -Count $Servers -NamePrefix 'soak-' -Region $Region | ForEach-Object { [pscustomobject]@{ Id = $_.id; Name = $_.name } })
    $ledger = New-SoakLedger -CloudUrl $cloud.Url -Region $Region -Policy $policy
    $null = Update-SoakLedger $ledger -Day 0

    $script = Get-AutosnapScript $ModulePath
    $environment = @{
        RACKSPACE_USERNAME = 'demo'; RACKSPACE_API_KEY = 'demo-api-key'; RACKSPACE_IDENTITY_URL = "$($cloud.Url)/v2.0"; RACKSPACE_REGION = $Region
        OS_AUTH_URL = $null; OS_USERNAME = $null; OS_PASSWORD = $null; OS_CLOUD = $null; OS_APPLICATION_CREDENTIAL_ID = $null
    }
    Write-Host ''
    Write-Host ('{0,4} {1,4} {2,6} {3,8} {4,6} {5,7} {6,7} {7,7} {8,7} {9,6} {10,6} {11,10} {12,6}' -f
        'day', 'exit', 'secs', 'requests', 'faults', 'retries', 'created', 'failed', 'deleted', 'jobs!', 'images', 'violations', 'notes')
    for ($day = 1; $day -le $Days; $day++) {
        $now = Move-LocalCloudClock -By ([timespan]::FromDays(1))
        $logPath = Join-Path $LogDirectory ('day{0:000}.jsonl' -f $day)
        $statsBefore = Get-LocalCloudStats
        $null = Set-LocalCloudConfig -Settings $faults
        $arguments = @('-Script', $script, '-RequestTimeoutSeconds', "$RequestTimeoutSeconds",
            '-Server', (($fleet | ForEach-Object Name) -join ','), '-Schedule', $Schedule, '-Region', $Region) + $policyArguments +
            @('-ThrottleLimit', "$ThrottleLimit", '-Timeout', $SnapshotTimeout.ToString('c'), '-LogPath', $logPath)
        $run = Invoke-BenchPwsh -File (Join-Path $PSScriptRoot 'Invoke-AutosnapRun.ps1') -ArgumentList $arguments -Environment $environment -TimeoutSeconds 3600
        $null = Set-LocalCloudConfig -Settings @{ faultRate = 0 }
        $statsAfter = Get-LocalCloudStats
        Set-Content -Path (Join-Path $LogDirectory ('day{0:000}.out.txt' -f $day)) -Value $run.StdOut
        Set-Content -Path (Join-Path $LogDirectory ('day{0:000}.err.txt' -f $day)) -Value $run.StdErr

        $records = @(if (Test-Path $logPath) { Get-Content $logPath | Where-Object { $_.Trim() } | ForEach-Object { $_ | ConvertFrom-Json } })
        $check = Test-SoakDay $ledger -Day $day -RunStarted $now -ExitCode $run.ExitCode -StdOut $run.StdOut -StdErr $run.StdErr -LogRecords $records -Servers $fleet

        $lines = @($run.StdOut -split "`r?`n")
        $retries = @($lines | Where-Object { $_ -match 'VERBOSE: Retry \d+/\d+ of' }).Count
        $createRetries = @($lines | Where-Object { $_ -match 'asking again' }).Count
        $lost = @($lines | Where-Object { $_ -match 'answer to the snapshot request was lost' }).Count
        $requests = [int]$statsAfter.total - [int]$statsBefore.total
        $faultCount = [int]$statsAfter.faults.total - [int]$statsBefore.faults.total
        # LocalCloud's counts are cumulative, and only the runs are ever faulted (the checker reads with faults off)
        foreach ($kind in $statsAfter.faults.byKind.PSObject.Properties) { $totals.faultsByKind[$kind.Name] = [int]$kind.Value }
        $totals.runs++
        $totals.requests += $requests
        $totals.faults += $faultCount
        $totals.rateLimited = [int]$statsAfter.rateLimited.total
        $totals.retries += $retries
        $totals.createRetries += $createRetries
        $totals.lostCreateAnswers += $lost
        $totals.failedJobs += $check.FailedJobs
        foreach ($job in $records | Where-Object { $_.event -eq 'job' -and $_.status -eq 'Failed' }) {
            $cause = Get-FailureCause ([string]$job.message)
            $totals.failedJobsByCause[$cause] = 1 + $(if ($totals.failedJobsByCause.Contains($cause)) { $totals.failedJobsByCause[$cause] } else { 0 })
        }
        $totals.exitCodes["$($run.ExitCode)"] = 1 + $(if ($totals.exitCodes.Contains("$($run.ExitCode)")) { $totals.exitCodes["$($run.ExitCode)"] } else { 0 })
        $totals.violations += $check.Violations.Count
        $totals.notConvergedAfterSuccess += $check.ExtraAfterSuccess
        foreach ($violation in $check.Violations) { $allViolations.Add("day ${day}: $violation") }
        $dayRecords.Add([ordered]@{
                day = $day; cloudTime = $now.ToString('u'); exitCode = $run.ExitCode; seconds = [math]::Round($run.Seconds, 1); requests = $requests
                faults = $faultCount; retries = $retries + $createRetries; created = $check.Created; createdFailed = $check.CreatedFailed; deleted = $check.Deleted
                failedJobs = $check.FailedJobs; imagesNow = $check.ImagesNow; violations = @($check.Violations); notes = @($check.Notes)
            })
        Write-Host ('{0,4} {1,4} {2,6:0.0} {3,8} {4,6} {5,7} {6,7} {7,7} {8,7} {9,6} {10,6} {11,10} {12,6}' -f
            $day, $run.ExitCode, $run.Seconds, $requests, $faultCount, ($retries + $createRetries), $check.Created, $check.CreatedFailed, $check.Deleted,
            $check.FailedJobs, $check.ImagesNow, $check.Violations.Count, $check.Notes.Count)
        foreach ($violation in $check.Violations) { Write-Host "     VIOLATION: $violation" }
        foreach ($note in $check.Notes) { Write-Host "     note: $note" }
    }
    $totals.imagesCreated = $ledger.Created
    $totals.imagesGood = $ledger.CreatedGood
    $totals.imagesFailed = $ledger.CreatedFailed
    $totals.imagesDeleted = $ledger.Deleted
    $finalStats = Get-LocalCloudStats
}
finally {
    if ($cloud) { Stop-LocalCloud $cloud }
}

$rows = @(
    [pscustomobject]@{ Total = 'runs (autosnap.ps1, one per day)'; Value = $totals.runs }
    [pscustomobject]@{ Total = 'exit codes'; Value = (($totals.exitCodes.GetEnumerator() | ForEach-Object { "$($_.Key): $($_.Value)" }) -join ', ') }
    [pscustomobject]@{ Total = 'API requests during the runs'; Value = $totals.requests }
    [pscustomobject]@{ Total = 'faults injected'; Value = $totals.faults }
    [pscustomobject]@{ Total = '  by kind'; Value = (($totals.faultsByKind.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', ') }
    [pscustomobject]@{ Total = 'retries (-Verbose "Retry n/m")'; Value = $totals.retries }
    [pscustomobject]@{ Total = 'createImage asked again / lost answers found by token'; Value = "$($totals.createRetries) / $($totals.lostCreateAnswers)" }
    [pscustomobject]@{ Total = 'images created (good / failed)'; Value = "$($totals.imagesCreated) ($($totals.imagesGood) / $($totals.imagesFailed))" }
    [pscustomobject]@{ Total = 'images deleted'; Value = $totals.imagesDeleted }
    [pscustomobject]@{ Total = 'failed jobs (reported)'; Value = $totals.failedJobs }
    [pscustomobject]@{ Total = '  by cause'; Value = (($totals.failedJobsByCause.GetEnumerator() | Sort-Object Value -Descending | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', ') }
    [pscustomobject]@{ Total = 'pools not converged after a job that succeeded'; Value = $totals.notConvergedAfterSuccess }
    [pscustomobject]@{ Total = 'violations'; Value = $totals.violations }
)
Write-BenchTable ("Soak totals: $Servers servers x $Days days in $Region, faults $([math]::Round($FaultRate * 100))% ($FaultPhase), " +
    "$([math]::Round($SnapshotFailRate * 100))% failed snapshots, policy $policyText, request timeout $RequestTimeoutSeconds s, seed $Seed") $rows
if ($allViolations.Count) {
    Write-Host 'Violations:'
    foreach ($violation in $allViolations) { Write-Host "  - $violation" }
}
Write-Host ("Soak done in {0:0} s; load average at the end {1}; logs in {2}." -f $watch.Elapsed.TotalSeconds, (Get-LoadAverage), $LogDirectory)
Write-Host "violations = $($totals.violations)"

$machine | Add-Member -NotePropertyName LoadAverageAtEnd -NotePropertyValue (Get-LoadAverage) -Force
[ordered]@{
    machine = $machine
    parameters = [ordered]@{
        servers = $Servers; days = $Days; faultRate = $FaultRate; faultKinds = $FaultKinds; faultPhase = $FaultPhase; snapshotFailRate = $SnapshotFailRate
        snapshotSeconds = $SnapshotSeconds; seed = $Seed; start = $Start.ToString('u'); policy = $policyText; throttleLimit = $ThrottleLimit
        requestTimeoutSeconds = $RequestTimeoutSeconds; stallSeconds = $StallSeconds
    }
    seconds = [math]::Round($watch.Elapsed.TotalSeconds, 1)
    totals = $totals
    violations = $allViolations
    days = $dayRecords
} | ConvertTo-Json -Depth 8 | Set-Content -Encoding utf8 (Join-Path $LogDirectory 'results.json')
exit ([int]($totals.violations -gt 0))
