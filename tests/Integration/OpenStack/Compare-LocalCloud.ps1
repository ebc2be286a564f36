<#
.SYNOPSIS
    Asks the tier's real Keystone, Nova and Glance and a fresh LocalCloud the same questions, the ones Autosnap relies
    on, and prints both answers side by side: the evidence behind DIFFERENCES.md.

.DESCRIPTION
    Needs the running tier (up.sh) and a built LocalCloud (build.ps1: out/LocalCloud). Starts LocalCloud on a free
    loopback port (stopped at the end), authenticates as demo on both, and runs each probe against both clouds.
    On the tier it snapshots the LAST test server (like capture-api.sh), uses control/fail once, and deletes every
    image and application credential it makes. Not a test: it asserts nothing and prints a Markdown table.

.EXAMPLE
    dotnet pwsh tests/Integration/OpenStack/Compare-LocalCloud.ps1 -LocalCloudPath out/LocalCloud
#>
[CmdletBinding()]
param([string] $LocalCloudPath = (Join-Path $PSScriptRoot '../../../out/LocalCloud'))
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Common.ps1')
$rig = Get-OsRig

# ---- LocalCloud -------------------------------------------------------------------------------------------------
$dll = Join-Path (Resolve-Path $LocalCloudPath) 'Autosnap.LocalCloud.dll'
$info = [Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($a in @($dll, '--urls', 'http://127.0.0.1:0')) { $info.ArgumentList.Add($a) }
$info.UseShellExecute = $false
$info.RedirectStandardOutput = $true
$localCloud = [Diagnostics.Process]::Start($info)
$line = $localCloud.StandardOutput.ReadLine()
if ($line -notmatch 'listening on (http://127\.0\.0\.1:\d+)') { throw "LocalCloud did not start: $line" }
$lcBase = $Matches[1]

function Connect-Cloud([string] $Name, [string] $AuthUrl, [string] $Password, [string] $Region) {
    $body = @{ auth = @{ identity = @{ methods = @('password'); password = @{ user = @{ name = 'demo'; domain = @{ name = 'Default' }; password = $Password } } }
            scope = @{ project = @{ name = 'demo'; domain = @{ name = 'Default' } } } } }
    $r = Invoke-OsRigApi -Method POST -Uri "$AuthUrl/auth/tokens" -Body $body
    $token = $r.Json.token
    $url = { param($type) @(@($token.catalog | Where-Object type -EQ $type)[0].endpoints | Where-Object { $_.interface -eq 'public' -and $_.region_id -eq $Region })[0].url.TrimEnd('/') }
    [pscustomobject]@{
        Name = $Name; AuthUrl = $AuthUrl; Password = $Password; Region = $Region; Auth = $r; Token = $r.Headers['X-Subject-Token']
        UserId = $token.user.id; ComputeUrl = (& $url 'compute'); ImageUrl = (& $url 'image'); IdentityCatalogUrl = (& $url 'identity')
        ServerId = $null
    }
}

$real = Connect-Cloud 'real' $rig.authUrl $rig.demo.password $rig.region
$real.ServerId = $rig.servers[-1].id
$lc = Connect-Cloud 'LocalCloud' "$lcBase/v3" 'demo-password' 'DFW'
$lc.ServerId = (Invoke-OsRigApi -Method GET -Uri "$($lc.ComputeUrl)/servers?name=^web01$" -Token $lc.Token).Json.servers[0].id
$null = Invoke-OsRigApi -Method POST -Uri "$lcBase/__admin/config" -Body @{ snapshotSeconds = 4 }
$clouds = @($real, $lc)
$made = @{ real = [System.Collections.Generic.List[string]]::new(); LocalCloud = [System.Collections.Generic.List[string]]::new() }

function Short([string] $Text, [int] $Max = 220) {
    $t = ($Text -replace '\s+', ' ').Trim()
    if ($t.Length -gt $Max) { $t.Substring(0, $Max) + '…' } else { $t }
}
function Mask([string] $Text) { $Text -replace '(gAAAA|AAB)[A-Za-z0-9_=-]{6,}', '$1…' -replace '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>' -replace '\b[0-9a-f]{32}\b', '<hex32>' }
function Answer($r, [switch] $Body, [string[]] $Headers = @()) {
    $parts = @("$($r.Status)")
    foreach ($h in $Headers) { if ($r.Headers.ContainsKey($h)) { $parts += "$h`: $($r.Headers[$h])" } else { $parts += "no $h" } }
    if ($Body) { $parts += (Short $r.Content) }
    Mask ($parts -join '; ')
}
function Idle($c) {
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        $s = (Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/servers/$($c.ServerId)" -Token $c.Token).Json.server
        if ($null -eq $s.'OS-EXT-STS:task_state') { Start-Sleep 1; return }
        Start-Sleep -Milliseconds 200
    }
    throw "$($c.Name): server still busy"
}
function Snap($c, [string] $Version, [hashtable] $Metadata = @{ autosnap_schedule = 'compare' }) {
    Idle $c
    $h = if ($Version) { @{ 'OpenStack-API-Version' = "compute $Version" } } else { @{} }
    $r = Invoke-OsRigApi -Method POST -Uri "$($c.ComputeUrl)/servers/$($c.ServerId)/action" -Token $c.Token -Headers $h `
        -Body @{ createImage = @{ name = "compare-$([guid]::NewGuid().ToString('N').Substring(0,6))"; metadata = $Metadata } }
    $id = if ($r.Json -and $r.Json.image_id) { $r.Json.image_id } elseif ($r.Headers['Location']) { ($r.Headers['Location'] -split '/')[-1] }
    if ($id) { $made[$c.Name].Add($id) }
    [pscustomobject]@{ Response = $r; Id = $id }
}
function WaitActive($c, [string] $Id) {
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        $r = Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images/$Id" -Token $c.Token
        if ($r.Status -ne 200 -or $r.Json.status -in 'active', 'killed') { return $r }
        Start-Sleep -Milliseconds 200
    }
}

$rows = [System.Collections.Generic.List[object]]::new()
function Probe([string] $What, [scriptblock] $Ask) {
    $row = [ordered]@{ Probe = $What }
    foreach ($c in $clouds) {
        try { $row[$c.Name] = "$(& $Ask $c)" } catch { $row[$c.Name] = "(probe failed: $(Short $_.Exception.Message 120))" }
    }
    $rows.Add([pscustomobject]$row)
    Write-Host "$What`n  real:       $($row.real)`n  LocalCloud: $($row.LocalCloud)"
}

try {
    # ---- Keystone --------------------------------------------------------------------------------------------
    Probe 'POST /v3/auth/tokens (password, project scope)' { param($c) Answer $c.Auth -Headers 'Content-Type' }
    Probe 'token lifetime (expires_at - issued_at) and expires_at form' { param($c)
        $t = $c.Auth.Json.token
        $raw = [regex]::Match($c.Auth.Content, '"expires_at": ?"([^"]+)"').Groups[1].Value
        "$(([DateTimeOffset]::Parse($t.expires_at) - [DateTimeOffset]::Parse($t.issued_at)).TotalSeconds) s; $raw" }
    Probe 'catalog: identity / compute / image URLs, interfaces' { param($c)
        $i = @($c.Auth.Json.token.catalog | ForEach-Object { $_.endpoints.interface } | Sort-Object -Unique) -join ','
        "identity $($c.IdentityCatalogUrl)/ ; compute $($c.ComputeUrl) ; image $($c.ImageUrl) ; interfaces $i" -replace [regex]::Escape($lcBase), '{lc}' }
    Probe 'roles in a password token' { param($c) (@($c.Auth.Json.token.roles.name) | Sort-Object) -join ',' }
    Probe 'wrong password' { param($c)
        $b = @{ auth = @{ identity = @{ methods = @('password'); password = @{ user = @{ name = 'demo'; domain = @{ name = 'Default' }; password = 'wrong' } } } } }
        Answer (Invoke-OsRigApi -Method POST -Uri "$($c.AuthUrl)/auth/tokens" -Body $b) -Body -Headers 'WWW-Authenticate' }

    $creds = @{}
    Probe 'POST /v3/users/{id}/application_credentials: fields' { param($c)
        $r = Invoke-OsRigApi -Method POST -Uri "$($c.AuthUrl)/users/$($c.UserId)/application_credentials" -Token $c.Token `
            -Body @{ application_credential = @{ name = "compare-$([guid]::NewGuid().ToString('N').Substring(0,6))" } }
        $creds[$c.Name] = $r.Json.application_credential
        $a = $r.Json.application_credential
        "$($r.Status); keys $((@($a.PSObject.Properties.Name) | Sort-Object) -join ','); roles $(@($a.roles.name) -join ','); unrestricted $($a.unrestricted); secret $($a.secret.Length) chars; id $($a.id.Length) chars" }
    Probe 'application credential auth (no scope)' { param($c)
        $a = $creds[$c.Name]
        $r = Invoke-OsRigApi -Method POST -Uri "$($c.AuthUrl)/auth/tokens" -Body @{ auth = @{ identity = @{ methods = @('application_credential'); application_credential = @{ id = $a.id; secret = $a.secret } } } }
        "$($r.Status); methods $($r.Json.token.methods -join ','); project $($r.Json.token.project.name); application_credential keys $((@($r.Json.token.application_credential.PSObject.Properties.Name) | Sort-Object) -join ','); catalog $(@($r.Json.token.catalog).Count) services" }
    Probe 'application credential, wrong secret' { param($c)
        $a = $creds[$c.Name]
        Answer (Invoke-OsRigApi -Method POST -Uri "$($c.AuthUrl)/auth/tokens" -Body @{ auth = @{ identity = @{ methods = @('application_credential'); application_credential = @{ id = $a.id; secret = 'wrong' } } } }) -Body }
    Probe 'application credential, unknown id' { param($c)
        Answer (Invoke-OsRigApi -Method POST -Uri "$($c.AuthUrl)/auth/tokens" -Body @{ auth = @{ identity = @{ methods = @('application_credential'); application_credential = @{ id = [guid]::NewGuid().ToString('N'); secret = 'x' } } } }) -Body }
    Probe 'application credential with a scope' { param($c)
        $a = $creds[$c.Name]
        Answer (Invoke-OsRigApi -Method POST -Uri "$($c.AuthUrl)/auth/tokens" -Body @{ auth = @{ identity = @{ methods = @('application_credential'); application_credential = @{ id = $a.id; secret = $a.secret } }; scope = @{ project = @{ name = 'demo'; domain = @{ name = 'Default' } } } } }) -Body }
    Probe 'DELETE application credential, then again' { param($c)
        $u = "$($c.AuthUrl)/users/$($c.UserId)/application_credentials/$($creds[$c.Name].id)"
        "$((Invoke-OsRigApi -Method DELETE -Uri $u -Token $c.Token).Status) then $(Answer (Invoke-OsRigApi -Method DELETE -Uri $u -Token $c.Token) -Body)" }

    # ---- Nova ------------------------------------------------------------------------------------------------
    Probe 'GET /servers/{id}: fields the module reads and a few others' { param($c)
        $s = (Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/servers/$($c.ServerId)" -Token $c.Token).Json.server
        "task_state present: $($s.PSObject.Properties.Name -contains 'OS-EXT-STS:task_state') ($($s.'OS-EXT-STS:task_state')); status $($s.status); progress $($s.progress); diskConfig $($s.'OS-DCF:diskConfig'); created $($s.created); launched_at $($s.'OS-SRV-USG:launched_at'); addresses $(@($s.addresses.PSObject.Properties.Name) -join ',')" }
    Probe 'GET /servers/{unknown}' { param($c) Answer (Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/servers/$([guid]::NewGuid())" -Token $c.Token) -Body }
    Probe 'no token on compute' { param($c) Answer (Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/servers") -Body -Headers 'WWW-Authenticate' }
    Probe 'request id headers on compute' { param($c) Answer (Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/servers/$($c.ServerId)" -Token $c.Token) -Headers 'X-Openstack-Request-Id', 'X-Compute-Request-Id', 'OpenStack-API-Version', 'Date' }
    Probe 'microversion 2.999 / two / latest' { param($c)
        $u = "$($c.ComputeUrl)/servers/$($c.ServerId)"
        "$(Answer (Invoke-OsRigApi -Method GET -Uri $u -Token $c.Token -Headers @{ 'OpenStack-API-Version' = 'compute 2.999' }) -Body) | $(Answer (Invoke-OsRigApi -Method GET -Uri $u -Token $c.Token -Headers @{ 'OpenStack-API-Version' = 'compute two' }) -Body) | latest: $((Invoke-OsRigApi -Method GET -Uri $u -Token $c.Token -Headers @{ 'OpenStack-API-Version' = 'compute latest' }).Headers['OpenStack-API-Version'])" }

    $snaps = @{}
    Probe 'createImage at 2.1; then task_state / Glance status+size / proxy status+progress+size, sampled every ~150 ms until idle and active' { param($c)
        $s = Snap $c $null; $snaps[$c.Name] = $s
        $id = $s.Id
        $seen = [System.Collections.Generic.List[string]]::new()
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ([DateTime]::UtcNow -lt $deadline) {
            $t = (Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/servers/$($c.ServerId)" -Token $c.Token).Json.server.'OS-EXT-STS:task_state'
            $g = Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images/$id" -Token $c.Token
            $p = (Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/images/$id" -Token $c.Token).Json.image
            $now = "$(if ($t) { $t } else { 'null' })/$($g.Json.status) size=$(if ($null -eq $g.Json.size) { 'null' } else { $g.Json.size })/$($p.status) $($p.progress)% $(if ($null -eq $p.'OS-EXT-IMG-SIZE:size') { 'null' } else { $p.'OS-EXT-IMG-SIZE:size' })"
            if ($seen.Count -eq 0 -or $seen[-1] -ne $now) { $seen.Add($now) }
            if (-not $t -and $g.Json.status -eq 'active') { break }
            Start-Sleep -Milliseconds 150
        }
        $loc = "$($s.Response.Headers['Location'])" -replace [regex]::Escape($c.ImageUrl), '{image endpoint}' -replace [regex]::Escape($lcBase), '{lc}'
        "$($s.Response.Status); Location: $(Mask $loc); Content-Type: '$($s.Response.Headers['Content-Type'])'; body '$($s.Response.Content)' || $($seen -join ' → ')" }
    Probe 'Glance image once active: formats, sizes, stores, created_at' { param($c)
        $i = (Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images/$($snaps[$c.Name].Id)" -Token $c.Token).Json
        "disk/container $($i.disk_format)/$($i.container_format); size $($i.size); virtual_size $(if ($null -eq $i.virtual_size) { 'null' } else { $i.virtual_size }); stores $(if ($i.PSObject.Properties['stores']) { $i.stores } else { '(absent)' }); created_at $($i.created_at); min_disk $($i.min_disk); boot_roles $($i.boot_roles); owner_user_name $($i.owner_user_name)" }
    Probe 'createImage at 2.45, and a second one while it runs' { param($c)
        $s = Snap $c '2.45'
        Start-Sleep -Milliseconds 300
        $again = Invoke-OsRigApi -Method POST -Uri "$($c.ComputeUrl)/servers/$($c.ServerId)/action" -Token $c.Token -Body @{ createImage = @{ name = 'compare-conflict' } }
        "$($s.Response.Status) $(if ($s.Response.Headers.ContainsKey('Location')) { 'with' } else { 'no' }) Location, $(Mask $s.Response.Content) | again: $(Answer $again -Body)" }
    Probe 'Glance image while queued: nulls and absent fields' { param($c)
        $s = Snap $c '2.45'
        $i = (Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images/$($s.Id)" -Token $c.Token).Json
        $nulls = @('size', 'virtual_size', 'checksum', 'disk_format', 'container_format', 'os_hash_value') | ForEach-Object { "$_=$(if (-not $i.PSObject.Properties[$_]) { '(absent)' } elseif ($null -eq $i.$_) { 'null' } else { $i.$_ })" }
        "$($i.status): $($nulls -join ' ')" }
    Probe 'image proxy at 2.36' { param($c) Answer (Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/images/$($snaps[$c.Name].Id)" -Token $c.Token -Headers @{ 'OpenStack-API-Version' = 'compute 2.36' }) -Body }
    Probe 'a snapshot the hypervisor fails' { param($c)
        if ($c.Name -eq 'real') { Set-OsRigSnapshotControl fail $true } else { $null = Invoke-OsRigApi -Method POST -Uri "$lcBase/__admin/config" -Body @{ snapshotFailRate = 1 } }
        try {
            $s = Snap $c '2.45'
            $seen = [System.Collections.Generic.List[string]]::new()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ([DateTime]::UtcNow -lt $deadline) {
                $g = Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images/$($s.Id)" -Token $c.Token
                $p = Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/images/$($s.Id)" -Token $c.Token
                $now = "glance $(if ($g.Status -eq 404) { '404' } else { $g.Json.status }) / proxy $(if ($p.Status -eq 404) { '404' } else { $p.Json.image.status })"
                if ($seen.Count -eq 0 -or $seen[-1] -ne $now) { $seen.Add($now) }
                if ($g.Status -eq 404 -or $g.Json.status -eq 'killed') { break }
                Start-Sleep -Milliseconds 200
            }
            $t = (Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/servers/$($c.ServerId)" -Token $c.Token).Json.server
            "$($seen -join ' → '); server $($t.status), task_state $($t.'OS-EXT-STS:task_state'), fault $(if ($t.PSObject.Properties['fault']) { 'present' } else { 'absent' })"
        }
        finally { if ($c.Name -eq 'real') { Set-OsRigSnapshotControl fail $false } else { $null = Invoke-OsRigApi -Method POST -Uri "$lcBase/__admin/config" -Body @{ snapshotFailRate = 0 } } }
    }
    Probe 'servers?name=<prefix> (regex, anywhere)' { param($c)
        $name = (Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/servers/$($c.ServerId)" -Token $c.Token).Json.server.name
        $part = $name.Substring(1, $name.Length - 2)
        "name=$part → $(@((Invoke-OsRigApi -Method GET -Uri "$($c.ComputeUrl)/servers?name=$part" -Token $c.Token).Json.servers.name) -join ',')" }

    # ---- Glance ----------------------------------------------------------------------------------------------
    Probe 'list by instance_uuid, limit = number of images: next link' { param($c)
        $n = @((Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images?instance_uuid=$($c.ServerId)" -Token $c.Token).Json.images).Count
        $r = Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images?instance_uuid=$($c.ServerId)&sort_key=created_at&sort_dir=desc&limit=$n" -Token $c.Token
        $next = if ($r.Json.PSObject.Properties['next']) { Mask $r.Json.next } else { '(no next)' }
        $then = if ($r.Json.PSObject.Properties['next']) { $r2 = (Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)$($r.Json.next -replace '^/v2', '/v2')" -Token $c.Token).Json; "then $(@($r2.images).Count) images, next $(if ($r2.PSObject.Properties['next']) { 'present' } else { 'absent' })" }
        "$n images; next $next; $then; first $(Mask $r.Json.first)" }
    Probe 'status=ACTIVE / status=bogus' { param($c)
        "$(Answer (Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images?status=ACTIVE" -Token $c.Token) -Body) | $(Answer (Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images?status=bogus" -Token $c.Token) -Body)" }
    Probe 'property filter: name case (autosnap_schedule vs AUTOSNAP_SCHEDULE)' { param($c)
        "$(@((Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images?autosnap_schedule=compare" -Token $c.Token).Json.images).Count) vs $(@((Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images?AUTOSNAP_SCHEDULE=compare" -Token $c.Token).Json.images).Count)" }
    Probe 'unknown marker' { param($c) Answer (Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images?marker=$([guid]::NewGuid())" -Token $c.Token) -Body }
    Probe 'sort_key with sort' { param($c) Answer (Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images?sort_key=name&sort=name:asc" -Token $c.Token) -Body }
    Probe 'PATCH add on an existing property; replace a missing one; application/json' { param($c)
        $u = "$($c.ImageUrl)/v2/images/$($snaps[$c.Name].Id)"
        $pt = 'application/openstack-images-v2.1-json-patch'
        $a = Invoke-OsRigApi -Method PATCH -Uri $u -Token $c.Token -ContentType $pt -Body '[{"op":"add","path":"/autosnap_schedule","value":"compare2"}]'
        $b = Invoke-OsRigApi -Method PATCH -Uri $u -Token $c.Token -ContentType $pt -Body '[{"op":"replace","path":"/no_such_key","value":"x"}]' -Headers @{ Accept = 'application/json' }
        $d = Invoke-OsRigApi -Method PATCH -Uri $u -Token $c.Token -Body '[{"op":"add","path":"/x","value":"y"}]' -Headers @{ Accept = 'application/json' }
        "add: $($a.Status) ($($a.Json.autosnap_schedule)) | replace missing: $(Answer $b -Body) | json: $(Answer $d -Body)" }
    Probe 'DELETE a protected image (Accept: application/json)' { param($c)
        $u = "$($c.ImageUrl)/v2/images/$($snaps[$c.Name].Id)"
        $null = Invoke-OsRigApi -Method PATCH -Uri $u -Token $c.Token -ContentType 'application/openstack-images-v2.1-json-patch' -Body '[{"op":"replace","path":"/protected","value":true}]'
        $r = Invoke-OsRigApi -Method DELETE -Uri $u -Token $c.Token -Headers @{ Accept = 'application/json' }
        $null = Invoke-OsRigApi -Method PATCH -Uri $u -Token $c.Token -ContentType 'application/openstack-images-v2.1-json-patch' -Body '[{"op":"replace","path":"/protected","value":false}]'
        Answer $r -Body -Headers 'Content-Type' }
    Probe 'DELETE, DELETE again (HTML, then JSON)' { param($c)
        $u = "$($c.ImageUrl)/v2/images/$($snaps[$c.Name].Id)"
        "$(Answer (Invoke-OsRigApi -Method DELETE -Uri $u -Token $c.Token) -Headers 'Content-Type') | $(Answer (Invoke-OsRigApi -Method DELETE -Uri $u -Token $c.Token) -Body -Headers 'Content-Type') | $(Answer (Invoke-OsRigApi -Method DELETE -Uri $u -Token $c.Token -Headers @{ Accept = 'application/json' }) -Body)" }
    Probe 'no token on Glance' { param($c) Answer (Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images" -Headers @{ Accept = 'application/json' }) -Body -Headers 'WWW-Authenticate' }
    Probe 'Date header (Glance)' { param($c) (Invoke-OsRigApi -Method GET -Uri "$($c.ImageUrl)/v2/images?limit=1" -Token $c.Token).Headers['Date'] }
}
finally {
    foreach ($c in $clouds) {
        foreach ($id in $made[$c.Name]) { $null = Invoke-OsRigApi -Method DELETE -Uri "$($c.ImageUrl)/v2/images/$id" -Token $c.Token }
    }
    Set-OsRigSnapshotControl fail $false
    if ($real.ServerId) { Wait-OsRigServerIdle -ServerId $real.ServerId -Token $real.Token | Out-Null }
    foreach ($id in $made['real']) { $null = Invoke-OsRigApi -Method DELETE -Uri "$($real.ImageUrl)/v2/images/$id" -Token $real.Token }
    if (-not $localCloud.HasExited) { $localCloud.Kill() }
}

''
'| probe | real (tier) | LocalCloud |'
'|---|---|---|'
foreach ($row in $rows) { "| $($row.Probe) | $($row.real -replace '\|', '/') | $($row.LocalCloud -replace '\|', '/') |" }
