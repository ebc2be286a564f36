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
