/**
 * The hook between calibration and the fact base (fixtures/facts/*.yaml, docs/calibration.md): which fact IDs each
 * section of a calibrated profile bears on. `dmc calibrate` prints them with the observed build, so a lab can mark
 * those facts `observed` (confidence line and an `observed:` entry) after checking the values in the file.
 *
 * The IDs follow the fact base's naming (lower-case words, dots and dashes); a fact the fact base names otherwise
 * is corrected here, in one place. Sections no fact rests on are left out.
 */
export const OBSERVATION_FACTS: Readonly<Record<string, readonly string[]>> = {
  'registry.enrollment': [
    'win.enrollments-key',
    'win.enrollments-key-guid-name',
    'win.enrollment-value-providerid',
    'win.enrollment-value-upn',
    'win.enrollment-value-enrollmentstate',
    'win.enrollment-value-enrollmenttype',
    'win.enrollment-value-discoveryurl',
    'win.enrollment-value-dmpcertthumbprint',
  ],
  // Not a profile section: the store `dmc calibrate` found the MDM client certificate in, printed with the summary.
  'certificate.store': ['win.cert-store-mdm-client'],
  'registry.dmClient': ['win.dmclient-provider-key', 'win.dmclient-nested-subkeys'],
  'registry.omadmAccount': ['win.omadm-account-key'],
  'registry.addrInfo': ['win.omadm-addrinfo-addr'],
  'registry.connInfo': ['win.omadm-conninfo-times'],
  'registry.nodeValues': ['vd.enrollment.dmclient-settings-in-registry', 'lock.helpphonenumber-registry-value'],
  'tasks.pollSchedules': ['win.task-folder', 'win.task-schedule-names', 'poll.schedule-task-names', 'win.task-trigger-shape'],
  'tasks.maintenance': ['win.task-maintenance-name'],
  'tasks.logon': ['win.task-login-name'],
  'events.sessionStarted': ['win.event-channel-admin', 'win.event-session-ids'],
  'events.sessionEnded': ['win.event-channel-admin', 'win.event-session-ids'],
  'events.commandFailed': ['win.event-command-failure-id'],
  nodes: ['vd.enrollment.poll-defaults', 'syncver.default-1-0', 'sign.default-false-unsigned', 'keepalive.default-off', 'lock.default-off', 'lock.unlock-duration-default'],
  'device.tpm': ['win.tpm-get-tpm', 'win.tpm-spec-version'],
  'device.securedCore': ['win.deviceguard-fields', 'win.secureboot-confirm', 'win.secured-core-inference'],
};

/** The fact IDs the sections present in a profile bear on, in order, without repeats. */
export function factsObserved(present: readonly string[]): string[] {
  return [...new Set(present.flatMap((section) => OBSERVATION_FACTS[section] ?? []))];
}
