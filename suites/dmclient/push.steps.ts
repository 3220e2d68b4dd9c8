/**
 * The preparation of push.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts): the
 * starting values; an invalid PFN set; in the next session what the device reports with it, then Push deleted.
 */
import { prepare, type CommandResult } from '../../fixtures/conformance.js';

export const PUSH = 'Provider/{ProviderID}/Push';
export const PFN = `${PUSH}/PFN` as const;
export const CHANNEL = `${PUSH}/ChannelURI` as const;
export const STATUS = `${PUSH}/Status` as const;
/**
 * Not a package family name (Name_PublisherId, the publisher id 13 base-32 characters): spaces and no publisher
 * part, so no WNS lookup is needed to know it is invalid.
 */
export const INVALID_PFN = 'not a package family name';

export interface PushRun {
  initial: CommandResult[];
  setInvalid: CommandResult[];
  afterInvalid: CommandResult[];
  removed: CommandResult[];
}

export const push = prepare('push/pfn-channel-status', ['DMC-PUSH-001', 'DMC-PUSH-002', 'DMC-PUSH-003', 'DMC-PUSH-004', 'DMC-PUSH-005'], async ({ device }): Promise<PushRun> => {
  const initial = await device.sync([device.node(PFN).get(), device.node(CHANNEL).get(), device.node(STATUS).get()]);
  const pushExists = initial.some((r) => r.status?.code === '200');
  // Push: "Supported operations are Add and Delete"; PFN: Add, Get, Replace.
  const setInvalid = await device.sync([
    ...(pushExists ? [] : [device.node(PUSH).add()]),
    initial[0]?.status?.code === '200' ? device.node(PFN).replace(INVALID_PFN) : device.node(PFN).add(INVALID_PFN),
  ]);
  const after = await device.sync([device.node(PFN).get(), device.node(CHANNEL).get(), device.node(STATUS).get(), device.node(PUSH).delete(), device.node(PFN).get()]);
  return { initial, setInvalid, afterInvalid: after.slice(0, 3), removed: after.slice(3) };
});

export const steps = [push];
