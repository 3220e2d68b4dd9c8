/**
 * Issue #14, item 4: a conformance run killed outright (SIGKILL to `dmc run` and its Playwright children, after some
 * tests finished) leaves a readable results.partial.jsonl, and `dmc report show` (a real `dmc` process) says the run
 * was cut short and lists what finished. A complete run is shown as ended; a directory without a run is refused.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { readPartialResults } from '../report/partial-results.js';
import { resultsText } from '../report/results-io.js';
import { after as sampleRun } from '../report/test-support/sample-runs.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const DMC = join(root, 'bin/dmc.mjs');
const dir = mkdtempSync(join(tmpdir(), 'dmc-report-show-'));
const output = join(dir, 'killed');
const partialFile = join(output, 'results.partial.jsonl');

function dmc(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [DMC, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const finished = (): number => (existsSync(partialFile) ? readFileSync(partialFile, 'utf8').split('\n').filter(Boolean).length : 0);

before(async () => {
  const inventory = join(dir, 'lab.yaml');
  writeFileSync(inventory, 'targets:\n  - kind: virtual\n    name: vm-clean\n');
  // `dmc run` as a user starts it, in its own process group so that the kill reaches Playwright and its workers.
  const child = spawn(
    process.execPath,
    [DMC, 'run', '--config', join(here, 'test-fixtures/run/playwright.config.ts'), '--inventory', inventory, '--workers', '1', '--output', output],
    { cwd: root, env: { ...process.env, CI: '', FORCE_COLOR: '0', DMC_RUN_FIXTURE_HANG: '1' }, stdio: 'ignore', detached: true },
  );
  const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => done(signal)));
  // Generous: on a loaded machine starting Playwright alone takes many seconds. Tests 1-4 finish, 5 hangs.
  const deadline = Date.now() + 90_000;
  while (finished() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  process.kill(-child.pid!, 'SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'dmc run was killed, it did not end by itself');
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a run killed with SIGKILL leaves every finished test in a readable results.partial.jsonl and no results.json', () => {
  assert.equal(existsSync(join(output, 'results.json')), false, 'the reporter never reached onEnd');
  const partial = readPartialResults(partialFile);
  assert.deepEqual(partial.skipped, []);
  assert.deepEqual(partial.tests.map((t) => `${t.id} ${t.target} ${t.verdict}`).sort(), [
    'DMC-RUNFIX-001 vm-clean passed',
    'DMC-RUNFIX-002 vm-clean passed',
    'DMC-RUNFIX-003 vm-clean passed',
    'DMC-RUNFIX-004 vm-clean passed',
  ]);
});

test('dmc report show says the killed run was cut short, lists what finished and exits 1', () => {
  const shown = dmc(['report', 'show', output]);
  assert.equal(shown.status, 1, shown.stderr);
  assert.equal(shown.stderr, '');
  const lines = shown.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'run cut short: there is no results.json, so the run never ended (it was killed or crashed, or is still running)');
  assert.equal(lines[1], `finished before it stopped (${partialFile}): 4 tests on 1 target: 4 passed`);
  assert.deepEqual(lines.slice(2, 6).sort(), ['DMC-RUNFIX-001', 'DMC-RUNFIX-002', 'DMC-RUNFIX-003', 'DMC-RUNFIX-004'].map((id) => `  passed           ${id} on vm-clean`));
  assert.equal(lines.at(-1), 'tests that had not finished are not in the file; run again to get a whole results package');
});

test('a line cut off by the kill in the middle of a write is named and the rest is still shown', () => {
  const torn = join(dir, 'torn');
  mkdirSync(torn);
  copyFileSync(partialFile, join(torn, 'results.partial.jsonl'));
  appendFileSync(join(torn, 'results.partial.jsonl'), '{"id":"DMC-RUNFIX-005","target":"vm-cl');
  const shown = dmc(['report', 'show', torn]);
  assert.equal(shown.status, 1);
  assert.match(shown.stdout, /: 4 tests on 1 target: 4 passed\n/);
  assert.match(shown.stdout, /\n {2}line 5 of results\.partial\.jsonl skipped: cut off \(the run stopped while writing it\)\n/);
});

test('a run that ended is shown as ended (exit 0); a directory without a run is refused in one line (exit 2)', () => {
  const ended = join(dir, 'ended');
  mkdirSync(ended);
  writeFileSync(join(ended, 'results.json'), resultsText(sampleRun));
  writeFileSync(join(ended, 'results.partial.jsonl'), '');
  const shown = dmc(['report', 'show', ended]);
  assert.equal(shown.status, 0, shown.stderr);
  assert.equal(shown.stdout.split('\n')[0], `run ended with status "${sampleRun.run.status}" (${join(ended, 'results.json')})`);

  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const refused = dmc(['report', 'show', empty]);
  assert.equal(refused.status, 2);
  assert.equal(refused.stdout, '');
  assert.equal(refused.stderr, `dmc: The directory ${empty} holds no conformance run: neither results.json nor results.partial.jsonl is in it [DMC_ERR_REPORT_NO_RUN]\n`);
});
