/**
 * Builds valid results for the report tests: a test names only what it checks, the rest takes plain defaults.
 */
import { RESULTS_FORMAT, RESULTS_FORMAT_VERSION, type Results, type TargetInfo, type TestEntry } from '../results-model.js';

export const POLL = './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/Poll';

export function makeTest(fields: Partial<TestEntry> & Pick<TestEntry, 'id'>): TestEntry {
  return {
    title: `checks ${fields.id}`,
    file: 'suites/dmclient/poll.spec.ts',
    line: 10,
    ddfNodes: [`${POLL}/NumberOfFirstRetries`],
    specConflicts: [],
    tags: ['group:poll'],
    target: 'virtual-a',
    verdict: 'passed',
    durationMs: 12,
    retry: 0,
    attachments: [],
    ...fields,
  };
}

export function makeTarget(fields: Partial<TargetInfo> & Pick<TargetInfo, 'name'>): TargetInfo {
  return { project: fields.name, kind: 'virtual', sessions: 0, ...fields };
}

export function makeResults(tests: TestEntry[], targets?: TargetInfo[], run: Partial<Results['run']> = {}): Results {
  const names = [...new Set(tests.map((t) => t.target))];
  return {
    format: RESULTS_FORMAT,
    formatVersion: RESULTS_FORMAT_VERSION,
    run: {
      harnessVersion: '0.1.0',
      playwrightVersion: '1.65.1',
      inventory: null,
      commandLine: ['dmc', 'run'],
      startedAt: '2026-11-28T10:00:00.000Z',
      endedAt: '2026-11-28T10:05:00.000Z',
      shard: null,
      status: 'passed',
      warnings: [],
      ...run,
    },
    targets: targets ?? names.map((name) => makeTarget({ name })),
    tests,
  };
}
