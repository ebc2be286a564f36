BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
}

Describe 'LocalCloud from the command line' {
    It 'listens on a free port (port 0) and says where in its first stdout line' {
        $cloud = Start-LocalCloud
        try {
            $cloud.FirstLine | Should -Match '^LocalCloud listening on http://127\.0\.0\.1:\d+$'
            ([uri]$cloud.Url).Port | Should -BeGreaterThan 0
            (Invoke-RestMethod "$($cloud.IdentityV3Url)").version.id | Should -Be 'v3.14'
        }
        finally { Stop-LocalCloud $cloud }
        $cloud.Process.HasExited | Should -BeTrue
    }

    It 'stops cleanly on SIGTERM' -Skip:$IsWindows {
        $cloud = Start-LocalCloud
        & /bin/kill -s TERM $cloud.Process.Id
        $cloud.Process.WaitForExit(15000) | Should -BeTrue
        $cloud.Process.ExitCode | Should -Be 0
        $cloud.Process.StandardOutput.ReadToEnd() | Should -Match 'LocalCloud stopped'
    }

    It 'refuses a bad --config with exit code 2' {
        $file = Join-Path ([IO.Path]::GetTempPath()) ("bad-{0}.json" -f [guid]::NewGuid())
        Set-Content $file '{"faultRate": 5}'
        try {
            $output = & dotnet (Join-Path $OutDirectory 'LocalCloud/Autosnap.LocalCloud.dll') --urls http://127.0.0.1:0 --config $file 2>&1
            $LASTEXITCODE | Should -Be 2
            "$output" | Should -Match 'faultRate'
        }
        finally { Remove-Item $file }
    }
}

Describe 'LocalCloud helpers' {
    BeforeAll {
        $script:Cloud = Start-LocalCloud -Config @{
            snapshotSeconds = 0
            regions         = @('DFW', 'ORD', 'IAD')
            servers         = @(@{ name = 'app1'; region = 'DFW'; metadata = @{ backup = 'daily' } })
        }
        $script:Token = Get-LocalCloudToken
        $script:Compute = "$($Cloud.Url)/compute/dfw/v2/100001"
        $script:Headers = @{ 'X-Auth-Token' = $Token }
    }
    AfterAll { Stop-LocalCloud $script:Cloud }

    It 'starts with the seed given in -Config' {
        $servers = (Invoke-RestMethod "$Compute/servers" -Headers $Headers).servers
        $servers.name | Should -Be @('app1')
        (Get-LocalCloudState).regions.PSObject.Properties.Name | Should -Be @('DFW', 'ORD', 'IAD')
    }

    It 'takes a snapshot end to end with the Rackspace API and counts the calls' {
        Reset-LocalCloudStats | Out-Null
        $server = (Invoke-RestMethod "$Compute/servers" -Headers $Headers).servers[0].id
        $body = @{ createImage = @{ name = 'pester'; metadata = @{ autosnap_schedule = 'daily' } } } | ConvertTo-Json -Depth 4
        $response = Invoke-WebRequest -Method Post "$Compute/servers/$server/action" -Headers $Headers -Body $body -ContentType 'application/json'
        $response.StatusCode | Should -Be 202
        $imageId = ($response.Headers.Location | Select-Object -First 1).Split('/')[-1]
        $image = Invoke-RestMethod "$($Cloud.Url)/image/dfw/v2/images/$imageId" -Headers $Headers
        $image.status | Should -Be 'active'
        $image.autosnap_schedule | Should -Be 'daily'
        (Get-LocalCloudStats).byRoute.'POST /servers/{id}/action' | Should -Be 1
    }

    It 'boots a throwaway server from a broken snapshot: ERROR on the virtual clock, seen by Get-LocalCloudServer' {
        $server = (Invoke-RestMethod "$Compute/servers" -Headers $Headers).servers[0].id
        $body = @{ createImage = @{ name = 'broken' } } | ConvertTo-Json
        $imageId = ((Invoke-WebRequest -Method Post "$Compute/servers/$server/action" -Headers $Headers -Body $body -ContentType 'application/json').Headers.Location | Select-Object -First 1).Split('/')[-1]
        Set-LocalCloudImageBoots -Id $imageId -Boots $false
        Set-LocalCloudConfig -Settings @{ bootSeconds = 60 }
        $boot = @{ server = @{ name = 'throwaway'; imageRef = $imageId; flavorRef = 'general1-2' } } | ConvertTo-Json -Depth 4
        $id = (Invoke-RestMethod -Method Post "$Compute/servers" -Headers $Headers -Body $boot -ContentType 'application/json').server.id
        (Get-LocalCloudServer -Id $id).status | Should -Be 'BUILD'
        Move-LocalCloudClock -By ([timespan]::FromMinutes(2))
        $broken = Get-LocalCloudServer -Status ERROR
        $broken.id | Should -Be $id
        $broken.fault.message | Should -Match 'Exhausted all hosts'
        ($broken.addresses.network | Sort-Object) | Should -Be @('private', 'public')
    }

    It 'moves and sets the clock, and the Date header follows' {
        $before = Get-LocalCloudClock
        $after = Move-LocalCloudClock -By ([timespan]::FromDays(2))
        ($after - $before).TotalDays | Should -BeGreaterOrEqual 2
        $set = Set-LocalCloudClock -To ([datetimeoffset]'2030-01-01T00:00:00Z')
        $set.Year | Should -Be 2030
        $response = Invoke-WebRequest "$($Cloud.Url)/v3"
        ([datetimeoffset]::Parse(($response.Headers.Date | Select-Object -First 1))).Year | Should -Be 2030
    }

    It 'merges config and seeds servers and images in bulk' {
        (Set-LocalCloudConfig @{ latencyMs = 1; rateLimits = @{ GET = 5000 } }).rateLimits.GET | Should -Be 5000
        $servers = New-LocalCloudServer -Count 30 -NamePrefix 'fleet-' -Region DFW, ORD, IAD -Metadata @{ backup = 'daily' }
        @($servers).Count | Should -Be 30
        $ids = New-LocalCloudImage -Count 50 -Region ORD -Server $servers[1].id -Properties @{ autosnap_schedule = 'daily' } -Status active, killed
        @($ids).Count | Should -Be 50
        (Get-LocalCloudState).regions.ORD.images | Should -Be 56
        Set-LocalCloudConfig @{ latencyMs = 0; rateLimits = @{} } | Out-Null
    }

    It 'forces a server state and finishes running snapshots' {
        $server = (Invoke-RestMethod "$Compute/servers" -Headers @{ 'X-Auth-Token' = (Get-LocalCloudToken) }).servers[0].id
        Set-LocalCloudServerState -Id $server -TaskState 'image_snapshot'
        (Get-LocalCloudState).regions.DFW.serverList.Where({ $_.id -eq $server }).taskState | Should -Be 'image_snapshot'
        Set-LocalCloudServerState -Id $server -TaskState $null
        Complete-LocalCloudSnapshot
        Reset-LocalCloud
        (Get-LocalCloudState).regions.DFW.servers | Should -Be 1
    }
}
