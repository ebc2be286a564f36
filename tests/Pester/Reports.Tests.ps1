# Get-SnapshotRetentionPlan, Test-AutoSnapshotFreshness and check_autosnap.ps1 through PowerShell, against a
# LocalCloud started from out/LocalCloud. The plugin runs in a fresh pwsh, exactly as NRPE would start it.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')

    # Images of one pool, $Step apart, the newest $NewestAge before the cloud's now; statuses oldest first.
    function Add-Pool([string] $ServerName, [string] $Schedule, [timespan] $NewestAge, [timespan] $Step, [string[]] $Statuses) {
        $serverId = $ServerIds[$ServerName]
        $first = $Now - $NewestAge - [timespan]::FromTicks($Step.Ticks * ($Statuses.Count - 1))
        $null = Invoke-LocalCloudAdmin Post images -Body @{
            count       = $Statuses.Count
            region      = 'DFW'
            server      = $serverId
            namePrefix  = "$ServerName-$Schedule-"
            statuses    = $Statuses
            createdFrom = $first.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ssZ')
            createdStep = $Step.ToString('c')
            properties  = @{ autosnap_schedule = $Schedule; autosnap_server = $serverId }
        }
    }

    function Move-Clock([timespan] $By) {
        $null = Invoke-LocalCloudAdmin Post clock -Body @{ advance = $By.ToString('c') }
    }

    # check_autosnap.ps1 in a fresh pwsh; returns its stdout lines, with $LASTEXITCODE the plugin's exit code.
    function Invoke-Plugin([string[]] $Arguments) {
        $pwsh = @(Get-PwshCommand)
        $rest = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $ModulePath 'scripts/check_autosnap.ps1')) + $Arguments
        & $pwsh[0] @rest
    }

    $script:Cloud = Start-LocalCloud
    $script:Now = [DateTimeOffset]::Parse('2026-03-01T12:00:00Z')
    $script:ServerIds = @{}
    foreach ($server in (Invoke-LocalCloudAdmin Get state).regions.DFW.serverList) { $ServerIds[$server.name] = $server.id }

    # The plugin's children read the environment, as they would under NRPE.
    $script:SavedEnvironment = @{}
    foreach ($name in 'RACKSPACE_USERNAME', 'RACKSPACE_API_KEY', 'RACKSPACE_IDENTITY_URL', 'RACKSPACE_REGION') {
        $SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:RACKSPACE_USERNAME = 'demo'
    $env:RACKSPACE_API_KEY = 'demo-api-key'
    $env:RACKSPACE_IDENTITY_URL = "$($Cloud.Url)/v2.0"
    $env:RACKSPACE_REGION = 'DFW'

    Import-Module $ModuleManifest -Force
    $script:Session = Connect-RackspaceCloud -NotDefault
}

AfterAll {
    Stop-LocalCloud
    foreach ($name in $SavedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $SavedEnvironment[$name]) }
}

Describe 'The reports against LocalCloud' {
    BeforeEach {
        $null = Invoke-LocalCloudAdmin Post reset
        $null = Invoke-LocalCloudAdmin Post clock -Body @{ set = $Now.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ssZ') }
    }

    Describe 'Get-SnapshotRetentionPlan' {
        It 'simulates a series from bound parameters: one object per run, newest first' {
            $plan = @(Get-SnapshotRetentionPlan -Simulate -Start '2026-01-01T00:05:00Z' -Interval '1.00:00:00' -Count 400 -FailureRate 0.05 -Seed 42 `
                    -KeepDaily 7 -KeepWeekly 4 -KeepMonthly 12 -TimeZone UTC)

            $plan.Count | Should -Be 400
            $plan[0] | Should -BeOfType ([Autosnap.Model.SimulatedSnapshot])
            $plan[0].Run | Should -Be 400
            $plan[0].Action | Should -Be 'Keep'
            $plan[-1].Run | Should -Be 1
            $plan[-1].Action | Should -Be 'Delete'
            @($plan | Where-Object Action -EQ 'Keep').Count | Should -BeLessThan 30
            @($plan | Where-Object { $_.State -eq 'Failed' }).Count | Should -BeGreaterThan 0
        }

        It 'draws a simulation as a title and calendar lines with -AsTimeline' {
            $lines = @(Get-SnapshotRetentionPlan -Simulate -Start '2026-01-01T00:05:00Z' -Count 60 -Retention 6 -AsTimeline)

            $lines | ForEach-Object { $_ | Should -BeOfType ([string]) }
            $lines[0] | Should -BeExactly 'Simulation: 60 runs every 1.00:00:00 from 2026-01-01 00:05:00Z, 0 failed; after the last run 7 images kept, 53 deleted (policy: retention 6 (keeps 7))'
            $lines[1] | Should -BeExactly 'Timeline in UTC: a row per month, a column per day'
            $lines | Should -Contain ('2026-01  ' + ('-' * 31) + '  0 of 31 kept')
            $lines | Should -Contain ('2026-02  ' + ('-' * 22) + ('#' * 6) + '     6 of 28 kept')
            $lines | Should -Contain ('2026-03  #' + ('.' * 30) + '  1 of 1 kept')
            $lines[-1] | Should -Match '^# kept'
        }

        It 'plans the current pool of a server and deletes nothing' {
            Add-Pool web01 daily ([timespan]'00:10:00') ([timespan]'1.00:00:00') @('active', 'active', 'killed', 'active', 'active', 'active')

            $plan = @(Get-SnapshotRetentionPlan -Server web01 -Schedule daily -Retention 1 -Session $Session)

            $plan.Count | Should -Be 6
            $plan[0] | Should -BeOfType ([Autosnap.Model.RotationDecision])
            ($plan | ForEach-Object { "$($_.Action)" }) -join ',' | Should -Be 'Keep,Keep,Delete,Delete,Delete,Delete'
            $plan | ForEach-Object { $_.Outcome | Should -Be 'Planned' }
            @(Get-AutoSnapshot -Server web01 -Schedule daily -Session $Session).Count | Should -Be 6
        }

        It 'plans piped snapshots pool by pool, as a timeline too' {
            Add-Pool web01 daily ([timespan]'00:10:00') ([timespan]'1.00:00:00') @('active', 'active', 'active')
            Add-Pool db01 daily ([timespan]'00:10:00') ([timespan]'1.00:00:00') @('active', 'active')

            $lines = @(Get-AutoSnapshot -Schedule daily -Session $Session | Get-SnapshotRetentionPlan -KeepLast 1 -TimeZone UTC -AsTimeline -Scale Day)

            @($lines | Where-Object { $_ -like 'Pool *' }).Count | Should -Be 2
            $lines | Should -Contain "Pool $($ServerIds.web01)/daily in DFW: 3 images, keep 1, delete 2 (policy: last 1 in UTC)"
            $lines | Should -Contain "Pool $($ServerIds.db01)/daily in DFW: 2 images, keep 1, delete 1 (policy: last 1 in UTC)"
            $lines | Should -Contain ('2026-02  ' + ('.' * 26) + '--   ' + '  0 of 2 kept')
        }

        It 'ends with a stable error id when -Retention is combined with bucket rules' {
            { Get-SnapshotRetentionPlan -Simulate -Start '2026-01-01T00:05:00Z' -Count 10 -Retention 3 -KeepDaily 7 } |
                Should -Throw -ErrorId 'RetentionPolicyConflict,Autosnap.Cmdlets.GetSnapshotRetentionPlanCommand'
        }

        It 'has a table view for simulated images' {
            Get-FormatData -TypeName Autosnap.Model.SimulatedSnapshot | Should -Not -BeNullOrEmpty
            $table = Get-SnapshotRetentionPlan -Simulate -Start '2026-01-01T00:05:00Z' -Count 10 -Retention 2 | Format-Table | Out-String -Width 120
            $table | Should -Match 'Deleted by'
            $table | Should -Match 'run 10'
        }
    }

    Describe 'Test-AutoSnapshotFreshness' {
        It 'writes one result per pool, aged on the cloud clock, and takes -Warning 26h as a duration' {
            Add-Pool web01 daily ([timespan]'01:00:00') ([timespan]'1.00:00:00') @('active', 'active')
            Add-Pool web01 weekly ([timespan]'3.00:00:00') ([timespan]'7.00:00:00') @('active')

            $results = @(Test-AutoSnapshotFreshness -Server web01 -Warning 26h -Critical 2d -Session $Session)

            $results.Count | Should -Be 2
            $results[0] | Should -BeOfType ([Autosnap.Model.AutoSnapshotFreshness])
            ($results | ForEach-Object { "$($_.Pool)=$($_.Status)" }) -join ' ' | Should -Be 'web01/daily=Ok web01/weekly=Critical'
            $results[0].Age.TotalHours | Should -BeGreaterOrEqual 1
            $results[0].Age.TotalHours | Should -BeLessThan 1.1
            $results[1].Message | Should -Be 'newest good 3d00h ago (critical 2d)'
            $results[0].Warning | Should -Be ([timespan]'1.02:00:00')
        }

        It 'takes servers from the pipeline' {
            Add-Pool web01 daily ([timespan]'01:00:00') ([timespan]'1.00:00:00') @('active')

            $results = @(Get-RackspaceServer -Session $Session | Test-AutoSnapshotFreshness -Schedule daily -Session $Session)

            ($results | Sort-Object Pool | ForEach-Object { "$($_.Pool)=$($_.Status)" }) -join ' ' | Should -Be 'app01/daily=Critical bfv01/daily=Critical db01/daily=Critical web01/daily=Ok'
        }

        It 'writes one Nagios line and sets $LASTEXITCODE as the pools go stale' {
            Add-Pool web01 daily ([timespan]'01:00:00') ([timespan]'1.00:00:00') @('active', 'active')

            $ok = @(Test-AutoSnapshotFreshness -Schedule daily -Session $Session -Nagios); $okCode = $LASTEXITCODE
            Move-Clock ([timespan]'1.02:00:00')
            $warning = @(Test-AutoSnapshotFreshness -Schedule daily -Session $Session -Nagios); $warningCode = $LASTEXITCODE
            Move-Clock ([timespan]'1.00:00:00')
            $critical = @(Test-AutoSnapshotFreshness -Schedule daily -Session $Session -Nagios); $criticalCode = $LASTEXITCODE

            $ok | Should -HaveCount 1
            $ok[0] | Should -Match '^AUTOSNAP OK - 1 pool fresh: web01/daily newest good 1h0\dm ago \| pools=1 ok=1 warning=0 critical=0 unknown=0$'
            $okCode | Should -Be 0
            $warning[0] | Should -Match '^AUTOSNAP WARNING - 1 of 1 pool stale: web01/daily newest good 1d03h ago \(warning 26h\) \| pools=1 ok=0 warning=1 critical=0 unknown=0$'
            $warningCode | Should -Be 1
            $critical[0] | Should -Match '^AUTOSNAP CRITICAL - 1 of 1 pool stale: web01/daily newest good 2d03h ago \(critical 50h\) \|'
            $criticalCode | Should -Be 2
        }

        It 'is UNKNOWN with exit code 3 when no pool exists at all, or a server is not found' {
            $none = Test-AutoSnapshotFreshness -Session $Session -Nagios; $noneCode = $LASTEXITCODE
            $missing = Test-AutoSnapshotFreshness -Server nosuchserver -Schedule daily -Session $Session -Nagios; $missingCode = $LASTEXITCODE

            $none | Should -BeExactly 'AUTOSNAP UNKNOWN - no Autosnap pools found | pools=0 ok=0 warning=0 critical=0 unknown=0'
            $noneCode | Should -Be 3
            $missing | Should -BeLike "AUTOSNAP UNKNOWN - 1 of 1 pool unknown: nosuchserver/daily no server with id or name 'nosuchserver' in DFW |*"
            $missingCode | Should -Be 3
        }

        It 'refuses a duration it cannot read, and a bare number, when binding' {
            { Test-AutoSnapshotFreshness -Warning 26x -Session $Session } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Autosnap.Cmdlets.TestAutoSnapshotFreshnessCommand'
            { Test-AutoSnapshotFreshness -Warning 26 -Session $Session } | Should -Throw '*26 is a number without a unit*'
        }

        It 'has a table view for results' {
            Get-FormatData -TypeName Autosnap.Model.AutoSnapshotFreshness | Should -Not -BeNullOrEmpty
            Add-Pool web01 daily ([timespan]'1.06:00:00') ([timespan]'1.00:00:00') @('active')
            $table = Test-AutoSnapshotFreshness -Server web01 -Session $Session | Format-Table | Out-String -Width 160
            $table | Should -Match 'WARNING\s+web01/daily\s+DFW'
            $table | Should -Match '1d06h'
        }
    }

    Describe 'check_autosnap.ps1' {
        It 'exits 0 with an OK line for a fresh pool' {
            Add-Pool web01 daily ([timespan]'01:00:00') ([timespan]'1.00:00:00') @('active')

            $output = @(Invoke-Plugin -Arguments '-Server', 'web01', '-Schedule', 'daily', '-Warning', '26h', '-Critical', '2d')

            $LASTEXITCODE | Should -Be 0
            $output | Should -HaveCount 1
            $output[0] | Should -BeLike 'AUTOSNAP OK - 1 pool fresh: web01/daily newest good 1h0?m ago | pools=1 ok=1 warning=0 critical=0 unknown=0'
        }

        It 'exits 1 when the newest good image is older than -Warning, a failed newer image notwithstanding' {
            Add-Pool web01 daily ([timespan]'02:00:00') ([timespan]'1.00:00:00') @('active', 'killed')

            $output = @(Invoke-Plugin -Arguments '-Server', 'web01', '-Schedule', 'daily', '-Warning', '1d', '-Critical', '2d')

            $LASTEXITCODE | Should -Be 1
            $output[0] | Should -BeLike 'AUTOSNAP WARNING - 1 of 1 pool stale: web01/daily newest good 1d02h ago (warning 1d, 1 failed since) |*'
        }

        It 'exits 2 for a server whose job never ran, with every pool of the region counted' {
            Add-Pool web01 daily ([timespan]'01:00:00') ([timespan]'1.00:00:00') @('active')

            $output = @(Invoke-Plugin -Arguments '-Server', 'web01,db01', '-Schedule', 'daily')

            $LASTEXITCODE | Should -Be 2
            $output | Should -HaveCount 1
            $output[0] | Should -BeExactly 'AUTOSNAP CRITICAL - 1 of 2 pools stale: db01/daily no snapshot in this pool (the job never ran) | pools=2 ok=1 warning=0 critical=1 unknown=0'
        }

        It 'reads credentials from -CredentialFile' {
            Add-Pool web01 daily ([timespan]'01:00:00') ([timespan]'1.00:00:00') @('active')
            $file = Join-Path ([IO.Path]::GetTempPath()) "autosnap-credentials-$([guid]::NewGuid())"
            Set-Content -Path $file -Value @('RACKSPACE_USERNAME=demo', 'RACKSPACE_API_KEY=demo-api-key', "RACKSPACE_IDENTITY_URL=$($Cloud.Url)/v2.0")
            # The module refuses a credential file that others can read.
            if ($IsWindows) { $null = icacls $file /inheritance:r /grant:r "$([Environment]::UserName):(F)" } else { chmod 600 $file }
            $saved = $env:RACKSPACE_API_KEY
            try {
                $env:RACKSPACE_API_KEY = $null
                $output = @(Invoke-Plugin -Arguments '-CredentialFile', $file, '-Region', 'DFW')
                $code = $LASTEXITCODE
            }
            finally {
                $env:RACKSPACE_API_KEY = $saved
                Remove-Item $file
            }

            $code | Should -Be 0
            $output[0] | Should -BeLike 'AUTOSNAP OK - 1 pool fresh: web01/daily *'
        }

        It 'exits 3 with UNKNOWN for <Case>' -ForEach @(
            @{ Case = 'an unknown option'; Arguments = @('-Server', 'web01', '-Bogus'); Expected = 'AUTOSNAP UNKNOWN - bad arguments: unknown option -Bogus;*' }
            @{ Case = 'a duration it cannot read'; Arguments = @('-Warning', '26'); Expected = "AUTOSNAP UNKNOWN - bad arguments: -Warning: '26' is not a duration*" }
            @{ Case = 'an option without its value'; Arguments = @('-Server'); Expected = 'AUTOSNAP UNKNOWN - bad arguments: -Server needs a value*' }
            @{ Case = 'thresholds in the wrong order'; Arguments = @('-Warning', '2d', '-Critical', '1d'); Expected = 'AUTOSNAP UNKNOWN - The warning age (2d) must be below the critical age (1d).' }
            @{ Case = 'a region the catalog lacks'; Arguments = @('-Region', 'MARS'); Expected = "AUTOSNAP UNKNOWN - cannot connect: Region 'MARS' is not in this account's catalog.*" }
            @{ Case = 'no Autosnap pool in the region'; Arguments = @(); Expected = 'AUTOSNAP UNKNOWN - no Autosnap pools found | pools=0*' }
        ) {
            $output = @(Invoke-Plugin -Arguments $Arguments)

            $LASTEXITCODE | Should -Be 3
            $output | Should -HaveCount 1
            $output[0] | Should -BeLike $Expected
        }

        It 'exits 3 when authentication fails, and never prints the secret' {
            $saved = $env:RACKSPACE_API_KEY
            try {
                $env:RACKSPACE_API_KEY = 'not-the-key-0123456789'
                $output = @(Invoke-Plugin -Arguments '-Server', 'web01' 2>&1)
                $code = $LASTEXITCODE
            }
            finally {
                $env:RACKSPACE_API_KEY = $saved
            }

            $code | Should -Be 3
            "$output" | Should -BeLike 'AUTOSNAP UNKNOWN - cannot connect: The identity service at * refused the API key of user ''demo''*'
            "$output" | Should -Not -Match 'not-the-key-0123456789'
        }

        It 'never echoes a stray word, which may be a secret typed in the wrong place' {
            $output = @(Invoke-Plugin -Arguments '-Server', 'web01', 'hunter2-secret-word')

            $LASTEXITCODE | Should -Be 3
            "$output" | Should -BeLike 'AUTOSNAP UNKNOWN - bad arguments: argument 3 is not an option*'
            "$output" | Should -Not -Match 'hunter2'
        }
    }
}
