# probe: trigger-sync
param([Parameter(Mandatory)][string]$EnrollmentId, [int]$TimeoutSeconds = 120)
if ($EnrollmentId -notmatch '^\{?[0-9A-F-]{36}\}?$') { throw "EnrollmentId must be a GUID, got '$EnrollmentId'" }
# deviceenroller.exe run straight from an SSH session fails with 0x80010106, so a one-shot SYSTEM task runs it.
$g = [guid]::NewGuid().ToString('N')
$dir = "$env:ProgramData\dmc-probe\$g"
$t = @{ TaskPath = '\dmc-conformance\'; TaskName = "trigger-sync-$g" }
$r = [ordered]@{ probe = 'trigger-sync'; enrollmentId = $EnrollmentId; hresult = 0; taskName = $t.TaskPath + $t.TaskName; output = ''; timedOut = $false }
New-Item -ItemType Directory -Path $dir | Out-Null
try {
  $null = icacls.exe $dir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F'
  $task = @'
$d = $args[0]
$p = Start-Process -FilePath "$env:windir\System32\deviceenroller.exe" -ArgumentList '/o', $args[1], '/c' -Wait -PassThru -NoNewWindow -RedirectStandardOutput "$d\out.txt" -RedirectStandardError "$d\err.txt"
[IO.File]::WriteAllText("$d\rc.tmp", $p.ExitCode)
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
  $out = foreach ($f in 'out.txt', 'err.txt') { if (Test-Path "$dir\$f") { Get-Content "$dir\$f" -Raw } }
  $r.output = (@($out) -join "`n").Trim()
} finally {
  Stop-ScheduledTask @t -ErrorAction Ignore
  Unregister-ScheduledTask @t -Confirm:$false -ErrorAction Ignore
  Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore
}
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
