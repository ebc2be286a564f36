# Bad input, table-driven: each case with the exact error id and message a user gets. In every case nothing is
# deleted, and autosnap.ps1 exits 3.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    Import-Module $ModuleManifest -Force
    $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0 }
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("autosnap-badinput-{0}" -f [guid]::NewGuid())
    $null = New-Item -ItemType Directory $Work
    $script:ApiKey = ConvertTo-SecureString 'demo-api-key' -AsPlainText -Force
    $null = Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey $ApiKey -Region DFW

    # Every image of the account exists before the cases run and must exist after them.
    $owner = @{ autosnap_schedule = 'daily'; autosnap_server = '82a9220f-bb39-4459-83af-1aeffe306e5d' }
    $null = New-LocalCloudImage -Count 5 -Server '82a9220f-bb39-4459-83af-1aeffe306e5d' -Properties $owner -CreatedFrom '2026-01-01T00:05:00Z' -CreatedStep 1.00:00:00
    Reset-LocalCloudStats | Out-Null

    function Invoke-Autosnap([string[]] $Arguments, [hashtable] $Environment) {
        $pwsh = @(Get-PwshCommand)
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $ModulePath 'scripts/autosnap.ps1')) + $Arguments) { $start.ArgumentList.Add($a) }
        foreach ($name in @($start.Environment.Keys | Where-Object { $_ -like 'RACKSPACE_*' -or $_ -like 'OS_*' })) { $null = $start.Environment.Remove($name) }
        foreach ($pair in $Environment.GetEnumerator()) { $start.Environment[$pair.Key] = [string]$pair.Value }
        $start.RedirectStandardOutput = $true; $start.RedirectStandardError = $true; $start.RedirectStandardInput = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $process.StandardInput.Close()
        $stderr = $process.StandardError.ReadToEndAsync()
        $null = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Err = $stderr.Result }
    }
    $script:DemoEnv = @{ RACKSPACE_USERNAME = 'demo'; RACKSPACE_API_KEY = 'demo-api-key'; RACKSPACE_IDENTITY_URL = $Cloud.IdentityV2Url; RACKSPACE_REGION = 'DFW' }
}

AfterAll {
    Get-RackspaceSession | Disconnect-RackspaceCloud
    Stop-LocalCloud
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Cmdlets refuse bad input with a stable error id and a plain message' {
    It '<Case>' -ForEach @(
        @{ Case = 'negative retention'; Command = { Invoke-SnapshotRotation -Server web01 -Retention -1 }
           Id = 'ParameterArgumentValidationError'; Message = 'The -1 argument is less than the minimum allowed range of 0' }
        @{ Case = 'absurd retention'; Command = { Invoke-SnapshotRotation -Server web01 -Retention 1000000 }
           Id = 'ParameterArgumentValidationError'; Message = 'The 1000000 argument is greater than the maximum allowed range of 9999' }
        @{ Case = 'a policy that keeps nothing'; Command = { Invoke-SnapshotRotation -Server web01 -KeepDaily 0 -KeepWeekly 0 }
           Id = 'RetentionPolicyKeepsNothing'; Message = 'The policy keeps nothing' }
        @{ Case = 'retention and bucket rules together'; Command = { Invoke-SnapshotRotation -Server web01 -Retention 3 -KeepDaily 7 }
           Id = 'RetentionPolicyConflict'; Message = '-Retention' }
        @{ Case = 'no retention at all'; Command = { Invoke-SnapshotRotation -Server web01 }
           Id = 'RetentionPolicyMissing'; Message = '' }
        @{ Case = 'an unknown time zone'; Command = { Invoke-SnapshotRotation -Server web01 -KeepDaily 7 -TimeZone 'Mars/Olympus_Mons' }
           Id = 'TimeZoneNotFound'; Message = 'Mars/Olympus_Mons' }
        @{ Case = 'an unknown region'; Command = { Get-AutoSnapshot -Region MARS }
           Id = 'AutoSnapshotInvalidConfiguration'; Message = "Region 'MARS' is not in this account's catalog. Regions available: DFW, ORD, IAD, LON, SYD, HKG." }
        @{ Case = 'an invalid schedule name'; Command = { New-AutoSnapshot -Server web01 -Schedule 'daily; rm -rf /' }
           Id = 'AutoSnapshotInvalidArgument'; Message = "The schedule name 'daily; rm -rf /' is not valid" }
        @{ Case = 'reserved metadata'; Command = { New-AutoSnapshot -Server web01 -Metadata @{ autosnap_schedule = 'weekly' } }
           Id = 'AutoSnapshotInvalidArgument'; Message = "Metadata key 'autosnap_schedule' is reserved" }
        @{ Case = 'a zero timeout'; Command = { New-AutoSnapshot -Server web01 -Wait -Timeout 0s }
           Id = 'AutoSnapshotInvalidArgument'; Message = '-Timeout must be longer than zero.' }
        @{ Case = 'a duration without a unit'; Command = { Invoke-SnapshotRotation -Server web01 -KeepWithin 7 -WhatIf }
           Id = 'ParameterArgumentTransformationError'; Message = '7 is a number without a unit: give a duration such as 26h, 2d or 90m' }
        @{ Case = 'wrong credentials'; Command = { Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey (ConvertTo-SecureString 'nope' -AsPlainText -Force) -NotDefault }
           Id = 'RackspaceCloudAuthenticationFailed'; Message = "refused the API key of user 'demo' (401 Unauthorized)" }
        @{ Case = 'an unreachable identity URL'; Command = { Connect-RackspaceCloud -IdentityUrl 'http://127.0.0.1:9/v2.0' -UserName demo -ApiKey $ApiKey -MaxRetries 1 -NotDefault }
           Id = 'RackspaceCloudConnectionFailed'; Message = 'could not connect to 127.0.0.1:9' }
        @{ Case = 'plain http to another host'; Command = { Connect-RackspaceCloud -IdentityUrl 'http://identity.example.com/v2.0' -UserName demo -ApiKey $ApiKey -NotDefault }
           Id = 'RackspaceCloudInvalidConfiguration'; Message = 'is plain http to another machine' }
        @{ Case = 'an identity URL without a version'; Command = { Connect-RackspaceCloud -IdentityUrl "$($Cloud.Url)/" -UserName demo -ApiKey $ApiKey -NotDefault }
           Id = 'RackspaceCloudInvalidConfiguration'; Message = 'must end in /v2.0 (Rackspace identity) or /v3 (OpenStack Keystone)' }
        @{ Case = 'an unknown region at connect'; Command = { Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey $ApiKey -Region XYZ -NotDefault }
           Id = 'RackspaceCloudInvalidConfiguration'; Message = "Region 'XYZ' is not in this account's catalog" }
        @{ Case = 'retention parameters with a policy file'; Command = { Invoke-AutoSnapshotPolicy -Path (Join-Path $Work 'none.json') -Retention 3 }
           Id = 'AmbiguousParameterSet'; Message = 'Parameter set cannot be resolved' }
        @{ Case = 'a time zone with the servers'' metadata'; Command = { Invoke-AutoSnapshotPolicy -FromServerMetadata -TimeZone UTC -KeepDaily 7 }
           Id = 'AmbiguousParameterSet'; Message = 'Parameter set cannot be resolved' }
        @{ Case = 'a request timeout out of range'; Command = { Connect-RackspaceCloud -IdentityUrl $Cloud.IdentityV2Url -UserName demo -ApiKey $ApiKey -RequestTimeout 0s -NotDefault }
           Id = 'RackspaceCloudInvalidArgument'; Message = '-RequestTimeout must be between 1 second and 1 hour.' }
    ) {
        $err = { & $Command } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.Exception.Message | Should -BeLike "*$Message*"
    }

    It 'offers -Retention, -Keep* and -TimeZone only in the -Server syntax of Invoke-AutoSnapshotPolicy' {
        $command = Get-Command Invoke-AutoSnapshotPolicy
        $rules = 'Retention', 'KeepLast', 'KeepHourly', 'KeepDaily', 'KeepWeekly', 'KeepMonthly', 'KeepYearly', 'KeepWithin', 'KeepFailed', 'TimeZone'
        foreach ($set in $command.ParameterSets) {
            $given = @($set.Parameters.Name | Where-Object { $_ -in $rules })
            if ($set.Name -eq 'Parameters') { $given | Sort-Object | Should -Be ($rules | Sort-Object) } else { $given | Should -BeNullOrEmpty -Because "the $($set.Name) set takes its rules elsewhere" }
        }
    }

    It 'reports an unknown or malformed server as not found, per server' -ForEach @('no-such-server', 'not/a:valid id', '00000000-0000-4000-8000-000000000000') {
        New-AutoSnapshot -Server $_ -Schedule daily -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AutoSnapshotNotFound,*'
        $failed[0].Exception.Message | Should -Be "No server with id or name '$_' in region DFW."
    }

    It 'says how to connect when there is no session' {
        $fresh = Invoke-FreshPwsh -MergeErrors -Script "Import-Module '$ModuleManifest'; try { Get-AutoSnapshot } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
        $fresh | Should -Contain 'RackspaceSessionNotFound,Autosnap.Cmdlets.GetAutoSnapshotCommand'
        $fresh | Should -Contain 'Not connected: run Connect-RackspaceCloud first, or pass -Session.'
    }

    It 'deleted nothing in all of the above' {
        (Get-LocalCloudStats).byRoute.'DELETE /v2/images/{id}' | Should -BeNullOrEmpty
        @(Get-AutoSnapshot -Server web01 -Schedule daily).Count | Should -Be 5
    }
}

Describe 'autosnap.ps1 exits 3 for bad input and deletes nothing' {
    It '<Case>' -ForEach @(
        @{ Case = 'negative retention'; Arguments = @('-Server', 'web01', '-Retention', '-2'); Message = "-Retention must be a whole number of 0 or more, not '-2'" }
        @{ Case = 'absurd retention'; Arguments = @('-Server', 'web01', '-Retention', '1000000'); Message = 'greater than the maximum allowed range of 9999' }
        @{ Case = 'a zero-keep policy'; Arguments = @('-Server', 'web01', '-KeepDaily', '0'); Message = 'The policy keeps nothing' }
        @{ Case = 'an unknown region'; Arguments = @('-Server', 'web01', '-Retention', '7', '-Region', 'MARS'); Message = "Region 'MARS' is not in this account's catalog" }
        @{ Case = 'an unknown server'; Arguments = @('-Server', 'no-such-server', '-Retention', '7'); Message = "No server with id or name 'no-such-server'" }
        @{ Case = 'a malformed server id'; Arguments = @('-Server', '82a9220f-bb39-XXXX', '-Retention', '7'); Message = "No server with id or name '82a9220f-bb39-XXXX'" }
        @{ Case = 'wrong credentials'; Arguments = @('-Server', 'web01', '-Retention', '7'); Environment = @{ RACKSPACE_API_KEY = 'wrong' }; Message = 'refused the API key' }
        @{ Case = 'an unreachable identity URL'; Arguments = @('-Server', 'web01', '-Retention', '7'); Environment = @{ RACKSPACE_IDENTITY_URL = 'http://127.0.0.1:9/v2.0' }; Message = 'could not connect to 127.0.0.1:9' }
        @{ Case = 'plain http to another host'; Arguments = @('-Server', 'web01', '-Retention', '7', '-IdentityUrl', 'http://identity.example.com/v2.0'); Message = 'is plain http to another machine' }
        @{ Case = 'a malformed duration'; Arguments = @('-Server', 'web01', '-KeepWithin', 'a week'); Message = "-KeepWithin must be a positive duration such as 20h, 7d or 7.00:00:00, not 'a week'" }
    ) {
        $merged = $DemoEnv.Clone()
        if ($Environment) { foreach ($pair in $Environment.GetEnumerator()) { $merged[$pair.Key] = $pair.Value } }
        $run = Invoke-Autosnap -Arguments $Arguments -Environment $merged
        $run.ExitCode | Should -Be 3 -Because $run.Err
        $run.Err | Should -Match ([regex]::Escape($Message))
    }

    It 'exits 3 for a credential file that others can read' -Skip:$IsWindows {
        $file = Join-Path $Work 'open-credentials'
        Set-Content $file "RACKSPACE_USERNAME=demo`nRACKSPACE_API_KEY=demo-api-key`nRACKSPACE_IDENTITY_URL=$($Cloud.IdentityV2Url)"
        chmod 604 $file
        $run = Invoke-Autosnap -Arguments '-Server', 'web01', '-Retention', '7', '-CredentialFile', $file -Environment @{}
        $run.ExitCode | Should -Be 3
        $run.Err | Should -Match "The credential file '.*open-credentials' is readable by others \(mode 604\); it was not read\. Make it private: chmod 600"
    }

    It 'deleted nothing in all of the above' {
        (Get-LocalCloudStats).byRoute.'DELETE /v2/images/{id}' | Should -BeNullOrEmpty
    }
}
