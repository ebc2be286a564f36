<#
.SYNOPSIS
    build.ps1 Soak: many servers, many simulated days on LocalCloud's virtual clock, one policy run per day under
    injected faults of every kind and failed snapshots; the invariants checked after every day by an independent
    checker (SoakChecker.ps1). Prints a line per day and the totals; violations must be 0.

    The fleet mixes three kinds of server: image-backed ones, volume-backed ones (booted from a Cinder volume; the
    odd ones have a data volume too, so their restore points have two parts) and image-backed ones with data volumes
    (one or two), which the policy snapshots with includeVolumes (autosnap.ps1 -IncludeVolumes).

.DESCRIPTION
    Each day: the clock moves one day; faults are switched on; out/Autosnap/scripts/autosnap.ps1 runs once for every
    server as cron would (credentials from the environment, -LogPath, -Verbose, a short request timeout so stalls
    cost seconds, not minutes); faults are switched off; the checker reads the cloud with plain HTTP and checks:
      - every pool that ever had a good image still has one;
      - no image the retention contract keeps was deleted, and nothing was deleted from a pool whose new snapshot
        is not good; no foreign image was deleted;
      - no duplicate snapshot: at most one new image per server per run and per request token;
      - the run ended with a documented exit code (0/1/2/3) matching the failures, and every server left without
        a good snapshot is reported failed in the JSON log and named on stderr;
      - Cinder snapshots (Cloud Block Storage v1): every one Autosnap caused is a part of a restore point that is
        still there, or a tagged leftover being cleaned; no leftover outlives a run in which its server's job
        succeeded (leaked = 0); no restore point still there lost a part; the Cinder snapshot that was there before
        the first run (not Autosnap's) is never deleted.
    A restore point is good only when its image is active and every part available, and the retention checks count
    restore points, not images. Faults strike the block storage routes as they strike Nova and Glance, and Cinder
    snapshots fail (end in error) at -VolumeSnapshotFailRate.
    Requests and faults are LocalCloud's counts during the runs only (the checker reads with faults off, between
    runs). Retries are autosnap's own -Verbose lines ("Retry n/m", and createImage's "asking again").

    Seeded (LocalCloud's -Seed drives ids, faults and snapshot failures; the clock starts at -Start), but the order
    of parallel requests varies from run to run, so two soaks with one seed are alike, not identical.

.EXAMPLE
    dotnet pwsh tests/Soak/Invoke-Soak.ps1                                  # 100 servers, 60 days
    dotnet pwsh tests/Soak/Invoke-Soak.ps1 -Servers 10 -Days 5              # the Test task's smoke
    dotnet pwsh tests/Soak/Invoke-Soak.ps1 -Servers 30 -Days 20 -VolumeBackedServers 8 -DataVolumeServers 8
    dotnet pwsh tests/Soak/Invoke-Soak.ps1 -Retention 7 -FaultRate 0.3 -Seed 7
#>
[CmdletBinding()]
param(
    [string] $ModulePath,
    [string] $LogDirectory,
    [int] $Servers = 100,
    # Of -Servers, how many are volume-backed and how many image-backed with data volumes (-1: a fifth each).
    [int] $VolumeBackedServers = -1,
    [int] $DataVolumeServers = -1,
    [int] $VolumeSize = 10,
    [int] $Days = 60,
    [double] $FaultRate = 0.2,
    [string[]] $FaultKinds = @('500', '503', '429', '413', 'reset', 'stall', 'garbage'),
    [ValidateSet('before', 'after', 'mixed')] [string] $FaultPhase = 'mixed',
    [double] $SnapshotFailRate = 0.05,
    [double] $SnapshotSeconds = 1,
    # Share of Cinder snapshots that end in error (-1: the same as -SnapshotFailRate); seconds they stay creating.
    [double] $VolumeSnapshotFailRate = -1,
    [double] $VolumeSnapshotSeconds = 1,
    # Share of Cinder snapshot deletes that end in error_deleting, which only an administrator can undo (0 by default:
    # such a snapshot is stuck on the cloud's side, and the checker counts it as leaked).
    [double] $VolumeSnapshotDeleteFailRate = 0,
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
$policyArguments += '-IncludeVolumes'
$policyText = ($policyArguments -join ' ')
if ($VolumeBackedServers -lt 0) { $VolumeBackedServers = [math]::Floor($Servers / 5) }
if ($DataVolumeServers -lt 0) { $DataVolumeServers = [math]::Floor($Servers / 5) }
if ($VolumeBackedServers + $DataVolumeServers -gt $Servers) { throw "-VolumeBackedServers $VolumeBackedServers and -DataVolumeServers $DataVolumeServers are more than -Servers $Servers." }
if ($VolumeSnapshotFailRate -lt 0) { $VolumeSnapshotFailRate = $SnapshotFailRate }
$imageServers = $Servers - $VolumeBackedServers - $DataVolumeServers

# only what an earlier soak wrote here goes (the directory may be shared)
$null = New-Item -ItemType Directory -Force $LogDirectory
Get-ChildItem -LiteralPath $LogDirectory -File | Where-Object { $_.Name -match '^day\d{3}\.(jsonl|out\.txt|err\.txt)$' -or $_.Name -eq 'results.json' } | Remove-Item -Force

$machine = Get-BenchMachine
Write-Host "Autosnap soak: $Servers servers ($VolumeBackedServers volume-backed, $DataVolumeServers with data volumes), $Days days, faults $([math]::Round($FaultRate * 100))% of requests ($($FaultKinds -join ', '); phase $FaultPhase), $([math]::Round($SnapshotFailRate * 100))% failed snapshots, policy $policyText, seed $Seed"
Write-BenchMachine $machine

# What a failed job's message says, in a few words (the JSON log's message), for the totals.
function Get-FailureCause([string] $Message) {
    switch -Regex ($Message) {
        'failed repeatedly and still takes no calls' { return 'circuit breaker open' }
        'volumes: [^)]*error[^)]*\); nothing was deleted' { return 'volume snapshot failed (injected)' }
        'failed \((killed|ERROR|error)[;)].*nothing was deleted' { return 'snapshot failed (injected)' }
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

# The run's requests to block storage (Cinder's /volume/... paths) and how many were answered 5xx, 413 or 429, from
# LocalCloud's request log (its stats count routes by template, and Nova and Cinder share some, e.g. GET /limits).
# Resets and stalls leave no status, so the errors are a floor of the faults that struck block storage.
function Get-VolumeCalls([double] $Since, [double] $Until) {
    $calls = @(Get-LocalCloudRequests | Where-Object { $_.atSecond -ge $Since -and $_.atSecond -le $Until -and $_.target -like '/volume/*' })
    [pscustomobject]@{ Requests = $calls.Count; Errors = @($calls | Where-Object { $_.status -ge 500 -or $_.status -in 413, 429 }).Count }
}

$watch = [Diagnostics.Stopwatch]::StartNew()
$totals = [ordered]@{
    runs = 0; requests = 0; faults = 0; faultsByKind = [ordered]@{}; rateLimited = 0; retries = 0; createRetries = 0; lostCreateAnswers = 0
    imagesCreated = 0; imagesGood = 0; imagesFailed = 0; imagesDeleted = 0; failedJobs = 0; failedJobsByCause = [ordered]@{}; exitCodes = [ordered]@{}
    violations = 0; notConvergedAfterSuccess = 0
    volumeSnapshotsCreated = 0; volumeSnapshotsDeleted = 0; leftoversFound = 0; leftoversCleaned = 0; leaked = 0; partsLost = 0; volumeSnapshotsAtEnd = 0
    volumeRequests = 0; volumeErrorAnswers = 0
}
$dayRecords = [System.Collections.Generic.List[object]]::new()
$allViolations = [System.Collections.Generic.List[string]]::new()
$cloud = $null
try {
    # The servers with volumes come from the seed (a seed's server list replaces the demo servers); the
    # image-backed ones from /__admin/servers as before. Quotas are lifted: the soak is about leaks, not quotas.
    $seedServers = [System.Collections.Generic.List[object]]::new()
    $seedVolumes = [System.Collections.Generic.List[object]]::new()
    for ($i = 1; $i -le $VolumeBackedServers; $i++) {
        $name = 'soak-bfv-{0:000}' -f $i
        $seedServers.Add(@{ name = $name; region = $Region })
        $seedVolumes.Add(@{ name = "$name-root"; region = $Region; size = $VolumeSize; bootable = $true; description = ''; server = $name; boot = $true; device = '/dev/xvda' })
        if ($i % 2) { $seedVolumes.Add(@{ name = "$name-data"; region = $Region; size = $VolumeSize; server = $name; device = '/dev/xvdb' }) }
    }
    for ($i = 1; $i -le $DataVolumeServers; $i++) {
        $name = 'soak-data-{0:000}' -f $i
        $seedServers.Add(@{ name = $name; region = $Region })
        $seedVolumes.Add(@{ name = "$name-data1"; region = $Region; size = $VolumeSize; server = $name; device = '/dev/xvdb' })
        if ($i % 2 -eq 0) { $seedVolumes.Add(@{ name = "$name-data2"; region = $Region; size = $VolumeSize; server = $name; device = '/dev/xvdc' }) }
    }
    $config = @{ seed = $Seed; clock = $Start.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ssZ') }
    if ($seedServers.Count) { $config.servers = @($seedServers); $config.volumes = @($seedVolumes) }
    $cloud = Start-LocalCloud -Config $config
    $faults = @{ faultRate = $FaultRate; faultKinds = $FaultKinds; faultPhase = $FaultPhase; snapshotFailRate = $SnapshotFailRate }
    $null = Set-LocalCloudConfig -Settings @{
        snapshotSeconds = $SnapshotSeconds; stallSeconds = $StallSeconds; faultRate = 0; snapshotFailRate = $SnapshotFailRate
        volumeSnapshotSeconds = $VolumeSnapshotSeconds; volumeSnapshotFailRate = $VolumeSnapshotFailRate; volumeSnapshotDeleteFailRate = $VolumeSnapshotDeleteFailRate
        maxTotalSnapshots = -1; maxTotalVolumeGigabytes = -1
    }
    $fleet = @(if ($imageServers -gt 0) { New-LocalCloudServer -Count $imageServers -NamePrefix 'soak-' -Region $Region | ForEach-Object { [pscustomobject]@{ Id = $_.id; Name = $_.name } } })
    if ($seedServers.Count) {
        $seeded = @((Get-LocalCloudState).regions.$Region.serverList | Where-Object { $_.name -like 'soak-bfv-*' -or $_.name -like 'soak-data-*' })
        $fleet += @($seeded | ForEach-Object { [pscustomobject]@{ Id = $_.id; Name = $_.name } })
    }
    if ($fleet.Count -ne $Servers) { throw "The cloud has $($fleet.Count) soak servers, not $Servers." }
    $ledger = New-SoakLedger -CloudUrl $cloud.Url -Region $Region -Policy $policy
    # A Cinder snapshot that is not Autosnap's (a user's manual one): it must survive every run.
    if ($seedVolumes.Count) { $null = New-SoakForeignVolumeSnapshot $ledger -VolumeName $seedVolumes[0].name }
    $null = Update-SoakLedger $ledger -Day 0

    $script = Get-AutosnapScript $ModulePath
    $environment = @{
        RACKSPACE_USERNAME = 'demo'; RACKSPACE_API_KEY = 'demo-api-key'; RACKSPACE_IDENTITY_URL = "$($cloud.Url)/v2.0"; RACKSPACE_REGION = $Region
        OS_AUTH_URL = $null; OS_USERNAME = $null; OS_PASSWORD = $null; OS_CLOUD = $null; OS_APPLICATION_CREDENTIAL_ID = $null
    }
    Write-Host ''
    Write-Host ('{0,4} {1,4} {2,6} {3,8} {4,6} {5,7} {6,7} {7,7} {8,7} {9,6} {10,6} {11,6} {12,6} {13,6} {14,10} {15,6}' -f
        'day', 'exit', 'secs', 'requests', 'faults', 'retries', 'created', 'failed', 'deleted', 'jobs!', 'images', 'vsnap+', 'vsnap-', 'vsnaps', 'violations', 'notes')
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
        $volumeCalls = Get-VolumeCalls -Since ([double]$statsBefore.elapsedSeconds) -Until ([double]$statsAfter.elapsedSeconds)
        $volumeRequests = $volumeCalls.Requests
        $volumeFaults = $volumeCalls.Errors
        $totals.volumeRequests += $volumeRequests
        $totals.volumeErrorAnswers += $volumeFaults
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
                failedJobs = $check.FailedJobs; imagesNow = $check.ImagesNow; volumeRequests = $volumeRequests; volumeErrorAnswers = $volumeFaults
                volumeSnapshots = $check.Volumes; violations = @($check.Violations); notes = @($check.Notes)
            })
        Write-Host ('{0,4} {1,4} {2,6:0.0} {3,8} {4,6} {5,7} {6,7} {7,7} {8,7} {9,6} {10,6} {11,6} {12,6} {13,6} {14,10} {15,6}' -f
            $day, $run.ExitCode, $run.Seconds, $requests, $faultCount, ($retries + $createRetries), $check.Created, $check.CreatedFailed, $check.Deleted,
            $check.FailedJobs, $check.ImagesNow, $check.Volumes.Created, $check.Volumes.Deleted, $check.Volumes.Now, $check.Violations.Count, $check.Notes.Count)
        foreach ($violation in $check.Violations) { Write-Host "     VIOLATION: $violation" }
        foreach ($note in $check.Notes) { Write-Host "     note: $note" }
    }
    $totals.imagesCreated = $ledger.Created
    $totals.imagesGood = $ledger.CreatedGood
    $totals.imagesFailed = $ledger.CreatedFailed
    $totals.imagesDeleted = $ledger.Deleted
    $totals.volumeSnapshotsCreated = $ledger.VolumeCreated
    $totals.volumeSnapshotsDeleted = $ledger.VolumeDeleted
    $totals.leftoversFound = $ledger.LeftoversFound
    $totals.leftoversCleaned = $ledger.LeftoversCleaned
    $totals.leaked = $ledger.Leaked
    $totals.partsLost = $ledger.PartsLost
    $totals.volumeSnapshotsAtEnd = @($ledger.VolumeSnapshots.Values | Where-Object { $_.Present -and -not $_.Foreign }).Count
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
    [pscustomobject]@{ Total = 'restore points created (good / failed)'; Value = "$($totals.imagesCreated) ($($totals.imagesGood) / $($totals.imagesFailed))" }
    [pscustomobject]@{ Total = 'restore points deleted'; Value = $totals.imagesDeleted }
    [pscustomobject]@{ Total = 'block storage requests during the runs / answered 5xx, 413, 429'; Value = "$($totals.volumeRequests) / $($totals.volumeErrorAnswers)" }
    [pscustomobject]@{ Total = 'volume snapshots created / deleted / there at the end'; Value = "$($totals.volumeSnapshotsCreated) / $($totals.volumeSnapshotsDeleted) / $($totals.volumeSnapshotsAtEnd)" }
    [pscustomobject]@{ Total = 'volume snapshot leftovers found / cleaned'; Value = "$($totals.leftoversFound) / $($totals.leftoversCleaned)" }
    [pscustomobject]@{ Total = 'volume snapshots leaked'; Value = $totals.leaked }
    [pscustomobject]@{ Total = 'restore points that lost a part'; Value = $totals.partsLost }
    [pscustomobject]@{ Total = 'failed jobs (reported)'; Value = $totals.failedJobs }
    [pscustomobject]@{ Total = '  by cause'; Value = (($totals.failedJobsByCause.GetEnumerator() | Sort-Object Value -Descending | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', ') }
    [pscustomobject]@{ Total = 'pools not converged after a job that succeeded'; Value = $totals.notConvergedAfterSuccess }
    [pscustomobject]@{ Total = 'violations'; Value = $totals.violations }
)
Write-BenchTable ("Soak totals: $Servers servers ($VolumeBackedServers volume-backed, $DataVolumeServers with data volumes) x $Days days in $Region, faults $([math]::Round($FaultRate * 100))% ($FaultPhase), " +
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
        servers = $Servers; volumeBackedServers = $VolumeBackedServers; dataVolumeServers = $DataVolumeServers; volumeSize = $VolumeSize
        volumeSnapshotFailRate = $VolumeSnapshotFailRate; volumeSnapshotSeconds = $VolumeSnapshotSeconds; volumeSnapshotDeleteFailRate = $VolumeSnapshotDeleteFailRate
        days = $Days; faultRate = $FaultRate; faultKinds = $FaultKinds; faultPhase = $FaultPhase; snapshotFailRate = $SnapshotFailRate
        snapshotSeconds = $SnapshotSeconds; seed = $Seed; start = $Start.ToString('u'); policy = $policyText; throttleLimit = $ThrottleLimit
        requestTimeoutSeconds = $RequestTimeoutSeconds; stallSeconds = $StallSeconds
    }
    seconds = [math]::Round($watch.Elapsed.TotalSeconds, 1)
    totals = $totals
    violations = $allViolations
    days = $dayRecords
} | ConvertTo-Json -Depth 8 | Set-Content -Encoding utf8 (Join-Path $LogDirectory 'results.json')
exit ([int]($totals.violations -gt 0))
