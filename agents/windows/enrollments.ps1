# probe: enrollments
param()
Remove-TypeData -TypeName System.Array -ErrorAction Ignore
function V($o, [string]$n) { $p = $o.PSObject.Properties[$n]; if ($p) { $p.Value } else { $null } }
function S($v) { if ($null -eq $v) { $null } else { [string]$v } }
function N($v) { if ($null -eq $v) { $null } else { [int64]$v } }
$base = 'HKLM:\SOFTWARE\Microsoft\Enrollments'
$list = @()
# Enrollments also holds non-GUID keys (Context, Status, ValidNodePaths); only GUID keys are enrollments.
foreach ($k in @(Get-ChildItem -LiteralPath $base -ErrorAction Ignore)) {
  if ($k.PSChildName -notmatch '^\{?[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}?$') { continue }
  $p = Get-ItemProperty -LiteralPath $k.PSPath
  $list += [ordered]@{
    EnrollmentId = $k.PSChildName
    ProviderID = S (V $p 'ProviderID')
    UPN = S (V $p 'UPN')
    EnrollmentState = N (V $p 'EnrollmentState')
    EnrollmentType = N (V $p 'EnrollmentType')
    DiscoveryServiceFullURL = S (V $p 'DiscoveryServiceFullURL')
    DMPCertThumbPrint = S (V $p 'DMPCertThumbPrint')
  }
}
$r = [ordered]@{ probe = 'enrollments'; enrollments = @($list) }
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
