/**
 * For unconfirmed-verdict.test.ts: the real conformance fixtures and reporter, one project per inventory target as
 * playwright.config.ts makes them, running assumed-facts.spec.ts with the fact base of ./facts (DMC_FACTS_DIR).
 */
import { defineConfig } from '@playwright/test';
import { runInventory, targetProjects, type TargetOptions } from '../../../../fixtures/conformance/settings.js';
import { inventoryForReport } from '../../../../fixtures/targets/inventory.js';

const out = process.env['DMC_RESULTS_DIR'];
if (out === undefined) throw new Error('DMC_RESULTS_DIR must name the output directory of this fixture run');
const { inventory } = runInventory();

export default defineConfig<object, TargetOptions>({
  testDir: '.',
  testMatch: 'assumed-facts.spec.ts',
  outputDir: `${out}/test-output`,
  workers: 2,
  retries: 0,
  timeout: 120_000,
  reporter: [['../../../report/conformance-reporter.ts', { outputDir: out, inventory: inventoryForReport(inventory) }]],
  projects: targetProjects(inventory),
});
