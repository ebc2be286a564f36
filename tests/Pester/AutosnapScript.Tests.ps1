# autosnap.ps1, the cron / Task Scheduler entry point, run as cron runs it: a fresh
# `pwsh -NoProfile -NonInteractive -File`, credentials in the environment, and its exit code.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0 }
    $script:Script = Join-Path $ModulePath 'scripts/autosnap.ps1'
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("autosnap-script-{0}" -f [guid]::NewGuid())
    $null = New-Item -ItemType Directory $Work

    # Runs autosnap.ps1 with the given environment; returns stdout lines, stderr text and the exit code.
    function Invoke-Autosnap {
        param([string[]] $Arguments, [hashtable] $Environment = @{}, [string] $Path = $Script)
        $pwsh = @(Get-PwshCommand)
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $Path) + $Arguments) { $start.ArgumentList.Add($a) }
        foreach ($name in 'RACKSPACE_USERNAME', 'RACKSPACE_API_KEY', 'RACKSPACE_IDENTITY_URL', 'RACKSPACE_REGION', 'OS_AUTH_URL', 'OS_USERNAME', 'OS_PASSWORD') {
            $null = $start.Environment.Remove($name)
        }
        foreach ($pair in $Environment.GetEnumerator()) { $start.Environment[$pair.Key] = $pair.Value }
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

    $script:DemoEnv = @{ RACKSPACE_USERNAME = 'demo'; RACKSPACE_API_KEY = 'demo-api-key'; RACKSPACE_IDENTITY_URL = $Cloud.IdentityV2Url; RACKSPACE_REGION = 'DFW' }

    function New-TestServer([string] $Prefix, [string] $Region = 'DFW') {
        New-LocalCloudServer -NamePrefix "$Prefix-" -Region $Region | Select-Object -First 1
    }
}

AfterAll {
    Stop-LocalCloud
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'autosnap.ps1' {
    It 'runs the job, writes a line per action and exits 0' {
        $server = New-TestServer 'cron'
        $run = Invoke-Autosnap -Arguments '-Server', $server.name, '-Schedule', 'daily', '-Retention', '1' -Environment $DemoEnv
        $run.ExitCode | Should -Be 0 -Because $run.Err
        ($run.Out -join "`n") | Should -Match "(?m) $($server.name) daily snapshot $($server.name)-daily-\d{8}T\d{6}Z \([0-9a-f-]{36}\) active, crash-consistent$"
        $run.Out[-1] | Should -Be 'autosnap: 1 job(s): 1 succeeded, 0 skipped, 0 failed'
    }

    It 'is the original script done right: five runs with retention 2 leave three good images' {
        $server = New-TestServer 'orig'
        1..5 | ForEach-Object {
            (Invoke-Autosnap -Arguments '-Server', $server.id, '-Retention', '2' -Environment $DemoEnv).ExitCode | Should -Be 0
            Move-LocalCloudClock -By ([timespan]::FromDays(1)) | Out-Null
        }
        $token = Get-LocalCloudToken
        $images = Invoke-RestMethod "$($Cloud.Url)/image/dfw/v2/images?autosnap_server=$($server.id)&autosnap_schedule=default" -Headers @{ 'X-Auth-Token' = $token }
        @($images.images).Count | Should -Be 3
        @($images.images.status | Sort-Object -Unique) | Should -Be @('active')
    }

    It 'accepts the original positional arguments, warning once that the key is exposed' {
        $server = New-TestServer 'compat'
        $run = Invoke-Autosnap -Arguments 'demo', 'demo-api-key', $server.id, '7', 'DFW' -Environment @{ RACKSPACE_IDENTITY_URL = $Cloud.IdentityV2Url }
        $run.ExitCode | Should -Be 0 -Because $run.Err
        ([regex]::Matches($run.Err, 'visible|can read it')).Count | Should -Be 1
        $run.Err | Should -Match 'other users can read it'
    }

    It 'exits 1 when some servers fail and 2 when all do' {
        $one = New-TestServer 'partial'
        $two = New-TestServer 'partial2'
        Set-LocalCloudServerState -Id $two.id -Status ERROR
        $some = Invoke-Autosnap -Arguments '-Server', "$($one.name),$($two.name)", '-Retention', '1' -Environment $DemoEnv
        $some.ExitCode | Should -Be 1 -Because $some.Err
        $some.Err | Should -Match "is ERROR; a snapshot needs it ACTIVE"
        $all = Invoke-Autosnap -Arguments '-Server', $two.name, '-Retention', '1' -Environment $DemoEnv
        $all.ExitCode | Should -Be 2
    }

    It 'exits 3 when a server named does not exist, after the others ran' {
        $server = New-TestServer 'typo'
        $run = Invoke-Autosnap -Arguments '-Server', "$($server.name),no-such-server", '-Retention', '1' -Environment $DemoEnv
        $run.ExitCode | Should -Be 3
        $run.Err | Should -Match "No server with id or name 'no-such-server'"
        ($run.Out -join "`n") | Should -Match "$($server.name) default succeeded"
    }

    It 'exits 2, deleting nothing, when every new snapshot fails' {
        $server = New-TestServer 'allfail'
        (Invoke-Autosnap -Arguments '-Server', $server.id, '-Retention', '0' -Environment $DemoEnv).ExitCode | Should -Be 0
        Set-LocalCloudConfig @{ snapshotFailRate = 1 } | Out-Null
        try {
            Reset-LocalCloudStats | Out-Null
            $run = Invoke-Autosnap -Arguments '-Server', $server.id, '-Retention', '0' -Environment $DemoEnv
            $run.ExitCode | Should -Be 2
            $run.Err | Should -Match 'nothing was deleted'
            (Get-LocalCloudStats).byRoute.'DELETE /v2/images/{id}' | Should -BeNullOrEmpty
        }
        finally { Set-LocalCloudConfig @{ snapshotFailRate = 0 } | Out-Null }
    }

    It 'exits 3 for <Case>' -ForEach @(
        @{ Case = 'an unknown option'; Arguments = @('-Server', 'web01', '-Retention', '1', '-Bogus', 'x'); Message = 'unknown option -Bogus' }
        @{ Case = 'a negative retention'; Arguments = @('-Server', 'web01', '-Retention', '-3'); Message = "-Retention must be a whole number of 0 or more, not '-3'" }
        @{ Case = 'no retention at all'; Arguments = @('-Server', 'web01'); Message = 'say what to keep' }
        @{ Case = 'no server'; Arguments = @('-Retention', '1'); Message = 'give one of -Server (with -Retention or bucket rules), -Policy <file> or -FromServerMetadata' }
        @{ Case = 'an option without its value'; Arguments = @('-Server'); Message = '-Server needs a value' }
        @{ Case = 'a wrong number of positional arguments'; Arguments = @('demo', 'key', 'web01'); Message = 'exactly the five arguments' }
        @{ Case = 'retention and bucket rules together'; Arguments = @('-Server', 'web01', '-Retention', '1', '-KeepDaily', '3'); Message = 'Retention' }
        @{ Case = 'a retention that is not a number'; Arguments = @('-Server', 'web01', '-Retention', 'x'); Message = '-Retention must be a whole number of 0 or more' }
        @{ Case = 'six positional arguments'; Arguments = @('demo', 'key', 'web01', '7', 'DFW', 'extra'); Message = 'exactly the five arguments' }
    ) {
        $run = Invoke-Autosnap -Arguments $Arguments -Environment $DemoEnv
        $run.ExitCode | Should -Be 3
        $run.Err | Should -Match ([regex]::Escape($Message))
    }

    It 'exits 3 when authentication fails, without printing the key' {
        $env = $DemoEnv.Clone(); $env.RACKSPACE_API_KEY = 'wrong-key-31337'
        $run = Invoke-Autosnap -Arguments '-Server', 'web01', '-Retention', '1' -Environment $env
        $run.ExitCode | Should -Be 3
        $run.Err | Should -Match 'refused the API key of user ''demo'''
        ($run.Out + $run.Err) -join "`n" | Should -Not -Match 'wrong-key-31337'
    }

    It 'exits 3 when there are no credentials at all' {
        $run = Invoke-Autosnap -Arguments '-Server', 'web01', '-Retention', '1'
        $run.ExitCode | Should -Be 3
        $run.Err | Should -Match 'No credentials in the environment'
    }

    It 'reads a credential file only when nobody else can read it' -Skip:$IsWindows {
        $file = Join-Path $Work 'credentials'
        Set-Content $file "RACKSPACE_USERNAME=demo`nexport RACKSPACE_API_KEY='demo-api-key'`nRACKSPACE_IDENTITY_URL=$($Cloud.IdentityV2Url)"
        chmod 644 $file
        $open = Invoke-Autosnap -Arguments '-Server', 'web01', '-Retention', '3', '-CredentialFile', $file
        $open.ExitCode | Should -Be 3
        $open.Err | Should -Match 'is readable by others \(mode 644\)'
        chmod 600 $file
        $private = Invoke-Autosnap -Arguments '-Server', 'web01', '-Retention', '3', '-CredentialFile', $file
        $private.ExitCode | Should -Be 0 -Because $private.Err
    }

    It 'changes nothing with -WhatIf' {
        $server = New-TestServer 'scriptwhatif'
        Reset-LocalCloudStats | Out-Null
        $run = Invoke-Autosnap -Arguments '-Server', $server.id, '-Retention', '0', '-WhatIf' -Environment $DemoEnv
        $run.ExitCode | Should -Be 0
        ($run.Out -join "`n") | Should -Match 'What if'
        (Get-LocalCloudStats).byRoute.'POST /servers/{id}/action' | Should -BeNullOrEmpty
    }

    It 'appends JSON lines with -LogPath' {
        $server = New-TestServer 'log'
        $log = Join-Path $Work 'autosnap.jsonl'
        1..2 | ForEach-Object { (Invoke-Autosnap -Arguments '-Server', $server.id, '-Retention', '0', '-LogPath', $log -Environment $DemoEnv).ExitCode | Should -Be 0 }
        $records = Get-Content $log | ConvertFrom-Json
        @($records | Where-Object event -EQ job).Count | Should -Be 2
        ($records | Where-Object event -EQ delete).outcome | Should -Be 'Deleted'
        ($records | Where-Object event -EQ job | Select-Object -Last 1).status | Should -Be 'Succeeded'
    }
}

Describe 'autosnap.ps1 reports the night' {
    It 'sends a failing night with its reason and a stuck image to AUTOSNAP_NOTIFY_URL, costs a dead webhook only its timeout, and shows no secret' {
        $server = New-TestServer 'notify'
        $now = Get-LocalCloudClock
        $owner = @{ autosnap_server = $server.id; autosnap_schedule = 'daily' }
        $stuck = New-LocalCloudImage -Server $server.id -NamePrefix 'notify-stuck-' -Status saving -CreatedFrom $now.AddDays(-3) -Properties $owner
        $null = New-LocalCloudImage -Server $server.id -NamePrefix 'notify-good-' -Status active -CreatedFrom $now.AddHours(-1) -Properties $owner
        Set-LocalCloudServerState -Id $server.id -Status ERROR
        # A dead webhook: the listener's backlog takes the connection and the request, and nothing ever answers.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $url = "http://hookuser:pa55w0rd@127.0.0.1:$($listener.LocalEndpoint.Port)/services/T0K3NPATH?sig=S1GN4TURE"
            $log = Join-Path $Work 'notify.jsonl'
            $run = Invoke-Autosnap -Arguments '-Server', $server.name, '-Schedule', 'daily', '-Retention', '3', '-LogPath', $log, '-NotifyTimeout', '2s' `
                -Environment ($DemoEnv + @{ AUTOSNAP_NOTIFY_URL = $url })
            $client = $listener.AcceptTcpClient()
            $request = [System.IO.StreamReader]::new($client.GetStream()).ReadToEnd()
            $client.Dispose()
        }
        finally { $listener.Stop() }

        # The night's exit code is the night's, whatever became of the notification.
        $run.ExitCode | Should -Be 2 -Because $run.Err
        $run.Err | Should -Match "The notification to http://127\.0\.0\.1:\d+/\.\.\. \(redacted\) was not sent: no answer within its timeout of 2s"
        ($run.Out -join "`n") | Should -Match "stuck notify-stuck-001 \($stuck\) saving for 3d00h \(limit 2h\); remove with: Remove-AutoSnapshot -Id $stuck -Region DFW -Force"
        $request | Should -Match '^POST /services/T0K3NPATH\?sig=S1GN4TURE HTTP/1\.1'
        $summary = ($request -split "`r`n`r`n", 2)[1] | ConvertFrom-Json
        $summary.status | Should -Be 'failed'
        $summary.exitCode | Should -Be 2
        $summary.jobs[0].message | Should -Match 'is ERROR; a snapshot needs it ACTIVE'
        $summary.stuck[0].imageId | Should -Be $stuck
        $records = Get-Content $log | ConvertFrom-Json
        ($records | Where-Object event -EQ stuck).imageId | Should -Be $stuck
        ($records | Where-Object event -EQ notify).outcome | Should -Be 'TimedOut'
        foreach ($secret in 'T0K3NPATH', 'S1GN4TURE', 'hookuser', 'pa55w0rd') {
            (($run.Out -join "`n") + $run.Err + (Get-Content -Raw $log)) | Should -Not -Match $secret
        }

        # The monitor sees the stuck image too: the pool is fresh, and WARNING.
        $check = Invoke-Autosnap -Path (Join-Path $ModulePath 'scripts/check_autosnap.ps1') -Arguments '-Server', $server.name, '-Schedule', 'daily' -Environment $DemoEnv
        $check.ExitCode | Should -Be 1 -Because $check.Err
        $check.Out[0] | Should -Match "^AUTOSNAP WARNING - 1 of 1 pool with a stuck restore point: $($server.name)/daily newest good 1h\d\dm ago \(1 stuck: .*remove with: Remove-AutoSnapshot -Id $stuck -Region DFW -Force\)"
    }

    It 'refuses a notification URL that is not http(s), without repeating it' {
        $bad = Invoke-Autosnap -Arguments '-Server', 'x', '-Retention', '1', '-NotifyUrl', 'ftp://host/S3CR3T' -Environment $DemoEnv
        $bad.ExitCode | Should -Be 3
        $bad.Err | Should -Match 'absolute http:// or https:// URL'
        $bad.Err | Should -Not -Match 'S3CR3T'
    }
}
