# Glance stopped (down.sh glance-api) while Keystone and Nova run: every cmdlet that needs the image service must
# fail with a clear error and delete nothing; with Glance back (up.sh) every image must still be there.
# Uses autosnap-it-2. up.sh runs in AfterAll whatever happens, so the tier is never left without Glance.
#
# Most calls use a fresh session with -MaxRetries 1: with the default 4 retries (exponential backoff, full jitter)
# each call takes 15-20 s against a refused port; one call (the rotation) keeps the defaults to show they end too.
# A fresh session per call also keeps each call away from the circuit breaker the previous one may have opened.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'ModuleHelpers.ps1')
    $script:GlanceStopped = $false

    function New-DemoSession([int] $MaxRetries = 4) {
        Connect-RackspaceCloud -IdentityUrl $Rig.authUrl -UserName demo -Password (ConvertTo-TestSecureString $Rig.demo.password) `
            -ProjectName demo -MaxRetries $MaxRetries -NotDefault -ErrorAction Stop
    }

    function Start-Glance {
        & bash (Join-Path $PSScriptRoot 'up.sh') *>&1 | Out-Null
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ($true) {
            try { if ((Invoke-OsRigApi -Method GET -Uri "$($Rig.imageUrl)/v2/images?limit=1" -Token $Token).Status -eq 200) { break } }
            catch { }   # connection refused until glance-api listens
            if ([DateTime]::UtcNow -gt $deadline) { throw 'Glance did not come back within 60 s of up.sh' }
            Start-Sleep -Milliseconds 500
        }
        $script:GlanceStopped = $false
    }

    $script:Server = Get-RackspaceServer -Session (New-DemoSession) -Id $Rig.servers[1].id
    $script:Pool = "$Marker-outage"
    $script:Images = (New-TestPools -Pools @(@{ Server = $Server; Schedule = $Pool }) -Count 2 -Token $Token -Session (New-DemoSession))["$($Server.Id)/$Pool"]
    $script:Before = @(Get-GlanceImages -Filter @{ owner = $Rig.demo.projectId } -Token $Token)
    $script:ServerImagesBefore = @(Get-GlanceImages -Filter @{ instance_uuid = $Server.Id } -Token $Token).id | Sort-Object
    # connected before the outage: authentication needs only Keystone, and is not what is tested here
    $script:DefaultSession = New-DemoSession
    $script:Quick = 1..4 | ForEach-Object { New-DemoSession -MaxRetries 1 }

    $script:GlanceStopped = $true
    & bash (Join-Path $PSScriptRoot 'down.sh') glance-api *>&1 | Out-Null
}

AfterAll {
    if ($GlanceStopped) { Start-Glance }
    if ($Token) {
        Wait-OsRigServerIdle -ServerId $Rig.servers[1].id -Token $Token | Out-Null
        $null = Remove-TestImages -Marker $Marker -Token $Token
    }
    if ($SavedEnv) { Restore-Environment $SavedEnv }
}

Describe 'Glance stopped: clear errors, nothing deleted' {

    It 'is really stopped: Glance refuses connections while Nova still answers' {
        { Invoke-WebRequest -Uri "$($Rig.imageUrl)/versions" -UseBasicParsing -TimeoutSec 5 } | Should -Throw
        $server = Get-RackspaceServer -Session $Quick[0] -Id $Server.Id -ErrorAction Stop
        $server.Status | Should -Be 'ACTIVE'
        $server.TaskState | Should -BeNullOrEmpty
    }

    It 'Get-AutoSnapshot says the image service cannot be reached' {
        Get-AutoSnapshot -Session $Quick[0] -Server $Server -Schedule $Pool -ErrorAction SilentlyContinue -ErrorVariable errors | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotConnectionFailed,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $errors[0].Exception.Message | Should -Match 'could not connect to 127\.0\.0\.1:9292'
    }

    It 'Invoke-SnapshotRotation (default retries) rotates nothing, says so, and ends' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $decisions = @(Invoke-SnapshotRotation -Session $DefaultSession -Server $Server -Schedule $Pool -Retention 0 -Confirm:$false `
                -ErrorAction SilentlyContinue -ErrorVariable errors)
        $watch.Stop()
        $decisions.Count | Should -Be 0
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotRotationConnectionFailed,*'
        $errors[0].Exception.Message | Should -Match "Pool $($Server.Id)/$Pool in RegionOne was not rotated and nothing was deleted"
        $errors[0].Exception.Message | Should -Match 'could not connect to 127\.0\.0\.1:9292 .*after 5 attempts'
        Write-Host "    (rotation against a stopped Glance gave up after $([int]$watch.Elapsed.TotalSeconds) s with the default 4 retries)"
    }

    It 'the snapshot job (Invoke-AutoSnapshotPolicy) fails for the server, creates and deletes nothing' {
        $result = Invoke-AutoSnapshotPolicy -Session $Quick[1] -Server $Server -Schedule $Pool -Retention 0 -Timeout ([timespan]::FromMinutes(2)) `
            -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errors
        $result.Status | Should -Be 'Failed'
        $result.Created | Should -Be 0
        $result.Deleted | Should -Be 0
        $result.Message | Should -Match '127\.0\.0\.1:9292'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotPolicyJobFailed,*'
    }

    It 'New-AutoSnapshot names the failed snapshot request (Nova: 500 GlanceConnectionFailed) and the unreachable Glance' {
        New-AutoSnapshot -Session $Quick[2] -Server $Server -Schedule $Pool -ErrorAction SilentlyContinue -ErrorVariable errors | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $message = $errors[0].Exception.Message
        $message | Should -Match "create image '[^']+' of server $($Server.Id)"
        $message | Should -Match 'answered 500 .*GlanceConnectionFailed'
        $message | Should -Match 'could not connect to 127\.0\.0\.1:9292'
    }

    It 'leaves the server idle: Nova made no image' {
        (Get-RackspaceServer -Session $Quick[3] -Id $Server.Id -ErrorAction Stop).TaskState | Should -BeNullOrEmpty
    }

    It 'has every image still there once Glance is back, and no new one of the server' {
        Start-Glance
        $after = @(Get-GlanceImages -Filter @{ owner = $Rig.demo.projectId } -Token $Token)
        foreach ($image in $Before) { $after.id | Should -Contain $image.id }
        foreach ($image in $Images) { (Get-GlanceImage -Id $image.Id -Token $Token).status | Should -Be 'active' }
        @(Get-GlanceImages -Filter @{ instance_uuid = $Server.Id } -Token $Token).id | Sort-Object | Should -Be $ServerImagesBefore
        # and the module sees them again through a new session
        @(Get-AutoSnapshot -Session (New-DemoSession) -Server $Server -Schedule $Pool).Id | Should -Be @($Images.Id)
    }
}
