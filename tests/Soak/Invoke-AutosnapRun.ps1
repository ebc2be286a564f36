<#
.SYNOPSIS
    Runs the real cron entry point, out/Autosnap/scripts/autosnap.ps1, with a short per-request timeout and -Verbose, and
    exits with its exit code. Used by Invoke-Soak.ps1, one process per simulated day.

.DESCRIPTION
    autosnap.ps1 has no option for the HTTP timeout (60 s by default): a soak with injected stalls would crawl. A
    default parameter value for Connect-RackspaceCloud sets it without touching the script, which runs exactly as
    cron runs it otherwise (credentials from the environment, its own argument parsing and exit codes).
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
& $Script @Arguments
exit $LASTEXITCODE
