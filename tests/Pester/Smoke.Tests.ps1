# A short smoke of `build.ps1 Bench` and `build.ps1 Soak`, so both keep working: the benchmark with tiny sizes
# (-Smoke) and the soak with 10 servers for 5 days (2 volume-backed, 2 image-backed with data volumes; 10 % faults of
# every kind instead of 20 %, so the retries' backoff keeps it short), side by side in two child processes. Benchmarks report and
# never fail a test run: nothing here asserts a speed or a missed target. The soak's invariants must hold.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("autosnap-smoke-{0}" -f [guid]::NewGuid())
    $null = New-Item -ItemType Directory -Force $script:Work
    $script:BenchJson = Join-Path $script:Work 'bench/results.json'
    $script:SoakDirectory = Join-Path $script:Work 'soak'

    function Start-Child([string] $File, [string[]] $Arguments) {
        $pwsh = @(Get-PwshCommand)
        $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $File) + $Arguments) { $start.ArgumentList.Add($argument) }
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [Diagnostics.Process]::Start($start)
        [pscustomobject]@{ Process = $process; StdOut = $process.StandardOutput.ReadToEndAsync(); StdErr = $process.StandardError.ReadToEndAsync() }
    }

    function Wait-Child($Child, [int] $TimeoutSeconds = 600) {
        if (-not $Child.Process.WaitForExit($TimeoutSeconds * 1000)) { $Child.Process.Kill($true); throw "a smoke run did not end within $TimeoutSeconds s" }
        $Child.Process.WaitForExit()
        [pscustomobject]@{ ExitCode = $Child.Process.ExitCode; StdOut = $Child.StdOut.Result; StdErr = $Child.StdErr.Result }
    }

    $repo = Join-Path $PSScriptRoot '../..'
    # The soak waits on the module's backoff timers most of the time, so the two share the cores well.
    $soak = Start-Child (Join-Path $repo 'tests/Soak/Invoke-Soak.ps1') @('-ModulePath', $script:ModulePath, '-Servers', '10', '-Days', '5', '-FaultRate', '0.1',
        '-LogDirectory', $script:SoakDirectory)
    $bench = Start-Child (Join-Path $repo 'tests/Bench/Invoke-Benchmark.ps1') @('-ModulePath', $script:ModulePath, '-Smoke', '-OutFile', $script:BenchJson)
    $script:Bench = Wait-Child $bench
    $script:Soak = Wait-Child $soak
    # The reports, as the build log shows them
    Write-Host $script:Bench.StdOut
    Write-Host $script:Soak.StdOut
    $script:BenchResults = if (Test-Path $script:BenchJson) { Get-Content -Raw $script:BenchJson | ConvertFrom-Json } else { $null }
    $soakJson = Join-Path $script:SoakDirectory 'results.json'
    $script:SoakResults = if (Test-Path $soakJson) { Get-Content -Raw $soakJson | ConvertFrom-Json } else { $null }
}

AfterAll {
    if ($script:Work -and (Test-Path $script:Work)) { Remove-Item -Recurse -Force $script:Work -ErrorAction SilentlyContinue }
}

Describe 'build.ps1 Bench, smoke size' {
    It 'runs to its end' {
        $script:Bench.StdErr | Should -BeNullOrEmpty
        $script:Bench.ExitCode | Should -Be 0
    }

    It 'prints the machine and a table for every measurement' {
        $out = $script:Bench.StdOut
        $out | Should -Match 'machine: .+ cores; .+; \.NET .+; pwsh '
        foreach ($title in '1\. Cold start for cron', '2\./3\. One server', 'API calls by route', '2v\. One volume-backed server', 'API calls by route, volume-backed job', '4\. Fleet:', 'Lower bounds', '4b\. One region, limits lifted', '5\. Listing:', 'Targets missed') {
            $out | Should -Match $title
        }
    }

    It 'writes every item to results.json, without a harness error' {
        $script:BenchResults | Should -Not -BeNullOrEmpty
        $script:BenchResults.PSObject.Properties.Name | Should -Not -Contain 'errors'
        foreach ($item in 'coldStart', 'job', 'openstack', 'volumeJob', 'fleet', 'scale', 'listing') {
            $script:BenchResults.items.PSObject.Properties.Name | Should -Contain $item
        }
        $script:BenchResults.items.coldStart.importAddsMs.Runs | Should -Be 3
        $script:BenchResults.items.job.calls.Median | Should -BeGreaterThan 0
        $script:BenchResults.items.volumeJob.calls.Median | Should -BeGreaterThan 0
        $script:BenchResults.items.volumeJob.byService.cinder | Should -BeGreaterThan 0
        $script:BenchResults.items.volumeJob.volumeSnapshotsCreated.Median | Should -Be 1
        $script:BenchResults.items.fleet.runs.PSObject.Properties.Name | Should -Not -BeNullOrEmpty
        $script:BenchResults.items.listing.scopes.Schedule.objects | Should -BeGreaterThan 0
        $script:BenchResults.items.listing.scopes.Schedule.queries | Should -Not -BeNullOrEmpty
    }

    It 'compares with the openstack command line client where it is installed, and says why not elsewhere' {
        $openstack = $script:BenchResults.items.openstack
        if ((Test-Path /usr/bin/openstack) -or (Get-Command openstack -CommandType Application -ErrorAction SilentlyContinue)) {
            $openstack.PSObject.Properties.Name | Should -Contain 'ratioWall'
            $openstack.calls.Median | Should -BeGreaterThan 0
        }
        else {
            $openstack.skipped | Should -Match 'not installed'
            $script:Bench.StdOut | Should -Match 'openstack CLI: skipped'
        }
    }
}

Describe 'build.ps1 Soak, 10 servers for 5 days' {
    It 'runs to its end' {
        $script:Soak.StdErr | Should -BeNullOrEmpty
        $script:SoakResults | Should -Not -BeNullOrEmpty
        $script:SoakResults.totals.runs | Should -Be 5
    }

    It 'prints a line per day and the totals' {
        $script:Soak.StdOut | Should -Match 'machine: .+ cores'
        foreach ($day in 1..5) { $script:Soak.StdOut | Should -Match "(?m)^\s+$day\s+[0-3]\s" }
        $script:Soak.StdOut | Should -Match 'Soak totals: 10 servers \(2 volume-backed, 2 with data volumes\) x 5 days'
        foreach ($total in 'faults injected', 'retries', 'restore points created', 'restore points deleted', 'volume snapshots created / deleted',
            'leftovers found / cleaned', 'volume snapshots leaked', 'violations') { $script:Soak.StdOut | Should -Match $total }
    }

    It 'injects faults and every run ends with a documented exit code' {
        $script:SoakResults.totals.faults | Should -BeGreaterThan 0
        $script:SoakResults.totals.requests | Should -BeGreaterThan 0
        foreach ($code in $script:SoakResults.totals.exitCodes.PSObject.Properties.Name) { $code | Should -BeIn @('0', '1', '2', '3') }
    }

    It 'snapshots the volumes and leaks no Cinder snapshot' {
        # every night: 2 volume-backed servers (restore points of 2 and 1 Cinder snapshots) and 2 with data volumes (1 and 2)
        $script:SoakResults.parameters.volumeBackedServers | Should -Be 2
        $script:SoakResults.parameters.dataVolumeServers | Should -Be 2
        $script:SoakResults.totals.volumeSnapshotsCreated | Should -BeGreaterThan 0
        $script:SoakResults.totals.volumeRequests | Should -BeGreaterThan 0
        $script:SoakResults.totals.leaked | Should -Be 0
        $script:SoakResults.totals.partsLost | Should -Be 0
    }

    It 'reports 0 violations' {
        $script:SoakResults.violations | Should -BeNullOrEmpty
        $script:SoakResults.totals.violations | Should -Be 0
        $script:Soak.StdOut | Should -Match '(?m)^violations = 0\s*$'
        $script:Soak.ExitCode | Should -Be 0
    }
}
