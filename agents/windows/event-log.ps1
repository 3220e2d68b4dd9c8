# probe: event-log
param([Parameter(Mandatory)][string]$LogName, [Parameter(Mandatory)][string]$Since, [string[]]$Ids, [string]$ProviderName, [int]$MaxEvents = 500)
Remove-TypeData -TypeName System.Array -ErrorAction Ignore
$start = [datetime]::Parse($Since, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::RoundtripKind)
$found = [bool](Get-WinEvent -ListLog $LogName -ErrorAction Ignore)
$filter = @{ LogName = $LogName; StartTime = $start }
if ($Ids) { $filter.Id = [int[]]$Ids }
if ($ProviderName) { $filter.ProviderName = $ProviderName }
$events = @()
# Get-WinEvent reports "no events found" as an error; an empty list is the answer then.
if ($found) { $events = @(Get-WinEvent -FilterHashtable $filter -MaxEvents ($MaxEvents + 1) -ErrorAction Ignore) }
$truncated = $events.Count -gt $MaxEvents
$entries = @()
# Get-WinEvent lists newest first; the probe reports oldest first.
foreach ($e in @($events | Select-Object -First $MaxEvents | Sort-Object -Property RecordId)) {
  $msg = $null
  if ($null -ne $e.Message) { $msg = [string]$e.Message }
  $entries += [ordered]@{
    TimeCreated = $e.TimeCreated.ToUniversalTime().ToString('o')
    Id = [int]$e.Id
    ProviderName = [string]$e.ProviderName
    Level = [int]$e.Level
    RecordId = $e.RecordId
    Message = $msg
  }
}
$r = [ordered]@{
  probe = 'event-log'
  logName = $LogName
  since = $start.ToUniversalTime().ToString('o')
  channelFound = $found
  entries = @($entries)
  truncated = $truncated
}
$j = $r | ConvertTo-Json -Depth 10 -Compress
[regex]::Replace($j, '[^\x00-\x7e]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
