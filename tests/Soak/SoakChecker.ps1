# The soak's invariant checker. It never loads the module and never calls its planner: it reads the cloud through
# plain HTTP (Rackspace identity v2.0 and Glance v2 on LocalCloud), keeps its own ledger of every image it has
# ever seen, and computes what docs/retention.md says must be kept with its own few lines below.
#
#   $ledger = New-SoakLedger -CloudUrl $url -Region DFW -Policy @{ KeepDaily = 7; KeepWeekly = 4 }
#   Update-SoakLedger $ledger -Day 1          # before the first run: foreign images, existing pools
#   ... one policy run ...
#   $day = Test-SoakDay $ledger -Day 1 -RunStarted <cloud time> -ExitCode 1 -StdErr $text -LogRecords $records -Servers $servers
#   $day.Violations                            # strings; the soak's verdict is that none ever appear
#
# Ownership, as the contract defines it: an image is Autosnap's when its properties carry autosnap_schedule and
# autosnap_server; a pool is (autosnap_server, autosnap_schedule). Good = active; failed = killed (Nova ERROR);
# pending = queued, saving, uploading, importing.

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

function Get-SoakCloudImages {
    <# .SYNOPSIS Every image of the region the account can see, all pages, with plain HTTP. #>
    param([Parameter(Mandatory)] $Ledger)
    $auth = @{ auth = @{ 'RAX-KSKEY:apiKeyCredentials' = @{ username = $Ledger.UserName; apiKey = $Ledger.ApiKey } } } | ConvertTo-Json -Depth 5
    $token = (Invoke-SoakHttp -Method Post -Uri "$($Ledger.CloudUrl)/v2.0/tokens" -Body $auth).access.token.id
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

function Update-SoakLedger {
    <# .SYNOPSIS Reads the cloud and records what is there (used before the first run and by Test-SoakDay). #>
    param([Parameter(Mandatory)] $Ledger, [int] $Day = 0, $Images)
    if ($null -eq $Images) { $Images = Get-SoakCloudImages $Ledger }
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
            $record = [pscustomobject]@{
                Id = $image.id; Name = $image.name; Pool = "$server/$schedule"; Server = $server; Schedule = $schedule
                Created = $created; Status = $image.status; State = Get-SoakState $image.status
                Token = Get-SoakProperty $image 'autosnap_request'; FirstSeenDay = $Day; GoneDay = $null
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
            $Ledger.Images[$image.id].State = Get-SoakState $image.status
        }
        if ($Ledger.Images[$image.id].State -eq 'good') { $Ledger.EverGood[$Ledger.Images[$image.id].Pool] = $true }
    }
    $Ledger.Present = $present
    $Ledger.Foreign = $foreign
    [pscustomobject]@{ Present = $present; Foreign = $foreign; New = $new }
}

function Test-SoakDay {
    <#
    .SYNOPSIS
        After one policy run: reads the cloud, updates the ledger and returns the day's counts and violations.
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

    # Every pool that ever had a good image still has one.
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
        Violations        = $violations
        Notes             = $notes
    }
}
