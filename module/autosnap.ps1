<#
.SYNOPSIS
    The nightly snapshot job for cron and Task Scheduler: connect, snapshot, wait, rotate.

.DESCRIPTION
    Runs the whole job for one or more servers and ends with an exit code a scheduler understands:
      0  every server done
      1  some servers failed (the others are done)
      2  every server failed
      3  bad arguments, configuration or authentication: nothing was attempted and nothing deleted; or a -Server
         that names no server (a typo must not pass for a failed night; the other servers still ran)

    Named form (credentials from the environment or from -CredentialFile, never from the command line):
      autosnap.ps1 -Policy /etc/autosnap/policy.json [-OnServerDeleted Keep|ApplyRetention]
                                                             every policy of a file (docs/policy.md)
      autosnap.ps1 -FromServerMetadata [-Region r | -AllRegions] the servers' own "autosnap:<schedule>" rules
      autosnap.ps1 -Server web1[,web2...] -Schedule daily -Retention 7 [-Region DFW]
                   [-KeepLast n] [-KeepHourly n] [-KeepDaily n] [-KeepWeekly n] [-KeepMonthly n] [-KeepYearly n]
                   [-KeepWithin 7d] [-TimeZone id] [-KeepFailed] [-AdoptLegacy] [-IncludeVolumes] [-ReclaimLeftovers]
                   [-Timeout 2h] [-MinInterval 20h] [-ThrottleLimit n] [-CredentialFile path] [-IdentityUrl url] [-AllowInsecureHttp] [-LogPath file]
                   [-Verbose] [-WhatIf]
    Compatibility form, the original autosnap.py's arguments (warns: the key is visible to other users):
      autosnap.ps1 <username> <apikey> <server> <retention> <region>

    Credentials, in this order: -CredentialFile (NAME=value lines, readable only by its owner); the environment
    (RACKSPACE_USERNAME + RACKSPACE_API_KEY [+ RACKSPACE_REGION, RACKSPACE_IDENTITY_URL], or OpenStack's OS_AUTH_URL,
    OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME, or
    OS_APPLICATION_CREDENTIAL_ID + OS_APPLICATION_CREDENTIAL_SECRET).

    One line per action goes to stdout, errors to stderr; -LogPath appends JSON lines. -WhatIf changes nothing.

.EXAMPLE
    0 0 * * *  pwsh -NoProfile -NonInteractive -File /opt/autosnap/autosnap.ps1 -Server web1 -Schedule daily -Retention 7 -CredentialFile /etc/autosnap/credentials

    The daily job from cron, at midnight (0 0 * * *, not the original README's "* 0 * * *", which runs every minute of that hour).
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    # Parsed here, not by PowerShell's binder: a binder error would exit 1 ("some servers failed"); a bad
    # argument must exit 3.
    [Parameter(ValueFromRemainingArguments = $true)]
    [string[]] $Arguments = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function Write-Failure([string] $Message) {
    [Console]::Error.WriteLine("autosnap: $Message")
}

function Exit-Autosnap([int] $Code, [string] $Message) {
    if ($Message) { Write-Failure $Message }
    exit $Code
}

$options = @{
    'Server' = 'list'; 'Schedule' = 'text'; 'Retention' = 'count'; 'Region' = 'text'
    'KeepLast' = 'count'; 'KeepHourly' = 'count'; 'KeepDaily' = 'count'; 'KeepWeekly' = 'count'; 'KeepMonthly' = 'count'; 'KeepYearly' = 'count'
    'KeepWithin' = 'span'; 'TimeZone' = 'text'; 'KeepFailed' = 'switch'; 'AdoptLegacy' = 'switch'; 'Timeout' = 'span'
    'IncludeVolumes' = 'switch'; 'ReclaimLeftovers' = 'switch'
    'CredentialFile' = 'text'; 'IdentityUrl' = 'text'; 'AllowInsecureHttp' = 'switch'; 'LogPath' = 'text'
    'MinInterval' = 'span'; 'ThrottleLimit' = 'count'; 'Policy' = 'text'; 'FromServerMetadata' = 'switch'; 'AllRegions' = 'switch'
    'OnServerDeleted' = 'text'
}

function ConvertFrom-Arguments([string[]] $Words) {
    $named = @{}
    $positional = [System.Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt $Words.Count; $i++) {
        $word = $Words[$i]
        if ($word -notmatch '^-([A-Za-z]+):?(.*)$') { $positional.Add($word); continue }
        $name = @($options.Keys | Where-Object { $_ -eq $Matches[1] })
        if ($name.Count -ne 1) { throw "unknown option -$($Matches[1]). Options: -$(($options.Keys | Sort-Object) -join ', -')" }
        $name = $name[0]
        $kind = $options[$name]
        if ($kind -eq 'switch') { $named[$name] = $true; continue }
        $values = [System.Collections.Generic.List[string]]::new()
        if ($Matches[2]) { $values.Add($Matches[2]) }
        while ($i + 1 -lt $Words.Count -and $Words[$i + 1] -notmatch '^-[A-Za-z]') {
            $values.Add($Words[++$i])
            if ($kind -ne 'list') { break }
        }
        if ($values.Count -eq 0) { throw "-$name needs a value" }
        switch ($kind) {
            'list' { $named[$name] = @($values | ForEach-Object { $_ -split ',' } | Where-Object { $_ }) }
            'count' {
                $number = 0
                if (-not [int]::TryParse($values[0], [ref] $number) -or $number -lt 0) { throw "-$name must be a whole number of 0 or more, not '$($values[0])'" }
                $named[$name] = $number
            }
            'span' {
                # The module's one duration syntax: 90m, 20h, 7d, 1d12h, or a TimeSpan such as 7.00:00:00.
                $span = [timespan]::Zero
                if (-not [Autosnap.Policy.PolicyDuration]::TryParse($values[0], [ref] $span) -or $span -le [timespan]::Zero) {
                    throw "-$name must be a positive duration such as 20h, 7d or 7.00:00:00, not '$($values[0])'"
                }
                $named[$name] = $span
            }
            default { $named[$name] = $values[0] }
        }
    }
    [pscustomobject]@{ Named = $named; Positional = @($positional) }
}

try {
    Import-Module (Join-Path $PSScriptRoot '../Autosnap.psd1')
}
catch {
    Exit-Autosnap 3 "cannot load the Autosnap module: $($_.Exception.Message)"
}

try {
    $parsed = ConvertFrom-Arguments $Arguments
    $named = $parsed.Named
    $connect = @{}
    if ($parsed.Positional.Count -gt 0) {
        if ($parsed.Positional.Count -ne 5 -or $named.Count -gt 0) {
            throw 'give either named options (-Server ... -Retention ...) or exactly the five arguments of the original script: <username> <apikey> <server> <retention> <region>'
        }
        Write-Failure 'warning: the API key is on the command line, where other users can read it (ps, /proc, shell history, crontab). Use RACKSPACE_USERNAME and RACKSPACE_API_KEY, or -CredentialFile.'
        $user, $key, $server, $retentionText, $region = $parsed.Positional
        $retention = 0
        if (-not [int]::TryParse($retentionText, [ref] $retention) -or $retention -lt 0) { throw "retention must be a whole number of 0 or more, not '$retentionText'" }
        $connect = @{ UserName = $user; ApiKey = (ConvertTo-SecureString -String $key -AsPlainText -Force) }
        $named = @{ Server = @($server); Retention = $retention; Region = $region }
    }
    $rules = 'Retention', 'KeepLast', 'KeepHourly', 'KeepDaily', 'KeepWeekly', 'KeepMonthly', 'KeepYearly', 'KeepWithin'
    $forms = @('Server', 'Policy', 'FromServerMetadata' | Where-Object { $named.ContainsKey($_) })
    if ($forms.Count -ne 1) { throw 'give one of -Server (with -Retention or bucket rules), -Policy <file> or -FromServerMetadata' }
    if ($forms[0] -eq 'Server' -and -not ($rules | Where-Object { $named.ContainsKey($_) })) { throw 'say what to keep: -Retention N, or bucket rules such as -KeepDaily 7 -KeepWeekly 4' }
}
catch {
    Exit-Autosnap 3 "$($_.Exception.Message). See: Get-Help $PSCommandPath -Full"
}

try {
    if ($named.ContainsKey('CredentialFile')) { $connect.CredentialFile = $named.CredentialFile }
    foreach ($name in 'Region', 'IdentityUrl', 'AllowInsecureHttp') {
        if ($named.ContainsKey($name)) { $connect[$name] = $named[$name] }
    }
    $session = Connect-RackspaceCloud @connect
}
catch {
    Exit-Autosnap 3 "cannot connect: $($_.Exception.Message)"
}

$job = @{ Session = $session; WhatIf = [bool]$WhatIfPreference }
foreach ($name in $named.Keys) {
    switch ($name) {
        'Policy' { $job.Path = $named.Policy }
        { $_ -in 'CredentialFile', 'IdentityUrl', 'AllowInsecureHttp' } { }
        # The connection's region is the default; with -FromServerMetadata it is also the one to scan.
        'Region' { if (-not $named.ContainsKey('Policy')) { $job.Region = $named.Region } }
        default { $job[$name] = $named[$name] }
    }
}

$results = [System.Collections.Generic.List[object]]::new()
try {
    Invoke-AutoSnapshotPolicy @job -ErrorAction SilentlyContinue -ErrorVariable jobErrors | ForEach-Object {
        $results.Add($_)
        $stamp = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
        $prefix = "$stamp $($_.ServerName) $($_.Schedule)"
        if ($_.Snapshot) {
            "$prefix snapshot $($_.Snapshot.Name) ($($_.Snapshot.Id)) $($_.Snapshot.Status)"
        }
        foreach ($decision in $_.Decisions) {
            switch ($decision.Outcome) {
                'Deleted' { "$prefix deleted $($decision.Name) ($($decision.Id)): $($decision.Reason)" }
                'Skipped' { "$prefix would delete $($decision.Name) ($($decision.Id)): $($decision.Reason)" }
                'Failed' { "$prefix delete failed $($decision.Name) ($($decision.Id)): $($decision.Error)" }
            }
        }
        "$prefix $($_.Status.ToString().ToLowerInvariant()): created $($_.Created), kept $($_.Kept), deleted $($_.Deleted) in $([int]$_.Duration.TotalSeconds) s"
    }
}
catch {
    # A terminating error before any server ran: the arguments or the policy were refused.
    Exit-Autosnap 3 $_.Exception.Message
}
foreach ($problem in $jobErrors) { Write-Failure $problem.Exception.Message }

# One result per server (found or not) and per orphaned pool; a job refused at -WhatIf has none.
$total = $results.Count
$failed = @($results | Where-Object Status -EQ 'Failed').Count
$unknown = @($results | Where-Object { $_.Target -in 'UnknownServer', 'InvalidRules' }).Count
$skipped = @($results | Where-Object Status -EQ 'Skipped').Count
"autosnap: $total job(s): $($total - $failed - $skipped) succeeded, $skipped skipped, $failed failed"
if ($unknown -gt 0) { exit 3 }
if ($failed -eq 0) { exit 0 }
if ($failed -lt $total) { exit 1 }
exit 2
