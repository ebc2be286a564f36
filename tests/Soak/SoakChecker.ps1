# The soak's invariant checker. It never loads the module and never calls its planner: it reads the cloud through
# plain HTTP (Rackspace identity v2.0, Glance v2 and Cloud Block Storage v1 on LocalCloud), keeps its own ledger of
# every image and every Cinder snapshot it has ever seen, and computes what docs/retention.md says must be kept
# with its own few lines below.
#
#   $ledger = New-SoakLedger -CloudUrl $url -Region DFW -Policy @{ KeepDaily = 7; KeepWeekly = 4 }
#   Update-SoakLedger $ledger -Day 1          # before the first run: foreign images, existing pools
#   ... one policy run ...
#   $day = Test-SoakDay $ledger -Day 1 -RunStarted <cloud time> -ExitCode 1 -StdErr $text -LogRecords $records -Servers $servers
#   $day.Violations                            # strings; the soak's verdict is that none ever appear
#
# Ownership, as the contract defines it: an image is Autosnap's when its properties carry autosnap_schedule and
# autosnap_server; a pool is (autosnap_server, autosnap_schedule). A restore point is such an image and its parts:
# the Cinder snapshots its block_device_mapping names (volume-backed server) and those whose metadata says
# autosnap_image=<its id> (data volumes; autosnap_volumes=<n> on the image says how many). Good = the image active
# and every part available; failed = the image killed (Nova ERROR), or a part in error or missing; pending = the
# image queued, saving, uploading, importing, or a part still creating.
#
# Cinder snapshots: every snapshot that appears after Update-SoakLedger -Day 0 is Autosnap's doing (nothing else
# makes any). After each run each of them is a part of a restore point that is still there, or a leftover being
# cleaned: tagged (autosnap_server, autosnap_schedule) so the next rotation of its pool recognises it, or deleting.
# A leftover still there after a run in which its server's job succeeded, or an untagged one, has leaked.

function New-SoakLedger {
    param(
        [Parameter(Mandatory)] [string] $CloudUrl,
        [string] $Region = 'DFW',
        [Parameter(Mandatory)] [hashtable] $Policy,
        [string] $UserName = 'demo',
        [string] $ApiKey = 'demo-api-key'
    )
    [pscustomobject]@{
        CloudUrl   = $CloudUrl.TrimEnd('/')
        Region     = $Region
        Policy     = $Policy
        UserName   = $UserName
        ApiKey     = $ApiKey
        Images     = @{}    # id -> record of every Autosnap image ever seen
        Present    = @{}    # id -> $true for the Autosnap images present at the last look
        Foreign    = @{}    # id -> name of every other image present at the last look
        EverGood   = @{}    # pool key -> $true once the pool had a good image
        Tokens     = @{}    # autosnap_request -> list of image ids
        Created    = 0
        CreatedGood = 0
        CreatedFailed = 0
        Deleted    = 0
        VolumeSnapshots = @{}   # id -> record of every Cinder snapshot ever seen
        VolumePresent = @{}     # id -> $true for the Cinder snapshots present at the last look
        VolumeForeign = @{}     # id -> name of the Cinder snapshots present before the first run (never Autosnap's)
        BlockStorage = $false   # whether the region has block storage in the catalog
        VolumeCreated = 0
        VolumeDeleted = 0
        LeftoversFound = 0
        LeftoversCleaned = 0
        Leaked     = 0
        PartsLost  = 0
    }
}

function Invoke-SoakHttp {
    # The checker reads with faults switched off, but a loopback hiccup must not be mistaken for a violation.
    param([string] $Method = 'GET', [string] $Uri, [hashtable] $Headers = @{}, [string] $Body)
    for ($attempt = 1; ; $attempt++) {
        try {
            $request = @{ Method = $Method; Uri = $Uri; Headers = $Headers; TimeoutSec = 60 }
            if ($Body) { $request.Body = $Body; $request.ContentType = 'application/json' }
            return Invoke-RestMethod @request
        }
        catch {
            if ($attempt -ge 3) { throw }
            Start-Sleep -Milliseconds (200 * $attempt)
        }
    }
}

function Get-SoakAccess {
    <# .SYNOPSIS A token and the region's block storage endpoint (Rackspace v2.0 catalog: cloudBlockStorage), or $null. #>
    param([Parameter(Mandatory)] $Ledger)
    $auth = @{ auth = @{ 'RAX-KSKEY:apiKeyCredentials' = @{ username = $Ledger.UserName; apiKey = $Ledger.ApiKey } } } | ConvertTo-Json -Depth 5
    $access = (Invoke-SoakHttp -Method Post -Uri "$($Ledger.CloudUrl)/v2.0/tokens" -Body $auth).access
    $volume = $null
    foreach ($service in @($access.serviceCatalog | Where-Object type -EQ 'volume')) {
        $endpoint = @($service.endpoints | Where-Object { $_.region -eq $Ledger.Region }) | Select-Object -First 1
        if ($endpoint) { $volume = $endpoint.publicURL.TrimEnd('/') }
    }
    [pscustomobject]@{ Token = $access.token.id; VolumeUrl = $volume }
}

function Get-SoakCloudVolumeSnapshots {
    <# .SYNOPSIS Every Cinder snapshot of the region (GET /snapshots/detail, all pages by marker), with plain HTTP. #>
    param([Parameter(Mandatory)] $Ledger, [Parameter(Mandatory)] $Access)
    $all = [System.Collections.Generic.List[object]]::new()
    $marker = $null
    for ($pages = 1; ; $pages++) {
        if ($pages -gt 1000) { throw 'more than 1000 pages of volume snapshots: the listing does not end' }
        $uri = "$($Access.VolumeUrl)/snapshots/detail?limit=1000$(if ($marker) { "&marker=$marker" })"
        $page = @((Invoke-SoakHttp -Uri $uri -Headers @{ 'X-Auth-Token' = $Access.Token }).snapshots)
        foreach ($snapshot in $page) { $all.Add($snapshot) }
        if ($page.Count -lt 1000) { break }
        $marker = $page[-1].id
    }
    $all
}

function New-SoakForeignVolumeSnapshot {
    <# .SYNOPSIS A user's manual Cinder snapshot of a volume (by name), made before the first run: never Autosnap's to delete. #>
    param([Parameter(Mandatory)] $Ledger, [Parameter(Mandatory)] [string] $VolumeName)
    $access = Get-SoakAccess $Ledger
    if (-not $access.VolumeUrl) { throw "Region $($Ledger.Region) has no block storage in the catalog." }
    $headers = @{ 'X-Auth-Token' = $access.Token }
    $volume = @((Invoke-SoakHttp -Uri "$($access.VolumeUrl)/volumes/detail?limit=1000" -Headers $headers).volumes | Where-Object { $_.display_name -eq $VolumeName }) | Select-Object -First 1
    if (-not $volume) { throw "There is no volume named $VolumeName." }
    $body = @{ snapshot = @{ volume_id = $volume.id; force = $true; display_name = "manual backup of $VolumeName"; display_description = 'not Autosnap''s' } } | ConvertTo-Json -Depth 5
    (Invoke-SoakHttp -Method Post -Uri "$($access.VolumeUrl)/snapshots" -Headers $headers -Body $body).snapshot
}

function Get-SoakCloudImages {
    <# .SYNOPSIS Every image of the region the account can see, all pages, with plain HTTP. #>
    param([Parameter(Mandatory)] $Ledger, $Access)
    if (-not $Access) { $Access = Get-SoakAccess $Ledger }
    $token = $Access.Token
    $root = "$($Ledger.CloudUrl)/image/$($Ledger.Region.ToLowerInvariant())"
    $next = '/v2/images?limit=1000'
    $all = [System.Collections.Generic.List[object]]::new()
    $pages = 0
    while ($next) {
        $page = Invoke-SoakHttp -Uri "$root$next" -Headers @{ 'X-Auth-Token' = $token }
        foreach ($image in $page.images) { $all.Add($image) }
        $pages++
        if ($pages -gt 1000) { throw 'more than 1000 pages: the listing does not end' }
        $next = if ($page.PSObject.Properties['next'] -and $page.images.Count -gt 0) { $page.next } else { $null }
    }
    $all
}

function Get-SoakProperty($Image, [string] $Name) {
    $property = $Image.PSObject.Properties[$Name]
    if ($property) { [string]$property.Value } else { $null }
}

function Get-SoakState([string] $Status) {
    switch ($Status) {
        'active' { 'good' }
        { $_ -in 'killed', 'error' } { 'failed' }
        { $_ -in 'deleted', 'pending_delete' } { 'gone' }
        default { 'pending' }
    }
}

function Get-ContractKeep {
    <#
    .SYNOPSIS
        The ids the retention contract keeps among a pool's good images (each with Id and Created), written from
        docs/retention.md and nothing else.
    .DESCRIPTION
        Newest first by creation time, ties by id. -Retention N: the newest N+1. Bucket rules (KeepDaily, KeepWeekly
        with ISO-8601 weeks starting Monday, KeepMonthly, KeepYearly, all in UTC here): walking newest to oldest, each
        rule with count left keeps an image whose bucket differs from the last bucket that rule kept; when a rule has
        count left after the walk, the oldest good image is kept as well.
    #>
    param([object[]] $Good, [Parameter(Mandatory)] [hashtable] $Policy)
    $sorted = @($Good | Sort-Object -Property @{ Expression = { $_.Created }; Descending = $true }, @{ Expression = { $_.Id }; Descending = $false })
    $keep = @{}
    if ($sorted.Count -eq 0) { return $keep }
    if ($Policy.ContainsKey('Retention')) {
        foreach ($image in $sorted | Select-Object -First ($Policy.Retention + 1)) { $keep[$image.Id] = 'retention' }
        return $keep
    }
    $rules = [System.Collections.Generic.List[object]]::new()
    $bucketOf = @{
        KeepDaily   = { param($t) $t.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture) }
        KeepWeekly  = { param($t) '{0}-W{1:00}' -f [Globalization.ISOWeek]::GetYear($t), [Globalization.ISOWeek]::GetWeekOfYear($t) }
        KeepMonthly = { param($t) $t.ToString('yyyy-MM', [cultureinfo]::InvariantCulture) }
        KeepYearly  = { param($t) $t.ToString('yyyy', [cultureinfo]::InvariantCulture) }
    }
    foreach ($name in 'KeepDaily', 'KeepWeekly', 'KeepMonthly', 'KeepYearly') {
        if ($Policy.ContainsKey($name) -and $Policy[$name] -gt 0) {
            $rules.Add([pscustomobject]@{ Name = $name; Left = [int]$Policy[$name]; Last = $null; Bucket = $bucketOf[$name] })
        }
    }
    foreach ($image in $sorted) {
        $utc = $image.Created.UtcDateTime
        foreach ($rule in $rules) {
            if ($rule.Left -le 0) { continue }
            $bucket = & $rule.Bucket $utc
            if ($bucket -ne $rule.Last) {
                $keep[$image.Id] = $rule.Name
                $rule.Left--
                $rule.Last = $bucket
            }
        }
    }
    if (@($rules | Where-Object Left -GT 0).Count -gt 0) { $keep[$sorted[-1].Id] = 'oldest (a rule has count left)' }
    $keep
}

function Get-SoakParts($Image) {
    <# .SYNOPSIS The Cinder snapshot ids an image's block_device_mapping names (a JSON string, as Nova writes it). #>
    $mapping = Get-SoakProperty $Image 'block_device_mapping'
    if (-not $mapping) { return @() }
    @(($mapping | ConvertFrom-Json) | ForEach-Object { if ($_.PSObject.Properties['snapshot_id'] -and $_.snapshot_id) { [string]$_.snapshot_id } })
}

function Get-SoakPartState {
    <# .SYNOPSIS A restore point's state from its image's state and its parts (the Cinder snapshot records). #>
    param([string] $ImageState, [object[]] $Parts, [int] $Expected)
    if ($ImageState -ne 'good') { return $ImageState }
    if (@($Parts | Where-Object { $_.Status -in 'error', 'error_deleting' -or -not $_.Present }).Count -or $Parts.Count -lt $Expected) { return 'failed' }
    if (@($Parts | Where-Object Status -NE 'available').Count) { return 'pending' }
    'good'
}

function Update-SoakLedger {
    <#
    .SYNOPSIS
        Reads the cloud (images, then Cinder snapshots) and records what is there: used before the first run
        (-Day 0: every Cinder snapshot there is foreign) and by Test-SoakDay.
    #>
    param([Parameter(Mandatory)] $Ledger, [int] $Day = 0)
    $access = Get-SoakAccess $Ledger
    $Images = Get-SoakCloudImages $Ledger -Access $access
    $Ledger.BlockStorage = [bool]$access.VolumeUrl
    $snapshots = @(if ($access.VolumeUrl) { Get-SoakCloudVolumeSnapshots $Ledger -Access $access })
    $present = @{}
    $foreign = @{}
    $new = [System.Collections.Generic.List[object]]::new()
    foreach ($image in $Images) {
        $schedule = Get-SoakProperty $image 'autosnap_schedule'
        $server = Get-SoakProperty $image 'autosnap_server'
        if (-not $schedule -or -not $server) { $foreign[$image.id] = $image.name; continue }
        $present[$image.id] = $true
        $created = [DateTimeOffset]::Parse($image.created_at, [cultureinfo]::InvariantCulture)
        if (-not $Ledger.Images.ContainsKey($image.id)) {
            $volumes = Get-SoakProperty $image 'autosnap_volumes'
            $record = [pscustomobject]@{
                Id = $image.id; Name = $image.name; Pool = "$server/$schedule"; Server = $server; Schedule = $schedule
                Created = $created; Status = $image.status; ImageState = Get-SoakState $image.status; State = $null
                Token = Get-SoakProperty $image 'autosnap_request'; FirstSeenDay = $Day; GoneDay = $null
                # parts: the snapshots the image names, and (data volumes) how many tagged ones it expects
                Parts = [System.Collections.Generic.HashSet[string]]::new([string[]]@(Get-SoakParts $image))
                ExpectedTagged = if ($volumes) { [int]$volumes } else { 0 }
                GoodParts = $null   # the parts it had when it was first seen good
            }
            $Ledger.Images[$image.id] = $record
            $new.Add($record)
            if ($record.Token) {
                if (-not $Ledger.Tokens.ContainsKey($record.Token)) { $Ledger.Tokens[$record.Token] = [System.Collections.Generic.List[string]]::new() }
                $Ledger.Tokens[$record.Token].Add($image.id)
            }
        }
        else {
            $Ledger.Images[$image.id].Status = $image.status
            $Ledger.Images[$image.id].ImageState = Get-SoakState $image.status
        }
    }

    # Cinder snapshots: what is there, and whose part each is.
    $volumePresent = @{}
    $tagged = @{}   # image id -> tagged snapshot ids
    foreach ($snapshot in $snapshots) {
        $metadata = if ($snapshot.PSObject.Properties['metadata'] -and $snapshot.metadata) { $snapshot.metadata } else { [pscustomobject]@{} }
        $imageTag = Get-SoakProperty $metadata 'autosnap_image'
        $record = $Ledger.VolumeSnapshots[$snapshot.id]
        if (-not $record) {
            $record = [pscustomobject]@{
                Id = $snapshot.id; VolumeId = $snapshot.volume_id; Size = $snapshot.size; FirstSeenDay = $Day; GoneDay = $null
                Status = $null; Present = $true; ImageTag = $null; Tagged = $false; LeftoverSince = $null; Foreign = ($Day -eq 0); Leaked = $false
                Name = $(if ($snapshot.PSObject.Properties['display_name']) { $snapshot.display_name } else { $snapshot.name })
            }
            $Ledger.VolumeSnapshots[$snapshot.id] = $record
            if ($record.Foreign) { $Ledger.VolumeForeign[$snapshot.id] = $record.Name } else { $Ledger.VolumeCreated++ }
        }
        $record.Status = $snapshot.status
        $record.Present = $true
        $record.ImageTag = $imageTag
        $record.Tagged = [bool]((Get-SoakProperty $metadata 'autosnap_server') -and (Get-SoakProperty $metadata 'autosnap_schedule'))
        $volumePresent[$snapshot.id] = $true
        if ($imageTag) {
            if (-not $tagged.ContainsKey($imageTag)) { $tagged[$imageTag] = [System.Collections.Generic.List[string]]::new() }
            $tagged[$imageTag].Add($snapshot.id)
        }
    }
    foreach ($id in $Ledger.VolumePresent.Keys) {
        if (-not $volumePresent.ContainsKey($id)) { $Ledger.VolumeSnapshots[$id].Present = $false; $Ledger.VolumeSnapshots[$id].GoneDay = $Day }
    }
    $Ledger.VolumePresent = $volumePresent

    # Each present image's restore point: its parts (named by the image or tagged with its id) and its state.
    foreach ($id in $present.Keys) {
        $record = $Ledger.Images[$id]
        if ($tagged.ContainsKey($id)) { foreach ($part in $tagged[$id]) { $null = $record.Parts.Add($part) } }
        $parts = @(foreach ($part in $record.Parts) {
                if ($Ledger.VolumeSnapshots.ContainsKey($part)) { $Ledger.VolumeSnapshots[$part] }
                else { [pscustomobject]@{ Id = $part; Status = 'missing'; Present = $false } }
            })
        $taggedCount = if ($tagged.ContainsKey($id)) { $tagged[$id].Count } else { 0 }
        $expected = $record.Parts.Count
        if ($record.ExpectedTagged -gt $taggedCount) { $expected += $record.ExpectedTagged - $taggedCount }
        $record.State = Get-SoakPartState -ImageState $record.ImageState -Parts $parts -Expected $expected
        if ($record.State -eq 'good') {
            $Ledger.EverGood[$record.Pool] = $true
            if ($null -eq $record.GoodParts) { $record.GoodParts = @($record.Parts) }
        }
    }
    $Ledger.Present = $present
    $Ledger.Foreign = $foreign
    [pscustomobject]@{ Present = $present; Foreign = $foreign; New = $new }
}

function Test-SoakVolumes {
    <#
    .SYNOPSIS
        The Cinder snapshot invariants after a run (Update-SoakLedger has just read the cloud): no foreign snapshot
        deleted; no kept restore point lost a part; every snapshot Autosnap caused is a part of a restore point
        still there or a leftover being cleaned; no leftover survives a run in which its server's job succeeded.
    #>
    param([Parameter(Mandatory)] $Ledger, [Parameter(Mandatory)] [int] $Day, [hashtable] $Succeeded = @{},
        [System.Collections.Generic.List[string]] $Violations, [System.Collections.Generic.List[string]] $Notes)
    $counts = [ordered]@{ Created = 0; Deleted = 0; LeftoversFound = 0; LeftoversCleaned = 0; Leaked = 0; PartsLost = 0; Now = 0; Leftovers = 0 }
    $owner = @{}   # snapshot id -> the present image it is a part of
    foreach ($id in $Ledger.Present.Keys) { foreach ($part in $Ledger.Images[$id].Parts) { $owner[$part] = $Ledger.Images[$id] } }

    foreach ($record in $Ledger.VolumeSnapshots.Values) {
        if ($record.FirstSeenDay -eq $Day -and -not $record.Foreign) { $counts.Created++ }
        if (-not $record.Present) {
            if ($record.GoneDay -ne $Day) { continue }
            if ($record.Foreign) { $Violations.Add("Cinder snapshot $($record.Id) ($($record.Name)) was not Autosnap's and was deleted"); continue }
            $counts.Deleted++
            if ($null -ne $record.LeftoverSince) { $counts.LeftoversCleaned++ }
            continue
        }
        if ($record.Foreign) { continue }
        $counts.Now++
        if ($owner.ContainsKey($record.Id)) { $record.LeftoverSince = $null; continue }
        # not a part of any restore point that is still there: a leftover (a leak is counted once, on the day it is found)
        $counts.Leftovers++
        if ($record.Leaked) { continue }
        if ($null -eq $record.LeftoverSince) {
            $record.LeftoverSince = $Day
            $counts.LeftoversFound++
            if (-not $record.Tagged -and $record.Status -ne 'deleting') {
                $counts.Leaked++
                $record.Leaked = $true
                $Violations.Add("Cinder snapshot $($record.Id) ($($record.Name), $($record.Status)) belongs to no restore point and carries no Autosnap tag: nothing will ever clean it")
            }
            else { $Notes.Add("leftover Cinder snapshot $($record.Id) ($($record.Status), of $(if ($record.ImageTag) { "restore point $($record.ImageTag)" } else { 'no image' })) found") }
            continue
        }
        $server = $(if ($record.ImageTag -and $Ledger.Images.ContainsKey($record.ImageTag)) { $Ledger.Images[$record.ImageTag].Server })
        if (-not $server) {
            foreach ($image in $Ledger.Images.Values) { if ($image.Parts.Contains($record.Id)) { $server = $image.Server; break } }
        }
        if ($record.Status -eq 'deleting') { $Notes.Add("leftover Cinder snapshot $($record.Id) since day $($record.LeftoverSince) is being deleted"); continue }
        if (-not $server -or $Succeeded.ContainsKey($server)) {
            $counts.Leaked++
            $record.Leaked = $true
            $Violations.Add("Cinder snapshot $($record.Id) ($($record.Status)) has been a leftover since day $($record.LeftoverSince) and survived a run in which its server's job succeeded")
        }
        else { $Notes.Add("leftover Cinder snapshot $($record.Id) since day $($record.LeftoverSince) waits for a successful job of server $server") }
    }

    # No kept restore point lost a part: an image still there keeps every part it had when it was good.
    foreach ($id in $Ledger.Present.Keys) {
        $image = $Ledger.Images[$id]
        if ($null -eq $image.GoodParts) { continue }
        foreach ($part in $image.GoodParts) {
            $snapshot = $Ledger.VolumeSnapshots[$part]
            if (-not $snapshot -or -not $snapshot.Present -or $snapshot.Status -ne 'available') {
                $counts.PartsLost++
                $Violations.Add("restore point $id of pool $($image.Pool) lost its part $part ($(if ($snapshot -and $snapshot.Present) { $snapshot.Status } else { 'gone' }))")
            }
        }
    }
    $Ledger.VolumeDeleted += $counts.Deleted
    $Ledger.LeftoversFound += $counts.LeftoversFound
    $Ledger.LeftoversCleaned += $counts.LeftoversCleaned
    $Ledger.Leaked += $counts.Leaked
    $Ledger.PartsLost += $counts.PartsLost
    [pscustomobject]$counts
}

function Test-SoakDay {
    <#
    .SYNOPSIS
        After one policy run: reads the cloud, updates the ledger and returns the day's counts and violations
        (Volumes: the day's Cinder snapshot counts from Test-SoakVolumes).
    .PARAMETER Servers
        The run's servers (Id and Name).
    .PARAMETER LogRecords
        The JSON lines the run appended to its -LogPath file, parsed.
    #>
    param(
        [Parameter(Mandatory)] $Ledger,
        [Parameter(Mandatory)] [int] $Day,
        [Parameter(Mandatory)] [DateTimeOffset] $RunStarted,
        [Parameter(Mandatory)] [int] $ExitCode,
        [string] $StdOut = '',
        [string] $StdErr = '',
        [object[]] $LogRecords = @(),
        [Parameter(Mandatory)] [object[]] $Servers
    )
    $violations = [System.Collections.Generic.List[string]]::new()
    $notes = [System.Collections.Generic.List[string]]::new()
    $before = @{}
    foreach ($id in $Ledger.Present.Keys) { $before[$id] = $Ledger.Images[$id] }
    $foreignBefore = $Ledger.Foreign

    $seen = Update-SoakLedger $Ledger -Day $Day
    $new = @($seen.New | Where-Object { $_.Created -ge $RunStarted.AddSeconds(-1) })
    $stray = @($seen.New | Where-Object { $_.Created -lt $RunStarted.AddSeconds(-1) })
    foreach ($image in $stray) { $violations.Add("image $($image.Id) of pool $($image.Pool) appeared with a creation time before the run ($($image.Created))") }
    $gone = @($before.Keys | Where-Object { -not $seen.Present.ContainsKey($_) } | ForEach-Object { $before[$_] })
    foreach ($image in $gone) { $image.GoneDay = $Day }
    $Ledger.Created += $seen.New.Count
    $Ledger.CreatedGood += @($seen.New | Where-Object State -EQ 'good').Count
    $Ledger.CreatedFailed += @($seen.New | Where-Object State -EQ 'failed').Count
    $Ledger.Deleted += $gone.Count

    # Foreign images are never deleted.
    foreach ($id in $foreignBefore.Keys) {
        if (-not $seen.Foreign.ContainsKey($id)) { $violations.Add("foreign image $id ($($foreignBefore[$id])) was deleted") }
    }

    # No duplicate snapshot: at most one new image per server in this run, at most one image per request token.
    foreach ($group in $new | Group-Object Server) {
        if ($group.Count -gt 1) { $violations.Add("server $($group.Name): $($group.Count) snapshots in one run ($(@($group.Group | ForEach-Object Id) -join ', '))") }
    }
    foreach ($image in $seen.New) {
        if (-not $image.Token) { $violations.Add("image $($image.Id) has no autosnap_request token"); continue }
        if ($Ledger.Tokens[$image.Token].Count -gt 1) { $violations.Add("request token $($image.Token) has $($Ledger.Tokens[$image.Token].Count) images: $($Ledger.Tokens[$image.Token] -join ', ')") }
    }

    # No image the contract keeps was deleted; nothing deleted from a pool whose new snapshot is not good.
    $serverById = @{}
    foreach ($server in $Servers) { $serverById[$server.Id] = $server }
    $pools = @($before.Values) + @($new) | Group-Object Pool
    $goneByPool = @{}
    foreach ($group in $gone | Group-Object Pool) { $goneByPool[$group.Name] = @($group.Group) }
    $extraAfterSuccess = 0
    $succeeded = @{}
    foreach ($record in $LogRecords | Where-Object { $_.event -eq 'job' -and $_.status -eq 'Succeeded' }) { $succeeded[[string]$record.serverId] = $true }
    foreach ($pool in $pools) {
        $deleted = @(if ($goneByPool.ContainsKey($pool.Name)) { $goneByPool[$pool.Name] })
        $fresh = @($new | Where-Object Pool -EQ $pool.Name)
        if ($deleted.Count -gt 0 -and -not @($fresh | Where-Object State -EQ 'good').Count) {
            $violations.Add("pool $($pool.Name): $($deleted.Count) image(s) deleted although this run made no good snapshot of it ($(@($deleted | ForEach-Object Id) -join ', '))")
        }
        # the pool as the run's rotation saw it: what was there before the run and the run's new image
        $good = @($pool.Group | Where-Object State -EQ 'good')
        $keep = Get-ContractKeep -Good $good -Policy $Ledger.Policy
        foreach ($image in $deleted) {
            if ($keep.ContainsKey($image.Id)) {
                $violations.Add("pool $($pool.Name): image $($image.Id) ($($image.Created.ToString('u'))) was deleted but the contract keeps it ($($keep[$image.Id]))")
            }
            if ($image.State -eq 'pending') { $notes.Add("pool $($pool.Name): image $($image.Id) was last seen $($image.Status) and is gone") }
        }
        # Convergence (reported, not a violation): after a job that says it succeeded, the pool holds what the contract keeps.
        $server = $pool.Group[0].Server
        if ($succeeded.ContainsKey($server)) {
            $left = @($pool.Group | Where-Object { $seen.Present.ContainsKey($_.Id) -and $_.State -ne 'pending' -and -not $keep.ContainsKey($_.Id) })
            if ($left.Count) {
                $extraAfterSuccess += $left.Count
                $notes.Add("pool $($pool.Name): job succeeded but $($left.Count) image(s) the contract does not keep remain ($(@($left | ForEach-Object { "$($_.Id) $($_.Status)" }) -join ', '))")
            }
        }
    }

    # Cinder snapshots: parts kept, leftovers cleaned, nothing leaked, nothing foreign deleted.
    $volumes = Test-SoakVolumes $Ledger -Day $Day -Succeeded $succeeded -Violations $violations -Notes $notes

    # Every pool that ever had a good restore point still has one.
    $goodNow = @{}
    foreach ($id in $seen.Present.Keys) { if ($Ledger.Images[$id].State -eq 'good') { $goodNow[$Ledger.Images[$id].Pool] = $true } }
    foreach ($pool in $Ledger.EverGood.Keys) {
        if (-not $goodNow.ContainsKey($pool)) { $violations.Add("pool $pool had a good image and now has none") }
    }

    # The run ended with a documented exit code, and every failure was reported.
    if ($ExitCode -notin 0, 1, 2, 3) { $violations.Add("exit code $ExitCode is not one of autosnap.ps1's (0, 1, 2, 3)") }
    $jobs = @($LogRecords | Where-Object { $_.event -eq 'job' })
    $loggedFailed = @{}
    foreach ($job in $jobs | Where-Object status -EQ 'Failed') { $loggedFailed[[string]$job.serverId] = $job }
    # A server failed, as the cloud shows it, when the run left it without a new good snapshot.
    $cloudFailed = @($Servers | Where-Object { $id = $_.Id; -not @($new | Where-Object { $_.Server -eq $id -and $_.State -eq 'good' }).Count })
    if ($ExitCode -eq 3) {
        # bad arguments, configuration or authentication: nothing attempted, nothing deleted, and said so on stderr
        if ($new.Count -or $gone.Count) { $violations.Add("exit code 3 but the run created $($new.Count) and deleted $($gone.Count) image(s)") }
        if (-not $StdErr.Trim()) { $violations.Add('exit code 3 with nothing on stderr') }
    }
    else {
        if ($jobs.Count -ne $Servers.Count) { $violations.Add("the JSON log has $($jobs.Count) job records for $($Servers.Count) servers") }
        $skipped = @{}
        foreach ($job in $jobs | Where-Object status -EQ 'Skipped') { $skipped[[string]$job.serverId] = $job }
        foreach ($server in $cloudFailed) {
            if ($skipped.ContainsKey($server.Id)) { $notes.Add("server $($server.Name) was skipped: $($skipped[$server.Id].message)"); continue }
            if (-not $loggedFailed.ContainsKey($server.Id)) { $violations.Add("server $($server.Name) got no good snapshot but the JSON log does not report it failed") }
        }
        foreach ($job in $loggedFailed.Values) {
            if ($StdErr -notmatch [regex]::Escape("$($job.server) (")) { $violations.Add("server $($job.server) failed (log: $($job.message)) but stderr does not name it") }
        }
        $failedCount = $loggedFailed.Count
        $expected = if ($failedCount -eq 0) { 0 } elseif ($failedCount -lt $Servers.Count) { 1 } else { 2 }
        if ($ExitCode -ne $expected) { $violations.Add("exit code $ExitCode but $failedCount of $($Servers.Count) servers failed (expected $expected)") }
    }

    [pscustomobject]@{
        Day               = $Day
        Created           = $seen.New.Count
        CreatedGood       = @($seen.New | Where-Object State -EQ 'good').Count
        CreatedFailed     = @($seen.New | Where-Object State -EQ 'failed').Count
        Deleted           = $gone.Count
        FailedJobs        = $loggedFailed.Count
        CloudFailed       = $cloudFailed.Count
        Pools             = $Ledger.EverGood.Count
        ImagesNow         = $seen.Present.Count
        ExtraAfterSuccess = $extraAfterSuccess
        Volumes           = $volumes
        Violations        = $violations
        Notes             = $notes
    }
}
