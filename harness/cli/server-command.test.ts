import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { post } from '../server/test-device.js';
import { registerServerCommand } from './server-command.js';

const dmc = new URL('../../bin/dmc.mjs', import.meta.url).pathname;

describe('dmc server', () => {
  it('prints one JSON line once listening, serves discovery, and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmc-cli-server-'));
    try {
      const child = spawn(process.execPath, [dmc, 'server', '--port', '0', '--data-dir', dataDir, '--user', 'cli@example.test'], {
        env: { ...process.env, DMC_PASSWORD: 'from-env' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const info = JSON.parse(line) as { discoveryUrl: string; managementUrl: string; caCert: string };
      assert.deepEqual(Object.keys(info), ['discoveryUrl', 'managementUrl', 'caCert']);
      assert.match(info.discoveryUrl, /^https:\/\/127\.0\.0\.1:\d+\/EnrollmentServer\/Discovery\.svc$/);
      assert.equal(info.managementUrl, info.discoveryUrl.replace('/EnrollmentServer/Discovery.svc', '/ManagementServer/MDM.svc'));
      assert.match(await readFile(info.caCert, 'utf8'), /^-----BEGIN CERTIFICATE-----/);

      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      child.kill('SIGTERM');
      const ended = await exit;
      assert.deepEqual(ended, { code: 0, signal: null }, `dmc server did not stop cleanly on SIGTERM; its stderr:\n${stderr}`);
      assert.equal(stdout.trim().split('\n').length, 1, 'exactly one line on stdout');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a bad port and a missing password with one line', async () => {
    const run = (args: string[]) => {
      const program = new Command('dmc').exitOverride();
      registerServerCommand(program, { env: {}, write: () => undefined, waitForStop: async () => undefined });
      return program.parseAsync(['server', '--user', 'u', ...args], { from: 'user' });
    };
    await assert.rejects(run(['--port', '70000', '--password', 'p']), {
      code: 'DMC_ERR_SERVER_INVALID_OPTION',
      message: 'server: option --port must be an integer from 0 to 65535 (0 picks a free port), received "70000"',
    });
    await assert.rejects(run(['--port', '0']), {
      code: 'DMC_ERR_SERVER_INVALID_OPTION',
      message: 'server: option --password must be given with --password or the DMC_PASSWORD environment variable, received "(none)"',
    });
  });

  it('says on stop how many transcript lines could not be written, and where', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmc-cli-server-'));
    try {
      // A file where the transcripts folder belongs: every exchange's line fails, the exchanges themselves do not.
      await writeFile(join(dataDir, 'transcripts'), 'in the way\n');
      let announce: (line: string) => void = () => undefined;
      const announced = new Promise<string>((resolve) => (announce = resolve));
      const warnings: string[] = [];
      const program = new Command('dmc').exitOverride();
      registerServerCommand(program, {
        env: { DMC_PASSWORD: 'p' },
        write: (text) => announce(text),
        warn: (text) => void warnings.push(text),
        waitForStop: async () => {
          const info = JSON.parse(await announced) as { managementUrl: string; caCert: string };
          const answer = await post(info.managementUrl, 'not SyncML', { 'content-type': 'application/vnd.syncml.dm+xml' }, { ca: await readFile(info.caCert, 'utf8') });
          assert.equal(answer.status, 400);
        },
      });
      await program.parseAsync(['server', '--user', 'u', '--port', '0', '--data-dir', dataDir], { from: 'user' });
      assert.deepEqual(warnings, [
        `dmc server: 1 transcript line(s) could not be written under ${join(dataDir, 'transcripts')} (disk full, permissions, or something else where the folder or a device's file should be)\n`,
      ]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
