# The module's restore points with volumes against the tier's real Nova and Cinder, through its cmdlets only:
# a volume-backed snapshot (autosnap-vol-boot), rotation that leaves no Cinder snapshot of a deleted image, the
# quota error, -IncludeVolumes on an image-backed server with a data volume (autosnap-vol-data), and a stopped Cinder.
# Plain HTTP (Common.ps1) checks Glance and Cinder independently and sets the demo project's Cinder quota. Every image
# and Cinder snapshot of this run carries the run marker (in the image name, so in Nova's "snapshot for <image name>",
# or in the snapshot's autosnap_schedule) and is deleted in AfterAll; the quota is reset and Cinder started again.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'ModuleHelpers.ps1')
    $script:WaitLimit = [timespan]::FromMinutes(1)
    $script:Boot = Get-OsRigVolumeServer volume-backed
    $script:Data = Get-OsRigVolumeServer image-backed-with-data-volume
    $before = Set-TestEnvironment $DemoEnv
    try { $null = Connect-RackspaceCloud -ErrorAction Stop } finally { Restore-Environment $before }

    # This run's Cinder snapshots, as Cinder has them (plain HTTP).
    function Get-RunVolumeSnapshot {
        @(Get-OsRigVolumeSnapshot -Token $Token | Where-Object {
                $_.name -like "*$Marker*" -or ($_.metadata.PSObject.Properties['autosnap_schedule'] -and $_.metadata.autosnap_schedule -like "$Marker*") })
    }
    function Test-CinderRunning {
        try { (Invoke-OsRigApi -Method GET -Uri ($Rig.volumeUrl -replace '/v3/.*$', '/')).Status -eq 300 } catch { $false }
    }
    function Start-Tier { & bash (Join-Path $PSScriptRoot 'up.sh') *>&1 | Out-Null; if ($LASTEXITCODE) { throw "up.sh failed ($LASTEXITCODE)" } }
}

AfterAll {
    if ($Token) {
        if (-not (Test-CinderRunning)) { Start-Tier }
        Set-OsRigVolumeQuota -Reset
        Wait-OsRigServerIdle -ServerId $Data.id -Token $Token | Out-Null
        $null = Remove-TestImages -Marker $Marker -Token $Token
        $left = @(Get-RunVolumeSnapshot | ForEach-Object id)
        if ($left) { Remove-OsRigVolumeSnapshot -SnapshotId $left -Token $Token }
    }
    if (Get-Command Disconnect-RackspaceCloud -ErrorAction SilentlyContinue) { Disconnect-RackspaceCloud -All -ErrorAction SilentlyContinue }
    if ($SavedEnv) { Restore-Environment $SavedEnv }
}

Describe 'Restore points with volumes on real Nova and Cinder' {

    Context 'New-AutoSnapshot of a volume-backed server' {
        BeforeAll {
            $script:Pool = "$Marker-vb"
            $script:Point = New-AutoSnapshot -Server $Boot.name -Schedule $Pool -Wait -Timeout $WaitLimit -ErrorAction Stop
            $script:Image = Get-GlanceImage -Id $Point.Id -Token $Token
            $script:Parts = @(Get-OsRigImageVolumeSnapshotId $Image)
        }

        It 'is one good restore point: the zero-size image and the root volume''s available Cinder snapshot' {
            $Point.IsVolumeBacked | Should -BeTrue
            "$($Point.State)" | Should -Be 'Good'
            $Image.status | Should -Be 'active'
            $Image.size | Should -Be 0
            $Parts.Count | Should -Be 1
            @($Point.VolumeSnapshots).Count | Should -Be 1
            $Point.VolumeSnapshots[0].Id | Should -Be $Parts[0]
            $Point.VolumeSnapshots[0].VolumeId | Should -Be $Boot.volumes[0].id
            $Point.VolumeSnapshots[0].Status | Should -Be 'available'
            $Point.RealSize | Should -Be ([long]$Boot.volumes[0].size * 1GB)
        }

        It 'carries Autosnap''s ownership in the image and in the Cinder snapshot it caused' {
            $Image.autosnap_schedule | Should -Be $Pool
            $Image.autosnap_server | Should -Be $Boot.id
            $snapshot = (Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/snapshots/$($Parts[0])" -Token $Token).Json.snapshot
            $snapshot.name | Should -Be "snapshot for $($Image.name)"
            $snapshot.metadata.autosnap_image | Should -Be $Point.Id
            $snapshot.metadata.autosnap_schedule | Should -Be $Pool
            $snapshot.metadata.autosnap_server | Should -Be $Boot.id
        }

        It 'is listed by Get-AutoSnapshot although Nova gave the image no instance_uuid' {
            $listed = @(Get-AutoSnapshot -Server $Boot.name -Schedule $Pool -ErrorAction Stop)
            $listed.Count | Should -Be 1
            $listed[0].Id | Should -Be $Point.Id
            @($listed[0].VolumeSnapshotIds) | Should -Be $Parts
        }

        It 'is deleted with its Cinder snapshot by Remove-AutoSnapshot' {
            Remove-AutoSnapshot -Id $Point.Id -Confirm:$false -ErrorAction Stop
            Get-GlanceImage -Id $Point.Id -Token $Token | Should -BeNullOrEmpty
            (Wait-OsRigVolumeSnapshot -SnapshotId $Parts[0] -Token $Token -Status '(gone)', error_deleting)[-1] | Should -Be '(gone)'
        }
    }

    Context 'Invoke-SnapshotRotation of a volume-backed pool' {
        BeforeAll {
            $script:Pool = "$Marker-rot"
            $script:Made = @(1..3 | ForEach-Object {
                    New-AutoSnapshot -Server $Boot.name -Schedule $Pool -Wait -Timeout $WaitLimit -ErrorAction Stop
                    Start-Sleep -Seconds 1   # Glance's created_at has whole seconds: keep the three apart
                })
            # -Retention 0: only the newest restore point stays (Retention counts the ones kept besides it)
            $script:Decisions = @(Invoke-SnapshotRotation -Server $Boot.name -Schedule $Pool -Retention 0 -Confirm:$false -ErrorAction Stop)
            $script:Kept = @(Get-AutoSnapshot -Server $Boot.name -Schedule $Pool -ErrorAction Stop)
        }

        It 'keeps the newest restore point and deletes the two older ones' {
            $Made.Count | Should -Be 3
            $Decisions.Action | Should -Be @('Keep', 'Delete', 'Delete')
            $Decisions.Outcome | Should -Be @('Planned', 'Deleted', 'Deleted')
            $Kept.Count | Should -Be 1
            $Kept[0].Id | Should -Be $Made[2].Id
            foreach ($old in $Made[0], $Made[1]) { Get-GlanceImage -Id $old.Id -Token $Token | Should -BeNullOrEmpty }
        }

        It 'leaves exactly the Cinder snapshots of the kept restore points (one per volume), none of a deleted image' {
            $expected = @($Kept | ForEach-Object { Get-OsRigImageVolumeSnapshotId (Get-GlanceImage -Id $_.Id -Token $Token) } | Sort-Object)
            $expected.Count | Should -Be ($Kept.Count * $Boot.volumes.Count)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            do {
                $now = @(Get-RunVolumeSnapshot | Where-Object { $_.name -like "*$Pool*" -or $_.metadata.autosnap_schedule -eq $Pool } |
                    ForEach-Object id | Sort-Object)
                if (-not (Compare-Object $now $expected)) { break }
                Start-Sleep -Milliseconds 500
            } while ([DateTime]::UtcNow -lt $deadline)
            $now | Should -Be $expected
            foreach ($old in $Made[0], $Made[1]) {
                foreach ($id in $old.VolumeSnapshotIds) {
                    (Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/snapshots/$id" -Token $Token).Status | Should -Be 404
                }
            }
        }
    }

    Context 'over the Cinder snapshot quota' {
        BeforeAll {
            $used = (Get-OsRigVolumeLimit -Token $Token).totalSnapshotsUsed
            Set-OsRigVolumeQuota @{ snapshots = $used }
            $script:Used = $used
            $script:SnapshotsBefore = @(Get-OsRigVolumeSnapshot -Token $Token).Count
            $script:Pool = "$Marker-quota"
            $script:Failure = $null
            try { $null = New-AutoSnapshot -Server $Boot.name -Schedule $Pool -Wait -Timeout $WaitLimit -ErrorAction Stop }
            catch { $script:Failure = $_ }
        }
        AfterAll { Set-OsRigVolumeQuota -Reset }

        It 'fails at once with AutoSnapshotQuotaExceeded naming the quota and its usage' {
            $Failure | Should -Not -BeNullOrEmpty
            $Failure.FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotQuotaExceeded*'
            "$($Failure.CategoryInfo.Category)" | Should -Be 'QuotaExceeded'
            $Failure.Exception.Message | Should -Match 'maxTotalSnapshots is \d+'
            $Failure.Exception.Message | Should -Match "$Used are in use"
            $Failure.Exception.Message | Should -Match 'Nothing was deleted'
        }

        It 'makes no image and no Cinder snapshot, and deletes nothing' {
            @(Get-GlanceImages -Filter @{ autosnap_schedule = $Pool } -Token $Token).Count | Should -Be 0
            @(Get-OsRigVolumeSnapshot -Token $Token).Count | Should -Be $SnapshotsBefore
        }
    }

    Context 'New-AutoSnapshot -IncludeVolumes of an image-backed server with a data volume' {
        BeforeAll {
            $script:Pool = "$Marker-data"
            Wait-OsRigServerIdle -ServerId $Data.id -Token $Token | Out-Null
            $script:Point = New-AutoSnapshot -Server $Data.name -Schedule $Pool -IncludeVolumes -Wait -Timeout $WaitLimit -ErrorAction Stop
            $script:Image = Get-GlanceImage -Id $Point.Id -Token $Token
            $script:Cinder = @(Get-RunVolumeSnapshot | Where-Object { $_.metadata.autosnap_schedule -eq $Pool })
        }

        It 'is the image plus a forced Cinder snapshot of the data volume, tagged with the image, good as a whole' {
            $Point.IsVolumeBacked | Should -BeFalse
            "$($Point.State)" | Should -Be 'Good'
            $Image.status | Should -Be 'active'
            $Image.instance_uuid | Should -Be $Data.id
            $Cinder.Count | Should -Be 1
            $Cinder[0].volume_id | Should -Be $Data.volumes[0].id
            $Cinder[0].status | Should -Be 'available'
            $Cinder[0].metadata.autosnap_image | Should -Be $Point.Id
            $Cinder[0].metadata.autosnap_server | Should -Be $Data.id
            @($Point.VolumeSnapshots.Id) | Should -Be @($Cinder[0].id)
        }

        It 'is listed with its part and deleted as one unit' {
            $listed = @(Get-AutoSnapshot -Server $Data.name -Schedule $Pool -ErrorAction Stop)
            $listed.Count | Should -Be 1
            @($listed[0].VolumeSnapshotIds) | Should -Be @($Cinder[0].id)
            Wait-OsRigServerIdle -ServerId $Data.id -Token $Token | Out-Null
            Remove-AutoSnapshot -Id $Point.Id -Confirm:$false -ErrorAction Stop
            Get-GlanceImage -Id $Point.Id -Token $Token | Should -BeNullOrEmpty
            (Wait-OsRigVolumeSnapshot -SnapshotId $Cinder[0].id -Token $Token -Status '(gone)', error_deleting)[-1] | Should -Be '(gone)'
        }
    }

    Context 'cinder-api stopped (down.sh cinder-api)' {
        BeforeAll {
            $script:Pool = "$Marker-down"
            $script:Made = @(1..2 | ForEach-Object {
                    New-AutoSnapshot -Server $Boot.name -Schedule $Pool -Wait -Timeout $WaitLimit -ErrorAction Stop
                    Start-Sleep -Seconds 1
                })
            $script:PartIds = @($Made | ForEach-Object { $_.VolumeSnapshotIds })
            & bash (Join-Path $PSScriptRoot 'down.sh') cinder-api *>&1 | Out-Null
            $script:SnapshotError = $null
            try { $null = New-AutoSnapshot -Server $Boot.name -Schedule $Pool -Wait -Timeout $WaitLimit -ErrorAction Stop }
            catch { $script:SnapshotError = $_ }
            $script:RotationErrors = $null
            $script:Decisions = @(Invoke-SnapshotRotation -Server $Boot.name -Schedule $Pool -Retention 0 -Confirm:$false `
                    -ErrorAction SilentlyContinue -ErrorVariable +RotationErrors)
            $script:RemoveErrors = $null
            Remove-AutoSnapshot -Id $Made[0].Id -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable +RemoveErrors
            $script:ImagesDuring = @($Made | ForEach-Object { Get-GlanceImage -Id $_.Id -Token $Token } | Where-Object { $_ })
            Start-Tier
        }

        It 'fails a new snapshot of the volume-backed server with an error that names block storage' {
            $SnapshotError | Should -Not -BeNullOrEmpty
            $SnapshotError.FullyQualifiedErrorId | Should -Match '^AutoSnapshot(ConnectionFailed|ServiceUnavailable|Timeout)'
            $SnapshotError.Exception.Message | Should -Match '(?i)block storage|cinder|volume'
        }

        It 'reports the rotation and the delete as errors and deletes no image and no Cinder snapshot' {
            @($RotationErrors).Count | Should -BeGreaterThan 0
            @($RemoveErrors).Count | Should -BeGreaterThan 0
            $ImagesDuring.Count | Should -Be 2
            foreach ($id in $PartIds) {
                (Invoke-OsRigApi -Method GET -Uri "$($Rig.volumeUrl)/snapshots/$id" -Token $Token).Json.snapshot.status | Should -Be 'available'
            }
            @(Get-GlanceImages -Filter @{ autosnap_schedule = $Pool } -Token $Token).Count | Should -Be 2
        }

        It 'lists both restore points as good again once Cinder is back' {
            $listed = @(Get-AutoSnapshot -Server $Boot.name -Schedule $Pool -ErrorAction Stop)
            $listed.Count | Should -Be 2
            @($listed | Where-Object { "$($_.State)" -eq 'Good' }).Count | Should -Be 2
        }
    }
}
