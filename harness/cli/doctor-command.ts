/**
 * `dmc doctor [target...] --inventory FILE [--ca FILE] [--fix] [--json]`: checks that lab machines (every ssh and
 * local target when none is named) are ready for a run and prints a table per machine, one row per check, with the
 * fix for each that did not pass. Exit code 1 when a check of any machine failed.
 * Checks run in connection order; when SSH cannot be reached or logged into, the checks inside the device are
 * listed as skipped, each saying so, so the table always shows the whole list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { OsInfo } from '../../agents/probe-schemas.js';
import { SshAgent } from '../../agents/ssh-agent.js';
import { readFailureReason } from '../errors.js';
import { errors } from './errors.js';
import { errors as agentErrors } from '../../agents/errors.js';
import { CHECK_NAMES as N, fail, firstLine, pass, renderTable, skip, type CheckResult } from './doctor/check.js';
import { loginChecks, loginFailure, sshPortCheck } from './doctor/connect-checks.js';
import {
  adminCheck, buildCheck, caTrustCheck, clockCheck, defaultShellCheck, enrollmentsCheck, mdmCertificateCheck, powershellCheck, readHostFacts,
  securedCoreCheck, tpmCheck,
} from './doctor/device-checks.js';
import { harnessReachCheck, harnessUrlProblem, openHarnessEndpoint } from './doctor/harness-reach.js';
import { findRealTarget, harnessDataDir, labTargets, openAgent, type RealTarget } from './lab-target.js';

export interface DoctorFlags {
  inventory: string;
  ca?: string;
  fix?: boolean;
  json?: boolean;
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
    throw errors.DMC_ERR_CLI_CA_FILE.create({ file, reason: readFailureReason(error) });
  }
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  if (pem === undefined) throw errors.DMC_ERR_CLI_CA_FILE.create({ file, reason: 'no PEM certificate (-----BEGIN CERTIFICATE-----) in the file' });
  return pem;
}

/** Runs every check; resolves with the rows (the caller renders them and sets the exit code). */
export async function doctor(targetName: string, flags: DoctorFlags, io: DoctorIo): Promise<CheckResult[]> {
  const { inventory, target } = findRealTarget(flags.inventory, targetName, 'doctor');
  const dataDir = harnessDataDir(target, io.env);
  const defaultCa = join(dataDir, 'pki', 'ca.cert.pem');
  const givenCa = flags.ca !== undefined ? readCa(flags.ca) : undefined;
  const urlProblem = harnessUrlProblem(target, inventory.harness);

  const rows: CheckResult[] = [];
  /** The rows after a connection failure: each says why it was not checked; the inventory's URL problem still shows. */
  const skipDeviceRows = (from: readonly string[], why: string, fix: string): void => {
    for (const name of from) rows.push(name === N.harnessUrl && urlProblem !== undefined ? urlProblem : skip(name, `not checked: ${why}`, fix));
  };
  const AFTER_LOGIN = [N.powershell, N.admin, N.defaultShell, N.clock, N.caTrust, N.harnessUrl, N.enrollments, N.mdmCertificate, N.tpm, N.securedCore, N.build];

  let osInfo: OsInfo | undefined;
  let firstError: string | undefined;
  const agent = openAgentLazily(target, io.env);
  try {
    if (target.kind === 'ssh') {
      const port = await sshPortCheck(target);
      rows.push(port);
      if (port.status === 'fail') {
        // The login is not tried, but credentials missing on this side (an unset passwordEnv, an unreadable key file)
        // fail it at once, so one run shows both fixes instead of the second only after the first is done.
        const opened = agent.open();
        const missing = opened instanceof SshAgent ? opened.credentialProblem() : undefined;
        const [why, fix] = ['SSH is not reachable', 'make SSH reachable first'];
        skipDeviceRows(missing === undefined ? [N.hostKey, N.login] : [N.hostKey], why, fix);
        if (missing !== undefined) rows.push(loginFailure(target, missing.message));
        skipDeviceRows(AFTER_LOGIN, why, fix);
        return rows;
      }
      const login = await loginChecks(target, agent.open());
      rows.push(...login.checks);
      osInfo = login.osInfo;
      if (login.checks.some((c) => c.status === 'fail' || c.status === 'skip')) {
        skipDeviceRows(AFTER_LOGIN, 'no SSH login', 'fix the login first');
        return rows;
      }
    } else {
      rows.push(pass(N.sshPort, 'local target: no SSH'), pass(N.hostKey, 'local target: no SSH'), pass(N.login, 'local target: runs as the current user'));
      try {
        agent.open();
      } catch (error) {
        if (!agentErrors.DMC_ERR_AGENT_POWERSHELL_NOT_FOUND.is(error)) throw error;
        rows.push(fail(N.powershell, error.message, 'run dmc on the Windows machine itself, with Windows PowerShell 5.1 (powershell.exe) or pwsh on PATH'));
        skipDeviceRows(AFTER_LOGIN.slice(1), 'no PowerShell', 'fix the PowerShell check first');
        return rows;
      }
    }
    const device = agent.open();
    if (osInfo === undefined) {
      try {
        osInfo = await device.osInfo();
      } catch (error) {
        firstError = firstLine(error);
      }
    }
    const host = await readHostFacts(device);
    rows.push(powershellCheck(osInfo, firstError, host));
    rows.push(adminCheck(host));
    rows.push(target.kind === 'ssh' ? defaultShellCheck(host, target) : pass(N.defaultShell, 'local target: no OpenSSH shell involved'));
    rows.push(clockCheck(host));

    // The server that answers the device's GET is opened first: a temporary one creates the harness CA on its
    // first start, which the CA row then compares against the device's Root store.
    const endpoint = urlProblem === undefined ? await openHarnessEndpoint({ target, harness: inventory.harness, dataDir, env: io.env }) : urlProblem;
    try {
      const caPem = givenCa ?? (existsSync(defaultCa) ? readCa(defaultCa) : undefined);
      const caSource = flags.ca ?? (caPem === undefined ? `no --ca given and ${defaultCa} does not exist yet` : defaultCa);
      rows.push(await caTrustCheck(device, caPem, caSource, flags.fix === true));
      rows.push('status' in endpoint ? endpoint : await harnessReachCheck(device, endpoint));
    } finally {
      if (!('status' in endpoint)) await endpoint.close();
    }
    // One enrollments probe serves both rows (a probe is an SSH round trip and a PowerShell start on the device).
    let enrollments: ReturnType<typeof device.enrollments> | undefined;
    const readEnrollments = () => (enrollments ??= device.enrollments());
    rows.push(await enrollmentsCheck(device, inventory.harness.providerId, readEnrollments));
    rows.push(await mdmCertificateCheck(device, inventory.harness.providerId, readEnrollments));
    rows.push(await tpmCheck(device));
    rows.push(await securedCoreCheck(device));
    rows.push(buildCheck(osInfo));
    return rows;
  } finally {
    await agent.close();
  }
}

/** The agent is opened only once a connection is worth trying, and closed whatever happened. */
function openAgentLazily(target: RealTarget, env: Record<string, string | undefined>) {
  let agent: ReturnType<typeof openAgent> | undefined;
  return {
    open: () => (agent ??= openAgent(target, env)),
    close: async () => agent?.close(),
  };
}

export interface DoctorCommandOptions extends Partial<DoctorIo> {
  setExitCode?: (code: number) => void;
}

export function registerDoctorCommand(program: Command, options: DoctorCommandOptions = {}): void {
  program
    .command('doctor')
    .description('check that lab machines (ssh or local targets) are ready for a run; prints each check with its fix')
    .argument('[targets...]', 'target names in the inventory (default: every ssh and local target, one after another)')
    .requiredOption('--inventory <file>', 'YAML inventory holding the targets (docs/inventory.md)')
    .option('--ca <file>', 'harness CA certificate (PEM) the device must trust (default: <harness data dir>/pki/ca.cert.pem)')
    .option('--fix', 'install the harness CA into LocalMachine\\Root when it is missing')
    .option('--json', 'print {ready, targets: [{target, ready, checks: [{name, status, detail, fix}]}]} instead of tables (for a CI pre-flight step)')
    .action(async (names: string[], flags: DoctorFlags) => {
      const io: DoctorIo = { write: options.write ?? ((t) => void process.stdout.write(t)), env: options.env ?? process.env };
      const chosen = names.length > 0 ? names : labTargets(flags.inventory, 'doctor').map((t) => t.name);
      const reports: { target: string; ready: boolean; checks: CheckResult[] }[] = [];
      // One machine after another: each may start the harness server on the inventory's port for its URL check.
      for (const name of chosen) {
        const checks = await doctor(name, flags, io);
        const report = { target: name, ready: !checks.some((r) => r.status === 'fail'), checks };
        reports.push(report);
        if (flags.json !== true) io.write(`${reports.length > 1 ? '\n' : ''}${renderTable(name, checks)}`);
      }
      const ready = reports.every((r) => r.ready);
      if (flags.json === true) io.write(`${JSON.stringify({ ready, targets: reports }, null, 2)}\n`);
      else if (reports.length > 1) io.write(`\n${reports.filter((r) => r.ready).length} of ${reports.length} targets ready${ready ? '' : `; not ready: ${reports.filter((r) => !r.ready).map((r) => r.target).join(', ')}`}\n`);
      (options.setExitCode ?? ((c: number) => void (process.exitCode = c)))(ready ? 0 : 1);
    });
}
