# probe: session-counter
param()
# Windows keeps no count of the OMA-DM sessions it has run that a probe could read; only the virtual device,
# which counts the sessions it served, answers available = true.
$r = [ordered]@{ probe = 'session-counter'; available = $false; sessions = $null; messages = $null }
$r | ConvertTo-Json -Depth 10 -Compress
