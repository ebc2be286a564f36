# Shared by the integration suites: dot-source it in BeforeAll. Plain HTTP against the running tier (up.sh),
# independent of the module under test, so a suite can set up and check state from outside the module.
#
# $env:AUTOSNAP_OSRIG_STATE is the tier's state directory (default /var/lib/autosnap-osrig); its rig.json
# names the endpoints, the users and the test servers.

$script:OsRigState = if ($env:AUTOSNAP_OSRIG_STATE) { $env:AUTOSNAP_OSRIG_STATE } else { '/var/lib/autosnap-osrig' }

function Get-OsRig {
    $path = Join-Path $script:OsRigState 'rig.json'
    if (-not (Test-Path $path)) { throw "No ${path}: the OpenStack tier is not up (tests/Integration/OpenStack/up.sh)" }
    Get-Content -Raw $path | ConvertFrom-Json
}

# One HTTP call; never throws on an HTTP status. Returns Status, Headers (case-insensitive, first value of
# each), Content (string) and Json (parsed, or $null).
function Invoke-OsRigApi {
    param(
        [Parameter(Mandatory)] [string] $Method,
        [Parameter(Mandatory)] [string] $Uri,
        [string] $Token,
        [object] $Body,
        [string] $ContentType = 'application/json',
        [hashtable] $Headers = @{}
    )
    $h = @{} + $Headers
    if ($Token) { $h['X-Auth-Token'] = $Token }
    $params = @{ Method = $Method; Uri = $Uri; Headers = $h; SkipHttpErrorCheck = $true; UseBasicParsing = $true }
    if ($null -ne $Body) {
        $params.Body = if ($Body -is [string]) { $Body } else { ConvertTo-Json -InputObject $Body -Depth 20 -Compress }
        $params.ContentType = $ContentType
    }
    $response = Invoke-WebRequest @params
    # not "$headers": PowerShell names are case-insensitive, and the [hashtable] parameter $Headers would turn the
    # dictionary into a case-sensitive Hashtable
    $answerHeaders = [System.Collections.Generic.Dictionary[string, string]]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($key in $response.Headers.Keys) { $answerHeaders[$key] = @($response.Headers[$key])[0] }
    $content = if ($response.Content -is [byte[]]) { [Text.Encoding]::UTF8.GetString($response.Content) } else { [string]$response.Content }
    $json = $null
    if ($content -and $answerHeaders['Content-Type'] -like 'application/json*') { $json = $content | ConvertFrom-Json -Depth 50 }
    [pscustomobject]@{ Status = [int]$response.StatusCode; Headers = $answerHeaders; Content = $content; Json = $json }
}

# Keystone v3 password auth, project-scoped by names. Returns Token, Body (the token object) and Response.
function New-OsRigToken {
    param([string] $User = 'demo', [string] $Project = $User, [string] $Password)
    $rig = Get-OsRig
    if (-not $Password) { $Password = $rig.demo.password }
    $body = @{ auth = @{
            identity = @{ methods = @('password'); password = @{ user = @{ name = $User; domain = @{ name = $rig.userDomain }; password = $Password } } }
            scope    = @{ project = @{ name = $Project; domain = @{ name = $rig.projectDomain } } } } }
    $r = Invoke-OsRigApi -Method POST -Uri "$($rig.authUrl)/auth/tokens" -Body $body
    [pscustomobject]@{ Token = $r.Headers['X-Subject-Token']; Body = $r.Json.token; Response = $r }
}

# Polls Glance until the image reaches one of the statuses (or disappears, if -AllowGone); returns every
# status seen, in order, the last one being the final one. Throws after the timeout.
function Wait-OsRigImage {
    param(
        [Parameter(Mandatory)] [string] $ImageId,
        [Parameter(Mandatory)] [string] $Token,
        [string[]] $Status = @('active'),
        [int] $TimeoutSeconds = 90
    )
    $rig = Get-OsRig
    $seen = [System.Collections.Generic.List[string]]::new()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $r = Invoke-OsRigApi -Method GET -Uri "$($rig.imageUrl)/v2/images/$ImageId" -Token $Token
        $now = if ($r.Status -eq 404) { '(gone)' } else { $r.Json.status }
        if ($seen.Count -eq 0 -or $seen[-1] -ne $now) { $seen.Add($now) }
        if ($now -in $Status) { return , $seen.ToArray() }
        Start-Sleep -Milliseconds 250
    }
    throw "image $ImageId still '$($seen[-1])' after $TimeoutSeconds s (seen: $($seen -join ' -> '))"
}

# Waits until the server has no task_state (a snapshot in flight keeps one).
function Wait-OsRigServerIdle {
    param([Parameter(Mandatory)] [string] $ServerId, [Parameter(Mandatory)] [string] $Token, [int] $TimeoutSeconds = 90)
    $rig = Get-OsRig
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $server = (Invoke-OsRigApi -Method GET -Uri "$($rig.computeUrl)/servers/$ServerId" -Token $Token).Json.server
        if ($null -eq $server.'OS-EXT-STS:task_state') { return $server }
        Start-Sleep -Milliseconds 250
    }
    throw "server $ServerId still busy after $TimeoutSeconds s"
}

# The compute driver's control files (see lib/autosnap_fake.py): 'hold' keeps new snapshots queued before
# their upload, 'fail' makes them fail like a broken hypervisor.
function Set-OsRigSnapshotControl {
    param([Parameter(Mandatory)] [ValidateSet('hold', 'fail')] [string] $Name, [Parameter(Mandatory)] [bool] $On)
    $path = Join-Path (Get-OsRig).controlDir $Name
    if ($On) { $null = New-Item -ItemType File -Force $path } else { Remove-Item -Force -ErrorAction SilentlyContinue $path }
}

# --- Cinder (block storage v3; rig.json volumeUrl is the demo project's endpoint) -------------------------------

# The volume fixtures up.sh boots: -Kind 'volume-backed' (boots from its root volume) or
# 'image-backed-with-data-volume' (an ordinary server with one data volume attached). Id, Name, Kind, Volumes[].
function Get-OsRigVolumeServer {
    param([Parameter(Mandatory)] [ValidateSet('volume-backed', 'image-backed-with-data-volume')] [string] $Kind)
    $server = @((Get-OsRig).volumeServers | Where-Object kind -EQ $Kind)
    if ($server.Count -ne 1) { throw "rig.json has no '$Kind' volume server: the tier predates Cinder (down.sh --wipe; up.sh)" }
    $server[0]
}

# Every Cinder snapshot of the demo project (detail), all pages.
function Get-OsRigVolumeSnapshot {
    param([Parameter(Mandatory)] [string] $Token, [string] $Query = '')
    $rig = Get-OsRig
    $uri = "$($rig.volumeUrl)/snapshots/detail$(if ($Query) { "?$Query" })"
    while ($uri) {
        $r = Invoke-OsRigApi -Method GET -Uri $uri -Token $Token
        if ($r.Status -ne 200) { throw "GET $uri -> $($r.Status) $($r.Content)" }
        $r.Json.snapshots
        $next = @($r.Json.PSObject.Properties['snapshots_links'] | ForEach-Object { $_.Value } | Where-Object rel -EQ next)
        $uri = if ($next) { $next[0].href } else { $null }
    }
}

# The Cinder snapshot ids an image's block_device_mapping names (a JSON string in Glance v2; none for an ordinary image).
function Get-OsRigImageVolumeSnapshotId {
    param([Parameter(Mandatory)] [object] $Image)
    $bdm = $Image.PSObject.Properties['block_device_mapping']
    if (-not $bdm) { return }
    @($bdm.Value | ConvertFrom-Json) | Where-Object snapshot_id | ForEach-Object snapshot_id
}

# Polls a Cinder snapshot until one of the statuses, '(gone)' counting as one; returns every status seen.
function Wait-OsRigVolumeSnapshot {
    param(
        [Parameter(Mandatory)] [string] $SnapshotId,
        [Parameter(Mandatory)] [string] $Token,
        [string[]] $Status = @('available'),
        [int] $TimeoutSeconds = 60
    )
    $rig = Get-OsRig
    $seen = [System.Collections.Generic.List[string]]::new()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $r = Invoke-OsRigApi -Method GET -Uri "$($rig.volumeUrl)/snapshots/$SnapshotId" -Token $Token
        $now = if ($r.Status -eq 404) { '(gone)' } else { $r.Json.snapshot.status }
        if ($seen.Count -eq 0 -or $seen[-1] -ne $now) { $seen.Add($now) }
        if ($now -in $Status) { return , $seen.ToArray() }
        Start-Sleep -Milliseconds 200
    }
    throw "volume snapshot $SnapshotId still '$($seen[-1])' after $TimeoutSeconds s (seen: $($seen -join ' -> '))"
}

# Deletes Cinder snapshots and waits until they are gone (an image's parts, a test's leftovers).
function Remove-OsRigVolumeSnapshot {
    param([Parameter(Mandatory)] [string[]] $SnapshotId, [Parameter(Mandatory)] [string] $Token)
    $rig = Get-OsRig
    foreach ($id in $SnapshotId) {
        # a snapshot still creating cannot be deleted (400); wait for it first
        $null = Wait-OsRigVolumeSnapshot -SnapshotId $id -Token $Token -Status available, error, '(gone)'
        $null = Invoke-OsRigApi -Method DELETE -Uri "$($rig.volumeUrl)/snapshots/$id" -Token $Token
    }
    foreach ($id in $SnapshotId) { $null = Wait-OsRigVolumeSnapshot -SnapshotId $id -Token $Token -Status '(gone)', error_deleting }
}

# The demo project's Cinder quota (admin). -Reset goes back to the defaults (10 snapshots, 1000 GB).
function Set-OsRigVolumeQuota {
    param([hashtable] $Quota, [switch] $Reset)
    $rig = Get-OsRig
    $admin = New-OsRigToken -User admin -Password $rig.admin.password
    $root = $rig.volumeUrl -replace '/v3/.*$', ''
    $uri = "$root/v3/$($admin.Body.project.id)/os-quota-sets/$($rig.demo.projectId)"
    $r = if ($Reset) { Invoke-OsRigApi -Method DELETE -Uri $uri -Token $admin.Token }
         else { Invoke-OsRigApi -Method PUT -Uri $uri -Token $admin.Token -Body @{ quota_set = $Quota } }
    if ($r.Status -ne 200) { throw "Cinder quota $(if ($Reset) { 'reset' } else { ConvertTo-Json -Compress $Quota }) -> $($r.Status) $($r.Content)" }
}

# Cinder's absolute limits for demo (maxTotalSnapshots, totalSnapshotsUsed, maxTotalVolumeGigabytes, ...).
function Get-OsRigVolumeLimit {
    param([Parameter(Mandatory)] [string] $Token)
    (Invoke-OsRigApi -Method GET -Uri "$((Get-OsRig).volumeUrl)/limits" -Token $Token).Json.limits.absolute
}

# --- the tier's sqlite (Nova and Cinder sometimes fail a write with "database is locked"; see ModuleHelpers.ps1) --------

# The current length of each Nova and Cinder log: a mark to look for "database is locked" after.
function Get-TierLogMark {
    $logs = (Get-OsRig).logs
    $mark = @{}
    foreach ($name in 'nova-api', 'nova-conductor', 'nova-compute', 'cinder-api', 'cinder-volume') {
        $file = Join-Path $logs "$name.log"
        $mark[$file] = if (Test-Path $file) { (Get-Item $file).Length } else { 0 }
    }
    $mark
}

function Test-TierDatabaseLocked {
    param([Parameter(Mandatory)] [hashtable] $Mark)
    foreach ($file in $Mark.Keys) {
        if (-not (Test-Path $file)) { continue }
        $stream = [IO.File]::Open($file, 'Open', 'Read', 'ReadWrite')
        try {
            $null = $stream.Seek([math]::Min($Mark[$file], $stream.Length), 'Begin')
            $text = [IO.StreamReader]::new($stream).ReadToEnd()
        }
        finally { $stream.Dispose() }
        if ($text -match 'database is locked') { return $true }
    }
    $false
}

# --- servers (restores: boot, wait, delete) -----------------------------------------------------------------------------

# GET /servers/{id} at 2.93 (tags, volumes' delete_on_termination); $null when it is gone (404).
function Get-OsRigServer {
    param([Parameter(Mandatory)] [string] $ServerId, [Parameter(Mandatory)] [string] $Token, [string] $Microversion = '2.93')
    $r = Invoke-OsRigApi -Method GET -Uri "$((Get-OsRig).computeUrl)/servers/$ServerId" -Token $Token `
        -Headers @{ 'OpenStack-API-Version' = "compute $Microversion" }
    if ($r.Status -eq 404) { return $null }
    if ($r.Status -ne 200) { throw "GET server $ServerId -> $($r.Status) $($r.Content)" }
    $r.Json.server
}

# POST /servers as the token's user; $Server is the "server" object. Returns the response (Status, Json, ...).
function New-OsRigServer {
    param([Parameter(Mandatory)] [hashtable] $Server, [Parameter(Mandatory)] [string] $Token, [string] $Microversion = '2.37')
    Invoke-OsRigApi -Method POST -Uri "$((Get-OsRig).computeUrl)/servers" -Token $Token `
        -Headers @{ 'OpenStack-API-Version' = "compute $Microversion" } -Body @{ server = $Server }
}

# Polls a server until it settles (ACTIVE, ERROR or SHUTOFF with no task_state) or is gone; returns every
# "<status>/<task_state>" seen, in order ('(gone)' for a 404), the last one being the final one.
function Wait-OsRigServer {
    param([Parameter(Mandatory)] [string] $ServerId, [Parameter(Mandatory)] [string] $Token, [int] $TimeoutSeconds = 150)
    $seen = [System.Collections.Generic.List[string]]::new()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $server = Get-OsRigServer -ServerId $ServerId -Token $Token
        $now = if ($null -eq $server) { '(gone)' } else { "$($server.status)/$(if ($server.'OS-EXT-STS:task_state') { $server.'OS-EXT-STS:task_state' } else { 'null' })" }
        if ($seen.Count -eq 0 -or $seen[-1] -ne $now) { $seen.Add($now) }
        if ($now -in '(gone)', 'ACTIVE/null', 'ERROR/null', 'SHUTOFF/null') { return , $seen.ToArray() }
        Start-Sleep -Milliseconds 250
    }
    throw "server $ServerId not settled after $TimeoutSeconds s (seen: $($seen -join ' -> '))"
}

# Boots a server and waits until it settles. A boot that ends in ERROR while Nova or Cinder logged "database is
# locked" is deleted and made once more, with a note on the host (the tier's sqlite, not the subject of a test).
# Returns Response (of the last POST), Id, Seen (Wait-OsRigServer's list) and Server (the settled server).
function New-OsRigActiveServer {
    param([Parameter(Mandatory)] [hashtable] $Server, [Parameter(Mandatory)] [string] $Token, [string] $Microversion = '2.37')
    for ($attempt = 1; ; $attempt++) {
        $mark = Get-TierLogMark
        $response = New-OsRigServer -Server $Server -Token $Token -Microversion $Microversion
        if ($response.Status -ne 202) { throw "POST /servers ($($Server.name)) -> $($response.Status) $($response.Content)" }
        $id = $response.Json.server.id
        $seen = Wait-OsRigServer -ServerId $id -Token $Token
        $settled = Get-OsRigServer -ServerId $id -Token $Token
        if ($attempt -lt 2 -and $seen[-1] -eq 'ERROR/null' -and (Test-TierDatabaseLocked -Mark $mark)) {
            Write-Host "    (the tier's sqlite failed the boot of $($Server.name): $($settled.fault.message); booting it again)"
            Remove-OsRigServer -ServerId $id -Token $Token
            continue
        }
        return [pscustomobject]@{ Response = $response; Id = $id; Seen = $seen; Server = $settled }
    }
}

# Deletes servers and waits until each is gone (404). A 500 (sqlite) is tried again.
function Remove-OsRigServer {
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $ServerId, [Parameter(Mandatory)] [string] $Token)
    $rig = Get-OsRig
    foreach ($id in $ServerId) {
        for ($attempt = 1; $attempt -le 3; $attempt++) {
            $r = Invoke-OsRigApi -Method DELETE -Uri "$($rig.computeUrl)/servers/$id" -Token $Token
            if ($r.Status -in 204, 404) { break }
            Start-Sleep -Seconds 1
        }
    }
    foreach ($id in $ServerId) { $null = Wait-OsRigServer -ServerId $id -Token $Token -TimeoutSeconds 120 }
}

# Polls a server's task_state and its snapshot's Glance status, one after the other as fast as the tier answers
# (~150-300 ms a pair here), until the server has no task_state and the image is active or gone. Returns each change
# as TaskState ('null' for none), ImageStatus ('(gone)' for a 404) and Seconds since the call. Phases shorter than a
# poll (image_snapshot_pending, image_snapshot: ~0.1-0.5 s here) may be missed.
function Watch-OsRigSnapshot {
    param(
        [Parameter(Mandatory)] [string] $ServerId,
        [Parameter(Mandatory)] [string] $ImageId,
        [Parameter(Mandatory)] [string] $Token,
        [int] $TimeoutSeconds = 90
    )
    $rig = Get-OsRig
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $seen = [System.Collections.Generic.List[object]]::new()
    while ($clock.Elapsed.TotalSeconds -lt $TimeoutSeconds) {
        $server = Get-OsRigServer -ServerId $ServerId -Token $Token
        $task = if ($server.'OS-EXT-STS:task_state') { $server.'OS-EXT-STS:task_state' } else { 'null' }
        $r = Invoke-OsRigApi -Method GET -Uri "$($rig.imageUrl)/v2/images/$ImageId" -Token $Token
        $image = if ($r.Status -eq 404) { '(gone)' } else { $r.Json.status }
        if ($seen.Count -eq 0 -or $seen[-1].TaskState -ne $task -or $seen[-1].ImageStatus -ne $image) {
            $seen.Add([pscustomobject]@{ TaskState = $task; ImageStatus = $image; Seconds = [math]::Round($clock.Elapsed.TotalSeconds, 2) })
        }
        if ($task -eq 'null' -and $image -in 'active', '(gone)') { return , $seen.ToArray() }
    }
    throw "snapshot $ImageId of $ServerId not done after $TimeoutSeconds s (seen: $(($seen | ForEach-Object { "$($_.TaskState)/$($_.ImageStatus)" }) -join ' -> '))"
}
