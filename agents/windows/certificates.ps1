# probe: certificates
param([Parameter(Mandatory)][string]$StorePath, [switch]$AsSystem, [int]$TimeoutSeconds = 120)
if ($StorePath -notmatch '^Cert:\\(LocalMachine|CurrentUser)\\[^\\]+$') { throw "StorePath must be like Cert:\LocalMachine\My: '$StorePath'" }
$listing = @'
param([string]$StorePath, [string]$Out)
Remove-TypeData -TypeName System.Array -ErrorAction Ignore
$list = @()
foreach ($c in @(Get-ChildItem -LiteralPath $StorePath -ErrorAction Ignore)) {
  if ($c -isnot [Security.Cryptography.X509Certificates.X509Certificate2]) { continue }
  $ekus = @($c.Extensions | Where-Object { $_ -is [Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension] } |
    ForEach-Object { $_.EnhancedKeyUsages } | ForEach-Object { [string]$_.Value })
  $list += [ordered]@{ Thumbprint = [string]$c.Thumbprint; Subject = [string]$c.Subject; Issuer = [string]$c.Issuer
    SerialNumber = [string]$c.SerialNumber; NotBefore = $c.NotBefore.ToUniversalTime().ToString('o')
    NotAfter = $c.NotAfter.ToUniversalTime().ToString('o'); EnhancedKeyUsages = $ekus; HasPrivateKey = [bool]$c.HasPrivateKey }
}
$r = [ordered]@{ probe = 'certificates'; storePath = $StorePath; asSystem = [bool]$Out; certificates = @($list) }
$j = [regex]::Replace(($r | ConvertTo-Json -Depth 10 -Compress), '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
if (-not $Out) { return $j }
[IO.File]::WriteAllText("$Out.tmp", $j)
Rename-Item "$Out.tmp" -NewName (Split-Path $Out -Leaf)
'@
if (-not $AsSystem) { return & ([scriptblock]::Create($listing)) $StorePath }
$g = [guid]::NewGuid().ToString('N')
$dir = "$env:ProgramData\dmc-probe\$g"
$t = @{ TaskPath = '\dmc-conformance\'; TaskName = "certificates-$g" }
New-Item -ItemType Directory -Path $dir | Out-Null
try {
  $null = icacls.exe $dir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F'
  Set-Content "$dir\task.ps1" -Value $listing
  $a = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument "-NoProfile -ExecutionPolicy Bypass -File `"$dir\task.ps1`" `"$StorePath`" `"$dir\out.json`""
  $s = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
  Register-ScheduledTask @t -Action $a -User 'SYSTEM' -RunLevel Highest -Settings $s -Force | Out-Null
  Start-ScheduledTask @t
  $end = (Get-Date).AddSeconds($TimeoutSeconds)
  while (-not (Test-Path "$dir\out.json") -and (Get-Date) -lt $end) { Start-Sleep -Seconds 1 }
  if (-not (Test-Path "$dir\out.json")) { throw "no answer from the SYSTEM task in $TimeoutSeconds s" }
  Get-Content "$dir\out.json" -Raw
} finally {
  Stop-ScheduledTask @t -ErrorAction Ignore
  Unregister-ScheduledTask @t -Confirm:$false -ErrorAction Ignore
  Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore
}
