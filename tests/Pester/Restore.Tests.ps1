# Restore-AutoSnapshot, Get-RackspaceFlavor and Get-RackspaceNetwork through the cmdlets, against one LocalCloud:
# the pipeline, -WhatIf, and -InPlace refused where nobody can confirm it. The engine's cases are xunit's (RestoreTests).

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ModuleManifest -Force
    $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0; volumeSnapshotSeconds = 0 }
    $script:ApiKey = ConvertTo-SecureString 'demo-api-key' -AsPlainText -Force
    $null = Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey $ApiKey -Region DFW
    $script:Point = New-AutoSnapshot -Server web01 -Schedule restore -Wait
}

AfterAll {
    Get-RackspaceSession | Disconnect-RackspaceCloud
    Stop-LocalCloud
}

Describe 'Restore-AutoSnapshot' {
    It 'restores a piped restore point as a new server with the recorded flavor, and refuses a failed one' {
        $Point.Properties.autosnap_flavor | Should -Be 'general1-2'
        $server = $Point | Restore-AutoSnapshot -Name web01-copy -Wait
        $server | Should -BeOfType Autosnap.Model.RackspaceServer
        $server.Name | Should -Be 'web01-copy'
        $server.Status | Should -Be 'ACTIVE'
        $server.FlavorId | Should -Be 'general1-2'
        $server.Metadata.autosnap_restored_from | Should -Be $Point.Id
        ($server | Format-List | Out-String) | Should -Match 'Flavor\s+: general1-2'

        $failedId = @(New-LocalCloudImage -Server $Point.ServerId -Status killed -Properties @{
                autosnap_schedule = 'restore'; autosnap_server = $Point.ServerId; autosnap_flavor = 'general1-2' })[0]
        $failed = Get-AutoSnapshot -Id $failedId
        $before = @(Get-RackspaceServer).Count
        $failed | Restore-AutoSnapshot -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotRestoreRefused*'
        $refused[0].Exception.Message | Should -Match 'failed'
        @(Get-RackspaceServer).Count | Should -Be $before
    }

    It 'lists flavors and networks, and completes -Flavor from the ones the session has seen' {
        $flavors = Get-RackspaceFlavor
        $flavors.Id | Should -Contain 'general1-1'
        (Get-RackspaceFlavor -Name 'general1-*').Id | Should -Not -Contain 'compute1-4'
        (Get-RackspaceNetwork -Name private).Id | Should -Be '11111111-1111-1111-1111-111111111111'
        Get-FormatData -TypeName Autosnap.Model.RackspaceFlavor, Autosnap.Model.RackspaceNetwork | Should -HaveCount 2
        ($flavors | Out-String) | Should -Match 'general1-1\s+1 GB General Purpose v1\s+1024'
        Get-RackspaceFlavor -Name nosuch -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'RackspaceFlavorNotFound*'
        $line = "Restore-AutoSnapshot -Id $($Point.Id) -Flavor general1-"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'general1-1'
        $line = "Restore-AutoSnapshot -Id $($Point.Id) -Network "
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'none'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'private'
    }

    It 'sends nothing with -WhatIf, never rebuilds in place unconfirmed, and rebuilds after a safety snapshot when confirmed' {
        $servers = @(Get-RackspaceServer).Count
        Restore-AutoSnapshot -Id $Point.Id -Flavor general1-1 -WhatIf | Should -BeNullOrEmpty
        (Get-LocalCloudStats).byRoute.'POST /servers' | Should -Be 1   # the restore of the first test only

        # A runspace of this process without a user interface: it cannot ask, as under `pwsh -NonInteractive`.
        $child = [powershell]::Create()
        try {
            $null = $child.AddScript({
                param($Manifest, $Url, $Key, $Id)
                Import-Module $Manifest
                $null = Connect-RackspaceCloud -IdentityUrl $Url -UserName demo -ApiKey $Key -Region DFW
                Restore-AutoSnapshot -Id $Id -InPlace -ErrorVariable refused -ErrorAction SilentlyContinue
                $refused
            }).AddArgument($ModuleManifest).AddArgument($Cloud.IdentityV2Url).AddArgument($ApiKey).AddArgument($Point.Id)
            $refused = @($child.Invoke())
        }
        finally { $child.Dispose() }
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotRestoreRefused*'
        $refused[0].Exception.Message | Should -Match 'needs a confirmation'
        @(Get-RackspaceServer).Count | Should -Be $servers
        @(Get-AutoSnapshot -Server web01 -Schedule pre-restore).Count | Should -Be 0
        (Get-LocalCloudStats).byRoute.'POST /servers/{id}/action' | Should -Be 1   # the one createImage of BeforeAll

        $rebuilt = Restore-AutoSnapshot -Id $Point.Id -InPlace -Confirm:$false -Wait
        $rebuilt.Id | Should -Be $Point.ServerId
        $rebuilt.Status | Should -Be 'ACTIVE'
        $rebuilt.ImageId | Should -Be $Point.Id
        $safety = @(Get-AutoSnapshot -Server web01 -Schedule pre-restore)
        $safety.Count | Should -Be 1
        $safety[0].IsPinned | Should -BeTrue
    }
}
