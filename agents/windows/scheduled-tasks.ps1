# probe: scheduled-tasks
param([Parameter(Mandatory)][string]$TaskPath)
Remove-TypeData -TypeName System.Array -ErrorAction Ignore
# Task Scheduler reports "never" as 1899-12-30 or 1999-11-30; those become null.
function T($d) { if ($null -eq $d) { return $null }; $d = [datetime]$d; if ($d.Year -lt 2000) { return $null }; $d.ToUniversalTime().ToString('o') }
function S($s) { if ([string]::IsNullOrEmpty($s)) { $null } else { [string]$s } }
function I32($x) { if ($null -eq $x) { $null } else { [BitConverter]::ToInt32([BitConverter]::GetBytes([int64]$x), 0) } }
$tp = $TaskPath.TrimEnd('\') + '\'
$tasks = @()
foreach ($t in @(Get-ScheduledTask -TaskPath $tp -ErrorAction Ignore)) {
  $i = Get-ScheduledTaskInfo -InputObject $t -ErrorAction Ignore
  $triggers = @()
  foreach ($g in @($t.Triggers)) {
    $kind = $g.CimClass.CimClassName -replace '^MSFT_Task', '' -replace 'Trigger$', ''
    if (-not $kind) { $kind = 'Unknown' }
    $triggers += [ordered]@{
      Kind = $kind
      Enabled = [bool]$g.Enabled
      StartBoundary = S $g.StartBoundary
      EndBoundary = S $g.EndBoundary
      RepetitionInterval = S $g.Repetition.Interval
      RepetitionDuration = S $g.Repetition.Duration
    }
  }
  $tasks += [ordered]@{
    TaskPath = [string]$t.TaskPath
    TaskName = [string]$t.TaskName
    State = [string]$t.State
    Triggers = @($triggers)
    LastRunTime = T $i.LastRunTime
    NextRunTime = T $i.NextRunTime
    LastTaskResult = I32 $i.LastTaskResult
  }
}
$r = [ordered]@{ probe = 'scheduled-tasks'; taskPath = $tp; tasks = @($tasks) }
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
