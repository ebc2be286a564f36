# out/Autosnap/scripts/autosnap.ps1, the cron entry point, in a fresh `pwsh -NoProfile -NonInteractive -File` against the tier,
# with the credentials in the OS_* variables of the tier's env file, as cron would have them. Uses autosnap-it-1.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'ModuleHelpers.ps1')
    $script:ServerId = $Rig.servers[0].id
    $script:Pool = "$Marker-cron"

    $before = Set-TestEnvironment $DemoEnv
    try { $session = Connect-RackspaceCloud -NotDefault -ErrorAction Stop } finally { Restore-Environment $before }
    $server = Get-RackspaceServer -Session $session -Id $ServerId
    $script:Old = (New-TestPools -Pools @(@{ Server = $server; Schedule = $Pool }) -Count 1 -Token $Token -Session $session)["$ServerId/$Pool"][0]
}

AfterAll {
    if ($Token) {
        Wait-OsRigServerIdle -ServerId $ServerId -Token $Token | Out-Null
        $null = Remove-TestImages -Marker $Marker -Token $Token
    }
    if ($SavedEnv) { Restore-Environment $SavedEnv }
}

Describe 'autosnap.ps1 against the real services' {

    It 'connects from OS_*, snapshots, waits, rotates (-Retention 0 keeps only the new image) and exits 0' {
        $run = Invoke-SnapshotStep -What 'the autosnap.ps1 run' -Schedule $Pool -Keep $Old.Id -ServerId $ServerId -Token $Token -Action {
            Wait-ServerSettled -ServerId $ServerId -Token $Token
            $before = Set-TestEnvironment $DemoEnv
            try { Invoke-AutosnapScript -ArgumentList @('-Server', 'autosnap-it-1', '-Schedule', $Pool, '-Retention', '0', '-Timeout', '00:01:00') }
            finally { Restore-Environment $before }
        } -Succeeded { param($r) $r.ExitCode -eq 0 }
        $run.ExitCode | Should -Be 0 -Because ($run.Stdout + $run.Stderr -join "`n")
        $kept = @(Get-GlanceImages -Filter @{ autosnap_schedule = $Pool } -Token $Token)
        $kept.Count | Should -Be 1
        $kept[0].id | Should -Not -Be $Old.Id
        $kept[0].status | Should -Be 'active'
        $kept[0].autosnap_server | Should -Be $ServerId
        Get-GlanceImage -Id $Old.Id -Token $Token | Should -BeNullOrEmpty
        ($run.Stdout -join "`n") | Should -Match "autosnap-it-1 $Pool snapshot \S+ \($($kept[0].id)\) active"
        ($run.Stdout -join "`n") | Should -Match "autosnap-it-1 $Pool deleted \S+ \($($Old.Id)\): not among the newest 1 good"
        $run.Stdout[-1] | Should -Be 'autosnap: 1 job(s): 1 succeeded, 0 skipped, 0 failed'
        $run.Stderr | Should -BeNullOrEmpty
    }

    It 'exits 3 with a wrong OS_PASSWORD, says why on stderr without the password, and changes nothing' {
        $wrong = 'wrong-' + [guid]::NewGuid().ToString('N')
        $values = @{} + $DemoEnv
        $values['OS_PASSWORD'] = $wrong
        $imagesBefore = @(Get-GlanceImages -Filter @{ autosnap_schedule = $Pool } -Token $Token).id
        $before = Set-TestEnvironment $values
        try { $run = Invoke-AutosnapScript -ArgumentList @('-Server', 'autosnap-it-1', '-Schedule', $Pool, '-Retention', '0') }
        finally { Restore-Environment $before }
        $run.ExitCode | Should -Be 3
        ($run.Stderr -join "`n") | Should -Match '(?m)^autosnap: cannot connect: .*refused the password of user ''demo'' \(401'
        ($run.Stdout + $run.Stderr) -join "`n" | Should -Not -Match $wrong
        @(Get-GlanceImages -Filter @{ autosnap_schedule = $Pool } -Token $Token).id | Should -Be $imagesBefore
    }

    It 'exits 3 for a server Nova does not have (a configuration error, not a failed night)' {
        $before = Set-TestEnvironment $DemoEnv
        try { $run = Invoke-AutosnapScript -ArgumentList @('-Server', "$Marker-no-such-server", '-Schedule', $Pool, '-Retention', '0') }
        finally { Restore-Environment $before }
        $run.ExitCode | Should -Be 3
        ($run.Stderr -join "`n") | Should -Match "No server with id or name '$Marker-no-such-server' in region RegionOne"
        $run.Stdout[-1] | Should -Be 'autosnap: 1 job(s): 0 succeeded, 0 skipped, 1 failed'
    }

    It 'exits 2, deleting nothing, when every snapshot fails (control/fail)' {
        $imagesBefore = @(Get-GlanceImages -Filter @{ autosnap_schedule = $Pool } -Token $Token).id
        Wait-ServerSettled -ServerId $ServerId -Token $Token
        Set-OsRigSnapshotControl fail $true
        $before = Set-TestEnvironment $DemoEnv
        try { $run = Invoke-AutosnapScript -ArgumentList @('-Server', 'autosnap-it-1', '-Schedule', $Pool, '-Retention', '0', '-Timeout', '00:01:00') }
        finally { Restore-Environment $before; Set-OsRigSnapshotControl fail $false }
        $run.ExitCode | Should -Be 2 -Because ($run.Stdout + $run.Stderr -join "`n")
        ($run.Stderr -join "`n") | Should -Match 'nothing was deleted'
        @(Get-GlanceImages -Filter @{ autosnap_schedule = $Pool } -Token $Token).id | Should -Be $imagesBefore
    }
}
