# No API key, password, application-credential secret or token ever appears in any output stream, transcript,
# error record, exception message or log file, even with -Verbose and on and faults forcing retries.
# A fresh pwsh runs the whole flow with everything visible; this suite then reads every byte it wrote.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LocalCloud.ps1')
    $script:Cloud = Start-LocalCloud -Config @{ snapshotSeconds = 0 }
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("autosnap-secrets-{0}" -f [guid]::NewGuid())
    $null = New-Item -ItemType Directory $Work
    $script:Secrets = @('demo-api-key', 'demo-password', 'demo-app-secret', 'wrong-key-8d1f4c', 'wrong-password-77aa')

    $flow = @'
param($Manifest, $Cloud, $Work)
$ErrorActionPreference = 'Continue'
# -Verbose -Debug for every command: the preference variables (the -Debug switch alone would make verbose records Inquire).
$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'; $WarningPreference = 'Continue'
# Secrets come from a file, not from literals in this script: error records quote the failing line, and the line must
# show what the module did with the secret, not what the test typed.
$secret = Get-Content -Raw (Join-Path $Work 'secrets.json') | ConvertFrom-Json
function Secure($text) { ConvertTo-SecureString $text -AsPlainText -Force }
Start-Transcript -Path (Join-Path $Work 'transcript.txt') | Out-Null
$tokens = [System.Collections.Generic.List[string]]::new()
function Save-Token($session) {
    # The token is internal to the module; reflection reads it so the test knows what must never be printed.
    $cloud = $session.GetType().GetProperty('Cloud', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($session)
    $identity = $cloud.Identity
    $tokens.Add($identity.GetType().GetProperty('Token', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($identity))
}
function Admin($path, $body) { Invoke-RestMethod -Method Post "$Cloud/__admin/$path" -Body ($body | ConvertTo-Json) -ContentType application/json | Out-Null }
& {
    Import-Module $Manifest
    $key = Secure $secret.apiKey
    $s1 = Connect-RackspaceCloud -IdentityUrl "$Cloud/v2.0" -UserName demo -ApiKey $key -Region DFW
    Save-Token $s1
    $s1 | Format-List * -Force
    $s2 = Connect-RackspaceCloud -IdentityUrl "$Cloud/v2.0" -UserName demo -Password (Secure $secret.password) -NotDefault
    Save-Token $s2
    $s3 = Connect-RackspaceCloud -IdentityUrl "$Cloud/v3" -Credential ([pscredential]::new('demo', (Secure $secret.password))) -ProjectName demo -Region DFW -NotDefault
    Save-Token $s3
    $s4 = Connect-RackspaceCloud -IdentityUrl "$Cloud/v3" -ApplicationCredentialId a5d0f1c0e4b94b4e9c4f2e7d8b6a3c21 -ApplicationCredentialSecret (Secure $secret.appSecret) -Region DFW -NotDefault
    Save-Token $s4
    $s4 | Format-List * -Force
    try { Connect-RackspaceCloud -IdentityUrl "$Cloud/v2.0" -UserName demo -ApiKey (Secure $secret.wrongKey) } catch { $_ | Format-List * -Force; $_.Exception | Format-List * -Force }
    try { Connect-RackspaceCloud -IdentityUrl "$Cloud/v3" -Credential ([pscredential]::new('demo', (Secure $secret.wrongPassword))) -ProjectName demo } catch { $_ | Format-List * -Force }

    Get-RackspaceServer -AllRegions | Format-Table
    Get-RackspaceServer -Name web01 | New-AutoSnapshot -Schedule daily -Wait | Invoke-SnapshotRotation -Retention 1
    Get-AutoSnapshot -Server web01 -Schedule daily | Invoke-SnapshotRotation -Retention 0 -WhatIf

    # the cloud's clock jumps two days: the token is refused and renewed
    Admin clock @{ advance = '2.00:00:00' }
    Invoke-AutoSnapshotPolicy -Server web01, db01 -Schedule weekly -Retention 1 -LogPath (Join-Path $Work 'autosnap.jsonl') | Format-List *
    Save-Token $s1

    # faults of every kind: retries, lost answers, errors
    Admin config @{ faultRate = 0.5; faultKinds = @('500', '503', '429', '413', 'reset', 'garbage'); seed = 3 }
    1..3 | ForEach-Object { Invoke-AutoSnapshotPolicy -Server web01 -Schedule daily -Retention 1 -ErrorAction Continue | Format-List * }
    Get-AutoSnapshot -Server web01 -ErrorAction Continue | Format-Table
    Admin config @{ faultRate = 0 }
    Save-Token $s1
    $Error | ForEach-Object { $_ | Format-List * -Force; $_.Exception | Format-List * -Force; $_.InvocationInfo | Format-List * }
} *>&1 | Out-File -FilePath (Join-Path $Work 'streams.txt') -Width 400
Stop-Transcript | Out-Null
$tokens | Set-Content (Join-Path $Work 'tokens.txt')
'@
    @{ apiKey = 'demo-api-key'; password = 'demo-password'; appSecret = 'demo-app-secret'; wrongKey = 'wrong-key-8d1f4c'; wrongPassword = 'wrong-password-77aa' } |
        ConvertTo-Json | Set-Content (Join-Path $Work 'secrets.json')
    $null = Invoke-FreshPwsh -Script $flow -ArgumentList $ModuleManifest, $Cloud.Url, $Work -MergeErrors

    # autosnap.ps1 as cron runs it, every stream on, credentials in the environment
    $saved = @{ u = $env:RACKSPACE_USERNAME; k = $env:RACKSPACE_API_KEY; i = $env:RACKSPACE_IDENTITY_URL }
    try {
        $env:RACKSPACE_USERNAME = 'demo'; $env:RACKSPACE_API_KEY = 'demo-api-key'; $env:RACKSPACE_IDENTITY_URL = "$($Cloud.Url)/v2.0"
        $pwsh = @(Get-PwshCommand)
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $ModulePath 'scripts/autosnap.ps1'),
            '-Server', 'web01', '-Retention', '2', '-Verbose', '-Debug', '-LogPath', (Join-Path $Work 'cron.jsonl'))
        & $pwsh[0] @arguments *> (Join-Path $Work 'cron.txt')
        $script:CronExit = $LASTEXITCODE
    }
    finally {
        $env:RACKSPACE_USERNAME = $saved.u; $env:RACKSPACE_API_KEY = $saved.k; $env:RACKSPACE_IDENTITY_URL = $saved.i
    }
    $script:Tokens = @(Get-Content (Join-Path $Work 'tokens.txt') | Where-Object { $_ } | Sort-Object -Unique)
}

AfterAll {
    Stop-LocalCloud
    if ($env:AUTOSNAP_KEEP_TEST_FILES) { Write-Host "kept $Work" } else { Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue }
}

Describe 'Secrets' {
    It 'ran the flow: every file exists and says something' {
        foreach ($file in 'transcript.txt', 'streams.txt', 'autosnap.jsonl', 'cron.txt', 'cron.jsonl') {
            (Get-Item (Join-Path $Work $file)).Length | Should -BeGreaterThan 100 -Because $file
        }
        $CronExit | Should -Be 0
        $streams = Get-Content -Raw (Join-Path $Work 'streams.txt')
        $streams | Should -Match 'Retry \d/4 of'
        $streams | Should -Match 'GET http://127\.0\.0\.1:\d+/image/dfw/v2/images -> 200'
        $streams | Should -Match 'refused the token'
        $streams | Should -Match 'AuthenticationFailed'
    }

    It 'saw the tokens it must look for' {
        $Tokens.Count | Should -BeGreaterOrEqual 5
    }

    It 'never writes <_> anywhere' -ForEach @('transcript.txt', 'streams.txt', 'autosnap.jsonl', 'cron.txt', 'cron.jsonl') {
        $text = Get-Content -Raw (Join-Path $Work $_)
        foreach ($secret in $Secrets + $Tokens) {
            $text.Contains($secret) | Should -BeFalse -Because "$_ must not contain '$($secret.Substring(0, [Math]::Min(6, $secret.Length)))...'"
        }
    }
}
