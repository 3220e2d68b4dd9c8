# probe: registry-read
param([Parameter(Mandatory)][string]$Path, [Parameter(Mandatory)][string]$Name)
Remove-TypeData -TypeName System.Array -ErrorAction Ignore
if ($Path -notmatch '^(HKLM|HKCU):\\') { throw "Path must start with HKLM:\ or HKCU:\, got '$Path'" }
function Get-RegEntry($Key, [string]$ValueName) {
  $kind = [string]$Key.GetValueKind($ValueName)
  $v = $Key.GetValue($ValueName, $null, 'DoNotExpandEnvironmentNames')
  switch ($kind) {
    'String' { $t = 'REG_SZ'; $v = [string]$v }
    'ExpandString' { $t = 'REG_EXPAND_SZ'; $v = [string]$v }
    'MultiString' { $t = 'REG_MULTI_SZ'; $v = [string[]]@($v) }
    # .NET hands DWORD and QWORD back signed; the registry holds them unsigned.
    'DWord' { $t = 'REG_DWORD'; $v = [BitConverter]::ToUInt32([BitConverter]::GetBytes([int]$v), 0) }
    'QWord' { $t = 'REG_QWORD'; $v = [string][BitConverter]::ToUInt64([BitConverter]::GetBytes([long]$v), 0) }
    'None' { $t = 'REG_NONE'; $v = $null }
    default { $t = 'REG_BINARY'; $v = [Convert]::ToBase64String([byte[]]@($v)) }
  }
  [pscustomobject]@{ kind = $t; value = $v }
}
$r = [ordered]@{ probe = 'registry-read'; path = $Path; name = $Name; exists = $false; kind = $null; value = $null }
$key = Get-Item -LiteralPath $Path -ErrorAction Ignore
if ($key -and ($key.GetValueNames() -contains $Name)) {
  $e = Get-RegEntry $key $Name
  $r.exists = $true
  $r.kind = $e.kind
  $r.value = $e.value
}
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
