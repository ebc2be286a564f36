# Restore points with volumes through the cmdlets and autosnap.ps1, against LocalCloud's block storage: the
# volume-backed server bfv01 and app01 with its data volume, both seeded in DFW.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ModuleManifest -Force
    $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0; volumeSnapshotSeconds = 0 }
    $script:ApiKey = ConvertTo-SecureString 'demo-api-key' -AsPlainText -Force
    $null = Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey $ApiKey -Region DFW

    # Every Cinder snapshot of the demo account in DFW, straight from the block storage API (not through the module).
    function Get-CinderSnapshot {
        $access = (Invoke-RestMethod -Method Post -Uri "$($Cloud.IdentityV2Url)/tokens" -ContentType 'application/json' -Body (
            @{ auth = @{ 'RAX-KSKEY:apiKeyCredentials' = @{ username = 'demo'; apiKey = 'demo-api-key' } } } | ConvertTo-Json -Depth 5)).access
        $endpoint = ($access.serviceCatalog | Where-Object name -EQ 'cloudBlockStorage').endpoints | Where-Object region -EQ 'DFW'
        (Invoke-RestMethod -Uri "$($endpoint.publicURL)/snapshots/detail" -Headers @{ 'X-Auth-Token' = $access.token.id }).snapshots
    }

    # The module in a fresh pwsh, so that -WhatIf's host lines can be read.
    function Invoke-InChild([string] $Command) {
        $script = @"
Import-Module '$ModuleManifest'
`$null = Connect-RackspaceCloud -IdentityUrl '$($Cloud.IdentityV2Url)' -UserName demo -ApiKey (ConvertTo-SecureString 'demo-api-key' -AsPlainText -Force) -Region DFW
$Command
"@
        Invoke-FreshPwsh -Script $script -MergeErrors
    }
}

AfterAll {
    Get-RackspaceSession | Disconnect-RackspaceCloud
    Stop-LocalCloud
}

Describe 'A volume-backed server' {
    It 'gets a restore point: a 0-byte image and one available Cinder snapshot, shown with its real size' {
        $point = New-AutoSnapshot -Server bfv01 -Schedule vb -Wait
        $point.State | Should -Be 'Good'
        $point.IsVolumeBacked | Should -BeTrue
        $point.Size | Should -Be 0
        @($point.VolumeSnapshots).Count | Should -Be 1
        $point.VolumeSnapshots[0].Size | Should -Be 20
        $point.VolumeSnapshots[0].Status | Should -Be 'available'
        $point.VolumeSnapshots[0].Metadata.autosnap_image | Should -Be $point.Id
        $point.RealSize | Should -Be (20 * 1GB)

        $listed = Get-AutoSnapshot -Server bfv01 -Schedule vb
        $listed.Id | Should -Be $point.Id
        $listed.VolumeSnapshotIds | Should -Be $point.VolumeSnapshotIds
        ($listed | Format-Table | Out-String) | Should -Match '20\.0 GB'
    }

    It 'is removed whole, the image first, and -WhatIf names every part' {
        $point = New-AutoSnapshot -Server bfv01 -Schedule vbremove -Wait
        $part = $point.VolumeSnapshots[0].Id
        $whatIf = Invoke-InChild "Get-AutoSnapshot -Server bfv01 -Schedule vbremove | Remove-AutoSnapshot -WhatIf"
        ($whatIf -join "`n") | Should -Match ([regex]::Escape($part))
        @(Get-AutoSnapshot -Server bfv01 -Schedule vbremove).Count | Should -Be 1

        $point | Remove-AutoSnapshot -Confirm:$false
        @(Get-AutoSnapshot -Server bfv01 -Schedule vbremove).Count | Should -Be 0
        @(Get-CinderSnapshot).id | Should -Not -Contain $part
    }

    It 'fails at once with AutoSnapshotQuotaExceeded when the snapshot quota is full, and makes nothing' {
        $used = @(Get-AutoSnapshot -Server bfv01 | ForEach-Object VolumeSnapshotIds).Count
        Set-LocalCloudConfig -Settings @{ maxTotalSnapshots = $used }
        try {
            $result = New-AutoSnapshot -Server bfv01 -Schedule quota -Wait -ErrorVariable problems -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotQuotaExceeded,*'
            $problems[0].CategoryInfo.Category | Should -Be 'QuotaExceeded'
            $problems[0].Exception.Message | Should -Match "maxTotalSnapshots is $used, $used are in use"
            @(Get-AutoSnapshot -Server bfv01 -Schedule quota).Count | Should -Be 0
        }
        finally {
            Set-LocalCloudConfig -Settings @{ maxTotalSnapshots = 10 }
        }
    }
}

Describe 'Data volumes' {
    It 'New-AutoSnapshot -IncludeVolumes snapshots app01''s data volume into the restore point' {
        $point = New-AutoSnapshot -Server app01 -Schedule data -IncludeVolumes -Wait
        $point.State | Should -Be 'Good'
        $point.IsVolumeBacked | Should -BeFalse
        @($point.VolumeSnapshots).Count | Should -Be 1
        $point.VolumeSnapshots[0].Size | Should -Be 50
        $point.Properties.autosnap_volumes | Should -Be '1'
    }

    It 'without -IncludeVolumes the image is all there is' {
        $point = New-AutoSnapshot -Server app01 -Schedule nodata -Wait
        $point.HasVolumeParts | Should -BeFalse
        $point.VolumeSnapshots | Should -BeNullOrEmpty
    }

    It 'autosnap.ps1 -IncludeVolumes rotates restore points and logs their volume snapshots' {
        $log = Join-Path ([IO.Path]::GetTempPath()) ("autosnap-volumes-{0}.jsonl" -f [guid]::NewGuid())
        $script = Join-Path $ModulePath 'scripts/autosnap.ps1'
        try {
            foreach ($night in 1..2) {
                # As cron runs it: credentials in the environment, the servers as one argument; the child exits with its exit code.
                $out = Invoke-FreshPwsh -MergeErrors -Script @"
`$env:RACKSPACE_USERNAME = 'demo'; `$env:RACKSPACE_API_KEY = 'demo-api-key'; `$env:RACKSPACE_REGION = 'DFW'
& '$script' -Server 'app01,bfv01' -Schedule cron -Retention 0 -IncludeVolumes -IdentityUrl '$($Cloud.IdentityV2Url)' -LogPath '$log'
exit `$LASTEXITCODE
"@
                $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
                $null = Move-LocalCloudClock -By 1.00:00:00
            }
            $points = @(Get-AutoSnapshot -Server app01, bfv01 -Schedule cron)
            $points.Count | Should -Be 2
            $points | ForEach-Object { $_.State | Should -Be 'Good'; @($_.VolumeSnapshots).Count | Should -Be 1 }
            $records = Get-Content $log | ConvertFrom-Json
            @($records | Where-Object { $_.event -eq 'job' -and $_.volumeSnapshots.Count -eq 1 }).Count | Should -Be 4
            $deletes = @($records | Where-Object event -EQ 'delete')
            $deletes.Count | Should -Be 2
            $deletes | ForEach-Object { $_.outcome | Should -Be 'Deleted'; @($_.volumeSnapshots).Count | Should -Be 1 }
            # No Cinder snapshot of a deleted restore point is left.
            $cinder = @(Get-CinderSnapshot).id
            $deletes | ForEach-Object { $cinder | Should -Not -Contain $_.volumeSnapshots[0] }
            $points | ForEach-Object { $cinder | Should -Contain $_.VolumeSnapshots[0].Id }
        }
        finally {
            Remove-Item $log -ErrorAction SilentlyContinue
        }
    }
}
