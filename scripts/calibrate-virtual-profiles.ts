/**
 * Rewrites the observed sections of the built-in profile files (fixtures/virtual-device/profiles/*.json) by running
 * `dmc calibrate` against a virtual device of each profile: registry shapes, task names, session event IDs and node
 * answers then say what the virtual device does today. Run it after changing a rule of the virtual device that
 * shows in them (a default, a placement); `harness/cli/calibrate-e2e.test.ts` fails until the files agree again.
 *
 * Kept from each file: `$schema`, `source`, `name`, `device` (what the profile is) and the event IDs calibration
 * cannot provoke (unenrolled, configLockRemediated, recovery, linkedEnrollment). A device section that calibration
 * reads back differently is reported and the file is left as it is: that is a bug to look at, not data to accept.
 *
 *   node --import tsx scripts/calibrate-virtual-profiles.ts [profile...]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { calibrateTarget } from '../harness/cli/calibrate-command.js';
import { BUILT_IN_PROFILES, PROFILE_DIR } from '../fixtures/virtual-device/profiles.js';
import type { ProfileFile } from '../fixtures/virtual-device/profile-schema.js';

const wanted = process.argv.slice(2);
const names = wanted.length === 0 ? [...BUILT_IN_PROFILES] : wanted;
const dir = await mkdtemp(join(tmpdir(), 'dmc-calibrate-profiles-'));
let failed = false;
try {
  for (const name of names) {
    const file = join(PROFILE_DIR, `${name}.json`);
    const current = JSON.parse(await readFile(file, 'utf8')) as ProfileFile;
    const inventory = join(dir, `${name}.yaml`);
    await writeFile(inventory, `targets:\n  - kind: virtual\n    name: calibrate\n    profile: ${name}\n`);
    const { profile } = await calibrateTarget('calibrate', { inventory, output: join(dir, `${name}.json`), name }, {
      write: () => undefined, env: {}, now: () => new Date(),
    });
    if (!isDeepStrictEqual(profile.device, current.device)) {
      process.stderr.write(`${name}: calibration read the device section back differently; file left unchanged\n`);
      failed = true;
      continue;
    }
    const { unenrolled, configLockRemediated, recovery, linkedEnrollment } = current.events;
    const next: ProfileFile = {
      $schema: current.$schema,
      source: current.source,
      name: current.name,
      device: current.device,
      registry: profile.registry,
      tasks: profile.tasks,
      events: { ...profile.events, ...{ unenrolled, configLockRemediated, recovery, linkedEnrollment } },
      nodes: profile.nodes,
    };
    await writeFile(file, `${JSON.stringify(next, null, 2)}\n`);
    process.stdout.write(`${name}: ${Object.keys(next.nodes).length} nodes, ${Object.keys(next.registry.nodeValues).length} placements written\n`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
