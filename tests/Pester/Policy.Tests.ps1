# Policies through the module against LocalCloud: a policy file across regions, the servers' own metadata rules,
# pools two policies disagree on, orphaned pools, the frequency guard, overlapping runs, and a fleet paced under
# the account's rate limits.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    Import-Module $ModuleManifest -Force
    $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0 }
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("autosnap-policy-{0}" -f [guid]::NewGuid())
    $null = New-Item -ItemType Directory $Work
    $null = Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey (ConvertTo-SecureString 'demo-api-key' -AsPlainText -Force) -Region DFW

    function Write-Policy([string] $Name, [string] $Json) {
        $path = Join-Path $Work $Name
        Set-Content -Path $path -Value $Json
        $path
    }

    function Get-Pool([string] $ServerId, [string] $Schedule, [string] $Region = 'DFW') {
        @(Get-AutoSnapshot -Server $ServerId -Schedule $Schedule -Region $Region)
    }
}

AfterAll {
    Get-RackspaceSession | Disconnect-RackspaceCloud
    Stop-LocalCloud
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Invoke-AutoSnapshotPolicy -Path' {
    It 'snapshots and rotates every server the targets select, across regions, and nothing else' {
        $tagged = @(New-LocalCloudServer -Count 4 -NamePrefix 'fleet-' -Region DFW, ORD -Metadata @{ backup = 'nightly' })
        $test = @(New-LocalCloudServer -NamePrefix 'fleet-test-' -Region DFW -Metadata @{ backup = 'nightly' })
        $policy = Write-Policy 'fleet.json' @'
{
  "policies": [
    { "schedule": "nightly", "retention": 1,
      "targets": { "regions": ["DFW", "ORD"], "metadata": { "backup": "nightly" }, "exclude": { "names": ["fleet-test-*"] } } }
  ]
}
'@
        foreach ($night in 1..3) {
            $results = Invoke-AutoSnapshotPolicy -Path $policy
            Move-LocalCloudClock -By ([timespan]::FromDays(1)) | Out-Null
        }
        @($results).Count | Should -Be 4
        $results.Status | Sort-Object -Unique | Should -Be 'Succeeded'
        foreach ($server in $tagged) { (Get-Pool $server.id nightly $server.region).Count | Should -Be 2 }
        (Get-Pool $test[0].id nightly).Count | Should -Be 0
    }

    It 'refuses a policy file that is not valid (<Id>), naming the field, and runs nothing' -ForEach @(
        @{ Json = '{ "policies": [ { "schedule": "daily", "targets": { "names": ["web*"] }, "retention": 7, } ] }'; Id = 'PolicyFileNotJson' }
        @{ Json = '{ "policies": [ { "schedule": "daily", "targets": { "names": ["web*"] }, "retention": { "keepDialy": 7 } } ] }'; Id = 'PolicyFieldUnknown'; Message = "did you mean 'keepDaily'" }
        @{ Json = '{ "policies": [ { "schedule": "daily", "retention": 7 } ] }'; Id = 'PolicyFieldMissing'; Message = 'targets' }
        @{ Json = '{ "policies": [ { "schedule": "daily", "targets": { "names": "web*" }, "retention": 7 } ] }'; Id = 'PolicyFieldType' }
        @{ Json = '{ "policies": [ { "schedule": "daily", "targets": { "names": ["web*"] }, "retention": { "keepDaily": 0 } } ] }'; Id = 'RetentionPolicyKeepsNothing' }
    ) {
        Reset-LocalCloudStats | Out-Null
        $path = Write-Policy 'bad.json' $Json
        $err = { Invoke-AutoSnapshotPolicy -Path $path } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.Exception.Message | Should -BeLike "*bad.json*"
        if ($Message) { $err.Exception.Message | Should -BeLike "*$Message*" }
        (Get-LocalCloudStats).byRoute.'POST /servers/{id}/action' | Should -BeNullOrEmpty
    }

    It 'leaves alone a pool that two policies would rotate differently, and runs the rest' {
        $server = New-LocalCloudServer -NamePrefix 'contested-' -Region DFW -Metadata @{ tier = 'db' }
        $other = New-LocalCloudServer -NamePrefix 'uncontested-' -Region DFW
        $policy = Write-Policy 'conflict.json' @"
{ "policies": [
    { "name": "by-tag", "schedule": "contested", "targets": { "metadata": { "tier": "db" } }, "retention": 1 },
    { "name": "by-name", "schedule": "contested", "targets": { "names": ["contested-*", "uncontested-*"] }, "retention": 5 }
] }
"@
        $results = Invoke-AutoSnapshotPolicy -Path $policy -ErrorVariable failures -ErrorAction SilentlyContinue
        ($results | Where-Object ServerId -EQ $server.id).Status | Should -Be 'Failed'
        ($results | Where-Object ServerId -EQ $server.id).Message | Should -Match "policies 'by-tag' and 'by-name' both select this pool"
        ($results | Where-Object ServerId -EQ $other.id).Status | Should -Be 'Succeeded'
        (Get-Pool $server.id contested).Count | Should -Be 0
    }

    It 'reports the pools of deleted servers, keeps them, or rotates them keeping at least one good image' {
        $gone = New-LocalCloudServer -NamePrefix 'gone-' -Region DFW -Metadata @{ orphan = 'test' }
        $owner = @{ autosnap_schedule = 'orphans'; autosnap_server = $gone.id }
        $null = New-LocalCloudImage -Count 4 -Server $gone.id -Properties $owner -CreatedFrom '2026-01-01T00:05:00Z' -CreatedStep 1.00:00:00
        $token = Get-LocalCloudToken
        Invoke-RestMethod -Method Delete "$($Cloud.Url)/compute/dfw/v2/100001/servers/$($gone.id)" -Headers @{ 'X-Auth-Token' = $token } | Out-Null

        $keep = Write-Policy 'orphans-keep.json' '{ "policies": [ { "schedule": "orphans", "targets": { "metadata": { "orphan": "test" } }, "retention": 0 } ] }'
        $kept = Invoke-AutoSnapshotPolicy -Path $keep -WarningVariable warned -WarningAction SilentlyContinue
        ($kept | Where-Object Target -EQ OrphanedPool).Status | Should -Be 'Skipped'
        $warned | Should -Match "server $($gone.id) in DFW no longer exists; its 4 snapshot\(s\) of schedule 'orphans' are kept"
        (Get-Pool $gone.id orphans).Count | Should -Be 4

        # the same file, with the run overriding its onServerDeleted
        $rotated = Invoke-AutoSnapshotPolicy -Path $keep -OnServerDeleted ApplyRetention -WarningAction SilentlyContinue | Where-Object Target -EQ OrphanedPool
        $rotated.Status | Should -Be 'Succeeded'
        $rotated.Deleted | Should -Be 3
        (Get-Pool $gone.id orphans).Count | Should -Be 1
    }

    It 'skips a server whose newest good snapshot is younger than minInterval' {
        $server = New-LocalCloudServer -NamePrefix 'guard-' -Region DFW -Metadata @{ guard = 'yes' }
        $policy = Write-Policy 'guard.json' '{ "policies": [ { "schedule": "guarded", "targets": { "metadata": { "guard": "yes" } }, "retention": 3, "minInterval": "20h" } ] }'
        (Invoke-AutoSnapshotPolicy -Path $policy).Status | Should -Be 'Succeeded'
        $again = Invoke-AutoSnapshotPolicy -Path $policy
        $again.Status | Should -Be 'Skipped'
        $again.Message | Should -Match 'younger than the minimum interval 20h'
        Move-LocalCloudClock -By ([timespan]::FromHours(21)) | Out-Null
        (Invoke-AutoSnapshotPolicy -Path $policy).Status | Should -Be 'Succeeded'
        (Get-Pool $server.id guarded).Count | Should -Be 2
    }
}

Describe 'Invoke-AutoSnapshotPolicy -FromServerMetadata' {
    It 'runs each server''s own autosnap metadata rules and refuses the unreadable ones' {
        $daily = New-LocalCloudServer -NamePrefix 'meta-' -Region ORD -Metadata @{ 'autosnap:meta' = 'retention=1' }
        $broken = New-LocalCloudServer -NamePrefix 'meta-broken-' -Region ORD -Metadata @{ 'autosnap:meta' = 'daily=seven' }
        $results = Invoke-AutoSnapshotPolicy -FromServerMetadata -Region ORD -ErrorAction SilentlyContinue
        ($results | Where-Object ServerId -EQ $daily.id).Status | Should -Be 'Succeeded'
        $refused = $results | Where-Object ServerId -EQ $broken.id
        $refused.Target | Should -Be 'InvalidRules'
        $refused.Message | Should -Match "'seven' is not a whole number"
        (Get-Pool $daily.id meta ORD).Count | Should -Be 1
    }
}

Describe 'Runs that overlap' {
    It 'skips, with a warning, a pool another run is working on' {
        # The first run's snapshot does not finish on its own during the test: the test finishes it, once the second
        # run is done. Time is moved, not waited for.
        Set-LocalCloudConfig @{ snapshotSeconds = 3600 } | Out-Null
        try {
            $server = New-LocalCloudServer -NamePrefix 'overlap-' -Region DFW
            $other = Start-ThreadJob -ScriptBlock {
                param($Manifest, $Url, $Id)
                Import-Module $Manifest
                $null = Connect-RackspaceCloud -IdentityUrl "$Url/v2.0" -UserName demo -ApiKey (ConvertTo-SecureString 'demo-api-key' -AsPlainText -Force) -Region DFW
                Invoke-AutoSnapshotPolicy -Server $Id -Schedule overlap -Retention 1
            } -ArgumentList $ModuleManifest, $Cloud.Url, $server.id
            # The first run holds the pool's lock from before its createImage until it is done: once its image
            # exists, it is working on the pool.
            while ((Get-Pool $server.id overlap).Count -eq 0) {
                if ($other.State -in 'Completed', 'Failed', 'Stopped') { throw "the first run ended before it made its snapshot: $($other | Receive-Job 2>&1)" }
                Start-Sleep -Milliseconds 100
            }
            $second = Invoke-AutoSnapshotPolicy -Server $server.id -Schedule overlap -Retention 1 -WarningVariable warned -WarningAction SilentlyContinue
            Complete-LocalCloudSnapshot
            $first = $other | Receive-Job -Wait -AutoRemoveJob
            $first.Status | Should -Be 'Succeeded'
            $second.Status | Should -Be 'Skipped'
            $warned | Should -Match "Another Autosnap run is working on overlap-.*/overlap; this run skips that pool"
        }
        finally { Set-LocalCloudConfig @{ snapshotSeconds = 0 } | Out-Null }
    }
}

Describe 'A fleet under rate limits' {
    It 'learns the limits, paces itself and never meets a 413' {
        Set-LocalCloudConfig @{ rateLimits = @{ POST = 30; GET = 300 } } | Out-Null
        try {
            $fleet = @(New-LocalCloudServer -Count 30 -NamePrefix 'paced-' -Region DFW, ORD, IAD)
            Reset-LocalCloudStats | Out-Null
            $results = $fleet | ForEach-Object { Get-RackspaceServer -Id $_.id -Region $_.region } |
                Invoke-AutoSnapshotPolicy -Schedule paced -Retention 1 -ThrottleLimit 30 -Verbose 4>&1
            $jobs = @($results | Where-Object { $_ -is [Autosnap.Model.SnapshotJobResult] })
            $jobs.Count | Should -Be 30
            $jobs.Status | Sort-Object -Unique | Should -Be 'Succeeded'
            ($results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain 'Pacing POST requests in DFW at 30 a minute.'
            (Get-LocalCloudStats).rateLimited.total | Should -Be 0
        }
        finally { Set-LocalCloudConfig @{ rateLimits = @{} } | Out-Null }
    }
}

Describe 'autosnap.ps1 -Policy' {
    It 'runs a policy file from cron and exits 3 for a broken one' {
        $server = New-LocalCloudServer -NamePrefix 'cronpolicy-' -Region DFW -Metadata @{ cron = 'policy' }
        $good = Write-Policy 'cron.json' '{ "policies": [ { "schedule": "cron", "targets": { "metadata": { "cron": "policy" } }, "retention": 2 } ] }'
        $broken = Write-Policy 'cron-broken.json' '{ "policies": [ { "schedule": "cron", "targets": { "metadata": { "cron": "policy" } }, "retention": 2, "minInterval": "soon" } ] }'
        $environment = "`$env:RACKSPACE_USERNAME='demo'; `$env:RACKSPACE_API_KEY='demo-api-key'; `$env:RACKSPACE_IDENTITY_URL='$($Cloud.IdentityV2Url)'; `$env:RACKSPACE_REGION='DFW'"
        $script = Join-Path $ModulePath 'scripts/autosnap.ps1'
        $out = Invoke-FreshPwsh -MergeErrors -Script "$environment; & '$script' -Policy '$good'; exit `$LASTEXITCODE"
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Match "$($server.name) cron snapshot"
        $out = Invoke-FreshPwsh -MergeErrors -Script "$environment; & '$script' -Policy '$broken'; exit `$LASTEXITCODE"
        $LASTEXITCODE | Should -Be 3
        ($out -join "`n") | Should -Match 'minInterval'
    }
}
