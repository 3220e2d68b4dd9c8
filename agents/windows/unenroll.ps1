# probe: unenroll
param([Parameter(Mandatory)][string]$EnrollmentId, [int]$TimeoutSeconds = 120)
if ($EnrollmentId -notmatch '^\{?[0-9A-F-]{36}\}?$') { throw "EnrollmentId must be a GUID, got '$EnrollmentId'" }
# UnregisterDeviceWithManagement, like the enrollment call, runs in a one-shot SYSTEM task.
$g = [guid]::NewGuid().ToString('N')
$dir = "$env:ProgramData\dmc-probe\$g"
$t = @{ TaskPath = '\dmc-conformance\'; TaskName = "unenroll-$g" }
$r = [ordered]@{ probe = 'unenroll'; enrollmentId = $EnrollmentId; hresult = 0; timedOut = $false; leftovers = $null }
New-Item -ItemType Directory -Path $dir | Out-Null
try {
  $null = icacls.exe $dir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F'
  $task = @'
$d = $args[0]
Add-Type -Namespace Dmc -Name Mdm -MemberDefinition '[DllImport("mdmregistration.dll", CharSet = CharSet.Unicode)] public static extern int UnregisterDeviceWithManagement(string enrollmentId);'
[IO.File]::WriteAllText("$d\rc.tmp", [Dmc.Mdm]::UnregisterDeviceWithManagement($args[1]))
Rename-Item "$d\rc.tmp" -NewName 'rc.txt'
'@
  Set-Content "$dir\task.ps1" -Value $task
  $a = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument "-NoProfile -ExecutionPolicy Bypass -File `"$dir\task.ps1`" `"$dir`" $EnrollmentId"
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
# What unenrollment should clear; whatever is still there is a leftover.
$keys = @('Enrollments', 'Enrollments\Status', 'EnterpriseResourceManager\Tracked', 'PolicyManager\AdmxInstalled',
  'PolicyManager\Providers', 'Provisioning\OMADM\Accounts', 'Provisioning\OMADM\Logger', 'Provisioning\OMADM\Sessions') |
  ForEach-Object { "HKLM:\SOFTWARE\Microsoft\$_\$EnrollmentId" } | Where-Object { Test-Path -LiteralPath $_ }
$tasks = Get-ScheduledTask -TaskPath "\Microsoft\Windows\EnterpriseMgmt\$EnrollmentId\" -ErrorAction Ignore |
  ForEach-Object { $_.TaskPath + $_.TaskName }
$r.leftovers = [ordered]@{ registryKeys = @($keys); tasks = @($tasks) }
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
