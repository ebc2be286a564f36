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

# The hand-written syntax must say what the binder does. For each cmdlet, every parameter set of Get-Command must
# be one <command:syntaxItem> (the same parameters, each as required, positioned, pipeline-bound and aliased as the
# binder has it) and no syntax item may describe a set that does not exist; each <command:parameters> entry must
# carry the parameter's aliases and its pipeline input over all sets.
Describe 'The MAML syntax of <Name> matches Get-Command' -ForEach $Commands {
    BeforeAll {
        $script:Maml = [xml](Get-Content -Raw (Join-Path $ModulePath 'en-US/Autosnap.dll-Help.xml'))
        $script:Ns = [System.Xml.XmlNamespaceManager]::new($Maml.NameTable)
        $Ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $Ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $script:Node = $Maml.SelectSingleNode("//command:command[command:details/command:name='$Name']", $Ns)
        $script:Common = [System.Management.Automation.PSCmdlet]::CommonParameters

        function script:Format-Pipeline([bool] $ByValue, [bool] $ByPropertyName) {
            $how = @(if ($ByValue) { 'ByValue' }; if ($ByPropertyName) { 'ByPropertyName' })
            if ($how.Count) { "True ($($how -join ', '))" } else { 'False' }
        }
        function script:Format-Aliases([string[]] $Aliases) { if ($Aliases.Count) { ($Aliases | Sort-Object) -join ', ' } else { 'none' } }

        # One line per parameter set: "-Name required=… position=… pipeline=… aliases=…" for each parameter, sorted.
        $command = Get-Command $Name
        $script:Binder = @(foreach ($set in $command.ParameterSets) {
            (@(foreach ($p in $set.Parameters | Where-Object Name -NotIn $Common) {
                $position = if ($p.Position -lt 0) { 'named' } else { $p.Position }
                "-$($p.Name) required=$($p.IsMandatory.ToString().ToLowerInvariant()) position=$position " +
                "pipeline=$(Format-Pipeline $p.ValueFromPipeline $p.ValueFromPipelineByPropertyName) aliases=$(Format-Aliases $p.Aliases)"
            }) | Sort-Object) -join '; '
        }) | Sort-Object
        $script:Written = @(foreach ($item in $Node.SelectNodes('command:syntax/command:syntaxItem', $Ns)) {
            (@(foreach ($p in $item.SelectNodes('command:parameter', $Ns)) {
                "-$($p.SelectSingleNode('maml:name', $Ns).InnerText.Trim()) required=$($p.required.ToLowerInvariant()) position=$($p.position) " +
                "pipeline=$($p.pipelineInput) aliases=$($p.aliases)"
            }) | Sort-Object) -join '; '
        }) | Sort-Object
    }

    It 'is in the help file' {
        $Node | Should -Not -BeNullOrEmpty
    }

    It 'has one syntax item per parameter set, each as the binder has it' {
        $missing = @($Binder | Where-Object { $_ -notin $Written } | ForEach-Object { "not in the help: $_" })
        $stale = @($Written | Where-Object { $_ -notin $Binder } | ForEach-Object { "not a parameter set: $_" })
        @($missing + $stale) | Should -BeNullOrEmpty
        $Written.Count | Should -Be $Binder.Count
    }

    It 'gives each parameter its aliases and pipeline input' {
        $command = Get-Command $Name
        $wrong = foreach ($p in $Node.SelectNodes('command:parameters/command:parameter', $Ns)) {
            $parameterName = $p.SelectSingleNode('maml:name', $Ns).InnerText.Trim()
            $actual = $command.Parameters[$parameterName]
            if (-not $actual) { continue }   # 'documents no parameter the cmdlet does not have' reports it
            $sets = @($actual.ParameterSets.Values)
            $pipeline = Format-Pipeline ([bool]($sets | Where-Object ValueFromPipeline)) ([bool]($sets | Where-Object ValueFromPipelineByPropertyName))
            $aliases = Format-Aliases $actual.Aliases
            if ($p.pipelineInput -ne $pipeline) { "-$parameterName pipelineInput: help '$($p.pipelineInput)', binder '$pipeline'" }
            if ($p.aliases -ne $aliases) { "-$parameterName aliases: help '$($p.aliases)', binder '$aliases'" }
        }
        @($wrong) | Should -BeNullOrEmpty
    }
}
