/**
 * The conformance reporter on real Playwright runs of test-fixtures/ (after Playwright's own reporter tests):
 * one run with a test per verdict on two targets, read back from the real results.json, conformance.html and
 * results.partial.jsonl; one run killed mid-way, which must leave the finished test's line on disk; and one the
 * global timeout stops, whose running test must still be reported.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResults } from './results-io.js';
import { testEntrySchema, type Results } from './results-model.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const playwrightCli = join(root, 'node_modules/@playwright/test/cli.js');
const config = join(here, 'test-fixtures/playwright.config.ts');
const NODE = './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}';
const specLines = readFileSync(join(here, 'test-fixtures/verdicts.spec.ts'), 'utf8').split('\n');
/** 1-based line of the first spec line containing `text`, so the assertions survive edits of the spec. */
const lineOf = (text: string): number => specLines.findIndex((l) => l.includes(text)) + 1;

const tempRoot = mkdtempSync(join(tmpdir(), 'dmc-report-run-'));
after(() => rmSync(tempRoot, { recursive: true, force: true }));

function startRun(spec: string, out: string, globalTimeout = 0): ChildProcess {
  return spawn(process.execPath, [playwrightCli, 'test', '-c', config], {
    cwd: root,
    env: {
      ...process.env,
      DMC_REPORT_FIXTURE_OUT: out,
      DMC_REPORT_FIXTURE_SPEC: spec,
      DMC_REPORT_FIXTURE_GLOBAL_TIMEOUT: String(globalTimeout),
      FORCE_COLOR: '0',
      CI: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the kill test can stop the runner and its workers together.
    detached: true,
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((done) => child.on('exit', (code) => done({ code, output })));
}

// The runs start at once: each spends most of its time starting Playwright workers.
const verdictsOut = join(tempRoot, 'verdicts');
const killedOut = join(tempRoot, 'killed');
const cutShortOut = join(tempRoot, 'cut-short');
let verdictsRun: Promise<{ code: number | null; output: string }>;
let killedChild: ChildProcess;
let killedRun: Promise<{ code: number | null; output: string }>;
let cutShortRun: Promise<{ code: number | null; output: string }>;
before(() => {
  verdictsRun = exited(startRun('verdicts.spec.ts', verdictsOut));
  killedChild = startRun('killed.spec.ts', killedOut);
  killedRun = exited(killedChild);
  // Long enough for a busy machine to start the worker and the second test; the second test sleeps far longer.
  cutShortRun = exited(startRun('cut-short.spec.ts', cutShortOut, 20_000));
});

let results: Results | undefined;
async function verdictResults(): Promise<Results> {
  if (results === undefined) {
    const run = await verdictsRun;
    // Playwright exits 1 because some fixture tests fail on purpose; anything else is a broken run.
    assert.equal(run.code, 1, run.output);
    results = readResults(join(verdictsOut, 'results.json'));
  }
  return results;
}

test('the largest message the server sent: the larger of a test\'s, the largest of a target\'s, in the closing lines', async () => {
  const { tests, targets } = await verdictResults();
  const largest = (id: string, target: string) => tests.find((t) => t.id === id && t.target === target)?.largestServerMessageBytes;
  assert.deepEqual([largest('DMC-POLL-001', 'virtual-a'), largest('DMC-POLL-002', 'virtual-a'), largest('DMC-SEC-001', 'virtual-a')], [5699, 112640, undefined]);
  assert.deepEqual(Object.fromEntries(targets.map((t) => [t.name, t.largestServerMessageBytes])), { 'virtual-a': 112640, 'lab-pc-2': 5699 });
  const { output } = await verdictsRun;
  assert.match(output, /virtual-a +\d+ \/ 30 sessions, largest message to the device 110 KiB/);
  assert.match(output, /lab-pc-2 +\d+ \/ 30 sessions, largest message to the device 6 KiB/);
});

test('each fixture test gets its verdict of the closed set on each target', async () => {
  const { tests } = await verdictResults();
  const verdicts = Object.fromEntries(tests.map((t) => [`${t.id}@${t.target}`, t.verdict]));
  assert.deepEqual(verdicts, {
    'DMC-POLL-001@virtual-a': 'passed',
    'DMC-POLL-002@virtual-a': 'failed',
    'DMC-POLL-004@virtual-a': 'expected-failure',
    'DMC-POLL-005@virtual-a': 'fixed',
    'DMC-SEC-001@virtual-a': 'not-applicable',
    'DMC-PROTO-001@virtual-a': 'device-error',
    'DMC-PROTO-004@virtual-a': 'harness-error',
    'DMC-RETRY-001@virtual-a': 'passed',
    'DMC-RETRY-002@virtual-a': 'passed',
    'DMC-POLL-001@lab-pc-2': 'passed',
    'DMC-SEC-001@lab-pc-2': 'passed',
  });
});

test('test entries carry the annotations, tags, location, build, sessions and error codes', async () => {
  const { tests } = await verdictResults();
  const find = (id: string, target = 'virtual-a') => tests.find((t) => t.id === id && t.target === target)!;
  const poll = find('DMC-POLL-001');
  assert.deepEqual(
    [poll.title, poll.file, poll.line, poll.ddfNodes, poll.reference, poll.tags, poll.sessions, poll.windowsBuild],
    [
      'poll schedule › NumberOfFirstRetries round-trips',
      'verdicts.spec.ts',
      lineOf("'NumberOfFirstRetries round-trips'") - 1, // the line of test( just above the title
      [`${NODE}/Poll/NumberOfFirstRetries`],
      'dmclient-csp.md#provider-providerid-poll-numberoffirstretries',
      ['group:poll'],
      2,
      '10.0.22631',
    ],
  );
  assert.equal(find('DMC-POLL-002').sessions, 2, 'two equal sessions annotations add up');
  assert.deepEqual(find('DMC-POLL-002').specConflicts, ['DDF says int, dmclient-csp.md says minutes as chr']);
  assert.match(find('DMC-POLL-002').error!.message, /^Error: IntervalForFirstSetOfRetries read back\n\nexpect\(received\)\.toBe\(expected\)/);
  assert.equal(find('DMC-POLL-002').error!.location, `verdicts.spec.ts:${lineOf("expect(15, 'IntervalForFirstSetOfRetries")}`);
  assert.equal(find('DMC-SEC-001').notApplicableReason, 'requires TPM 2.0');
  assert.deepEqual(find('DMC-SEC-001').tags, ['group:security', 'cap:tpm']);
  assert.equal(find('DMC-POLL-004').expectation, 'reads back 0 (https://example.invalid/issue/12, expires 2027-01-01)');
  assert.equal(find('DMC-PROTO-001').error?.code, 'DMC_ERR_DEVICE_MISSING_STATUS');
  assert.equal(find('DMC-PROTO-004').error?.message, 'Error: the MDM server did not start');
  // The lab PC's build was discovered by one test at run time and dates all its tests.
  assert.deepEqual(tests.filter((t) => t.target === 'lab-pc-2').map((t) => t.windowsBuild), ['10.0.19045.3803', '10.0.19045.3803']);
});

test('targets come from project metadata with their session totals and verdict counts; secrets stay out of the run record', async () => {
  const { targets, run } = await verdictResults();
  const counts = (some: Record<string, number>) => ({
    passed: 0, failed: 0, 'not-applicable': 0, 'expected-failure': 0, fixed: 0, 'device-error': 0, 'harness-error': 0, timeout: 0, unconfirmed: 0, ...some,
  });
  assert.deepEqual(targets, [
    {
      name: 'virtual-a', project: 'virtual-a', kind: 'virtual', sessions: 4, profile: 'win11-23h2-enterprise', windowsBuild: '10.0.22631',
      verdicts: counts({ passed: 3, failed: 1, 'expected-failure': 1, fixed: 1, 'not-applicable': 1, 'device-error': 1, 'harness-error': 1 }),
      largestServerMessageBytes: 112640,
    },
    { name: 'lab-pc-2', project: 'lab-pc-2', kind: 'ssh', sessions: 2, windowsBuild: '10.0.19045.3803', verdicts: counts({ passed: 2 }), largestServerMessageBytes: 5699 },
  ]);
  const packageVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  assert.deepEqual([run.harnessVersion, run.status, run.shard, run.warnings, run.inventoryFile], [packageVersion, 'failed', null, [], 'lab.yaml']);
  assert.deepEqual(run.commandLine, ['dmc', 'run', '--inventory', 'lab.yaml', '--password', '[redacted]']);
  const text = readFileSync(join(verdictsOut, 'results.json'), 'utf8');
  assert.ok(!text.includes('hunter2'), 'the password must not reach results.json');
  assert.ok(text.includes('"passwordEnv": "LAB_PW"'));
  assert.ok(Date.parse(run.startedAt) <= Date.parse(run.endedAt));
});

test('attachments are copied under attachments/<test-id>/<target>/ and linked from the matrix', async () => {
  const { tests } = await verdictResults();
  const poll = tests.find((t) => t.id === 'DMC-POLL-001' && t.target === 'virtual-a')!;
  const byName = Object.fromEntries(poll.attachments.map((a) => [a.name, a.path]));
  assert.equal(byName['syncml-transcript'], 'attachments/DMC-POLL-001/virtual-a/syncml-transcript.json');
  assert.equal(byName['agent-calls'], 'attachments/DMC-POLL-001/virtual-a/agent-calls.json');
  assert.deepEqual(JSON.parse(readFileSync(join(verdictsOut, byName['syncml-transcript']!), 'utf8')), [{ direction: 'server', msgId: 1 }]);
  assert.deepEqual(JSON.parse(readFileSync(join(verdictsOut, byName['agent-calls']!), 'utf8')), [{ probe: 'registry-snapshot', exitCode: 0 }]);

  const html = readFileSync(join(verdictsOut, 'conformance.html'), 'utf8');
  const index = tests.indexOf(poll);
  assert.ok(html.includes(`<a href="${byName['syncml-transcript']}">SyncML transcript</a>`));
  assert.ok(html.includes(`<a href="${byName['agent-calls']}">agent output</a>`));
  assert.ok(html.includes(`id="test-${index}"`));
  // The TPM row differs by column: not applicable on the virtual device, passed on the lab PC.
  assert.match(
    html,
    /<th scope="row">\.\/Device\/Vendor\/MSFT\/DMClient\/Provider\/\{ProviderID\}\/ConfigLock\/Lock<\/th><td class="v-not-applicable" data-verdict="not-applicable"[^>]*><a href="#test-\d+"[^>]*>DMC-SEC-001<sup class="conf c-none"[^>]*>–<\/sup><\/a><\/td><td class="v-passed"/,
  );
  assert.match(html, /<input id="filter" type="search"/);
});

test('results.partial.jsonl holds one valid line per finished test', async () => {
  const { tests } = await verdictResults();
  const lines = readFileSync(join(verdictsOut, 'results.partial.jsonl'), 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, tests.length);
  const partial = lines.map((line) => testEntrySchema.parse(JSON.parse(line)));
  assert.deepEqual(new Set(partial.map((t) => `${t.id}@${t.target}`)), new Set(tests.map((t) => `${t.id}@${t.target}`)));
});

test('a run killed mid-way leaves each finished test in results.partial.jsonl', async () => {
  const partialFile = join(killedOut, 'results.partial.jsonl');
  const deadline = Date.now() + 60_000;
  const lines = () => (existsSync(partialFile) ? readFileSync(partialFile, 'utf8').split('\n').filter((l) => l !== '') : []);
  while (lines().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  process.kill(-killedChild.pid!, 'SIGKILL');
  const run = await killedRun;
  assert.equal(run.code, null, 'the run was killed, it did not end by itself');
  const finished = lines().map((line) => testEntrySchema.parse(JSON.parse(line)));
  assert.deepEqual(finished.map((t) => [t.id, t.verdict, t.tags]), [['DMC-KILL-001', 'passed', ['group:poll']]]);
  assert.equal(existsSync(join(killedOut, 'results.json')), false, 'onEnd never ran');
});

test('a test still running at the global timeout is reported, not lost', async () => {
  const run = await cutShortRun;
  assert.equal(run.code, 1, run.output);
  const { run: record, tests } = readResults(join(cutShortOut, 'results.json'));
  assert.equal(record.status, 'timedout');
  assert.deepEqual(
    tests.map((t) => [t.id, t.verdict, t.error?.message]),
    [['DMC-CUT-001', 'passed', undefined], ['DMC-CUT-002', 'harness-error', 'interrupted before it finished']],
  );
  assert.ok(record.warnings.includes('1 test did not run (run status: timedout)'), record.warnings.join('\n'));
});
