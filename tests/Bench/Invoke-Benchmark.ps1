<#
.SYNOPSIS
    build.ps1 Bench: Autosnap's measured figures, side by side in one run, printed as tables and written as JSON.

.DESCRIPTION
    1. Cold start for cron: `pwsh -NoProfile -NonInteractive -c "Import-Module <out>/Autosnap"` against a bare
       `pwsh -NoProfile -NonInteractive -c exit`, alternating, with the pwsh that runs this script.
    2. One server, the original's job: autosnap.ps1 (credentials from the environment) -Retention 7 with 8 good
       images in the pool, against LocalCloud with latency: wall time, API calls by route, poll spacing.
    3. The same job with the `openstack` command line client in a shell script (openstack-job.sh).
    2v. The same job on a volume-backed server (bfv01), whose pool holds restore points of an image and a Cinder
       snapshot: wall time, API calls by service and by route (from LocalCloud's request log), Cinder snapshots
       created and deleted.
    4. Fleet: servers in several regions under POST/GET rate limits, snapshots taking a while: one
       Invoke-AutoSnapshotPolicy run against the lower bound the limits and the snapshot time impose; 413s by
       minute. Then one region with the limits lifted at several sizes: wall time and peak working set.
    5. Listing: Get-AutoSnapshot over an account of many images, page size 1,000: time, requests and their
       queries, time to the first object, peak working set.

    Every figure is a median of several runs with min and max (unless a run count of 1 is asked for). Seeded:
    LocalCloud's ids and data come from -Seed. Benchmarks report; they never fail. Targets the module misses are
    listed at the end ("misses") and in the JSON (out/bench/results.json by default).

.EXAMPLE
    dotnet pwsh tests/Bench/Invoke-Benchmark.ps1                 # the full run (about 15 minutes on 2 cores)
    dotnet pwsh tests/Bench/Invoke-Benchmark.ps1 -Smoke          # tiny sizes, one run each (the Test task's smoke)
    dotnet pwsh tests/Bench/Invoke-Benchmark.ps1 -Only Job,OpenStack -JobRuns 9
    dotnet pwsh tests/Bench/Invoke-Benchmark.ps1 -Only VolumeJob             # the volume-backed job alone
#>
[CmdletBinding()]
param(
    [string] $ModulePath,
    [string] $OutFile,
    [switch] $Smoke,
    # any of ColdStart, Job, OpenStack, VolumeJob, Fleet, Scale, Listing (also as one comma-separated word, as -File passes it)
    [string[]] $Only = @('ColdStart', 'Job', 'OpenStack', 'VolumeJob', 'Fleet', 'Scale', 'Listing'),
    [int] $Seed = 1,
    [int] $LatencyMs = 50,
    # the openstack client to compare with; by default Debian's /usr/bin/openstack, else the first on PATH
    [string] $OpenStack,

    [int] $ColdStartRuns = 10,

    [int] $JobRuns = 5,
    [double] $JobSnapshotSeconds = 3,
    # the job again with these snapshot times, in a short table (0: the image is active at once, so only overhead is left)
    [string[]] $JobExtraSnapshotSeconds = @('0'),
    [int] $JobRetention = 7,
    [int] $JobExistingImages = 8,
    # runs of the volume-backed job (same retention, pool size and snapshot time as the job above)
    [int] $VolumeJobRuns = 3,

    [int] $FleetServers = 200,
    [string[]] $FleetRegions = @('DFW', 'ORD', 'IAD'),
    # runs with the default -ThrottleLimit, then runs with -ThrottleLimit $FleetThrottleLimit (0 runs: not measured)
    [int] $FleetRuns = 3,
    [int] $FleetThrottleLimit = 200,
    [int] $FleetThrottleLimitRuns = 1,
    [double] $FleetSnapshotSeconds = 20,
    [int] $PostPerMinute = 100,
    [int] $GetPerMinute = 1000,

    [string[]] $ScaleServers = @(100, 300, 1000),
    [int] $ScaleRuns = 3,
    [double] $ScaleSnapshotSeconds = 2,
    [int] $ScaleThrottleLimit = 100,

    [int] $ListingImages = 10000,
    [int] $ListingOurs = 2000,
    [int] $ListingServers = 20,
    [int] $ListingRuns = 3
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

# `pwsh -File` hands "a,b" over as one word: split list parameters here.
function Split-List([string[]] $Words) { @($Words | ForEach-Object { $_ -split ',' } | ForEach-Object Trim | Where-Object { $_ }) }
$Only = Split-List $Only
$unknown = @($Only | Where-Object { $_ -notin @('ColdStart', 'Job', 'OpenStack', 'VolumeJob', 'Fleet', 'Scale', 'Listing') })
if ($unknown) { throw "-Only: unknown item(s) $($unknown -join ', '); use ColdStart, Job, OpenStack, VolumeJob, Fleet, Scale, Listing." }
$FleetRegions = Split-List $FleetRegions

$repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
if (-not $ModulePath) { $ModulePath = Join-Path $repo 'out/Autosnap' }
$ModulePath = (Resolve-Path $ModulePath).Path
if (-not $OutFile) { $OutFile = Join-Path $repo 'out/bench/results.json' }
$OutFile = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutFile)
$env:AUTOSNAP_MODULE_PATH = $ModulePath
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')

if ($Smoke) {
    # Small and quick: proves every measurement still runs and reports. Explicit parameters still win.
    $smokeSizes = @{
        ColdStartRuns = 3; JobRuns = 1; JobSnapshotSeconds = 1; JobExtraSnapshotSeconds = @(); VolumeJobRuns = 1
        FleetServers = 10; FleetRuns = 1; FleetThrottleLimitRuns = 0; FleetSnapshotSeconds = 2
        ScaleServers = @(10, 30); ScaleRuns = 1; ScaleSnapshotSeconds = 1; ScaleThrottleLimit = 16
        ListingImages = 1000; ListingOurs = 200; ListingServers = 5; ListingRuns = 1
    }
    foreach ($name in $smokeSizes.Keys) {
        if (-not $PSBoundParameters.ContainsKey($name)) { Set-Variable -Name $name -Value $smokeSizes[$name] }
    }
}
[int[]] $ScaleServers = @(Split-List $ScaleServers)
[double[]] $JobExtraSnapshotSeconds = @(Split-List $JobExtraSnapshotSeconds)

$WebServerId = '82a9220f-bb39-4459-83af-1aeffe306e5d'   # LocalCloud's seeded web01 in DFW
$Machine = Get-BenchMachine
$Results = [ordered]@{
    machine    = $Machine
    smoke      = [bool]$Smoke
    parameters = [ordered]@{ seed = $Seed; latencyMs = $LatencyMs }
    items      = [ordered]@{}
    misses     = [System.Collections.Generic.List[string]]::new()
}
$Misses = $Results.misses

function Add-Miss([string] $Text) {
    $Misses.Add($Text)
}

function Invoke-Safely([string] $Name, [scriptblock] $Body) {
    # One item failing (a crash of the harness, not a missed target) is reported; the others still run.
    try { & $Body }
    catch {
        Write-Host ''
        Write-Host "$Name FAILED TO RUN: $($_.Exception.Message)"
        Write-Host ($_.ScriptStackTrace)
        $Results.items[$Name] = [ordered]@{ error = $_.Exception.Message }
        $Results['errors'] = @($(if ($Results.Contains('errors')) { $Results.errors }) + "${Name}: $($_.Exception.Message)")
    }
}

# One LocalCloud for the whole run; every measurement starts from POST /__admin/reset (the seed) and its own settings.
function Initialize-Cloud([hashtable] $Settings) {
    Reset-LocalCloud
    $all = @{ seed = $Seed; latencyMs = $LatencyMs; faultRate = 0; snapshotFailRate = 0; rateLimits = @{} }
    foreach ($key in $Settings.Keys) { $all[$key] = $Settings[$key] }
    $null = Set-LocalCloudConfig -Settings $all
}

function Get-Query([string] $Target) {
    $index = $Target.IndexOf('?')
    if ($index -lt 0) { return '' }
    # the marker of later pages says nothing about filtering
    ($Target.Substring($index + 1) -split '&' | Where-Object { $_ -notlike 'marker=*' }) -join '&'
}

# An image listing without any filter that narrows it to a server or to Autosnap's images: status, sort, limit
# and marker alone still send back every image of the account.
function Test-UnfilteredList($Request) {
    if ($Request.method -ne 'GET' -or $Request.route -notin @('GET /v2/images', 'GET /images/detail', 'GET /images')) { return $false }
    $keys = @((Get-Query $Request.target) -split '&' | Where-Object { $_ } | ForEach-Object { ($_ -split '=')[0] })
    -not ($keys | Where-Object { $_ -notin @('status', 'sort', 'sort_key', 'sort_dir', 'limit', 'marker', 'visibility', 'member_status') })
}

function Get-PollIntervals($Requests, [string] $ImageId) {
    $looks = @($Requests | Where-Object { $_.method -eq 'GET' -and $_.target -match "/images/$ImageId(\?|$)" })
    $intervals = for ($i = 1; $i -lt $looks.Count; $i++) { [math]::Round($looks[$i].atSecond - $looks[$i - 1].atSecond, 2) }
    [pscustomobject]@{ Looks = $looks.Count; Intervals = @($intervals) }
}

# ---------------------------------------------------------------------------------------------------------------
# 1. Cold start
# ---------------------------------------------------------------------------------------------------------------
function Measure-ColdStart {
    $pwsh = @(Get-PwshCommand)
    $prefix = @($pwsh | Select-Object -Skip 1)
    $manifest = $ModulePath
    $bare = @($prefix + @('-NoProfile', '-NonInteractive', '-c', 'exit'))
    $import = @($prefix + @('-NoProfile', '-NonInteractive', '-c', "Import-Module '$manifest'"))
    # one unmeasured pair first: the files into the page cache, as on a server where cron ran yesterday
    $null = Invoke-BenchProcess -FilePath $pwsh[0] -ArgumentList $bare
    $null = Invoke-BenchProcess -FilePath $pwsh[0] -ArgumentList $import
    $bareMs = [System.Collections.Generic.List[double]]::new()
    $importMs = [System.Collections.Generic.List[double]]::new()
    $diffMs = [System.Collections.Generic.List[double]]::new()
    for ($i = 0; $i -lt $ColdStartRuns; $i++) {
        # alternate the order so drift on a busy machine hits both alike
        $pair = if ($i % 2) { @('import', 'bare') } else { @('bare', 'import') }
        $times = @{}
        foreach ($kind in $pair) {
            $run = Invoke-BenchProcess -FilePath $pwsh[0] -ArgumentList $(if ($kind -eq 'bare') { $bare } else { $import })
            if ($run.ExitCode -ne 0) { throw "pwsh ($kind) exited with $($run.ExitCode): $($run.StdErr)" }
            $times[$kind] = $run.Seconds * 1000
        }
        $bareMs.Add($times.bare); $importMs.Add($times.import); $diffMs.Add($times.import - $times.bare)
    }
    $b = Get-Summary $bareMs 1; $m = Get-Summary $importMs 1; $d = Get-Summary $diffMs 1
    $rows = @(
        [pscustomobject]@{ Command = 'pwsh -NoProfile -NonInteractive -c exit'; 'ms median (min-max)' = Format-Summary $b '0' }
        [pscustomobject]@{ Command = "pwsh -NoProfile -NonInteractive -c `"Import-Module <out>/Autosnap`""; 'ms median (min-max)' = Format-Summary $m '0' }
        [pscustomobject]@{ Command = 'import adds (paired differences)'; 'ms median (min-max)' = Format-Summary $d '0' }
        [pscustomobject]@{ Command = 'ratio import / bare (medians)'; 'ms median (min-max)' = ($m.Median / $b.Median).ToString('0.00', [cultureinfo]::InvariantCulture) }
    )
    Write-BenchTable "1. Cold start for cron ($ColdStartRuns runs each, alternating; pwsh = $($pwsh -join ' '))" $rows
    Write-BenchNote "Target: the import adds under 150 ms (reported, not asserted): median $($d.Median) ms."
    if ($d.Median -ge 150) { Add-Miss "Cold start: Import-Module adds $($d.Median) ms (median of $ColdStartRuns paired runs; min $($d.Min), max $($d.Max)); target under 150 ms." }
    $Results.items['coldStart'] = [ordered]@{
        runs = $ColdStartRuns; pwsh = ($pwsh -join ' '); bareMs = $b; importMs = $m; importAddsMs = $d
        ratio = [math]::Round($m.Median / $b.Median, 3); targetMs = 150
    }
}

# ---------------------------------------------------------------------------------------------------------------
# 2 and 3. One server: autosnap.ps1 and the openstack CLI script, same cloud, same pool
# ---------------------------------------------------------------------------------------------------------------
function Initialize-JobCloud([double] $SnapshotSeconds) {
    Initialize-Cloud @{ snapshotSeconds = $SnapshotSeconds }
    $from = (Get-LocalCloudClock).AddDays(-$JobExistingImages)
    $null = New-LocalCloudImage -Count $JobExistingImages -Region DFW -Server $WebServerId -NamePrefix 'web01-daily-old-' `
        -Properties @{ autosnap_schedule = 'daily'; autosnap_server = $WebServerId } -CreatedFrom $from -CreatedStep ([timespan]::FromDays(1))
    Reset-LocalCloudStats | Out-Null
}

function Get-PoolImages {
    $token = Get-LocalCloudToken
    $query = "autosnap_schedule=daily&autosnap_server=$WebServerId&limit=1000"
    @((Invoke-RestMethod -Uri "$($script:Cloud.Url)/image/dfw/v2/images?$query" -Headers @{ 'X-Auth-Token' = $token }).images)
}

# What one run of a one-server job did, from LocalCloud's stats and request log.
function Get-JobFigures($Run, [string] $Tool, [string[]] $OldIds) {
    $stats = Get-LocalCloudStats
    $requests = Get-LocalCloudRequests
    $pool = Get-PoolImages
    $newImages = @($pool | Where-Object { $_.id -notin $OldIds })
    $newId = if ($newImages.Count -eq 1) { $newImages[0].id } else { $null }
    $polls = if ($newId) { Get-PollIntervals $requests $newId } else { [pscustomobject]@{ Looks = 0; Intervals = @() } }
    $deletes = @($requests | Where-Object { $_.method -eq 'DELETE' }).Count
    $auths = @($requests | Where-Object { $_.route -in @('POST /v2.0/tokens', 'POST /v3/auth/tokens') }).Count
    $unfiltered = @($requests | Where-Object { Test-UnfilteredList $_ })
    $first = if ($requests.Count) { $requests[0].atSecond } else { 0 }
    $last = if ($requests.Count) { $requests[-1].atSecond + $requests[-1].ms / 1000 } else { 0 }
    [pscustomobject][ordered]@{
        Tool            = $Tool
        ExitCode        = $Run.ExitCode
        Seconds         = $Run.Seconds
        Calls           = [int]$stats.total
        ByRoute         = ConvertTo-Hashtable $stats.byRoute
        Auths           = $auths
        UnfilteredLists = $unfiltered.Count
        UnfilteredQuery = @($unfiltered | ForEach-Object { $_.target })
        Deletes         = $deletes
        Looks           = $polls.Looks
        PollIntervals   = $polls.Intervals
        Other           = [int]$stats.total - $deletes - $polls.Looks
        FirstRequestAt  = [math]::Round($first, 3)
        ApiSpan         = [math]::Round($last - $first, 3)
        GoodLeft        = @($pool | Where-Object status -EQ 'active').Count
        NewImage        = $newId
        Requests        = @($requests | ForEach-Object { "{0,7:0.000}s {1} {2} -> {3}" -f $_.atSecond, $_.method, $_.target, $_.status })
    }
}

function Measure-AutosnapJob([double] $SnapshotSeconds) {
    $runs = @()
    $script = Get-AutosnapScript $ModulePath
    $environment = @{
        RACKSPACE_USERNAME = 'demo'; RACKSPACE_API_KEY = 'demo-api-key'; RACKSPACE_IDENTITY_URL = "$($script:Cloud.Url)/v2.0"; RACKSPACE_REGION = 'DFW'
        OS_AUTH_URL = $null; OS_USERNAME = $null; OS_PASSWORD = $null; OS_CLOUD = $null; OS_APPLICATION_CREDENTIAL_ID = $null
    }
    for ($i = 0; $i -lt $JobRuns; $i++) {
        Initialize-JobCloud $SnapshotSeconds
        $old = @(Get-PoolImages | ForEach-Object id)
        Reset-LocalCloudStats | Out-Null
        $run = Invoke-BenchPwsh -File $script -ArgumentList @('-Server', 'web01', '-Schedule', 'daily', '-Retention', "$JobRetention") -Environment $environment
        if ($run.ExitCode -ne 0) { Write-Host "autosnap.ps1 exited with $($run.ExitCode): $($run.StdErr.Trim())" }
        $runs += Get-JobFigures $run 'autosnap.ps1' $old
    }
    $runs
}

function Find-OpenStack {
    if ($OpenStack) { return $(if (Test-Path -PathType Leaf $OpenStack) { (Resolve-Path $OpenStack).Path } else { $null }) }
    # Debian's client (/usr/bin/python3): never a pyenv shim that may lack the packages.
    if (Test-Path /usr/bin/openstack) { return '/usr/bin/openstack' }
    $command = Get-Command openstack -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($command) { $command.Source } else { $null }
}

function Measure-OpenStackJob([string] $Client, [double] $SnapshotSeconds) {
    $runs = @()
    $environment = @{
        OS_AUTH_URL = "$($script:Cloud.Url)/v3"; OS_IDENTITY_API_VERSION = '3'; OS_AUTH_TYPE = 'password'
        OS_USERNAME = 'demo'; OS_PASSWORD = 'demo-password'; OS_USER_DOMAIN_NAME = 'Default'; OS_PROJECT_NAME = 'demo'
        OS_PROJECT_DOMAIN_NAME = 'Default'; OS_REGION_NAME = 'DFW'; OS_INTERFACE = 'public'; OS_CLOUD = $null
        PYTHONWARNINGS = 'ignore'; RACKSPACE_API_KEY = $null; RACKSPACE_USERNAME = $null
        PATH = "$(Split-Path $Client -Parent)$([IO.Path]::PathSeparator)$env:PATH"
    }
    for ($i = 0; $i -lt $JobRuns; $i++) {
        Initialize-JobCloud $SnapshotSeconds
        $old = @(Get-PoolImages | ForEach-Object id)
        Reset-LocalCloudStats | Out-Null
        $run = Invoke-BenchProcess -FilePath 'sh' -ArgumentList @((Join-Path $PSScriptRoot 'openstack-job.sh'), 'web01', 'daily', "$JobRetention") -Environment $environment
        if ($run.ExitCode -ne 0) { Write-Host "openstack-job.sh exited with $($run.ExitCode): $($run.StdErr.Trim())" }
        $runs += Get-JobFigures $run 'openstack CLI' $old
    }
    $runs
}

function Get-JobSummary($Runs) {
    [ordered]@{
        runs             = $Runs.Count
        exitCodes        = @($Runs | ForEach-Object ExitCode)
        seconds          = Get-Summary @($Runs | ForEach-Object Seconds)
        calls            = Get-Summary @($Runs | ForEach-Object Calls) 0
        auths            = Get-Summary @($Runs | ForEach-Object Auths) 0
        unfilteredLists  = Get-Summary @($Runs | ForEach-Object UnfilteredLists) 0
        deletes          = Get-Summary @($Runs | ForEach-Object Deletes) 0
        looksAtNewImage  = Get-Summary @($Runs | ForEach-Object Looks) 0
        otherCalls       = Get-Summary @($Runs | ForEach-Object Other) 0
        firstRequestAt   = Get-Summary @($Runs | ForEach-Object FirstRequestAt)
        apiSpan          = Get-Summary @($Runs | ForEach-Object ApiSpan)
        goodImagesAfter  = Get-Summary @($Runs | ForEach-Object GoodLeft) 0
        byRoute          = $Runs[0].ByRoute
        pollIntervals    = $Runs[0].PollIntervals
        unfilteredQuery  = $Runs[0].UnfilteredQuery
        requests         = $Runs[0].Requests
    }
}

function Write-JobTables($Autosnap, $OpenStack, [string] $SkipReason) {
    $a = Get-JobSummary $Autosnap
    $o = if ($OpenStack) { Get-JobSummary $OpenStack } else { $null }
    $cell = { param($summary, $name, $format) if ($summary) { Format-Summary $summary[$name] $format } else { "skipped" } }
    $rows = @(
        foreach ($item in @(
                @('wall time, s (process start to exit)', 'seconds', '0.00'),
                @('  first API request after start, s', 'firstRequestAt', '0.00'),
                @('  first to last API answer, s', 'apiSpan', '0.00'),
                @('API calls', 'calls', '0'),
                @('  authentications', 'auths', '0'),
                @('  image lists without a pool filter', 'unfilteredLists', '0'),
                @('  looks at the new image (polls)', 'looksAtNewImage', '0'),
                @('  deletes', 'deletes', '0'),
                @('  other calls', 'otherCalls', '0'),
                @('good images in the pool after', 'goodImagesAfter', '0'))) {
            [pscustomobject][ordered]@{ Figure = $item[0]; 'autosnap.ps1' = & $cell $a $item[1] $item[2]; 'openstack CLI' = & $cell $o $item[1] $item[2] }
        })
    Write-BenchTable ("2./3. One server, the original's job: retention $JobRetention, $JobExistingImages good images in the pool, " +
        "latency $LatencyMs ms, snapshots take $JobSnapshotSeconds s; medians of $($a.runs) runs (min-max)") $rows

    $routes = @($a.byRoute.Keys) + @(if ($o) { $o.byRoute.Keys }) | Sort-Object -Unique
    $routeRows = foreach ($route in $routes) {
        [pscustomobject][ordered]@{
            Route           = $route
            'autosnap.ps1'  = if ($a.byRoute.Contains($route)) { $a.byRoute[$route] } else { 0 }
            'openstack CLI' = if (-not $o) { 'skipped' } elseif ($o.byRoute.Contains($route)) { $o.byRoute[$route] } else { 0 }
        }
    }
    Write-BenchTable 'API calls by route (LocalCloud stats, first run of each)' $routeRows
    Write-BenchNote ("autosnap.ps1 poll intervals, s: " + ($(if ($a.pollIntervals.Count) { $a.pollIntervals -join ', ' } else { 'none' })) +
        " (looks at the new image: compute image view, then one Glance read)")
    if ($o) {
        Write-BenchNote ("openstack CLI poll intervals, s: " + ($(if ($o.pollIntervals.Count) { $o.pollIntervals -join ', ' } else { 'none' })) +
            " (osc-lib's wait_for_status sleeps a fixed 5 s)")
        if ($o.unfilteredQuery.Count) { Write-BenchNote "openstack CLI listed without a property filter: $($o.unfilteredQuery[0]) (its --property filter runs on the client)" }
        $ratio = $o.seconds.Median / $a.seconds.Median
        $callRatio = $o.calls.Median / $a.calls.Median
        Write-BenchNote ("ratio openstack / autosnap.ps1: wall time {0:0.00}x, calls {1:0.00}x (target: Autosnap at least 3x faster end to end and fewer calls)" -f $ratio, $callRatio)
        if ($ratio -lt 3) {
            Add-Miss ("One-server job: Autosnap is {0:0.00}x faster than the openstack CLI script end to end (median {1:0.00} s vs {2:0.00} s); target 3x. " -f $ratio, $a.seconds.Median, $o.seconds.Median +
                "Autosnap's first API request comes {0:0.00} s after its process starts, its API work spans {1:0.00} s." -f $a.firstRequestAt.Median, $a.apiSpan.Median)
        }
        if ($a.calls.Median -ge $o.calls.Median) { Add-Miss "One-server job: Autosnap made $($a.calls.Median) calls, the openstack CLI $($o.calls.Median); target: fewer." }
    }
    else {
        Write-BenchNote "openstack CLI: skipped ($SkipReason)."
    }

    # The targets for autosnap.ps1
    Write-BenchNote ("autosnap.ps1 targets: authenticate once (max {0}); no unfiltered image list (max {1}); at most 6 calls + 1 per deleted image + the polls: {2} other + {3} deletes + {4} looks (max other {5}); polls back off: {6}" -f
        $a.auths.Max, $a.unfilteredLists.Max, $a.otherCalls.Median, $a.deletes.Median, $a.looksAtNewImage.Median, $a.otherCalls.Max,
        $(if (Test-BackOff $a.pollIntervals) { 'yes' } else { 'no' }))
    if ($a.auths.Max -gt 1) { Add-Miss "One-server job: autosnap.ps1 authenticated $($a.auths.Max) times; target once." }
    if ($a.unfilteredLists.Max -gt 0) { Add-Miss "One-server job: autosnap.ps1 sent an image list without a pool filter: $($a.unfilteredQuery -join '; ')." }
    if ($a.otherCalls.Max -gt 6) { Add-Miss "One-server job: autosnap.ps1 made $($a.otherCalls.Max) calls besides polls and deletes (routes: $(($a.byRoute.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', ')); target at most 6." }
    if (-not (Test-BackOff $a.pollIntervals)) { Add-Miss "One-server job: poll intervals $($a.pollIntervals -join ', ') s do not grow." }
    if (@($a.exitCodes | Where-Object { $_ -ne 0 }).Count) { Add-Miss "One-server job: autosnap.ps1 exit codes $($a.exitCodes -join ', ')." }

    Write-Host ''
    Write-Host 'autosnap.ps1 requests, first run (seconds since the process started, roughly):'
    foreach ($line in $a.requests) { Write-Host "  $line" }
    if ($o) {
        Write-Host 'openstack CLI requests, first run:'
        foreach ($line in $o.requests) { Write-Host "  $line" }
    }

    $Results.items['job'] = $a
    $Results.items['openstack'] = if ($o) { $o + [ordered]@{ ratioWall = [math]::Round($o.seconds.Median / $a.seconds.Median, 3); ratioCalls = [math]::Round($o.calls.Median / $a.calls.Median, 3) } }
                                  else { [ordered]@{ skipped = $SkipReason } }
}

# 2v. One volume-backed server: autosnap.ps1's job on bfv01, whose restore points are an image and a Cinder snapshot
# ---------------------------------------------------------------------------------------------------------------
$BfvServerName = 'bfv01'   # LocalCloud's seeded volume-backed server in DFW (root volume bfv01-root)

function Invoke-BenchCinder([string] $Method = 'GET', [string] $Path, $Body) {
    $token = Get-LocalCloudToken
    $request = @{ Method = $Method; Uri = "$($script:Cloud.Url)/volume/dfw/v1/100001$Path"; Headers = @{ 'X-Auth-Token' = $token } }
    if ($null -ne $Body) { $request.Body = $Body | ConvertTo-Json -Depth 6 -Compress; $request.ContentType = 'application/json' }
    Invoke-RestMethod @request
}

# The pool before the run: $JobExistingImages good restore points of bfv01, a day apart, each a zero-size image whose
# block_device_mapping names a Cinder snapshot of the root volume carrying Autosnap's tags, as a run leaves them.
function Initialize-VolumeJobCloud([double] $SnapshotSeconds) {
    Initialize-Cloud @{ snapshotSeconds = $SnapshotSeconds; volumeSnapshotSeconds = 0; maxTotalSnapshots = -1 }
    $server = @((Get-LocalCloudState).regions.DFW.serverList | Where-Object name -EQ $BfvServerName)[0].id
    $volume = @((Invoke-BenchCinder GET '/volumes/detail').volumes | Where-Object display_name -EQ "$BfvServerName-root")[0]
    $from = (Get-LocalCloudClock).AddDays(-$JobExistingImages)
    for ($i = 0; $i -lt $JobExistingImages; $i++) {
        $created = $from.AddDays($i)
        $name = '{0}-daily-old-{1}' -f $BfvServerName, $i
        $snapshot = (Invoke-BenchCinder POST '/snapshots' @{ snapshot = @{ volume_id = $volume.id; force = $true; display_name = "snapshot for $name" } }).snapshot
        $mapping = ConvertTo-Json -Compress @(@{ snapshot_id = $snapshot.id; source_type = 'snapshot'; destination_type = 'volume'; boot_index = 0
                device_name = '/dev/xvda'; volume_size = $volume.size; delete_on_termination = $false })
        $image = @(New-LocalCloudImage -Count 1 -Region DFW -Server $server -NamePrefix "$name-" -CreatedFrom $created -Properties @{
                autosnap_schedule = 'daily'; autosnap_server = $server; autosnap_volume_backed = 'true'; block_device_mapping = $mapping; bdm_v2 = 'True' })[0]
        $null = Invoke-BenchCinder POST "/snapshots/$($snapshot.id)/metadata" @{ metadata = @{ autosnap_server = $server; autosnap_schedule = 'daily'; autosnap_image = $image } }
    }
    $null = Set-LocalCloudConfig -Settings @{ volumeSnapshotSeconds = $SnapshotSeconds }
    $server
}

# A request's service, from its path: the route templates alone do not say it (Nova and Cinder both have GET /limits).
function Get-RequestService([string] $Target) {
    switch -Regex ($Target) {
        '^/(v2\.0|v3)(/|$)' { 'identity' }
        '^/compute/' { 'nova' }
        '^/image/' { 'glance' }
        '^/volume/' { 'cinder' }
        default { 'other' }
    }
}

function Measure-VolumeJob([double] $SnapshotSeconds) {
    $runs = @()
    $script = Get-AutosnapScript $ModulePath
    $environment = @{
        RACKSPACE_USERNAME = 'demo'; RACKSPACE_API_KEY = 'demo-api-key'; RACKSPACE_IDENTITY_URL = "$($script:Cloud.Url)/v2.0"; RACKSPACE_REGION = 'DFW'
        OS_AUTH_URL = $null; OS_USERNAME = $null; OS_PASSWORD = $null; OS_CLOUD = $null; OS_APPLICATION_CREDENTIAL_ID = $null
    }
    for ($i = 0; $i -lt $VolumeJobRuns; $i++) {
        $server = Initialize-VolumeJobCloud $SnapshotSeconds
        $before = @((Invoke-BenchCinder GET '/snapshots/detail').snapshots | ForEach-Object id)
        Reset-LocalCloudStats | Out-Null
        $run = Invoke-BenchPwsh -File $script -ArgumentList @('-Server', $BfvServerName, '-Schedule', 'daily', '-Retention', "$JobRetention") -Environment $environment
        if ($run.ExitCode -ne 0) { Write-Host "autosnap.ps1 (volume-backed) exited with $($run.ExitCode): $($run.StdErr.Trim())" }
        $stats = Get-LocalCloudStats
        $requests = Get-LocalCloudRequests
        $after = @((Invoke-BenchCinder GET '/snapshots/detail').snapshots)
        $token = Get-LocalCloudToken
        $pool = @((Invoke-RestMethod -Uri "$($script:Cloud.Url)/image/dfw/v2/images?autosnap_schedule=daily&autosnap_server=$server&limit=1000" -Headers @{ 'X-Auth-Token' = $token }).images)
        $byRoute = [ordered]@{}
        foreach ($group in $requests | Group-Object { "$(Get-RequestService $_.target) $($_.route)" } | Sort-Object Name) { $byRoute[$group.Name] = $group.Count }
        $byService = [ordered]@{}
        foreach ($group in $requests | Group-Object { Get-RequestService $_.target } | Sort-Object Name) { $byService[$group.Name] = $group.Count }
        $runs += [pscustomobject][ordered]@{
            ExitCode          = $run.ExitCode
            Seconds           = $run.Seconds
            Calls             = [int]$stats.total
            ByRoute           = $byRoute
            ByService         = $byService
            VolumeCreated     = @($after | Where-Object { $_.id -notin $before }).Count
            VolumeDeleted     = @($before | Where-Object { $_ -notin @($after | ForEach-Object id) }).Count
            RestorePointsLeft = $pool.Count
            VolumeLeft        = $after.Count
            Requests          = @($requests | ForEach-Object { "{0,7:0.000}s {1} {2} -> {3}" -f $_.atSecond, $_.method, $_.target, $_.status })
        }
    }
    $runs
}

function Write-VolumeJobTables($Runs) {
    $first = $Runs[0]
    $summary = [ordered]@{
        runs = $Runs.Count; exitCodes = @($Runs | ForEach-Object ExitCode)
        seconds = Get-Summary @($Runs | ForEach-Object Seconds); calls = Get-Summary @($Runs | ForEach-Object Calls) 0
        volumeSnapshotsCreated = Get-Summary @($Runs | ForEach-Object VolumeCreated) 0; volumeSnapshotsDeleted = Get-Summary @($Runs | ForEach-Object VolumeDeleted) 0
        restorePointsAfter = Get-Summary @($Runs | ForEach-Object RestorePointsLeft) 0; volumeSnapshotsAfter = Get-Summary @($Runs | ForEach-Object VolumeLeft) 0
        byService = $first.ByService; byRoute = $first.ByRoute; requests = $first.Requests
    }
    $rows = @(
        [pscustomobject]@{ Figure = 'wall time, s (process start to exit)'; 'autosnap.ps1' = Format-Summary $summary.seconds '0.00' }
        [pscustomobject]@{ Figure = 'API calls'; 'autosnap.ps1' = Format-Summary $summary.calls '0' }
        [pscustomobject]@{ Figure = '  by service'; 'autosnap.ps1' = (($summary.byService.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', ') }
        [pscustomobject]@{ Figure = 'Cinder snapshots created / deleted'; 'autosnap.ps1' = '{0} / {1}' -f (Format-Summary $summary.volumeSnapshotsCreated '0'), (Format-Summary $summary.volumeSnapshotsDeleted '0') }
        [pscustomobject]@{ Figure = 'restore points / Cinder snapshots after'; 'autosnap.ps1' = '{0} / {1}' -f (Format-Summary $summary.restorePointsAfter '0'), (Format-Summary $summary.volumeSnapshotsAfter '0') }
    )
    Write-BenchTable ("2v. One volume-backed server ($BfvServerName): retention $JobRetention, $JobExistingImages good restore points (image + Cinder snapshot) in the pool, " +
        "latency $LatencyMs ms, snapshots take $JobSnapshotSeconds s; medians of $($summary.runs) runs (min-max)") $rows
    $routeRows = foreach ($route in $summary.byRoute.Keys) { [pscustomobject][ordered]@{ Route = $route; 'autosnap.ps1' = $summary.byRoute[$route] } }
    Write-BenchTable 'API calls by route, volume-backed job (LocalCloud request log, first run)' $routeRows
    if (@($summary.exitCodes | Where-Object { $_ -ne 0 }).Count) { Add-Miss "Volume-backed job: autosnap.ps1 exit codes $($summary.exitCodes -join ', ')." }
    Write-Host ''
    Write-Host 'autosnap.ps1 requests, volume-backed job, first run:'
    foreach ($line in $summary.requests) { Write-Host "  $line" }
    $Results.items['volumeJob'] = $summary
}

# The same job with other snapshot times: wall time and calls only.
function Write-JobVariants($Variants) {
    $rows = @()
    $items = @()
    foreach ($variant in $Variants) {
        $a = Get-JobSummary $variant.Autosnap
        $o = if ($variant.OpenStack) { Get-JobSummary $variant.OpenStack }
        $rows += [pscustomobject][ordered]@{
            'snapshot s'            = $variant.SnapshotSeconds
            'autosnap.ps1 wall s'   = Format-Summary $a.seconds '0.00'
            'openstack CLI wall s'  = if ($o) { Format-Summary $o.seconds '0.00' } else { 'skipped' }
            'ratio wall'            = if ($o) { ($o.seconds.Median / $a.seconds.Median).ToString('0.00', [cultureinfo]::InvariantCulture) } else { '' }
            'autosnap.ps1 calls'    = Format-Summary $a.calls '0'
            'openstack CLI calls'   = if ($o) { Format-Summary $o.calls '0' } else { 'skipped' }
            'autosnap.ps1 exit'     = ($a.exitCodes | Select-Object -Unique) -join '/'
        }
        $items += [ordered]@{
            snapshotSeconds = $variant.SnapshotSeconds; autosnap = $a; openstack = $o
            ratioWall = if ($o) { [math]::Round($o.seconds.Median / $a.seconds.Median, 3) } else { $null }
        }
    }
    Write-BenchTable "2./3. The same job with other snapshot times (0 s: the image is active at once, so the difference is overhead); medians of $JobRuns runs (min-max)" $rows
    $Results.items['jobVariants'] = $items
}

function Test-BackOff([double[]] $Intervals) {
    # The compute polls (all but the last look, which is the Glance read right after) must spread out.
    $polls = @($Intervals | Select-Object -SkipLast 1)
    if ($polls.Count -lt 2) { return $true }
    for ($i = 1; $i -lt $polls.Count; $i++) { if ($polls[$i] -lt $polls[$i - 1] * 0.95) { return $false } }
    $polls[-1] -gt $polls[0]
}

# ---------------------------------------------------------------------------------------------------------------
# 4. Fleet under rate limits, and one region at growing sizes
# ---------------------------------------------------------------------------------------------------------------
function Get-FleetBound([int[]] $PerRegion, [double] $SnapshotSeconds) {
    # The fewest calls any client needs per server: one createImage (POST), one look at the image once it can be
    # ready and one listing of the pool (GETs); per region one GET /limits.
    $n = ($PerRegion | Measure-Object -Maximum).Maximum
    $postMinimum = $n
    $getMinimum = 2 * $n + 1
    $paced = [math]::Max(($postMinimum - 1) * 60 / $PostPerMinute + $SnapshotSeconds, ($getMinimum - 1) * 60 / $GetPerMinute)
    $burst = [math]::Max([math]::Floor(($postMinimum - 1) / $PostPerMinute) * 60 + $SnapshotSeconds, [math]::Floor(($getMinimum - 1) / $GetPerMinute) * 60)
    [pscustomobject]@{ MostInOneRegion = $n; Posts = $postMinimum; Gets = $getMinimum; Paced = [math]::Round($paced, 2); Burst = [math]::Round($burst, 2) }
}

function Invoke-FleetRun([int] $Servers, [string[]] $Regions, [double] $SnapshotSeconds, [hashtable] $RateLimits, [int] $ThrottleLimit) {
    Initialize-Cloud @{ snapshotSeconds = $SnapshotSeconds; rateLimits = $RateLimits }
    $null = New-LocalCloudServer -Count $Servers -NamePrefix 'fleet-' -Region $Regions
    $arguments = @('-ModulePath', $ModulePath, '-CloudUrl', $script:Cloud.Url, '-Region', ($Regions -join ','))
    if ($ThrottleLimit -gt 0) { $arguments += @('-ThrottleLimit', "$ThrottleLimit") }
    $run = Invoke-BenchPwsh -File (Join-Path $PSScriptRoot 'Invoke-FleetRun.ps1') -ArgumentList $arguments
    $result = Get-BenchResult $run 'Invoke-FleetRun.ps1'
    $stats = Get-LocalCloudStats
    $requests = Get-LocalCloudRequests
    $actions = @($requests | Where-Object { $_.route -eq 'POST /servers/{id}/action' })
    [pscustomobject][ordered]@{
        Servers       = $Servers
        Seconds       = [double]$result.seconds
        Results       = $result
        Calls         = [int]$stats.total
        ByRoute       = ConvertTo-Hashtable $stats.byRoute
        ByMinute      = ConvertTo-Hashtable $stats.byMinute
        RateLimited   = [int]$stats.rateLimited.total
        LimitedByMin  = ConvertTo-Hashtable $stats.rateLimited.byMinute
        LimitedByVerb = ConvertTo-Hashtable $stats.rateLimited.byVerb
        LimitedRoutes = @($requests | Where-Object { $_.status -in 413, 429 } | Group-Object route | ForEach-Object { "$($_.Name) x$($_.Count)" })
        LastPostAt    = if ($actions.Count) { $actions[-1].atSecond } else { $null }
        BaselineMB    = [math]::Round($result.baselineBytes / 1MB, 1)
        PeakMB        = [math]::Round($result.peakBytes / 1MB, 1)
        Failed        = if ($result.byStatus.PSObject.Properties['Failed']) { [int]$result.byStatus.Failed } else { 0 }
    }
}

function Measure-Fleet {
    $limits = @{ POST = $PostPerMinute; GET = $GetPerMinute }
    $perRegion = @(for ($r = 0; $r -lt $FleetRegions.Count; $r++) { @(0..($FleetServers - 1) | Where-Object { $_ % $FleetRegions.Count -eq $r }).Count })
    $bound = Get-FleetBound $perRegion $FleetSnapshotSeconds
    $configurations = @([pscustomobject]@{ Label = 'default -ThrottleLimit (100)'; Throttle = 0; Runs = $FleetRuns })
    if ($FleetThrottleLimitRuns -gt 0) { $configurations += [pscustomobject]@{ Label = "-ThrottleLimit $FleetThrottleLimit"; Throttle = $FleetThrottleLimit; Runs = $FleetThrottleLimitRuns } }
    $rows = @()
    $items = [ordered]@{}
    foreach ($configuration in $configurations) {
        $runs = @(for ($i = 0; $i -lt $configuration.Runs; $i++) {
                Invoke-FleetRun -Servers $FleetServers -Regions $FleetRegions -SnapshotSeconds $FleetSnapshotSeconds -RateLimits $limits -ThrottleLimit $configuration.Throttle
            })
        $seconds = Get-Summary @($runs | ForEach-Object Seconds) 2
        $after = @($runs | ForEach-Object { $r = $_; @($r.LimitedByMin.Keys | Where-Object { $_ -ne '0' } | ForEach-Object { "minute $_ : $($r.LimitedByMin[$_])" }) })
        $rows += [pscustomobject][ordered]@{
            Run                      = $configuration.Label
            'wall s'                 = Format-Summary $seconds '0.0'
            'x paced bound'          = ($seconds.Median / $bound.Paced).ToString('0.00', [cultureinfo]::InvariantCulture)
            'x burst bound'          = ($seconds.Median / $bound.Burst).ToString('0.00', [cultureinfo]::InvariantCulture)
            calls                    = Format-Summary (Get-Summary @($runs | ForEach-Object Calls) 0) '0'
            '413s by minute (run 1)' = $(if ($runs[0].LimitedByMin.Count) { ($runs[0].LimitedByMin.GetEnumerator() | ForEach-Object { "m$($_.Key): $($_.Value)" }) -join ', ' } else { 'none' })
            'failed jobs'            = Format-Summary (Get-Summary @($runs | ForEach-Object Failed) 0) '0'
            'peak MB'                = Format-Summary (Get-Summary @($runs | ForEach-Object PeakMB) 1) '0'
        }
        $items[$configuration.Label] = [ordered]@{
            throttleLimit = $(if ($configuration.Throttle) { $configuration.Throttle } else { 'default' })
            seconds = $seconds; ratioToPacedBound = [math]::Round($seconds.Median / $bound.Paced, 3); ratioToBurstBound = [math]::Round($seconds.Median / $bound.Burst, 3)
            calls = Get-Summary @($runs | ForEach-Object Calls) 0; byRoute = $runs[0].ByRoute; requestsByMinute = $runs[0].ByMinute
            rateLimited = @($runs | ForEach-Object { [ordered]@{ total = $_.RateLimited; byMinute = $_.LimitedByMin; byVerb = $_.LimitedByVerb; routes = $_.LimitedRoutes } })
            lastCreateImageAtSecond = @($runs | ForEach-Object LastPostAt)
            failedJobs = @($runs | ForEach-Object Failed); peakMB = Get-Summary @($runs | ForEach-Object PeakMB) 1
            firstFailures = @($runs | ForEach-Object { $_.Results.firstFailures })
        }
        if ($after.Count) {
            Add-Miss ("Fleet ($($configuration.Label)): 413s after the first minute: " + ($after -join '; ') + "; routes: " + (@($runs | ForEach-Object LimitedRoutes) -join ', ') + '.')
        }
        if ($seconds.Median -gt 1.15 * $bound.Paced) {
            Add-Miss ("Fleet ($($configuration.Label)): {0:0.0} s, {1:0.00}x the paced lower bound of {2:0.0} s (target within 15%)." -f $seconds.Median, ($seconds.Median / $bound.Paced), $bound.Paced +
                " Last createImage at {0} s after the run started." -f (($runs | ForEach-Object LastPostAt) -join '/'))
        }
        $failedRuns = @($runs | Where-Object Failed -GT 0)
        if ($failedRuns.Count) { Add-Miss "Fleet ($($configuration.Label)): failed jobs: $(@($runs | ForEach-Object { $_.Results.firstFailures }) -join '; ')" }
    }
    Write-BenchTable ("4. Fleet: $FleetServers servers in $($FleetRegions -join ', ') ($($perRegion -join '/') per region), limits POST $PostPerMinute/min and GET $GetPerMinute/min, " +
        "latency $LatencyMs ms, snapshots take $FleetSnapshotSeconds s; one Invoke-AutoSnapshotPolicy run, wall time of the run alone") $rows
    Write-BenchNote (@(
            "Lower bounds (per region: POST = createImage per server = $($bound.Posts), GET >= 2 per server + 1 /limits = $($bound.Gets)):",
            "  paced bound = max((POST - 1) x 60 s / $PostPerMinute + snapshot $FleetSnapshotSeconds s, (GET - 1) x 60 s / $GetPerMinute) = $($bound.Paced) s",
            "    (calls needed / allowed rate, the issue's bound: requests spread evenly over each minute, the last createImage then waits for its snapshot)",
            "  burst bound = max(floor((POST - 1) / $PostPerMinute) x 60 s + snapshot, floor((GET - 1) / $GetPerMinute) x 60 s) = $($bound.Burst) s",
            "    (LocalCloud's limiter is a sliding 60 s window, so up to $PostPerMinute POSTs may go at once; a client that spaces its calls evenly cannot reach it)",
            "  Target: within 15% of the paced bound; no 413 after the first minute (minute 0 starts with the policy run).") -join "`n")
    $Results.items['fleet'] = [ordered]@{
        servers = $FleetServers; regions = $FleetRegions; perRegion = $perRegion; snapshotSeconds = $FleetSnapshotSeconds
        limits = $limits; boundPacedSeconds = $bound.Paced; boundBurstSeconds = $bound.Burst
        boundFormula = 'paced = max((POST-1)*60/POSTlimit + snapshot, (GET-1)*60/GETlimit); burst = max(floor((POST-1)/POSTlimit)*60 + snapshot, floor((GET-1)/GETlimit)*60); POST = servers in the busiest region, GET = 2*servers+1'
        runs = $items
    }
}

function Measure-Scale {
    $rows = @()
    $points = [ordered]@{}
    foreach ($size in $ScaleServers) {
        $runs = @(for ($i = 0; $i -lt $ScaleRuns; $i++) {
                Invoke-FleetRun -Servers $size -Regions @('DFW') -SnapshotSeconds $ScaleSnapshotSeconds -RateLimits @{} -ThrottleLimit $ScaleThrottleLimit
            })
        $seconds = Get-Summary @($runs | ForEach-Object Seconds) 2
        $peak = Get-Summary @($runs | ForEach-Object PeakMB) 1
        $growth = Get-Summary @($runs | ForEach-Object { $_.PeakMB - $_.BaselineMB }) 1
        $points["$size"] = [ordered]@{ seconds = $seconds; peakMB = $peak; peakOverBaselineMB = $growth; calls = Get-Summary @($runs | ForEach-Object Calls) 0; failedJobs = @($runs | ForEach-Object Failed) }
        $rows += [pscustomobject][ordered]@{
            Servers            = $size
            'wall s'           = Format-Summary $seconds '0.0'
            'ms per server'    = ($seconds.Median * 1000 / $size).ToString('0', [cultureinfo]::InvariantCulture)
            'peak working set MB' = Format-Summary $peak '0'
            'peak - baseline MB'  = Format-Summary $growth '0'
            calls              = Format-Summary $points["$size"].calls '0'
            'failed jobs'      = ($runs | ForEach-Object Failed) -join '/'
        }
    }
    Write-BenchTable ("4b. One region, limits lifted: $($ScaleServers -join ', ') servers, -ThrottleLimit $ScaleThrottleLimit, latency $LatencyMs ms, " +
        "snapshots take $ScaleSnapshotSeconds s; medians of $ScaleRuns runs (min-max); baseline = working set after import and connect") $rows
    $small = $ScaleServers[0]; $large = $ScaleServers[-1]
    $growthReport = [ordered]@{}
    if ($large -gt $small) {
        $x = [math]::Log($large / $small)
        $timeSlope = [math]::Log($points["$large"].seconds.Median / $points["$small"].seconds.Median) / $x
        $memorySlope = [math]::Log($points["$large"].peakMB.Median / $points["$small"].peakMB.Median) / $x
        $extraSmall = [math]::Max(1, $points["$small"].peakOverBaselineMB.Median)
        $extraSlope = [math]::Log([math]::Max(1, $points["$large"].peakOverBaselineMB.Median) / $extraSmall) / $x
        $growthReport = [ordered]@{ timeExponent = [math]::Round($timeSlope, 2); peakExponent = [math]::Round($memorySlope, 2); peakOverBaselineExponent = [math]::Round($extraSlope, 2) }
        Write-BenchNote (("Growth from $small to $large servers as an exponent k in cost ~ servers^k (k <= 1: no faster than linear): " +
                "wall time k = {0:0.00}, peak working set k = {1:0.00}, peak over baseline k = {2:0.00}. Verdict: time {3}, memory {4}.") -f
            $timeSlope, $memorySlope, $extraSlope, $(if ($timeSlope -le 1.05) { 'linear or better' } else { 'FASTER THAN LINEAR' }),
            $(if ($extraSlope -le 1.05) { 'linear or better' } else { 'FASTER THAN LINEAR' }))
        if ($timeSlope -gt 1.05) { Add-Miss ("Scale: wall time grows as servers^{0:0.00} from $small to $large servers ({1} s to {2} s)." -f $timeSlope, $points["$small"].seconds.Median, $points["$large"].seconds.Median) }
        if ($extraSlope -gt 1.05) { Add-Miss ("Scale: working set over baseline grows as servers^{0:0.00} from $small to $large servers ({1} MB to {2} MB)." -f $extraSlope, $points["$small"].peakOverBaselineMB.Median, $points["$large"].peakOverBaselineMB.Median) }
    }
    $Results.items['scale'] = [ordered]@{ region = 'DFW'; throttleLimit = $ScaleThrottleLimit; snapshotSeconds = $ScaleSnapshotSeconds; runs = $ScaleRuns; points = $points; growth = $growthReport }
}

# ---------------------------------------------------------------------------------------------------------------
# 5. Listing
# ---------------------------------------------------------------------------------------------------------------
function Initialize-ListingCloud {
    Initialize-Cloud @{ snapshotSeconds = 0 }
    $servers = @(New-LocalCloudServer -Count $ListingServers -NamePrefix 'list-' -Region DFW)
    $from = (Get-LocalCloudClock).AddDays(-1000)
    $oursEach = [math]::Floor($ListingOurs / $ListingServers)
    $manualEach = [math]::Floor(($ListingImages - $ListingOurs) / 2 / $ListingServers)
    foreach ($server in $servers) {
        $null = New-LocalCloudImage -Count $oursEach -Region DFW -Server $server.id -NamePrefix "$($server.name)-daily-" `
            -Properties @{ autosnap_schedule = 'daily'; autosnap_server = $server.id } -CreatedFrom $from -CreatedStep ([timespan]::FromDays(1))
        # manual snapshots of the same servers: image_type=snapshot and instance_uuid, no Autosnap metadata
        $null = New-LocalCloudImage -Count $manualEach -Region DFW -Server $server.id -NamePrefix "$($server.name)-manual-" `
            -CreatedFrom $from -CreatedStep ([timespan]::FromHours(12))
    }
    $others = $ListingImages - $oursEach * $ListingServers - $manualEach * $ListingServers
    $null = New-LocalCloudImage -Count $others -Region DFW -NamePrefix 'uploaded-' -CreatedFrom $from -CreatedStep ([timespan]::FromHours(1))
    [pscustomobject]@{ Servers = $servers; Ours = $oursEach * $ListingServers; Manual = $manualEach * $ListingServers; Others = $others }
}

function Measure-Listing {
    $listing = Initialize-ListingCloud
    $state = Get-LocalCloudState
    $total = $state.regions.DFW.images
    $scopes = @(
        [pscustomobject]@{ Scope = 'Account'; Command = 'Get-AutoSnapshot' }
        [pscustomobject]@{ Scope = 'Schedule'; Command = 'Get-AutoSnapshot -Schedule daily' }
        [pscustomobject]@{ Scope = 'Server'; Command = 'Get-AutoSnapshot -Server <id>' }
    )
    $rows = @()
    $items = [ordered]@{}
    foreach ($scope in $scopes) {
        $runs = @(for ($i = 0; $i -lt $ListingRuns; $i++) {
                Reset-LocalCloudStats | Out-Null
                $run = Invoke-BenchPwsh -File (Join-Path $PSScriptRoot 'Invoke-ListingRun.ps1') -ArgumentList @('-ModulePath', $ModulePath,
                    '-CloudUrl', $script:Cloud.Url, '-Scope', $scope.Scope, '-ServerId', $listing.Servers[0].id)
                $result = Get-BenchResult $run 'Invoke-ListingRun.ps1'
                $requests = @(Get-LocalCloudRequests | Where-Object { $_.route -in @('GET /v2/images', 'GET /images/detail') })
                [pscustomobject]@{ Result = $result; Requests = $requests }
            })
        $seconds = Get-Summary @($runs | ForEach-Object { $_.Result.seconds })
        $first = Get-Summary @($runs | ForEach-Object { $_.Result.firstSeconds })
        $peak = Get-Summary @($runs | ForEach-Object { $_.Result.peakBytes / 1MB }) 1
        $extra = Get-Summary @($runs | ForEach-Object { ($_.Result.peakBytes - $_.Result.baselineBytes) / 1MB }) 1
        $queries = @($runs[0].Requests | ForEach-Object { Get-Query $_.target } | Select-Object -Unique)
        # Streamed: the first object reached the pipeline before the last page had come back. LocalCloud's log
        # starts when the child resets the stats, a moment before its stopwatch starts, so the two clocks agree.
        $streamedRuns = @($runs | Where-Object {
                $_.Requests.Count -le 1 -or $null -eq $_.Result.firstSeconds -or
                $_.Result.firstSeconds -lt ($_.Requests[-1].atSecond + $_.Requests[-1].ms / 1000) })
        $streamed = $streamedRuns.Count -eq $runs.Count
        $rows += [pscustomobject][ordered]@{
            Command             = $scope.Command
            objects             = $runs[0].Result.objects
            requests            = $runs[0].Requests.Count
            'first object s'    = Format-Summary $first '0.00'
            'all s'             = Format-Summary $seconds '0.00'
            'peak MB'           = Format-Summary $peak '0'
            'peak - baseline MB' = Format-Summary $extra '0'
            streamed            = if ($runs[0].Requests.Count -le 1) { 'one page' } elseif ($streamed) { 'yes' } else { 'NO' }
            'query sent (marker left out)' = $queries -join ' | '
        }
        $unfiltered = @($runs[0].Requests | Where-Object { Test-UnfilteredList $_ })
        $items[$scope.Scope] = [ordered]@{
            command = $scope.Command; objects = $runs[0].Result.objects; requests = $runs[0].Requests.Count; queries = $queries
            firstObjectSeconds = $first; seconds = $seconds; peakMB = $peak; peakOverBaselineMB = $extra; unfilteredRequests = $unfiltered.Count
            streams = $streamed; lastPageAnsweredAtSeconds = @($runs | ForEach-Object { if ($_.Requests.Count) { [math]::Round($_.Requests[-1].atSecond + $_.Requests[-1].ms / 1000, 3) } })
        }
        if ($unfiltered.Count) { Add-Miss "Listing ($($scope.Command)): requests without a server-side filter: $(@($unfiltered | ForEach-Object target) -join '; ')" }
        if (-not $streamed) {
            Add-Miss "Listing ($($scope.Command)): the first object came after $($first.Median) s, when the last of $($runs[0].Requests.Count) pages had already come back: not streamed page by page."
        }
    }
    Write-BenchTable ("5. Listing: $total images in DFW ($($listing.Ours) Autosnap's over $ListingServers servers, $($listing.Manual) manual snapshots of those servers, " +
        "$($listing.Others) other images, 6 public base images), page size 1,000, latency $LatencyMs ms; medians of $ListingRuns runs (min-max)") $rows
    Write-BenchNote ("Queries are LocalCloud's request log (GET /__admin/requests). Streamed = the first object reached the pipeline before the last page " +
        "came back (LocalCloud's log times); the objects are counted and dropped, so a streaming listing holds about a page in memory.")
    $Results.items['listing'] = [ordered]@{ images = $total; ours = $listing.Ours; manualSnapshots = $listing.Manual; others = $listing.Others; pageSize = 1000; runs = $ListingRuns; scopes = $items }
}

# ---------------------------------------------------------------------------------------------------------------
Write-Host ("Autosnap benchmark{0}" -f $(if ($Smoke) { ' (smoke: tiny sizes, one run each; figures mean nothing)' } else { '' }))
Write-BenchMachine $Machine
$watch = [Diagnostics.Stopwatch]::StartNew()

if ('ColdStart' -in $Only) { Invoke-Safely 'coldStart' { Measure-ColdStart } }

$needsCloud = @($Only | Where-Object { $_ -ne 'ColdStart' }).Count -gt 0
$script:Cloud = $null
try {
    if ($needsCloud) { $script:Cloud = Start-LocalCloud -Config @{ seed = $Seed } }
    if ('Job' -in $Only -or 'OpenStack' -in $Only) {
        Invoke-Safely 'job' {
            $skip = $null
            $client = Find-OpenStack
            if ('OpenStack' -notin $Only) { $skip = 'not asked for (-Only)' }
            elseif (-not $client) { $skip = "the openstack command is not installed$(if ($OpenStack) { " at $OpenStack" }) (apt-get install python3-openstackclient)" }
            else { Write-Host "openstack CLI: $client ($((& $client --version 2>&1) -join ' '))" }
            $autosnap = Measure-AutosnapJob $JobSnapshotSeconds
            $openstack = if (-not $skip) { Measure-OpenStackJob $client $JobSnapshotSeconds }
            Write-JobTables $autosnap $openstack $skip
            if (@($JobExtraSnapshotSeconds).Count) {
                $variants = foreach ($seconds in $JobExtraSnapshotSeconds) {
                    [pscustomobject]@{
                        SnapshotSeconds = $seconds
                        Autosnap = Measure-AutosnapJob $seconds
                        OpenStack = if (-not $skip) { Measure-OpenStackJob $client $seconds }
                    }
                }
                Write-JobVariants @($variants)
            }
        }
    }
    if ('VolumeJob' -in $Only) { Invoke-Safely 'volumeJob' { Write-VolumeJobTables @(Measure-VolumeJob $JobSnapshotSeconds) } }
    if ('Fleet' -in $Only) { Invoke-Safely 'fleet' { Measure-Fleet } }
    if ('Scale' -in $Only) { Invoke-Safely 'scale' { Measure-Scale } }
    if ('Listing' -in $Only) { Invoke-Safely 'listing' { Measure-Listing } }
}
finally {
    if ($script:Cloud) { Stop-LocalCloud $script:Cloud }
}

$Results.machine | Add-Member -NotePropertyName LoadAverageAtEnd -NotePropertyValue (Get-LoadAverage) -Force
$Results['seconds'] = [math]::Round($watch.Elapsed.TotalSeconds, 1)
Write-Host ''
Write-Host "Targets missed ($($Misses.Count)):"
if ($Misses.Count -eq 0) { Write-Host '  none' }
foreach ($miss in $Misses) { Write-Host "  - $miss" }
Write-Host ("Benchmark done in {0:0} s; load average at the end {1}." -f $watch.Elapsed.TotalSeconds, (Get-LoadAverage))

$directory = Split-Path $OutFile -Parent
if ($directory) { $null = New-Item -ItemType Directory -Force $directory }
$Results | ConvertTo-Json -Depth 12 | Set-Content -Encoding utf8 $OutFile
Write-Host "Results: $OutFile"
exit 0
