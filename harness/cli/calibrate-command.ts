/**
 * `dmc calibrate <target> --inventory F [--output FILE] [--name NAME]`: observes a device of an inventory (ssh,
 * local or virtual) around a scripted set of DMClient commands and writes what it saw as a device profile file
 * (dmc-device-profile/1), which `dmc virtual-device --profile FILE` and an inventory's `profile:` load.
 * docs/calibration.md describes the lab workflow; harness/cli/calibrate/observe.ts the script.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadInventory } from '../../fixtures/targets/inventory.js';
import { isProfilePath } from '../../fixtures/virtual-device/profiles.js';
import { MDM_CERTIFICATE_STORE_NAMES, findMdmCertificates, recordsHeld, type FoundCertificates } from '../../fixtures/conformance/mdm-certificate.js';
import { buildProfile, type BuiltProfile } from './calibrate/build-profile.js';
import { connectTarget } from './calibrate/connect.js';
import { factsObserved } from './calibrate/facts.js';
import { observe } from './calibrate/observe.js';
import { FILE_WRITE_REASONS, fileErrorReason } from '../errors.js';
import { errors } from './errors.js';
import { prepareFolderOption } from './folder-option.js';

export interface CalibrateIo {
  write: (text: string) => void;
  env: Record<string, string | undefined>;
  now: () => Date;
}

interface CalibrateFlags {
  inventory: string;
  output?: string;
  name?: string;
}

/** The sections of a profile that hold an observation (for the fact hook and the summary). */
function presentSections(built: BuiltProfile): string[] {
  const p = built.profile;
  const sections = ['registry.enrollment', 'registry.dmClient', 'registry.omadmAccount', 'registry.addrInfo', 'registry.connInfo']
    .filter((s) => Object.keys(p.registry[s.split('.')[1] as 'enrollment'].values).length > 0);
  if (Object.keys(p.registry.nodeValues).length > 0) sections.push('registry.nodeValues');
  sections.push('tasks.pollSchedules');
  if (p.tasks.maintenance !== undefined) sections.push('tasks.maintenance');
  if (p.tasks.logon !== undefined) sections.push('tasks.logon');
  sections.push('events.sessionStarted', 'events.sessionEnded', 'events.commandFailed', 'nodes', 'device.tpm', 'device.securedCore');
  return sections;
}

export async function calibrateTarget(name: string, flags: CalibrateFlags, io: CalibrateIo): Promise<BuiltProfile> {
  const inventory = loadInventory(flags.inventory);
  const target = inventory.targets.find((t) => t.name === name);
  if (target === undefined) {
    throw errors.DMC_ERR_CLI_TARGET_UNKNOWN.create({ target: name, inventory: flags.inventory, known: inventory.targets.map((t) => t.name) });
  }
  const output = resolve(flags.output ?? `${name}.profile.json`);
  // Checked before the device is observed, which takes minutes: a bad --output must not throw that work away.
  await prepareFolderOption('--output', dirname(output));
  const startedAt = io.now();
  io.write(`calibrating ${name} (${target.kind}${target.kind === 'virtual' ? `, profile ${target.profile}` : ''})\n`);
  const connected = await connectTarget(inventory, target, io.env);
  let built: BuiltProfile;
  let held: FoundCertificates | undefined;
  try {
    io.write(`${connected.freshEnrollment ? 'enrolled' : 'already enrolled'}: ${connected.enrollmentId} (${connected.providerId})\n`);
    const observations = await observe(connected, (line) => io.write(`  ${line}\n`));
    const issued = connected.server.enrollments.list().filter((r) => r.providerId === connected.providerId);
    // Which store holds it is itself an observation (fact win.cert-store-mdm-client): printed below.
    held = await findMdmCertificates(connected.agent, issued.map((r) => r.certificate.thumbprint));
    const thumbprints = recordsHeld(issued, held).map((r) => r.certificate.thumbprint).reverse();
    built = buildProfile(
      {
        // A virtual device of a built-in profile calibrates to that profile's name, so its expectations still apply.
        name: flags.name ?? (target.kind === 'virtual' && !isProfilePath(target.profile) ? target.profile : name), target: name, at: startedAt.toISOString(), freshEnrollment: connected.freshEnrollment,
        enrollmentId: connected.enrollmentId, providerId: connected.providerId, upn: connected.upn,
        discoveryUrl: connected.discoveryUrl, managementUrl: connected.server.managementUrl, thumbprints,
      },
      observations,
    );
  } finally {
    await connected.close();
  }
  try {
    await writeFile(output, `${JSON.stringify(built.profile, null, 2)}\n`);
  } catch (err) {
    throw errors.DMC_ERR_CLI_CALIBRATE_OUTPUT.create({ file: output, reason: fileErrorReason(err, FILE_WRITE_REASONS) });
  }
  const p = built.profile;
  const nodes = Object.values(p.nodes);
  const registryValues = ['enrollment', 'dmClient', 'omadmAccount', 'addrInfo', 'connInfo'].reduce(
    (n, k) => n + Object.keys(p.registry[k as 'enrollment'].values).length, 0);
  const tasks = [...p.tasks.pollSchedules, p.tasks.maintenance, p.tasks.logon].filter((t) => t !== undefined);
  const eventIds = [p.events.sessionStarted, p.events.sessionEnded, p.events.commandFailed];
  io.write(
    [
      `Windows ${p.device.osVersion}.${p.device.ubr} ${p.device.editionId} (SKU ${p.device.osEdition}), TPM ${p.device.tpm.present ? p.device.tpm.specVersion : 'none'}, ` +
        `Secured-core ${p.device.securedCore ? 'yes' : 'no'}, ${p.device.authMode} authentication, MaxMsgSize ${p.device.maxMsgSize ?? 'not announced'}`,
      `nodes read: ${nodes.length} (${nodes.filter((n) => n.status === 200).length} answered 200, ${nodes.filter((n) => n.status === 404).length} answered 404)`,
      `registry values found: ${registryValues} in 5 keys${built.skippedValues > 0 ? ` (${built.skippedValues} of other kinds left out)` : ''}; ` +
        `${Object.keys(p.registry.nodeValues).length} node placements`,
      `tasks: ${tasks.length} (${tasks.join(', ')})`,
      `event IDs: session started ${eventIds[0]}, ended ${eventIds[1]}, command failed ${eventIds[2]}`,
      ...(built.missing.length === 0 ? [] : [`not observed: ${built.missing.join(', ')}`]),
      ...(connected.freshEnrollment ? [] : ['note: the device was enrolled before calibration, so node values may not be those of a fresh enrollment']),
      held === undefined
        ? `MDM client certificate: not found in ${MDM_CERTIFICATE_STORE_NAMES.join(', ')}`
        : `MDM client certificate: in ${held.store}`,
      `facts these observations bear on (docs/calibration.md): ${factsObserved([...presentSections(built), ...(held === undefined ? [] : ['certificate.store'])]).join(', ')}`,
      `profile written to ${output}`,
      '',
    ].join('\n'),
  );
  return built;
}

export function registerCalibrateCommand(program: Command, options: Partial<CalibrateIo> = {}): void {
  program
    .command('calibrate')
    .description('observe a device of an inventory around scripted DMClient commands and write what it saw as a device profile file')
    .argument('<target>', 'target name in the inventory (ssh, local or virtual)')
    .requiredOption('--inventory <file>', 'YAML inventory holding the target')
    .option('--output <file>', 'where the profile goes (default <target>.profile.json)')
    .option('--name <name>', "the profile's name (default the target's name; a virtual target's built-in profile name)")
    .action(async (name: string, flags: CalibrateFlags) => {
      await calibrateTarget(name, flags, {
        write: options.write ?? ((t) => void process.stdout.write(t)),
        env: options.env ?? process.env,
        now: options.now ?? (() => new Date()),
      });
    });
}
