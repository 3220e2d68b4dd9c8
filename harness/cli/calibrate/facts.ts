/**
 * The hook between calibration and the fact base (fixtures/facts/*.yaml, docs/calibration.md): which fact IDs each
 * section of a calibrated profile bears on. `dmc calibrate` prints them with the observed build, so a lab can mark
 * those facts `observed` (confidence line and an `observed:` entry) after checking the values in the file.
 *
 * The IDs follow the fact base's naming (lower-case words, dots and dashes); a fact the fact base names otherwise
 * is corrected here, in one place. Sections no fact rests on are left out.
 */
export const OBSERVATION_FACTS: Readonly<Record<string, readonly string[]>> = {
  'registry.enrollment': ['registry.enrollments-key'],
  'registry.dmClient': ['registry.dmclient-provider-key'],
  'registry.omadmAccount': ['registry.omadm-accounts-key'],
  'registry.addrInfo': ['registry.omadm-addrinfo-addr'],
  'registry.connInfo': ['registry.omadm-conninfo-times'],
  'registry.nodeValues': ['registry.dmclient-value-placement'],
  'tasks.pollSchedules': ['poll.schedule-task-names'],
  'tasks.maintenance': ['poll.maintenance-task-name'],
  'tasks.logon': ['poll.logon-task-name'],
  'events.sessionStarted': ['events.session-started-id'],
  'events.sessionEnded': ['events.session-ended-id'],
  'events.commandFailed': ['events.command-failed-id'],
  nodes: ['dmclient.node-defaults'],
  'device.tpm': ['hardware.tpm-reading'],
  'device.securedCore': ['hardware.secured-core-reading'],
};

/** The fact IDs the sections present in a profile bear on, in order, without repeats. */
export function factsObserved(present: readonly string[]): string[] {
  return [...new Set(present.flatMap((section) => OBSERVATION_FACTS[section] ?? []))];
}
