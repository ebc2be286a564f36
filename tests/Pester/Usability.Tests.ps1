# What a PowerShell user expects: tables, not lists; names, not ids; Tab that completes what the session has seen
# without asking the cloud; -Server from any object with a ServerId; a fleet run with one progress bar over its jobs.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    Import-Module $ModuleManifest -Force
    $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0 }
    $script:ApiKey = ConvertTo-SecureString 'demo-api-key' -AsPlainText -Force
    $null = Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey $ApiKey -Region DFW

    # The completions PowerShell would offer for the end of this command line.
    function Get-Completion([string] $Line) {
        @([System.Management.Automation.CommandCompletion]::CompleteInput($Line, $Line.Length, $null).CompletionMatches)
    }
    function Get-RequestCount { [int](Get-LocalCloudStats).total }
}

AfterAll {
    Get-RackspaceSession | Disconnect-RackspaceCloud
    Stop-LocalCloud
}

Describe 'Tables for the objects of a night' {
    It 'shows a SnapshotJobResult as a table row with the server''s name' {
        $server = New-LocalCloudServer -NamePrefix 'tabular-' | Select-Object -First 1
        Get-FormatData -TypeName Autosnap.Model.SnapshotJobResult | Should -Not -BeNullOrEmpty
        $result = Invoke-AutoSnapshotPolicy -Server $server.name -Schedule nightly -Retention 1
        $result.Status | Should -Be 'Succeeded'
        $table = @($result | Out-String -Width 160) -split "`r?`n" | Where-Object { $_.Trim() }
        $table[0] | Should -Match '^Server\s+Schedule\s+Region\s+Status\s+New\s+Kept\s+Deleted\s+Time\s+Message'
        $table[2] | Should -Match "^$([regex]::Escape($server.name))\s+nightly\s+DFW\s+Succeeded\s+1\s+1\s+0\s+00:00:\d\d"
        $table | Should -Not -Match ([regex]::Escape($server.id))
    }

    It 'shows the server''s name in the snapshot table once the session has seen the server, and its id before' {
        $server = New-LocalCloudServer -NamePrefix 'named-' | Select-Object -First 1
        $null = New-LocalCloudImage -Count 1 -Server $server.id -Properties @{ autosnap_schedule = 'daily'; autosnap_server = $server.id } -CreatedFrom '2026-01-01T00:05:00Z'
        $before = Get-AutoSnapshot -Server $server.id | Out-String -Width 200
        $before | Should -Match ([regex]::Escape($server.id))

        $null = Get-RackspaceServer -Name $server.name
        $after = Get-AutoSnapshot -Server $server.id | Out-String -Width 200
        $after | Should -Match "\s$([regex]::Escape($server.name))\s*$"
        $after | Should -Not -Match ([regex]::Escape($server.id))
    }
}

Describe '-Server binds by property name' {
    It 'takes ServerId from any piped object on <Command>' -ForEach @(
        @{ Command = 'Get-AutoSnapshot' }
        @{ Command = 'New-AutoSnapshot' }
        @{ Command = 'Invoke-SnapshotRotation' }
        @{ Command = 'Invoke-AutoSnapshotPolicy' }
        @{ Command = 'Get-SnapshotRetentionPlan' }
        @{ Command = 'Test-AutoSnapshotFreshness' }
        @{ Command = 'Enable-RackspaceScheduledImage' }
        @{ Command = 'Disable-RackspaceScheduledImage' }
    ) {
        $parameter = (Get-Command $Command).Parameters['Server']
        $parameter.Aliases | Should -Contain 'ServerId'
        foreach ($set in $parameter.ParameterSets.Values) { $set.ValueFromPipelineByPropertyName | Should -BeTrue }
    }

    It 'rotates the pool of each image piped in by its ServerId' {
        $server = New-LocalCloudServer -NamePrefix 'byname-' | Select-Object -First 1
        $null = New-LocalCloudImage -Count 3 -Server $server.id -Properties @{ autosnap_schedule = 'daily'; autosnap_server = $server.id } -CreatedFrom '2026-01-01T00:05:00Z' -CreatedStep 1.00:00:00
        $decisions = [pscustomobject]@{ ServerId = $server.id } | Invoke-SnapshotRotation -Schedule daily -Retention 0 -WhatIf
        @($decisions).Count | Should -Be 3
        @($decisions | Where-Object Action -EQ 'Delete').Count | Should -Be 2
        [pscustomobject]@{ ServerId = $server.id } | Test-AutoSnapshotFreshness -Schedule daily | ForEach-Object ServerId | Should -Be $server.id
    }

    It 'still plans piped images as given, and rotates the pool a piped server or decision names' {
        $server = New-LocalCloudServer -NamePrefix 'asgiven-' | Select-Object -First 1
        $null = New-LocalCloudImage -Count 3 -Server $server.id -Properties @{ autosnap_schedule = 'weekly'; autosnap_server = $server.id } -CreatedFrom '2026-01-01T00:05:00Z' -CreatedStep 7.00:00:00
        $images = @(Get-AutoSnapshot -Server $server.id)
        # Two of the three images piped: the plan is of those two, not of the pool listed again.
        @($images | Select-Object -First 2 | Get-SnapshotRetentionPlan -Retention 0).Count | Should -Be 2
        # A server object binds by value, a decision by its ServerId and Schedule: both reach the weekly pool.
        @(Get-RackspaceServer -Id $server.id | Invoke-SnapshotRotation -Schedule weekly -Retention 0 -WhatIf).Count | Should -Be 3
        $plan = @($images | Get-SnapshotRetentionPlan -Retention 0)
        $rotated = @($plan | Select-Object -First 1 | Invoke-SnapshotRotation -Retention 1 -WhatIf)
        $rotated.Count | Should -Be 3
        $rotated.Schedule | Select-Object -Unique | Should -Be 'weekly'
    }
}

Describe 'Tab completion from what the session has seen' {
    BeforeAll {
        $script:Seen = New-LocalCloudServer -Count 2 -NamePrefix 'tabweb-'
        $script:Unseen = New-LocalCloudServer -NamePrefix 'tabhidden-' | Select-Object -First 1
        $null = New-LocalCloudImage -Count 2 -Server $Seen[0].id -Properties @{ autosnap_schedule = 'tabfortnightly'; autosnap_server = $Seen[0].id } -CreatedFrom '2026-02-01T00:05:00Z' -CreatedStep 1.00:00:00
        $null = Get-RackspaceServer -Name 'tabweb-*'
        $script:Images = @(Get-AutoSnapshot -Server $Seen[0].id)
        $null = Reset-LocalCloudStats
    }

    It 'completes -Server on <Command> with the names of the servers seen, and sends no request' -ForEach @(
        @{ Command = 'Get-AutoSnapshot' }, @{ Command = 'New-AutoSnapshot' }, @{ Command = 'Invoke-SnapshotRotation' },
        @{ Command = 'Invoke-AutoSnapshotPolicy' }, @{ Command = 'Get-SnapshotRetentionPlan' }, @{ Command = 'Test-AutoSnapshotFreshness' }
    ) {
        $matches = Get-Completion "$Command -Server tabweb"
        $matches.CompletionText | Should -Be @($Seen.name | Sort-Object)
        $matches.CompletionText | Should -Not -Contain $Unseen.name
        Get-RequestCount | Should -Be 0
    }

    It 'completes a server id from its first characters' {
        $matches = Get-Completion "Get-AutoSnapshot -Server $($Seen[1].id.Substring(0, 8))"
        $matches.CompletionText | Should -Be @($Seen[1].id)
        $matches.ToolTip | Should -BeLike "$($Seen[1].name) ($($Seen[1].id))*DFW"
    }

    It 'completes -Id on <Command> with the images seen, by id or by name' -ForEach @(
        @{ Command = 'Get-AutoSnapshot' }, @{ Command = 'Remove-AutoSnapshot' }, @{ Command = 'Lock-AutoSnapshot' }, @{ Command = 'Unlock-AutoSnapshot' }
    ) {
        $image = $Images[0]
        (Get-Completion "$Command -Id $($image.Id.Substring(0, 10))").CompletionText | Should -Be @($image.Id)
        $byName = Get-Completion "$Command -Id $($image.Name)"
        $byName.CompletionText | Should -Contain $image.Id
        $byName.CompletionText | Should -Not -Contain ($Images | Where-Object Name -NotLike "$($image.Name)*" | Select-Object -First 1).Id
        Get-RequestCount | Should -Be 0
    }

    It 'completes -Schedule with the pools seen, not a fixed list' {
        (Get-Completion 'Get-AutoSnapshot -Schedule tabf').CompletionText | Should -Be @('tabfortnightly')
        (Get-Completion 'Invoke-SnapshotRotation -Schedule mon').CompletionText | Should -Not -Contain 'monthly'
        (Get-Completion 'New-AutoSnapshot -Schedule def').CompletionText | Should -Be @('default')
        Get-RequestCount | Should -Be 0
    }
}

Describe 'A fleet run''s progress' {
    It 'writes one "n of N jobs" bar and puts every snapshot bar under it' {
        $servers = New-LocalCloudServer -Count 3 -NamePrefix 'progress-'
        # A runspace of its own: the progress stream of a nested command in this one goes to the host, not to Streams.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($Manifest, $IdentityUrl, $ApiKey, $Servers)
                Import-Module $Manifest
                $null = Connect-RackspaceCloud -IdentityUrl $IdentityUrl -UserName demo -ApiKey $ApiKey -Region DFW
                $ProgressPreference = 'Continue'
                Invoke-AutoSnapshotPolicy -Server $Servers -Schedule progress -Retention 1
            }).AddArgument($ModuleManifest).AddArgument($Cloud.IdentityV2Url).AddArgument($ApiKey).AddArgument([string[]]$servers.name)
            $results = $ps.Invoke()
            @($ps.Streams.Error) | Should -BeNullOrEmpty
            @($results).Count | Should -Be 3
            $records = @($ps.Streams.Progress)
        }
        finally { $ps.Dispose() }
        $run = @($records | Where-Object Activity -EQ 'Autosnap: snapshot jobs')
        @($run.ActivityId | Select-Object -Unique).Count | Should -Be 1
        $run[0].StatusDescription | Should -Be '0 of 3 jobs done'
        $run[-1].StatusDescription | Should -Be '3 of 3 jobs done'
        $run[-1].RecordType | Should -Be 'Completed'
        $snapshots = @($records | Where-Object Activity -NE 'Autosnap: snapshot jobs')
        @($snapshots.ActivityId | Select-Object -Unique).Count | Should -Be 3
        $snapshots | ForEach-Object { $_.ParentActivityId | Should -Be $run[0].ActivityId }
    }
}
