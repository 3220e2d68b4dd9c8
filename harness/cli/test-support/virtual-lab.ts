/**
 * A lab machine for the doctor and enroll tests: the harness MDM server in-process and `dmc virtual-device` as a
 * child process (a device on the network, as in a lab), enrolled into that server, reachable over SSH with a key.
 * The inventory written beside it names the device as an ssh target, so the commands treat it like a real PC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../../agents/test-support/probe-ssh-server.js';
import { startMdmServer, type MdmServer } from '../../server/index.js';

const DMC = join(import.meta.dirname, '..', '..', '..', 'bin', 'dmc.mjs');
export const LAB_PASSWORD_ENV = 'DMC_TEST_LAB_PASSWORD';
const PASSWORD = 'lab-test-password';

export interface VirtualLab {
  dir: string;
  server: MdmServer;
  sshPort: number;
  hostKey: string;
  enrollmentId: string;
  inventoryFile: string;
  /** Environment for the commands: the enrollment password variable and the harness data dir. */
  env: Record<string, string | undefined>;
  stopDevice(): Promise<void>;
  close(): Promise<void>;
}

function readyLine(child: ChildProcess): Promise<Record<string, unknown>> {
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`dmc virtual-device exited (${code}) before its ready line: ${stderr}`)));
  });
}

export async function startVirtualLab(options: { profile?: string; providerId?: string; standardUsers?: string[] } = {}): Promise<VirtualLab> {
  const dir = await mkdtemp(join(tmpdir(), 'dmc-lab-'));
  const providerId = options.providerId ?? 'DMCHarness';
  const server = await startMdmServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'harness'), user: 'lab@example.com', password: PASSWORD, providerId });
  const key = generateKeyPair();
  await writeFile(join(dir, 'id_ed25519'), key.private, { mode: 0o600 });
  await writeFile(join(dir, 'authorized_keys'), `${key.public}\n`);
  const child = spawn(
    process.execPath,
    [DMC, 'virtual-device', '--discovery-url', server.discoveryUrl, '--user', 'lab@example.com', '--state-dir', join(dir, 'device'),
      '--ca', server.caCertPath, '--ssh-authorized-key', join(dir, 'authorized_keys'), '--profile', options.profile ?? 'win11-23h2-enterprise',
      ...(options.standardUsers ?? []).flatMap((u) => ['--ssh-standard-user', u])],
    { env: { ...process.env, DMC_PASSWORD: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await readyLine(child);
  const sshPort = Number(line['sshPort']);
  const hostKey = String(line['sshHostKey']);
  const inventoryFile = join(dir, 'lab.yaml');
  await writeFile(
    inventoryFile,
    [
      'harness:',
      '  host: 127.0.0.1',
      `  port: ${server.port}`,
      '  user: lab@example.com',
      `  passwordEnv: ${LAB_PASSWORD_ENV}`,
      `  providerId: ${providerId}`,
      'targets:',
      '  - kind: ssh',
      '    name: lab-vm',
      '    host: 127.0.0.1',
      `    port: ${sshPort}`,
      '    user: admin',
      '    auth:',
      `      keyFile: ${join(dir, 'id_ed25519')}`,
      `    hostKey: ${hostKey}`,
      '    connectTimeoutMs: 3000',
      '',
    ].join('\n'),
  );
  let stopped = false;
  const stopDevice = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    await exited;
  };
  return {
    dir,
    server,
    sshPort,
    hostKey,
    enrollmentId: String(line['enrollmentId']),
    inventoryFile,
    env: { ...process.env, [LAB_PASSWORD_ENV]: PASSWORD, DMC_HARNESS_DATA_DIR: join(dir, 'harness') },
    stopDevice,
    async close() {
      await stopDevice();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
