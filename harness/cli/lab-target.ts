/**
 * What `dmc doctor`, `dmc enroll` and `dmc unenroll` share: find a real target (ssh or local) in an inventory,
 * connect its agent, and locate the harness data directory the conformance fixtures use for it (a real device
 * keeps its enrollment between runs, so its server keeps its CA and enrollments there too). `dmc run` uses it too,
 * to name the real targets whose secrets are missing before the first test (missingCredentials).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeAgent } from '../../agents/agent.js';
import { LocalAgent } from '../../agents/local-agent.js';
import { SshAgent } from '../../agents/ssh-agent.js';
import { loadInventory, resolveHarnessPassword, sshAgentConfig, type Inventory, type LocalTarget, type SshTarget, type Target } from '../../fixtures/targets/inventory.js';
import { DmcError, messageWithCode } from '../errors.js';
import { errors } from './errors.js';

export type RealTarget = SshTarget | LocalTarget;

export function findRealTarget(inventoryFile: string, name: string, verb: string): { inventory: Inventory; target: RealTarget } {
  const inventory = loadInventory(inventoryFile);
  const target = inventory.targets.find((t) => t.name === name);
  if (target === undefined) {
    throw errors.DMC_ERR_CLI_TARGET_UNKNOWN.create({ target: name, inventory: inventoryFile, known: inventory.targets.map((t) => t.name) });
  }
  if (target.kind === 'virtual') throw errors.DMC_ERR_CLI_TARGET_KIND.create({ verb, target: name, kind: 'virtual' });
  return { inventory, target };
}

/** Every ssh and local target of an inventory, in its order: what `dmc doctor` checks when no target is named. */
export function labTargets(inventoryFile: string, verb: string): RealTarget[] {
  const inventory = loadInventory(inventoryFile);
  const real = inventory.targets.filter((t): t is RealTarget => t.kind !== 'virtual');
  if (real.length === 0) throw errors.DMC_ERR_CLI_NO_LAB_TARGET.create({ verb, inventory: inventoryFile, virtual: inventory.targets.map((t) => t.name) });
  return real;
}

export function openAgent(target: RealTarget, env: Record<string, string | undefined>): ProbeAgent & { hostKeyFingerprint?: string | undefined } {
  return target.kind === 'ssh' ? new SshAgent(sshAgentConfig(target, env)) : new LocalAgent({ env });
}

/**
 * The real targets among `targets` that lack a secret on this machine, found without connecting: the enrollment
 * password (`harness.passwordEnv`, DMC_ERR_FIXTURES_ENV_MISSING), then an ssh login (an unset passwordEnv, a keyFile
 * that cannot be read: DMC_ERR_AGENT_NO_CREDENTIALS). Each is the error the fixtures throw in every test of that
 * target; the other targets run as usual.
 */
export function missingCredentials(
  inventory: Inventory,
  targets: readonly Target[],
  env: Record<string, string | undefined>,
): Array<{ target: string; problem: DmcError }> {
  const found: Array<{ target: string; problem: DmcError }> = [];
  for (const target of targets) {
    if (target.kind === 'virtual') continue;
    const problem =
      enrollmentPasswordProblem(inventory, target, env) ??
      (target.kind === 'ssh' ? new SshAgent(sshAgentConfig(target, env)).credentialProblem() : undefined);
    if (problem !== undefined) found.push({ target: target.name, problem });
  }
  return found;
}

/** The line `dmc run` and a direct `playwright test` print for a target missingCredentials found, before the first test. */
export function missingCredentialsLine(missing: { target: string; problem: DmcError }): string {
  return `  ${missing.target}: ${messageWithCode(missing.problem)}; its tests will end as harness errors\n`;
}

/** resolveHarnessPassword's refusal for a run of `target` alone, or undefined when the password is there. */
function enrollmentPasswordProblem(inventory: Inventory, target: Target, env: Record<string, string | undefined>): DmcError | undefined {
  try {
    resolveHarnessPassword({ ...inventory, targets: [target] }, env);
    return undefined;
  } catch (err) {
    if (err instanceof DmcError) return err;
    throw err;
  }
}

/** The harness data directory of a real target, as fixtures/conformance/fixtures.ts chooses it. */
export function harnessDataDir(target: RealTarget, env: Record<string, string | undefined>): string {
  return env['DMC_HARNESS_DATA_DIR'] ?? join(tmpdir(), 'dmc-harness', target.name);
}
