/**
 * SshAgent against the virtual device's own SSH server (fixtures/virtual-device/ssh): the same bytes a real
 * Windows machine would get, answered from the device's model. Every read-only operation must come back
 * schema-valid through the Agent (runProbe checks each answer against its schema).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualDevice } from '../fixtures/virtual-device/device.js';
import { startSshServer, type RunningSshServer } from '../fixtures/virtual-device/ssh/ssh-server.js';
import { SshAgent } from './ssh-agent.js';
import { generateKeyPair } from './test-support/probe-ssh-server.js';

let dir: string;
let server: RunningSshServer;
let agent: SshAgent;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dmc-agent-vdev-'));
  const key = generateKeyPair();
  await writeFile(join(dir, 'id_ed25519'), key.private, { mode: 0o600 });
  const device = await VirtualDevice.open({ stateDir: join(dir, 'device'), profile: 'win10-22h2-pro-notpm' });
  server = await startSshServer(device, { authorizedKeys: [key.public] });
  agent = new SshAgent({ host: '127.0.0.1', port: server.port, user: 'admin', privateKeyFile: join(dir, 'id_ed25519'), hostKey: server.hostKeyFingerprint });
});

after(async () => {
  await agent?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

test('every read-only operation answers schema-valid over SSH from the virtual device', async () => {
  const os = await agent.osInfo();
  assert.match(os.build, /^10\.0\.\d+$/);
  assert.ok(Array.isArray(await agent.enrollments()));
  const read = await agent.readRegistry('HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', 'EditionID');
  assert.equal(read.path, 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion');
  const snapshot = await agent.snapshotRegistry(['HKLM:\\SOFTWARE\\Microsoft\\Enrollments']);
  assert.equal(snapshot.roots[0]?.path, 'HKLM:\\SOFTWARE\\Microsoft\\Enrollments');
  await agent.scheduledTasks('\\Microsoft\\Windows\\EnterpriseMgmt\\');
  await agent.certificates('Cert:\\LocalMachine\\My');
  await agent.eventLog({ logName: 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin', since: new Date(Date.now() - 3600_000) });
  const tpm = await agent.tpm();
  assert.equal(tpm.TpmPresent, false, 'the notpm profile has no TPM');
  await agent.deviceGuard();
  const counter = await agent.sessionCounter();
  assert.equal(counter.available, true, 'the virtual device counts its sessions');
  assert.ok(agent.calls.every((c) => c.exitCode === 0 && c.error === undefined));
});
