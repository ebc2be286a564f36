# Rackspace Scheduled Images through the cmdlets, against one LocalCloud: a server handed over to Autosnap and back,
# the service's images marked in Get-AutoSnapshot -IncludeForeign, and an OpenStack session told "unsupported".

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ModuleManifest -Force
    $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0 }
    $script:ApiKey = ConvertTo-SecureString 'demo-api-key' -AsPlainText -Force
    $null = Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey $ApiKey -Region DFW
}

AfterAll {
    Get-RackspaceSession | Disconnect-RackspaceCloud
    Stop-LocalCloud
}

Describe 'Enable-, Disable-RackspaceScheduledImage and Get-RackspaceServer -IncludeScheduledImages' {
    It 'enables a schedule, shows it, and hands the server over and back through the pipeline' {
        (Get-RackspaceServer web01).ScheduledImages | Should -Be 'NotChecked'
        (Get-RackspaceServer web01 -IncludeScheduledImages).ScheduledImages | Should -Be 'Off'

        $enabled = Enable-RackspaceScheduledImage -Server web01 -Retention 7 -PassThru
        $enabled.ScheduledImages | Should -Be 'Daily'
        $enabled.ScheduledImageRetention | Should -Be 7
        $weekly = Get-RackspaceServer db01 | Enable-RackspaceScheduledImage -Retention 4 -DayOfWeek Saturday -PassThru
        $weekly.ScheduledImageDayOfWeek | Should -Be 'Saturday'

        $before = Get-RackspaceServer web01, db01 -IncludeScheduledImages | Sort-Object Name -Descending
        ($before | Format-Table | Out-String) | Should -Match 'daily, keep 7'
        ($before | Format-Table | Out-String) | Should -Match 'Sat, keep 4'

        $before | Disable-RackspaceScheduledImage -WhatIf
        @(Get-RackspaceServer web01, db01 -IncludeScheduledImages | Where-Object ScheduledImages -EQ 'Off').Count | Should -Be 0

        $after = $before | Disable-RackspaceScheduledImage -PassThru
        $after.ScheduledImages | Should -Be 'Off', 'Off'
        (Get-RackspaceServer web01, db01 -IncludeScheduledImages).ScheduledImages | Should -Be 'Off', 'Off'
        $before[0].ScheduledImages | Should -Be 'Daily' -Because 'the piped objects stay as they were read'

        # back as they were: -Retention and -DayOfWeek bind by property name
        $back = $before | Enable-RackspaceScheduledImage -PassThru
        $back | ForEach-Object { "$($_.Name) $($_.ScheduledImages) $($_.ScheduledImageRetention) $($_.ScheduledImageDayOfWeek)" } |
            Should -Be 'web01 Daily 7 ', 'db01 Weekly 4 Saturday'
        $null = Get-RackspaceServer db01 | Disable-RackspaceScheduledImage
    }

    It "marks the service's images in Get-AutoSnapshot -IncludeForeign, and a policy run warns once about the server" {
        $null = Move-LocalCloudClock -By ([timespan]::FromDays(2))
        $images = @(Get-AutoSnapshot -Server web01 -IncludeForeign | Where-Object Origin -EQ 'ScheduledImages')
        $images.Count | Should -Be 2
        $images.IsAutosnap | Should -Not -Contain $true
        ($images | Format-Table | Out-String) | Should -Match '\(rax-si\)'

        $null = Invoke-AutoSnapshotPolicy -Server web01, web01 -Schedule daily -Retention 1 -WarningVariable warned -WarningAction SilentlyContinue
        @($warned | Where-Object { "$_" -match 'Rackspace Scheduled Images \(daily, retention 7\)' }).Count | Should -Be 1
        @(Get-AutoSnapshot -Server web01 -IncludeForeign | Where-Object Origin -EQ 'ScheduledImages').Count | Should -Be 2
    }

    It 'says unsupported on an OpenStack cloud and changes nothing' {
        $credential = [pscredential]::new('demo', (ConvertTo-SecureString 'demo-password' -AsPlainText -Force))
        $openstack = Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV3Url -Credential $credential -ProjectName demo -Region DFW -NotDefault
        (Get-RackspaceServer app01 -IncludeScheduledImages -Session $openstack).ScheduledImages | Should -Be 'Unsupported'
        $null = Enable-RackspaceScheduledImage app01 7 -Session $openstack -ErrorVariable enableProblem -ErrorAction SilentlyContinue
        $null = Disable-RackspaceScheduledImage app01 -Session $openstack -WhatIf -ErrorVariable disableProblem -ErrorAction SilentlyContinue
        foreach ($problem in $enableProblem, $disableProblem) {
            $problem.Count | Should -Be 1
            $problem[0].FullyQualifiedErrorId | Should -BeLike 'RackspaceScheduledImagesUnsupported,*'
            $problem[0].CategoryInfo.Category | Should -Be 'NotImplemented'
            "$($problem[0])" | Should -Match 'rax-si-image-schedule'
        }
        (Get-RackspaceServer app01 -IncludeScheduledImages).ScheduledImages | Should -Be 'Off'
    }
}
