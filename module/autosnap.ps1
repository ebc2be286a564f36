<#
.SYNOPSIS
    The nightly snapshot job for cron and Task Scheduler: connect, snapshot, wait, rotate.

.DESCRIPTION
    Runs the whole job for one or more servers and ends with an exit code a scheduler understands:
      0  every server done
      1  some servers failed (the others are done), or some restore tests failed or could not run
      2  every server failed (and every restore test that ran)
      3  bad arguments, configuration or authentication: nothing was attempted and nothing deleted; or a -Server
         that names no server (a typo must not pass for a failed night; the other servers still ran)

    Named form (credentials from the environment or from -CredentialFile, never from the command line):
      autosnap.ps1 -Policy /etc/autosnap/policy.json [-OnServerDeleted Keep|ApplyRetention]
                                                             every policy of a file (docs/policy.md)
      autosnap.ps1 -FromServerMetadata [-Region r | -AllRegions] the servers' own "autosnap:<schedule>" rules
      autosnap.ps1 -Server web1[,web2...] -Schedule daily -Retention 7 [-Region DFW]
                   [-KeepLast n] [-KeepHourly n] [-KeepDaily n] [-KeepWeekly n] [-KeepMonthly n] [-KeepYearly n]
                   [-KeepWithin 7d] [-TimeZone id] [-KeepFailed] [-AdoptLegacy] [-IncludeVolumes] [-ReclaimLeftovers]
                   [-Timeout 2h] [-StuckAfter 4h] [-MinInterval 20h] [-ThrottleLimit n] [-CredentialFile path] [-IdentityUrl url] [-AllowInsecureHttp] [-LogPath file]
                   [-Verbose] [-WhatIf]
    Every form also takes: [-NotifyUrl url] [-NotifyWhen failure|always] [-NotifyFormat json|text] [-NotifyTimeout 30s] [-EventLog]
    Compatibility form, the original autosnap.py's arguments (warns: the key is visible to other users):
      autosnap.ps1 <username> <apikey> <server> <retention> <region>

    Credentials, in this order: -CredentialFile (NAME=value lines, readable only by its owner); the environment
    (RACKSPACE_USERNAME + RACKSPACE_API_KEY [+ RACKSPACE_REGION, RACKSPACE_IDENTITY_URL], or OpenStack's OS_AUTH_URL,
    OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME, or
    OS_APPLICATION_CREDENTIAL_ID + OS_APPLICATION_CREDENTIAL_SECRET).

    With -Policy, the restore tests that are due (a policy's "restoreTest", docs/policy.md) run after the night's jobs:
    each boots a throwaway server from one of the pool's good restore points, deletes it, and records the outcome on
    the image. They count like jobs in the exit code: a failed restore test, or a due one that could not run (instance
    quota full, no good restore point, no flavor fits), makes it 1 (2 when everything failed).

    One line per action goes to stdout, errors to stderr; -LogPath appends JSON lines. -WhatIf changes nothing.

    Notifications: one summary per run (jobs, failures with their reasons, deletions, leftovers, stuck restore points,
    restore tests)
    is POSTed to -NotifyUrl, or to the URL in the environment variable AUTOSNAP_NOTIFY_URL (which keeps it out of the
    crontab), or to a policy file's notify.url; -NotifyWhen failure (the default: failed jobs or deletions, stuck
    restore points, a run that stopped) or always; -NotifyFormat json (a plain document, notification.schema.json
    beside the module) or text ({"text": ...} for Slack, Teams and Mattermost webhooks). A notification that cannot
    be sent within -NotifyTimeout (default 30s) is reported on stderr and in the log; it never changes the exit code.
    The URL is shown only as scheme://host/... (redacted). -EventLog (Windows) also writes the summary to the
    Application event log, source Autosnap.

.EXAMPLE
    0 0 * * *  pwsh -NoProfile -NonInteractive -File /opt/autosnap/autosnap.ps1 -Server web1 -Schedule daily -Retention 7 -CredentialFile /etc/autosnap/credentials

    The daily job from cron, at midnight (0 0 * * *, not the original README's "* 0 * * *", which runs every minute of that hour).
#>
# No param block on the script itself: pwsh -File binds a script's parameters before any of its code runs and exits 1
# on a bad one, which a scheduler reads as "some servers failed". The options go through PowerShell's binder one
# step later, to Read-Options below, where a binding error is caught and becomes exit 3.

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function Write-Failure([string] $Message) {
    [Console]::Error.WriteLine("autosnap: $Message")
}

function Exit-Autosnap([int] $Code, [string] $Message) {
    if ($Message) { Write-Failure $Message }
    # A run that stops before its jobs (no connection, a refused policy) is news too, once the options are known.
    if ($Code -eq 3 -and (Get-Variable notify -Scope Script -ErrorAction Ignore)) { Send-Summary @() $Code $Message }
    exit $Code
}

# Where the summary goes: -NotifyUrl, else AUTOSNAP_NOTIFY_URL, else the policy file's notify.url; -Notify* options
# before the policy file's notify section. $null when there is no URL at all (and no -EventLog).
function Get-NotifySettings([hashtable] $Named) {
    $fromFile = $null
    if ($Named.ContainsKey('Policy')) {
        # A policy the module refuses is reported by the run itself (exit 3); here it only has no notify section.
        try { $fromFile = [Autosnap.Policy.PolicyFile]::Load($ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Named.Policy)).Notify } catch { }
    }
    $url = if ($Named['NotifyUrl']) { $Named['NotifyUrl'] } elseif ($env:AUTOSNAP_NOTIFY_URL) { $env:AUTOSNAP_NOTIFY_URL } elseif ($fromFile -and $fromFile.Url) { $fromFile.Url.OriginalString }
    if (-not $url -and -not $Named['EventLog']) { return $null }
    $when = if ($Named['NotifyWhen']) { $Named['NotifyWhen'] } elseif ($fromFile) { $fromFile.When } else { 'Failure' }
    $format = if ($Named['NotifyFormat']) { $Named['NotifyFormat'] } elseif ($fromFile) { $fromFile.Format } else { 'Json' }
    $timeout = if ($Named['NotifyTimeout']) { $Named['NotifyTimeout'] } elseif ($fromFile) { $fromFile.Timeout } else { $null }
    try {
        [pscustomobject]@{
            Settings = if ($url) { [Autosnap.Policy.NotifySettings]::new($url, $when, $format, $timeout) }
            EventLog = [bool] $Named['EventLog']
            LogPath  = $Named['LogPath']
        }
    }
    catch {
        $reason = if ($_.Exception.InnerException) { $_.Exception.InnerException.Message } else { $_.Exception.Message }
        throw "the notification settings are refused: $reason"
    }
}

# The run's one summary: to the webhook (never changing the exit code) and, with -EventLog, to the event log.
function Send-Summary([object[]] $Results, [int] $ExitCode, [string] $RunError, [object[]] $RestoreTests = @()) {
    if (-not $script:notify -or $WhatIfPreference) { return }
    $report = [Autosnap.Engine.RunReport]::new([Autosnap.Model.SnapshotJobResult[]] @($Results), $ExitCode, $script:started, [DateTimeOffset]::UtcNow, $null,
        $(if ($RunError) { $RunError } else { $null }), [Autosnap.Model.RestoreTestResult[]] @($RestoreTests))
    if ($script:notify.Settings) {
        $sent = [Autosnap.Engine.WebhookNotifier]::new().Send($script:notify.Settings, $report, $null)
        if ($sent.Outcome -in 'Failed', 'TimedOut') { Write-Failure $sent.Message } else { Write-Verbose $sent.Message }
        if ($script:notify.LogPath) {
            try {
                $log = [Autosnap.Engine.JsonLinesLog]::new($ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($script:notify.LogPath))
                try { $log.Write($sent) } finally { $log.Dispose() }
            }
            catch { Write-Failure "cannot log the notification: $($_.Exception.Message)" }
        }
    }
    if ($script:notify.EventLog) { Write-SummaryEvent $report }
}

# Windows only, and not tested here (no event log on the test machines): the summary as one Application event,
# source Autosnap (registered on first use, which needs an administrator once), event id 1000 + the exit code.
function Write-SummaryEvent([Autosnap.Engine.RunReport] $Report) {
    try {
        if (-not [System.Diagnostics.EventLog]::SourceExists('Autosnap')) { [System.Diagnostics.EventLog]::CreateEventSource('Autosnap', 'Application') }
        $type = switch ($Report.Status) { 'failed' { 'Error' } 'warning' { 'Warning' } default { 'Information' } }
        $text = $Report.ToText()
        if ($text.Length -gt 30000) { $text = $text.Substring(0, 30000) + '...' }
        [System.Diagnostics.EventLog]::WriteEntry('Autosnap', $text, $type, 1000 + $Report.ExitCode)
    }
    catch { Write-Failure "cannot write to the Application event log: $($_.Exception.Message)" }
}

# The options, bound by PowerShell. Counts and durations are checked here with messages that name the option;
# durations use the module's one syntax (90m, 20h, 7d, 1d12h, or a TimeSpan such as 7.00:00:00).
function Read-Options {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Named', PositionalBinding = $false)]
    param(
        [Parameter(ParameterSetName = 'Named')]
        [Parameter(ParameterSetName = 'Compatibility', Position = 2)]
        [string[]] $Server,

        [Parameter(ParameterSetName = 'Compatibility', Position = 0)]
        [string] $UserName,

        [Parameter(ParameterSetName = 'Compatibility', Position = 1)]
        [string] $ApiKey,

        [Parameter(ParameterSetName = 'Named')]
        [Parameter(ParameterSetName = 'Compatibility', Position = 3)]
        [int] $Retention,

        [Parameter(ParameterSetName = 'Named')]
        [Parameter(ParameterSetName = 'Compatibility', Position = 4)]
        [string] $Region,

        [Parameter(ParameterSetName = 'Named')] [string] $Schedule,
        [Parameter(ParameterSetName = 'Named')] [int] $KeepLast,
        [Parameter(ParameterSetName = 'Named')] [int] $KeepHourly,
        [Parameter(ParameterSetName = 'Named')] [int] $KeepDaily,
        [Parameter(ParameterSetName = 'Named')] [int] $KeepWeekly,
        [Parameter(ParameterSetName = 'Named')] [int] $KeepMonthly,
        [Parameter(ParameterSetName = 'Named')] [int] $KeepYearly,
        [Parameter(ParameterSetName = 'Named')] [string] $KeepWithin,
        [Parameter(ParameterSetName = 'Named')] [string] $TimeZone,
        [Parameter(ParameterSetName = 'Named')] [switch] $KeepFailed,
        [Parameter(ParameterSetName = 'Named')] [switch] $AdoptLegacy,
        [Parameter(ParameterSetName = 'Named')] [switch] $IncludeVolumes,
        [Parameter(ParameterSetName = 'Named')] [switch] $ReclaimLeftovers,
        [Parameter(ParameterSetName = 'Named')] [string] $Timeout,
        [Parameter(ParameterSetName = 'Named')] [string] $MinInterval,
        [Parameter(ParameterSetName = 'Named')] [int] $ThrottleLimit,
        [Parameter(ParameterSetName = 'Named')] [string] $CredentialFile,
        [Parameter(ParameterSetName = 'Named')] [string] $IdentityUrl,
        [Parameter(ParameterSetName = 'Named')] [switch] $AllowInsecureHttp,
        [Parameter(ParameterSetName = 'Named')] [string] $LogPath,
        [Parameter(ParameterSetName = 'Named')] [string] $Policy,
        [Parameter(ParameterSetName = 'Named')] [switch] $FromServerMetadata,
        [Parameter(ParameterSetName = 'Named')] [switch] $AllRegions,
        [Parameter(ParameterSetName = 'Named')] [string] $OnServerDeleted,
        [Parameter(ParameterSetName = 'Named')] [string] $StuckAfter,
        [string] $NotifyUrl,
        [string] $NotifyWhen,
        [string] $NotifyFormat,
        [string] $NotifyTimeout,
        [switch] $EventLog
    )

    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $named = @{}
    foreach ($pair in $PSBoundParameters.GetEnumerator()) {
        if ($pair.Key -in $common) { continue }
        $value = $pair.Value
        if ($value -is [switch]) { $value = $value.IsPresent }
        $named[$pair.Key] = $value
    }
    if ($named.ContainsKey('Server')) {
        # pwsh -File hands "-Server web1,web2" over as one text.
        $named.Server = @($named.Server | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
        if ($named.Server.Count -eq 0) { throw '-Server needs a value' }
    }
    foreach ($name in 'Retention', 'KeepLast', 'KeepHourly', 'KeepDaily', 'KeepWeekly', 'KeepMonthly', 'KeepYearly', 'ThrottleLimit') {
        if ($named.ContainsKey($name) -and $named[$name] -lt 0) { throw "-$name must be a whole number of 0 or more, not '$($named[$name])'" }
    }
    foreach ($name in 'KeepWithin', 'Timeout', 'MinInterval', 'StuckAfter', 'NotifyTimeout') {
        if (-not $named.ContainsKey($name)) { continue }
        $span = [timespan]::Zero
        if (-not [Autosnap.Policy.PolicyDuration]::TryParse($named[$name], [ref] $span) -or $span -le [timespan]::Zero) {
            throw "-$name must be a positive duration such as 20h, 7d or 7.00:00:00, not '$($named[$name])'"
        }
        $named[$name] = $span
    }
    foreach ($choice in @{ NotifyWhen = 'failure', 'always'; NotifyFormat = 'json', 'text' }.GetEnumerator()) {
        if ($named.ContainsKey($choice.Key) -and $named[$choice.Key] -notin $choice.Value) { throw "-$($choice.Key) must be $($choice.Value -join ' or '), not '$($named[$choice.Key])'" }
    }
    if ($named.ContainsKey('EventLog') -and $named.EventLog -and [Environment]::OSVersion.Platform -ne 'Win32NT') { throw '-EventLog writes to the Windows event log; it works on Windows only' }
    [pscustomobject]@{
        Named         = $named
        Compatibility = $PSCmdlet.ParameterSetName -eq 'Compatibility'
        WhatIf        = [bool] $WhatIfPreference
        Verbose       = $VerbosePreference
        Debug         = $DebugPreference
    }
}

# A binding error in the words of these options (PowerShell's own would name parameters and types).
function Get-OptionError([System.Management.Automation.ParameterBindingException] $Exception) {
    $options = (Get-Command Read-Options).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters -and $_ -notin 'UserName', 'ApiKey' }
    switch ($Exception.ErrorId) {
        'NamedParameterNotFound' { "unknown option -$($Exception.ParameterName). Options: -$(($options | Sort-Object) -join ', -')" }
        'MissingArgument' { "-$($Exception.ParameterName) needs a value" }
        { $_ -in 'PositionalParameterNotFound', 'AmbiguousParameterSet' } {
            'give either named options (-Server ... -Retention ...) or exactly the five arguments of the original script: <username> <apikey> <server> <retention> <region>'
        }
        'ParameterArgumentTransformationError' {
            if ($Exception.ParameterType -eq [int]) { "-$($Exception.ParameterName) must be a whole number of 0 or more" }
            else { "-$($Exception.ParameterName) has a value of the wrong kind" }
        }
        default { $Exception.Message }
    }
}

$started = [DateTimeOffset]::UtcNow
try {
    Import-Module (Join-Path $PSScriptRoot '../Autosnap.psd1')
}
catch {
    Exit-Autosnap 3 "cannot load the Autosnap module: $($_.Exception.Message)"
}

try {
    try {
        $parsed = Read-Options @args
    }
    catch [System.Management.Automation.ParameterBindingException] {
        throw (Get-OptionError $_.Exception)
    }
    $named = $parsed.Named
    $WhatIfPreference = $parsed.WhatIf
    $VerbosePreference = $parsed.Verbose
    $DebugPreference = $parsed.Debug
    $connect = @{}
    if ($parsed.Compatibility) {
        $reporting = @($named.Keys | Where-Object { $_ -like 'Notify*' -or $_ -eq 'EventLog' })
        if ($named.Count - $reporting.Count -ne 5) {
            throw 'give either named options (-Server ... -Retention ...) or exactly the five arguments of the original script: <username> <apikey> <server> <retention> <region>'
        }
        Write-Failure 'warning: the API key is on the command line, where other users can read it (ps, /proc, shell history, crontab). Use RACKSPACE_USERNAME and RACKSPACE_API_KEY, or -CredentialFile.'
        $connect = @{ UserName = $named.UserName; ApiKey = (ConvertTo-SecureString -String $named.ApiKey -AsPlainText -Force) }
        $original = $named
        $named = @{ Server = $original.Server; Retention = $original.Retention; Region = $original.Region }
        foreach ($name in $reporting) { $named[$name] = $original[$name] }
    }
    $rules = 'Retention', 'KeepLast', 'KeepHourly', 'KeepDaily', 'KeepWeekly', 'KeepMonthly', 'KeepYearly', 'KeepWithin'
    $forms = @('Server', 'Policy', 'FromServerMetadata' | Where-Object { $named.ContainsKey($_) })
    if ($forms.Count -ne 1) { throw 'give one of -Server (with -Retention or bucket rules), -Policy <file> or -FromServerMetadata' }
    if ($forms[0] -eq 'Server' -and -not ($rules | Where-Object { $named.ContainsKey($_) })) { throw 'say what to keep: -Retention N, or bucket rules such as -KeepDaily 7 -KeepWeekly 4' }
    $notify = Get-NotifySettings $named
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
        { $_ -in 'CredentialFile', 'IdentityUrl', 'AllowInsecureHttp', 'NotifyUrl', 'NotifyWhen', 'NotifyFormat', 'NotifyTimeout', 'EventLog' } { }
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
            "$prefix snapshot $($_.Snapshot.Name) ($($_.Snapshot.Id)) $($_.Snapshot.Status)" +
                $(if ($null -ne $_.Consistency) { ", $($_.Consistency.ToString().ToLowerInvariant())-consistent" }) +
                $(if ($null -ne $_.WritePause) { ", writes paused $($_.WritePause.TotalSeconds.ToString('0.0', [cultureinfo]::InvariantCulture)) s" })
        }
        foreach ($stuck in $_.Stuck) { "$prefix stuck $($stuck.Describe()); remove with: $($stuck.RemoveCommand)" }
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

# The restore tests that are due, after the night's jobs: one line per test that ran, failures to stderr.
function Invoke-RestoreTest([hashtable] $Job) {
    if (-not $Job.ContainsKey('Path')) { return }
    $tests = @{ Policy = $Job.Path; Session = $Job.Session; WhatIf = $Job.WhatIf }
    $testErrors = @()
    try {
        # The jobs read the file already; a policy without restoreTest is the common case and says nothing here.
        if (-not ([Autosnap.Policy.PolicyFile]::Load($Job.Path).Policies | Where-Object RestoreTest)) { return }
        Test-AutoSnapshotRestore @tests -ErrorAction SilentlyContinue -ErrorVariable testErrors | ForEach-Object {
            $_
            if ($_.Outcome -eq 'NotDue') { return }
            $stamp = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
            $image = if ($_.ImageId) { " $($_.ImageName) ($($_.ImageId))" } else { '' }
            $boot = if ($null -ne $_.BootSeconds) { " flavor $($_.Flavor), $([int]$_.BootSeconds) s" } else { '' }
            Write-Host "$stamp $($_.Pool) restore test $($_.Outcome.ToString().ToLowerInvariant())$image${boot}: $($_.Reason)"
            if ($_.Outcome -eq 'Failed') { Write-Failure "restore test of $($_.Pool) failed: $($_.Reason)" }
        }
    }
    catch {
        Write-Failure "restore tests: $($_.Exception.Message)"
    }
    foreach ($problem in $testErrors) { Write-Failure $problem.Exception.Message }
}

$restoreResults = @(Invoke-RestoreTest $job)
# A due test that could not run (quota full, no good restore point, no flavor fits) is a failed night too; under
# -WhatIf every due test is skipped on purpose.
$restoreRan = @($restoreResults | Where-Object { $_.Outcome -in 'Verified', 'Failed' -or ($_.Outcome -eq 'Skipped' -and -not $WhatIfPreference) })
$restoreFailed = @($restoreRan | Where-Object Outcome -NE 'Verified').Count
if ($restoreResults.Count -gt 0) {
    "autosnap: $($restoreRan.Count) restore test(s): $(@($restoreRan | Where-Object Outcome -EQ 'Verified').Count) verified, " +
    "$(@($restoreRan | Where-Object Outcome -EQ 'Failed').Count) failed, $(@($restoreRan | Where-Object Outcome -EQ 'Skipped').Count) could not run; " +
    "$(@($restoreResults | Where-Object Outcome -EQ 'NotDue').Count) pool(s) not due"
}

# One result per server (found or not) and per orphaned pool; a job refused at -WhatIf has none. Restore tests that
# ran count like jobs.
$total = $results.Count
$failed = @($results | Where-Object Status -EQ 'Failed').Count
$unknown = @($results | Where-Object { $_.Target -in 'UnknownServer', 'InvalidRules' }).Count
$skipped = @($results | Where-Object Status -EQ 'Skipped').Count
"autosnap: $total job(s): $($total - $failed - $skipped) succeeded, $skipped skipped, $failed failed"
$total += $restoreRan.Count
$failed += $restoreFailed
$exitCode = if ($unknown -gt 0) { 3 } elseif ($failed -eq 0) { 0 } elseif ($failed -lt $total) { 1 } else { 2 }
Send-Summary $results $exitCode '' $restoreResults
exit $exitCode
