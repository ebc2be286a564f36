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
        'Get-SnapshotRetentionPlan', 'Test-AutoSnapshotFreshness',
        'Restore-AutoSnapshot', 'Get-RackspaceFlavor', 'Get-RackspaceNetwork', 'Test-AutoSnapshotRestore'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags       = @('Rackspace', 'OpenStack', 'Snapshot', 'Backup', 'Retention', 'Nova', 'Glance', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            # The licence is the LICENSE file at the module's root (MIT, "Autosnap contributors"); it ships in the
            # package. PSResourceGet takes only absolute URIs here (a relative 'LICENSE' makes Compress-PSResource fail),
            # and the repository has no public address, so LicenseUri names the licence by its SPDX page and there is
            # no ProjectUri: an address that does not exist would be worse than none. Set both once the repository
            # is published.
            LicenseUri   = 'https://spdx.org/licenses/MIT.html'
            # Filled in by build.ps1 from the section of this version in CHANGELOG.md.
            ReleaseNotes = '{{ReleaseNotes}}'
        }
    }
}
