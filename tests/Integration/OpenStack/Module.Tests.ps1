# The module against the real Keystone v3, Nova (fake driver) and Glance v2 of the tier, through its cmdlets only.
# Plain HTTP (Common.ps1, ModuleHelpers.ps1) only makes what the module must not make (a manual snapshot, an
# application credential) and checks state independently of the module.
#
# Servers: autosnap-it-1 for single snapshots and deletes, autosnap-it-2 for the rotation pools, autosnap-it-3 for
# the 409 window, bucket rules and failed snapshots. Every image is named with this run's marker and deleted in
# AfterAll, whatever happened. Snapshots with -Wait always carry a -Timeout: a snapshot that never finishes must
# fail its test, not hang the suite.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'ModuleHelpers.ps1')
    $script:WaitLimit = [timespan]::FromMinutes(1)
    $script:Ids = @($Rig.servers | ForEach-Object id)
    $script:ServerNames = @($Rig.servers | ForEach-Object name)

    # The demo user's session from the tier's own OS_* variables, made the default.
    function Connect-Demo {
        $before = Set-TestEnvironment $DemoEnv
        try { Connect-RackspaceCloud -ErrorAction Stop } finally { Restore-Environment $before }
    }
}

AfterAll {
    Set-OsRigSnapshotControl hold $false
    Set-OsRigSnapshotControl fail $false
    if (Get-Command Disconnect-RackspaceCloud -ErrorAction SilentlyContinue) { Disconnect-RackspaceCloud -All -ErrorAction SilentlyContinue }
    if ($Token) {
        foreach ($id in $Ids) { Wait-OsRigServerIdle -ServerId $id -Token $Token | Out-Null }
        $null = Remove-TestImages -Marker $Marker -Token $Token
    }
    if ($SavedEnv) { Restore-Environment $SavedEnv }
}

Describe 'Connect-RackspaceCloud against Keystone v3' {

    Context 'from the OS_* environment variables (password)' {
        It 'connects as demo in RegionOne and takes the endpoints from the catalog; the token lives 1 hour' {
            $before = Set-TestEnvironment $DemoEnv
            try { $session = Connect-RackspaceCloud -NotDefault -ErrorAction Stop } finally { Restore-Environment $before }
            $session.IdentityType | Should -Be 'Keystone'
            $session.IdentityUrl.AbsoluteUri | Should -Be $Rig.authUrl
            $session.UserName | Should -Be 'demo'
            $session.TenantName | Should -Be 'demo'
            $session.TenantId | Should -Be $Rig.demo.projectId
            $session.Region | Should -Be 'RegionOne'
            $session.Regions | Should -Be @('RegionOne')
            $session.ComputeUrl.AbsoluteUri | Should -Be $Rig.computeUrl
            # the catalog lists Glance without a version; the module adds /v2
            $session.ImageUrl.AbsoluteUri | Should -Be "$($Rig.imageUrl)/v2"
            # Keystone's default lifetime (expiration = 3600 s), not LocalCloud's 24 h
            ($session.TokenExpires - [DateTimeOffset]::UtcNow).TotalMinutes | Should -BeGreaterThan 55
            ($session.TokenExpires - [DateTimeOffset]::UtcNow).TotalMinutes | Should -BeLessOrEqual 61
            @(Get-RackspaceServer -Session $session -Name 'autosnap-it-*').Count | Should -BeGreaterOrEqual 3
        }

        It 'takes an OS_AUTH_URL without a version as Keystone v3' {
            $values = @{} + $DemoEnv
            $values['OS_AUTH_URL'] = $Rig.authUrl -replace '/v3$', ''
            $before = Set-TestEnvironment $values
            try { $session = Connect-RackspaceCloud -NotDefault -ErrorAction Stop } finally { Restore-Environment $before }
            $session.IdentityUrl.AbsoluteUri | Should -Be $Rig.authUrl
            $session.UserName | Should -Be 'demo'
        }

        It 'refuses a wrong OS_PASSWORD with an authentication error that does not contain the password' {
            $wrong = 'wrong-' + [guid]::NewGuid().ToString('N')
            $values = @{} + $DemoEnv
            $values['OS_PASSWORD'] = $wrong
            $before = Set-TestEnvironment $values
            try {
                $failure = $null
                try { Connect-RackspaceCloud -NotDefault -ErrorAction Stop } catch { $failure = $_ }
            }
            finally { Restore-Environment $before }
            $failure | Should -Not -BeNullOrEmpty
            $failure.FullyQualifiedErrorId | Should -BeLike 'RackspaceCloudAuthenticationFailed,*'
            $failure.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $failure.Exception.Message | Should -Match '401'
            "$failure $($failure.Exception)" | Should -Not -Match $wrong
        }
    }

    Context 'with parameters' {
        It 'connects with -IdentityUrl, -UserName, -Password, -ProjectName and the domain names' {
            $session = Connect-RackspaceCloud -IdentityUrl $Rig.authUrl -UserName demo -Password (ConvertTo-TestSecureString $Rig.demo.password) `
                -ProjectName demo -UserDomainName Default -ProjectDomainName Default -Region RegionOne -NotDefault -ErrorAction Stop
            $session.UserName | Should -Be 'demo'
            $session.TenantId | Should -Be $Rig.demo.projectId
            $session.Credential | Should -Match 'password'
            @(Get-RackspaceServer -Session $session -Name 'autosnap-it-*').Count | Should -BeGreaterOrEqual 3
        }

        It 'connects with -Credential (the password as the secret on Keystone) and -ProjectId' {
            $credential = [pscredential]::new('demo', (ConvertTo-TestSecureString $Rig.demo.password))
            $session = Connect-RackspaceCloud -IdentityUrl $Rig.authUrl -Credential $credential -ProjectId $Rig.demo.projectId -NotDefault -ErrorAction Stop
            $session.TenantName | Should -Be 'demo'
        }

        It 'connects with -CredentialFile (the tier''s own env file, mode 600)' {
            $session = Connect-RackspaceCloud -CredentialFile (Join-Path $Rig.stateDir 'env') -NotDefault -ErrorAction Stop
            $session.UserName | Should -Be 'demo'
            $session.Region | Should -Be 'RegionOne'
        }

        It 'names the catalog''s regions when asked for one it does not have' {
            $failure = $null
            try {
                Connect-RackspaceCloud -IdentityUrl $Rig.authUrl -UserName demo -Password (ConvertTo-TestSecureString $Rig.demo.password) `
                    -ProjectName demo -Region Atlantis -NotDefault -ErrorAction Stop
            }
            catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -BeLike 'RackspaceCloudInvalidConfiguration,*'
            $failure.Exception.Message | Should -Match "Region 'Atlantis' is not in this account's catalog\. Regions available: RegionOne\."
        }

        It 'makes the session the default (Get-RackspaceSession) until Disconnect-RackspaceCloud' {
            $session = Connect-RackspaceCloud -IdentityUrl $Rig.authUrl -UserName demo -Password (ConvertTo-TestSecureString $Rig.demo.password) `
                -ProjectName demo -ErrorAction Stop
            (Get-RackspaceSession -Default).Id | Should -Be $session.Id
            @(Get-RackspaceServer -Name autosnap-it-1).Id | Should -Be @($Ids[0])
            Disconnect-RackspaceCloud -Session $session
            @(Get-RackspaceSession | Where-Object Id -EQ $session.Id).Count | Should -Be 0
            $failure = $null
            try { Get-RackspaceServer -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -BeLike 'RackspaceSessionNotFound,*'
        }
    }

    Context 'with an application credential of the demo user (made through Keystone''s API)' {
        BeforeAll {
            $script:AppCredential = $null
            $r = Invoke-OsRigApi -Method POST -Uri "$($Rig.authUrl)/users/$($Rig.demo.userId)/application_credentials" -Token $Token `
                -Body @{ application_credential = @{ name = "$Marker-appcred"; description = 'Autosnap integration suite; deleted at its end' } }
            if ($r.Status -ne 201) { throw "Keystone refused the application credential: $($r.Status) $($r.Content)" }
            $script:AppCredential = $r.Json.application_credential
        }
        AfterAll {
            if ($AppCredential) {
                $null = Invoke-OsRigApi -Method DELETE -Token $Token -Uri "$($Rig.authUrl)/users/$($Rig.demo.userId)/application_credentials/$($AppCredential.id)"
            }
        }

        It 'connects with -ApplicationCredentialId and -ApplicationCredentialSecret, scoped to the credential''s project' {
            $session = Connect-RackspaceCloud -IdentityUrl $Rig.authUrl -ApplicationCredentialId $AppCredential.id `
                -ApplicationCredentialSecret (ConvertTo-TestSecureString $AppCredential.secret) -NotDefault -ErrorAction Stop
            $session.UserName | Should -Be 'demo'
            $session.TenantId | Should -Be $Rig.demo.projectId
            $session.Credential | Should -Match 'application credential'
            $session.Credential | Should -Not -Match ([regex]::Escape($AppCredential.secret))
            @(Get-RackspaceServer -Session $session -Name 'autosnap-it-*').Count | Should -BeGreaterOrEqual 3
        }

        It 'connects from OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET' {
            $before = Set-TestEnvironment @{
                OS_AUTH_URL = $Rig.authUrl; OS_REGION_NAME = 'RegionOne'
                OS_APPLICATION_CREDENTIAL_ID = $AppCredential.id; OS_APPLICATION_CREDENTIAL_SECRET = $AppCredential.secret
            }
            try { $session = Connect-RackspaceCloud -NotDefault -ErrorAction Stop } finally { Restore-Environment $before }
            $session.TenantName | Should -Be 'demo'
            @(Get-RackspaceServer -Session $session -Id $Ids[0]).Name | Should -Be @($ServerNames[0])
        }

        It 'refuses a wrong secret (Keystone: 401) as an authentication failure' {
            $failure = $null
            try {
                Connect-RackspaceCloud -IdentityUrl $Rig.authUrl -ApplicationCredentialId $AppCredential.id `
                    -ApplicationCredentialSecret (ConvertTo-TestSecureString 'not-the-secret') -NotDefault -ErrorAction Stop
            }
            catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -BeLike 'RackspaceCloudAuthenticationFailed,*'
            $failure.Exception.Message | Should -Match '\(401 '
        }

        It 'refuses an unknown credential id (Keystone: 404, not 401) as an authentication failure too' {
            $failure = $null
            try {
                Connect-RackspaceCloud -IdentityUrl $Rig.authUrl -ApplicationCredentialId ([guid]::NewGuid().ToString('N')) `
                    -ApplicationCredentialSecret (ConvertTo-TestSecureString 'whatever') -NotDefault -ErrorAction Stop
            }
            catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -BeLike 'RackspaceCloudAuthenticationFailed,*'
            $failure.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $failure.Exception.Message | Should -Match '\(404 '
        }
    }
}

Describe 'Get-RackspaceServer against Nova' {
    BeforeAll { $script:Session = Connect-Demo }

    It 'lists the test servers, ACTIVE and idle (OS-EXT-STS:task_state null)' {
        $servers = @(Get-RackspaceServer -Name 'autosnap-it-*' | Sort-Object Name)
        $servers.Name | Should -Be $ServerNames
        $servers.Id | Should -Be $Ids
        foreach ($server in $servers) {
            $server.Status | Should -Be 'ACTIVE'
            $server.TaskState | Should -BeNullOrEmpty
            $server.Region | Should -Be 'RegionOne'
        }
    }

    It 'finds one server by its exact name although Nova''s name filter is a regular expression matched anywhere' {
        # Nova answers ?name=autosnap-it-1 with every name containing it; the module keeps exact matches only
        @(Get-RackspaceServer -Name autosnap-it-1).Id | Should -Be @($Ids[0])
        @(Get-RackspaceServer -Name 'autosnap-it' -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'finds servers by id, and reports an unknown id as not found' {
        @(Get-RackspaceServer -Id $Ids[1]).Name | Should -Be @($ServerNames[1])
        $unknown = [guid]::NewGuid().ToString()
        Get-RackspaceServer -Id $unknown -ErrorAction SilentlyContinue -ErrorVariable errors | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'RackspaceServerNotFound,*'
    }
}

Describe 'New-AutoSnapshot and Wait-AutoSnapshot against Nova and Glance' {
    BeforeAll {
        $script:Session = Connect-Demo
        $script:Server = Get-RackspaceServer -Id $Ids[0]
    }

    Context 'without -Wait' {
        BeforeAll {
            $script:Schedule = "$Marker-nowait"
            # the image as New-AutoSnapshot returned it, as Glance had it then, and as Wait-AutoSnapshot returned it
            $step = Invoke-SnapshotStep -What 'the snapshot without -Wait' -Schedule $Schedule -ServerId $Server.Id -Token $Token -Action {
                Wait-ServerSettled -ServerId $Server.Id -Token $Token
                $pending = New-AutoSnapshot -Server $Server -Schedule $Schedule -ErrorAction Stop
                $glance = Get-GlanceImage -Id $pending.Id -Token $Token
                $done = Wait-AutoSnapshot -InputObject $pending -Timeout $WaitLimit -ErrorAction SilentlyContinue -ErrorVariable waitErrors
                [pscustomobject]@{ Pending = $pending; Glance = $glance; Done = $done; WaitErrors = @($waitErrors) }
            } -Succeeded { param($r) $r.Done.State -eq 'Good' }
            $script:Pending = $step.Pending
            $script:PendingInGlance = $step.Glance
            $script:Waited = $step
        }

        It 'returns at once with the image Glance has, still pending' {
            $Pending.Id | Should -Match '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
            $Pending.State | Should -Be 'Pending'
            $Pending.Status | Should -BeIn @('queued', 'saving')
            $Pending.Name | Should -BeLike "autosnap-it-1-$Schedule-*"
        }

        It 'tags the image with the ownership metadata, as top-level Glance properties next to Nova''s instance_uuid' {
            $image = $PendingInGlance
            $image | Should -Not -BeNullOrEmpty
            $image.status | Should -BeIn @('queued', 'saving')
            $image.autosnap_schedule | Should -Be $Schedule
            $image.autosnap_server | Should -Be $Server.Id
            $image.instance_uuid | Should -Be $Server.Id
            $image.image_type | Should -Be 'snapshot'
            $image.autosnap_request | Should -Match '^[0-9a-f-]{36}$'
            $Pending.IsAutosnap | Should -BeTrue
            $Pending.Schedule | Should -Be $Schedule
            $Pending.ServerId | Should -Be $Server.Id
        }

        It 'Wait-AutoSnapshot waits until Glance has it active, with Glance''s size' {
            $Waited.WaitErrors | Should -BeNullOrEmpty
            $done = $Waited.Done
            $done.Id | Should -Be $Pending.Id
            $done.State | Should -Be 'Good'
            $done.Status | Should -Be 'active'
            $image = Get-GlanceImage -Id $Pending.Id -Token $Token
            $image.status | Should -Be 'active'
            $done.Size | Should -Be $image.size
            $done.Size | Should -BeGreaterThan 0
        }
    }

    Context 'with -Wait' {
        BeforeAll {
            $script:Done = Invoke-SnapshotStep -What 'the snapshot with -Wait' -Schedule "$Marker-wait" -ServerId $Server.Id -Token $Token -Action {
                Wait-ServerSettled -ServerId $Server.Id -Token $Token
                $script:Started = [DateTimeOffset]::UtcNow
                New-AutoSnapshot -Server autosnap-it-1 -Schedule "$Marker-wait" -Wait -Timeout $WaitLimit -ErrorAction Stop
            } -Succeeded { param($r) $r.State -eq 'Good' }
        }

        It 'returns the good snapshot once Glance has it active' {
            $Done.State | Should -Be 'Good'
            $image = Get-GlanceImage -Id $Done.Id -Token $Token
            $image.status | Should -Be 'active'
            $image.autosnap_schedule | Should -Be "$Marker-wait"
            $Done.Size | Should -Be $image.size
        }

        It 'reports Glance''s created_at (whole seconds, UTC) as Created' {
            $image = Get-GlanceImage -Id $Done.Id -Token $Token
            $Done.Created | Should -Be ([DateTimeOffset]::Parse($image.created_at, [cultureinfo]::InvariantCulture))
            $Done.Created.Offset | Should -Be ([timespan]::Zero)
            [math]::Abs(($Done.Created - $Started).TotalSeconds) | Should -BeLessThan 60
        }
    }

    Context 'microversion 2.45: the image id comes from the body (seen through a recording proxy)' {
        BeforeAll {
            $script:Proxy = $null
            $script:Made = Invoke-SnapshotStep -What 'the snapshot at 2.45' -Schedule "$Marker-v245" -ServerId $Server.Id -Token $Token -Action {
                if ($Proxy) { Stop-ComputeProxy $Proxy }   # a second attempt starts with a fresh record
                $script:Proxy = Start-ComputeProxy
                $script:ProxySession = Connect-RackspaceCloud -IdentityUrl $Proxy.IdentityUrl -UserName demo `
                    -Password (ConvertTo-TestSecureString $Rig.demo.password) -ProjectName demo -NotDefault -ErrorAction Stop
                Wait-ServerSettled -ServerId $Server.Id -Token $Token
                New-AutoSnapshot -Session $ProxySession -Server autosnap-it-1 -Schedule "$Marker-v245" -Wait -Timeout $WaitLimit -ErrorAction Stop
            } -Succeeded { param($r) $r.State -eq 'Good' }
            $script:Posts = @(Get-ProxyRecord $Proxy | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/action' })
        }
        AfterAll { if ($Proxy) { Stop-ComputeProxy $Proxy } }

        It 'went through the proxy (the catalog''s compute endpoint was replaced, nothing else)' {
            $ProxySession.ComputeUrl.AbsoluteUri | Should -Be $Proxy.ComputeUrl
            $ProxySession.ImageUrl.AbsoluteUri | Should -Be "$($Rig.imageUrl)/v2"
        }

        It 'asks for compute 2.45 once and gets 202 with {"image_id"} and no Location from the real Nova' {
            $Posts.Count | Should -Be 1
            $Posts[0].microversion | Should -Be '2.45'
            $Posts[0].answeredBy | Should -Be 'nova'
            $Posts[0].status | Should -Be 202
            $Posts[0].responseMicroversion | Should -Be 'compute 2.45'
            $Posts[0].location | Should -BeNullOrEmpty
            ($Posts[0].body | ConvertFrom-Json).image_id | Should -Be $Made.Id
        }

        It 'returns the image Glance has, and Glance has exactly one image of that request' {
            $image = Get-GlanceImage -Id $Made.Id -Token $Token
            $image.status | Should -Be 'active'
            $image.instance_uuid | Should -Be $Server.Id
            @(Get-GlanceImages -Filter @{ autosnap_schedule = "$Marker-v245" } -Token $Token).id | Should -Be @($Made.Id)
        }
    }

    Context 'a Nova without 2.45: the Location header points at Glance without /v2' {
        # Real Nova here offers 2.1-2.93, so it never sends Location to the module. The proxy answers a request for
        # 2.45 with the 406 a Nova whose newest version is 2.44 gives (the body and headers real Nova gives for
        # versions it lacks), and passes everything else through: the Location the module parses is real Nova's.
        BeforeAll {
            $script:Proxy = $null
            $script:First = Invoke-SnapshotStep -What 'the snapshot through a Nova without 2.45' -Schedule "$Marker-v244" -ServerId $Server.Id -Token $Token -Action {
                if ($Proxy) { Stop-ComputeProxy $Proxy }
                $script:Proxy = Start-ComputeProxy -MaxMicroversion 2.44
                $script:ProxySession = Connect-RackspaceCloud -IdentityUrl $Proxy.IdentityUrl -UserName demo `
                    -Password (ConvertTo-TestSecureString $Rig.demo.password) -ProjectName demo -NotDefault -ErrorAction Stop
                Wait-ServerSettled -ServerId $Server.Id -Token $Token
                New-AutoSnapshot -Session $ProxySession -Server autosnap-it-1 -Schedule "$Marker-v244" -Wait -Timeout $WaitLimit -ErrorAction Stop
            } -Succeeded { param($r) $r.State -eq 'Good' }
            $script:FirstPosts = @(Get-ProxyRecord $Proxy | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/action' })
        }
        AfterAll { if ($Proxy) { Stop-ComputeProxy $Proxy } }

        It 'asks for 2.45, takes the 406 as "nothing was done" and asks again without a microversion' {
            $FirstPosts.Count | Should -Be 2
            $FirstPosts[0].microversion | Should -Be '2.45'
            $FirstPosts[0].status | Should -Be 406
            $FirstPosts[0].answeredBy | Should -Be 'proxy'
            $FirstPosts[1].microversion | Should -BeNullOrEmpty
            $FirstPosts[1].answeredBy | Should -Be 'nova'
            $FirstPosts[1].status | Should -Be 202
            $FirstPosts[1].responseMicroversion | Should -Be 'compute 2.1'
            $FirstPosts[1].body | Should -BeNullOrEmpty
        }

        # Nova with service tokens ([service_user], needed for Cinder) finds Glance by version discovery and strips the
        # version to "http://127.0.0.1:9292/", so its Location has a double slash (README, API record: Cinder)
        It 'takes the image id from real Nova''s Location, the Glance endpoint + //images/{id} (no /v2), and it is Glance''s image' {
            $FirstPosts[1].location | Should -Be "$($Rig.imageUrl)//images/$($First.Id)"
            $FirstPosts[1].location | Should -Not -Match '/v2/'
            $image = Get-GlanceImage -Id $First.Id -Token $Token
            $image.status | Should -Be 'active'
            $image.autosnap_schedule | Should -Be "$Marker-v244"
        }

        It 'made exactly one image for the two POSTs' {
            @(Get-GlanceImages -Filter @{ autosnap_schedule = "$Marker-v244" } -Token $Token).id | Should -Be @($First.Id)
        }

        It 'remembers the answer: the next snapshot of the session goes without 2.45 at once' {
            $second = Invoke-SnapshotStep -What 'the second snapshot through a Nova without 2.45' -Schedule "$Marker-v244" -Keep $First.Id `
                -ServerId $Server.Id -Token $Token -Action {
                    Wait-ServerSettled -ServerId $Server.Id -Token $Token
                    New-AutoSnapshot -Session $ProxySession -Server autosnap-it-1 -Schedule "$Marker-v244" -Wait -Timeout $WaitLimit -ErrorAction Stop
                } -Succeeded { param($r) $r.State -eq 'Good' }
            $later = @(Get-ProxyRecord $Proxy | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/action' } | Select-Object -Skip 2)
            $later.Count | Should -BeGreaterOrEqual 1
            foreach ($post in $later) {
                $post.microversion | Should -BeNullOrEmpty
                $post.answeredBy | Should -Be 'nova'
            }
            $later[-1].location | Should -Be "$($Rig.imageUrl)//images/$($second.Id)"
        }
    }
}

Describe 'Listing and rotating pools against Glance' {
    BeforeAll {
        $script:Session = Connect-Demo
        $script:Server = Get-RackspaceServer -Id $Ids[1]
        $script:Pool = "$Marker-rot"
        $script:OtherPool = "$Marker-other"
        # Oldest first: a manual snapshot and another pool's image, then the pool itself. A rotation that went by
        # name, by server or by age alone would take the two oldest images first.
        $script:Foreign = New-ForeignSnapshot -ServerId $Server.Id -Name "$Marker-manual-$($Server.Name)" -Token $Token
        $script:Other = (New-TestPools -Pools @(@{ Server = $Server; Schedule = $OtherPool }) -Count 1 -Token $Token)["$($Server.Id)/$OtherPool"]
        $script:Images = (New-TestPools -Pools @(@{ Server = $Server; Schedule = $Pool }) -Count 3 -Token $Token)["$($Server.Id)/$Pool"]
        $script:Everything = @($Foreign) + @($Other.Id) + @($Images.Id)
    }

    Context 'Get-AutoSnapshot' {
        It 'lists exactly the pool by -Server and -Schedule (server-side property filters), newest first' {
            $listed = @(Get-AutoSnapshot -Server $Server.Name -Schedule $Pool)
            $listed.Id | Should -Be @($Images.Id)
            foreach ($s in $listed) {
                $s.State | Should -Be 'Good'
                $s.IsAutosnap | Should -BeTrue
                $s.Schedule | Should -Be $Pool
            }
        }

        It 'lists both pools of the server without -Schedule, but never the manual snapshot' {
            $listed = @(Get-AutoSnapshot -Server $Server.Id | Where-Object { $_.Schedule -like "$Marker-*" })
            ($listed.Id | Sort-Object) | Should -Be (@($Images.Id) + @($Other.Id) | Sort-Object)
            $listed.Id | Should -Not -Contain $Foreign
        }

        It 'shows the manual snapshot with -IncludeForeign, marked as not Autosnap''s' {
            $all = @(Get-AutoSnapshot -Server $Server -IncludeForeign)
            $manual = @($all | Where-Object Id -EQ $Foreign)
            $manual.Count | Should -Be 1
            $manual[0].IsAutosnap | Should -BeFalse
            $manual[0].Schedule | Should -BeNullOrEmpty
            $manual[0].ServerId | Should -Be $Server.Id
            @($all.Id) | Should -Contain $Images[0].Id
        }

        It 'filters by -Status and finds by -Id (refusing a foreign id without -IncludeForeign)' {
            @(Get-AutoSnapshot -Server $Server -Schedule $Pool -Status Pending).Count | Should -Be 0
            @(Get-AutoSnapshot -Server $Server -Schedule $Pool -Status Good).Count | Should -Be 3
            (Get-AutoSnapshot -Id $Images[1].Id).Id | Should -Be $Images[1].Id
            Get-AutoSnapshot -Id $Foreign -ErrorAction SilentlyContinue -ErrorVariable errors | Should -BeNullOrEmpty
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotNotOwned,*'
        }
    }

    Context 'Invoke-SnapshotRotation -Retention' {
        It '-WhatIf plans every deletion with its reason and deletes nothing' {
            $decisions = @(Invoke-SnapshotRotation -Server $Server -Schedule $Pool -Retention 0 -WhatIf)
            $decisions.Id | Should -Be @($Images.Id)
            $decisions.Action | Should -Be @('Keep', 'Delete', 'Delete')
            $decisions.Outcome | Should -Be @('Planned', 'Skipped', 'Skipped')
            $decisions[0].Reason | Should -Be 'retention: newest 1 good'
            $decisions[1].Reason | Should -Be 'not among the newest 1 good'
            foreach ($id in $Everything) { (Get-GlanceImage -Id $id -Token $Token).status | Should -Be 'active' }
        }

        It 'plans the same from piped snapshots (Get-AutoSnapshot | Invoke-SnapshotRotation -WhatIf)' {
            $decisions = @(Get-AutoSnapshot -Server $Server -Schedule $Pool | Invoke-SnapshotRotation -Retention 0 -WhatIf)
            $decisions.Action | Should -Be @('Keep', 'Delete', 'Delete')
            foreach ($id in $Everything) { (Get-GlanceImage -Id $id -Token $Token).status | Should -Be 'active' }
        }

        It '-Retention 1 deletes the oldest image of the pool only; the manual snapshot and the other pool stay' {
            $decisions = @(Invoke-SnapshotRotation -Server $Server.Name -Schedule $Pool -Retention 1 -Confirm:$false)
            $decisions.Id | Should -Be @($Images.Id)
            $decisions.Action | Should -Be @('Keep', 'Keep', 'Delete')
            $decisions.Outcome | Should -Be @('Planned', 'Planned', 'Deleted')
            Get-GlanceImage -Id $Images[2].Id -Token $Token | Should -BeNullOrEmpty
            (Get-GlanceImage -Id $Images[0].Id -Token $Token).status | Should -Be 'active'
            (Get-GlanceImage -Id $Images[1].Id -Token $Token).status | Should -Be 'active'
            (Get-GlanceImage -Id $Foreign -Token $Token).status | Should -Be 'active'
            (Get-GlanceImage -Id $Other.Id -Token $Token).status | Should -Be 'active'
        }

        It 'converges: the same rotation again deletes nothing more' {
            $decisions = @(Invoke-SnapshotRotation -Server $Server -Schedule $Pool -Retention 1 -Confirm:$false)
            $decisions.Id | Should -Be @($Images[0].Id, $Images[1].Id)
            $decisions.Action | Should -Be @('Keep', 'Keep')
        }

        It 'refuses a piped foreign image instead of rotating it' {
            $foreignImage = Get-AutoSnapshot -Id $Foreign -IncludeForeign
            $decisions = @($foreignImage | Invoke-SnapshotRotation -Retention 0 -ErrorAction SilentlyContinue -ErrorVariable errors)
            $decisions.Count | Should -Be 0
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotRotationNotOwned,*'
            (Get-GlanceImage -Id $Foreign -Token $Token).status | Should -Be 'active'
        }
    }

    Context 'Invoke-SnapshotRotation with bucket rules (on real created_at timestamps)' {
        BeforeAll {
            $script:BucketServer = Get-RackspaceServer -Id $Ids[2]
            $script:BucketPool = "$Marker-bucket"
            $script:Bucket = (New-TestPools -Pools @(@{ Server = $BucketServer; Schedule = $BucketPool }) -Count 3 -Token $Token)["$($BucketServer.Id)/$BucketPool"]
            # Keeps the newest and the second (created within this span of the newest), not the third: Glance's
            # created_at has whole seconds and the snapshots are seconds apart, so the outcome does not depend on timing.
            $script:Within = ($Bucket[0].Created - $Bucket[1].Created) + [timespan]::FromMilliseconds(500)
        }

        It 'keeps by -KeepDaily and -KeepWithin in the given -TimeZone and deletes the rest' {
            $Bucket[0].Created | Should -BeGreaterThan $Bucket[1].Created
            $Bucket[1].Created | Should -BeGreaterThan $Bucket[2].Created
            $decisions = @(Invoke-SnapshotRotation -Server $BucketServer -Schedule $BucketPool -KeepDaily 1 -KeepWithin $Within -TimeZone UTC -Confirm:$false)
            $decisions.Id | Should -Be @($Bucket.Id)
            $decisions.Action | Should -Be @('Keep', 'Keep', 'Delete')
            $withinReason = "within $($Within.ToString('c', [cultureinfo]::InvariantCulture)) of newest"
            $decisions[0].Reasons | Should -Be @("daily $($Bucket[0].Created.UtcDateTime.ToString('yyyy-MM-dd'))", $withinReason)
            $decisions[1].Reasons | Should -Be @($withinReason)
            $decisions[2].Reason | Should -Be 'not kept by any rule'
            $decisions[2].Outcome | Should -Be 'Deleted'
            Get-GlanceImage -Id $Bucket[2].Id -Token $Token | Should -BeNullOrEmpty
            (Get-GlanceImage -Id $Bucket[1].Id -Token $Token).status | Should -Be 'active'
        }

        It 'refuses -Retention together with bucket rules before listing anything' {
            $failure = $null
            try { Invoke-SnapshotRotation -Server $BucketServer -Schedule $BucketPool -Retention 1 -KeepDaily 1 -ErrorAction Stop } catch { $failure = $_ }
            $failure | Should -Not -BeNullOrEmpty
            $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
            (Get-GlanceImage -Id $Bucket[1].Id -Token $Token).status | Should -Be 'active'
        }
    }
}

Describe 'Remove-AutoSnapshot: deleting through Glance' {
    BeforeAll {
        $script:Session = Connect-Demo
        $script:Server = Get-RackspaceServer -Id $Ids[0]
        $script:Foreign = New-ForeignSnapshot -ServerId $Server.Id -Name "$Marker-manual-remove" -Token $Token
        $script:Ours = (New-TestPools -Pools @(@{ Server = $Server; Schedule = "$Marker-remove" }) -Count 2 -Token $Token)["$($Server.Id)/$Marker-remove"]
        function Set-Protected([string] $Id, [bool] $On) {
            $r = Invoke-OsRigApi -Method PATCH -Uri "$($Rig.imageUrl)/v2/images/$Id" -Token $Token `
                -ContentType 'application/openstack-images-v2.1-json-patch' -Body "[{`"op`":`"replace`",`"path`":`"/protected`",`"value`":$($On.ToString().ToLowerInvariant())}]"
            if ($r.Status -ne 200) { throw "PATCH protected: $($r.Status) $($r.Content)" }
        }
    }

    It 'leaves a foreign image alone without -Force' {
        Remove-AutoSnapshot -Id $Foreign -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errors
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotNotOwned,*'
        (Get-GlanceImage -Id $Foreign -Token $Token).status | Should -Be 'active'
    }

    It 'deletes nothing with -WhatIf' {
        $Ours[0] | Remove-AutoSnapshot -WhatIf
        (Get-GlanceImage -Id $Ours[0].Id -Token $Token).status | Should -Be 'active'
    }

    It 'leaves a pinned snapshot alone without -Force (Lock-AutoSnapshot pins it in Glance)' {
        $Ours[0] | Lock-AutoSnapshot -Confirm:$false -ErrorAction Stop
        (Get-GlanceImage -Id $Ours[0].Id -Token $Token).autosnap_pinned | Should -Be 'true'
        $Ours[0] | Remove-AutoSnapshot -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errors
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotPinned,*'
        (Get-GlanceImage -Id $Ours[0].Id -Token $Token).status | Should -Be 'active'
        $Ours[0] | Unlock-AutoSnapshot -Confirm:$false -ErrorAction Stop
        (Get-GlanceImage -Id $Ours[0].Id -Token $Token).PSObject.Properties.Name | Should -Not -Contain 'autosnap_pinned'
    }

    It 'reports Glance''s refusal of a protected image (403) in words, and the image stays' {
        Set-Protected $Ours[0].Id $true
        try {
            $Ours[0] | Remove-AutoSnapshot -Force -ErrorAction SilentlyContinue -ErrorVariable errors
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotForbidden,*'
            $errors[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            $errors[0].Exception.Message | Should -Match "Image $($Ours[0].Id) is protected and cannot be deleted\."
            # Glance's JSON error body ({"message","code":"403 Forbidden","title"}) is read, not quoted raw
            $errors[0].Exception.Message | Should -Not -Match '"code"|\\n|\{"message"'
            (Get-GlanceImage -Id $Ours[0].Id -Token $Token).status | Should -Be 'active'
        }
        finally { Set-Protected $Ours[0].Id $false }
    }

    It 'deletes an Autosnap snapshot (Glance 204) and reports a second delete as not found' {
        $Ours[0] | Remove-AutoSnapshot -Force -ErrorAction Stop
        Get-GlanceImage -Id $Ours[0].Id -Token $Token | Should -BeNullOrEmpty
        $Ours[0] | Remove-AutoSnapshot -Force -ErrorAction SilentlyContinue -ErrorVariable errors
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotNotFound,*'
    }

    It 'deletes by -Id with -Confirm:$false' {
        Remove-AutoSnapshot -Id $Ours[1].Id -Confirm:$false -ErrorAction Stop
        Get-GlanceImage -Id $Ours[1].Id -Token $Token | Should -BeNullOrEmpty
    }

    It 'deletes a foreign image only with -Force' {
        Remove-AutoSnapshot -Id $Foreign -Force -ErrorAction Stop
        Get-GlanceImage -Id $Foreign -Token $Token | Should -BeNullOrEmpty
    }
}

Describe 'One snapshot at a time: OS-EXT-STS:task_state and the 409 window (control/hold)' {
    BeforeAll {
        $script:Session = Connect-Demo
        $script:Server = Get-RackspaceServer -Id $Ids[2]
        $script:Pool = "$Marker-busy"
        # two good images first, then one held in 'queued' by the hypervisor (control/hold)
        $script:Good = (New-TestPools -Pools @(@{ Server = $Server; Schedule = $Pool }) -Count 2 -Token $Token)["$($Server.Id)/$Pool"]
        Set-OsRigSnapshotControl hold $true
        # Nova goes image_snapshot_pending -> image_snapshot -> image_pending_upload within a second; the hold keeps it
        # there. Part of the set-up, so a snapshot the tier fails (sqlite, see Wait-ServerSettled) is made again.
        for ($attempt = 1; ; $attempt++) {
            Wait-ServerSettled -ServerId $Server.Id -Token $Token
            $script:Held = New-AutoSnapshot -Server $Server -Schedule $Pool -ErrorAction Stop
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            do {
                $state = (Invoke-OsRigApi -Method GET -Uri "$($Rig.computeUrl)/servers/$($Server.Id)" -Token $Token).Json.server.'OS-EXT-STS:task_state'
                if ($state -eq 'image_pending_upload') { break }
                Start-Sleep -Milliseconds 200
            } while ([DateTime]::UtcNow -lt $deadline)
            if ($state -eq 'image_pending_upload') { break }
            $null = Invoke-OsRigApi -Method DELETE -Uri "$($Rig.imageUrl)/v2/images/$($Held.Id)" -Token $Token
            if ($attempt -ge 3) { throw "the held snapshot never reached task_state image_pending_upload (last: '$state')" }
            Write-Host "    (set-up: the tier failed the held snapshot $($Held.Id) (task_state '$state'); making another)"
        }
        $script:ImagesBefore = @(Get-GlanceImages -Filter @{ instance_uuid = $Server.Id } -Token $Token).id
    }
    AfterAll {
        Set-OsRigSnapshotControl hold $false
        if ($Server) { Wait-OsRigServerIdle -ServerId $Server.Id -Token $Token | Out-Null }
    }

    It 'shows the running snapshot in the server''s task_state and the image queued' {
        $busy = Get-RackspaceServer -Id $Server.Id
        $busy.TaskState | Should -Be 'image_pending_upload'
        (Get-GlanceImage -Id $Held.Id -Token $Token).status | Should -Be 'queued'
    }

    It 'refuses a second New-AutoSnapshot with a clear "already running" error, not a raw 409, and makes no image' {
        New-AutoSnapshot -Server $Server -Schedule $Pool -ErrorAction SilentlyContinue -ErrorVariable errors | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotBusy,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        $errors[0].Exception.Message | Should -Match 'already running on server autosnap-it-3 .*task state image_pending_upload'
        @(Get-GlanceImages -Filter @{ instance_uuid = $Server.Id } -Token $Token).id | Should -Be $ImagesBefore
    }

    It 'turns real Nova''s 409 into the same error when the server looked idle a moment before (the race)' {
        # The proxy shows task_state null, as if another client started this snapshot right after our GET:
        # the module's createImage then meets the real Nova's 409 conflictingRequest.
        $proxy = Start-ComputeProxy -IdleTaskState
        try {
            $racing = Connect-RackspaceCloud -IdentityUrl $proxy.IdentityUrl -UserName demo -Password (ConvertTo-TestSecureString $Rig.demo.password) `
                -ProjectName demo -NotDefault -ErrorAction Stop
            New-AutoSnapshot -Session $racing -Server $Server.Id -Schedule $Pool -ErrorAction SilentlyContinue -ErrorVariable errors | Should -BeNullOrEmpty
            $record = @(Get-ProxyRecord $proxy)
            $post = @($record | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/action' })
            $post.Count | Should -Be 1
            $post[0].status | Should -Be 409
            $post[0].answeredBy | Should -Be 'nova'
            ($post[0].body | ConvertFrom-Json).conflictingRequest.message | Should -Match "^Cannot 'createImage' instance $($Server.Id) while it is in task_state image_pending_upload"
            @($record | Where-Object { $_.PSObject.Properties['task_state_seen'] }).task_state_seen | Should -Contain 'image_pending_upload'
        }
        finally { Stop-ComputeProxy $proxy }
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotBusy,*'
        $errors[0].Exception.Message | Should -Match 'already running on server autosnap-it-3'
        $errors[0].Exception.Message | Should -Not -Match 'conflictingRequest|answered 409'
        @(Get-GlanceImages -Filter @{ instance_uuid = $Server.Id } -Token $Token).id | Should -Be $ImagesBefore
    }

    It 'fails the snapshot job for that server and deletes nothing' {
        $result = Invoke-AutoSnapshotPolicy -Server $Server -Schedule $Pool -Retention 0 -Timeout $WaitLimit -Confirm:$false `
            -ErrorAction SilentlyContinue -ErrorVariable errors
        $result.Status | Should -Be 'Failed'
        $result.Message | Should -Match 'already running'
        $result.Created | Should -Be 0
        $result.Deleted | Should -Be 0
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotPolicyJobFailed,*'
        @(Get-GlanceImages -Filter @{ instance_uuid = $Server.Id } -Token $Token).id | Should -Be $ImagesBefore
    }

    It 'rotation keeps the queued snapshot and does not count it' {
        # were the queued image counted as the newest, -Retention 1 would delete the older good one
        $decisions = @(Invoke-SnapshotRotation -Server $Server -Schedule $Pool -Retention 1 -Confirm:$false)
        $decisions.Id | Should -Be @($Held.Id, $Good[0].Id, $Good[1].Id)
        $decisions.Action | Should -Be @('Keep', 'Keep', 'Keep')
        $decisions[0].Reason | Should -Be 'pending (queued)'
        @(Get-GlanceImages -Filter @{ instance_uuid = $Server.Id } -Token $Token).id | Should -Be $ImagesBefore
    }

    It 'Wait-AutoSnapshot reports a timeout while the snapshot is held, and the image once it is released' {
        $stillHeld = Wait-AutoSnapshot -InputObject $Held -Timeout ([timespan]::FromSeconds(3)) -ErrorAction SilentlyContinue -ErrorVariable errors
        $stillHeld.Status | Should -Be 'queued'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotTimeout,*'
        Set-OsRigSnapshotControl hold $false
        $done = Wait-AutoSnapshot -InputObject $Held -Timeout $WaitLimit -ErrorAction Stop
        $done.State | Should -Be 'Good'
        (Wait-OsRigServerIdle -ServerId $Server.Id -Token $Token).'OS-EXT-STS:task_state' | Should -BeNullOrEmpty
        (Get-RackspaceServer -Id $Server.Id).TaskState | Should -BeNullOrEmpty
    }
}

Describe 'A snapshot the hypervisor fails (control/fail): Nova deletes the image' {
    BeforeAll {
        $script:Session = Connect-Demo
        $script:Server = Get-RackspaceServer -Id $Ids[2]
        $script:Pool = "$Marker-fail"
        $script:Good = (New-TestPools -Pools @(@{ Server = $Server; Schedule = $Pool }) -Count 1 -Token $Token)["$($Server.Id)/$Pool"]
        Set-OsRigSnapshotControl fail $true
    }
    AfterAll {
        Set-OsRigSnapshotControl fail $false
        if ($Server) { Wait-OsRigServerIdle -ServerId $Server.Id -Token $Token | Out-Null }
    }

    It 'New-AutoSnapshot -Wait reports that the cloud deleted the failed snapshot' {
        $run = Invoke-SnapshotStep -What 'the failing snapshot' -Schedule $Pool -Keep $Good[0].Id -ServerId $Server.Id -Token $Token -Action {
            Wait-ServerSettled -ServerId $Server.Id -Token $Token
            $out = New-AutoSnapshot -Server $Server -Schedule $Pool -Wait -Timeout $WaitLimit -ErrorAction SilentlyContinue -ErrorVariable newErrors
            [pscustomobject]@{ Output = $out; Errors = @($newErrors) }
        } -Succeeded { param($r) @($r.Errors).Count -eq 1 -and $r.Errors[0].FullyQualifiedErrorId -like 'AutoSnapshotNotFound,*' }
        $run.Output | Should -BeNullOrEmpty
        $errors = $run.Errors
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotNotFound,*'
        $errors[0].Exception.Message | Should -Match 'no longer exists: the cloud deleted it'
        @(Get-GlanceImages -Filter @{ autosnap_schedule = $Pool } -Token $Token).id | Should -Be @($Good[0].Id)
    }

    It 'the snapshot job fails and deletes nothing (-Retention 0 would have deleted the older good image)' {
        $run = Invoke-SnapshotStep -What 'the failing snapshot job' -Schedule $Pool -Keep $Good[0].Id -ServerId $Server.Id -Token $Token -Action {
            Wait-ServerSettled -ServerId $Server.Id -Token $Token
            $out = Invoke-AutoSnapshotPolicy -Server $Server.Name -Schedule $Pool -Retention 0 -Timeout $WaitLimit -Confirm:$false `
                -ErrorAction SilentlyContinue -ErrorVariable jobErrors
            [pscustomobject]@{ Result = $out; Errors = @($jobErrors) }
        } -Succeeded { param($r) $r.Result.Message -match 'the cloud deleted it' }
        $result = $run.Result
        $errors = $run.Errors
        $result.Status | Should -Be 'Failed'
        $result.Message | Should -Match 'failed: the cloud deleted it; nothing was deleted'
        $result.Deleted | Should -Be 0
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotPolicyJobFailed,*'
        @(Get-GlanceImages -Filter @{ autosnap_schedule = $Pool } -Token $Token).id | Should -Be @($Good[0].Id)
        (Get-GlanceImage -Id $Good[0].Id -Token $Token).status | Should -Be 'active'
    }
}
