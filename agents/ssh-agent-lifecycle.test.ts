/**
 * The agent's device-changing operations over real SSH against an enrolled virtual device and the real harness
 * server (issue #6): trust the CA, enroll, see exactly what a DMClient Replace changed in the registry through the
 * snapshot diff, trigger a sync, read the session counter, unenroll.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMdmServer, type MdmServer } from '../harness/server/index.js';
import { VirtualDevice } from '../fixtures/virtual-device/device.js';
import { startSshServer, type RunningSshServer } from '../fixtures/virtual-device/ssh/ssh-server.js';
import { diffSnapshots } from './registry-diff.js';
import { SshAgent } from './ssh-agent.js';
import { generateKeyPair } from './test-support/probe-ssh-server.js';

const USER = 'lab@example.com';
const PASSWORD = 'agent-lifecycle-pw';

let dir: string;
let server: MdmServer;
let ssh: RunningSshServer;
let agent: SshAgent;
let device: VirtualDevice;
let caPem: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dmc-agent-life-'));
  server = await startMdmServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'server'), user: USER, password: PASSWORD });
  caPem = await readFile(server.caCertPath, 'utf8');
  const key = generateKeyPair();
  await writeFile(join(dir, 'id_ed25519'), key.private, { mode: 0o600 });
  device = await VirtualDevice.open({ stateDir: join(dir, 'device'), profile: 'win11-23h2-enterprise', trustedCaPems: [caPem], timeScale: 600 });
  ssh = await startSshServer(device, { authorizedKeys: [key.public] });
  agent = new SshAgent({ host: '127.0.0.1', port: ssh.port, user: 'admin', privateKeyFile: join(dir, 'id_ed25519'), hostKey: ssh.hostKeyFingerprint });
});

after(async () => {
  await agent?.close();
  await ssh?.close();
  await device?.stop();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('trust the CA, enroll, diff a Replace in the registry, sync, count sessions, unenroll: all through SSH', async () => {
  const trusted = await agent.trustCa(caPem);
  assert.equal(trusted.store, 'LocalMachine\\Root');
  assert.equal((await agent.trustCa(caPem)).alreadyPresent, true, 'a second trust of the same CA changes nothing');

  const enrolled = await agent.enroll({ discoveryUrl: server.discoveryUrl, user: USER, password: PASSWORD });
  assert.equal(enrolled.hresult, 0);
  assert.equal(enrolled.registryFound, true);
  const enrollmentId = enrolled.enrollmentId;
  assert.ok(enrollmentId !== null, 'the enrollment is found in the registry after the call');
  const listed = (await agent.enrollments()).find((e) => e.EnrollmentId.replace(/[{}]/g, '').toLowerCase() === enrollmentId.replace(/[{}]/g, '').toLowerCase());
  assert.ok(listed, 'the enrollments operation lists the new enrollment');
  const providerId = listed.ProviderID;

  const root = `HKLM:\\SOFTWARE\\Microsoft\\Enrollments\\${enrollmentId.replace(/[{}]/g, '')}`;
  const before = await agent.snapshotRegistry([root]);
  const sessionsBefore = (await agent.sessionCounter()).sessions ?? Number.NaN;
  const pending = server.device(device.state.deviceId).sync(
    [{ kind: 'Replace', Item: [{ Target: { LocURI: `./Vendor/MSFT/DMClient/Provider/${providerId}/HelpPhoneNumber` }, Meta: { Format: 'chr' }, Data: '+1 555 0100' }] }],
    { timeout: 30_000 },
  );
  const synced = await agent.triggerSync(enrollmentId);
  assert.equal(synced.hresult, 0);
  const [result] = await pending;
  assert.equal(result?.status?.code, '200');
  const after = await agent.snapshotRegistry([root]);

  const diff = diffSnapshots(before, after);
  const touched = [...diff.added.map((e) => ({ name: e.name, value: e.value })), ...diff.changed.map((c) => ({ name: c.name, value: c.newValue }))];
  assert.deepEqual(touched, [{ name: 'HelpPhoneNumber', value: '+1 555 0100' }], 'exactly the value the Replace set');
  assert.deepEqual(diff.removed, []);
  assert.ok(((await agent.sessionCounter()).sessions ?? Number.NaN) > sessionsBefore, 'the triggered sync ran a session');

  const unenrolled = await agent.unenroll(enrollmentId);
  assert.equal(unenrolled.hresult, 0);
  assert.equal((await agent.enrollments()).some((e) => e.EnrollmentId.replace(/[{}]/g, '').toLowerCase() === enrollmentId.replace(/[{}]/g, '').toLowerCase()), false);
  assert.ok(agent.calls.every((c) => !JSON.stringify(c).includes(PASSWORD)), 'the enroll password is in no call record');
});
