/**
 * Merging shards: the union of tests and targets, sessions added up, the overlap of two shards refused.
 * `dmc report merge` writing a package with its attachments: harness/cli/report-command.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DmcError } from '../errors.js';
import { mergeResults } from './merge.js';
import { makeResults, makeTarget, makeTest } from './test-support/results-builder.js';
import { shard1, shard2 } from './test-support/sample-runs.js';

function thrown(fn: () => unknown): DmcError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DmcError);
    return error;
  }
  assert.fail('expected an error');
}

test('merging shards unites tests and targets and adds up sessions', () => {
  const merged = mergeResults([
    { results: shard1, file: 'shard-1/results.json' },
    { results: shard2, file: 'shard-2/results.json' },
  ]);
  assert.deepEqual(merged.tests.map((t) => `${t.id}@${t.target}`), ['DMC-POLL-001@virtual-a', 'DMC-POLL-002@lab-pc', 'DMC-POLL-003@virtual-a']);
  assert.deepEqual(merged.targets, [
    { name: 'virtual-a', project: 'virtual-a', kind: 'virtual', sessions: 5, profile: 'win11', windowsBuild: '10.0.22631.2000' },
    { name: 'lab-pc', project: 'lab-pc', kind: 'ssh', sessions: 0 },
  ]);
  assert.equal(merged.run.shard, null);
  assert.equal(merged.run.startedAt, '2026-11-28T09:59:00.000Z');
  assert.equal(merged.run.endedAt, '2026-11-28T10:06:00.000Z');
  assert.equal(merged.run.status, 'failed');
  assert.deepEqual(merged.run.warnings, ['shard-1/results.json: w1']);
  assert.deepEqual(merged.run.mergedFrom?.map((m) => [m.file, m.shard?.current]), [['shard-1/results.json', 1], ['shard-2/results.json', 2]]);
});

test('the same test in two shards, or a target described two ways, is refused', () => {
  const twice = thrown(() => mergeResults([{ results: shard1, file: 'a.json' }, { results: shard1, file: 'b.json' }]));
  assert.equal(twice.code, 'DMC_ERR_REPORT_MERGE_DUPLICATE');
  assert.equal(twice.message, 'Cannot merge: test "DMC-POLL-001" on target "virtual-a" is in both a.json and b.json');

  const other = makeResults([makeTest({ id: 'DMC-X-001' })], [makeTarget({ name: 'virtual-a', profile: 'win10' })]);
  const conflict = thrown(() => mergeResults([{ results: shard1, file: 'a.json' }, { results: other, file: 'c.json' }]));
  assert.equal(conflict.message, 'Cannot merge: target "virtual-a" has profile "win11" in a.json but "win10" in c.json');
  assert.equal(thrown(() => mergeResults([])).code, 'DMC_ERR_REPORT_MERGE_NOTHING');
});

test('verdict counts per target add up across shards, unconfirmed included; a shard without counts drops them', () => {
  const counts = (passed: number, unconfirmed: number) => ({ passed, unconfirmed, failed: 0 });
  const withCounts = (results: typeof shard1, n: number) => ({ ...results, targets: results.targets.map((t) => ({ ...t, verdicts: counts(n, 1) })) });
  // virtual-a ran in both shards, lab-pc only in the first.
  const merged = mergeResults([
    { results: withCounts(shard1, 2), file: 'shard-1/results.json' },
    { results: withCounts(shard2, 3), file: 'shard-2/results.json' },
  ]);
  assert.deepEqual(Object.fromEntries(merged.targets.map((t) => [t.name, t.verdicts])), { 'virtual-a': counts(5, 2), 'lab-pc': counts(2, 1) });
  const partial = mergeResults([
    { results: withCounts(shard1, 2), file: 'shard-1/results.json' },
    { results: shard2, file: 'shard-2/results.json' },
  ]);
  assert.equal(partial.targets.find((t) => t.name === 'virtual-a')!.verdicts, undefined);
});

/** Shard 1 and shard 2 with `field` of the virtual-a target set to the two values: the merged target's value. */
function mergedVirtualA(field: 'transcriptLinesLost' | 'largestServerMessageBytes', values: [number, number]): Record<string, number | undefined> {
  const withValue = (results: typeof shard1, value: number) => ({ ...results, targets: results.targets.map((t) => (t.name === 'virtual-a' ? { ...t, [field]: value } : t)) });
  const merged = mergeResults([
    { results: withValue(shard1, values[0]), file: 'shard-1/results.json' },
    { results: withValue(shard2, values[1]), file: 'shard-2/results.json' },
  ]);
  return Object.fromEntries(merged.targets.map((t) => [t.name, t[field]]));
}

test('lost transcript lines add up across shards; a target that lost none has no count', () => {
  assert.deepEqual(mergedVirtualA('transcriptLinesLost', [2, 5]), { 'virtual-a': 7, 'lab-pc': undefined });
});

test('the largest server message of a target is the largest of its shards, not their sum', () => {
  assert.deepEqual(mergedVirtualA('largestServerMessageBytes', [5699, 112640]), { 'virtual-a': 112640, 'lab-pc': undefined });
});
