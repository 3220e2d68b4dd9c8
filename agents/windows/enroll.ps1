# probe: enroll
param([Parameter(Mandatory)][string]$DiscoveryUrl, [Parameter(Mandatory)][string]$User, [Parameter(Mandatory)][string]$Password, [int]$TimeoutSeconds = 300)
# From SSH this API fails with 0x80010106, so a SYSTEM task calls it; only SYSTEM and Administrators can read $dir.
function Ids { @(Get-ChildItem 'HKLM:\SOFTWARE\Microsoft\Enrollments' | Where-Object PSChildName -Match '^\{?[0-9A-F-]{36}\}?$' | ForEach-Object PSChildName) }
$before = Ids
$g = [guid]::NewGuid().ToString('N')
$dir = "$env:ProgramData\dmc-probe\$g"
$t = @{ TaskPath = '\dmc-conformance\'; TaskName = "enroll-$g" }
$r = [ordered]@{ probe = 'enroll'; discoveryUrl = $DiscoveryUrl; user = $User; hresult = 0; enrollmentId = $null; registryFound = $false; timedOut = $false }
New-Item -ItemType Directory -Path $dir | Out-Null
try {
  $null = icacls.exe $dir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F'
  [IO.File]::WriteAllText("$dir\in.txt", "$User`n$DiscoveryUrl`n$Password")
  $task = @'
$d = $args[0]
$u, $s, $p = [IO.File]::ReadAllText("$d\in.txt") -split "`n", 3
Remove-Item "$d\in.txt"
Add-Type -Namespace Dmc -Name Mdm -MemberDefinition '[DllImport("mdmregistration.dll", CharSet = CharSet.Unicode)] public static extern int RegisterDeviceWithManagement(string upn, string uri, string token);'
[IO.File]::WriteAllText("$d\rc.tmp", [Dmc.Mdm]::RegisterDeviceWithManagement($u, $s, $p))
Rename-Item "$d\rc.tmp" -NewName 'rc.txt'
'@
  Set-Content "$dir\task.ps1" -Value $task
  $a = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument "-NoProfile -ExecutionPolicy Bypass -File `"$dir\task.ps1`" `"$dir`""
  $s = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
  Register-ScheduledTask @t -Action $a -User 'SYSTEM' -RunLevel Highest -Settings $s -Force | Out-Null
  Start-ScheduledTask @t
  $end = (Get-Date).AddSeconds($TimeoutSeconds)
  while (-not (Test-Path "$dir\rc.txt") -and (Get-Date) -lt $end) { Start-Sleep -Seconds 1 }
  if (Test-Path "$dir\rc.txt") { $r.hresult = [int](Get-Content "$dir\rc.txt" -Raw) } else {
    $r.timedOut = $true; $r.hresult = -2147023436 # HRESULT_FROM_WIN32(ERROR_TIMEOUT)
  }
} finally {
  Stop-ScheduledTask @t -ErrorAction Ignore
  Unregister-ScheduledTask @t -Confirm:$false -ErrorAction Ignore
  Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore
}
# A failing HRESULT can still leave an enrollment, and the reverse: the registry decides.
$new = @(Ids | Where-Object { $before -notcontains $_ })
if ($new) { $r.enrollmentId = [string]$new[0]; $r.registryFound = $true }
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
