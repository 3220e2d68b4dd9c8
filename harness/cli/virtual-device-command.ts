/**
 * `dmc virtual-device`: starts the virtual Windows device. It enrolls (or reuses the enrollment kept in its state
 * directory), prints one JSON line on stdout once enrolled, then keeps its poll schedule and its SSH server running
 * until SIGINT or SIGTERM. The SSH password, if any, comes from env DMC_SSH_PASSWORD (never from argv, which
 * other users of the machine can read).
 */
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import type { Command } from 'commander';
import { VirtualDevice } from '../../fixtures/virtual-device/device.js';
import { errors } from '../../fixtures/virtual-device/errors.js';
import { defaultProfileName } from '../../fixtures/virtual-device/profiles.js';
import { readAuthorizedKeys, startSshServer } from '../../fixtures/virtual-device/ssh/ssh-server.js';
import { prepareFolderOption } from './folder-option.js';

interface Options {
  discoveryUrl?: string;
  user?: string;
  password?: string;
  stateDir: string;
  profile?: string;
  ca?: string;
  sshPort: string;
  sshAuthorizedKey?: string;
  sshStandardUser: string[];
  timeScale: string;
  quirk: string[];
}

function number(option: string, value: string, check: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw errors.DMC_ERR_VDEV_INVALID_OPTION.create({ option, received: value, expected });
  return n;
}

async function readCa(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw errors.DMC_ERR_VDEV_CA_FILE.create({ path, problem: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
  }
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) throw errors.DMC_ERR_VDEV_CA_FILE.create({ path, problem: 'no PEM certificate in the file' });
  for (const pem of pems) {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw errors.DMC_ERR_VDEV_CA_FILE.create({ path, problem: (err as Error).message });
    }
  }
  return pems;
}

export async function runVirtualDevice(options: Options, signals: NodeJS.EventEmitter = process): Promise<void> {
  const timeScale = number('--time-scale', options.timeScale, (n) => n > 0, 'a positive number');
  const sshPort = number('--ssh-port', options.sshPort, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number 0-65535');
  const trustedCaPems = options.ca === undefined ? [] : await readCa(options.ca);
  const authorizedKeys = options.sshAuthorizedKey === undefined ? [] : await readAuthorizedKeys(options.sshAuthorizedKey);
  const password = options.password ?? process.env.DMC_PASSWORD;
  // 0o700 as the state store makes it: the folder holds the device's private keys.
  await prepareFolderOption('--state-dir', options.stateDir, { mode: 0o700 });

  const device = await VirtualDevice.open({
    stateDir: options.stateDir,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    trustedCaPems,
    timeScale,
    quirks: options.quirk,
  });
  let enrollment = device.enrollment;
  if (enrollment === null) {
    if (options.discoveryUrl === undefined || options.user === undefined || password === undefined) {
      const missing = [options.discoveryUrl === undefined ? '--discovery-url' : '', options.user === undefined ? '--user' : '', password === undefined ? '--password (or DMC_PASSWORD)' : '']
        .filter((m) => m !== '').join(', ');
      throw errors.DMC_ERR_VDEV_INVALID_OPTION.create({ option: missing, received: '(not given)', expected: 'given for a device that is not enrolled yet' });
    }
    try {
      new URL(options.discoveryUrl);
    } catch {
      throw errors.DMC_ERR_VDEV_INVALID_OPTION.create({ option: '--discovery-url', received: options.discoveryUrl, expected: 'an https URL' });
    }
    enrollment = await device.enroll({ discoveryUrl: options.discoveryUrl, user: options.user, password });
  }
  const sshPassword = process.env.DMC_SSH_PASSWORD;
  const ssh = await startSshServer(device, {
    port: sshPort, authorizedKeys, standardUsers: options.sshStandardUser, ...(sshPassword ? { password: sshPassword } : {}),
  });
  // Listen for the stop signals before announcing readiness: a supervisor may signal right after the line.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      signals.off('SIGINT', stop);
      signals.off('SIGTERM', stop);
      resolve();
    };
    signals.on('SIGINT', stop);
    signals.on('SIGTERM', stop);
  });
  process.stdout.write(`${JSON.stringify({
    deviceId: device.state.deviceId,
    enrollmentId: enrollment.enrollmentId,
    sshPort: ssh.port,
    sshHostKey: ssh.hostKeyFingerprint,
    profile: device.profile.name,
    providerId: enrollment.providerId,
    managementUrl: enrollment.managementUrl,
    stateDir: options.stateDir,
  })}\n`);
  device.startSchedule();
  await stopped;
  await device.stop();
  await ssh.close();
}

export function registerVirtualDeviceCommand(program: Command): void {
  program
    .command('virtual-device')
    .description('run the virtual Windows device: enroll, sync on its poll schedule, answer probes over SSH')
    .option('--discovery-url <url>', 'MS-MDE2 discovery URL of the MDM server')
    .option('--user <user>', 'enrollment user (UPN or name)')
    .option('--password <password>', 'enrollment password (or env DMC_PASSWORD)')
    .requiredOption('--state-dir <dir>', 'directory holding the device state (created if missing)')
    .option('--profile <name|file>', `device profile: a built-in name or a profile file (default ${defaultProfileName}, or the one the state dir was created with)`)
    .option('--ca <file>', 'PEM CA certificate(s) to trust for the server before enrollment')
    .option('--ssh-port <n>', 'SSH port (0 picks a free one)', '0')
    .option('--ssh-authorized-key <file>', 'authorized_keys file for SSH public-key login')
    .option('--ssh-standard-user <name...>', 'SSH logins with this user name are not elevated, like a standard Windows user (repeatable)', [])
    .option('--time-scale <n>', 'run every device schedule N times faster', '1')
    .option('--quirk <name...>', 'switch on a Windows quirk (repeatable)', [])
    .action(async (options: Options) => runVirtualDevice(options));
}
