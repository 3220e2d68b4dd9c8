/**
 * `dmc report`: diff with its exit code (1 on a regression or an unfinished later run, 0 without, 2 with one line
 * on a bad file, checked on a real process), merge writing one package whose attachment links resolve, and html rendering a results.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { readResults, resultsText } from '../report/results-io.js';
import { after, before, shard1, shard2 } from '../report/test-support/sample-runs.js';
import { registerReportCommand } from './report-command.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function withFiles(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'dmc-report-diff-'));
  try {
    writeFileSync(join(dir, 'old.json'), resultsText(before));
    writeFileSync(join(dir, 'new.json'), resultsText(after));
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runDiff(args: string[]): { out: string; exitCode: number | undefined } {
  const program = new Command('dmc').exitOverride();
  let out = '';
  let exitCode: number | undefined;
  registerReportCommand(program, { write: (t) => (out += t), setExitCode: (c) => (exitCode = c) });
  program.parse(['report', 'diff', ...args], { from: 'user' });
  return { out, exitCode };
}

test('dmc report diff sets exit code 1 on a regression, 0 without, and --json prints the diff', () => {
  withFiles((dir) => {
    const regressed = runDiff([join(dir, 'old.json'), join(dir, 'new.json')]);
    assert.equal(regressed.exitCode, 1);
    assert.match(regressed.out, /^Conformance diff .*old\.json → .*new\.json: 1 regression/);
    const improved = runDiff([join(dir, 'new.json'), join(dir, 'new.json'), '--json']);
    assert.equal(improved.exitCode, 0);
    assert.deepEqual((JSON.parse(improved.out) as { regressions: unknown[]; unchanged: number }).unchanged, 5);
  });
});

test('dmc report diff exits 1 when the later run did not finish, and says why its tests show as removed', () => {
  withFiles((dir) => {
    // The same run twice, except that the later one hit the global timeout: no verdict changed, yet the gate fails.
    writeFileSync(join(dir, 'cut.json'), resultsText({ ...after, run: { ...after.run, status: 'timedout' } }));
    const cut = runDiff([join(dir, 'new.json'), join(dir, 'cut.json')]);
    assert.equal(cut.exitCode, 1);
    assert.match(cut.out, /The later run did not finish \(status timedout, .*cut\.json\): tests it never ran are listed as removed/);
    // An unfinished earlier run is worth saying but is no reason to fail tonight's gate.
    writeFileSync(join(dir, 'stopped.json'), resultsText({ ...after, run: { ...after.run, status: 'interrupted' } }));
    const earlier = runDiff([join(dir, 'stopped.json'), join(dir, 'new.json'), '--json']);
    assert.equal(earlier.exitCode, 0);
    assert.deepEqual((JSON.parse(earlier.out) as { unfinished: unknown[] }).unfinished, [{ run: 'old', status: 'interrupted' }]);
  });
});

test('the real process exits 1 on a regression and 2 with one line on a bad file', () => {
  withFiles((dir) => {
    // A small program built like bin/dmc.mjs: commander, this verb, and main's handling of DmcError.
    const script = `
      import { Command } from 'commander';
      import { DmcError } from ${JSON.stringify(join(root, 'harness/errors.ts'))};
      import { registerReportCommand } from ${JSON.stringify(join(root, 'harness/cli/report-command.ts'))};
      const program = new Command('dmc').exitOverride();
      registerReportCommand(program);
      // With -e there is no script path in argv: the arguments start at index 1.
      try { await program.parseAsync(process.argv.slice(1), { from: 'user' }); }
      catch (e) { if (e instanceof DmcError) { process.stderr.write('dmc: ' + e.message + ' [' + e.code + ']\\n'); process.exitCode = 2; } else throw e; }
    `;
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'report', 'diff', ...args], {
        cwd: root,
        encoding: 'utf8',
      });
    const regressed = run(join(dir, 'old.json'), join(dir, 'new.json'));
    assert.equal(regressed.status, 1, regressed.stderr);
    assert.match(regressed.stdout, /: 1 regression, 1 fix, /);
    assert.equal(regressed.stderr, '');
    assert.equal(run(join(dir, 'old.json'), join(dir, 'old.json')).status, 0);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...after, targets: [{ name: 'x' }] }));
    const bad = run(join(dir, 'old.json'), join(dir, 'bad.json'));
    assert.equal(bad.status, 2);
    assert.equal(
      bad.stderr,
      `dmc: The results file ${join(dir, 'bad.json')} has a bad field targets[0].project: ` +
        'Invalid input: expected string, received undefined (received nothing) [DMC_ERR_REPORT_SCHEMA_MISMATCH]\n',
    );
  });
});

test('dmc report merge writes one package whose attachment links resolve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmc-report-merge-'));
  try {
    const attachment = 'attachments/DMC-POLL-003/virtual-a/syncml-transcript.json';
    const withAttachment = structuredClone(shard2);
    withAttachment.tests[0]!.attachments = [{ name: 'syncml-transcript', contentType: 'application/json', path: attachment }];
    for (const [name, results] of [['s1', shard1], ['s2', withAttachment]] as const) {
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, 'results.json'), resultsText(results));
    }
    mkdirSync(join(dir, 's2', 'attachments/DMC-POLL-003/virtual-a'), { recursive: true });
    writeFileSync(join(dir, 's2', attachment), '[{"msgId":1}]');

    let out = '';
    const program = new Command('dmc').exitOverride();
    registerReportCommand(program, { write: (t) => (out += t) });
    program.parse(['report', 'merge', join(dir, 's1/results.json'), join(dir, 's2/results.json'), '--out', join(dir, 'all')], { from: 'user' });

    assert.equal(out, `merged 3 tests on 2 targets from 2 files into ${join(dir, 'all')}\n`);
    const merged = readResults(join(dir, 'all/results.json'));
    assert.equal(merged.tests.length, 3);
    assert.equal(readFileSync(join(dir, 'all', attachment), 'utf8'), '[{"msgId":1}]');
    assert.ok(readFileSync(join(dir, 'all/conformance.html'), 'utf8').includes(`href="${attachment}"`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dmc report html renders conformance.html beside the results', () => {
  withFiles((dir) => {
    let out = '';
    const program = new Command('dmc').exitOverride();
    registerReportCommand(program, { write: (t) => (out += t) });
    program.parse(['report', 'html', join(dir, 'new.json')], { from: 'user' });
    assert.equal(out, `wrote ${join(dir, 'conformance.html')}\n`);
    const html = readFileSync(join(dir, 'conformance.html'), 'utf8');
    assert.ok(html.startsWith('<!doctype html>'));
    assert.ok(html.includes('>DMC-NEW-001<sup class="conf c-none" title="names no fact">–</sup></a>'));
  });
});

test('a bad --out is refused with one clear error, not an internal one', () => {
  withFiles((dir) => {
    const run = (args: string[]): void => {
      const program = new Command('dmc').exitOverride();
      registerReportCommand(program, { write: () => undefined });
      program.parse(['report', ...args], { from: 'user' });
    };
    const missing = join(dir, 'no-such-dir', 'page.html');
    assert.throws(() => run(['html', join(dir, 'new.json'), '--out', missing]), {
      code: 'DMC_ERR_REPORT_OUT_UNWRITABLE',
      message: `Cannot write the report to ${missing}: its directory does not exist`,
    });
    // --out names a file where merge must make a directory.
    assert.throws(() => run(['merge', join(dir, 'new.json'), '--out', join(dir, 'old.json')]), {
      code: 'DMC_ERR_REPORT_OUT_UNWRITABLE',
      message: `Cannot write the report to ${join(dir, 'old.json')}: a file of that name is in the way of a directory`,
    });
    assert.equal(readResults(join(dir, 'old.json')).tests.length, before.tests.length, 'the file in the way is untouched');
  });
});

test('dmc report merge refuses an attachment path that leaves the package', () => {
  withFiles((dir) => {
    for (const path of ['../../secret.txt', '/etc/passwd', 'attachments/../../x', 'C:/x', 'javascript:alert(1)', 'a\\b']) {
      const crafted = structuredClone(after);
      crafted.tests[0]!.attachments = [{ name: 'syncml-transcript', contentType: 'application/json', path }];
      writeFileSync(join(dir, 'crafted.json'), JSON.stringify(crafted));
      const program = new Command('dmc').exitOverride();
      registerReportCommand(program, { write: () => undefined });
      assert.throws(
        () => program.parse(['report', 'merge', join(dir, 'crafted.json'), '--out', join(dir, 'merged')], { from: 'user' }),
        { code: 'DMC_ERR_REPORT_SCHEMA_MISMATCH', message: /bad field tests\[0\]\.attachments\[0\]\.path: must be a relative path inside the results package/ },
        path,
      );
    }
  });
});
