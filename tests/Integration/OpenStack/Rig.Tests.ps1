# Proves the OpenStack tier itself, from outside the module: if these fail, the module suites' failures
# say nothing about the module. Plain HTTP (Common.ps1) against the services up.sh started.
# Uses the LAST test server only, and deletes every image it makes.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Rig = Get-OsRig
    $script:Auth = New-OsRigToken
    $script:Token = $Auth.Token
    $script:Server = $Rig.servers[-1].id
    $script:Created = [System.Collections.Generic.List[string]]::new()

    function New-Snapshot([string] $Name, [hashtable] $Metadata = @{}, [string] $Microversion) {
        $headers = @{}
        if ($Microversion) { $headers['OpenStack-API-Version'] = "compute $Microversion" }
        Invoke-OsRigApi -Method POST -Uri "$($Rig.computeUrl)/servers/$Server/action" -Token $Token -Headers $headers `
            -Body @{ createImage = @{ name = $Name; metadata = $Metadata } }
    }
}

AfterAll {
    Set-OsRigSnapshotControl hold $false
    if ($Token) {
        Wait-OsRigServerIdle -ServerId $Server -Token $Token | Out-Null
        foreach ($id in $Created) {
            $null = Invoke-OsRigApi -Method DELETE -Uri "$($Rig.imageUrl)/v2/images/$id" -Token $Token
        }
    }
}

Describe 'The OpenStack tier (real Keystone, Nova, Glance)' {

    It 'issues a Keystone v3 token for demo: 201, X-Subject-Token, project demo, expires_at in UTC' {
        $Auth.Response.Status | Should -Be 201
        $Token | Should -Not -BeNullOrEmpty
        $Auth.Body.methods | Should -Be @('password')
        $Auth.Body.user.name | Should -Be 'demo'
        $Auth.Body.project.name | Should -Be 'demo'
        $Auth.Body.project.id | Should -Be $Rig.demo.projectId
        # raw string, before any JSON date conversion
        $Auth.Response.Content | Should -Match '"expires_at": ?"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"'
    }

    It 'refuses a wrong password with 401' {
        (New-OsRigToken -Password 'wrong').Response.Status | Should -Be 401
    }

    It 'has public compute and image endpoints in RegionOne in the catalog' {
        foreach ($type in 'compute', 'image') {
            $entry = @($Auth.Body.catalog | Where-Object type -EQ $type)
            $entry.Count | Should -Be 1 -Because "one $type service"
            $public = @($entry[0].endpoints | Where-Object { $_.interface -eq 'public' -and $_.region -eq $Rig.region })
            $public.Count | Should -Be 1
        }
        @($Auth.Body.catalog | Where-Object type -EQ compute)[0].endpoints[0].url | Should -Be $Rig.computeUrl
        @($Auth.Body.catalog | Where-Object type -EQ image)[0].endpoints[0].url | Should -Be $Rig.imageUrl
    }

    It 'has at least 3 test servers, all ACTIVE and idle' {
        $Rig.servers.Count | Should -BeGreaterOrEqual 3
        foreach ($s in $Rig.servers) {
            $r = Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/servers/$($s.id)" -Token $Token
            $r.Status | Should -Be 200
            $r.Json.server.status | Should -Be 'ACTIVE'
            $r.Json.server.PSObject.Properties.Name | Should -Contain 'OS-EXT-STS:task_state'
            $r.Json.server.'OS-EXT-STS:task_state' | Should -BeNullOrEmpty
        }
    }

    Context 'a snapshot through Nova' {
        BeforeAll {
            $script:Marker = [guid]::NewGuid().ToString()
            Wait-OsRigServerIdle -ServerId $Server -Token $Token | Out-Null
            $script:Create = New-Snapshot -Name "rigtest-$Marker" -Metadata @{ autosnap_schedule = 'rigtest'; autosnap_request = $Marker }
            $script:ImageId = ($Create.Headers['Location'] -split '/')[-1]
            if ($ImageId) { $Created.Add($ImageId) }
        }

        # a double slash: Nova sends service tokens, finds Glance by version discovery and strips /v2/ (README gotcha 16)
        It 'is accepted with 202 and a Location at the Glance endpoint without /v2 (microversion 2.1)' {
            $Create.Status | Should -Be 202
            $Create.Content | Should -BeNullOrEmpty
            $Create.Headers['Location'] | Should -Be "$($Rig.imageUrl)//images/$ImageId"
        }

        It 'goes queued/saving -> active in Glance' {
            $seen = Wait-OsRigImage -ImageId $ImageId -Token $Token -Status active, killed, '(gone)'
            $seen[-1] | Should -Be 'active'
            foreach ($status in $seen) { $status | Should -BeIn @('queued', 'saving', 'active') }
        }

        It 'carries instance_uuid, image_type and the custom metadata as image properties' {
            $image = (Invoke-OsRigApi -Method GET -Uri "$($Rig.imageUrl)/v2/images/$ImageId" -Token $Token).Json
            $image.instance_uuid | Should -Be $Server
            $image.image_type | Should -Be 'snapshot'
            $image.autosnap_schedule | Should -Be 'rigtest'
            $image.autosnap_request | Should -Be $Marker
            $image.size | Should -BeGreaterThan 0
        }

        It 'is found by a Glance property filter' {
            $r = Invoke-OsRigApi -Method GET -Token $Token `
                -Uri "$($Rig.imageUrl)/v2/images?instance_uuid=$Server&autosnap_request=$Marker"
            @($r.Json.images).id | Should -Be @($ImageId)
        }

        It 'is deleted through Glance with 204, and a second delete is 404' {
            (Invoke-OsRigApi -Method DELETE -Uri "$($Rig.imageUrl)/v2/images/$ImageId" -Token $Token).Status | Should -Be 204
            (Invoke-OsRigApi -Method DELETE -Uri "$($Rig.imageUrl)/v2/images/$ImageId" -Token $Token).Status | Should -Be 404
        }
    }

    Context 'microversion 2.45 and the 409 window' {
        BeforeAll {
            Wait-OsRigServerIdle -ServerId $Server -Token $Token | Out-Null
            Set-OsRigSnapshotControl hold $true
            $script:Create45 = New-Snapshot -Name 'rigtest-2.45' -Microversion '2.45'
            $script:ImageId45 = $Create45.Json.image_id
            if ($ImageId45) { $Created.Add($ImageId45) }
        }
        AfterAll { Set-OsRigSnapshotControl hold $false }

        It 'answers 202 with {"image_id"} and no Location at 2.45' {
            $Create45.Status | Should -Be 202
            $ImageId45 | Should -Match '^[0-9a-f-]{36}$'
            $Create45.Headers.ContainsKey('Location') | Should -BeFalse
        }

        It 'keeps the server busy while the snapshot is held, and refuses a second createImage with 409' {
            $busy = (Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/servers/$Server" -Token $Token).Json.server
            $busy.'OS-EXT-STS:task_state' | Should -BeIn @('image_snapshot_pending', 'image_snapshot', 'image_pending_upload')
            $again = New-Snapshot -Name 'rigtest-conflict'
            $again.Status | Should -Be 409
            $again.Json.conflictingRequest.code | Should -Be 409
            $again.Json.conflictingRequest.message | Should -Match ("^Cannot 'createImage' instance {0} while it is in task_state " -f [regex]::Escape($Server))
            (Invoke-OsRigApi -Method GET -Uri "$($Rig.imageUrl)/v2/images/$ImageId45" -Token $Token).Json.status | Should -Be 'queued'
        }

        It 'finishes once released' {
            Set-OsRigSnapshotControl hold $false
            (Wait-OsRigImage -ImageId $ImageId45 -Token $Token)[-1] | Should -Be 'active'
            (Wait-OsRigServerIdle -ServerId $Server -Token $Token).status | Should -Be 'ACTIVE'
        }
    }
}
