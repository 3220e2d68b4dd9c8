/**
 * `dmc enroll` and `dmc unenroll` through the agent, against a virtual device reached over SSH as a lab PC would
 * be: an enrolled device is left alone by enroll, unenroll removes the enrollment (the device's registry no longer
 * lists it), and a second unenroll says there is nothing to remove, word for word.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { SshAgent } from '../../agents/ssh-agent.js';
import { deviceDiscoveryUrl, registerEnrollCommands } from './enroll-command.js';
import { startVirtualLab, type VirtualLab } from './test-support/virtual-lab.js';

let lab: VirtualLab;
before(async () => {
  lab = await startVirtualLab();
});
after(async () => {
  await lab?.close();
});

async function dmc(args: string[]): Promise<string> {
  const program = new Command('dmc').exitOverride();
  let out = '';
  registerEnrollCommands(program, { write: (t) => (out += t), env: lab.env, setExitCode: () => undefined });
  await program.parseAsync(args, { from: 'user' });
  return out;
}

async function enrollmentIds(): Promise<string[]> {
  const agent = new SshAgent({ host: '127.0.0.1', port: lab.sshPort, user: 'admin', privateKeyFile: `${lab.dir}/id_ed25519`, hostKey: lab.hostKey });
  try {
    return (await agent.enrollments()).map((e) => e.EnrollmentId.replace(/[{}]/g, '').toUpperCase());
  } finally {
    await agent.close();
  }
}

describe('dmc enroll / unenroll', () => {
  it('enroll leaves an enrolled device alone and says so', async () => {
    const out = await dmc(['enroll', 'lab-vm', '--inventory', lab.inventoryFile]);
    assert.match(out, new RegExp(`^lab-vm is already enrolled in DMCHarness: \\{?${lab.enrollmentId}\\}? \\(dmc unenroll lab-vm removes it\\)\\n$`, 'i'));
  });

  it('unenroll removes the enrollment from the device, and a second one finds nothing', async () => {
    assert.deepEqual(await enrollmentIds(), [lab.enrollmentId.toUpperCase()]);
    const out = await dmc(['unenroll', 'lab-vm', '--inventory', lab.inventoryFile]);
    assert.match(out, new RegExp(`^unenrolled \\{?${lab.enrollmentId}\\}? \\(DMCHarness\\) from lab-vm\\n$`, 'i'));
    assert.deepEqual(await enrollmentIds(), []);
    await assert.rejects(dmc(['unenroll', 'lab-vm', '--inventory', lab.inventoryFile]), {
      code: 'DMC_ERR_CLI_NOT_ENROLLED',
      message: 'lab-vm has no enrollment of ProviderID "DMCHarness"',
    });
  });

  it('the device reaches discovery through the target\'s harnessUrl when it has one', () => {
    const target = { kind: 'ssh', name: 'pc', host: 'pc', port: 22, user: 'u', auth: { agent: true }, acceptNewHostKey: true, connectTimeoutMs: 1, maxParallel: 1, harnessUrl: 'https://gw.lab:9443' } as const;
    const inventory = { harness: { host: '0.0.0.0', port: 8443, user: 'u', passwordEnv: 'P', providerId: 'DMCHarness' }, targets: [target] };
    assert.equal(deviceDiscoveryUrl(target, inventory, 'https://mdm.lab:8443/EnrollmentServer/Discovery.svc'), 'https://gw.lab:9443/EnrollmentServer/Discovery.svc');
    const { harnessUrl: _, ...direct } = target;
    assert.equal(deviceDiscoveryUrl(direct, inventory, 'https://mdm.lab:8443/EnrollmentServer/Discovery.svc'), 'https://mdm.lab:8443/EnrollmentServer/Discovery.svc');
  });
});
