# probe: host-facts
param()
# What dmc doctor needs to know about the session the probes run in. The clock is read first, so the time is as
# close as it can be to the moment the harness sent the command.
$now = [DateTime]::UtcNow.ToString('o')
$id = [Security.Principal.WindowsIdentity]::GetCurrent()
# IsInRole(Administrator) is true only when the Administrators group is enabled in the token: an elevated login.
$elevated = ([Security.Principal.WindowsPrincipal]$id).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
$shell = $null
$ssh = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\OpenSSH' -ErrorAction Ignore
if ($ssh -and $ssh.PSObject.Properties['DefaultShell']) { $shell = [string]$ssh.DefaultShell }
# The parent of this powershell.exe is the shell sshd started for the command (cmd.exe unless DefaultShell is set).
$parent = $null
$me = Get-CimInstance -ClassName Win32_Process -Filter "ProcessId=$PID" -ErrorAction Ignore
if ($me) {
  $p = Get-CimInstance -ClassName Win32_Process -Filter "ProcessId=$($me.ParentProcessId)" -ErrorAction Ignore
  if ($p) { $parent = [string]$p.Name }
}
$edition = $null
if ($PSVersionTable.ContainsKey('PSEdition')) { $edition = [string]$PSVersionTable.PSEdition }
$r = [ordered]@{
  probe = 'host-facts'
  utcNow = $now
  psVersion = $PSVersionTable.PSVersion.ToString()
  psEdition = $edition
  languageMode = [string]$ExecutionContext.SessionState.LanguageMode
  user = [string]$id.Name
  elevated = [bool]$elevated
  defaultShell = $shell
  parentProcess = $parent
}
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
