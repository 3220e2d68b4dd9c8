/**
 * `dmc enroll <target>` and `dmc unenroll <target>`: enroll a lab machine into the harness's MDM server, or remove
 * its enrollments, through the agent's enroll and unenroll probes (both run as a SYSTEM task on Windows).
 *
 * Enrolling needs the harness server to answer the device. By default `dmc enroll` starts it for the time of the
 * enrollment with the inventory's harness settings and the data directory the conformance fixtures use for this
 * target, so the next `dmc run` finds the enrollment (and its CA) in place; `--discovery-url` enrolls into a server
 * that is already running instead (`dmc server`).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ProbeAgent } from '../../agents/agent.js';
import { resolveHarnessPassword, type Inventory } from '../../fixtures/targets/inventory.js';
import { serverSettingsOf } from '../../fixtures/targets/server-settings.js';
import { DISCOVERY_PATH } from '../enrollment/index.js';
import { startMdmServer } from '../server/index.js';
import { errors, hresultText } from './errors.js';
import { findRealTarget, harnessDataDir, openAgent, type RealTarget } from './lab-target.js';

export interface EnrollIo {
  write: (text: string) => void;
  env: Record<string, string | undefined>;
  setExitCode: (code: number) => void;
}

interface EnrollFlags {
  inventory: string;
  discoveryUrl?: string;
  timeout: string;
}

interface UnenrollFlags {
  inventory: string;
  enrollmentId?: string;
  timeout: string;
}

function timeoutSeconds(text: string): number {
  if (!/^[1-9]\d{0,4}$/.test(text)) throw errors.DMC_ERR_CLI_INVALID_OPTION.create({ option: '--timeout', received: text, expected: 'seconds, 1 to 99999' });
  return Number(text);
}

/** The URL the device reaches the discovery service by: the target's harnessUrl, else publicHost (or host):port. */
export function deviceDiscoveryUrl(target: RealTarget, inventory: Inventory, serverDiscoveryUrl: string): string {
  if (target.kind === 'ssh' && target.harnessUrl !== undefined) return new URL(DISCOVERY_PATH, target.harnessUrl).toString();
  return serverDiscoveryUrl;
}

async function withAgent<T>(target: RealTarget, env: Record<string, string | undefined>, work: (agent: ProbeAgent) => Promise<T>): Promise<T> {
  const agent = openAgent(target, env);
  try {
    return await work(agent);
  } finally {
    await agent.close();
  }
}

export async function enrollTarget(name: string, flags: EnrollFlags, io: EnrollIo): Promise<void> {
  const { inventory, target } = findRealTarget(flags.inventory, name, 'enroll');
  const seconds = timeoutSeconds(flags.timeout);
  const providerId = inventory.harness.providerId;
  const password = resolveHarnessPassword(inventory, io.env);
  await withAgent(target, io.env, async (agent) => {
    const existing = (await agent.enrollments()).find((e) => e.ProviderID === providerId);
    if (existing !== undefined) {
      io.write(`${name} is already enrolled in ${providerId}: ${existing.EnrollmentId} (dmc unenroll ${name} removes it)\n`);
      return;
    }
    const server =
      flags.discoveryUrl === undefined
        ? await startMdmServer({ ...serverSettingsOf(inventory.harness, target.kind), dataDir: harnessDataDir(target, io.env), password })
        : undefined;
    try {
      if (server !== undefined) {
        const trusted = await agent.trustCa(await readFile(server.caCertPath, 'utf8'));
        io.write(`harness CA ${trusted.thumbprint}: ${trusted.added ? 'added to' : 'already in'} LocalMachine\\Root\n`);
      }
      const discoveryUrl = flags.discoveryUrl ?? deviceDiscoveryUrl(target, inventory, server!.discoveryUrl);
      io.write(`enrolling ${name} through ${discoveryUrl} as ${inventory.harness.user} (up to ${seconds} s)\n`);
      const result = await agent.enroll({ discoveryUrl, user: inventory.harness.user, password, timeoutSeconds: seconds });
      const ours = (await agent.enrollments()).find((e) => e.ProviderID === providerId);
      if (result.hresult !== 0 || ours === undefined) {
        const detail = result.timedOut
          ? `the enrollment task did not finish within ${seconds} s`
          : ours === undefined
            ? `no enrollment of ${providerId} appeared in the registry`
            : 'the enrollment API reported an error';
        throw errors.DMC_ERR_CLI_ENROLL_FAILED.create({ target: name, hresult: hresultText(result.hresult), detail });
      }
      io.write(`enrolled ${name} in ${providerId}: ${ours.EnrollmentId}\n`);
    } finally {
      await server?.stop();
    }
  });
}

export async function unenrollTarget(name: string, flags: UnenrollFlags, io: EnrollIo): Promise<void> {
  const { inventory, target } = findRealTarget(flags.inventory, name, 'unenroll');
  const seconds = timeoutSeconds(flags.timeout);
  const providerId = inventory.harness.providerId;
  await withAgent(target, io.env, async (agent) => {
    const all = await agent.enrollments();
    const wanted = flags.enrollmentId?.replace(/[{}]/g, '').toLowerCase();
    const chosen =
      wanted === undefined
        ? all.filter((e) => e.ProviderID === providerId)
        : all.filter((e) => e.EnrollmentId.replace(/[{}]/g, '').toLowerCase() === wanted);
    if (chosen.length === 0) {
      throw errors.DMC_ERR_CLI_NOT_ENROLLED.create({ target: name, providerId, ...(flags.enrollmentId === undefined ? {} : { enrollmentId: flags.enrollmentId }) });
    }
    for (const enrollment of chosen) {
      const result = await agent.unenroll(enrollment.EnrollmentId, { timeoutSeconds: seconds });
      const left = [...result.leftovers.registryKeys, ...result.leftovers.tasks];
      if (result.hresult !== 0 || result.timedOut) {
        throw errors.DMC_ERR_CLI_UNENROLL_FAILED.create({
          target: name,
          enrollmentId: enrollment.EnrollmentId,
          hresult: hresultText(result.hresult),
          leftovers: left.length === 0 ? 'nothing' : left.join(', '),
        });
      }
      io.write(`unenrolled ${enrollment.EnrollmentId} (${enrollment.ProviderID ?? 'no ProviderID'}) from ${name}${left.length === 0 ? '' : `; left behind: ${left.join(', ')}`}\n`);
    }
  });
}

export function registerEnrollCommands(program: Command, options: Partial<EnrollIo> = {}): void {
  const io = (): EnrollIo => ({
    write: options.write ?? ((t) => void process.stdout.write(t)),
    env: options.env ?? process.env,
    setExitCode: options.setExitCode ?? ((c) => void (process.exitCode = c)),
  });
  program
    .command('enroll')
    .description("enroll a lab machine (ssh or local target) into the harness's MDM server through its agent")
    .argument('<target>', 'target name in the inventory')
    .requiredOption('--inventory <file>', 'YAML inventory holding the target')
    .option('--discovery-url <url>', 'enroll into this running server instead of starting the harness server for the enrollment')
    .option('--timeout <seconds>', 'how long the enrollment task may take', '300')
    .action((name: string, flags: EnrollFlags) => enrollTarget(name, flags, io()));
  program
    .command('unenroll')
    .description("remove a lab machine's enrollments of the harness's ProviderID (or one, by ID) through its agent")
    .argument('<target>', 'target name in the inventory')
    .requiredOption('--inventory <file>', 'YAML inventory holding the target')
    .option('--enrollment-id <guid>', 'remove this enrollment, whatever its provider')
    .option('--timeout <seconds>', 'how long the unenrollment task may take', '120')
    .action((name: string, flags: UnenrollFlags) => unenrollTarget(name, flags, io()));
}
