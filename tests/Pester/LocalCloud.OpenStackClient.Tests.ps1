# A real client against LocalCloud: Debian's python3-openstackclient with Keystone v3. Where the `openstack`
# command is missing each test reports itself skipped with the reason (.ci/run installs it on CI).

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    $script:HasOpenStack = [bool](Get-Command openstack -CommandType Application -ErrorAction SilentlyContinue)
    $script:SkipReason = 'the openstack command is not installed (apt-get install python3-openstackclient)'

    # Runs `openstack` with the given OS_* environment and returns its output; throws on a non-zero exit.
    function Invoke-OpenStack {
        param([hashtable] $Environment, [Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
        $saved = @{}
        foreach ($key in $Environment.Keys) {
            $saved[$key] = [Environment]::GetEnvironmentVariable($key)
            [Environment]::SetEnvironmentVariable($key, $Environment[$key])
        }
        try {
            $output = & openstack @Arguments 2>&1 | ForEach-Object { "$_" }
            if ($LASTEXITCODE -ne 0) { throw "openstack $($Arguments -join ' ') failed ($LASTEXITCODE): $($output -join "`n")" }
            $output
        }
        finally {
            foreach ($key in $saved.Keys) { [Environment]::SetEnvironmentVariable($key, $saved[$key]) }
        }
    }

    if ($script:HasOpenStack) {
        # snapshots take a second, so `--wait` really waits
        $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 1 }
        $script:Password = @{
            OS_AUTH_URL = $Cloud.IdentityV3Url; OS_IDENTITY_API_VERSION = '3'; OS_AUTH_TYPE = 'password'
            OS_USERNAME = 'demo'; OS_PASSWORD = 'demo-password'; OS_USER_DOMAIN_NAME = 'Default'
            OS_PROJECT_NAME = 'demo'; OS_PROJECT_DOMAIN_NAME = 'Default'; OS_REGION_NAME = 'DFW'; OS_INTERFACE = 'public'
            OS_CLOUD = $null; PYTHONWARNINGS = 'ignore'
        }
        $script:Server = (Invoke-OpenStack $Password server list -f json | ConvertFrom-Json | Where-Object Name -eq 'web01').ID
    }
}

AfterAll {
    if ($script:Cloud) { Stop-LocalCloud $script:Cloud }
}

Describe 'python3-openstackclient against LocalCloud (Keystone v3)' {
    BeforeEach {
        if (-not $script:HasOpenStack) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    It 'lists servers' {
        $servers = Invoke-OpenStack $Password server list -f json | ConvertFrom-Json
        $servers.Name | Sort-Object | Should -Be @('app01', 'bfv01', 'db01', 'web01')
        ($servers | Where-Object Name -eq 'web01').Status | Should -Be 'ACTIVE'
    }

    It 'creates a snapshot and waits for it (server image create --wait)' {
        $image = Invoke-OpenStack $Password server image create --wait --name pester-snap $Server -f json | ConvertFrom-Json
        $image.status | Should -Be 'active'
        $image.name | Should -Be 'pester-snap'
        $script:ImageId = $image.id
    }

    It 'finds it by property (image list --property instance_uuid=...)' {
        $images = Invoke-OpenStack $Password image list --property "instance_uuid=$Server" -f json | ConvertFrom-Json
        @($images).Count | Should -Be 1
        $images[0].ID | Should -Be $script:ImageId
    }

    It 'lists it with --long' {
        $images = Invoke-OpenStack $Password image list --property "instance_uuid=$Server" --long -f json | ConvertFrom-Json
        $images[0].Status | Should -Be 'active'
        $images[0].Project | Should -Be '100001'
        $images[0].Size | Should -BeGreaterThan 0
    }

    It 'shows it with its snapshot properties (image show)' {
        $image = Invoke-OpenStack $Password image show $script:ImageId -f json | ConvertFrom-Json
        $image.properties.instance_uuid | Should -Be $Server
        $image.properties.image_type | Should -Be 'snapshot'
        $image.visibility | Should -Be 'private'
    }

    It 'deletes it (image delete)' {
        Invoke-OpenStack $Password image delete $script:ImageId
        $images = Invoke-OpenStack $Password image list --property "instance_uuid=$Server" -f json | ConvertFrom-Json
        @($images).Count | Should -Be 0
    }

    It 'shows the absolute limits (limits show --absolute)' {
        $limits = Invoke-OpenStack $Password limits show --absolute -f json | ConvertFrom-Json
        ($limits | Where-Object Name -eq 'maxImageMeta').Value | Should -Be 40
        ($limits | Where-Object Name -eq 'maxTotalInstances').Value | Should -Be 100
    }

    It 'lists volumes with their attachments (volume list)' {
        $volumes = Invoke-OpenStack $Password volume list -f json | ConvertFrom-Json
        $volumes.Name | Sort-Object | Should -Be @('app01-data', 'bfv01-root')
        ($volumes | Where-Object Name -eq 'app01-data').Status | Should -Be 'in-use'
        ($volumes | Where-Object Name -eq 'app01-data').Size | Should -Be 50
        # with -f json the client hands Cinder's attachments through as they are
        $attachment = @(($volumes | Where-Object Name -eq 'app01-data').'Attached to')[0]
        $attachment.device | Should -Be '/dev/xvdb'
        $attachment.server_id | Should -Be (Invoke-OpenStack $Password server list -f json | ConvertFrom-Json | Where-Object Name -eq 'app01').ID
    }

    It 'snapshots a volume-backed server into Cinder (server image create, volume snapshot list)' {
        $bfv = (Invoke-OpenStack $Password server list -f json | ConvertFrom-Json | Where-Object Name -eq 'bfv01').ID
        $image = Invoke-OpenStack $Password server image create --wait --name pester-bfv $bfv -f json | ConvertFrom-Json
        $image.status | Should -Be 'active'
        $image.size | Should -Be 0
        $snapshots = Invoke-OpenStack $Password volume snapshot list -f json | ConvertFrom-Json
        @($snapshots).Count | Should -Be 1
        $snapshots[0].Name | Should -Be 'snapshot for pester-bfv'
        $snapshots[0].Size | Should -Be 20
        $limits = Invoke-OpenStack $Password limits show --absolute -f json | ConvertFrom-Json
        ($limits | Where-Object Name -eq 'totalSnapshotsUsed').Value | Should -Be 1
    }

    It 'authenticates with the seeded application credential' {
        $credential = @{
            OS_AUTH_URL = $Cloud.IdentityV3Url; OS_IDENTITY_API_VERSION = '3'; OS_AUTH_TYPE = 'v3applicationcredential'
            OS_APPLICATION_CREDENTIAL_ID = 'a5d0f1c0e4b94b4e9c4f2e7d8b6a3c21'; OS_APPLICATION_CREDENTIAL_SECRET = 'demo-app-secret'
            OS_REGION_NAME = 'ORD'; OS_INTERFACE = 'public'; OS_USERNAME = $null; OS_PASSWORD = $null
            OS_PROJECT_NAME = $null; OS_USER_DOMAIN_NAME = $null; OS_PROJECT_DOMAIN_NAME = $null; PYTHONWARNINGS = 'ignore'
        }
        $servers = Invoke-OpenStack $credential server list -f json | ConvertFrom-Json
        $servers.Name | Sort-Object | Should -Be @('app01', 'bfv01', 'web02')
    }
}
