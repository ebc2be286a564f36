# Helpers shared by tests/Bench/Invoke-Benchmark.ps1 and tests/Soak/Invoke-Soak.ps1: the machine a figure was
# taken on, medians, child processes with their own environment, and plain-text tables.
# Dot-source it after setting $env:AUTOSNAP_MODULE_PATH (LocalCloud.ps1, dot-sourced here, finds out/ through it).

. (Join-Path $PSScriptRoot '../Pester/LocalCloud.ps1')

# Tables go to stdout as plain text, also when it is a pipe or a file (no ANSI colour codes in logs).
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }

function Get-BenchMachine {
    <# .SYNOPSIS The machine a figure was taken on: CPU model, cores, OS, .NET and pwsh versions, load. #>
    $cpu = 'unknown'
    if ($IsLinux -and (Test-Path /proc/cpuinfo)) {
        $line = Select-String -Path /proc/cpuinfo -Pattern '^model name\s*:\s*(.+)$' | Select-Object -First 1
        if ($line) { $cpu = $line.Matches[0].Groups[1].Value.Trim() }
    }
    elseif ($IsMacOS) {
        $cpu = (& sysctl -n machdep.cpu.brand_string 2>$null) -join ''
    }
    elseif ($IsWindows) {
        $cpu = (Get-ItemProperty 'HKLM:\HARDWARE\DESCRIPTION\System\CentralProcessor\0' -ErrorAction SilentlyContinue).ProcessorNameString
    }
    $load = if ($IsLinux -and (Test-Path /proc/loadavg)) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'n/a' }
    $pwsh = @(Get-PwshCommand)
    [pscustomobject][ordered]@{
        Cpu         = $cpu
        Cores       = [Environment]::ProcessorCount
        Os          = [Runtime.InteropServices.RuntimeInformation]::OSDescription.Trim()
        Dotnet      = [Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
        Pwsh        = $PSVersionTable.PSVersion.ToString()
        PwshCommand = $pwsh -join ' '
        LoadAverage = $load
        Commit      = (& git -C $PSScriptRoot rev-parse --short HEAD 2>$null) -join ''
        Date        = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
    }
}

function Write-BenchMachine {
    param([Parameter(Mandatory)] $Machine)
    Write-Host ("machine: {0}, {1} cores; {2}; {3}; pwsh {4}; load average at start {5}; commit {6}; {7}" -f
        $Machine.Cpu, $Machine.Cores, $Machine.Os, $Machine.Dotnet, $Machine.Pwsh, $Machine.LoadAverage, $Machine.Commit, $Machine.Date)
}

function Get-AutosnapScript {
    <# .SYNOPSIS The cron entry point of a built module: scripts/autosnap.ps1 (or autosnap.ps1 at the root, as before). #>
    param([Parameter(Mandatory)] [string] $ModulePath)
    foreach ($candidate in 'scripts/autosnap.ps1', 'autosnap.ps1') {
        $path = Join-Path $ModulePath $candidate
        if (Test-Path -PathType Leaf $path) { return $path }
    }
    throw "autosnap.ps1 is not in $ModulePath (looked in scripts/ and at the root)."
}

function Get-LoadAverage {
    if ($IsLinux -and (Test-Path /proc/loadavg)) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'n/a' }
}

function Get-Summary {
    <# .SYNOPSIS Median, min and max of some numbers (median of an even count: the mean of the middle two). #>
    param([double[]] $Values, [int] $Digits = 3)
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count -eq 0) { return [pscustomobject]@{ Median = $null; Min = $null; Max = $null; Runs = 0 } }
    $middle = [math]::Floor($sorted.Count / 2)
    $median = if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
    [pscustomobject][ordered]@{
        Median = [math]::Round($median, $Digits)
        Min    = [math]::Round($sorted[0], $Digits)
        Max    = [math]::Round($sorted[-1], $Digits)
        Runs   = $sorted.Count
    }
}

function Format-Summary {
    <# .SYNOPSIS "1.23 (1.10-1.40)" for a table cell. #>
    param($Summary, [string] $Format = '0.00')
    if ($null -eq $Summary -or $null -eq $Summary.Median) { return 'n/a' }
    if ($Summary.Runs -le 1) { return $Summary.Median.ToString($Format, [cultureinfo]::InvariantCulture) }
    '{0} ({1}-{2})' -f $Summary.Median.ToString($Format, [cultureinfo]::InvariantCulture),
        $Summary.Min.ToString($Format, [cultureinfo]::InvariantCulture), $Summary.Max.ToString($Format, [cultureinfo]::InvariantCulture)
}

function Invoke-BenchProcess {
    <#
    .SYNOPSIS
        Runs a program to its end with its own environment (null removes a variable) and returns exit code, wall
        seconds from start to exit, stdout and stderr.
    #>
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory,
        [int] $TimeoutSeconds = 3600
    )
    $start = [Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $ArgumentList) { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    if ($WorkingDirectory) { $start.WorkingDirectory = $WorkingDirectory }
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $start.Environment.Remove($name) }
        else { $start.Environment[$name] = [string]$Environment[$name] }
    }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $process = [Diagnostics.Process]::Start($start)
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $process.Kill($true)
        throw "$FilePath $($ArgumentList -join ' ') did not finish within $TimeoutSeconds s."
    }
    $seconds = $watch.Elapsed.TotalSeconds
    $process.WaitForExit()
    [pscustomobject]@{
        ExitCode = $process.ExitCode
        Seconds  = $seconds
        StdOut   = $stdout.Result
        StdErr   = $stderr.Result
    }
}

function Invoke-BenchPwsh {
    <# .SYNOPSIS Runs a script file in a fresh `pwsh -NoProfile -NonInteractive` (the pwsh of this run). #>
    param(
        [Parameter(Mandatory)] [string] $File,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 3600
    )
    $pwsh = @(Get-PwshCommand)
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $File) + $ArgumentList
    Invoke-BenchProcess -FilePath $pwsh[0] -ArgumentList $arguments -Environment $Environment -TimeoutSeconds $TimeoutSeconds
}

function Get-BenchResult {
    <# .SYNOPSIS The "BENCH-RESULT {json}" line a child script printed, as an object. #>
    param([Parameter(Mandatory)] $Run, [string] $What = 'child')
    $line = ($Run.StdOut -split "`r?`n") | Where-Object { $_.StartsWith('BENCH-RESULT ') } | Select-Object -Last 1
    if (-not $line) {
        throw "$What printed no result (exit code $($Run.ExitCode)). stdout: $($Run.StdOut.Trim()) stderr: $($Run.StdErr.Trim())"
    }
    $line.Substring('BENCH-RESULT '.Length) | ConvertFrom-Json
}

function Write-BenchTable {
    <# .SYNOPSIS A title and a plain-text table on stdout. #>
    param([Parameter(Mandatory)] [string] $Title, [Parameter(Mandatory)] [object[]] $Rows, [string[]] $Property)
    Write-Host ''
    Write-Host $Title
    Write-Host ('-' * [math]::Min(110, $Title.Length))
    $table = if ($Property) { $Rows | Format-Table -Property $Property -AutoSize -Wrap } else { $Rows | Format-Table -AutoSize -Wrap }
    Write-Host (($table | Out-String -Width 200).TrimEnd())
}

function Write-BenchNote {
    param([Parameter(Mandatory)] [string] $Text)
    foreach ($line in $Text -split "`n") { Write-Host "  $line" }
}

function Get-LocalCloudRequests {
    <# .SYNOPSIS LocalCloud's request log since the last stats reset (method, target with query, atSecond, ms, route, status). #>
    param($LocalCloud = $script:LocalCloud)
    @((Invoke-LocalCloudAdmin GET requests -LocalCloud $LocalCloud).requests)
}

function ConvertTo-Hashtable {
    <# .SYNOPSIS A PSCustomObject's properties (e.g. stats.byRoute) as an ordered hashtable. #>
    param($Object)
    $table = [ordered]@{}
    if ($null -ne $Object) {
        foreach ($property in $Object.PSObject.Properties) { $table[$property.Name] = $property.Value }
    }
    $table
}
