# The module's restores against the tier's real Nova, Cinder and Neutron, through its cmdlets only (issue 13):
# Restore-AutoSnapshot as a new server (an image-backed restore point that recorded a network, key pair and security
# group; a volume-backed one) and -InPlace (a scratch server: safety snapshot, then rebuild; a volume-backed scratch
# server: what the real microversion allows), Test-AutoSnapshotRestore end to end (verified and failed results written
# on the image; the throwaway server deleted; a leftover of an interrupted run deleted and no other server touched), and
# the after-snapshot hook's moment against createImage's real task_state phases (issue 14).
# Plain HTTP (Common.ps1) makes what the module must not make (the scratch servers, the interrupted run's leftover and
# a look-alike) and checks Nova, Glance and Cinder independently. Every image, server, volume and Cinder snapshot of this
# run carries the run marker (names; the pools "<marker>-..."), and AfterAll deletes them; the fixtures stay as they are.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'ModuleHelpers.ps1')
    $script:WaitLimit = [timespan]::FromMinutes(2)
    $script:Boot = Get-OsRigVolumeServer volume-backed
    $script:NetServer = $Rig.network.server
    $script:It1 = $Rig.servers[0]
    $script:Made = [System.Collections.Generic.List[string]]::new()   # servers this run booted (plain HTTP or restores)
    $before = Set-TestEnvironment $DemoEnv
    try { $null = Connect-RackspaceCloud -ErrorAction Stop } finally { Restore-Environment $before }
    # Room for this suite's servers next to the 6 fixtures: a restore test's look-alikes, its throwaway server and a
    # deleted server Nova still counts for a few seconds (DIFFERENCES.md S1). Reset to the defaults in AfterAll.
    $script:AdminToken = (New-OsRigToken -User admin -Password $Rig.admin.password).Token
    $script:QuotaUri = "$($Rig.computeUrl)/os-quota-sets/$($Rig.demo.projectId)"
    $null = Invoke-OsRigApi -Method PUT -Uri $QuotaUri -Token $AdminToken -Body @{ quota_set = @{ instances = 16; cores = 32 } }

    function Get-Volume([string] $Id) {
        $r = Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/volumes/$Id" -Token $Token
        if ($r.Status -eq 404) { return $null }
        $r.Json.volume
    }
    function Wait-Volume([string] $Id, [string[]] $Status, [int] $TimeoutSeconds = 90) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        do {
            $volume = Get-Volume $Id
            $now = if ($volume) { $volume.status } else { '(gone)' }
            if ($now -in $Status) { return $now }
            Start-Sleep -Milliseconds 300
        } while ([DateTime]::UtcNow -lt $deadline)
        $now
    }
    # A server of this run by plain HTTP (a stand-in for one of the user's), ACTIVE.
    function New-ScratchServer([hashtable] $Server) {
        $Server.name = "$Marker-$($Server.name)"
        $booted = New-OsRigActiveServer -Server $Server -Token $Token
        $Made.Add($booted.Id)
        if ($booted.Seen[-1] -ne 'ACTIVE/null') { throw "scratch server $($Server.name): $($booted.Seen -join ' -> ') $($booted.Server.fault.message)" }
        $booted.Server
    }
    # A good restore point as a fixture (not the subject of a test): the tier's sqlite sometimes fails a snapshot
    # ("database is locked"; README), so New-TestPools deletes such a one and makes it again.
    function New-FixturePoint([string] $Server, [string] $Schedule) {
        $found = @(Get-RackspaceServer -Name $Server -ErrorAction Stop)
        if ($found.Count -ne 1) { $found = @(Get-RackspaceServer -ErrorAction Stop | Where-Object Id -EQ $Server) }
        (New-TestPools -Pools @(@{ Server = $found[0]; Schedule = $Schedule }) -Count 1 -Token $Token)["$($found[0].Id)/$Schedule"][0]
    }
    # Every server of the demo project, with its metadata (2.1 list, all of them).
    function Get-AllServer { (Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/servers/detail" -Token $Token).Json.servers }
    function Get-FixtureState {
        $ids = @($Rig.servers.id) + @($Rig.volumeServers.id) + @($NetServer.id)
        foreach ($id in $ids) {
            $s = Get-OsRigServer -ServerId $id -Token $Token
            [pscustomobject]@{ Id = $id; Status = $s.status; Image = "$($s.image.id)"; Updated = $s.updated }
        }
    }
}

AfterAll {
    if ($Token) {
        Set-OsRigSnapshotControl -Name hold -On $false
        # restores and leftovers: every server named after the marker or booted from one of this run's images
        $mine = @(Get-AllServer | Where-Object { $_.name -like "*$Marker*" -or $_.id -in $Made } | ForEach-Object id)
        Remove-OsRigServer -ServerId $mine -Token $Token
        $images = @(Get-GlanceImages -Filter @{ owner = $Rig.demo.projectId } -Token $Token | Where-Object name -Like "*$Marker*")
        $snapshotIds = @($images | ForEach-Object { Get-OsRigImageVolumeSnapshotId $_ })
        # images first, then their Cinder snapshots, then the volumes (a volume with snapshots cannot be deleted): root
        # volumes Nova made from this run's snapshots (a volume-backed point's mapping keeps them) and the scratch root
        $null = Remove-TestImages -Marker $Marker -Token $Token
        $left = @(Get-OsRigVolumeSnapshot -Token $Token | Where-Object { $_.name -like "*$Marker*" -or $_.id -in $snapshotIds } | ForEach-Object id)
        if ($left) { Remove-OsRigVolumeSnapshot -SnapshotId $left -Token $Token }
        $volumes = @((Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/volumes/detail" -Token $Token).Json.volumes |
                Where-Object { $_.snapshot_id -in $snapshotIds -or $_.name -like "$Marker*" })
        foreach ($v in $volumes) {
            $null = Wait-Volume $v.id available, error, '(gone)'
            $null = Invoke-OsRigApi -Method DELETE -Uri "$($Rig.volumeUrl)/volumes/$($v.id)" -Token $Token
        }
        foreach ($v in $volumes) { $null = Wait-Volume $v.id '(gone)' }
        $null = Invoke-OsRigApi -Method DELETE -Uri $QuotaUri -Token (New-OsRigToken -User admin -Password $Rig.admin.password).Token
    }
    if (Get-Command Disconnect-RackspaceCloud -ErrorAction SilentlyContinue) { Disconnect-RackspaceCloud -All -ErrorAction SilentlyContinue }
    if ($SavedEnv) { Restore-Environment $SavedEnv }
}

Describe 'Restores on the real tier, through the module''s cmdlets' {

    Context 'Restore-AutoSnapshot as a new server' {
        It 'restores an image-backed point on the network, key pair, security group and flavor it recorded' {
            Wait-ServerSettled -ServerId $NetServer.id -Token $Token
            $point = New-FixturePoint $NetServer.name "$Marker-net"
            "$($point.State)" | Should -Be 'Good'
            $image = Get-GlanceImage -Id $point.Id -Token $Token
            $image.autosnap_networks | Should -Be $Rig.network.id
            $image.autosnap_key_name | Should -Be $Rig.keyName
            $image.autosnap_flavor | Should -Be '1'

            $server = $point | Restore-AutoSnapshot -Name "$Marker-net-restored" -Wait -Timeout $WaitLimit -ErrorAction Stop
            $Made.Add($server.Id)
            $server.Status | Should -Be 'ACTIVE'
            $real = Get-OsRigServer -ServerId $server.Id -Token $Token
            $real.status | Should -Be 'ACTIVE'
            $real.image.id | Should -Be $point.Id
            $real.flavor.original_name | Should -Be 'm1.tiny'
            $real.key_name | Should -Be $Rig.keyName
            @($real.security_groups.name) | Should -Be @('default')
            @($real.addresses.PSObject.Properties.Name) | Should -Be @($Rig.network.name)
            $real.metadata.autosnap_restored_from | Should -Be $point.Id
            Remove-OsRigServer -ServerId $server.Id -Token $Token
        }

        It 'takes -Flavor and -Network none over what the point recorded' {
            $point = @(Get-AutoSnapshot -Server $NetServer.name -Schedule "$Marker-net" -ErrorAction Stop)[0]
            $server = Restore-AutoSnapshot -Id $point.Id -Name "$Marker-net-small" -Flavor m1.small -Network none -Wait -Timeout $WaitLimit -ErrorAction Stop
            $Made.Add($server.Id)
            $real = Get-OsRigServer -ServerId $server.Id -Token $Token
            $real.status | Should -Be 'ACTIVE'
            $real.flavor.original_name | Should -Be 'm1.small'
            $real.addresses.PSObject.Properties.Name | Should -BeNullOrEmpty
            Remove-OsRigServer -ServerId $server.Id -Token $Token
        }

        It 'restores a volume-backed point: a new root volume made from the point''s Cinder snapshot' {
            Wait-ServerSettled -ServerId $Boot.id -Token $Token
            $point = New-FixturePoint $Boot.name "$Marker-vb"
            $point.IsVolumeBacked | Should -BeTrue
            $server = $point | Restore-AutoSnapshot -Name "$Marker-vb-restored" -Wait -Timeout $WaitLimit -ErrorAction Stop
            $Made.Add($server.Id)
            $real = Get-OsRigServer -ServerId $server.Id -Token $Token
            $real.status | Should -Be 'ACTIVE'
            $root = @($real.'os-extended-volumes:volumes_attached')
            $root.Count | Should -Be 1
            $volume = Get-Volume $root[0].id
            $volume.snapshot_id | Should -Be $point.VolumeSnapshots[0].Id
            $volume.attachments[0].device | Should -Be '/dev/sda'
            $root[0].id | Should -Not -Be $Boot.volumes[0].id
            (Get-Volume $Boot.volumes[0].id).status | Should -Be 'in-use' -Because 'the original''s root volume is not touched'
            Remove-OsRigServer -ServerId $server.Id -Token $Token
        }
    }

    Context 'Restore-AutoSnapshot -InPlace' {
        BeforeAll {
            $script:Scratch = New-ScratchServer @{ name = 'inplace'; imageRef = $Rig.baseImageId; flavorRef = '1'; networks = 'none' }
            $script:ScratchPoint = New-FixturePoint $Scratch.name "$Marker-inplace"
            Wait-ServerSettled -ServerId $Scratch.id -Token $Token
        }
        AfterAll { if ($Scratch) { Remove-OsRigServer -ServerId $Scratch.id -Token $Token } }

        It 'does nothing with -WhatIf: no safety snapshot, no rebuild' {
            $ScratchPoint | Restore-AutoSnapshot -InPlace -WhatIf -ErrorAction Stop
            (Get-OsRigServer -ServerId $Scratch.id -Token $Token).image.id | Should -Be $Rig.baseImageId
            @(Get-AutoSnapshot -Server $Scratch.id -Schedule 'pre-restore' -ErrorAction Stop) | Should -BeNullOrEmpty
        }

        It 'takes a pinned safety snapshot, then rebuilds the server from the point' {
            $rebuilt = $ScratchPoint | Restore-AutoSnapshot -InPlace -Confirm:$false -Wait -Timeout $WaitLimit -ErrorAction Stop
            $rebuilt.Id | Should -Be $Scratch.id
            $real = Get-OsRigServer -ServerId $Scratch.id -Token $Token
            $real.status | Should -Be 'ACTIVE'
            $real.image.id | Should -Be $ScratchPoint.Id
            $safety = @(Get-AutoSnapshot -Server $Scratch.id -Schedule 'pre-restore' -ErrorAction Stop)
            $safety.Count | Should -Be 1
            "$($safety[0].State)" | Should -Be 'Good'
            $safety[0].IsPinned | Should -BeTrue
            $safety[0].Created | Should -BeLessThan $real.updated
        }
    }

    Context 'Restore-AutoSnapshot -InPlace of a volume-backed server' {
        BeforeAll {
            $create = Invoke-OsRigApi -Method POST -Uri "$($Rig.volumeUrl)/volumes" -Token $Token `
                -Body @{ volume = @{ name = "$Marker-vb-root"; size = 1 } }
            $script:ScratchRoot = $create.Json.volume.id
            $null = Wait-Volume $ScratchRoot available
            $null = Invoke-OsRigApi -Method POST -Uri "$($Rig.volumeUrl)/volumes/$ScratchRoot/action" -Token $Token -Body @{ 'os-set_bootable' = @{ bootable = $true } }
            $script:VbScratch = New-ScratchServer @{ name = 'vb-inplace'; flavorRef = '1'; networks = 'none'; block_device_mapping_v2 = @(
                    @{ boot_index = 0; uuid = $ScratchRoot; source_type = 'volume'; destination_type = 'volume'; delete_on_termination = $true }) }
            $script:VbPoint = New-FixturePoint $VbScratch.name "$Marker-vb-inplace"
        }
        AfterAll { if ($VbScratch) { Remove-OsRigServer -ServerId $VbScratch.id -Token $Token } }

        It 'refuses: a volume-backed restore point has no image data to rebuild from, even at 2.93' {
            $VbPoint.IsVolumeBacked | Should -BeTrue
            $VbPoint | Restore-AutoSnapshot -InPlace -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            @($refused).Count | Should -Be 1
            $refused[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotRestoreRefused*'
            "$($refused[0].CategoryInfo.Category)" | Should -Be 'NotImplemented'
            $refused[0].Exception.Message | Should -Match 'new server'
            @(Get-AutoSnapshot -Server $VbScratch.id -Schedule 'pre-restore' -ErrorAction Stop) | Should -BeNullOrEmpty -Because 'nothing is done before the refusal'
            (Get-Volume $ScratchRoot).status | Should -Be 'in-use'
            (Get-OsRigServer -ServerId $VbScratch.id -Token $Token).status | Should -Be 'ACTIVE'
        }
    }

    Context 'Test-AutoSnapshotRestore end to end' {
        BeforeAll {
            $script:Pool = "$Marker-rt"
            Wait-ServerSettled -ServerId $It1.id -Token $Token
            $script:RtPoint = New-FixturePoint $It1.name $Pool
            $script:FixturesBefore = @(Get-FixtureState)
        }

        It 'boots a throwaway server from the newest good point, deletes it and marks the image verified' {
            $result = Test-AutoSnapshotRestore -Server $It1.name -Schedule $Pool -Network none -Timeout $WaitLimit -ErrorAction Stop
            @($result).Count | Should -Be 1
            "$($result.Outcome)" | Should -Be 'Verified'
            $result.ImageId | Should -Be $RtPoint.Id
            $result.ThrowawayDeleted | Should -BeTrue
            $result.Recorded | Should -BeTrue
            $result.BootSeconds | Should -BeGreaterThan 0
            $result.Flavor | Should -BeIn @('m1.tiny', '1') -Because 'the smallest flavor that fits the image''s min_disk 1 and min_ram 0'
            # raw text: ConvertFrom-Json would turn the time into a DateTime
            (Invoke-OsRigApi -Method GET -Uri "$($Rig.imageUrl)/v2/images/$($RtPoint.Id)" -Token $Token).Content |
                Should -Match '"autosnap_restore_verified": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"'
            # Nova shows a deleted server for a few seconds more (DIFFERENCES.md S1): it must go, not be gone at once
            (Wait-OsRigServer -ServerId $result.ThrowawayServerId -Token $Token)[-1] | Should -Be '(gone)'
        }

        It 'marks the image failed when -Validate throws, and still deletes the throwaway server' {
            $result = Test-AutoSnapshotRestore -Server $It1.name -Schedule $Pool -Network none -Timeout $WaitLimit `
                -Validate { param($server) throw "no answer from $($server.Name)" } -ErrorAction SilentlyContinue
            "$($result.Outcome)" | Should -Be 'Failed'
            $result.Reason | Should -Match 'no answer from'
            $result.ThrowawayDeleted | Should -BeTrue
            $image = Get-GlanceImage -Id $RtPoint.Id -Token $Token
            $image.autosnap_restore_failed | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ .*no answer from'
            (Wait-OsRigServer -ServerId $result.ThrowawayServerId -Token $Token)[-1] | Should -Be '(gone)'
        }

        It 'deletes the throwaway server an interrupted run left behind, and no other server' {
            # what an interrupted run leaves: a server booted from the point with the run's three keys, its expiry past
            $leftover = New-ScratchServer @{ name = 'leftover'; imageRef = $RtPoint.Id; flavorRef = '1'; networks = 'none'
                metadata = @{ autosnap_restore_test = $RtPoint.Id; autosnap_restore_run = [guid]::NewGuid().ToString()
                    autosnap_restore_expires = [DateTime]::UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") } }
            # look-alikes that must stay: the throwaway name without the keys; the keys of a run that has not expired
            $lookalike = New-ScratchServer @{ name = 'lookalike'; imageRef = $RtPoint.Id; flavorRef = '1'; networks = 'none'
                metadata = @{ autosnap_restore_test = $RtPoint.Id } }
            $running = New-ScratchServer @{ name = 'running'; imageRef = $RtPoint.Id; flavorRef = '1'; networks = 'none'
                metadata = @{ autosnap_restore_test = $RtPoint.Id; autosnap_restore_run = [guid]::NewGuid().ToString()
                    autosnap_restore_expires = [DateTime]::UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") } }
            $others = @(Get-AllServer | Where-Object { $_.id -ne $leftover.id -and $_.status -eq 'ACTIVE' -and -not $_.'OS-EXT-STS:task_state' })

            $result = Test-AutoSnapshotRestore -Server $It1.name -Schedule $Pool -Network none -Timeout $WaitLimit -WarningVariable warned -ErrorAction Stop
            "$($result.Outcome)" | Should -Be 'Verified'
            ($warned -join "`n") | Should -Match ([regex]::Escape($leftover.id))
            $seen = Wait-OsRigServer -ServerId $leftover.id -Token $Token
            $seen[-1] | Should -Be '(gone)'
            foreach ($other in $others) {
                $now = Get-OsRigServer -ServerId $other.id -Token $Token
                $now | Should -Not -BeNullOrEmpty -Because "$($other.name) is not a leftover"
                $now.status | Should -Be $other.status
            }
            (Get-OsRigServer -ServerId $lookalike.id -Token $Token).status | Should -Be 'ACTIVE'
            (Get-OsRigServer -ServerId $running.id -Token $Token).status | Should -Be 'ACTIVE'
            $after = @(Get-FixtureState)
            for ($i = 0; $i -lt $after.Count; $i++) {
                $after[$i].Status | Should -Be $FixturesBefore[$i].Status
                $after[$i].Image | Should -Be $FixturesBefore[$i].Image
            }
            Remove-OsRigServer -ServerId $lookalike.id, $running.id -Token $Token
        }
    }

    Context 'the after-snapshot hook against the real task_state phases' {
        It 'runs once the disk is captured (image_pending_upload, image queued), not when the upload ends' {
            $it2 = $Rig.servers[1]
            Wait-ServerSettled -ServerId $it2.id -Token $Token
            $script:HookSeen = [System.Collections.Generic.List[object]]::new()
            Set-OsRigSnapshotControl -Name hold -On $true
            try {
                $job = New-AutoSnapshot -Server $it2.name -Schedule "$Marker-hook" -ErrorAction Stop `
                    -BeforeSnapshot { param($server) $HookSeen.Add([pscustomobject]@{ Hook = 'before'; Task = (Get-OsRigServer -ServerId $server.Id -Token $Token).'OS-EXT-STS:task_state' }) } `
                    -AfterSnapshot { param($server, $snapshot, $outcome)
                        $HookSeen.Add([pscustomobject]@{ Hook = 'after'; Outcome = "$outcome"; Task = (Get-OsRigServer -ServerId $server.Id -Token $Token).'OS-EXT-STS:task_state'
                                Image = if ($snapshot) { (Get-GlanceImage -Id $snapshot.Id -Token $Token).status } else { '(no snapshot)' } }) }
                # the upload is held: New-AutoSnapshot returned with the after-hook done while Nova still holds the upload
                $server = Get-OsRigServer -ServerId $it2.id -Token $Token
                $server.'OS-EXT-STS:task_state' | Should -Be 'image_pending_upload'
            }
            finally { Set-OsRigSnapshotControl -Name hold -On $false }
            @($HookSeen.Hook) | Should -Be @('before', 'after')
            $HookSeen[0].Task | Should -BeNullOrEmpty
            $HookSeen[1].Outcome | Should -Be 'Captured'
            $HookSeen[1].Task | Should -Be 'image_pending_upload'
            $HookSeen[1].Image | Should -Be 'queued'
            $imageId = @($job)[0].Id
            (Wait-OsRigImage -ImageId $imageId -Token $Token)[-1] | Should -Be 'active'
            (Get-GlanceImage -Id $imageId -Token $Token).autosnap_consistency | Should -Be 'application'
        }
    }
}
