# Restore tests through PowerShell, against one LocalCloud from out/LocalCloud: Test-AutoSnapshotRestore's
# -Validate script block (it runs on the pipeline thread, in this runspace), then autosnap.ps1 and check_autosnap.ps1
# in fresh pwsh processes, as cron and NRPE start them. The engine's cases are in tests/Autosnap.Tests/RestoreTests.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')

    # Good images of one pool, an hour apart, the newest a day before the cloud's now; returns their ids, oldest first.
    function Add-Pool([string] $ServerName, [string] $Schedule, [int] $Count = 2) {
        $serverId = $ServerIds[$ServerName]
        $now = Get-LocalCloudClock
        $answer = Invoke-LocalCloudAdmin Post images -Body @{
            count       = $Count
            region      = 'DFW'
            server      = $serverId
            namePrefix  = "$ServerName-$Schedule-"
            statuses    = @('active')
            createdFrom = $now.AddDays(-1).AddHours(1 - $Count).UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ssZ')
            createdStep = '01:00:00'
            properties  = @{ autosnap_schedule = $Schedule; autosnap_server = $serverId }
        }
        @($answer.ids)
    }

    # A script of the module's in a fresh pwsh, credentials in the environment; stdout lines, stderr and exit code.
    function Invoke-ModuleScript([string] $Name, [string[]] $Arguments) {
        $pwsh = @(Get-PwshCommand)
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $ModulePath "scripts/$Name")) + $Arguments) {
            $start.ArgumentList.Add($a)
        }
        foreach ($pair in @{ RACKSPACE_USERNAME = 'demo'; RACKSPACE_API_KEY = 'demo-api-key'; RACKSPACE_IDENTITY_URL = $Cloud.IdentityV2Url; RACKSPACE_REGION = 'DFW' }.GetEnumerator()) {
            $start.Environment[$pair.Key] = $pair.Value
        }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.RedirectStandardInput = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $process.StandardInput.Close()
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Out = @($stdout -split "`r?`n" | Where-Object { $_ }); Err = $stderr.Result }
    }

    function Get-Throwaway { @(Get-RackspaceServer -Session $Session | Where-Object { $_.Metadata.ContainsKey('autosnap_restore_test') }) }

    # Servers boot at once: no wait in these tests is longer than one look.
    $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0; bootSeconds = 0 }
    $script:ServerIds = @{}
    foreach ($server in (Invoke-LocalCloudAdmin Get state).regions.DFW.serverList) { $ServerIds[$server.name] = $server.id }
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("autosnap-restore-{0}" -f [guid]::NewGuid())
    $null = New-Item -ItemType Directory $Work
    Import-Module $ModuleManifest -Force
    $script:Session = Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey (ConvertTo-SecureString demo-api-key -AsPlainText -Force) -Region DFW -NotDefault
}

AfterAll {
    Stop-LocalCloud
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Test-AutoSnapshotRestore' {
    It 'runs -Validate in this runspace with the ACTIVE throwaway server, records Verified and deletes the server' {
        $ids = Add-Pool web01 weekly
        $seen = [System.Collections.Generic.List[string]]::new()

        $result = Test-AutoSnapshotRestore -Server web01 -Schedule weekly -Session $Session -Validate {
            param($server)
            $seen.Add("$($server.Status) $($server.Metadata['autosnap_restore_test'])")
        }

        $result.Outcome | Should -Be Verified
        $result.ImageId | Should -Be $ids[-1]
        $result.Reason | Should -Be 'ACTIVE, validation passed'
        @($seen) | Should -Be @("ACTIVE $($ids[-1])")
        (Get-AutoSnapshot -Id $ids[-1] -Session $Session).RestoreVerified | Should -Not -BeNullOrEmpty
        Get-Throwaway | Should -BeNullOrEmpty
        ($result | Format-Table | Out-String) | Should -Match 'Verified\s+web01/weekly\s+DFW'
    }

    It 'fails the test when -Validate throws or returns $false, and still deletes the throwaway server' {
        $ids = Add-Pool db01 weekly

        $thrown = Test-AutoSnapshotRestore -Server db01 -Schedule weekly -Session $Session -Validate { throw 'no database on 5432' }
        $false_ = Get-AutoSnapshot -Id $ids[-1] -Session $Session | Test-AutoSnapshotRestore -Session $Session -Validate { $false }

        $thrown.Outcome | Should -Be Failed
        $thrown.Reason | Should -Be 'validation failed: no database on 5432'
        $false_.Outcome | Should -Be Failed
        $false_.Reason | Should -Be 'validation returned $false'
        (Get-AutoSnapshot -Id $ids[-1] -Session $Session).RestoreFailedReason | Should -Be 'validation returned $false'
        Get-Throwaway | Should -BeNullOrEmpty
    }
}

Describe 'autosnap.ps1 and check_autosnap.ps1 with restore tests' {
    It 'runs the due restore tests after the night, counts the failed one, and the check is CRITICAL for that pool only' {
        $web = Add-Pool web01 nightly
        $db = Add-Pool db01 nightly
        foreach ($id in $db) { $null = Invoke-LocalCloudAdmin Patch "images/$id" -Body @{ boots = $false } }
        $policy = Join-Path $Work 'policy.json'
        # minInterval: the pools are fresh, so the night makes no snapshot and only the restore tests act.
        @'
{ "policies": [ { "schedule": "nightly", "targets": { "names": ["web01", "db01"] }, "retention": 7, "minInterval": "2d",
                  "restoreTest": { "every": "7d", "timeout": "10m" } } ] }
'@ | Set-Content -Path $policy -Encoding utf8

        $night = Invoke-ModuleScript autosnap.ps1 @('-Policy', $policy)
        $check = Invoke-ModuleScript check_autosnap.ps1 @('-Schedule', 'nightly', '-RestoreTestedWithin', '8d')

        $night.ExitCode | Should -Be 1 -Because ($night.Out + $night.Err -join "`n")
        $night.Out | Should -Contain ($night.Out | Where-Object { $_ -match "web01/nightly restore test verified web01-nightly-\S+ \($($web[-1])\) flavor .+: ACTIVE$" })
        ($night.Out -match "db01/nightly restore test failed db01-nightly-\S+ \($($db[-1])\)").Count | Should -Be 1
        $night.Out | Should -Contain 'autosnap: 2 restore test(s): 1 verified, 1 failed, 0 could not run; 0 pool(s) not due'
        $night.Err | Should -Match 'autosnap: restore test of db01/nightly failed: the throwaway server went to ERROR'
        $check.ExitCode | Should -Be 2 -Because ($check.Out + $check.Err -join "`n")
        $check.Out[0] | Should -Match '^AUTOSNAP CRITICAL - 1 of 2 pools stale: db01/nightly newest good .*restore test of db01-nightly-\S+ failed'
        $check.Out[0] | Should -Match 'restore_failed=1 restore_stale=0$'
        Get-Throwaway | Should -BeNullOrEmpty
    }

    It 'counts a due restore test that cannot run (no room in the instance quota) as a failure of the night' {
        $null = Add-Pool web01 quota
        $policy = Join-Path $Work 'quota.json'
        @'
{ "policies": [ { "schedule": "quota", "targets": { "names": ["web01"] }, "retention": 7, "minInterval": "2d",
                  "restoreTest": { "every": "7d" } } ] }
'@ | Set-Content -Path $policy -Encoding utf8
        $null = Invoke-LocalCloudAdmin Post config -Body @{ maxTotalInstances = 0 }
        try { $night = Invoke-ModuleScript autosnap.ps1 @('-Policy', $policy) }
        finally { $null = Invoke-LocalCloudAdmin Post config -Body @{ maxTotalInstances = 100 } }

        # One job (skipped: the pool is fresh) and one restore test that could not run: some of the night failed.
        $night.ExitCode | Should -Be 1 -Because ($night.Out + $night.Err -join "`n")
        $night.Out | Should -Contain 'autosnap: 1 restore test(s): 0 verified, 0 failed, 1 could not run; 0 pool(s) not due'
        $night.Err | Should -Match 'quota'
        Get-Throwaway | Should -BeNullOrEmpty
    }
}
