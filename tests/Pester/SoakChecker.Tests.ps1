# The soak's checker must be able to fail: its Cinder snapshot rules against a LocalCloud where the harm is done by
# hand (a part deleted under a kept image, an untagged or an old leftover, a manual snapshot deleted, a part in error).

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    . (Join-Path $PSScriptRoot '../Soak/SoakChecker.ps1')
    $script:Cloud = Start-LocalCloud -Config @{ seed = 1; snapshotSeconds = 0; volumeSnapshotSeconds = 0; maxTotalSnapshots = -1 }
    $script:Server = @((Get-LocalCloudState).regions.DFW.serverList | Where-Object name -EQ 'bfv01')[0].id
    $script:Cinder = "$($script:Cloud.Url)/volume/dfw/v1/100001"

    function Invoke-Cloud([string] $Method = 'GET', [string] $Uri, $Body) {
        $request = @{ Method = $Method; Uri = $Uri; Headers = @{ 'X-Auth-Token' = (Get-LocalCloudToken) } }
        if ($null -ne $Body) { $request.Body = $Body | ConvertTo-Json -Depth 6 -Compress; $request.ContentType = 'application/json' }
        Invoke-RestMethod @request
    }

    # A restore point of volume-backed bfv01 as Nova makes it (an image naming a Cinder snapshot), tagged or not.
    function New-RestorePoint([switch] $Tagged) {
        $token = [guid]::NewGuid().ToString()
        $metadata = @{ autosnap_schedule = 'daily'; autosnap_server = $script:Server; autosnap_request = $token; autosnap_volume_backed = 'true' }
        $null = Invoke-Cloud POST "$($script:Cloud.Url)/compute/dfw/v2/100001/servers/$($script:Server)/action" @{ createImage = @{ name = "rp-$token"; metadata = $metadata } }
        $image = @((Invoke-Cloud GET "$($script:Cloud.Url)/image/dfw/v2/images?limit=1000").images | Where-Object { $_.PSObject.Properties['autosnap_request'] -and $_.autosnap_request -eq $token })[0]
        $part = @(($image.block_device_mapping | ConvertFrom-Json) | ForEach-Object snapshot_id)[0]
        if ($Tagged) {
            $null = Invoke-Cloud POST "$($script:Cinder)/snapshots/$part/metadata" @{ metadata = @{ autosnap_server = $script:Server; autosnap_schedule = 'daily'; autosnap_image = $image.id } }
        }
        [pscustomobject]@{ Image = $image.id; Part = $part }
    }

    function Invoke-Check($Ledger, [int] $Day, [hashtable] $Succeeded = @{}) {
        $violations = [System.Collections.Generic.List[string]]::new()
        $notes = [System.Collections.Generic.List[string]]::new()
        $null = Update-SoakLedger $Ledger -Day $Day
        $counts = Test-SoakVolumes $Ledger -Day $Day -Succeeded $Succeeded -Violations $violations -Notes $notes
        [pscustomobject]@{ Violations = @($violations); Notes = @($notes); Counts = $counts }
    }

    function New-Ledger {
        Reset-LocalCloud
        $null = Set-LocalCloudConfig -Settings @{ snapshotSeconds = 0; volumeSnapshotSeconds = 0; volumeSnapshotFailRate = 0; maxTotalSnapshots = -1 }
        $ledger = New-SoakLedger -CloudUrl $script:Cloud.Url -Region DFW -Policy @{ Retention = 3 }
        $null = Update-SoakLedger $ledger -Day 0
        $ledger
    }
}

AfterAll {
    if ($script:Cloud) { Stop-LocalCloud $script:Cloud }
}

Describe 'SoakChecker: Cinder snapshots' {
    It 'counts a good restore point and its part, and sees a part deleted under a kept image' {
        $ledger = New-Ledger
        $point = New-RestorePoint -Tagged
        $day1 = Invoke-Check $ledger 1
        $day1.Violations | Should -BeNullOrEmpty
        $day1.Counts.Created | Should -Be 1
        $ledger.Images[$point.Image].State | Should -Be 'good'
        $null = Invoke-Cloud DELETE "$($script:Cinder)/snapshots/$($point.Part)"
        $day2 = Invoke-Check $ledger 2
        $day2.Violations | Should -Match "restore point $($point.Image) .* lost its part $($point.Part)"
        $ledger.Images[$point.Image].State | Should -Be 'failed'
    }

    It 'calls an untagged leftover leaked at once, and a tagged one only after a run in which its job succeeded' {
        $ledger = New-Ledger
        $untagged = New-RestorePoint
        $tagged = New-RestorePoint -Tagged
        $null = Invoke-Check $ledger 1
        foreach ($point in $untagged, $tagged) { $null = Invoke-Cloud DELETE "$($script:Cloud.Url)/image/dfw/v2/images/$($point.Image)" }
        $day2 = Invoke-Check $ledger 2
        @($day2.Violations).Count | Should -Be 1
        $day2.Violations[0] | Should -Match "$($untagged.Part) .*carries no Autosnap tag"
        $day2.Counts.LeftoversFound | Should -Be 2
        $day3 = Invoke-Check $ledger 3
        $day3.Violations | Should -BeNullOrEmpty
        ($day3.Notes -join "`n") | Should -Match "$($tagged.Part) .*waits for a successful job"
        $day4 = Invoke-Check $ledger 4 -Succeeded @{ $script:Server = $true }
        @($day4.Violations).Count | Should -Be 1
        $day4.Violations[0] | Should -Match "$($tagged.Part) .*survived a run in which its server's job succeeded"
        $null = Invoke-Cloud DELETE "$($script:Cinder)/snapshots/$($tagged.Part)"
        $day5 = Invoke-Check $ledger 5
        $day5.Violations | Should -BeNullOrEmpty
        $day5.Counts.LeftoversCleaned | Should -Be 1
        $ledger.Leaked | Should -Be 2
    }

    It 'sees a manual Cinder snapshot made before the first run deleted' {
        Reset-LocalCloud
        $ledger = New-SoakLedger -CloudUrl $script:Cloud.Url -Region DFW -Policy @{ Retention = 3 }
        $manual = New-SoakForeignVolumeSnapshot $ledger -VolumeName 'app01-data'
        $null = Update-SoakLedger $ledger -Day 0
        (Invoke-Check $ledger 1).Violations | Should -BeNullOrEmpty
        $null = Invoke-Cloud DELETE "$($script:Cinder)/snapshots/$($manual.id)"
        (Invoke-Check $ledger 2).Violations | Should -Match "$($manual.id) .*was not Autosnap's and was deleted"
    }

    It 'counts a restore point whose part ended in error as failed, not good' {
        $ledger = New-Ledger
        $null = Set-LocalCloudConfig -Settings @{ volumeSnapshotFailRate = 1 }
        $point = New-RestorePoint -Tagged
        $null = Invoke-Check $ledger 1
        $ledger.Images[$point.Image].ImageState | Should -Be 'good'
        $ledger.Images[$point.Image].State | Should -Be 'failed'
        $ledger.EverGood.Count | Should -Be 0
    }
}
