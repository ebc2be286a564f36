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
