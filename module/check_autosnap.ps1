<#
.SYNOPSIS
    Nagios / NRPE / Icinga plugin: are Autosnap's snapshots fresh?

.DESCRIPTION
    Checks the newest GOOD snapshot of each pool (server + schedule) against a warning and a critical age, on the
    cloud's clock, and prints exactly one plugin line:

      AUTOSNAP CRITICAL - 1 of 5 pools stale: web1/daily newest good 3d02h ago (critical 2d) | pools=5 ok=4 warning=0 critical=1 unknown=0

    Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. A pool with no good image, or a server asked for that has
    no snapshot at all, is CRITICAL. Bad arguments, missing credentials, a failed connection or a listing that
    fails are UNKNOWN.

      check_autosnap.ps1 [-Server web1[,web2...]] [-Schedule daily[,weekly...]] [-Region DFW[,ORD...] | -AllRegions]
                         [-Warning 26h] [-Critical 50h] [-RestoreTestedWithin 8d] [-CredentialFile path] [-IdentityUrl url] [-AllowInsecureHttp]
                         [-RequestTimeout 20s] [-MaxRetries 1]

    With -RestoreTestedWithin, restore tests count too (Test-AutoSnapshotRestore, a policy's restoreTest): a pool whose
    newest verified restore test is older, or that was never restore-tested, is WARNING; a pool whose last restore test
    failed is CRITICAL; the performance data adds restore_failed and restore_stale.

    Without -Server, every Autosnap pool of the region(s) is checked. Durations: 26h, 2d, 90m, 45s, 1w, 1d12h, or a
    TimeSpan such as 1.02:00:00. Defaults: -Warning 26h, -Critical 50h (a daily job).

    Credentials as for autosnap.ps1, never on the command line: -CredentialFile (NAME=value lines, readable only by
    its owner), else the environment (RACKSPACE_USERNAME + RACKSPACE_API_KEY [+ RACKSPACE_REGION,
    RACKSPACE_IDENTITY_URL], or OpenStack's OS_AUTH_URL with OS_USERNAME/OS_PASSWORD or an application credential).

.EXAMPLE
    command[check_autosnap]=/usr/bin/pwsh -NoProfile -NonInteractive -File /opt/autosnap/check_autosnap.ps1 -Server web1 -Schedule daily -Warning 26h -Critical 2d -CredentialFile /etc/autosnap/credentials

    An NRPE command: the daily pool of web1, WARNING after 26 hours, CRITICAL after two days.
#>

# No param block on the script itself: pwsh -File would bind it before any code runs and exit 1 on a bad argument,
# and a plugin must exit 3 (UNKNOWN). The options go through PowerShell's binder one step later, to Read-Options.

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# A plugin prints one line: no progress bars, warnings or verbose text on the way.
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'

function Exit-Unknown([string] $Reason) {
    # One line, and no '|', which would start the performance data.
    $text = ($Reason -replace '[\r\n]+', ' ') -replace '\|', '/'
    # Belt and braces: the module never puts a secret into a message; should one ever slip through, it is not printed.
    foreach ($name in 'RACKSPACE_API_KEY', 'OS_PASSWORD', 'OS_APPLICATION_CREDENTIAL_SECRET') {
        $secret = [Environment]::GetEnvironmentVariable($name)
        if ($secret -and $secret.Length -ge 4) { $text = $text.Replace($secret, '***') }
    }
    "AUTOSNAP UNKNOWN - $text"
    exit 3
}

# The options, bound by PowerShell. -Warning is a parameter of its own: an exact name wins over the common
# parameters it is a prefix of (-WarningAction, -WarningVariable).
function Read-Options {
    [CmdletBinding(PositionalBinding = $false)]
    param(
        [string[]] $Server,
        [string[]] $Schedule,
        [string[]] $Region,
        [switch] $AllRegions,
        [string] $Warning,
        [string] $Critical,
        [string] $RestoreTestedWithin,
        [string] $CredentialFile,
        [string] $IdentityUrl,
        [switch] $AllowInsecureHttp,
        [string] $RequestTimeout,
        [int] $MaxRetries
    )

    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $named = @{}
    foreach ($pair in $PSBoundParameters.GetEnumerator()) {
        if ($pair.Key -in $common) { continue }
        $value = $pair.Value
        if ($value -is [switch]) { $value = $value.IsPresent }
        # pwsh -File hands "-Server web1,web2" over as one text.
        if ($value -is [string[]]) {
            $value = @($value | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
            if ($value.Count -eq 0) { throw "-$($pair.Key) needs a value" }
        }
        $named[$pair.Key] = $value
    }
    if ($named.ContainsKey('Region') -and $named.ContainsKey('AllRegions')) { throw 'give -Region or -AllRegions, not both' }
    $named
}

# A binding error in the words of these options. A stray word is never echoed: it might be a secret typed in the
# wrong place (PowerShell's own message would quote it).
function Get-OptionError([System.Management.Automation.ParameterBindingException] $Exception, [object[]] $Words) {
    $options = (Get-Command Read-Options).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters }
    $list = "options are -$(($options | Sort-Object) -join ', -')"
    switch ($Exception.ErrorId) {
        'NamedParameterNotFound' { "unknown option -$($Exception.ParameterName); $list" }
        'MissingArgument' { "-$($Exception.ParameterName) needs a value" }
        'PositionalParameterNotFound' {
            $position = [array]::IndexOf(@($Words | ForEach-Object { "$_" }), $Exception.ParameterName) + 1
            if ($position -gt 0) { "argument $position is not an option; $list" } else { "an argument is not an option; $list" }
        }
        'ParameterArgumentTransformationError' {
            if ($Exception.ParameterName -eq 'MaxRetries') { '-MaxRetries must be a whole number from 0 to 10' }
            else { "-$($Exception.ParameterName) has a value of the wrong kind" }
        }
        default { $Exception.Message }
    }
}

try {
    try {
        $named = Read-Options @args
    }
    catch [System.Management.Automation.ParameterBindingException] {
        throw (Get-OptionError $_.Exception $args)
    }
}
catch {
    Exit-Unknown "bad arguments: $($_.Exception.Message). See: Get-Help $PSCommandPath -Full"
}

try {
    Import-Module (Join-Path $PSScriptRoot '../Autosnap.psd1')
}
catch {
    Exit-Unknown "cannot load the Autosnap module next to this script: $($_.Exception.Message)"
}

# Durations are read by the module's own parser, the one Test-AutoSnapshotFreshness -Warning uses too.
$check = @{ Nagios = $true }
$connect = @{ RequestTimeout = [timespan]::FromSeconds(20); MaxRetries = 1 }
try {
    foreach ($name in 'Warning', 'Critical', 'RestoreTestedWithin', 'RequestTimeout') {
        if (-not $named.ContainsKey($name)) { continue }
        try { $span = [Autosnap.Policy.PolicyDuration]::Parse($named[$name]) }
        catch { throw "-${name}: $($_.Exception.GetBaseException().Message)" }
        if ($name -eq 'RequestTimeout') { $connect[$name] = $span } else { $check[$name] = $span }
    }
    if ($named.ContainsKey('MaxRetries')) {
        if ($named.MaxRetries -lt 0 -or $named.MaxRetries -gt 10) { throw "-MaxRetries must be a whole number from 0 to 10" }
        $connect.MaxRetries = $named.MaxRetries
    }
}
catch {
    Exit-Unknown "bad arguments: $($_.Exception.Message)"
}
foreach ($name in 'Server', 'Schedule', 'Region', 'AllRegions') {
    if ($named.ContainsKey($name)) { $check[$name] = $named[$name] }
}
foreach ($name in 'CredentialFile', 'IdentityUrl', 'AllowInsecureHttp') {
    if ($named.ContainsKey($name)) { $connect[$name] = $named[$name] }
}

try {
    # The first region asked for is the session's; the check itself looks in every region asked for.
    if ($named.ContainsKey('Region')) { $connect.Region = $named.Region[0] }
    $check.Session = Connect-RackspaceCloud @connect -NotDefault
}
catch {
    Exit-Unknown "cannot connect: $($_.Exception.Message)"
}

try {
    $line = @(Test-AutoSnapshotFreshness @check)
    if ($line.Count -ne 1) { throw "the check wrote $($line.Count) lines instead of one" }
    $code = $line[0].ExitCode
    if ($code -isnot [int]) { throw 'the check wrote a line without its exit code' }
}
catch {
    Exit-Unknown $_.Exception.Message
}
$line[0]
exit $code
