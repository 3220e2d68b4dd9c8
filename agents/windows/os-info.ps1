# probe: os-info
param()
$cv = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$dv = $cv.PSObject.Properties['DisplayVersion']
$displayVersion = $null
if ($dv) { $displayVersion = [string]$dv.Value }
# Windows 10/11 Enterprise multi-session reports EditionID ServerRdsh and SKU 175 (PRODUCT_SERVERRDSH).
$multi = ($cv.EditionID -eq 'ServerRdsh') -or ([int]$os.OperatingSystemSKU -eq 175)
$r = [ordered]@{
  probe = 'os-info'
  build = [string]$os.Version
  ubr = [int]$cv.UBR
  skuId = [int]$os.OperatingSystemSKU
  editionId = [string]$cv.EditionID
  productName = [string]$os.Caption
  displayVersion = $displayVersion
  isMultiSession = [bool]$multi
  machineName = [string]$env:COMPUTERNAME
}
$j = $r | ConvertTo-Json -Depth 10 -Compress
# Escape non-ASCII so the console code page of the SSH session cannot garble the JSON.
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
