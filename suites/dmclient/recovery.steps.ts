/**
 * The preparation of recovery.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts).
 * One session reads AllowRecovery and RecoveryStatus and sets AllowRecovery 1 and 0; then InitiateRecovery 1
 * (before 0: a recovery that ran can move the MDM key into the TPM) and InitiateRecovery 0, each Exec answered in
 * its session and the recovery running after it, and RecoveryStatus read in later sessions until it leaves
 * "in process".
 */
import { prepare, type CommandResult, type ConformanceDevice } from '../../fixtures/conformance.js';
import { data, pollUntil, sleep } from './support.js';

export const R = 'Provider/{ProviderID}/Recovery';
export const ALLOW = `${R}/AllowRecovery` as const;
export const STATUS = `${R}/RecoveryStatus` as const;
export const INITIATE = `${R}/InitiateRecovery` as const;
/** RecoveryStatus 1: "Recovery is in process." */
const IN_PROCESS = '1';

/** Reads RecoveryStatus in later sessions until it leaves "in process" (or two minutes pass). */
async function settledStatus(device: ConformanceDevice): Promise<CommandResult> {
  return pollUntil(
    async () => (await device.sync([device.node(STATUS).get()]))[0]!,
    (r) => data(r) !== IN_PROCESS,
    120_000,
    5_000,
  );
}

export interface RecoveryRun {
  initial: CommandResult[];
  allow: CommandResult[];
  /** InitiateRecovery 1 and the settled status; absent when the DDF says the device has no Recovery node or its TPM state is unknown. */
  withOne?: { exec: CommandResult; status: CommandResult };
  withZero?: { exec: CommandResult; status: CommandResult };
}

export const recovery = prepare(
  'recovery/allow-and-initiate',
  ['DMC-RECOV-001', 'DMC-RECOV-002', 'DMC-RECOV-003', 'DMC-RECOV-004', 'DMC-RECOV-005'],
  async ({ device }): Promise<RecoveryRun> => {
    const a = device.node(ALLOW);
    const r = await device.sync([a.get(), device.node(STATUS).get(), a.replace(1), a.get(), a.replace(0), a.get()]);
    const run: RecoveryRun = { initial: r.slice(0, 2), allow: r.slice(2) };
    const caps = device.capabilities;
    const applicable = device.catalog.checkApplicability(device.anyNode(R).node, { build: `${caps.build}.${caps.ubr}`, edition: caps.edition.skuId }).applicable;
    if (!applicable) return run;
    if (caps.unknown.tpm === undefined) {
      const [exec] = await device.sync([device.node(INITIATE).exec(1)],);
      await sleep(1_000);
      run.withOne = { exec: exec!, status: await settledStatus(device) };
    }
    const [exec] = await device.sync([device.node(INITIATE).exec(0)],);
    run.withZero = { exec: exec!, status: await settledStatus(device) };
    return run;
  },
);

export const steps = [recovery];
