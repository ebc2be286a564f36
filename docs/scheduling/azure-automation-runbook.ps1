<#
.SYNOPSIS
    Autosnap as an Azure Automation runbook (runtime: PowerShell 7.2 or later), one runbook schedule per account.

.DESCRIPTION
    Import the Autosnap module into the Automation account (Modules > Add a module, the package for PowerShell 7.2+).
    Create a credential asset per account (user name and API key) and, for notifications, an encrypted variable
    with the webhook URL. Link a schedule to this runbook with the parameters of one account; several accounts get
    several schedules (or copies of this runbook), never two runs of one account at once.
    The job ends Failed when autosnap.ps1 exits non-zero, so Automation's own alerts see a failed night.
#>
param(
    [Parameter(Mandatory = $true)] [string] $CredentialName,
    [Parameter(Mandatory = $true)] [string] $Servers,
    [string] $Region = 'DFW',
    [string] $Schedule = 'daily',
    [int] $Retention = 7,
    [string] $NotifyUrlVariable = 'autosnap-notify-url'
)

$ErrorActionPreference = 'Stop'
$credential = Get-AutomationPSCredential -Name $CredentialName
# autosnap.ps1 reads credentials and the webhook URL from the environment, never from its command line.
$env:RACKSPACE_USERNAME = $credential.UserName
$env:RACKSPACE_API_KEY = $credential.GetNetworkCredential().Password
$env:AUTOSNAP_NOTIFY_URL = Get-AutomationVariable -Name $NotifyUrlVariable

$autosnap = Join-Path (Get-Module -ListAvailable Autosnap | Sort-Object Version -Descending | Select-Object -First 1).ModuleBase 'scripts/autosnap.ps1'
& $autosnap -Server $Servers -Schedule $Schedule -Retention $Retention -Region $Region -MinInterval 20h -NotifyWhen failure -NotifyFormat json
if ($LASTEXITCODE -ne 0) { throw "autosnap.ps1 exited with $LASTEXITCODE for $CredentialName" }
