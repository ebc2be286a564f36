# Every exported cmdlet has real help: a synopsis, a description, at least one example, and every
# parameter described (after PSScriptAnalyzer's ModuleHelp.Tests.ps1). Help is hand-written MAML in
# module/en-US/Autosnap.dll-Help.xml; Get-Help silently falls back to the bare syntax when a cmdlet
# is missing from it or the file does not parse, which is what these tests catch.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ModuleManifest -Force
    $script:Commands = @(Get-Command -Module Autosnap -CommandType Cmdlet | ForEach-Object {
        @{
            Name       = $_.Name
            Parameters = @($_.Parameters.Keys | Where-Object {
                $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and
                $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
            } | ForEach-Object { @{ Command = $_.Name; Parameter = $_ } })
        }
    })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ModuleManifest -Force
}

Describe 'Help for <Name>' -ForEach $Commands {
    BeforeAll {
        $script:Help = Get-Help $Name -Full -ErrorAction Stop
    }

    It 'has a synopsis, not the syntax PowerShell fills in when help is missing' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        $Help.Synopsis.Trim() | Should -Not -Match "^$([regex]::Escape($Name))\b"
    }

    It 'has a description' {
        ($Help.Description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code and a remark' {
        @($Help.Examples.Example).Count | Should -BeGreaterThan 0
        foreach ($example in @($Help.Examples.Example)) {
            $example.Code.Trim() | Should -Not -BeNullOrEmpty
            ($example.Remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes parameter <Parameter>' -ForEach $Parameters {
        $parameterHelp = $Help.Parameters.Parameter | Where-Object Name -EQ $Parameter
        $parameterHelp | Should -Not -BeNullOrEmpty -Because "-$Parameter needs a <command:parameter> entry"
        ($parameterHelp.Description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'documents no parameter the cmdlet does not have' {
        $actual = (Get-Command $Name).Parameters.Keys
        foreach ($documented in @($Help.Parameters.Parameter.Name | Where-Object { $_ })) {
            $actual | Should -Contain $documented
        }
    }
}

Describe 'Conceptual help' {
    It 'has about_Autosnap' {
        $about = Get-Help about_Autosnap -ErrorAction Stop
        ($about | Out-String) | Should -Match 'Autosnap'
    }
}
