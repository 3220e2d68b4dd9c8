/**
 * `dmc run`'s progress lines, from the two files Playwright's reporters append to: a line per device when its
 * state changes (plan, current test, verdicts, sessions, elapsed time), none when nothing changed, and a line cut
 * in the middle of a write is read once it is whole.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatElapsed, JsonlTail, ProgressTracker } from './progress.js';

const dir = mkdtempSync(join(tmpdir(), 'dmc-progress-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function entry(id: string, target: string, verdict: string, sessions: number): string {
  return `${JSON.stringify({ id, title: id, file: 's.spec.ts', line: 1, ddfNodes: [], specConflicts: [], tags: [], target, verdict, durationMs: 5, retry: 0, attachments: [], sessions })}\n`;
}

test('one line per device as its state changes, with plan, current test, verdicts, sessions and elapsed time', () => {
  const events = join(dir, 'progress.jsonl');
  const partial = join(dir, 'results.partial.jsonl');
  writeFileSync(events, '');
  writeFileSync(partial, '');
  let clock = 0;
  const lines: string[] = [];
  const tracker = new ProgressTracker(events, partial, (l) => lines.push(l), () => clock, 30_000);

  appendFileSync(events, `${JSON.stringify({ event: 'plan', target: 'lab-pc-1', total: 3 })}\n${JSON.stringify({ event: 'plan', target: 'vm', total: 1 })}\n`);
  appendFileSync(events, `${JSON.stringify({ event: 'begin', target: 'lab-pc-1', id: 'DMC-POLL-001', title: 't', at: '' })}\n`);
  clock = 4_000;
  tracker.poll();
  assert.deepEqual(lines, ['[lab-pc-1] 0/3 done · running DMC-POLL-001 · 0 sessions · 4s\n']);

  tracker.poll();
  assert.equal(lines.length, 1, 'nothing changed, nothing printed');

  appendFileSync(events, `${JSON.stringify({ event: 'end', target: 'lab-pc-1', id: 'DMC-POLL-001', status: 'failed', at: '' })}\n`);
  appendFileSync(partial, entry('DMC-POLL-001', 'lab-pc-1', 'failed', 2));
  appendFileSync(events, `${JSON.stringify({ event: 'begin', target: 'lab-pc-1', id: 'DMC-POLL-002', title: 't', at: '' })}\n`);
  clock = 65_000;
  tracker.poll();
  assert.equal(lines.at(-1), '[lab-pc-1] 1/3 done (1 failed) · running DMC-POLL-002 · 2 sessions · 1m05s\n');

  clock = 96_000;
  tracker.poll();
  assert.equal(lines.at(-1), '[lab-pc-1] 1/3 done (1 failed) · running DMC-POLL-002 · 2 sessions · 1m36s\n', 'a heartbeat while it runs');
  assert.equal(lines.length, 3);
});

test('a line is read only once it is whole', () => {
  const file = join(dir, 'tail.jsonl');
  writeFileSync(file, '{"a":1}\n{"b":');
  const tail = new JsonlTail(file);
  assert.deepEqual(tail.read(), [{ a: 1 }]);
  appendFileSync(file, '2}\n');
  assert.deepEqual(tail.read(), [{ b: 2 }]);
  assert.deepEqual(tail.read(), []);
  assert.deepEqual(new JsonlTail(join(dir, 'missing.jsonl')).read(), []);
  assert.equal(formatElapsed(59_400), '59s');
  assert.equal(formatElapsed(3_725_000), '62m05s');
});
