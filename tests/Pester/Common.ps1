# Shared by the Pester suites: dot-source it in BeforeAll.
# $env:AUTOSNAP_MODULE_PATH is set by Invoke-PesterSuite.ps1 to the built module (out/Autosnap).

$script:ModulePath = if ($env:AUTOSNAP_MODULE_PATH) { $env:AUTOSNAP_MODULE_PATH }
                     else { Join-Path $PSScriptRoot '../../out/Autosnap' | Resolve-Path | Select-Object -ExpandProperty Path }
$script:ModuleManifest = Join-Path $script:ModulePath 'Autosnap.psd1'
$script:OutDirectory = Split-Path $script:ModulePath -Parent

# The command line of a fresh pwsh like the one running the tests (under `dotnet pwsh` that is dotnet + pwsh.dll).
function Get-PwshCommand {
    $exe = (Get-Process -Id $PID).Path
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
        return @($exe, (Join-Path $PSHOME 'pwsh.dll'))
    }
    @($exe)
}

# Runs a script in a fresh `pwsh -NoProfile -NonInteractive` and returns its output lines, with
# $LASTEXITCODE set by the child. Extra arguments follow -File.
function Invoke-FreshPwsh {
    param(
        [Parameter(Mandatory)] [string] $Script,
        [string[]] $ArgumentList = @(),
        [switch] $MergeErrors
    )
    $file = Join-Path ([IO.Path]::GetTempPath()) ("autosnap-test-{0}.ps1" -f [guid]::NewGuid())
    Set-Content -Path $file -Value $Script -Encoding utf8
    try {
        $pwsh = @(Get-PwshCommand)
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file) + $ArgumentList
        if ($MergeErrors) { & $pwsh[0] @arguments 2>&1 | ForEach-Object { "$_" } }
        else { & $pwsh[0] @arguments }
    }
    finally {
        Remove-Item $file -ErrorAction SilentlyContinue
    }
}
