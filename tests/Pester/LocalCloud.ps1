# LocalCloud for Pester suites: dot-source it in BeforeAll (it dot-sources Common.ps1 for $OutDirectory).
#
#   $cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0 }     # out/LocalCloud on a free loopback port
#   Invoke-RestMethod "$($cloud.IdentityV2Url)/tokens" ...          # Rackspace v2.0; IdentityV3Url for Keystone
#   Move-LocalCloudClock -By ([timespan]::FromDays(1))
#   Stop-LocalCloud
#
# Every function takes -LocalCloud (the object Start-LocalCloud returned) and defaults to the last one started.

. (Join-Path $PSScriptRoot 'Common.ps1')

$script:LocalCloud = $null

function Start-LocalCloud {
    <#
    .SYNOPSIS
        Starts `dotnet out/LocalCloud/Autosnap.LocalCloud.dll --urls http://127.0.0.1:<Port>` and waits for the
        first stdout line, which says where it listens. -Config is a seed/config document (README.md of
        LocalCloud: seed fields and runtime settings side by side), passed with --config.
    #>
    [CmdletBinding()]
    param(
        [hashtable] $Config,
        [int] $Port = 0,
        [int] $TimeoutSeconds = 60
    )
    $dll = Join-Path $script:OutDirectory 'LocalCloud/Autosnap.LocalCloud.dll'
    if (-not (Test-Path $dll)) { throw "LocalCloud is not built: $dll is missing (run build.ps1)." }
    $arguments = [System.Collections.Generic.List[string]]@($dll, '--urls', "http://127.0.0.1:$Port")
    $configFile = $null
    if ($Config) {
        $configFile = Join-Path ([IO.Path]::GetTempPath()) ("localcloud-{0}.json" -f [guid]::NewGuid())
        $Config | ConvertTo-Json -Depth 20 | Set-Content -Path $configFile -Encoding utf8
        $arguments.Add('--config'); $arguments.Add($configFile)
    }
    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($start)

    # the first line that contains the URL; LocalCloud prints nothing else until it stops
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait([timespan]::FromSeconds($TimeoutSeconds)) -or -not $read.Result) {
        if (-not $process.HasExited) { $process.Kill() }
        throw "LocalCloud did not say where it listens within $TimeoutSeconds s (exit code: $(if ($process.HasExited) { $process.ExitCode }))."
    }
    $line = $read.Result
    if ($line -notmatch '(http://[^\s,]+)') { throw "Unexpected first line from LocalCloud: $line" }
    $url = $Matches[1].TrimEnd('/')

    $script:LocalCloud = [pscustomobject]@{
        PSTypeName    = 'Autosnap.Test.LocalCloud'
        Url           = $url
        Process       = $process
        FirstLine     = $line
        IdentityV2Url = "$url/v2.0"
        IdentityV3Url = "$url/v3"
        AdminUrl      = "$url/__admin"
        ConfigFile    = $configFile
    }
    $script:LocalCloud
}

function Stop-LocalCloud {
    <# .SYNOPSIS Stops it through POST /__admin/shutdown (works on every OS), killing it if it does not exit. #>
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $LocalCloud = $script:LocalCloud)
    process {
        if (-not $LocalCloud) { return }
        if (-not $LocalCloud.Process.HasExited) {
            try { $null = Invoke-RestMethod -Method Post -Uri "$($LocalCloud.AdminUrl)/shutdown" -TimeoutSec 10 } catch { }
            if (-not $LocalCloud.Process.WaitForExit(15000)) { $LocalCloud.Process.Kill($true) }
        }
        if ($LocalCloud.ConfigFile) { Remove-Item $LocalCloud.ConfigFile -ErrorAction SilentlyContinue }
        if ($script:LocalCloud -eq $LocalCloud) { $script:LocalCloud = $null }
    }
}

function Invoke-LocalCloudAdmin {
    <# .SYNOPSIS One /__admin call; -Body is converted to JSON. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Method,
        [Parameter(Mandatory)] [string] $Path,
        $Body,
        $LocalCloud = $script:LocalCloud
    )
    if (-not $LocalCloud) { throw 'No LocalCloud: call Start-LocalCloud first.' }
    $request = @{ Method = $Method; Uri = "$($LocalCloud.AdminUrl)/$Path"; TimeoutSec = 60 }
    if ($null -ne $Body) {
        $request.Body = $Body | ConvertTo-Json -Depth 20 -Compress
        $request.ContentType = 'application/json'
    }
    Invoke-RestMethod @request
}

function Get-LocalCloudConfig { param($LocalCloud = $script:LocalCloud) Invoke-LocalCloudAdmin GET config -LocalCloud $LocalCloud }

function Set-LocalCloudConfig {
    <# .SYNOPSIS Merges settings: latencyMs, snapshotSeconds, snapshotFailRate, faultRate, faultKinds, faultPhase, rateLimits, ... #>
    param([Parameter(Mandatory)] [hashtable] $Settings, $LocalCloud = $script:LocalCloud)
    Invoke-LocalCloudAdmin POST config -Body $Settings -LocalCloud $LocalCloud
}

function Get-LocalCloudStats { param($LocalCloud = $script:LocalCloud) Invoke-LocalCloudAdmin GET stats -LocalCloud $LocalCloud }

function Reset-LocalCloudStats { param($LocalCloud = $script:LocalCloud) Invoke-LocalCloudAdmin DELETE stats -LocalCloud $LocalCloud }

function Get-LocalCloudClock {
    param($LocalCloud = $script:LocalCloud)
    [datetimeoffset]::Parse((Invoke-LocalCloudAdmin GET clock -LocalCloud $LocalCloud).now, [cultureinfo]::InvariantCulture)
}

function Move-LocalCloudClock {
    <# .SYNOPSIS Advances the virtual clock (tokens expire, Date headers and image times move). #>
    param([Parameter(Mandatory)] [timespan] $By, $LocalCloud = $script:LocalCloud)
    $now = Invoke-LocalCloudAdmin POST clock -Body @{ advance = $By.ToString('c') } -LocalCloud $LocalCloud
    [datetimeoffset]::Parse($now.now, [cultureinfo]::InvariantCulture)
}

function Set-LocalCloudClock {
    param([Parameter(Mandatory)] [datetimeoffset] $To, $LocalCloud = $script:LocalCloud)
    $now = Invoke-LocalCloudAdmin POST clock -Body @{ set = $To.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ssZ') } -LocalCloud $LocalCloud
    [datetimeoffset]::Parse($now.now, [cultureinfo]::InvariantCulture)
}

function New-LocalCloudServer {
    <# .SYNOPSIS Seeds servers in bulk (round-robin over -Region); "{i}" in metadata values becomes the number.
       -BootVolumeGb makes them volume-backed, -DataVolumeGb attaches a data volume to each. #>
    param(
        [int] $Count = 1,
        [string] $NamePrefix = 'server-',
        [string[]] $Region = @('DFW'),
        [hashtable] $Metadata = @{},
        [string] $Tenant,
        [int] $BootVolumeGb = 0,
        [int] $DataVolumeGb = 0,
        $LocalCloud = $script:LocalCloud
    )
    $body = @{ count = $Count; namePrefix = $NamePrefix; regions = @($Region); metadata = $Metadata }
    if ($Tenant) { $body.tenant = $Tenant }
    if ($BootVolumeGb) { $body.bootVolumeGb = $BootVolumeGb }
    if ($DataVolumeGb) { $body.dataVolumeGb = $DataVolumeGb }
    (Invoke-LocalCloudAdmin POST servers -Body $body -LocalCloud $LocalCloud).servers
}

function New-LocalCloudImage {
    <# .SYNOPSIS Seeds images in bulk: statuses cycle, creation times step from -CreatedFrom; returns the ids. #>
    param(
        [int] $Count = 1,
        [string] $Region = 'DFW',
        [string] $NamePrefix = 'image-',
        [string] $Server,
        [hashtable] $Properties = @{},
        [string[]] $Status = @('active'),
        [datetimeoffset] $CreatedFrom,
        [timespan] $CreatedStep = [timespan]::FromHours(1),
        [string] $Tenant,
        $LocalCloud = $script:LocalCloud
    )
    $body = @{
        count = $Count; region = $Region; namePrefix = $NamePrefix; properties = $Properties
        statuses = @($Status); createdStep = $CreatedStep.ToString('c')
    }
    if ($Server) { $body.server = $Server }
    if ($Tenant) { $body.tenant = $Tenant }
    if ($PSBoundParameters.ContainsKey('CreatedFrom')) { $body.createdFrom = $CreatedFrom.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ssZ') }
    (Invoke-LocalCloudAdmin POST images -Body $body -LocalCloud $LocalCloud).ids
}

function Set-LocalCloudServerState {
    <# .SYNOPSIS Forces a server's status / task state, e.g. a snapshot stuck in image_snapshot. #>
    param(
        [Parameter(Mandatory)] [string] $Id,
        [string] $Status,
        [string] $VmState,
        [AllowNull()] [string] $TaskState,
        $LocalCloud = $script:LocalCloud
    )
    $body = @{}
    if ($Status) { $body.status = $Status }
    if ($VmState) { $body.vmState = $VmState }
    if ($PSBoundParameters.ContainsKey('TaskState')) { $body.taskState = if ($TaskState) { $TaskState } else { $null } }
    $null = Invoke-LocalCloudAdmin PATCH "servers/$Id" -Body $body -LocalCloud $LocalCloud
}

function Get-LocalCloudServer {
    <# .SYNOPSIS Every server LocalCloud has (any tenant), or one by -Id: status, addresses, volumes, tags, fault. #>
    param(
        [string] $Id,
        [string] $Region,
        [string] $Status,
        $LocalCloud = $script:LocalCloud
    )
    if ($Id) { return Invoke-LocalCloudAdmin GET "servers/$Id" -LocalCloud $LocalCloud }
    $query = @()
    if ($Region) { $query += "region=$Region" }
    if ($Status) { $query += "status=$Status" }
    (Invoke-LocalCloudAdmin GET ("servers" + $(if ($query) { '?' + ($query -join '&') } else { '' })) -LocalCloud $LocalCloud).servers
}

function Set-LocalCloudImageBoots {
    <# .SYNOPSIS Marks an image that does not boot (-Boots $false): a server booted or rebuilt from it ends ERROR. #>
    param(
        [Parameter(Mandatory)] [string] $Id,
        [Parameter(Mandatory)] [bool] $Boots,
        $LocalCloud = $script:LocalCloud
    )
    $null = Invoke-LocalCloudAdmin PATCH "images/$Id" -Body @{ boots = $Boots } -LocalCloud $LocalCloud
}

function Complete-LocalCloudSnapshot {
    <# .SYNOPSIS Moves running snapshots -Seconds further along (default: far enough to finish them all). #>
    param([double] $Seconds = 86400, $LocalCloud = $script:LocalCloud)
    $null = Invoke-LocalCloudAdmin POST snapshots -Body @{ advanceSeconds = $Seconds } -LocalCloud $LocalCloud
}

function Get-LocalCloudState { param($LocalCloud = $script:LocalCloud) Invoke-LocalCloudAdmin GET state -LocalCloud $LocalCloud }

function Reset-LocalCloud { param($LocalCloud = $script:LocalCloud) $null = Invoke-LocalCloudAdmin POST reset -LocalCloud $LocalCloud }

function Get-LocalCloudToken {
    <# .SYNOPSIS The demo account's Rackspace v2.0 token (API key), for quick calls from tests. #>
    param([string] $UserName = 'demo', [string] $ApiKey = 'demo-api-key', $LocalCloud = $script:LocalCloud)
    $body = @{ auth = @{ 'RAX-KSKEY:apiKeyCredentials' = @{ username = $UserName; apiKey = $ApiKey } } } | ConvertTo-Json -Depth 5
    (Invoke-RestMethod -Method Post -Uri "$($LocalCloud.IdentityV2Url)/tokens" -Body $body -ContentType 'application/json').access.token.id
}
