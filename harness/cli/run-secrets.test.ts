/**
 * Issue #14, item 5: after a real `dmc run` no file the run wrote holds a secret. The run has two targets that use
 * every secret the harness handles: a virtual device with SyncML MD5 digest, and a lab PC (the virtual device as
 * `dmc virtual-device`, reached over SSH with a password from the environment, enrolled during the run through
 * the agent's enroll probe, so the enrollment password crosses SSH), plus the same PC with a wrong SSH password, whose
 * tests fail as harness errors, so error messages are searched too. DMC_KEEP_WORK_DIR=1 keeps the workers' state
 * (server data, transcripts, queues, device state) and TMPDIR puts it where the test can walk it.
 *
 * Searched: the enrollment password, the SSH password, each device's digest accounts (client and server, also as
 * H(name:secret)), every private key the run made (PEM blocks, and the key material however encoded); each also in
 * UTF-16LE, inside base64 at any alignment, base64url and hex; Playwright's HTML report is unzipped first. Only the
 * stores whose job is to keep a secret (the CA and server keys, the enrollment store that checks digests, the
 * device's own state and keys) may hold one, and they must be readable by their owner only (mode 600).
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Command } from 'commander';
import { SshAgent } from '../../agents/ssh-agent.js';
import { readResults } from '../report/results-io.js';
import { registerRunCommand } from './run-command.js';
import {
  digestAccountNeedles, filesUnder, modeOf, privateKeyNeedles, scan, secretNeedles, type Finding, type Needle,
} from './test-support/secret-scan.js';
import { LAB_PASSWORD_ENV, startVirtualLab, type VirtualLab } from './test-support/virtual-lab.js';

const SSH_PASSWORD = 'Ssh-Lab-pa55word-7Qx';
/** Given for a third target whose login fails: error paths (messages, warnings) must not carry it either. */
const WRONG_SSH_PASSWORD = 'Wrong-Ssh-pa55word-9Zk';
/** Files whose purpose is to keep a secret; relative to the lab folder, `*` for one path segment. */
const SECRET_STORES = [
  'harness/enrollments.json', // digest accounts: the server must check each device's Cred
  'harness/pki/ca.key.pem',
  'harness/pki/server.key.pem',
  'device/state.json', // the device's certificate store (its key) and digest accounts
  'device/ssh_host_ed25519_key',
  'id_ed25519', // the lab's own login key, written by the test before the run
  'tmp/*/server/enrollments.json',
  'tmp/*/server/pki/ca.key.pem',
  'tmp/*/server/pki/server.key.pem',
  'tmp/*/target/agent_ed25519', // the agent's login key for the virtual target
  'tmp/*/target/device/state.json',
  'tmp/*/target/device/ssh_host_ed25519_key',
];
const storePattern = new RegExp(`^(${SECRET_STORES.map((s) => s.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]+')).join('|')})$`);
/** Compiler caches of tsx and Playwright under TMPDIR: compiled project source, not something the run recorded. */
const TOOL_CACHES = /^tmp\/(tsx-\d+|playwright-transform-cache-\d+)$/;

let lab: VirtualLab;
let runOut = '';
let exitCode: number | undefined;
let files: string[] = [];

before(async () => {
  process.env['DMC_SSH_PASSWORD'] = SSH_PASSWORD; // read by the lab's `dmc virtual-device` child
  lab = await startVirtualLab({ profile: 'win10-22h2-pro-notpm' }); // digest on OMA-DM
  // Unenroll the lab PC, so that the run enrolls it through the agent (the password goes over SSH).
  const setup = new SshAgent({ host: '127.0.0.1', port: lab.sshPort, user: 'admin', privateKeyFile: join(lab.dir, 'id_ed25519'), hostKey: lab.hostKey });
  await setup.unenroll(lab.enrollmentId);
  await setup.close();
  await lab.server.stop(); // the run's server takes over its data dir and port
  const inventory = join(lab.dir, 'run.yaml');
  writeFileSync(inventory, [
    'harness:',
    '  host: 127.0.0.1',
    `  port: ${lab.server.port}`,
    '  user: lab@example.com',
    `  passwordEnv: ${LAB_PASSWORD_ENV}`,
    'targets:',
    '  - { kind: virtual, name: vm-digest, profile: win10-22h2-pro-notpm }',
    '  - kind: ssh',
    '    name: lab-pc',
    '    host: 127.0.0.1',
    `    port: ${lab.sshPort}`,
    '    user: admin',
    '    auth: { passwordEnv: DMC_TEST_SSH_PASSWORD }',
    `    hostKey: ${lab.hostKey}`,
    '  - kind: ssh',
    '    name: lab-pc-bad-login',
    '    host: 127.0.0.1',
    `    port: ${lab.sshPort}`,
    '    user: admin',
    '    auth: { passwordEnv: DMC_TEST_SSH_WRONG_PASSWORD }',
    `    hostKey: ${lab.hostKey}`,
    '',
  ].join('\n'));
  mkdirSync(join(lab.dir, 'tmp'));
  const program = new Command('dmc').exitOverride();
  registerRunCommand(program, {
    write: (t) => (runOut += t),
    setExitCode: (c) => (exitCode = c),
    signals: new EventEmitter(),
    env: { ...lab.env, CI: '', DMC_TEST_SSH_PASSWORD: SSH_PASSWORD, DMC_TEST_SSH_WRONG_PASSWORD: WRONG_SSH_PASSWORD, DMC_KEEP_WORK_DIR: '1', TMPDIR: join(lab.dir, 'tmp') },
    argv: ['node', 'dmc', 'run', '--inventory', inventory],
    pollMs: 500,
    heartbeatMs: 60_000,
  });
  // One worker: the two ssh targets share the harness port, so their servers cannot run at the same time.
  await program.parseAsync(
    ['run', '--inventory', inventory, '--grep', 'DMC-SYNCVER-00[12] |DMC-IDENT-00[12] ', '--workers', '1', '--output', join(lab.dir, 'out')],
    { from: 'user' },
  );
  await lab.stopDevice();
  writeFileSync(join(lab.dir, 'out', 'dmc-run-terminal.txt'), runOut); // what the terminal showed is searched too
  files = filesUnder(lab.dir, '.', (d) => TOOL_CACHES.test(d)).map((f) => f.replace(/^\.\//, '')).filter((f) => !['lab.yaml', 'run.yaml', 'authorized_keys'].includes(f));
}, { timeout: 600_000 });

after(async () => {
  await lab?.close();
});

function needles(): Needle[] {
  const list: Needle[] = [...secretNeedles('the enrollment password', 'lab-test-password'), ...secretNeedles('the SSH password', SSH_PASSWORD), ...secretNeedles('the wrong SSH password', WRONG_SSH_PASSWORD)];
  for (const store of files.filter((f) => f.endsWith('enrollments.json'))) {
    const { enrollments } = JSON.parse(readFileSync(join(lab.dir, store), 'utf8')) as { enrollments: Array<{ deviceId: string; clientDigest: { name: string; secret: string }; serverDigest: { name: string; secret: string } }> };
    for (const e of enrollments) {
      list.push(...digestAccountNeedles(`device ${e.deviceId}'s client digest`, e.clientDigest), ...digestAccountNeedles(`device ${e.deviceId}'s server digest`, e.serverDigest));
    }
  }
  for (const store of files.filter((f) => storePattern.test(f))) list.push(...privateKeyNeedles(store, readFileSync(join(lab.dir, store), 'utf8')));
  return list;
}

test('the run passed on the two good targets, enrolling the lab PC through the agent; the bad login failed as harness errors', () => {
  assert.equal(exitCode, 1, runOut);
  const results = readResults(join(lab.dir, 'out', 'results.json'));
  const ids = ['DMC-IDENT-001', 'DMC-IDENT-002', 'DMC-SYNCVER-001', 'DMC-SYNCVER-002'];
  assert.deepEqual(results.tests.map((t) => `${t.target} ${t.id} ${t.verdict}`).sort(), [
    ...ids.map((id) => `lab-pc ${id} passed`), ...ids.map((id) => `lab-pc-bad-login ${id} harness-error`), ...ids.map((id) => `vm-digest ${id} passed`),
  ]);
  const refused = results.tests.find((t) => t.target === 'lab-pc-bad-login')?.error?.message ?? '';
  assert.match(refused, /authentication failed for user "admin" \(tried: password \(from DMC_TEST_SSH_WRONG_PASSWORD\)\)/);
  const state = JSON.parse(readFileSync(join(lab.dir, 'device', 'state.json'), 'utf8')) as { enrollment: { enrollmentId: string; providerId: string } | null };
  assert.equal(state.enrollment?.providerId, 'DMCHarness');
  assert.notEqual(state.enrollment?.enrollmentId, lab.enrollmentId, 'the lab PC was enrolled again by the run, through the agent');
});

test('no file the run wrote holds a secret, outside the stores that must keep one (mode 600)', () => {
  const list = needles();
  const findings = scan(lab.dir, files, list);
  const leaks = findings.filter((f) => !storePattern.test(f.file));
  assert.deepEqual(leaks, [], `secrets in files the run wrote:\n${leaks.map((l) => `${l.file}: ${l.found.join('; ')}`).join('\n')}`);

  // The scan can fail: every store is found to hold what it keeps (so the needles match real data), and the
  // run's outputs were really searched (transcripts, attachments, reports, logs).
  const held = new Map(findings.map((f: Finding) => [f.file, f.found]));
  const stores = files.filter((f) => storePattern.test(f));
  for (const store of stores) {
    assert.ok((held.get(store) ?? []).length > 0, `${store} holds a secret, as expected`);
    assert.equal(modeOf(join(lab.dir, store)), '600', `${store} is readable by its owner only`);
  }
  assert.ok(held.get('device/state.json')?.some((l) => l.startsWith(`device `) && l.includes('client digest secret')), 'the device keeps its digest account');
  for (const expected of [/^out\/results\.json$/, /^out\/junit\.xml$/, /^out\/playwright-report\/index\.html$/, /^out\/playwright\.log$/, /^out\/dmc-run-terminal\.txt$/,
    /^out\/attachments\/.+\/agent-calls\.json$/, /^out\/attachments\/.+\/syncml-transcript\.json$/, /^harness\/transcripts\/[^/]+\.jsonl$/,
    /^tmp\/[^/]+\/server\/transcripts\/[^/]+\.jsonl$/, /^tmp\/[^/]+\/server\/queues\/.+\.json$/]) {
    assert.ok(files.some((f) => expected.test(f)), `searched a file matching ${expected}`);
  }
  console.log(`searched ${files.length} files for ${list.length} needles; ${stores.length} secret stores hold secrets, ${leaks.length} leaks`);
});
