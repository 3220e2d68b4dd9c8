# probe: remove-stale-enrollment
param([Parameter(Mandatory)][string]$EnrollmentId)
if ($EnrollmentId -notmatch '^\{?[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}?$') { throw "EnrollmentId must be a GUID, got '$EnrollmentId'" }
# Clears what a failed or half-undone enrollment leaves, so the next enrollment of the same machine starts clean.
$keys = @('Enrollments', 'Enrollments\Status', 'EnterpriseResourceManager\Tracked', 'PolicyManager\AdmxInstalled',
  'PolicyManager\Providers', 'Provisioning\OMADM\Accounts', 'Provisioning\OMADM\Logger', 'Provisioning\OMADM\Sessions') |
  ForEach-Object { "HKLM:\SOFTWARE\Microsoft\$_\$EnrollmentId" } | Where-Object { Test-Path -LiteralPath $_ }
foreach ($k in @($keys)) { Remove-Item -LiteralPath $k -Recurse -Force }
$taskPath = "\Microsoft\Windows\EnterpriseMgmt\$EnrollmentId\"
$tasks = @(Get-ScheduledTask -TaskPath $taskPath -ErrorAction Ignore)
foreach ($t in $tasks) { Unregister-ScheduledTask -InputObject $t -Confirm:$false }
$removedTasks = @($tasks | ForEach-Object { $_.TaskPath + $_.TaskName })
# Unregister-ScheduledTask leaves the empty folder; the Task Scheduler COM API removes it.
try {
  $svc = New-Object -ComObject 'Schedule.Service'
  $svc.Connect()
  $svc.GetFolder('\Microsoft\Windows\EnterpriseMgmt').DeleteFolder($EnrollmentId, 0)
  $removedTasks += $taskPath
} catch {
  $null = $_
}
$r = [ordered]@{
  probe = 'remove-stale-enrollment'
  enrollmentId = $EnrollmentId
  removed = [ordered]@{ registryKeys = @($keys); tasks = @($removedTasks) }
  notFound = (@($keys).Count -eq 0) -and ($removedTasks.Count -eq 0)
}
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
