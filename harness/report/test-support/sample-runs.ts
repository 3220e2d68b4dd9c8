/**
 * Sample runs shared by the diff, merge and `dmc report` tests: two runs of one target across a Windows update,
 * and two shards of one run.
 */
import { makeResults, makeTarget, makeTest, POLL } from './results-builder.js';

export const RETRIES = `${POLL}/NumberOfFirstRetries`;
export const INTERVAL = `${POLL}/IntervalForFirstSetOfRetries`;

/** Before: run on build 1000. After: build 2000; one regression, one fix, one other change, one new, one removed. */
export const before = makeResults(
  [
    makeTest({ id: 'DMC-POLL-001', verdict: 'passed', windowsBuild: '10.0.22631.1000' }),
    makeTest({ id: 'DMC-POLL-002', verdict: 'failed', ddfNodes: [INTERVAL], windowsBuild: '10.0.22631.1000' }),
    makeTest({ id: 'DMC-POLL-003', verdict: 'passed', ddfNodes: [INTERVAL], windowsBuild: '10.0.22631.1000' }),
    makeTest({ id: 'DMC-POLL-004', verdict: 'failed', windowsBuild: '10.0.22631.1000' }),
    makeTest({ id: 'DMC-OLD-001', verdict: 'passed', windowsBuild: '10.0.22631.1000' }),
  ],
  [makeTarget({ name: 'virtual-a', windowsBuild: '10.0.22631.1000' })],
);
export const after = makeResults(
  [
    makeTest({
      id: 'DMC-POLL-001',
      verdict: 'device-error',
      windowsBuild: '10.0.22631.2000',
      error: { message: 'Error: Get ./Vendor/MSFT/DMClient/Provider/DMCHarness/Poll/NumberOfFirstRetries: device answered 500\n    at poll.spec.ts:12', code: 'DMC_ERR_SCRIPT_COMMAND_FAILED', location: 'suites/dmclient/poll.spec.ts:12' },
    }),
    makeTest({ id: 'DMC-POLL-002', verdict: 'passed', ddfNodes: [INTERVAL], windowsBuild: '10.0.22631.2000' }),
    makeTest({ id: 'DMC-POLL-003', verdict: 'passed', ddfNodes: [INTERVAL], windowsBuild: '10.0.22631.2000' }),
    makeTest({ id: 'DMC-POLL-004', verdict: 'expected-failure', windowsBuild: '10.0.22631.2000', error: { message: 'Error: expected 3, got 5 [DMC_ERR_X]', code: 'DMC_ERR_X' } }),
    makeTest({ id: 'DMC-NEW-001', verdict: 'failed', windowsBuild: '10.0.22631.2000' }),
  ],
  [makeTarget({ name: 'virtual-a', windowsBuild: '10.0.22631.2000' })],
);

export const shard1 = makeResults(
  [makeTest({ id: 'DMC-POLL-001', sessions: 2 }), makeTest({ id: 'DMC-POLL-002', target: 'lab-pc', verdict: 'failed' })],
  [makeTarget({ name: 'virtual-a', sessions: 2, profile: 'win11' }), makeTarget({ name: 'lab-pc', kind: 'ssh', sessions: 0 })],
  { shard: { current: 1, total: 2 }, startedAt: '2026-11-28T10:00:00.000Z', endedAt: '2026-11-28T10:04:00.000Z', warnings: ['w1'] },
);
export const shard2 = makeResults(
  [makeTest({ id: 'DMC-POLL-003', sessions: 3, windowsBuild: '10.0.22631.2000' })],
  [makeTarget({ name: 'virtual-a', sessions: 3, profile: 'win11', windowsBuild: '10.0.22631.2000' })],
  { shard: { current: 2, total: 2 }, startedAt: '2026-11-28T09:59:00.000Z', endedAt: '2026-11-28T10:06:00.000Z', status: 'failed' },
);
