# probe: set-registry-value
param([Parameter(Mandatory)][string]$Path, [Parameter(Mandatory)][string]$Name, [Parameter(Mandatory)][ValidateSet('REG_SZ', 'REG_DWORD')][string]$Kind, [Parameter(Mandatory)][string]$Value)
# Changes one value behind the MDM's back, as a local administrator would: the way a suite provokes configuration
# drift (ConfigLock) and then watches whether the device puts the value back.
Remove-TypeData -TypeName System.Array -ErrorAction Ignore
if ($Path -notmatch '^(HKLM|HKCU):\\') { throw "Path must start with HKLM:\ or HKCU:\, got '$Path'" }
$r = [ordered]@{ probe = 'set-registry-value'; path = $Path; name = $Name; kind = $Kind; value = $Value; previous = $null }
$key = Get-Item -LiteralPath $Path -ErrorAction Ignore
if (-not $key) { throw "Registry key '$Path' does not exist" }
if ($key.GetValueNames() -contains $Name) { $r.previous = [string]$key.GetValue($Name, $null, 'DoNotExpandEnvironmentNames') }
if ($Kind -eq 'REG_DWORD') {
  Set-ItemProperty -LiteralPath $Path -Name $Name -Value ([uint32]$Value) -Type DWord
} else {
  Set-ItemProperty -LiteralPath $Path -Name $Name -Value $Value -Type String
}
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
