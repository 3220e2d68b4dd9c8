# probe: https-reach
param([Parameter(Mandatory)][string]$Url, [int]$TimeoutSeconds = 15)
# One GET from the device to the harness, with the machine's own certificate trust: a harness CA missing from
# LocalMachine\Root shows as a certificate failure, exactly what the enrollment client would meet.
$r = [ordered]@{ probe = 'https-reach'; url = $Url; reached = $false; status = $null; failure = $null; error = $null; proxy = $null; durationMs = 0 }
# .NET Framework on older builds offers only TLS 1.0/1.1 unless told; the harness speaks TLS 1.2 and 1.3.
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$sw = [Diagnostics.Stopwatch]::StartNew()
try {
  $req = [Net.HttpWebRequest]::Create($Url)
  $req.Method = 'GET'
  $req.Timeout = $TimeoutSeconds * 1000
  $req.ReadWriteTimeout = $TimeoutSeconds * 1000
  $req.AllowAutoRedirect = $false
  $req.UserAgent = 'ENROLLClient'
  if ($req.Proxy) {
    $via = $req.Proxy.GetProxy([Uri]$Url)
    if ($via -and $via.AbsoluteUri -ne ([Uri]$Url).AbsoluteUri) { $r.proxy = $via.AbsoluteUri }
  }
  $resp = $req.GetResponse()
  $r.reached = $true
  $r.status = [int]$resp.StatusCode
  $resp.Close()
} catch {
  # PowerShell wraps .NET exceptions in MethodInvocationException; the WebException inside says what happened.
  $e = $_.Exception
  while ($e -and -not ($e -is [Net.WebException]) -and $e.InnerException) { $e = $e.InnerException }
  if ($e -is [Net.WebException] -and $e.Response) {
    $r.reached = $true
    $r.status = [int]$e.Response.StatusCode
    $e.Response.Close()
  } else {
    $kind = 'other'
    if ($e -is [Net.WebException]) {
      switch ([string]$e.Status) {
        'NameResolutionFailure' { $kind = 'dns' }
        'ProxyNameResolutionFailure' { $kind = 'dns' }
        'ConnectFailure' { $kind = 'connect' }
        'Timeout' { $kind = 'timeout' }
        'TrustFailure' { $kind = 'certificate' }
        'SecureChannelFailure' { $kind = 'tls' }
      }
    }
    $msg = $e.Message
    if ($e.InnerException) { $msg = "$msg ($($e.InnerException.Message))" }
    $r.failure = $kind
    $r.error = [string]$msg
  }
}
$r.durationMs = [int]$sw.ElapsedMilliseconds
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
