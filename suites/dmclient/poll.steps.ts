/**
 * The preparation of poll.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts).
 *
 * The tables: each table is set in one session and read in the next one (the reference names the value the
 * device holds, not the answer within the setting session); the enrollment's tasks are read right after the
 * setting session, when the device has made them. The read of one table and the setting of the next share a
 * session, the read first. Then the two configuration failures (a valid schedule, then the all-zero one, in the
 * same session: the device applies the Replaces one by one), and the schedule put back. The schedule firing
 * (DMC-POLL-005) is a step of a later phase.
 */
import { prepare, type CommandDraft, type CommandResult, type ConformanceDevice } from '../../fixtures/conformance.js';
import { data, enrollmentTaskPath, type ScheduledTasks } from './support.js';

export const POLL = 'Provider/{ProviderID}/Poll';
export const NODES = [
  `${POLL}/IntervalForFirstSetOfRetries`,
  `${POLL}/NumberOfFirstRetries`,
  `${POLL}/IntervalForSecondSetOfRetries`,
  `${POLL}/NumberOfSecondRetries`,
  `${POLL}/IntervalForRemainingScheduledRetries`,
  `${POLL}/NumberOfRemainingScheduledRetries`,
] as const;
export const POLL_ON_LOGIN = `${POLL}/PollOnLogin` as const;
export const ALL_USERS_POLL = `${POLL}/AllUsersPollOnFirstLogin` as const;
export type Six = readonly [number, number, number, number, number, number];

/** The four tables of the reference, in the order the checks DMC-POLL-001 to -004 read them. */
export const TABLES: readonly Six[] = [
  [15, 5, 60, 10, 1440, 0],
  [15, 5, 60, 10, 0, 0],
  [15, 5, 1440, 0, 1440, 0],
  [15, 0, 60, 10, 1440, 0],
];
/** The schedule that must make the device poll on its own within minutes (DMC-POLL-005). */
export const ONE_MINUTE: Six = [1, 2, 1, 2, 1, 0];
const VALID: Six = [15, 5, 60, 10, 1440, 0];

/**
 * The six Replaces, non-zero values first: the device applies them one by one, and a zero written before the
 * other counts could pass through an all-counts-zero state, the configuration failure of DMC-POLL-007, that the
 * target schedule never has. `byNode` puts the answers back in NODES order.
 */
function replaces(device: ConformanceDevice, values: Six): { drafts: CommandDraft[]; byNode(sent: CommandResult[]): CommandResult[] } {
  const order = NODES.map((_, i) => i).sort((a, b) => Number(values[a] === 0) - Number(values[b] === 0));
  return {
    drafts: order.map((i) => device.node(NODES[i]!).replace(values[i]!)),
    byNode: (sent) => {
      const out: CommandResult[] = [];
      order.forEach((nodeIndex, k) => (out[nodeIndex] = sent[k]!));
      return out;
    },
  };
}
const gets = (device: ConformanceDevice) => NODES.map((p) => device.node(p).get());

export interface Applied {
  set: CommandResult[];
  read: CommandResult[];
  tasks: ScheduledTasks;
}

export interface PollRun {
  tables: Applied[];
  /** DMC-POLL-006 and -007: the Replaces of the failing schedule, in NODES order. */
  allZero: CommandResult[];
  countsZero: CommandResult[];
}

export const pollTables = prepare(
  'poll/tables-and-firing',
  ['DMC-POLL-001', 'DMC-POLL-002', 'DMC-POLL-003', 'DMC-POLL-004', 'DMC-POLL-006', 'DMC-POLL-007'],
  async ({ device, agent }): Promise<PollRun> => {
    const taskPath = enrollmentTaskPath(device.enrollmentId);
    const tables: Applied[] = [];
    let before: CommandDraft[] = gets(device);
    let original: Array<string | undefined> = [];
    for (const [k, values] of TABLES.entries()) {
      const set = replaces(device, values);
      const r = await device.sync([...before, ...set.drafts]);
      if (k === 0) original = r.slice(0, NODES.length).map((x) => data(x));
      else tables[k - 1]!.read = r.slice(0, NODES.length);
      tables.push({ set: set.byNode(r.slice(before.length)), read: [], tasks: await agent.scheduledTasks(taskPath) });
      before = gets(device);
    }
    // The last table's read, then DMC-POLL-006 and -007: each a valid schedule, then the failing one.
    const valid6 = replaces(device, VALID);
    const zero = replaces(device, [0, 0, 0, 0, 0, 0]);
    const valid7 = replaces(device, VALID);
    const counts = replaces(device, [15, 0, 60, 0, 1440, 0]);
    const r = await device.sync([...before, ...valid6.drafts, ...zero.drafts, ...valid7.drafts, ...counts.drafts]);
    tables[TABLES.length - 1]!.read = r.slice(0, NODES.length);
    let at = NODES.length + valid6.drafts.length;
    const allZero = zero.byNode(r.slice(at, at + NODES.length));
    at += NODES.length + valid7.drafts.length;
    const countsZero = counts.byNode(r.slice(at, at + NODES.length));

    // The schedule the enrollment had, so the device polls as it did.
    const restore = NODES.flatMap((p, i) => {
      const v = original[i];
      return v === undefined || !/^\d+$/.test(v) ? [] : [device.node(p).replace(Number(v))];
    });
    await device.sync(restore);
    return { tables, allZero, countsZero };
  },
);

export interface Firing {
  set: CommandResult[];
  waitMs: number;
  sessions: number;
  seen: string[];
}

/**
 * DMC-POLL-005, in the access matrix's phase (before the other steps): every schedule one minute apart, the third infinite, so whichever
 * set is current the next poll is due within a minute (device time; the virtual device may run faster by its time
 * scale). No session is triggered while the step waits for the device's own; the schedule is put back at once
 * after (a one-minute schedule left in place while other steps' sessions run would make the device poll all along).
 * The matrix reads the poll nodes in its first session before this step's Replaces (its module sorts first) and
 * writes those values back in its second, the same session as this step's restore.
 */
export const pollFiring = prepare(
  'poll/firing',
  ['DMC-POLL-005'],
  async ({ device, dmcTarget }): Promise<Firing> => {
    const timeScale = dmcTarget.kind === 'virtual' ? dmcTarget.timeScale : 1;
    const oneMinute = replaces(device, ONE_MINUTE);
    const r = await device.sync([...gets(device), ...oneMinute.drafts]);
    const original = r.slice(0, NODES.length).map((x) => data(x));
    const set = oneMinute.byNode(r.slice(NODES.length));
    const waitMs = Math.ceil((3 * 60_000) / timeScale) + 30_000;
    // Only the device's own sessions count: while this step waits here (not on the run plan), no other step's session
    // can start (session-plan.ts runs a shared session only when every step is waiting on it).
    const sessionsBefore = device.sessionsUsed();
    const started = Date.now();
    await device.waitForSessions(2, { timeout: waitMs }).catch(() => undefined);
    const sessions = device.sessionsUsed() - sessionsBefore;
    const seen = device.mdm.sessions().history.filter((h) => Date.parse(h.startedAt) >= started).map((h) => h.startedAt);
    const restore = NODES.flatMap((p, i) => {
      const v = original[i];
      return v === undefined || !/^\d+$/.test(v) ? [] : [device.node(p).replace(Number(v))];
    });
    await device.sync(restore);
    return { set, waitMs, sessions, seen };
  },
  { phase: 0 },
);

/** PollOnLogin and AllUsersPollOnFirstLogin: read, changed and read back in one session; put back in the next. */
export const pollOnLogin = prepare('poll/poll-on-login', ['DMC-POLL-010', 'DMC-POLL-011'], async ({ device }) => {
  const login = device.node(POLL_ON_LOGIN);
  const all = device.node(ALL_USERS_POLL);
  const r = await device.sync([login.get(), all.get(), login.replace(true), all.replace(true), login.get(), all.get(), login.replace(false), login.get()]);
  const initial = r.slice(0, 2);
  await device.sync([login.replace(data(initial[0]) === 'true'), all.replace(data(initial[1]) === 'true')]);
  return { initial, changed: r.slice(2) };
});

export const steps = [pollTables, pollOnLogin, pollFiring];
