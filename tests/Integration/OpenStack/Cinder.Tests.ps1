# Proves the tier's Cinder and Nova's volume-backed snapshot path, from outside the module (plain HTTP, Common.ps1):
# the facts the module's volume support and LocalCloud's block storage are built on. Uses the volume servers of
# rig.json only; deletes every image and Cinder snapshot it makes; puts the demo project's Cinder quota back.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Rig = Get-OsRig
    $script:Auth = New-OsRigToken
    $script:Token = $Auth.Token
    $script:Boot = Get-OsRigVolumeServer volume-backed
    $script:Data = Get-OsRigVolumeServer image-backed-with-data-volume
    $script:Marker = 'cinder' + [guid]::NewGuid().ToString('N').Substring(0, 6)
    $script:Images = [System.Collections.Generic.List[string]]::new()

    function New-Image([string] $ServerId, [string] $Name, [string] $Microversion = '2.45') {
        Invoke-OsRigApi -Method POST -Uri "$($Rig.computeUrl)/servers/$ServerId/action" -Token $Token `
            -Headers @{ 'OpenStack-API-Version' = "compute $Microversion" } `
            -Body @{ createImage = @{ name = $Name; metadata = @{ autosnap_schedule = $Marker; autosnap_server = $ServerId } } }
    }
    function Get-Image([string] $Id) { (Invoke-OsRigApi -Method GET -Uri "$($Rig.imageUrl)/v2/images/$Id" -Token $Token).Json }
    function Get-MarkerSnapshot { @(Get-OsRigVolumeSnapshot -Token $Token | Where-Object name -Like "snapshot for $Marker*") }
}

AfterAll {
    if ($Token) {
        Set-OsRigVolumeQuota -Reset
        foreach ($id in $Images) { $null = Invoke-OsRigApi -Method DELETE -Uri "$($Rig.imageUrl)/v2/images/$id" -Token $Token }
        $left = @(Get-MarkerSnapshot | ForEach-Object id)
        if ($left) { Remove-OsRigVolumeSnapshot -SnapshotId $left -Token $Token }
        Wait-OsRigServerIdle -ServerId $Data.id -Token $Token | Out-Null
    }
}

Describe 'The tier''s Cinder (real Cinder v3, fake volume driver) and Nova''s volume-backed snapshots' {

    It 'has volumev3 and block-storage in the catalog, both at the demo project''s Cinder endpoint' {
        foreach ($type in 'volumev3', 'block-storage') {
            $entry = @($Auth.Body.catalog | Where-Object type -EQ $type)
            $entry.Count | Should -Be 1 -Because "one $type service"
            @($entry[0].endpoints | Where-Object interface -EQ public)[0].url | Should -Be $Rig.volumeUrl
        }
        $Rig.volumeUrl | Should -Match "/v3/$($Rig.demo.projectId)$"
    }

    It 'has a volume-backed server (no image) and an image-backed server with an in-use data volume' {
        foreach ($s in $Boot, $Data) {
            $server = (Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/servers/$($s.id)" -Token $Token).Json.server
            $server.status | Should -Be 'ACTIVE'
            @($server.'os-extended-volumes:volumes_attached'.id) | Should -Be @($s.volumes.id)
            foreach ($v in $s.volumes) {
                $volume = (Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/volumes/$($v.id)" -Token $Token).Json.volume
                $volume.status | Should -Be 'in-use'
                $volume.attachments[0].server_id | Should -Be $s.id
            }
        }
        (Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/servers/$($Boot.id)" -Token $Token).Json.server.image | Should -Be ''
    }

    Context 'createImage of the volume-backed server' {
        BeforeAll {
            $script:Create = New-Image $Boot.id "$Marker-vb"
            $script:ImageId = $Create.Json.image_id
            if ($ImageId) { $Images.Add($ImageId) }
            $script:Image = Get-Image $ImageId
            $script:SnapshotIds = @(Get-OsRigImageVolumeSnapshotId $Image)
        }

        It 'answers 202 and makes an image that is active at once, size 0, without instance_uuid or image_type' {
            $Create.Status | Should -Be 202
            $Image.status | Should -Be 'active'
            $Image.size | Should -Be 0
            $Image.PSObject.Properties.Name | Should -Not -Contain 'instance_uuid'
            $Image.PSObject.Properties.Name | Should -Not -Contain 'image_type'
            $Image.bdm_v2 | Should -Be 'True'
            $Image.autosnap_server | Should -Be $Boot.id
        }

        It 'names one Cinder snapshot per volume in block_device_mapping (a JSON string), of the root volume' {
            $Image.block_device_mapping | Should -BeOfType [string]
            $SnapshotIds.Count | Should -Be $Boot.volumes.Count
            $seen = Wait-OsRigVolumeSnapshot -SnapshotId $SnapshotIds[0] -Token $Token
            $seen[-1] | Should -Be 'available'
            $snapshot = (Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/snapshots/$($SnapshotIds[0])" -Token $Token).Json.snapshot
            $snapshot.volume_id | Should -Be $Boot.volumes[0].id
            $snapshot.name | Should -Be "snapshot for $Marker-vb"
            ($snapshot.metadata.PSObject.Properties | Measure-Object).Count | Should -Be 0
        }

        It 'is not found by instance_uuid or image_type, only by its metadata' {
            $byServer = (Invoke-OsRigApi -Method GET -Uri "$($Rig.imageUrl)/v2/images?instance_uuid=$($Boot.id)" -Token $Token).Json.images
            @($byServer | Where-Object id -EQ $ImageId).Count | Should -Be 0
            $byMeta = (Invoke-OsRigApi -Method GET -Uri "$($Rig.imageUrl)/v2/images?autosnap_schedule=$Marker" -Token $Token).Json.images
            @($byMeta.id) | Should -Contain $ImageId
        }

        It 'leaves the Cinder snapshot behind when the image is deleted' {
            (Invoke-OsRigApi -Method DELETE -Uri "$($Rig.imageUrl)/v2/images/$ImageId" -Token $Token).Status | Should -Be 204
            $after = Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/snapshots/$($SnapshotIds[0])" -Token $Token
            $after.Status | Should -Be 200
            $after.Json.snapshot.status | Should -Be 'available'
            Remove-OsRigVolumeSnapshot -SnapshotId $SnapshotIds -Token $Token
            (Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/snapshots/$($SnapshotIds[0])" -Token $Token).Status | Should -Be 404
        }
    }

    Context 'over the Cinder snapshot quota' {
        BeforeAll {
            $used = (Get-OsRigVolumeLimit -Token $Token).totalSnapshotsUsed
            Set-OsRigVolumeQuota @{ snapshots = $used }
            $script:Limits = Get-OsRigVolumeLimit -Token $Token
            $script:Refused = New-Image $Boot.id "$Marker-over"
            $script:CinderRefused = Invoke-OsRigApi -Method POST -Uri "$($Rig.volumeUrl)/snapshots" -Token $Token `
                -Body @{ snapshot = @{ volume_id = $Data.volumes[0].id; force = $true; name = "snapshot for $Marker-direct" } }
        }
        AfterAll { Set-OsRigVolumeQuota -Reset }

        It 'shows the quota as full in Cinder''s absolute limits' {
            $Limits.maxTotalSnapshots | Should -Be $Limits.totalSnapshotsUsed
        }

        It 'makes Nova refuse createImage with 403 "Quota exceeded for resources: snapshots" and make nothing' {
            $Refused.Status | Should -Be 403
            $Refused.Json.forbidden.message | Should -Be 'Quota exceeded for resources: snapshots'
            $byName = (Invoke-OsRigApi -Method GET -Uri "$($Rig.imageUrl)/v2/images?name=$Marker-over" -Token $Token).Json.images
            @($byName).Count | Should -Be 0
            @(Get-MarkerSnapshot).Count | Should -Be 0
        }

        It 'makes Cinder refuse a snapshot with 413 SnapshotLimitExceeded' {
            $CinderRefused.Status | Should -Be 413
            $CinderRefused.Json.overLimit.message | Should -Match '^SnapshotLimitExceeded: '
            $CinderRefused.Headers['Retry-After'] | Should -Be '0'
        }
    }

    Context 'createImage of an image-backed server with a data volume' {
        BeforeAll {
            Wait-OsRigServerIdle -ServerId $Data.id -Token $Token | Out-Null
            $script:Before = @(Get-OsRigVolumeSnapshot -Token $Token -Query "volume_id=$($Data.volumes[0].id)").Count
            $script:Create = New-Image $Data.id "$Marker-data"
            $script:ImageId = $Create.Json.image_id
            if ($ImageId) { $Images.Add($ImageId) }
            $script:Seen = Wait-OsRigImage -ImageId $ImageId -Token $Token
            $script:Image = Get-Image $ImageId
        }

        It 'is an ordinary snapshot: uploaded, instance_uuid, nothing about the data volume, no Cinder snapshot' {
            $Seen[-1] | Should -Be 'active'
            $Image.size | Should -BeGreaterThan 0
            $Image.instance_uuid | Should -Be $Data.id
            $Image.PSObject.Properties.Name | Should -Not -Contain 'block_device_mapping'
            @(Get-OsRigVolumeSnapshot -Token $Token -Query "volume_id=$($Data.volumes[0].id)").Count | Should -Be $Before
        }
    }
}
