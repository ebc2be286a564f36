# The cmdlets end to end against LocalCloud, through PowerShell: pipelines as users write them.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    Import-Module $ModuleManifest -Force
    $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0 }
    $script:ApiKey = ConvertTo-SecureString 'demo-api-key' -AsPlainText -Force

    function Connect-Demo {
        Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey $ApiKey -Region DFW
    }

    # A fresh server per test keeps the tests apart.
    function New-TestServer([string] $Prefix) {
        New-LocalCloudServer -NamePrefix "$Prefix-" -Region DFW | Select-Object -First 1
    }
}

AfterAll {
    Get-RackspaceSession | Disconnect-RackspaceCloud
    Stop-LocalCloud
}

Describe 'Connect-RackspaceCloud' {
    It 'returns a session without secrets that becomes the default' {
        $session = Connect-Demo
        $session.UserName | Should -Be 'demo'
        $session.TenantId | Should -Be '100001'
        $session.Region | Should -Be 'DFW'
        $session.Regions | Should -Contain 'SYD'
        (Get-RackspaceSession -Default).Id | Should -Be $session.Id
        ($session | Format-List * | Out-String) | Should -Not -Match 'demo-api-key'
    }

    It 'reads RACKSPACE_* variables when no credential is given' {
        $saved = @{ u = $env:RACKSPACE_USERNAME; k = $env:RACKSPACE_API_KEY; i = $env:RACKSPACE_IDENTITY_URL; r = $env:RACKSPACE_REGION }
        try {
            $env:RACKSPACE_USERNAME = 'demo'; $env:RACKSPACE_API_KEY = 'demo-api-key'
            $env:RACKSPACE_IDENTITY_URL = $Cloud.IdentityV2Url; $env:RACKSPACE_REGION = 'ORD'
            $session = Connect-RackspaceCloud -NotDefault
            $session.Region | Should -Be 'ORD'
            $session.Credential | Should -Be "API key of user 'demo'"
        }
        finally {
            $env:RACKSPACE_USERNAME = $saved.u; $env:RACKSPACE_API_KEY = $saved.k; $env:RACKSPACE_IDENTITY_URL = $saved.i; $env:RACKSPACE_REGION = $saved.r
        }
    }

    It 'speaks Keystone v3 with a password and a project' {
        $credential = [pscredential]::new('demo', (ConvertTo-SecureString 'demo-password' -AsPlainText -Force))
        $session = Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV3Url -Credential $credential -ProjectName demo -Region DFW -NotDefault
        $session.IdentityType | Should -Be 'Keystone'
        $session.UserName | Should -Be 'demo'
    }

    It 'refuses a wrong key with an authentication error that does not quote it' {
        $wrong = ConvertTo-SecureString 'not-the-key-12345' -AsPlainText -Force
        $err = { Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey $wrong } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'RackspaceCloudAuthenticationFailed,*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Not -Match 'not-the-key-12345'
    }

    It 'names the regions there are when asked for one the account does not have' {
        $err = { Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey $ApiKey -Region MARS } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'RackspaceCloudInvalidConfiguration,*'
        $err.Exception.Message | Should -Match "Region 'MARS' is not in this account's catalog\. Regions available: DFW, ORD, IAD, LON, SYD, HKG\."
    }
}

Describe 'Servers and snapshots' {
    BeforeAll { $null = Connect-Demo }

    It 'finds servers by wildcard name, metadata and in every region' {
        $tagged = New-LocalCloudServer -NamePrefix 'tagged-' -Region ORD -Metadata @{ backup = 'nightly' }
        (Get-RackspaceServer -Name 'web0*').Name | Should -Contain 'web01'
        (Get-RackspaceServer -Metadata @{ backup = 'night*' } -AllRegions).Id | Should -Be $tagged.id
        (Get-RackspaceServer -Id $tagged.id -Region ORD).Name | Should -Be $tagged.name
    }

    It 'reports a server name that matches nothing' {
        Get-RackspaceServer -Name 'no-such-server' -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'RackspaceServerNotFound,*'
    }

    It 'pipes servers into snapshots into rotation: Get-RackspaceServer | New-AutoSnapshot -Wait | Invoke-SnapshotRotation' {
        $server = New-TestServer 'pipe'
        1..3 | ForEach-Object {
            $decisions = Get-RackspaceServer -Id $server.id | New-AutoSnapshot -Schedule daily -Wait | Invoke-SnapshotRotation -Retention 1
            Move-LocalCloudClock -By ([timespan]::FromDays(1)) | Out-Null
        }
        @($decisions | Where-Object Action -EQ 'Delete').Count | Should -Be 1
        ($decisions | Where-Object Action -EQ 'Delete').Outcome | Should -Be 'Deleted'
        @(Get-AutoSnapshot -Server $server.id -Schedule daily).Count | Should -Be 2
    }

    It 'returns a pending snapshot at once without -Wait, and Wait-AutoSnapshot waits for it' {
        Set-LocalCloudConfig @{ snapshotSeconds = 2 } | Out-Null
        try {
            $server = New-TestServer 'nowait'
            $pending = New-AutoSnapshot -Server $server.id -Schedule daily
            $pending.State | Should -Be 'Pending'
            $done = $pending | Wait-AutoSnapshot -Timeout 00:01:00
            $done.State | Should -Be 'Good'
            $done.Id | Should -Be $pending.Id
        }
        finally { Set-LocalCloudConfig @{ snapshotSeconds = 0 } | Out-Null }
    }

    It 'reports a running snapshot clearly instead of a raw 409' {
        $server = New-TestServer 'busy'
        Set-LocalCloudServerState -Id $server.id -TaskState 'image_uploading'
        try {
            New-AutoSnapshot -Server $server.id -Schedule daily -ErrorVariable busy -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $busy[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotBusy,*'
            $busy[0].Exception.Message | Should -Match 'already running on server busy-.* \(task state image_uploading\)'
        }
        finally { Set-LocalCloudServerState -Id $server.id -TaskState $null }
    }

    It 'lists only Autosnap images, and the server''s others with -IncludeForeign' {
        $server = New-TestServer 'foreign'
        $null = New-LocalCloudImage -Count 2 -Server $server.id -NamePrefix 'manual-' -Properties @{ image_type = 'snapshot' }
        $null = New-AutoSnapshot -Server $server.id -Schedule weekly -Wait
        @(Get-AutoSnapshot -Server $server.id).Count | Should -Be 1
        $all = Get-AutoSnapshot -Server $server.id -IncludeForeign
        @($all).Count | Should -Be 3
        @($all | Where-Object { -not $_.IsAutosnap }).Count | Should -Be 2
    }

    It 'filters by status class' {
        $server = New-TestServer 'status'
        $owner = @{ autosnap_schedule = 'daily'; autosnap_server = $server.id }
        $null = New-LocalCloudImage -Count 3 -Server $server.id -Properties $owner -Status active, killed, saving
        (Get-AutoSnapshot -Server $server.id -Status Failed).Status | Should -Be 'killed'
        (Get-AutoSnapshot -Server $server.id -Status Pending).Status | Should -Be 'saving'
    }
}

Describe 'Invoke-SnapshotRotation' {
    BeforeAll { $null = Connect-Demo }

    It '-WhatIf says every deletion and deletes nothing' {
        $server = New-TestServer 'whatif'
        $owner = @{ autosnap_schedule = 'daily'; autosnap_server = $server.id }
        $null = New-LocalCloudImage -Count 6 -Server $server.id -Properties $owner -CreatedFrom '2026-01-01T00:05:00Z' -CreatedStep 1.00:00:00
        $decisions = Get-AutoSnapshot -Server $server.id -Schedule daily | Invoke-SnapshotRotation -Retention 2 -WhatIf
        @($decisions).Count | Should -Be 6
        @($decisions | Where-Object Action -EQ Delete).Count | Should -Be 3
        ($decisions | Where-Object Action -EQ Delete).Outcome | Sort-Object -Unique | Should -Be 'Skipped'
        @(Get-AutoSnapshot -Server $server.id -Schedule daily).Count | Should -Be 6
    }

    It 'keeps by bucket rules in a time zone, naming the rules' {
        $server = New-TestServer 'gfs'
        $owner = @{ autosnap_schedule = 'daily'; autosnap_server = $server.id }
        # the worked example of the retention contract: Jan 1..20 2026 at 00:05 UTC
        $null = New-LocalCloudImage -Count 20 -Server $server.id -Properties $owner -CreatedFrom '2026-01-01T00:05:00Z' -CreatedStep 1.00:00:00
        $kept = Invoke-SnapshotRotation -Server $server.id -Schedule daily -KeepDaily 3 -KeepWeekly 3 -TimeZone UTC |
            Where-Object Action -EQ Keep
        $kept.Created.UtcDateTime.Day | Should -Be @(20, 19, 18, 11)
        ($kept | Where-Object { $_.Created.Day -eq 20 }).Reason | Should -Be 'daily 2026-01-20; weekly 2026-W04'
    }

    It 'refuses -Retention with bucket rules, and a policy that keeps nothing' {
        { Invoke-SnapshotRotation -Server web01 -Retention 3 -KeepDaily 2 } | Should -Throw -ErrorId 'RetentionPolicyConflict,*'
        { Invoke-SnapshotRotation -Server web01 -KeepDaily 0 } | Should -Throw -ErrorId 'RetentionPolicyKeepsNothing,*'
        { Invoke-SnapshotRotation -Server web01 -Retention -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'skips the pool, deleting nothing, when the piped new snapshot failed' {
        $server = New-TestServer 'failnew'
        $owner = @{ autosnap_schedule = 'daily'; autosnap_server = $server.id }
        $null = New-LocalCloudImage -Count 4 -Server $server.id -Properties $owner -CreatedFrom '2026-01-01T00:05:00Z' -CreatedStep 1.00:00:00
        Set-LocalCloudConfig @{ snapshotFailRate = 1 } | Out-Null
        try {
            $out = New-AutoSnapshot -Server $server.id -Schedule daily -Wait -ErrorAction SilentlyContinue |
                Invoke-SnapshotRotation -Retention 0 -ErrorVariable skipped -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $skipped.FullyQualifiedErrorId | Should -Contain 'SnapshotRotationNewSnapshotNotGood,Autosnap.Cmdlets.InvokeSnapshotRotationCommand'
            @(Get-AutoSnapshot -Server $server.id -Schedule daily -Status Good).Count | Should -Be 4
        }
        finally { Set-LocalCloudConfig @{ snapshotFailRate = 0 } | Out-Null }
    }
}

Describe 'Remove-AutoSnapshot, Lock-AutoSnapshot and Unlock-AutoSnapshot' {
    BeforeAll { $null = Connect-Demo }

    It 'refuses a foreign image unless forced' {
        $server = New-TestServer 'remove'
        $manual = New-LocalCloudImage -Server $server.id -NamePrefix 'manual-' -Properties @{ image_type = 'snapshot' }
        Remove-AutoSnapshot -Id $manual -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotNotOwned,*'
        @(Get-AutoSnapshot -Id $manual -IncludeForeign).Count | Should -Be 1
        Remove-AutoSnapshot -Id $manual -Force
        Get-AutoSnapshot -Id $manual -IncludeForeign -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'keeps a pinned image through rotation and through Remove-AutoSnapshot without -Force' {
        $server = New-TestServer 'pin'
        $owner = @{ autosnap_schedule = 'daily'; autosnap_server = $server.id }
        $ids = New-LocalCloudImage -Count 4 -Server $server.id -Properties $owner -CreatedFrom '2026-01-01T00:05:00Z' -CreatedStep 1.00:00:00
        $oldest = Get-AutoSnapshot -Id $ids[0] | Lock-AutoSnapshot -PassThru
        $oldest.IsPinned | Should -BeTrue
        $decisions = Invoke-SnapshotRotation -Server $server.id -Schedule daily -Retention 0
        ($decisions | Where-Object Id -EQ $ids[0]).Reason | Should -Be 'pinned'
        @(Get-AutoSnapshot -Server $server.id -Schedule daily).Id | Should -Be @($ids[3], $ids[0])
        $oldest | Remove-AutoSnapshot -Confirm:$false -ErrorVariable pinned -ErrorAction SilentlyContinue
        $pinned[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotPinned,*'
        ($oldest | Unlock-AutoSnapshot -PassThru).IsPinned | Should -BeFalse
    }

    It 'never takes a piped plan for the images to delete' {
        $server = New-TestServer 'plan-pipe'
        $owner = @{ autosnap_schedule = 'daily'; autosnap_server = $server.id }
        $null = New-LocalCloudImage -Count 3 -Server $server.id -Properties $owner -CreatedFrom '2026-01-01T00:05:00Z' -CreatedStep 1.00:00:00
        $plan = Invoke-SnapshotRotation -Server $server.id -Schedule daily -Retention 0 -WhatIf
        { $plan | Remove-AutoSnapshot -Force -ErrorAction Stop } | Should -Throw -ErrorId 'InputObjectNotBound,*'
        @(Get-AutoSnapshot -Server $server.id -Schedule daily).Count | Should -Be 3
        # the explicit way: the deletions of the plan, as snapshots
        $plan | Where-Object Action -EQ Delete | ForEach-Object Snapshot | Remove-AutoSnapshot -Force
        @(Get-AutoSnapshot -Server $server.id -Schedule daily).Count | Should -Be 1
    }

    It 'finds the server of a piped snapshot' {
        $server = New-TestServer 'whose'
        $snapshot = New-AutoSnapshot -Server $server.id -Schedule daily -Wait
        ($snapshot | Get-RackspaceServer).Id | Should -Be $server.id
    }

    It 'honours -WhatIf even with -Force' {
        $server = New-TestServer 'whatifremove'
        $snapshot = New-AutoSnapshot -Server $server.id -Schedule daily -Wait
        $snapshot | Remove-AutoSnapshot -Force -WhatIf
        (Get-AutoSnapshot -Id $snapshot.Id).Id | Should -Be $snapshot.Id
    }
}

Describe 'Format views' {
    It 'has a table view for <_>' -ForEach 'Autosnap.Model.AutoSnapshot', 'Autosnap.Model.RackspaceServer', 'Autosnap.Model.RackspaceSession', 'Autosnap.Model.RotationDecision' {
        Get-FormatData -TypeName $_ | Should -Not -BeNullOrEmpty
    }
}

Describe 'Hooks around the snapshot' {
    BeforeAll {
        $null = Connect-Demo
        # Credential variables in Autosnap's own environment: a process hook must not get them.
        $script:SavedEnvironment = @{ RACKSPACE_API_KEY = $env:RACKSPACE_API_KEY; OS_PASSWORD = $env:OS_PASSWORD }
        $env:RACKSPACE_API_KEY = 'hook-must-not-see-this'
        $env:OS_PASSWORD = 'nor-this'
    }

    AfterAll {
        $env:RACKSPACE_API_KEY = $SavedEnvironment.RACKSPACE_API_KEY
        $env:OS_PASSWORD = $SavedEnvironment.OS_PASSWORD
    }

    It 'New-AutoSnapshot runs -BeforeSnapshot, then -AfterSnapshot with the snapshot, and records an application-consistent restore point' {
        $name = (New-TestServer 'hooked').name
        $calls = [System.Collections.Generic.List[string]]::new()
        $point = New-AutoSnapshot -Server $name -Schedule hooked -Wait -Verbose 4>&1 `
            -BeforeSnapshot { param($server) $calls.Add("before $($server.Name)") } `
            -AfterSnapshot { param($server, $snapshot, $outcome) $calls.Add("after $($server.Name) $($snapshot.Id) $outcome") } |
            ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $calls.Add("verbose $($_.Message)") } else { $_ } }

        $point.Consistency | Should -Be 'Application'
        $hooks = @($calls | Where-Object { $_ -notlike 'verbose *' })
        $hooks | Should -Be @("before $name", "after $name $($point.Id) captured")
        @($calls | Where-Object { $_ -like "verbose Writes of $name were paused for *(before-snapshot hook end to after-snapshot hook start; snapshot captured, application-consistent)." }).Count | Should -Be 1
        $listed = Get-AutoSnapshot -Server $name -Schedule hooked
        $listed.Properties.autosnap_consistency | Should -Be 'application'
        ($listed | Format-List Name, Consistency | Out-String) | Should -Match 'Consistency : Application'
    }

    It 'a -BeforeSnapshot that outputs $false takes no snapshot, says so, and -AfterSnapshot still runs' {
        $name = (New-TestServer 'refused').name
        $calls = [System.Collections.Generic.List[string]]::new()
        $out = New-AutoSnapshot -Server $name -Schedule refused -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue `
            -BeforeSnapshot { param($server) $false } `
            -AfterSnapshot { param($server, $snapshot, $outcome) $calls.Add("after $($null -eq $snapshot) $outcome") }

        $out | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotHookFailed,*'
        $problems[0].Exception.Message | Should -Be "The -BeforeSnapshot hook of $name failed: it returned `$false. No snapshot was taken (-OnHookFailure Skip)."
        $calls | Should -Be @('after True skipped')
        Get-AutoSnapshot -Server $name -Schedule refused | Should -BeNullOrEmpty
    }

    It 'Invoke-AutoSnapshotPolicy -OnHookFailure Snapshot takes a crash-consistent snapshot when the hook throws, and -RequireConsistency keeps it out of the count' {
        $name = (New-TestServer 'fallback').name
        $result = Invoke-AutoSnapshotPolicy -Server $name -Schedule fallback -Retention 0 -RequireConsistency Application -OnHookFailure Snapshot `
            -BeforeSnapshot { param($server) throw "no agent on $($server.Name)" } -WarningVariable warned -WarningAction SilentlyContinue

        $result.Status | Should -Be 'Succeeded'
        $result.Consistency | Should -Be 'Crash'
        $result.BeforeHookError | Should -Be "no agent on $name"
        $result.WritePause | Should -Not -BeNullOrEmpty
        $warned -join "`n" | Should -Match 'taking a crash-consistent snapshot \(onHookFailure: Snapshot\)'
        ($result.Decisions | Where-Object Id -EQ $result.Snapshot.Id).Reason | Should -Be 'crash-consistent; kept: no newer good image'
    }

    It 'a policy file runs its hooks as processes with Autosnap''s variables and no credential, and logs the consistency' {
        $server = New-TestServer 'proc'
        $envFile = Join-Path $TestDrive 'hook-env'
        $policy = Join-Path $TestDrive 'policy.json'
        $log = Join-Path $TestDrive 'log.jsonl'
        $capture = "env | grep -E '^(AUTOSNAP_|RACKSPACE_|OS_)' | sort >> '$envFile'; echo ""hook says $`AUTOSNAP_SERVER_NAME"""
        @{ policies = @(@{
            schedule = 'proc'; targets = @{ names = @($server.name) }; retention = 3
            hooks = @{ before = @{ command = 'sh'; arguments = @('-c', $capture) }; after = @{ command = 'sh'; arguments = @('-c', $capture) }; timeout = '30s' }
        }) } | ConvertTo-Json -Depth 6 | Set-Content $policy

        $result = Invoke-AutoSnapshotPolicy -Path $policy -LogPath $log -Verbose 4>&1 | Tee-Object -Variable all |
            Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }

        $result.Status | Should -Be 'Succeeded'
        $result.Consistency | Should -Be 'Application'
        $lines = Get-Content $envFile
        $lines | Should -Be @(
            'AUTOSNAP_REGION=DFW', 'AUTOSNAP_SCHEDULE=proc', "AUTOSNAP_SERVER_ID=$($server.id)", "AUTOSNAP_SERVER_NAME=$($server.name)",
            "AUTOSNAP_IMAGE_ID=$($result.Snapshot.Id)", 'AUTOSNAP_OUTCOME=captured', 'AUTOSNAP_REGION=DFW', 'AUTOSNAP_SCHEDULE=proc',
            "AUTOSNAP_SERVER_ID=$($server.id)", "AUTOSNAP_SERVER_NAME=$($server.name)")
        @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -eq "after-snapshot hook of $($server.name): hook says $($server.name)" }).Count | Should -Be 1
        $record = Get-Content $log | ConvertFrom-Json | Where-Object event -EQ 'job'
        $record.consistency | Should -Be 'application'
        $record.writePauseSeconds | Should -BeGreaterOrEqual 0
    }
}
