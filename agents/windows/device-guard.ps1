# probe: device-guard
param()
Remove-TypeData -TypeName System.Array -ErrorAction Ignore
function A($v) { , @($v | Where-Object { $null -ne $_ } | ForEach-Object { [int]$_ }) }
function N($v) { if ($null -eq $v) { $null } else { [int]$v } }
$r = [ordered]@{
  probe = 'device-guard'; available = $false; reason = $null; VirtualizationBasedSecurityStatus = $null
  SecurityServicesConfigured = @(); SecurityServicesRunning = @(); RequiredSecurityProperties = @()
  AvailableSecurityProperties = @(); CodeIntegrityPolicyEnforcementStatus = $null
  UsermodeCodeIntegrityPolicyEnforcementStatus = $null; SecureBoot = $null; securedCoreEvidence = @()
}
try {
  $g = Get-CimInstance -ClassName Win32_DeviceGuard -Namespace 'root\Microsoft\Windows\DeviceGuard'
  $r.available = $true
  $r.VirtualizationBasedSecurityStatus = N $g.VirtualizationBasedSecurityStatus
  $r.SecurityServicesConfigured = A $g.SecurityServicesConfigured
  $r.SecurityServicesRunning = A $g.SecurityServicesRunning
  $r.RequiredSecurityProperties = A $g.RequiredSecurityProperties
  $r.AvailableSecurityProperties = A $g.AvailableSecurityProperties
  $r.CodeIntegrityPolicyEnforcementStatus = N $g.CodeIntegrityPolicyEnforcementStatus
  $r.UsermodeCodeIntegrityPolicyEnforcementStatus = N $g.UsermodeCodeIntegrityPolicyEnforcementStatus
} catch {
  $r.reason = 'Win32_DeviceGuard unreachable: ' + $_.Exception.Message
}
# Confirm-SecureBootUEFI throws on legacy BIOS machines and without elevation: SecureBoot stays null then.
try { $r.SecureBoot = [bool](Confirm-SecureBootUEFI) } catch { $r.SecureBoot = $null }
# Evidence for a reader; whether the PC is Secured-core is decided by the harness (agents/secured-core.ts).
$ev = @()
if ($r.SecureBoot -eq $true) { $ev += 'Secure Boot is on (Confirm-SecureBootUEFI)' }
if ($r.VirtualizationBasedSecurityStatus -eq 2) { $ev += 'VBS is running (VirtualizationBasedSecurityStatus=2)' }
if ($r.SecurityServicesRunning -contains 2) { $ev += 'HVCI is running (SecurityServicesRunning has 2)' }
if ($r.SecurityServicesRunning -contains 3) { $ev += 'System Guard Secure Launch is running (SecurityServicesRunning has 3)' }
$sg = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\DeviceGuard\Scenarios\SystemGuard' -ErrorAction Ignore
if ($sg -and $sg.PSObject.Properties['Enabled'] -and $sg.Enabled -eq 1) { $ev += 'HKLM:\SYSTEM\CurrentControlSet\Control\DeviceGuard\Scenarios\SystemGuard Enabled=1' }
$r.securedCoreEvidence = @($ev)
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
