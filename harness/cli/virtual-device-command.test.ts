/**
 * `dmc virtual-device` as a user runs it: a child process that enrolls against the real harness server, prints
 * one JSON line, answers SSH with the reported host key, keeps its enrollment on restart and stops on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMdmServer, type MdmServer } from '../server/index.js';
import { main } from './main.js';

const DMC = join(import.meta.dirname, '..', '..', 'bin', 'dmc.mjs');
let dir: string;
let server: MdmServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vdev-cli-'));
  server = await startMdmServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'server'), user: 'cli@example.com', password: 'cli-pass' });
});
after(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

function dmc(args: string[], env: Record<string, string> = {}): { child: ChildProcess; firstLine: Promise<string>; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [DMC, 'virtual-device', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
    });
    child.on('exit', () => reject(new Error(`exited before a line: ${stderr}`)));
  });
  firstLine.catch(() => undefined);
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return { child, firstLine, exit };
}

describe('dmc virtual-device', () => {
  it('enrolls, prints one JSON line, stops on SIGTERM, and reuses the enrollment when started again', async () => {
    const stateDir = join(dir, 'device');
    const args = ['--discovery-url', server.discoveryUrl, '--user', 'cli@example.com', '--state-dir', stateDir, '--ca', server.caCertPath, '--time-scale', '60', '--profile', 'win10-22h2-pro-notpm'];
    const first = dmc(args, { DMC_PASSWORD: 'cli-pass' });
    const line = JSON.parse(await first.firstLine) as Record<string, unknown>;
    assert.match(String(line.deviceId), /^[0-9A-F]{32}$/);
    assert.match(String(line.enrollmentId), /^[0-9A-F-]{36}$/);
    assert.match(String(line.sshHostKey), /^SHA256:/);
    assert.equal(line.profile, 'win10-22h2-pro-notpm');
    assert.ok(Number(line.sshPort) > 0);
    first.child.kill('SIGTERM');
    assert.equal((await first.exit).code, 0);

    // No password and no profile this time: the stored enrollment and its profile are used.
    const second = dmc(['--state-dir', stateDir]);
    const again = JSON.parse(await second.firstLine) as Record<string, unknown>;
    assert.equal(again.enrollmentId, line.enrollmentId);
    assert.equal(again.sshHostKey, line.sshHostKey);
    assert.equal(again.profile, 'win10-22h2-pro-notpm');
    second.child.kill('SIGINT');
    assert.equal((await second.exit).code, 0);
  });

  it('refuses bad options with one line and no stack', async () => {
    // In-process through main(): the same code path as bin/dmc.mjs, without paying for a child process.
    const run = async (args: string[]): Promise<{ code: number; stderr: string }> => {
      let stderr = '';
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
      try {
        return { code: await main(['node', 'dmc', 'virtual-device', ...args]), stderr };
      } finally {
        process.stderr.write = write;
      }
    };
    assert.deepEqual(await run(['--state-dir', join(dir, 'bad'), '--time-scale', 'fast']), {
      code: 2,
      stderr: 'dmc: Virtual device: option --time-scale must be a positive number, received "fast" [DMC_ERR_VDEV_INVALID_OPTION]\n',
    });
    assert.deepEqual(await run(['--state-dir', join(dir, 'bad2'), '--profile', 'win95']), {
      code: 2,
      stderr: 'dmc: Virtual device: unknown profile "win95"; known profiles: win11-23h2-enterprise, win10-22h2-pro-notpm, win11-23h2-pro-notpm, win11-24h2-enterprise-securedcore, win11-24h2-multisession [DMC_ERR_VDEV_UNKNOWN_PROFILE]\n',
    });
    assert.deepEqual(await run(['--state-dir', join(dir, 'bad3'), '--ca', join(dir, 'missing.pem')]), {
      code: 2,
      stderr: `dmc: Virtual device: CA file ${JSON.stringify(join(dir, 'missing.pem'))} cannot be used: ENOENT [DMC_ERR_VDEV_CA_FILE]\n`,
    });
    assert.deepEqual(await run(['--state-dir', join(dir, 'bad4')]), {
      code: 2,
      stderr: 'dmc: Virtual device: option --discovery-url, --user, --password (or DMC_PASSWORD) must be given for a device that is not enrolled yet, received "(not given)" [DMC_ERR_VDEV_INVALID_OPTION]\n',
    });
  });
});
