/**
 * `dmc doctor` against a running virtual device reached over SSH as a lab PC would be (server in-process, device
 * as a child process), then against the same device stopped: the table must show the failure with its fix, the
 * device checks as skipped, and the exit code 1.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { loadOrCreateAuthority } from '../pki/index.js';
import { startMdmServer } from '../server/index.js';
import { tcpProbe } from './doctor/connect-checks.js';
import { registerDoctorCommand } from './doctor-command.js';
import { generateKeyPair, publicKeyFingerprint } from '../../agents/test-support/probe-ssh-server.js';
import { startVirtualLab, type VirtualLab } from './test-support/virtual-lab.js';

let lab: VirtualLab;
before(async () => {
  // 'tester' logs in as a standard Windows user would: not elevated.
  lab = await startVirtualLab({ standardUsers: ['tester'] });
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

/** The lab inventory with one edit, written beside it. */
async function variant(name: string, edit: (text: string) => string): Promise<string> {
  const file = join(lab.dir, name);
  const text = await readFile(lab.inventoryFile, 'utf8');
  const edited = edit(text);
  assert.notEqual(edited, text, `the edit for ${name} changed nothing`);
  await writeFile(file, edited);
  return file;
}

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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
    const names = [
      'SSH reachable', 'host key pinned', 'login works', 'PowerShell', 'admin rights', 'OpenSSH default shell', 'clock skew', 'harness CA trusted',
      'harness URL reachable', 'enrollments', 'MDM certificate', 'TPM', 'build and edition',
    ];
    for (const name of names) assert.equal(status(out, name), 'PASS', `${name}:\n${out}`);
    // The rows in connection order, the CA before the URL (so --fix can install the CA the GET then needs).
    const order = out.split('\n').map((l) => names.find((n) => l.startsWith(`${n}  `))).filter((n) => n !== undefined);
    assert.deepEqual(order, names);
    assert.match(out, new RegExp(`host key pinned +PASS +pinned ${lab.hostKey.replace(/[+/]/g, '\\$&')} matches`));
    assert.match(out, new RegExp(`enrollments +PASS +enrolled in DMCHarness: \\{?${lab.enrollmentId}`, 'i'));
    // The virtual device keeps one machine store; the thumbprint is the one the harness issued.
    assert.match(out, /MDM certificate +PASS +[0-9A-F]{40} in LocalMachine\\My$/m);
    assert.match(out, /build and edition +PASS +.*\(10\.0\.22631\.\d+, Enterprise, SKU 4\)/);
    // Read by host-facts: Windows PowerShell 5.1 of the 22621 servicing base, the SSH user, the shell that ran the probe.
    assert.match(out, /PowerShell +PASS +Windows PowerShell 5\.1\.22621\.\d+ \(Desktop\), FullLanguage/);
    assert.match(out, /admin rights +PASS +\S+\\admin, elevated/);
    assert.match(out, /OpenSSH default shell +PASS +DefaultShell not set \(cmd\.exe\); the probe ran under cmd\.exe/);
    assert.match(out, /clock skew +PASS +device \d+\.\d s (ahead of|behind) the harness \(± \d+\.\d s\)/);
    // The device's own GET reached the server this test runs (it listens on the inventory's port).
    assert.match(out, new RegExp(`harness URL reachable +PASS +device GET https://127\\.0\\.0\\.1:${lab.server.port}/EnrollmentServer/Discovery\\.svc: HTTP 200 in \\d+ ms from the server already listening`));
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

  it('with nothing listening on the harness port, the doctor starts the harness server for the GET', async () => {
    const port = await freePort();
    const inventory = await variant('idle-port.yaml', (text) => text.replace(`port: ${lab.server.port}`, `port: ${port}`));
    const { out, exitCode } = await runDoctor(['lab-vm', '--inventory', inventory]);
    assert.equal(exitCode, 0, out);
    assert.match(out, new RegExp(`harness URL reachable +PASS +device GET https://127\\.0\\.0\\.1:${port}/\\S+: HTTP 200 in \\d+ ms from a temporary harness server on 127\\.0\\.0\\.1:${port}`));
    // The temporary server is gone once the doctor ends.
    assert.equal(await tcpProbe('127.0.0.1', port, 1000), 'ECONNREFUSED');
  });

  it('a harness URL the device cannot connect to fails with the firewall fix', async () => {
    const port = await freePort();
    const inventory = await variant('closed-url.yaml', (text) => text.replace('    connectTimeoutMs:', `    harnessUrl: https://127.0.0.1:${port}\n    connectTimeoutMs:`));
    const { out, exitCode } = await runDoctor(['lab-vm', '--inventory', inventory]);
    assert.equal(exitCode, 1);
    assert.match(out, new RegExp(`harness URL reachable +FAIL +device GET https://127\\.0\\.0\\.1:${port}/EnrollmentServer/Discovery\\.svc: connect failure: ECONNREFUSED`));
    assert.match(out, new RegExp(`fix: allow TCP ${port} inbound on the harness machine \\(its firewall\\)`));
    assert.match(out, /not ready: 1 check failed/);
    // The same verdict for a CI pre-flight step, as JSON.
    const json = await runDoctor(['lab-vm', '--inventory', inventory, '--json']);
    assert.equal(json.exitCode, 1);
    const parsed = JSON.parse(json.out) as { ready: boolean; targets: { target: string; ready: boolean; checks: { name: string; status: string; fix?: string }[] }[] };
    assert.equal(parsed.ready, false);
    assert.equal(parsed.targets.length, 1);
    const report = parsed.targets[0]!;
    assert.deepEqual([report.target, report.ready, report.checks.length], ['lab-vm', false, 14]);
    const row = report.checks.find((c) => c.name === 'harness URL reachable');
    assert.equal(row?.status, 'fail');
    assert.match(row?.fix ?? '', /^allow TCP \d+ inbound on the harness machine/);
  });

  it('a harness address that is not this machine: the row names the listen failure', async () => {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine, so nothing answers there and the server cannot bind it.
    const inventory = await variant('foreign-host.yaml', (text) => text.replace('  host: 127.0.0.1\n  port:', '  host: 192.0.2.1\n  port:'));
    const { out, exitCode } = await runDoctor(['lab-vm', '--inventory', inventory]);
    assert.equal(exitCode, 1);
    assert.match(out, new RegExp(`harness URL reachable +FAIL +cannot listen on 192\\.0\\.2\\.1:${lab.server.port} to test it: listen EADDRNOTAVAIL`));
    assert.match(out, /fix: free the port, or give harness\.host an address of this machine/);
  });

  it('a harness certificate the device does not trust fails the GET; --fix installs the CA and the same run reaches it', async () => {
    const stranger = await startMdmServer({ host: '127.0.0.1', port: 0, dataDir: join(lab.dir, 'stranger'), user: 'x', password: 'x' });
    try {
      const inventory = await variant('stranger.yaml', (text) => text.replace('    connectTimeoutMs:', `    harnessUrl: https://127.0.0.1:${stranger.port}\n    connectTimeoutMs:`));
      const before = await runDoctor(['lab-vm', '--inventory', inventory]);
      assert.equal(before.exitCode, 1);
      assert.match(before.out, /harness URL reachable +FAIL +device GET https:\/\/127\.0\.0\.1:\d+\/EnrollmentServer\/Discovery\.svc: certificate failure: (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/);
      assert.match(before.out, /fix: the device does not trust the harness's certificate, or it does not name 127\.0\.0\.1: run `dmc doctor <target> --fix`/);
      const fixed = await runDoctor(['lab-vm', '--inventory', inventory, '--ca', stranger.caCertPath, '--fix']);
      assert.match(fixed.out, /harness CA trusted +PASS +--fix: added [0-9A-F]{40} to LocalMachine\\Root/);
      assert.equal(status(fixed.out, 'harness URL reachable'), 'PASS', fixed.out);
      assert.equal(fixed.exitCode, 0);
    } finally {
      await stranger.stop();
    }
  });

  it('without a target name, checks every ssh and local target in turn and sums them up', async () => {
    const closed = await freePort();
    const inventory = await variant('whole-lab.yaml', (text) => [
      text.trimEnd(),
      '  - kind: ssh',
      '    name: dead-pc',
      '    host: 127.0.0.1',
      `    port: ${closed}`,
      '    user: admin',
      '    acceptNewHostKey: true',
      '    auth:',
      '      agent: true',
      '  - kind: virtual',
      '    name: not-a-lab-machine',
      '',
    ].join('\n'));
    const { out, exitCode } = await runDoctor(['--inventory', inventory]);
    assert.equal(exitCode, 1);
    assert.deepEqual(out.split('\n').filter((l) => l.startsWith('dmc doctor ')), ['dmc doctor lab-vm', 'dmc doctor dead-pc']);
    assert.match(out, /\n1 of 2 targets ready; not ready: dead-pc\n$/);
    const json = JSON.parse((await runDoctor(['--inventory', inventory, '--json'])).out) as { ready: boolean; targets: { target: string; ready: boolean }[] };
    assert.deepEqual(json.targets.map((t) => [t.target, t.ready]), [['lab-vm', true], ['dead-pc', false]]);
    assert.equal(json.ready, false);

    const virtualOnly = join(lab.dir, 'virtual-only.yaml');
    await writeFile(virtualOnly, 'targets:\n  - kind: virtual\n    name: v1\n  - kind: virtual\n    name: v2\n');
    await assert.rejects(runDoctor(['--inventory', virtualOnly]), {
      code: 'DMC_ERR_CLI_NO_LAB_TARGET',
      message: `dmc doctor: ${virtualOnly} has no ssh or local target to check (its targets are virtual: v1, v2)`,
    });
  });

  it('a standard user: admin rights fail with the fix, and Get-Tpm cannot tell the TPM', async () => {
    const inventory = await variant('standard-user.yaml', (text) => text.replace('    user: admin', '    user: tester'));
    const { out, exitCode } = await runDoctor(['lab-vm', '--inventory', inventory]);
    assert.equal(exitCode, 1);
    assert.match(out, /admin rights +FAIL +\S+\\tester is not elevated\n +fix: log in as a member of the local Administrators group/);
    assert.match(out, /TPM +SKIP +Get-Tpm did not run: Get-Tpm failed: Access denied\./);
    assert.equal(status(out, 'PowerShell'), 'PASS');
    assert.equal(status(out, 'harness URL reachable'), 'PASS');
    assert.match(out, /not ready: 1 check failed/);
  });

  it('a host key that is not the pinned one (a reinstalled PC) fails with both fingerprints and the fix; nothing runs on the device', async () => {
    const pinned = publicKeyFingerprint(generateKeyPair());
    const inventory = await variant('changed-key.yaml', (text) => text.replace(`    hostKey: ${lab.hostKey}`, `    hostKey: ${pinned}\n    acceptNewHostKey: true`));
    const { out, exitCode } = await runDoctor(['lab-vm', '--inventory', inventory]);
    assert.equal(exitCode, 1);
    const line = `host key changed: the server offered ${lab.hostKey} but ${pinned} is pinned; if the machine was reinstalled on purpose, set hostKey: "${lab.hostKey}" in the target`;
    assert.ok(out.includes(line), out);
    assert.match(out, /fix: if the device was reinstalled, confirm the new key \(ssh-keyscan -p \d+ 127\.0\.0\.1 \| ssh-keygen -lf -\) and update hostKey in the inventory/);
    for (const name of ['login works', 'PowerShell', 'enrollments', 'build and edition']) assert.equal(status(out, name), 'SKIP', name);
  });

  it('a stopped device: SSH fails with the fix, the device checks are skipped, exit code 1', async () => {
    await lab.stopDevice();
    const { out, exitCode } = await runDoctor(['lab-vm', '--inventory', lab.inventoryFile]);
    assert.equal(exitCode, 1);
    assert.match(out, new RegExp(`SSH reachable +FAIL +TCP 127\\.0\\.0\\.1:${lab.sshPort}: ECONNREFUSED`));
    assert.match(out, /fix: on the device \(elevated PowerShell\): Add-WindowsCapability -Online -Name OpenSSH\.Server~~~~0\.0\.1\.0; Start-Service sshd;/);
    for (const name of ['login works', 'PowerShell', 'clock skew', 'harness CA trusted', 'harness URL reachable', 'enrollments', 'MDM certificate', 'build and edition']) {
      assert.equal(status(out, name), 'SKIP', name);
    }
    assert.match(out, /not ready: 1 check failed/);

    // Credentials missing on this side fail the login in the same run, though SSH is not reachable.
    const unset = 'DMC_TEST_UNSET_PASSWORD';
    const noPassword = await variant('no-password.yaml', (text) => text.replace(/      keyFile: .*/, `      passwordEnv: ${unset}`));
    const again = await runDoctor(['lab-vm', '--inventory', noPassword]);
    assert.equal(again.exitCode, 1);
    assert.match(again.out, new RegExp(`login works +FAIL +.*the environment variable ${unset} named by passwordEnv is not set`));
    assert.match(again.out, new RegExp(`fix: set ${unset} to admin's password where dmc runs`));
    assert.equal(status(again.out, 'host key pinned'), 'SKIP');
    assert.match(again.out, /not ready: 2 checks failed/);
  });

  it('a local target without PowerShell: the table says so, the device checks are skipped, exit code 1', async () => {
    const inventory = join(lab.dir, 'local.yaml');
    await writeFile(inventory, 'targets:\n  - kind: local\n    name: this-pc\n');
    const emptyPath = await mkdtemp(join(lab.dir, 'no-pwsh-'));
    const { out, exitCode } = await runDoctor(['this-pc', '--inventory', inventory], { ...lab.env, PATH: emptyPath });
    assert.equal(exitCode, 1);
    assert.match(out, /PowerShell +FAIL +PowerShell was not found on this machine \(looked for pwsh, powershell on PATH\)/);
    for (const name of ['admin rights', 'clock skew', 'harness URL reachable', 'build and edition']) assert.equal(status(out, name), 'SKIP', name);
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
