# probe: tpm
param()
$r = [ordered]@{
  probe = 'tpm'; available = $false; reason = $null; TpmPresent = $false; TpmReady = $false
  TpmEnabled = $null; TpmActivated = $null; TpmOwned = $null; ManufacturerId = $null; ManufacturerIdTxt = $null
  ManufacturerVersion = $null; SpecVersion = $null; RestartPending = $null
}
# Get-Tpm needs an elevated session; without one the probe says so instead of failing.
try {
  $t = Get-Tpm
  $r.available = $true
  $r.TpmPresent = [bool]$t.TpmPresent
  $r.TpmReady = [bool]$t.TpmReady
  foreach ($n in 'TpmEnabled', 'TpmActivated', 'TpmOwned', 'RestartPending') { if ($null -ne $t.$n) { $r[$n] = [bool]$t.$n } }
  if ($null -ne $t.ManufacturerId) { $r.ManufacturerId = [int64]$t.ManufacturerId }
  if ($t.ManufacturerIdTxt) { $r.ManufacturerIdTxt = ([string]$t.ManufacturerIdTxt).Trim([char]0, ' ') }
  if ($t.ManufacturerVersion) { $r.ManufacturerVersion = [string]$t.ManufacturerVersion }
} catch {
  $r.reason = 'Get-Tpm failed: ' + $_.Exception.Message
}
try {
  $w = Get-CimInstance -Namespace 'root\cimv2\Security\MicrosoftTpm' -ClassName Win32_Tpm
  if ($w -and $w.SpecVersion) { $r.SpecVersion = [string]$w.SpecVersion }
} catch {
  if ($null -eq $r.reason) { $r.reason = 'Win32_Tpm unreachable: ' + $_.Exception.Message }
}
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
