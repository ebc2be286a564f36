# Proves what a restore meets on the tier's real Nova, from outside the module (plain HTTP, Common.ps1): the facts
# Restore-AutoSnapshot, Test-AutoSnapshotRestore and LocalCloud's servers are built on (README "API record: restore",
# capture-restore.sh). Boots scratch servers (named after the run marker) from snapshots of autosnap-it-3 and
# autosnap-vol-boot, rebuilds, deletes; watches createImage's task_state phases (the after-hook's moment). Deletes
# every server, image, volume and Cinder snapshot it makes; puts demo's Nova quota back.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Rig = Get-OsRig
    $script:Token = (New-OsRigToken).Token
    $script:Marker = 'restore' + [guid]::NewGuid().ToString('N').Substring(0, 6)
    $script:Images = [System.Collections.Generic.List[string]]::new()
    $script:Servers = [System.Collections.Generic.List[string]]::new()
    $script:It3 = $Rig.servers[2].id
    $script:Boot = Get-OsRigVolumeServer volume-backed
    $script:Base = $Rig.baseImageId

    function New-Image([string] $ServerId, [string] $Name) {
        Wait-OsRigServerIdle -ServerId $ServerId -Token $Token | Out-Null
        Start-Sleep -Seconds 1  # Nova's conductor still writes the previous snapshot's action (sqlite)
        $r = Invoke-OsRigApi -Method POST -Uri "$($Rig.computeUrl)/servers/$ServerId/action" -Token $Token `
            -Headers @{ 'OpenStack-API-Version' = 'compute 2.45' } `
            -Body @{ createImage = @{ name = "$Marker-$Name"; metadata = @{ autosnap_schedule = $Marker; autosnap_server = $ServerId } } }
        if ($r.Json.image_id) { $Images.Add($r.Json.image_id) }
        $r
    }
    function Get-Image([string] $Id) { (Invoke-OsRigApi -Method GET -Uri "$($Rig.imageUrl)/v2/images/$Id" -Token $Token).Json }
    function Set-ImageProperty([string] $Id, [string] $Name, [object] $Value) {
        $r = Invoke-OsRigApi -Method PATCH -Uri "$($Rig.imageUrl)/v2/images/$Id" -Token $Token `
            -ContentType 'application/openstack-images-v2.1-json-patch' -Body "[{`"op`":`"replace`",`"path`":`"/$Name`",`"value`":$(ConvertTo-Json $Value)}]"
        if ($r.Status -ne 200) { throw "PATCH image $Id $Name -> $($r.Status) $($r.Content)" }
    }
    function Start-Server([hashtable] $Server, [string] $Microversion = '2.37') {
        $Server.name = "$Marker-$($Server.name)"
        $made = New-OsRigActiveServer -Server $Server -Token $Token -Microversion $Microversion
        $Servers.Add($made.Id)
        $made
    }
    function Get-Volume([string] $Id) {
        $r = Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/volumes/$Id" -Token $Token
        if ($r.Status -eq 404) { return $null }
        $r.Json.volume
    }
    function Wait-Volume([string] $Id, [string[]] $Status, [int] $TimeoutSeconds = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        do {
            $volume = Get-Volume $Id
            $now = if ($volume) { $volume.status } else { '(gone)' }
            if ($now -in $Status) { return $now }
            Start-Sleep -Milliseconds 300
        } while ([DateTime]::UtcNow -lt $deadline)
        $now
    }
    # Volumes Nova made from one of this run's Cinder snapshots (the restore's root and data volumes).
    function Get-VolumeFrom([string] $SnapshotId) {
        @((Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/volumes/detail" -Token $Token).Json.volumes |
                Where-Object snapshot_id -EQ $SnapshotId)
    }
    function Invoke-Rebuild([string] $ServerId, [string] $ImageId, [string] $Microversion) {
        Invoke-OsRigApi -Method POST -Uri "$($Rig.computeUrl)/servers/$ServerId/action" -Token $Token `
            -Headers @{ 'OpenStack-API-Version' = "compute $Microversion" } -Body @{ rebuild = @{ imageRef = $ImageId } }
    }
}

AfterAll {
    if ($Token) {
        Set-OsRigSnapshotControl -Name hold -On $false
        Set-OsRigSnapshotControl -Name fail -On $false
        $admin = New-OsRigToken -User admin -Password $Rig.admin.password
        $null = Invoke-OsRigApi -Method DELETE -Uri "$($Rig.computeUrl)/os-quota-sets/$($Rig.demo.projectId)" -Token $admin.Token
        Remove-OsRigServer -ServerId $Servers -Token $Token
        # volumes left by servers whose root came from this run's snapshots (delete_on_termination false)
        $snapshotIds = @(foreach ($id in $Images) { $image = Get-Image $id; if ($image) { Get-OsRigImageVolumeSnapshotId $image } })
        foreach ($sid in $snapshotIds) {
            foreach ($v in (Get-VolumeFrom $sid)) {
                $null = Wait-Volume $v.id available, error
                $null = Invoke-OsRigApi -Method DELETE -Uri "$($Rig.volumeUrl)/volumes/$($v.id)" -Token $Token
                $null = Wait-Volume $v.id '(gone)'
            }
        }
        foreach ($id in $Images) { $null = Invoke-OsRigApi -Method DELETE -Uri "$($Rig.imageUrl)/v2/images/$id" -Token $Token }
        $left = @(Get-OsRigVolumeSnapshot -Token $Token | Where-Object { $_.name -like "snapshot for $Marker*" -or $_.id -in $snapshotIds } | ForEach-Object id)
        if ($left) { Remove-OsRigVolumeSnapshot -SnapshotId $left -Token $Token }
        Wait-OsRigServerIdle -ServerId $It3 -Token $Token | Out-Null
    }
}

Describe 'Restoring on the tier''s real Nova (fake driver), from outside the module' {

    It 'has flavors to choose from, demo''s isolated network, key pair and a server on that network' {
        @($Rig.flavors.name) | Should -Be @('m1.tiny', 'm1.small', 'm1.medium')
        $flavors = (Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/flavors/detail" -Token $Token).Json.flavors
        ($flavors | Where-Object name -EQ 'm1.small').disk | Should -Be 2
        $server = Get-OsRigServer -ServerId $Rig.network.server.id -Token $Token
        $server.status | Should -Be 'ACTIVE'
        $server.key_name | Should -Be $Rig.keyName
        @($server.security_groups.name) | Should -Be @('default')
        @($server.addresses.PSObject.Properties.Name) | Should -Be @($Rig.network.name)
        $server.addresses.($Rig.network.name)[0].addr | Should -Match '^192\.0\.2\.'
    }

    Context 'an image-backed snapshot' {
        BeforeAll {
            $script:Create = New-Image $It3 'img'
            $script:ImageId = $Create.Json.image_id
            $script:Phases = Watch-OsRigSnapshot -ServerId $It3 -ImageId $ImageId -Token $Token
        }

        It 'goes through the task_state phases in order: the disk is captured before the upload starts' {
            $Create.Status | Should -Be 202
            $order = 'image_snapshot_pending', 'image_snapshot', 'image_pending_upload', 'image_uploading', 'null'
            $tasks = @($Phases.TaskState | Select-Object -Unique)
            $positions = @($tasks | ForEach-Object { [array]::IndexOf($order, $_) })
            $positions | Should -Not -Contain -1 -Because "only snapshot phases ($($tasks -join ', '))"
            ($positions | Sort-Object) -join ',' | Should -Be ($positions -join ',') -Because "phases in order ($($tasks -join ' -> '))"
            $tasks | Should -Contain 'image_pending_upload'
            $tasks | Should -Contain 'image_uploading'
            $tasks[-1] | Should -Be 'null'
            # the upload is what image_uploading means: Glance's image leaves 'queued' only then
            @($Phases | Where-Object TaskState -In 'image_snapshot_pending', 'image_snapshot' | Where-Object ImageStatus -NE 'queued') | Should -BeNullOrEmpty
            $Phases[-1].ImageStatus | Should -Be 'active'
        }

        It 'boots a new server from it (networks none): BUILD, then ACTIVE on that image, no addresses' {
            $script:Restored = Start-Server @{ name = 'img'; imageRef = $ImageId; flavorRef = '1'; networks = 'none' }
            $Restored.Response.Status | Should -Be 202
            $Restored.Response.Headers['Location'] | Should -Be "$($Rig.computeUrl)/servers/$($Restored.Id)"
            $Restored.Response.Json.server.security_groups[0].name | Should -Be 'default'
            $Restored.Seen[0] | Should -BeLike 'BUILD/*'
            $Restored.Seen[-1] | Should -Be 'ACTIVE/null'
            $Restored.Server.image.id | Should -Be $ImageId
            $Restored.Server.addresses.PSObject.Properties.Name | Should -BeNullOrEmpty
            $Restored.Server.PSObject.Properties.Name | Should -Not -Contain 'security_groups'
            $Restored.Server.'OS-EXT-AZ:availability_zone' | Should -Be 'nova'
            (Get-Image $ImageId).min_disk | Should -Be 1 -Because 'a snapshot takes min_disk from the flavor'
        }

        It 'rebuilds that server from the base image: REBUILD, then ACTIVE with the new image' {
            $r = Invoke-Rebuild $Restored.Id $Base '2.1'
            $r.Status | Should -Be 202
            $r.Json.server.status | Should -Be 'REBUILD'
            $again = Invoke-Rebuild $Restored.Id $Base '2.1'
            $again.Status | Should -Be 409
            $again.Json.conflictingRequest.message | Should -Be "Cannot 'rebuild' instance $($Restored.Id) while it is in task_state rebuilding"
            $seen = Wait-OsRigServer -ServerId $Restored.Id -Token $Token
            $seen[0] | Should -BeLike 'REBUILD/*'
            $seen[-1] | Should -Be 'ACTIVE/null'
            (Get-OsRigServer -ServerId $Restored.Id -Token $Token).image.id | Should -Be $Base
        }

        It 'refuses flavors smaller than the image''s min_ram or min_disk, with 400 messages' {
            Set-ImageProperty $ImageId min_ram 100
            $r = New-OsRigServer -Server @{ name = "$Marker-min"; imageRef = $ImageId; flavorRef = '1'; networks = 'none' } -Token $Token
            $r.Status | Should -Be 400
            $r.Json.badRequest.message | Should -Be "Flavor's memory is too small for requested image."
            Set-ImageProperty $ImageId min_ram 0
            Set-ImageProperty $ImageId min_disk 2
            $r = New-OsRigServer -Server @{ name = "$Marker-min"; imageRef = $ImageId; flavorRef = '1'; networks = 'none' } -Token $Token
            $r.Status | Should -Be 400
            $r.Json.badRequest.message | Should -Be "Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is 1073741824 bytes, minimum size is 2147483648 bytes."
            Set-ImageProperty $ImageId min_disk 1
        }

        It 'boots it on the isolated network with key pair, security group and tags; ?tags= filters only from 2.26' {
            $script:OnNetwork = Start-Server -Microversion '2.93' @{ name = 'net'; imageRef = $ImageId; flavorRef = '1'
                networks = @(@{ uuid = $Rig.network.id }); key_name = $Rig.keyName; security_groups = @(@{ name = 'default' })
                tags = @("$Marker-throwaway") }
            $server = $OnNetwork.Server
            $OnNetwork.Seen[-1] | Should -Be 'ACTIVE/null'
            $server.key_name | Should -Be $Rig.keyName
            @($server.security_groups.name) | Should -Be @('default')
            $server.addresses.($Rig.network.name)[0].'OS-EXT-IPS:type' | Should -Be 'fixed'
            @($server.tags) | Should -Be @("$Marker-throwaway")
            $tagged = Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/servers?tags=$Marker-throwaway" -Token $Token -Headers @{ 'OpenStack-API-Version' = 'compute 2.26' }
            @($tagged.Json.servers.id) | Should -Be @($OnNetwork.Id)
            $ignored = Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/servers?tags=$Marker-throwaway" -Token $Token
            @($ignored.Json.servers.id) | Should -Contain $It3 -Because 'at 2.1 Nova ignores the tags filter'
        }

        It 'attaches a data volume''s snapshot as a new volume only when the image is its own mapping entry' {
            $dataServer = Get-OsRigVolumeServer image-backed-with-data-volume
            $snap = Invoke-OsRigApi -Method POST -Uri "$($Rig.volumeUrl)/snapshots" -Token $Token `
                -Body @{ snapshot = @{ volume_id = $dataServer.volumes[0].id; force = $true; name = "snapshot for $Marker-data" } }
            $snap.Status | Should -Be 202
            $snapshotId = $snap.Json.snapshot.id
            $null = Wait-OsRigVolumeSnapshot -SnapshotId $snapshotId -Token $Token
            $data = @{ boot_index = -1; uuid = $snapshotId; source_type = 'snapshot'; destination_type = 'volume'; delete_on_termination = $true }
            $r = New-OsRigServer -Server @{ name = "$Marker-data"; imageRef = $ImageId; flavorRef = '1'; networks = 'none'; block_device_mapping_v2 = @($data) } -Token $Token
            $r.Status | Should -Be 400
            $r.Json.badRequest.message | Should -Be 'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.'
            $made = Start-Server @{ name = 'data'; imageRef = $ImageId; flavorRef = '1'; networks = 'none'; block_device_mapping_v2 = @(
                    @{ boot_index = 0; uuid = $ImageId; source_type = 'image'; destination_type = 'local'; delete_on_termination = $true }, $data) }
            $made.Seen[-1] | Should -Be 'ACTIVE/null'
            $made.Server.image.id | Should -Be $ImageId
            $attached = @($made.Server.'os-extended-volumes:volumes_attached')
            $attached.Count | Should -Be 1
            $volume = Get-Volume $attached[0].id
            $volume.snapshot_id | Should -Be $snapshotId
            $volume.attachments[0].device | Should -Be '/dev/sdb'
            Remove-OsRigServer -ServerId $made.Id -Token $Token
            Wait-Volume $attached[0].id '(gone)' | Should -Be '(gone)' -Because 'delete_on_termination true'
            Remove-OsRigVolumeSnapshot -SnapshotId $snapshotId -Token $Token
        }

        It 'deletes servers: 204, DELETED, then 404 with itemNotFound' {
            $r = Invoke-OsRigApi -Method DELETE -Uri "$($Rig.computeUrl)/servers/$($OnNetwork.Id)" -Token $Token
            $r.Status | Should -Be 204
            $seen = Wait-OsRigServer -ServerId $OnNetwork.Id -Token $Token
            $seen[-1] | Should -Be '(gone)'
            $gone = Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/servers/$($OnNetwork.Id)" -Token $Token
            $gone.Status | Should -Be 404
            $gone.Json.itemNotFound.message | Should -Be "Instance $($OnNetwork.Id) could not be found."
        }

        It 'answers a boot over the instance quota with 403 naming the quota and the usage' {
            $admin = New-OsRigToken -User admin -Password $Rig.admin.password
            $used = (Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/limits" -Token $Token).Json.limits.absolute.totalInstancesUsed
            $quota = "$($Rig.computeUrl)/os-quota-sets/$($Rig.demo.projectId)"
            (Invoke-OsRigApi -Method PUT -Uri $quota -Token $admin.Token -Body @{ quota_set = @{ instances = $used } }).Status | Should -Be 200
            try {
                $r = New-OsRigServer -Server @{ name = "$Marker-quota"; imageRef = $ImageId; flavorRef = '1'; networks = 'none' } -Token $Token
                $r.Status | Should -Be 403
                $r.Json.forbidden.message | Should -Be "Quota exceeded for instances: Requested 1, but already used $used of $used instances"
            }
            finally { (Invoke-OsRigApi -Method DELETE -Uri $quota -Token $admin.Token).Status | Should -Be 202 }
        }
    }

    Context 'the capture phase, held and failed' {
        It 'stays in image_pending_upload with the image queued while the driver holds, then uploads' {
            Set-OsRigSnapshotControl -Name hold -On $true
            try {
                $create = New-Image $It3 'held'
                $create.Status | Should -Be 202
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                do { $server = Get-OsRigServer -ServerId $It3 -Token $Token } until ($server.'OS-EXT-STS:task_state' -eq 'image_pending_upload' -or [DateTime]::UtcNow -gt $deadline)
                Start-Sleep -Seconds 3  # longer than the upload delay: without the hold it would be uploading by now
                (Get-OsRigServer -ServerId $It3 -Token $Token).'OS-EXT-STS:task_state' | Should -Be 'image_pending_upload'
                (Get-Image $create.Json.image_id).status | Should -Be 'queued'
            }
            finally { Set-OsRigSnapshotControl -Name hold -On $false }
            $after = Watch-OsRigSnapshot -ServerId $It3 -ImageId $create.Json.image_id -Token $Token
            @($after.TaskState | Select-Object -Unique) | Should -Be @('image_pending_upload', 'image_uploading', 'null')
            $after[-1].ImageStatus | Should -Be 'active'
        }

        It 'ends a failed snapshot from image_pending_upload: no image_uploading, the image deleted' {
            Set-OsRigSnapshotControl -Name fail -On $true
            try {
                $create = New-Image $It3 'failed'
                $phases = Watch-OsRigSnapshot -ServerId $It3 -ImageId $create.Json.image_id -Token $Token
            }
            finally { Set-OsRigSnapshotControl -Name fail -On $false }
            $tasks = @($phases.TaskState | Select-Object -Unique)
            $tasks | Should -Contain 'image_pending_upload'
            $tasks | Should -Not -Contain 'image_uploading'
            $tasks[-1] | Should -Be 'null'
            $phases[-1].ImageStatus | Should -Be '(gone)'
            (Get-OsRigServer -ServerId $It3 -Token $Token).status | Should -Be 'ACTIVE'
        }
    }

    Context 'a volume-backed snapshot' {
        BeforeAll {
            $script:VCreate = New-Image $Boot.id 'vb'
            $script:VImageId = $VCreate.Json.image_id
            $script:VSnapshotId = @(Get-OsRigImageVolumeSnapshotId (Get-Image $VImageId))[0]
            $null = Wait-OsRigVolumeSnapshot -SnapshotId $VSnapshotId -Token $Token
        }

        It 'boots from the image alone: a new root volume from its Cinder snapshot, kept when the server goes' {
            $VCreate.Status | Should -Be 202
            $made = Start-Server @{ name = 'vb'; imageRef = $VImageId; flavorRef = '1'; networks = 'none' }
            $made.Seen -join ' ' | Should -Match 'block_device_mapping'
            $made.Seen[-1] | Should -Be 'ACTIVE/null'
            $made.Server.image.id | Should -Be $VImageId
            $attached = @($made.Server.'os-extended-volumes:volumes_attached')
            $attached.Count | Should -Be 1
            $attached[0].delete_on_termination | Should -BeFalse -Because 'the image''s mapping says so'
            $volume = Get-Volume $attached[0].id
            $volume.snapshot_id | Should -Be $VSnapshotId
            $volume.bootable | Should -Be 'true'
            $volume.attachments[0].device | Should -Be '/dev/sda'
            Remove-OsRigServer -ServerId $made.Id -Token $Token
            Wait-Volume $attached[0].id available | Should -Be 'available'
        }

        It 'deletes the root volume with the server when the boot overrides the image''s root entry' {
            $made = Start-Server @{ name = 'vb-dot'; imageRef = $VImageId; flavorRef = '1'; networks = 'none'
                block_device_mapping_v2 = @(@{ boot_index = 0; device_name = '/dev/sda'; uuid = $VSnapshotId; source_type = 'snapshot'
                        destination_type = 'volume'; delete_on_termination = $true }) }
            $made.Seen[-1] | Should -Be 'ACTIVE/null'
            $attached = @($made.Server.'os-extended-volumes:volumes_attached')
            $attached[0].delete_on_termination | Should -BeTrue
            (Get-Volume $attached[0].id).snapshot_id | Should -Be $VSnapshotId
            $script:VolumeBacked = $made
        }

        It 'refuses to rebuild a volume-backed server below 2.93' {
            foreach ($microversion in '2.1', '2.92') {
                $r = Invoke-Rebuild $VolumeBacked.Id $VImageId $microversion
                $r.Status | Should -Be 400
                $r.Json.badRequest.message | Should -Be "Image $VImageId is unacceptable: Unable to rebuild with a different image for a volume-backed server."
            }
        }

        It 'accepts it at 2.93, but Cinder cannot reimage from a volume-backed image: Nova reverts, the root volume is in error' {
            $r = Invoke-Rebuild $VolumeBacked.Id $VImageId '2.93'
            $r.Status | Should -Be 202
            $seen = Wait-OsRigServer -ServerId $VolumeBacked.Id -Token $Token
            $seen[-1] | Should -Be 'ACTIVE/null'
            $server = Get-OsRigServer -ServerId $VolumeBacked.Id -Token $Token
            $server.fault | Should -BeNullOrEmpty -Because 'Nova reverts the task without a fault'
            $root = @($server.'os-extended-volumes:volumes_attached')[0].id
            Wait-Volume $root error | Should -Be 'error' -Because 'a volume-backed snapshot image has no data to reimage from'
            Remove-OsRigServer -ServerId $VolumeBacked.Id -Token $Token
            Wait-Volume $root '(gone)' | Should -Be '(gone)'
        }

        It 'refuses a boot whose Cinder snapshot is gone, naming the snapshot' {
            Remove-OsRigVolumeSnapshot -SnapshotId $VSnapshotId -Token $Token
            $r = New-OsRigServer -Server @{ name = "$Marker-gone"; imageRef = $VImageId; flavorRef = '1'; networks = 'none' } -Token $Token
            $r.Status | Should -Be 400
            $r.Json.badRequest.message | Should -Be "Block Device Mapping is Invalid: failed to get snapshot $VSnapshotId."
        }
    }
}
