/**
 * Run over run: what changed between two results.json, per test (stable ID on one target), then summed per DDF
 * node and per Windows build. A regression is a test that ended well before (passed, fixed, expected failure,
 * not applicable) and badly now (failed, device error, timeout, harness error); a fix is the reverse move to
 * passed or fixed. Every other verdict change is listed as a change, never dropped.
 */
import { testKey, type Results, type TestEntry, type TestErrorInfo, type Verdict } from './results-model.js';
import { BAD_VERDICTS } from './verdict.js';

export interface TestRef {
  id: string;
  target: string;
  title: string;
  verdict: Verdict;
  ddfNodes: string[];
  windowsBuild?: string;
}

export interface VerdictChange {
  id: string;
  target: string;
  title: string;
  from: Verdict;
  to: Verdict;
  ddfNodes: string[];
  oldWindowsBuild?: string;
  newWindowsBuild?: string;
  /** The later run's error for this test, when it ended with one: why it regressed, without opening the report. */
  error?: TestErrorInfo;
}

export interface DiffTally {
  regressions: number;
  fixes: number;
  changes: number;
  added: number;
  removed: number;
}

export interface RunDiff {
  regressions: VerdictChange[];
  fixes: VerdictChange[];
  /** Verdict changes that are neither (failed → expected-failure, passed → not-applicable, ...). */
  changes: VerdictChange[];
  added: TestRef[];
  removed: TestRef[];
  unchanged: number;
  byNode: ({ node: string } & DiffTally)[];
  byWindowsBuild: ({ windowsBuild: string } & DiffTally)[];
  /** Targets whose Windows build differs between the runs: their changes may come from the new build. */
  buildChanges: { target: string; old?: string; new?: string }[];
  /**
   * Runs that did not finish (Playwright's status interrupted or timedout): the tests they never ran show as
   * removed (new run) or added (old run), which is not a change of the suite.
   */
  unfinished: { run: 'old' | 'new'; status: Results['run']['status'] }[];
}

export const UNKNOWN_BUILD = '(unknown build)';
const GOOD_AFTER_FIX: ReadonlySet<Verdict> = new Set(['passed', 'fixed']);

export function classifyChange(from: Verdict, to: Verdict): 'regression' | 'fix' | 'change' | 'same' {
  if (from === to) return 'same';
  if (!BAD_VERDICTS.has(from) && BAD_VERDICTS.has(to)) return 'regression';
  if (BAD_VERDICTS.has(from) && GOOD_AFTER_FIX.has(to)) return 'fix';
  return 'change';
}

function ref(test: TestEntry): TestRef {
  const out: TestRef = { id: test.id, target: test.target, title: test.title, verdict: test.verdict, ddfNodes: test.ddfNodes };
  if (test.windowsBuild !== undefined) out.windowsBuild = test.windowsBuild;
  return out;
}

function emptyTally(): DiffTally {
  return { regressions: 0, fixes: 0, changes: 0, added: 0, removed: 0 };
}

export function diffRuns(oldRun: Results, newRun: Results): RunDiff {
  const before = new Map(oldRun.tests.map((t) => [testKey(t), t]));
  const after = new Map(newRun.tests.map((t) => [testKey(t), t]));
  const diff: RunDiff = {
    regressions: [],
    fixes: [],
    changes: [],
    added: [],
    removed: [],
    unchanged: 0,
    byNode: [],
    byWindowsBuild: [],
    buildChanges: [],
    unfinished: [],
  };
  for (const [run, results] of [['old', oldRun], ['new', newRun]] as const) {
    const status = results.run.status;
    if (status === 'interrupted' || status === 'timedout') diff.unfinished.push({ run, status });
  }
  const nodes = new Map<string, DiffTally>();
  const builds = new Map<string, DiffTally>();
  const count = (nodeList: string[], build: string | undefined, field: keyof DiffTally): void => {
    for (const node of nodeList) {
      if (!nodes.has(node)) nodes.set(node, emptyTally());
      nodes.get(node)![field]++;
    }
    const key = build ?? UNKNOWN_BUILD;
    if (!builds.has(key)) builds.set(key, emptyTally());
    builds.get(key)![field]++;
  };

  for (const [key, now] of after) {
    const was = before.get(key);
    if (was === undefined) {
      diff.added.push(ref(now));
      count(now.ddfNodes, now.windowsBuild, 'added');
      continue;
    }
    const kind = classifyChange(was.verdict, now.verdict);
    if (kind === 'same') {
      diff.unchanged++;
      continue;
    }
    const change: VerdictChange = {
      id: now.id,
      target: now.target,
      title: now.title,
      from: was.verdict,
      to: now.verdict,
      ddfNodes: [...new Set([...was.ddfNodes, ...now.ddfNodes])],
    };
    if (was.windowsBuild !== undefined) change.oldWindowsBuild = was.windowsBuild;
    if (now.windowsBuild !== undefined) change.newWindowsBuild = now.windowsBuild;
    if (now.error !== undefined) change.error = now.error;
    const field = kind === 'regression' ? 'regressions' : kind === 'fix' ? 'fixes' : 'changes';
    diff[field].push(change);
    count(change.ddfNodes, now.windowsBuild, field);
  }
  for (const [key, was] of before) {
    if (after.has(key)) continue;
    diff.removed.push(ref(was));
    count(was.ddfNodes, was.windowsBuild, 'removed');
  }

  const byIdThenTarget = (a: { id: string; target: string }, b: { id: string; target: string }) =>
    a.id.localeCompare(b.id) || a.target.localeCompare(b.target);
  for (const list of [diff.regressions, diff.fixes, diff.changes, diff.added, diff.removed]) list.sort(byIdThenTarget);
  diff.byNode = [...nodes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([node, tally]) => ({ node, ...tally }));
  diff.byWindowsBuild = [...builds.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([windowsBuild, tally]) => ({ windowsBuild, ...tally }));

  for (const target of newRun.targets) {
    const old = oldRun.targets.find((t) => t.name === target.name);
    if (old === undefined || old.windowsBuild === target.windowsBuild) continue;
    const change: RunDiff['buildChanges'][number] = { target: target.name };
    if (old.windowsBuild !== undefined) change.old = old.windowsBuild;
    if (target.windowsBuild !== undefined) change.new = target.windowsBuild;
    diff.buildChanges.push(change);
  }
  return diff;
}

export function hasRegressions(diff: RunDiff): boolean {
  return diff.regressions.length > 0;
}

/** The later run did not finish: a diff gate must not pass it (its missing tests would read as removed). */
export function newRunUnfinished(diff: RunDiff): boolean {
  return diff.unfinished.some((u) => u.run === 'new');
}
