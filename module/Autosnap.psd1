@{
    RootModule             = 'Autosnap.dll'
    ModuleVersion          = '{{ModuleVersion}}'
    GUID                   = '5d0c7f0e-3b6a-4f0e-9a52-6a1f2b8c4e71'
    Author                 = 'Autosnap contributors'
    CompanyName            = 'Autosnap'
    Copyright              = '(c) Autosnap contributors. MIT License.'
    Description            = 'Scheduled, rotating server snapshots for Rackspace Cloud Servers and OpenStack clouds: snapshot, wait, and rotate by count or by daily/weekly/monthly buckets, without ever deleting the last good image.'
    CompatiblePSEditions   = @('Desktop', 'Core')
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('Autosnap.Format.ps1xml')
    CmdletsToExport        = @(
        'Connect-RackspaceCloud', 'Disconnect-RackspaceCloud', 'Get-RackspaceSession', 'Get-RackspaceServer',
        'New-AutoSnapshot', 'Get-AutoSnapshot', 'Wait-AutoSnapshot', 'Remove-AutoSnapshot',
        'Lock-AutoSnapshot', 'Unlock-AutoSnapshot', 'Invoke-SnapshotRotation', 'Invoke-AutoSnapshotPolicy',
        'Get-SnapshotRetentionPlan', 'Test-AutoSnapshotFreshness'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags       = @('Rackspace', 'OpenStack', 'Snapshot', 'Backup', 'Retention', 'Nova', 'Glance', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
