/**
 * The preparation of multiple-session.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts).
 * One session: the node and its settings read; on a multi-session edition, then the concurrency settings and the
 * user-session retry schedule set, read back and put back (in that order in the session).
 */
import { prepare, type CommandResult } from '../../fixtures/conformance.js';

export const MS = 'Provider/{ProviderID}/MultipleSession';
export const BACKGROUND = `${MS}/NumAllowedConcurrentUserSessionForBackgroundSync` as const;
export const AT_LOGON = `${MS}/NumAllowedConcurrentUserSessionAtUserLogonSync` as const;
export const INTERVAL = `${MS}/IntervalForScheduledRetriesForUserSession` as const;
export const NUMBER = `${MS}/NumberOfScheduledRetriesForUserSession` as const;
export const LEAVES = [BACKGROUND, AT_LOGON, INTERVAL, NUMBER] as const;

export interface MultipleSessionRun {
  initial: CommandResult[];
  /** The concurrency settings (multi-session only). */
  concurrency: CommandResult[];
  /** The user-session retry schedule (multi-session only). */
  schedule: CommandResult[];
}

export const multipleSession = prepare(
  'multiple-session/settings',
  ['DMC-MULTI-001', 'DMC-MULTI-002', 'DMC-MULTI-003', 'DMC-MULTI-004'],
  async ({ device }): Promise<MultipleSessionRun> => {
    const reads = [device.node(MS).get(), ...LEAVES.map((p) => device.node(p).get())];
    if (!device.capabilities.multiSession) return { initial: await device.sync(reads), concurrency: [], schedule: [] };
    const b = device.node(BACKGROUND);
    const l = device.node(AT_LOGON);
    const i = device.node(INTERVAL);
    const n = device.node(NUMBER);
    const concurrency = [b.replace(0), b.get(), b.replace(1), b.get(), b.replace(2), b.get(), l.replace(1), l.get(), b.delete(), l.delete()];
    const schedule = [i.replace(60), n.replace(3), i.get(), n.get(), i.replace(0), n.replace(0), i.get(), n.get()];
    const r = await device.sync([...reads, ...concurrency, ...schedule]);
    return {
      initial: r.slice(0, reads.length),
      concurrency: r.slice(reads.length, reads.length + concurrency.length),
      schedule: r.slice(reads.length + concurrency.length),
    };
  },
);

export const steps = [multipleSession];
