/**
 * The preparation of linked-enrollment.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts).
 * One session reads the starting state, sets Priority 0 and 1, reads DiscoveryEndpoint and executes Enroll (in that
 * order); later sessions read EnrollStatus until the enrollment is no longer in progress; then Unenroll, and the same
 * again.
 */
import { prepare, type CommandResult, type ConformanceDevice } from '../../fixtures/conformance.js';
import { rawCommand } from '../../harness/scripting/dmclient-builders.js';
import { data, pollUntil } from './support.js';

export const LE = 'Provider/{ProviderID}/LinkedEnrollment';
export const ENROLL = `${LE}/Enroll` as const;
export const UNENROLL = `${LE}/Unenroll` as const;
export const STATUS = `${LE}/EnrollStatus` as const;
export const LAST_ERROR = `${LE}/LastError` as const;
export const PRIORITY = `${LE}/Priority`;

/** Priority is not in the catalogue: its LocURI is the catalogue's LinkedEnrollment LocURI plus the reference's name. */
const priorityUri = (device: ConformanceDevice) => `${device.node(LE).locUri}/Priority`;
/**
 * DiscoveryEndpoint: in the DDF for no released build yet (OsBuildVersion 99.9.99999), so read raw: a device without
 * it answers 404. The current DMClient CSP page: "When the DiscoveryEndpoint is not set, the Enroll node will fail".
 */
const discoveryEndpointUri = (device: ConformanceDevice) => `${device.node(LE).locUri}/DiscoveryEndpoint`;

/** EnrollStatus and LastError, read in later sessions until the action is no longer in progress (or a minute passes). */
async function settle(device: ConformanceDevice): Promise<{ status: CommandResult; lastError: CommandResult }> {
  const read = async () => {
    const [status, lastError] = await device.sync([device.node(STATUS).get(), device.node(LAST_ERROR).get()]);
    return { status: status!, lastError: lastError! };
  };
  return pollUntil(read, (r) => !['2', '6'].includes(data(r.status) ?? ''), 60_000, 5_000);
}

export interface LinkedRun {
  initial: CommandResult[];
  priority: CommandResult[];
  enroll: { exec: CommandResult; status: CommandResult; lastError: CommandResult; discoveryEndpoint: CommandResult };
  unenroll: { exec: CommandResult; status: CommandResult; lastError: CommandResult };
}

export const linked = prepare(
  'linked-enrollment/enroll-unenroll',
  ['DMC-LINK-001', 'DMC-LINK-002', 'DMC-LINK-003', 'DMC-LINK-004', 'DMC-LINK-005', 'DMC-LINK-006'],
  async ({ device }): Promise<LinkedRun> => {
    const uri = priorityUri(device);
    const first = await device.sync([
      rawCommand({ kind: 'Get', locUri: uri }), device.node(STATUS).get(), device.node(LAST_ERROR).get(),
      rawCommand({ kind: 'Replace', locUri: uri, meta: { Format: 'int' }, data: '0' }),
      rawCommand({ kind: 'Get', locUri: uri }),
      rawCommand({ kind: 'Replace', locUri: uri, meta: { Format: 'int' }, data: '1' }),
      rawCommand({ kind: 'Get', locUri: uri }),
      rawCommand({ kind: 'Get', locUri: discoveryEndpointUri(device) }),
      device.node(ENROLL).exec(),
    ]);
    const enroll = { exec: first[8]!, discoveryEndpoint: first[7]!, ...(await settle(device)) };
    const [unenrollExec] = await device.sync([device.node(UNENROLL).exec()]);
    const unenroll = { exec: unenrollExec!, ...(await settle(device)) };
    return { initial: first.slice(0, 3), priority: first.slice(3, 7), enroll, unenroll };
  },
);

export const steps = [linked];
