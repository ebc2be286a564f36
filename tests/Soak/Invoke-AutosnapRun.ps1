<#
.SYNOPSIS
    Runs the real cron entry point, out/Autosnap/scripts/autosnap.ps1, with a short per-request timeout and -Verbose, and
    exits with its exit code. Used by Invoke-Soak.ps1, one process per simulated day.

.DESCRIPTION
    autosnap.ps1 has no option for the HTTP timeout (60 s by default): a soak with injected stalls would crawl. A
    default parameter value for Connect-RackspaceCloud sets it without touching the script, which runs exactly as
    cron runs it otherwise (credentials from the environment, its own option binding and exit codes).
    Everything after -RequestTimeoutSeconds goes to autosnap.ps1 unchanged.
#>
param(
    [Parameter(Mandatory)] [string] $Script,
    [Parameter(Mandatory)] [int] $RequestTimeoutSeconds,
    [Parameter(ValueFromRemainingArguments)] [string[]] $Arguments = @()
)
$global:PSDefaultParameterValues['Connect-RackspaceCloud:RequestTimeout'] = [timespan]::FromSeconds($RequestTimeoutSeconds)
# Verbose lines carry the retries ("Retry 1/4 of ..."), which the soak counts.
$VerbosePreference = 'Continue'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
# autosnap.ps1 binds its options with PowerShell's binder, which takes a '-Server' inside a splatted array for a
# value, not a parameter name. Hand the words over as pwsh -File does: -Name as a parameter name, the rest as text.
$words = foreach ($word in $Arguments) {
    if ($word -match '^-[A-Za-z][A-Za-z0-9]*:?$') { $word } else { "'" + ($word -replace "'", "''") + "'" }
}
& ([scriptblock]::Create("& `$Script $($words -join ' ')"))
exit $LASTEXITCODE
