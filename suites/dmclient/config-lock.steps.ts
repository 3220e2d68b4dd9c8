/**
 * The preparation of config-lock.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts):
 * the reads of SecureCore, Lock and UnlockDuration, and on a Secured-core PC the write checks of DMC-LOCK-004/005,
 * in the shared preparation session. The drift checks stay in the spec's test bodies: each needs the device in its
 * own lock state, one session each.
 */
import { prepare, type CommandResult } from '../../fixtures/conformance.js';

export const CL = 'Provider/{ProviderID}/ConfigLock';
export const LOCK = `${CL}/Lock` as const;
export const UNLOCK = `${CL}/UnlockDuration` as const;
export const SECURE_CORE = `${CL}/SecureCore` as const;

export interface ConfigLockRun {
  /** Get SecureCore, Get Lock, Get UnlockDuration, before the MDM set anything. */
  initial: CommandResult[];
  /** DMC-LOCK-004's writes and reads; empty on a PC that is not Secured-core. */
  lockRun: CommandResult[];
  /** DMC-LOCK-005's writes and reads; empty on a PC that is not Secured-core. */
  unlockRun: CommandResult[];
}

export const configLock = prepare(
  'config-lock/reads-and-writes',
  ['DMC-LOCK-001', 'DMC-LOCK-002', 'DMC-LOCK-003', 'DMC-LOCK-004', 'DMC-LOCK-005', 'DMC-LOCK-006'],
  async ({ device }): Promise<ConfigLockRun> => {
    const l = device.node(LOCK);
    const u = device.node(UNLOCK);
    const reads = [device.node(SECURE_CORE).get(), l.get(), u.get()];
    // DMC-LOCK-004: "The supported values for this node are 0-unlock, 1-lock"; it ends at 0, the default.
    const lockWrites = [l.delete(), l.add(1), l.get(), l.delete(), l.add(0), l.get()];
    // DMC-LOCK-005: "The supported values for this node are 1 to 480 (in min)". It ends deleted (the default):
    // the DDF says a set UnlockDuration "tells the client ... how many minutes the device should be temporarily
    // unlocked", and the drift checks must not start inside such an unlock.
    const unlockWrites = [u.delete(), u.add(1), u.get(), u.delete(), u.add(480), u.get(), u.delete(), u.add(0), u.delete(), u.add(481), u.delete()];
    // The writes ride in the reads' session, on a Secured-core PC only (elsewhere the feature "won't work").
    const writes = device.capabilities.securedCore ? [...lockWrites, ...unlockWrites] : [];
    const r = await device.sync([...reads, ...writes]);
    return {
      initial: r.slice(0, reads.length),
      lockRun: r.slice(reads.length, reads.length + lockWrites.length),
      unlockRun: r.slice(reads.length + lockWrites.length),
    };
  },
);

export const steps = [configLock];
