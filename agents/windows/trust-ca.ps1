# probe: trust-ca
param([Parameter(Mandatory)][string]$Certificate)
$b64 = $Certificate -replace '-----(BEGIN|END) CERTIFICATE-----', '' -replace '\s', ''
$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new([Convert]::FromBase64String($b64))
$store = [System.Security.Cryptography.X509Certificates.X509Store]::new('Root', 'LocalMachine')
$store.Open('ReadWrite')
try {
  $present = $store.Certificates.Find('FindByThumbprint', $cert.Thumbprint, $false).Count -gt 0
  if (-not $present) { $store.Add($cert) }
} finally {
  $store.Close()
}
$r = [ordered]@{
  probe = 'trust-ca'
  thumbprint = [string]$cert.Thumbprint
  subject = [string]$cert.Subject
  store = 'LocalMachine\Root'
  added = -not $present
  alreadyPresent = $present
}
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
