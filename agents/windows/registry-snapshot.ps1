# probe: registry-snapshot
param([Parameter(Mandatory)][string[]]$Paths)
Remove-TypeData -TypeName System.Array -ErrorAction Ignore
function Get-RegEntry($Key, [string]$ValueName) {
  $kind = [string]$Key.GetValueKind($ValueName)
  $v = $Key.GetValue($ValueName, $null, 'DoNotExpandEnvironmentNames')
  switch ($kind) {
    'String' { $t = 'REG_SZ'; $v = [string]$v }
    'ExpandString' { $t = 'REG_EXPAND_SZ'; $v = [string]$v }
    'MultiString' { $t = 'REG_MULTI_SZ'; $v = [string[]]@($v) }
    'DWord' { $t = 'REG_DWORD'; $v = [BitConverter]::ToUInt32([BitConverter]::GetBytes([int]$v), 0) }
    'QWord' { $t = 'REG_QWORD'; $v = [string][BitConverter]::ToUInt64([BitConverter]::GetBytes([long]$v), 0) }
    'None' { $t = 'REG_NONE'; $v = $null }
    default { $t = 'REG_BINARY'; $v = [Convert]::ToBase64String([byte[]]@($v)) }
  }
  [pscustomobject]@{ kind = $t; value = $v }
}
$roots = @()
$keys = New-Object System.Collections.Generic.List[string]
$entries = New-Object System.Collections.Generic.List[object]
foreach ($p in $Paths) {
  if ($p -notmatch '^(HKLM|HKCU):\\') { throw "Paths must start with HKLM:\ or HKCU:\, got '$p'" }
  $root = Get-Item -LiteralPath $p -ErrorAction Ignore
  $roots += [ordered]@{ path = $p; exists = [bool]$root }
  if (-not $root) { continue }
  $prefix = $p.TrimEnd('\')
  # Keys this account may not open (some OMADM Protected keys) are skipped, not fatal.
  foreach ($k in @($root) + @(Get-ChildItem -LiteralPath $p -Recurse -ErrorAction Ignore)) {
    $key = $prefix + $k.Name.Substring($root.Name.Length)
    $keys.Add($key)
    foreach ($n in $k.GetValueNames()) {
      $e = Get-RegEntry $k $n
      $entries.Add([ordered]@{ key = $key; name = $n; kind = $e.kind; value = $e.value })
    }
  }
}
$r = [ordered]@{ probe = 'registry-snapshot'; roots = @($roots); keys = @($keys); entries = @($entries) }
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
