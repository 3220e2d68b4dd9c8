/**
 * `dmc run` end to end with the real fixtures and suites, on small selections of tests so it stays affordable:
 * - two virtual devices in parallel plus an ssh target whose port is closed: the virtual devices pass, the
 *   unreachable target fails its own tests as harness errors and nothing else, and the run exits 1;
 * - two Get-only nodes of the access-type matrix on a clean virtual device and on one with the quirk accept-replace-on-get-only:
 *   `dmc report diff` finds the regression and exits 1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { diffRuns } from '../report/diff.js';
import { readResults } from '../report/results-io.js';
import { registerReportCommand } from './report-command.js';
import { dmcRun as runDmc, type DmcRunOutcome } from './test-support/dmc-run.js';

const dir = mkdtempSync(join(tmpdir(), 'dmc-run-suites-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Two Get-only nodes of the matrix (MaxSyncApplicationVersion, EnrollmentType): the quirk answers 200 to Replace. */
const GET_ONLY = 'DMC-MATRIX-0(32|36) ';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function dmcRun(args: string[]): Promise<DmcRunOutcome> {
  return runDmc(args, { env: { ...process.env, DMC_SUITES_TEST_PASSWORD: 'run-suites-password' } });
}

describe('dmc run on the real suites', { timeout: 240_000 }, () => {
  it('two virtual devices pass in parallel; an unreachable ssh target fails only its own tests', async () => {
    const inventory = join(dir, 'mixed.yaml');
    writeFileSync(
      inventory,
      [
        'harness:',
        '  passwordEnv: DMC_SUITES_TEST_PASSWORD',
        'targets:',
        '  - { kind: virtual, name: vm-a }',
        '  - { kind: virtual, name: vm-b, profile: win10-22h2-pro-notpm }',
        `  - { kind: ssh, name: gone-pc, host: 127.0.0.1, port: ${await closedPort()}, user: admin, auth: { keyFile: ${join(dir, 'no-key')} }, acceptNewHostKey: true, connectTimeoutMs: 2000 }`,
        '',
      ].join('\n'),
    );
    const output = join(dir, 'mixed');
    const { out, exitCode } = await dmcRun(['--inventory', inventory, '--grep', 'DMC-SYNCVER-00[12] ', '--workers', '2', '--output', output]);
    assert.equal(exitCode, 1, out);
    const results = readResults(join(output, 'results.json'));
    const byTarget = (name: string) => results.tests.filter((t) => t.target === name).map((t) => `${t.id} ${t.verdict}`).sort();
    assert.deepEqual(byTarget('vm-a'), ['DMC-SYNCVER-001 passed', 'DMC-SYNCVER-002 passed']);
    assert.deepEqual(byTarget('vm-b'), ['DMC-SYNCVER-001 passed', 'DMC-SYNCVER-002 passed']);
    assert.deepEqual(byTarget('gone-pc'), ['DMC-SYNCVER-001 harness-error', 'DMC-SYNCVER-002 harness-error']);
    assert.ok(results.targets.filter((t) => t.kind === 'virtual').every((t) => t.sessions > 0), 'sessions are counted per device');
    assert.match(readFileSync(join(output, 'playwright.log'), 'utf8'), /using 2 workers/);
    assert.match(out, /6 tests on 3 targets: 4 passed, 2 harness-error\n/);
    // Said before the run started, and the other targets ran all the same.
    assert.match(out, /\n  gone-pc: admin@127\.0\.0\.1:\d+: no way to log in: the key file "[^"]*no-key" cannot be read \[DMC_ERR_AGENT_NO_CREDENTIALS\]; its tests will end as harness errors\n/);
    assert.ok(out.indexOf('gone-pc: admin@') < out.indexOf('6 tests on 3 targets'), out);
  });

  it('report diff finds the regression a quirky device brings to the access-type matrix', async () => {
    const clean = join(dir, 'clean.yaml');
    const quirky = join(dir, 'quirky.yaml');
    writeFileSync(clean, 'targets:\n  - { kind: virtual, name: vm }\n');
    writeFileSync(quirky, 'targets:\n  - { kind: virtual, name: vm, quirks: [accept-replace-on-get-only] }\n');
    const [before, after] = await Promise.all([
      dmcRun(['--inventory', clean, '--grep', GET_ONLY, '--output', join(dir, 'before')]),
      dmcRun(['--inventory', quirky, '--grep', GET_ONLY, '--output', join(dir, 'after')]),
    ]);
    assert.equal(before.exitCode, 0, before.out);
    assert.equal(after.exitCode, 1, after.out);
    const diff = diffRuns(readResults(join(dir, 'before', 'results.json')), readResults(join(dir, 'after', 'results.json')));
    assert.deepEqual(diff.regressions.map((r) => `${r.id} ${r.from} → ${r.to}`), ['DMC-MATRIX-032 passed → failed', 'DMC-MATRIX-036 passed → failed']);

    const program = new Command('dmc').exitOverride();
    let text = '';
    let code: number | undefined;
    registerReportCommand(program, { write: (t) => (text += t), setExitCode: (c) => (code = c) });
    program.parse(['report', 'diff', join(dir, 'before', 'results.json'), join(dir, 'after', 'results.json')], { from: 'user' });
    assert.equal(code, 1);
    assert.match(text, /: 2 regressions/);
  });
});
