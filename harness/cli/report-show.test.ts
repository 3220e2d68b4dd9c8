/**
 * Issue #14, item 4: a conformance run killed outright (SIGKILL to the Playwright runner and workers under `dmc run`,
 * after some tests finished) leaves a readable results.partial.jsonl, and `dmc report show` (a real `dmc` process) says the run
 * was cut short and lists what finished. A complete run is shown as ended; a directory without a run is refused.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** The processes of a process group (Linux /proc), so the test can kill Playwright under a living `dmc run`. */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[2]) === pgid ? [Number(d)] : [];
    } catch {
      return []; // the process ended while the list was read
    }
  });
}

let dmcRunOutput = '';
let dmcRunExit: number | null = null;
let group: number | undefined;

before(async () => {
  const inventory = join(dir, 'lab.yaml');
  writeFileSync(inventory, 'targets:\n  - kind: virtual\n    name: vm-clean\n');
  // `dmc run` as a user starts it, in a process group of its own with the Playwright runner and workers it starts.
  const child = spawn(
    process.execPath,
    [DMC, 'run', '--config', join(here, 'test-fixtures/run/playwright.config.ts'), '--inventory', inventory, '--workers', '1', '--output', output],
    { cwd: root, env: { ...process.env, CI: '', FORCE_COLOR: '0', DMC_RUN_FIXTURE_HANG: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  group = child.pid;
  child.stdout!.on('data', (d: Buffer) => (dmcRunOutput += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (dmcRunOutput += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // Generous: on a loaded machine starting Playwright alone takes many seconds. Tests 1-4 finish, 5 hangs.
  const deadline = Date.now() + 90_000;
  while (finished() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // SIGKILL to Playwright (runner and workers), as an out-of-memory kill would: nothing of it can write a report.
  const playwright = groupMembers(child.pid!).filter((pid) => pid !== child.pid);
  assert.ok(playwright.length > 0, 'Playwright runs under dmc run');
  for (const pid of playwright) process.kill(pid, 'SIGKILL');
  dmcRunExit = await exited;
});

after(() => {
  // Whatever of the run is still alive when a test failed early (the group is the one this file started).
  if (group !== undefined) for (const pid of groupMembers(group)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('dmc run outlives its killed Playwright, exits 1 and points at the finished tests', () => {
  assert.equal(dmcRunExit, 1, dmcRunOutput);
  assert.ok(
    dmcRunOutput.includes(
      `Playwright ended (SIGKILL) without writing ${join(output, 'results.json')}; finished tests, if any, are in ${partialFile} ` +
        `(dmc report show ${output} lists them). Last lines of ${join(output, 'playwright.log')}:\n`,
    ),
    dmcRunOutput,
  );
});

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
