/**
 * `dmc doctor <target> --inventory FILE [--ca FILE] [--fix]`: checks that a lab machine is ready for a run and
 * prints a table, one row per check, with the fix for each that did not pass. Exit code 1 when a check failed.
 * Checks run in connection order; when SSH cannot be reached or logged into, the checks inside the device are
 * listed as skipped, each saying so, so the table always shows the whole list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ProbeAgent } from '../../agents/agent.js';
import { errors } from './errors.js';
import { CHECK_NAMES as N, pass, renderTable, skip, type CheckResult } from './doctor/check.js';
import { loginChecks, sshPortCheck } from './doctor/connect-checks.js';
import {
  adminCheck, buildCheck, caTrustCheck, clockCheck, defaultShellCheck, enrollmentsCheck, harnessUrlCheck, powershellCheck,
  securedCoreCheck, tpmCheck,
} from './doctor/device-checks.js';
import { findRealTarget, harnessDataDir, openAgent } from './lab-target.js';

export interface DoctorFlags {
  inventory: string;
  ca?: string;
  fix?: boolean;
}

export interface DoctorIo {
  write: (text: string) => void;
  env: Record<string, string | undefined>;
}

function readCa(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw errors.DMC_ERR_CLI_CA_FILE.create({ file, reason: code === 'ENOENT' ? 'no such file' : (error as Error).message });
  }
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  if (pem === undefined) throw errors.DMC_ERR_CLI_CA_FILE.create({ file, reason: 'no PEM certificate (-----BEGIN CERTIFICATE-----) in the file' });
  return pem;
}

/** Runs every check; resolves with the rows (the caller renders them and sets the exit code). */
export async function doctor(targetName: string, flags: DoctorFlags, io: DoctorIo): Promise<CheckResult[]> {
  const { inventory, target } = findRealTarget(flags.inventory, targetName, 'doctor');
  const defaultCa = join(harnessDataDir(target, io.env), 'pki', 'ca.cert.pem');
  const caPem = flags.ca !== undefined ? readCa(flags.ca) : existsSync(defaultCa) ? readCa(defaultCa) : undefined;
  const caSource = flags.ca ?? (caPem === undefined ? `no --ca given and ${defaultCa} does not exist yet` : defaultCa);

  const rows: CheckResult[] = [];
  let osInfo: Awaited<ReturnType<ProbeAgent['osInfo']>> | undefined;
  let firstError: string | undefined;
  const agent = target.kind === 'ssh' ? undefined : openAgent(target, io.env);
  let sshAgent: ReturnType<typeof openAgent> | undefined;
  try {
    if (target.kind === 'ssh') {
      const port = await sshPortCheck(target);
      rows.push(port);
      if (port.status === 'fail') {
        const names = [N.hostKey, N.login, N.powershell, N.admin, N.defaultShell, N.clock];
        rows.push(...names.map((n) => skip(n, 'not checked: SSH is not reachable', 'make SSH reachable first')));
        rows.push(harnessUrlCheck(target, inventory.harness));
        rows.push(...[N.caTrust, N.enrollments, N.tpm, N.securedCore, N.build].map((n) => skip(n, 'not checked: SSH is not reachable', 'make SSH reachable first')));
        return rows;
      }
      sshAgent = openAgent(target, io.env);
      const login = await loginChecks(target, sshAgent);
      rows.push(...login.checks);
      osInfo = login.osInfo;
      if (login.checks.some((c) => c.status === 'fail' || c.status === 'skip')) {
        const names = [N.powershell, N.admin, N.defaultShell, N.clock];
        rows.push(...names.map((n) => skip(n, 'not checked: no SSH login', 'fix the login first')));
        rows.push(harnessUrlCheck(target, inventory.harness));
        rows.push(...[N.caTrust, N.enrollments, N.tpm, N.securedCore, N.build].map((n) => skip(n, 'not checked: no SSH login', 'fix the login first')));
        return rows;
      }
    } else {
      rows.push(pass(N.sshPort, 'local target: no SSH'));
      try {
        osInfo = await agent!.osInfo();
      } catch (error) {
        firstError = (error as Error).message.split('\n', 1)[0];
      }
    }
    const device = sshAgent ?? agent!;
    if (osInfo === undefined && firstError === undefined) {
      try {
        osInfo = await device.osInfo();
      } catch (error) {
        firstError = (error as Error).message.split('\n', 1)[0];
      }
    }
    rows.push(powershellCheck(osInfo, firstError));
    rows.push(await adminCheck(device));
    rows.push(target.kind === 'ssh' ? await defaultShellCheck(device, target) : pass(N.defaultShell, 'local target: no OpenSSH shell involved'));
    rows.push(clockCheck());
    rows.push(harnessUrlCheck(target, inventory.harness));
    rows.push(await caTrustCheck(device, caPem, caSource, flags.fix === true));
    rows.push(await enrollmentsCheck(device, inventory.harness.providerId));
    rows.push(await tpmCheck(device));
    rows.push(await securedCoreCheck(device));
    rows.push(buildCheck(osInfo));
    return rows;
  } finally {
    await (sshAgent ?? agent)?.close();
  }
}

export interface DoctorCommandOptions extends Partial<DoctorIo> {
  setExitCode?: (code: number) => void;
}

export function registerDoctorCommand(program: Command, options: DoctorCommandOptions = {}): void {
  program
    .command('doctor')
    .description('check that a lab machine (ssh or local target) is ready for a run; prints each check with its fix')
    .argument('<target>', 'target name in the inventory')
    .requiredOption('--inventory <file>', 'YAML inventory holding the target (docs/inventory.md)')
    .option('--ca <file>', 'harness CA certificate (PEM) the device must trust (default: <harness data dir>/pki/ca.cert.pem)')
    .option('--fix', 'install the harness CA into LocalMachine\\Root when it is missing')
    .action(async (targetName: string, flags: DoctorFlags) => {
      const io: DoctorIo = { write: options.write ?? ((t) => void process.stdout.write(t)), env: options.env ?? process.env };
      const rows = await doctor(targetName, flags, io);
      io.write(renderTable(targetName, rows));
      (options.setExitCode ?? ((c: number) => void (process.exitCode = c)))(rows.some((r) => r.status === 'fail') ? 1 : 0);
    });
}
