# The repository stands alone: no tracked file may point at something outside it (a sibling folder of notes, a
# document that is not in the repository, a path on the machine it was written on), and every relative link in
# the Markdown files reaches a file that is tracked here. The patterns are written so that this file passes its
# own scan, and the samples below spell the offending parts as {placeholders} for the same reason; the first
# Describe proves the patterns catch what they are meant to.

BeforeAll {
    $script:RepositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

    # Each pattern with what it means; matched case-insensitively, line by line.
    $script:OutsidePatterns = @(
        @{ Pattern = '\.\.[\\/]+shared\b'; Meaning = 'a sibling folder outside the repository' }
        @{ Pattern = '\bshared[\\/ ]docs?\b'; Meaning = 'the team''s notes folder, which is not in the repository' }
        @{ Pattern = '\bcloud-api\.md\b'; Meaning = 'a document that is not in the repository' }
        @{ Pattern = '\b(design|powershell-conventions|backup-anchors|lifecycle-anchors)\.md\b'; Meaning = 'a document that is not in the repository' }
        @{ Pattern = '(?<![\w.~-])/wor[k]/'; Meaning = 'an absolute path on the machine it was written on' }
        @{ Pattern = '(?<![\w.~-])/home/[a-z_][\w-]*/'; Meaning = 'an absolute path in someone''s home directory' }
        @{ Pattern = '\b[a-z]:\\Users\\'; Meaning = 'an absolute path in someone''s profile' }
    )

    # A sample line with its {placeholders} filled in.
    function Expand-Sample([string] $Line) {
        $Line.Replace('{dotdot}', '..').Replace('{dot}', '.').Replace('{sp}', ' ').Replace('{slash}', '/').Replace('{c}', 'c').Replace('{r}', 'r')
    }

    # Returns one object per offending line of the given text (File, Line, Text, Meaning).
    function Find-OutsideReference {
        param([string] $File, [string] $Text)
        $number = 0
        foreach ($line in $Text -split "`r?`n") {
            $number++
            foreach ($rule in $script:OutsidePatterns) {
                if ($line -match $rule.Pattern) {
                    [pscustomobject]@{ File = $File; Line = $number; Text = $line.Trim(); Meaning = $rule.Meaning }
                }
            }
        }
    }

    # Returns the relative Markdown link targets of a .md file that do not reach a tracked file or folder.
    function Find-BrokenMarkdownLink {
        param([string] $File, [string] $Text, [System.Collections.Generic.HashSet[string]] $Tracked)
        $directory = Split-Path $File -Parent
        foreach ($match in [regex]::Matches($Text, '\]\(([^)\s]+)\)')) {
            $target = $match.Groups[1].Value
            if ($target -match '^(#|[a-z][a-z0-9+.-]*:)') { continue }   # an anchor, or a URL (http:, mailto:)
            $path = ($target -split '#')[0]
            if (-not $path) { continue }
            $joined = if ($directory) { "$directory/$path" } else { $path }
            $parts = [System.Collections.Generic.List[string]]::new()
            $escapes = $false
            foreach ($part in $joined -split '/') {
                if ($part -eq '' -or $part -eq '.') { continue }
                if ($part -eq '..') {
                    if ($parts.Count -eq 0) { $escapes = $true; break }
                    $parts.RemoveAt($parts.Count - 1)
                    continue
                }
                $parts.Add($part)
            }
            $resolved = $parts -join '/'
            if ($escapes -or -not ($Tracked.Contains($resolved) -or @($Tracked | Where-Object { $_.StartsWith("$resolved/") }).Count -gt 0)) {
                [pscustomobject]@{ File = $File; Target = $target }
            }
        }
    }

    $script:TrackedFiles = @(git -C $script:RepositoryRoot ls-files)
    if ($LASTEXITCODE -ne 0 -or $script:TrackedFiles.Count -eq 0) { throw "git ls-files found no tracked files in $script:RepositoryRoot" }
}

Describe 'The scan for references outside the repository' {
    It 'flags <Line>' -ForEach @(
        @{ Line = 'see {dotdot}/shared/do{c}s/retention.md' }
        @{ Line = 'Read {dotdot}\shared\notes.txt first' }
        @{ Line = 'The contract is in retention.md (shared{sp}docs)' }
        @{ Line = '### Compared with cloud-api{dot}md' }
        @{ Line = 'then design{dot}md if you have it' }
        @{ Line = 'cd {slash}work/wt/ux && make' }
        @{ Line = 'source {slash}home/alice/autosnap/env' }
        @{ Line = 'Copy-Item C:\Use{r}s\alice\policy.json' }
    ) {
        @(Find-OutsideReference -File 'example.md' -Text (Expand-Sample $Line)).Count | Should -BeGreaterThan 0
    }

    It 'leaves <Line> alone' -ForEach @(
        @{ Line = 'The contract is docs/retention.md' }
        @{ Line = 'Polly 7.2.4, shared by every call of this session' }
        @{ Line = 'images of one name that the tiers shared' }
        @{ Line = 'https://keystone.example.net:5000/v3' }
        @{ Line = 'install -m 600 /dev/null /etc/autosnap/credentials' }
        @{ Line = 'the module in /opt/autosnap/Autosnap/scripts/autosnap.ps1' }
    ) {
        @(Find-OutsideReference -File 'example.md' -Text (Expand-Sample $Line)) | Should -BeNullOrEmpty
    }

    It 'flags a Markdown link that leaves the repository or reaches no tracked file' {
        $tracked = [System.Collections.Generic.HashSet[string]]::new([string[]]@('README.md', 'docs/policy.md', 'docs/retention.md', 'src/Autosnap/Autosnap.csproj'))
        $text = '[a](retention.md) [b](../README.md) [c](../src/Autosnap) [d](#retention) [e](https://example.net/x) ' +
                '[f]({dotdot}/{dotdot}/shared/do{c}s/retention.md) [g](missing.md) [h](retention.md#decisions)'
        $broken = @(Find-BrokenMarkdownLink -File 'docs/policy.md' -Text (Expand-Sample $text) -Tracked $tracked)
        $broken.Target | Should -Be @((Expand-Sample '{dotdot}/{dotdot}/shared/do{c}s/retention.md'), 'missing.md')
    }
}

Describe 'The repository stands alone' {
    It 'has no tracked file that refers outside the repository' {
        $found = foreach ($file in $script:TrackedFiles) {
            $full = Join-Path $script:RepositoryRoot $file
            if (-not (Test-Path -LiteralPath $full -PathType Leaf)) { continue }   # deleted in the work tree
            $bytes = [IO.File]::ReadAllBytes($full)
            if ([Array]::IndexOf($bytes, [byte]0) -ge 0) { continue }              # binary
            Find-OutsideReference -File $file -Text ([Text.Encoding]::UTF8.GetString($bytes))
        }
        @($found | ForEach-Object { "$($_.File):$($_.Line): $($_.Meaning): $($_.Text)" }) | Should -BeNullOrEmpty
    }

    It 'has Markdown links that all reach tracked files' {
        $tracked = [System.Collections.Generic.HashSet[string]]::new([string[]]$script:TrackedFiles)
        $broken = foreach ($file in $script:TrackedFiles -like '*.md') {
            $full = Join-Path $script:RepositoryRoot $file
            if (-not (Test-Path -LiteralPath $full -PathType Leaf)) { continue }
            Find-BrokenMarkdownLink -File $file -Text (Get-Content -Raw -LiteralPath $full) -Tracked $tracked
        }
        @($broken | ForEach-Object { "$($_.File): $($_.Target)" }) | Should -BeNullOrEmpty
    }

    It 'has the retention contract the code and the README point at' {
        Join-Path $script:RepositoryRoot 'docs/retention.md' | Should -Exist
        Get-Content -Raw (Join-Path $script:RepositoryRoot 'README.md') | Should -Match '\(docs/retention\.md\)'
    }
}
