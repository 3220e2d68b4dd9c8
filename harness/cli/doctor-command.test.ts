/**
 * `dmc doctor` against a running virtual device reached over SSH as a lab PC would be (server in-process, device
 * as a child process), then against the same device stopped: the table must show the failure with its fix, the
 * device checks as skipped, and the exit code 1.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { loadOrCreateAuthority } from '../pki/index.js';
import { registerDoctorCommand } from './doctor-command.js';
import { startVirtualLab, type VirtualLab } from './test-support/virtual-lab.js';

let lab: VirtualLab;
before(async () => {
  lab = await startVirtualLab();
});
after(async () => {
  await lab?.close();
});

async function runDoctor(args: string[], env = lab.env): Promise<{ out: string; exitCode: number | undefined }> {
  const program = new Command('dmc').exitOverride();
  let out = '';
  let exitCode: number | undefined;
  registerDoctorCommand(program, { write: (t) => (out += t), env, setExitCode: (c) => (exitCode = c) });
  await program.parseAsync(['doctor', ...args], { from: 'user' });
  return { out, exitCode };
}

/** The status column of the row named `name`. */
function status(out: string, name: string): string | undefined {
  const row = out.split('\n').find((l) => l.startsWith(`${name}  `));
  return row?.slice(name.length).trim().split(/\s+/, 1)[0];
}

describe('dmc doctor', () => {
  it('passes a running, enrolled device and says what it found', async () => {
    const { out, exitCode } = await runDoctor(['lab-vm', '--inventory', lab.inventoryFile]);
    assert.equal(exitCode, 0, out);
    for (const name of ['SSH reachable', 'host key pinned', 'login works', 'PowerShell', 'admin rights', 'OpenSSH default shell', 'enrollments', 'TPM', 'build and edition']) {
      assert.equal(status(out, name), 'PASS', `${name}:\n${out}`);
    }
    assert.match(out, new RegExp(`host key pinned +PASS +pinned ${lab.hostKey.replace(/[+/]/g, '\\$&')} matches`));
    assert.match(out, new RegExp(`enrollments +PASS +enrolled in DMCHarness: \\{?${lab.enrollmentId}`, 'i'));
    assert.match(out, /build and edition +PASS +.*\(10\.0\.22631\.\d+, Enterprise, SKU 4\)/);
    // The CA the device trusted at enrollment is the one in the harness data dir (found without --ca).
    assert.equal(status(out, 'harness CA trusted'), 'PASS', out);
    // No probe reads the device clock: the row says so instead of passing.
    assert.equal(status(out, 'clock skew'), 'SKIP');
    assert.match(out, /ready: no check failed/);
  });

  it('refuses a CA the device does not trust, and --fix installs it', async () => {
    const otherCa = join(lab.dir, 'other-ca.pem');
    await writeFile(otherCa, (await loadOrCreateAuthority({ dataDir: join(lab.dir, 'other'), hosts: [] })).caCertPem);
    const before = await runDoctor(['lab-vm', '--inventory', lab.inventoryFile, '--ca', otherCa]);
    assert.equal(before.exitCode, 1);
    assert.equal(status(before.out, 'harness CA trusted'), 'FAIL');
    assert.match(before.out, /fix: run `dmc doctor <target> --fix` \(installs it with the trust-ca probe into LocalMachine\\Root\)/);
    const fixed = await runDoctor(['lab-vm', '--inventory', lab.inventoryFile, '--ca', otherCa, '--fix']);
    assert.match(fixed.out, /harness CA trusted +PASS +--fix: added [0-9A-F]{40} to LocalMachine\\Root/);
    const after = await runDoctor(['lab-vm', '--inventory', lab.inventoryFile, '--ca', otherCa]);
    assert.equal(status(after.out, 'harness CA trusted'), 'PASS');
    assert.equal(after.exitCode, 0);
  });

  it('a stopped device: SSH fails with the fix, the device checks are skipped, exit code 1', async () => {
    await lab.stopDevice();
    const { out, exitCode } = await runDoctor(['lab-vm', '--inventory', lab.inventoryFile]);
    assert.equal(exitCode, 1);
    assert.match(out, new RegExp(`SSH reachable +FAIL +TCP 127\\.0\\.0\\.1:${lab.sshPort}: ECONNREFUSED`));
    assert.match(out, /fix: on the device \(elevated PowerShell\): Add-WindowsCapability -Online -Name OpenSSH\.Server~~~~0\.0\.1\.0; Start-Service sshd;/);
    for (const name of ['login works', 'harness CA trusted', 'enrollments', 'build and edition']) assert.equal(status(out, name), 'SKIP', name);
    assert.match(out, /not ready: 1 check failed/);
  });

  it('refuses a virtual target and an unknown one with one line', async () => {
    const inventory = join(lab.dir, 'virtual.yaml');
    await writeFile(inventory, 'targets:\n  - kind: virtual\n    name: v1\n');
    await assert.rejects(runDoctor(['v1', '--inventory', inventory]), {
      code: 'DMC_ERR_CLI_TARGET_KIND',
      message: 'dmc doctor: target "v1" is virtual; doctor works on ssh and local targets (`dmc run` starts, checks and enrolls virtual devices itself)',
    });
    await assert.rejects(runDoctor(['nope', '--inventory', inventory]), {
      code: 'DMC_ERR_CLI_TARGET_UNKNOWN',
      message: `target "nope" is not in ${inventory} (its targets: v1)`,
    });
  });
});
