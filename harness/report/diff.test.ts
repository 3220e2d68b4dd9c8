/**
 * Run-over-run diff: regressions, fixes, other changes, new and removed tests, tallies per DDF node and per
 * Windows build, and the printed form. `dmc report diff` and its exit code: harness/cli/report-command.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyChange, diffRuns } from './diff.js';
import { formatDiff } from './diff-text.js';
import { makeResults, makeTest } from './test-support/results-builder.js';
import { after, before, INTERVAL, RETRIES } from './test-support/sample-runs.js';

test('classifies verdict moves: good → bad regresses, bad → passed or fixed is a fix, the rest are changes', () => {
  assert.equal(classifyChange('passed', 'failed'), 'regression');
  assert.equal(classifyChange('not-applicable', 'timeout'), 'regression');
  assert.equal(classifyChange('expected-failure', 'harness-error'), 'regression');
  assert.equal(classifyChange('failed', 'fixed'), 'fix');
  assert.equal(classifyChange('harness-error', 'passed'), 'fix');
  assert.equal(classifyChange('failed', 'expected-failure'), 'change');
  assert.equal(classifyChange('failed', 'device-error'), 'change');
  assert.equal(classifyChange('passed', 'not-applicable'), 'change');
  assert.equal(classifyChange('passed', 'passed'), 'same');
  // Unconfirmed is a bad end: a real device contradicted an assumed fact.
  assert.equal(classifyChange('passed', 'unconfirmed'), 'regression');
  assert.equal(classifyChange('unconfirmed', 'passed'), 'fix');
  assert.equal(classifyChange('unconfirmed', 'failed'), 'change', 'the fact was confirmed (observed): the failure is the device');
  assert.equal(classifyChange('failed', 'unconfirmed'), 'change');
});

test('diffRuns lists regressions, fixes, changes, new and removed tests, per node and per build', () => {
  const diff = diffRuns(before, after);
  assert.deepEqual(
    diff.regressions.map((c) => [c.id, c.from, c.to, c.oldWindowsBuild, c.newWindowsBuild]),
    [['DMC-POLL-001', 'passed', 'device-error', '10.0.22631.1000', '10.0.22631.2000']],
  );
  assert.deepEqual(diff.fixes.map((c) => [c.id, c.from, c.to]), [['DMC-POLL-002', 'failed', 'passed']]);
  assert.deepEqual(diff.changes.map((c) => [c.id, c.from, c.to]), [['DMC-POLL-004', 'failed', 'expected-failure']]);
  assert.deepEqual(diff.added.map((t) => [t.id, t.verdict]), [['DMC-NEW-001', 'failed']]);
  assert.deepEqual(diff.removed.map((t) => t.id), ['DMC-OLD-001']);
  assert.equal(diff.unchanged, 1);
  assert.deepEqual(diff.byNode, [
    { node: INTERVAL, regressions: 0, fixes: 1, changes: 0, added: 0, removed: 0 },
    { node: RETRIES, regressions: 1, fixes: 0, changes: 1, added: 1, removed: 1 },
  ]);
  assert.deepEqual(diff.byWindowsBuild, [
    { windowsBuild: '10.0.22631.1000', regressions: 0, fixes: 0, changes: 0, added: 0, removed: 1 },
    { windowsBuild: '10.0.22631.2000', regressions: 1, fixes: 1, changes: 1, added: 1, removed: 0 },
  ]);
  assert.deepEqual(diff.buildChanges, [{ target: 'virtual-a', old: '10.0.22631.1000', new: '10.0.22631.2000' }]);
  // The same key on another target is another test.
  const otherTarget = makeResults([makeTest({ id: 'DMC-POLL-001', target: 'lab-pc' })]);
  assert.deepEqual([diffRuns(before, otherTarget).added.length, diffRuns(before, otherTarget).removed.length], [1, 5]);
});

test('the printed diff leads with a summary line and names each regression with its node', () => {
  const text = formatDiff(diffRuns(before, after), { old: 'old.json', new: 'new.json' });
  const lines = text.split('\n');
  assert.equal(
    lines[0],
    'Conformance diff old.json → new.json: 1 regression, 1 fix, 1 other change, 1 new test, 1 removed test; 1 unchanged',
  );
  const at = lines.indexOf('Regressions:');
  assert.deepEqual(lines.slice(at, at + 4), [
    'Regressions:',
    '  DMC-POLL-001 on virtual-a (10.0.22631.1000 → 10.0.22631.2000): passed → device-error  checks DMC-POLL-001',
    '      error: Error: Get ./Vendor/MSFT/DMClient/Provider/DMCHarness/Poll/NumberOfFirstRetries: device answered 500 ' +
      '[DMC_ERR_SCRIPT_COMMAND_FAILED] (suites/dmclient/poll.spec.ts:12)',
    `      ${RETRIES}`,
  ]);
  // The code is not repeated when the message names it; a fix has no error to show.
  assert.ok(lines.includes('      error: Error: expected 3, got 5 [DMC_ERR_X]'));
  const expectFailure = makeResults([makeTest({
    id: 'DMC-POLL-001',
    verdict: 'failed',
    error: { message: `Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: "15"\nReceived: "${'9'.repeat(400)}"` },
  })]);
  const expectLine = formatDiff(diffRuns(before, expectFailure), { old: 'a', new: 'b' }).split('\n').find((l) => l.startsWith('      error:'));
  assert.equal(expectLine?.length, '      error: '.length + 300, 'cut to a log line');
  assert.ok(expectLine?.startsWith('      error: Error: expect(received).toBe(expected) // Object.is equality · Expected: "15" · Received: "999'));
  assert.ok(expectLine?.endsWith('9…'));
  const fixes = lines.indexOf('Fixes:');
  assert.equal(lines[fixes + 2], `      ${INTERVAL}`, 'under a fix, its node follows at once');
  assert.ok(lines.includes('  virtual-a: 10.0.22631.1000 → 10.0.22631.2000'));
  assert.ok(lines.includes(`  ${INTERVAL}: 1 fix`));
  assert.equal(formatDiff(diffRuns(before, before), { old: 'a', new: 'b' }), 'Conformance diff a → b: no changes; 5 unchanged\n');
});
