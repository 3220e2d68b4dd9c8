/**
 * A small real Playwright project for run-command.test.ts: one project per inventory target, as the real config
 * makes them, with the conformance reporter, `dmc run`'s progress reporter and the blob reporter when DMC_BLOB=1.
 * The specs stand in for the suites so the test exercises `dmc run` itself, not the devices.
 */
import { defineConfig, type ReporterDescription } from '@playwright/test';
import { defaultInventory, loadInventory, projectMetadata } from '../../../../fixtures/targets/inventory.js';

const out = process.env['DMC_RESULTS_DIR'];
if (out === undefined) throw new Error('DMC_RESULTS_DIR must name the output directory of this fixture run');
const inventoryFile = process.env['DMC_INVENTORY'];
const inventory = inventoryFile === undefined ? defaultInventory() : loadInventory(inventoryFile);

const reporter: ReporterDescription[] = [
  ['../../../report/conformance-reporter.ts', { outputDir: out, inventory }],
  ['../../run/progress-reporter.ts'],
  ...(process.env['DMC_BLOB'] === '1' ? ([['blob', { outputDir: `${out}/blob-report` }]] as ReporterDescription[]) : []),
];

export default defineConfig({
  testDir: '.',
  // DMC_RUN_FIXTURE_BROKEN=1 adds a spec file that fails to load, as a suite with a mistake would.
  testMatch: process.env['DMC_RUN_FIXTURE_BROKEN'] === '1' ? ['checks.spec.ts', 'does-not-load.spec-broken.ts'] : 'checks.spec.ts',
  outputDir: `${out}/test-output`,
  workers: process.env['DMC_WORKERS'] ? Number(process.env['DMC_WORKERS']) : 2,
  retries: 0,
  timeout: 20_000,
  reporter,
  projects: inventory.targets.map((t) => ({ name: t.name, metadata: projectMetadata(t) })),
});
