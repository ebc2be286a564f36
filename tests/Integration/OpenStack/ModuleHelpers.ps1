# Shared by the module suites (Module, Outage, Script): dot-source it in BeforeAll after Common.ps1. Dot-sourcing
# also starts the suite (the end of this file): the module imported, $Rig, $Token, $Marker, $DemoEnv, and the cloud
# variables cleared from the environment ($SavedEnv, for the suite's AfterAll to restore).
# The module is driven through its cmdlets only; plain HTTP (Common.ps1) is used to make what the module must
# not make (foreign images, application credentials) and to check state independently of the module.
#
# Every image a suite makes carries its run marker in its name ("<server>-<marker>-<schedule>-<timestamp>" for
# the module's, "<marker>-manual..." for plain ones), so Remove-TestImages finds them all, even after a failure.

$script:ModuleManifest = Join-Path $(if ($env:AUTOSNAP_MODULE_PATH) { $env:AUTOSNAP_MODULE_PATH } else {
        Join-Path $PSScriptRoot '../../../out/Autosnap' | Resolve-Path }) 'Autosnap.psd1'

# A short marker unique to this run of a suite; pools are named "<marker>-<what>" so runs never share one.
function New-RunMarker { 'it' + [guid]::NewGuid().ToString('N').Substring(0, 6) }

# The OS_* variables of the tier's env file (demo or admin), as a hashtable.
function Get-OsRigEnvironment {
    param([ValidateSet('demo', 'admin')] [string] $User = 'demo')
    $file = Join-Path $script:OsRigState $(if ($User -eq 'demo') { 'env' } else { 'env.admin' })
    $values = @{}
    foreach ($line in Get-Content $file) {
        if ($line -match '^export (OS_\w+)="?([^"]*)"?$') { $values[$Matches[1]] = $Matches[2] }
    }
    $values
}

# Sets process environment variables (a value of $null removes one) and returns what was there before, for
# Restore-Environment. Child processes (autosnap.ps1) inherit them.
function Set-TestEnvironment {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Values)
    $before = @{}
    foreach ($name in @($Values.Keys)) {
        $before[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $Values[$name])
    }
    $before
}

function Restore-Environment {
    param([Parameter(Mandatory)] [hashtable] $Before)
    foreach ($name in @($Before.Keys)) { [Environment]::SetEnvironmentVariable($name, $Before[$name]) }
}

# Every OS_* and RACKSPACE_* variable removed: a connection test sees only what it sets itself.
function Clear-CloudEnvironment {
    $names = @(Get-ChildItem env: | Where-Object { $_.Name -like 'OS_*' -or $_.Name -like 'RACKSPACE_*' } | ForEach-Object Name)
    $values = @{}
    foreach ($name in $names) { $values[$name] = $null }
    Set-TestEnvironment $values
}

function ConvertTo-TestSecureString([string] $Text) { ConvertTo-SecureString -String $Text -AsPlainText -Force }

# The image as Glance has it (plain HTTP), or $null when Glance answers 404.
function Get-GlanceImage {
    param([Parameter(Mandatory)] [string] $Id, [Parameter(Mandatory)] [string] $Token)
    $r = Invoke-OsRigApi -Method GET -Uri "$((Get-OsRig).imageUrl)/v2/images/$Id" -Token $Token
    if ($r.Status -eq 404) { return $null }
    if ($r.Status -ne 200) { throw "Glance GET image $Id answered $($r.Status): $($r.Content)" }
    $r.Json
}

# Images matching Glance filters (equality), all pages, plain HTTP; to the pipeline, one by one.
function Get-GlanceImages {
    param([Parameter(Mandatory)] [hashtable] $Filter, [Parameter(Mandatory)] [string] $Token)
    $rig = Get-OsRig
    $query = ($Filter.Keys | Sort-Object | ForEach-Object { "$([uri]::EscapeDataString($_))=$([uri]::EscapeDataString($Filter[$_]))" }) -join '&'
    $uri = "$($rig.imageUrl)/v2/images?$query&limit=100"
    while ($uri) {
        $r = Invoke-OsRigApi -Method GET -Uri $uri -Token $Token
        if ($r.Status -ne 200) { throw "Glance list ($query) answered $($r.Status): $($r.Content)" }
        foreach ($image in @($r.Json.images)) { if ($image) { $image } }
        $uri = if ($r.Json.PSObject.Properties['next'] -and @($r.Json.images).Count -gt 0) { "$($rig.imageUrl)$($r.Json.next)" }
    }
}

# A snapshot made the way a person or another tool would: Nova createImage without Autosnap's metadata.
# Waits until it is active and the server is idle again; returns the image id.
function New-ForeignSnapshot {
    param([Parameter(Mandatory)] [string] $ServerId, [Parameter(Mandatory)] [string] $Name,
          [Parameter(Mandatory)] [string] $Token, [hashtable] $Metadata = @{})
    $rig = Get-OsRig
    for ($attempt = 1; ; $attempt++) {
        Wait-ServerSettled -ServerId $ServerId -Token $Token
        $r = Invoke-OsRigApi -Method POST -Uri "$($rig.computeUrl)/servers/$ServerId/action" -Token $Token `
            -Headers @{ 'OpenStack-API-Version' = 'compute 2.45' } -Body @{ createImage = @{ name = $Name; metadata = $Metadata } }
        $seen = $null
        if ($r.Status -eq 202) {
            try { $seen = Wait-OsRigImage -ImageId $r.Json.image_id -Token $Token -Status active, killed, '(gone)' -TimeoutSeconds 45 }
            catch { $seen = @('stuck') }
        }
        if ($seen -and $seen[-1] -eq 'active') { break }
        # a fixture: the tier's sqlite sometimes fails a snapshot (see Wait-ServerSettled); make it again
        $orphans = @(Get-GlanceImages -Filter @{ instance_uuid = $ServerId } -Token $Token | Where-Object name -EQ $Name)
        foreach ($orphan in $orphans) { $null = Invoke-OsRigApi -Method DELETE -Uri "$($rig.imageUrl)/v2/images/$($orphan.id)" -Token $Token }
        if ($attempt -ge 3) { throw "three manual snapshots of $ServerId failed in a row (last: $($r.Status) $($seen -join ' -> '))" }
        Write-Host "    (fixture: the tier failed a manual snapshot of $ServerId ($($r.Status) $($seen -join ' -> ')); making another)"
    }
    Wait-ServerSettled -ServerId $ServerId -Token $Token
    $r.Json.image_id
}

# Deletes (plain HTTP) every image of the demo project whose name contains the marker; returns how many.
function Remove-TestImages {
    param([Parameter(Mandatory)] [string] $Marker, [Parameter(Mandatory)] [string] $Token)
    $rig = Get-OsRig
    $count = 0
    foreach ($image in (Get-GlanceImages -Filter @{ owner = $rig.demo.projectId } -Token $Token)) {
        if ($image.name -like "*$Marker*") {
            if ($image.protected) {
                $null = Invoke-OsRigApi -Method PATCH -Uri "$($rig.imageUrl)/v2/images/$($image.id)" -Token $Token `
                    -ContentType 'application/openstack-images-v2.1-json-patch' -Body '[{"op":"replace","path":"/protected","value":false}]'
            }
            $r = Invoke-OsRigApi -Method DELETE -Uri "$($rig.imageUrl)/v2/images/$($image.id)" -Token $Token
            if ($r.Status -in 204, 404) { $count++ }
        }
    }
    $count
}

# Waits until the server has no task_state, then one second more: Nova's conductor still writes the previous
# snapshot's instance action for a moment, and the tier's sqlite answers two writers at once with "database is
# locked" (README, API record; the createImage or the snapshot then fails).
function Wait-ServerSettled {
    param([Parameter(Mandatory)] [string] $ServerId, [Parameter(Mandatory)] [string] $Token)
    Wait-OsRigServerIdle -ServerId $ServerId -Token $Token | Out-Null
    Start-Sleep -Seconds 1
}

# Good snapshots made through the module, Count per (server, schedule), newest first per pool. Pools on different
# servers are made side by side (a server takes one snapshot at a time).
# These are fixtures, not the subject of a test: a snapshot the tier fails (sqlite "database is locked" in Nova) is
# deleted and made again, at most twice, with a note on the host. A fixture snapshot that takes longer than 45 s
# counts as failed (a createImage that died with a 500 after Glance made the image leaves it queued for ever).
function New-TestPools {
    param(
        [Parameter(Mandatory)] [object[]] $Pools,      # @{ Server = <RackspaceServer>; Schedule = 'name' }
        [int] $Count = 3,
        [Parameter(Mandatory)] [string] $Token,
        [object] $Session
    )
    $extra = if ($Session) { @{ Session = $Session } } else { @{} }
    $made = @{}
    foreach ($pool in $Pools) { $made["$($pool.Server.Id)/$($pool.Schedule)"] = [System.Collections.Generic.List[object]]::new() }
    for ($i = 0; $i -lt $Count; $i++) {
        $round = foreach ($pool in $Pools) {
            Wait-ServerSettled -ServerId $pool.Server.Id -Token $Token
            $snapshot = $null
            try { $snapshot = New-AutoSnapshot -Server $pool.Server -Schedule $pool.Schedule -ErrorAction Stop @extra }
            catch { Write-Host "    (fixture: the tier refused a snapshot of $($pool.Server.Name): $($_.Exception.Message); trying again)" }
            [pscustomobject]@{ Pool = $pool; Snapshot = $snapshot }
        }
        foreach ($entry in $round) {
            $pool = $entry.Pool
            $snapshot = $entry.Snapshot
            for ($attempt = 1; ; $attempt++) {
                $done = $null
                if ($snapshot) {
                    $done = Wait-AutoSnapshot -InputObject $snapshot -Timeout ([timespan]::FromSeconds(45)) -ErrorAction SilentlyContinue
                    if ($done -and $done.State -eq 'Good') { break }
                    $null = Invoke-OsRigApi -Method DELETE -Uri "$((Get-OsRig).imageUrl)/v2/images/$($snapshot.Id)" -Token $Token
                }
                if ($attempt -ge 3) { throw "fixture: three snapshots of $($pool.Server.Name) failed in a row; the tier is not well (see its logs)" }
                Write-Host "    (fixture: the tier failed snapshot $($snapshot.Id) of $($pool.Server.Name) ($($done.Status)); making another)"
                Wait-ServerSettled -ServerId $pool.Server.Id -Token $Token
                $snapshot = $null
                try { $snapshot = New-AutoSnapshot -Server $pool.Server -Schedule $pool.Schedule -ErrorAction Stop @extra } catch { }
            }
            $made["$($pool.Server.Id)/$($pool.Schedule)"].Insert(0, $done)
        }
    }
    foreach ($pool in $Pools) { Wait-ServerSettled -ServerId $pool.Server.Id -Token $Token }
    $made
}

# ---- the tier's sqlite ------------------------------------------------------------------------------------------
# Nova on sqlite sometimes fails a write with "database is locked" (its services write a heartbeat every 10 s). When
# that hits a createImage, Nova answers 500 after Glance already made the image, or the snapshot fails on the compute
# side: about 1 createImage in 30 here. A step of a test that makes a snapshot runs through Invoke-SnapshotStep: when
# it fails and Nova's own logs show that error during the step, the step is cleaned up and run once more, with a note
# on the host. Nothing is retried on the module's account: without that log line the failure stands. Cinder (also
# sqlite) answers such a write with 500, which Nova passes on as a 500 of createImage; its logs count too.

# Get-TierLogMark and Test-TierDatabaseLocked: Common.ps1

# Runs $Action; when it throws or $Succeeded says no, and Nova logged "database is locked" meanwhile, deletes the
# images of $Schedule that are not in $Keep and runs $Action once more. Returns what $Action returned last.
function Invoke-SnapshotStep {
    param(
        [Parameter(Mandatory)] [string] $What,
        [Parameter(Mandatory)] [scriptblock] $Action,
        [scriptblock] $Succeeded = { $true },
        [Parameter(Mandatory)] [string] $Schedule,
        [string[]] $Keep = @(),
        [Parameter(Mandatory)] [string] $ServerId,
        [Parameter(Mandatory)] [string] $Token
    )
    for ($attempt = 1; ; $attempt++) {
        $mark = Get-TierLogMark
        $failure = $null
        $result = $null
        try { $result = & $Action } catch { $failure = $_ }
        $ok = -not $failure -and (& $Succeeded $result)
        if ($ok -or $attempt -ge 2 -or -not (Test-TierDatabaseLocked $mark)) {
            if ($failure) { throw $failure }
            return $result
        }
        Write-Host "    (the tier failed $What`: Nova logged 'database is locked' (sqlite); cleaned up, running it once more)"
        Wait-OsRigServerIdle -ServerId $ServerId -Token $Token | Out-Null
        foreach ($image in @(Get-GlanceImages -Filter @{ autosnap_schedule = $Schedule } -Token $Token)) {
            if ($image.id -notin $Keep) { $null = Invoke-OsRigApi -Method DELETE -Uri "$((Get-OsRig).imageUrl)/v2/images/$($image.id)" -Token $Token }
        }
        Wait-ServerSettled -ServerId $ServerId -Token $Token
    }
}

# ---- the recording proxy (lib/compute_proxy.py) --------------------------------------------------------------

# Starts a proxy in front of Keystone and Nova; connect through its IdentityUrl to send the module's compute calls
# through it. Options: -MaxMicroversion 2.44 (a Nova without 2.45), -IdleTaskState (task_state hidden on GET).
function Start-ComputeProxy {
    param([string] $MaxMicroversion, [switch] $IdleTaskState)
    $record = Join-Path ([IO.Path]::GetTempPath()) ("autosnap-proxy-{0}.jsonl" -f [guid]::NewGuid().ToString('N'))
    $arguments = @((Join-Path $PSScriptRoot 'lib/compute_proxy.py'), $record)
    if ($MaxMicroversion) { $arguments += @('--max-microversion', $MaxMicroversion) }
    if ($IdleTaskState) { $arguments += '--idle-task-state' }
    $info = [Diagnostics.ProcessStartInfo]::new('/usr/bin/python3')
    foreach ($a in $arguments) { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $process = [Diagnostics.Process]::Start($info)
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait(15000) -or $read.Result -notmatch '^identity (\S+) compute (\S+)$') {
        if (-not $process.HasExited) { $process.Kill() }
        throw "compute_proxy.py did not start: '$($read.Result)'"
    }
    [pscustomobject]@{ Process = $process; IdentityUrl = [uri]$Matches[1]; ComputeUrl = $Matches[2]; RecordPath = $record }
}

function Stop-ComputeProxy {
    param([Parameter(Mandatory)] [object] $Proxy)
    if (-not $Proxy.Process.HasExited) {
        $Proxy.Process.StandardInput.Close()   # the proxy ends when its stdin closes
        if (-not $Proxy.Process.WaitForExit(5000)) { $Proxy.Process.Kill() }
    }
    Remove-Item $Proxy.RecordPath -ErrorAction SilentlyContinue
}

# What went through the proxy's compute side so far: one object per exchange, in order.
function Get-ProxyRecord {
    param([Parameter(Mandatory)] [object] $Proxy)
    if (Test-Path $Proxy.RecordPath) { Get-Content $Proxy.RecordPath | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json } }
}

# ---- a fresh pwsh for autosnap.ps1 --------------------------------------------------------------------------

function Get-PwshCommand {
    $exe = (Get-Process -Id $PID).Path
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { return @($exe, (Join-Path $PSHOME 'pwsh.dll')) }
    @($exe)
}

# Runs out/Autosnap/scripts/autosnap.ps1 in a fresh `pwsh -NoProfile -NonInteractive -File` with the current process
# environment; returns ExitCode, Stdout and Stderr (arrays of lines).
function Invoke-AutosnapScript {
    param([string[]] $ArgumentList = @())
    $script = Join-Path (Split-Path $script:ModuleManifest -Parent) 'scripts/autosnap.ps1'
    $pwsh = @(Get-PwshCommand)
    $info = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script) + $ArgumentList) {
        $info.ArgumentList.Add($a)
    }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [Diagnostics.Process]::Start($info)
    $stderr = $process.StandardError.ReadToEndAsync()
    $stdout = $process.StandardOutput.ReadToEnd()
    if (-not $process.WaitForExit(300000)) { $process.Kill(); throw 'autosnap.ps1 ran longer than 5 minutes' }
    [pscustomobject]@{
        ExitCode = $process.ExitCode
        Stdout   = @($stdout -split "`r?`n" | Where-Object { $_ })
        Stderr   = @($stderr.Result -split "`r?`n" | Where-Object { $_ })
    }
}

# Every module suite starts the same way: the module, the tier, a demo-user token for plain HTTP checks, a run marker,
# the tier's demo environment, and no cloud variables of the caller's (saved here, restored in the suite's AfterAll).
Import-Module $script:ModuleManifest -Force
$script:Rig = Get-OsRig
$script:Token = (New-OsRigToken).Token
$script:Marker = New-RunMarker
$script:DemoEnv = Get-OsRigEnvironment
$script:SavedEnv = Clear-CloudEnvironment
