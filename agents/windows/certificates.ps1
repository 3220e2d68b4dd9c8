# probe: certificates
param([Parameter(Mandatory)][string]$StorePath)
Remove-TypeData -TypeName System.Array -ErrorAction Ignore
if ($StorePath -notmatch '^Cert:\\(LocalMachine|CurrentUser)\\[^\\]+$') { throw "StorePath must look like Cert:\LocalMachine\My, got '$StorePath'" }
$list = @()
foreach ($c in @(Get-ChildItem -LiteralPath $StorePath -ErrorAction Ignore)) {
  if ($c -isnot [System.Security.Cryptography.X509Certificates.X509Certificate2]) { continue }
  $ekus = @($c.Extensions | Where-Object { $_ -is [System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension] } |
    ForEach-Object { $_.EnhancedKeyUsages } | ForEach-Object { [string]$_.Value })
  $list += [ordered]@{
    Thumbprint = [string]$c.Thumbprint
    Subject = [string]$c.Subject
    Issuer = [string]$c.Issuer
    SerialNumber = [string]$c.SerialNumber
    NotBefore = $c.NotBefore.ToUniversalTime().ToString('o')
    NotAfter = $c.NotAfter.ToUniversalTime().ToString('o')
    EnhancedKeyUsages = $ekus
    HasPrivateKey = [bool]$c.HasPrivateKey
  }
}
$r = [ordered]@{ probe = 'certificates'; storePath = $StorePath; certificates = @($list) }
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
