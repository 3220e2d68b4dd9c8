/**
 * `dmc run` on real Playwright runs of test-fixtures/run (conformance-shaped tests on the targets of an inventory):
 * a broken inventory is refused before anything starts; a run with a deviant device exits 1 and names the test, a
 * clean one exits 0; the results.json passes its schema; two shards merged give the same tests and verdicts as one
 * run; a run stopped with Ctrl-C keeps every finished test in results.partial.jsonl.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { mergeResultFiles } from '../report/merge.js';
import { readResults } from '../report/results-io.js';
import { testEntrySchema, type Results } from '../report/results-model.js';
import { missingCredentials } from './lab-target.js';
import { grepPattern, parseShard, planRun } from './run/plan.js';
import { tagsOfListing } from './run/suite-tags.js';
import { dmcRun as runDmc, type DmcRunOutcome } from './test-support/dmc-run.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const config = join(here, 'test-fixtures/run/playwright.config.ts');
const dir = mkdtempSync(join(tmpdir(), 'dmc-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const inventory = join(dir, 'lab.yaml');
writeFileSync(inventory, 'targets:\n  - kind: virtual\n    name: vm-clean\n  - kind: virtual\n    name: vm-deviant\n    profile: win10-22h2-pro-notpm\n');

/** `dmc run` with the fixtures' Playwright config; `env` adds to this process's environment. */
function dmcRun(args: string[], options: { signals?: EventEmitter; env?: NodeJS.ProcessEnv } = {}): Promise<DmcRunOutcome> {
  return runDmc(['--config', config, ...args], { env: { ...process.env, ...options.env }, signals: options.signals, pollMs: 100 });
}

const verdicts = (results: Results): string[] => results.tests.map((t) => `${t.target} ${t.id} ${t.verdict}`).sort();

describe('dmc run: before anything starts', () => {
  it('refuses a broken inventory with file:line and field, and creates nothing', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'targets:\n  - kind: virtual\n    name: vm-1\n    profile: win12-enterprise\n');
    const output = join(dir, 'never');
    await assert.rejects(dmcRun(['--inventory', broken, '--output', output]), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'DMC_ERR_FIXTURES_INVENTORY_INVALID');
      assert.match(error.message, /^broken\.yaml:4:14: targets\[0\]\.profile: /);
      return true;
    });
    assert.equal(existsSync(output), false, 'no output directory: Playwright never started');
  });

  it('refuses an unknown target, a bad shard and a bad --grep with one line each', async () => {
    await assert.rejects(dmcRun(['--inventory', inventory, '--target', 'vm-9']), {
      message: `target "vm-9" is not in ${inventory} (its targets: vm-clean, vm-deviant)`,
    });
    assert.throws(() => parseShard('3/2'), { message: 'option --shard: received "3/2", expected i/n with 1 <= i <= n, e.g. 1/3' });
    assert.throws(() => grepPattern('(', []), { code: 'DMC_ERR_CLI_INVALID_OPTION' });
  });

  it('--certify refuses an expectation that could apply, before the run', async () => {
    const expectations = join(dir, 'expectations');
    mkdirSync(expectations);
    writeFileSync(
      join(expectations, 'lab.yaml'),
      'expectations:\n  - test: DMC-RUNFIX-004\n    expected: fail\n    reason: 200 instead of 405\n    link: https://example.com/issues/1\n    expires: 2099-01-01\n',
    );
    const output = join(dir, 'certify-never');
    await assert.rejects(dmcRun(['--inventory', inventory, '--certify', '--output', output], { env: { DMC_EXPECTATIONS_DIR: expectations } }), {
      code: 'DMC_ERR_CLI_CERTIFY_REFUSED',
      message:
        '--certify refused before the run: 1 problem:\n' +
        '  lab.yaml:2: expectation for DMC-RUNFIX-004 (fail, in force until 2099-01-01) could apply to this run; --certify allows no expectation',
    });
    assert.equal(existsSync(output), false);
  });

  it('names each real target of the run that lacks its enrollment password or ssh login here', () => {
    const lab = join(dir, 'ssh-lab.yaml');
    writeFileSync(lab, [
      'targets:',
      '  - kind: virtual',
      '    name: vm-clean',
      '  - kind: ssh',
      '    name: pc-1',
      '    host: 192.0.2.1',
      '    user: admin',
      '    auth: { passwordEnv: DMC_TEST_UNSET_PASSWORD }',
      '    hostKey: SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
      '',
    ].join('\n'));
    const plan = (target: string[]) => planRun({ inventory: lab, target }, { projectRoot: root, startedAt: new Date(), commandLine: [] });
    const missing = (env: Record<string, string>, target: string[] = []) =>
      missingCredentials(plan(target).inventory, plan(target).targets, env).map((m) => `${m.target} ${m.problem.code}: ${m.problem.message}`);
    assert.deepEqual(missing({}), ['pc-1 DMC_ERR_FIXTURES_ENV_MISSING: environment variable DMC_PASSWORD is not set (it holds the enrollment password (harness.passwordEnv))']);
    assert.deepEqual(missing({ DMC_PASSWORD: 'enroll' }), [
      'pc-1 DMC_ERR_AGENT_NO_CREDENTIALS: admin@192.0.2.1:22: no way to log in: the environment variable DMC_TEST_UNSET_PASSWORD named by passwordEnv is not set',
    ]);
    assert.deepEqual(missing({ DMC_PASSWORD: 'enroll', DMC_TEST_UNSET_PASSWORD: 'set' }), []);
    assert.deepEqual(missing({}, ['vm-clean']), [], 'a target left out by --target is not checked');
  });

  it('hands Playwright the inventory, results dir, targets, tags and shard', () => {
    const plan = planRun(
      { inventory, target: ['vm-deviant'], tag: ['group:poll', '@cap:tpm'], grep: 'RUNFIX', shard: '2/3', output: join(dir, 'o') },
      { projectRoot: root, startedAt: new Date('2026-11-28T17:55:03.120Z'), commandLine: ['dmc', 'run'] },
    );
    assert.deepEqual(plan.args.slice(3), ['--project', 'vm-deviant', '--grep', plan.args[6], '--shard', '2/3']);
    const grep = new RegExp(plan.args[6]!);
    assert.ok(grep.test('DMC-RUNFIX-001 poll @group:poll'));
    assert.ok(!grep.test('DMC-RUNFIX-001 poll @group:polling'), 'a tag matches whole');
    assert.ok(!grep.test('DMC-OTHER-001 @group:poll'), '--grep still applies');
    assert.equal(plan.env['DMC_INVENTORY'], inventory);
    assert.equal(plan.env['DMC_RESULTS_DIR'], join(dir, 'o'));
    assert.equal(plan.outputOption, '--output');
    assert.equal(plan.env['DMC_BLOB'], '1');
    assert.equal(plan.filter, '--grep "RUNFIX" --tag group:poll --tag @cap:tpm');
    assert.deepEqual(plan.listArgs.slice(3), ['--project', 'vm-deviant', '--list', '--reporter=json'], 'the listing keeps the targets, not the filter or shard');
    const byDefault = planRun({}, { projectRoot: root, startedAt: new Date('2026-11-28T17:55:03.120Z'), commandLine: [] });
    assert.equal(byDefault.outputDir, join(root, 'results', '2026-11-28T17-55-03Z'));
    // An unusable default folder is not blamed on an option the user never gave.
    assert.equal(byDefault.outputOption, '--output (not given: the default results/<run-id>)');
    assert.equal(byDefault.env['DMC_INVENTORY'], undefined);
    assert.equal(byDefault.filter, undefined);
  });

  it('reads the tags from Playwright\'s listing, and none from a listing it cannot read', () => {
    const listing = { suites: [{ specs: [{ tags: ['group:poll'] }], suites: [{ specs: [{ tags: ['cap:tpm', 'group:poll'] }, {}] }] }] };
    assert.deepEqual(tagsOfListing(JSON.stringify(listing)), ['@cap:tpm', '@group:poll']);
    assert.deepEqual(tagsOfListing('{"suites":[]}'), []);
    assert.equal(tagsOfListing('Error: cannot load the config'), undefined);
    assert.equal(tagsOfListing('{"suites":[{"specs":[{"tags":"group:poll"}]}]}'), undefined);
  });
});

describe('dmc run: real runs', () => {
  // One full run and its two shards start together: each spends most of its time starting Playwright.
  const full = dmcRun(['--inventory', inventory, '--output', join(dir, 'full')]);
  const shards = [1, 2].map((i) => dmcRun(['--inventory', inventory, '--shard', `${i}/2`, '--workers', '1', '--output', join(dir, `shard-${i}`)]));

  it('exits 1 when a device deviates, names the test, and writes a results.json that passes its schema', async () => {
    const { out, exitCode } = await full;
    assert.equal(exitCode, 1, out);
    assert.match(out, /^dmc run: vm-clean \(virtual\), vm-deviant \(virtual\) → /);
    assert.match(out, /\[vm-deviant\] 5\/5 done \(.*1 failed.*\) · 5 sessions · (?:\d+m)?\d+s\n/);
    assert.match(out, /10 tests on 2 targets: 9 passed, 1 failed\n/);
    assert.match(out, /  failed: DMC-RUNFIX-004 on vm-deviant — Error: Replace on a Get-only node · Expected: "405" · Received: "200"/);
    const results = readResults(join(dir, 'full', 'results.json'));
    assert.deepEqual(results.targets.map((t) => [t.name, t.sessions]), [['vm-clean', 5], ['vm-deviant', 5]]);
    const partial = readFileSync(join(dir, 'full', 'results.partial.jsonl'), 'utf8').trim().split('\n');
    assert.equal(partial.length, 10);
    for (const line of partial) testEntrySchema.parse(JSON.parse(line));
  });

  it('two shards merged give the same tests and verdicts as one run', async () => {
    const [one, two] = await Promise.all(shards);
    assert.equal(one!.exitCode === 1 || two!.exitCode === 1, true, 'the deviant test is in one of the shards');
    const merged = mergeResultFiles([join(dir, 'shard-1', 'results.json'), join(dir, 'shard-2', 'results.json')], join(dir, 'merged'));
    const single = readResults(join(dir, 'full', 'results.json'));
    assert.deepEqual(verdicts(merged), verdicts(single));
    assert.deepEqual(merged.run.mergedFrom?.map((m) => m.shard), [{ current: 1, total: 2 }, { current: 2, total: 2 }]);
    // Each shard left a blob report; Playwright's merge-reports reads them back as one run of 10 tests.
    const blobs = join(dir, 'blobs');
    mkdirSync(blobs);
    for (const i of [1, 2]) {
      const files = readdirSync(join(dir, `shard-${i}`, 'blob-report'));
      assert.deepEqual(files, [`report-${i}.zip`]);
      copyFileSync(join(dir, `shard-${i}`, 'blob-report', files[0]!), join(blobs, files[0]!));
    }
    const mergeReports = spawnSync(process.execPath, [join(root, 'node_modules/@playwright/test/cli.js'), 'merge-reports', '--reporter', 'json', blobs], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(mergeReports.status, 0, mergeReports.stderr);
    const json = JSON.parse(mergeReports.stdout) as { stats: { expected: number; unexpected: number } };
    assert.deepEqual([json.stats.expected, json.stats.unexpected], [9, 1]);
  });

  it('exits 0 when nothing unexpected happened (--tag and --target select the tests)', async () => {
    await full;
    const { out, exitCode } = await dmcRun(['--inventory', inventory, '--target', 'vm-deviant', '--tag', 'group:poll', '--tag', 'group:identity', '--output', join(dir, 'clean')]);
    assert.equal(exitCode, 0, out);
    assert.match(out, /3 tests on 1 target: 3 passed\n/);
  });

  it('a --tag that no test has is refused naming the tags there are, not as an error outside a test', async () => {
    await full;
    await assert.rejects(
      dmcRun(['--inventory', inventory, '--target', 'vm-clean', '--tag', 'group:pol', '--output', join(dir, 'no-match')]),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'DMC_ERR_CLI_NO_TESTS_MATCH');
        assert.equal(error.message, "no test matches --tag group:pol; the tests' tags: group:access, group:identity, group:poll, group:slow");
        return true;
      },
    );
  });

  it('exits 1 with Playwright\'s words when a spec file does not load', async () => {
    await full;
    const { out, exitCode } = await dmcRun(['--target', 'vm-clean', '--inventory', inventory, '--output', join(dir, 'broken-spec')], { env: { DMC_RUN_FIXTURE_BROKEN: '1' } });
    assert.equal(exitCode, 1, out);
    assert.match(out, /Playwright exited with code 1: error outside a test at does-not-load\.spec-broken\.ts:\d+: Error: this spec file does not load/);
    const filtered = await dmcRun(['--target', 'vm-clean', '--inventory', inventory, '--tag', 'group:poll', '--output', join(dir, 'broken-spec-tag')], { env: { DMC_RUN_FIXTURE_BROKEN: '1' } });
    assert.equal(filtered.exitCode, 1, filtered.out);
    assert.match(filtered.out, /error outside a test at does-not-load\.spec-broken\.ts:\d+: Error: this spec file does not load/, 'not taken for a tag that matches nothing');
  });

  it('Ctrl-C stops the run and keeps every finished test on disk', async () => {
    await full;
    const signals = new EventEmitter();
    const output = join(dir, 'killed');
    const running = dmcRun(['--inventory', inventory, '--target', 'vm-clean', '--workers', '1', '--output', output], { signals, env: { DMC_RUN_FIXTURE_HANG: '1' } });
    const partialFile = join(output, 'results.partial.jsonl');
    const finishedBeforeHang = (): number => (existsSync(partialFile) ? readFileSync(partialFile, 'utf8').trim().split('\n').filter(Boolean).length : 0);
    // Generous: on a loaded machine starting Playwright alone takes many seconds.
    const deadline = Date.now() + 80_000;
    while (finishedBeforeHang() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(finishedBeforeHang(), 4, 'tests 1-4 finish before 5 hangs');
    signals.emit('SIGINT');
    const { out, exitCode } = await running;
    assert.equal(exitCode, 130, out);
    const ids = readFileSync(partialFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    assert.deepEqual(ids.slice(0, 4).sort(), ['DMC-RUNFIX-001', 'DMC-RUNFIX-002', 'DMC-RUNFIX-003', 'DMC-RUNFIX-004']);
  });
});
