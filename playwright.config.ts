import { defineConfig, type ReporterDescription } from '@playwright/test';
import {
  projectGreps, runInventoryOrExit, shareCommandLineGrep, targetProjects, warnMissingCredentials, type TargetOptions,
} from './fixtures/conformance/settings.js';
import { inventoryForReport } from './fixtures/targets/inventory.js';

/**
 * The conformance suites (suites/**\/*.spec.ts), one Playwright project per inventory target.
 *
 *   DMC_INVENTORY     YAML inventory (docs/inventory.md); unset: one virtual device, profile win11-23h2-enterprise
 *   DMC_RESULTS_DIR   the results package (docs/results-format.md); default results/latest
 *   DMC_WORKERS       parallel workers (default 2: CI has two cores)
 *   DMC_BLOB          1: also write a blob report, to merge shards (`--shard i/n` turns it on too)
 *   DMC_PROJECT_GREP  {"<target>": "<regex>"}: a grep per project (used by the mutation test)
 *   DMC_KEEP_WORK_DIR 1: keep each worker's folder under the system temp dir (virtual device state, server data, transcripts)
 *
 * Devices and workers: every target's project has `workers: 1`, so a target is one device (a virtual target's own
 * state dir, enrolled into that worker's MDM server) that the run plan prepares once (fixtures/conformance/
 * session-plan.ts); targets run in parallel. After a failing test Playwright starts a new worker, with a fresh
 * virtual device; the sessions of every worker add up per target.
 */
const resultsDir = process.env['DMC_RESULTS_DIR'] ?? 'results/latest';
// The workers' run plan picks its steps by the command line's --grep too (settings.ts, COMMAND_LINE_GREP_ENV).
shareCommandLineGrep();
const { inventory, file: inventoryFile } = runInventoryOrExit();
// A real target without its secrets here: said once before the first test, as `dmc run` says it.
warnMissingCredentials(inventory);
const sharded = process.env['DMC_BLOB'] === '1' || process.argv.some((a) => a === '--shard' || a.startsWith('--shard='));

const reporter: ReporterDescription[] = [
  ['list'],
  ['html', { outputFolder: `${resultsDir}/playwright-report`, open: 'never' }],
  ['junit', { outputFile: `${resultsDir}/junit.xml` }],
  [
    './harness/report/conformance-reporter.ts',
    {
      outputDir: resultsDir,
      inventory: inventoryForReport(inventory),
      ...(inventoryFile === undefined ? {} : { inventoryFile }),
      // `dmc run` passes its own command line, so results.json records what the user typed.
      ...(process.env['DMC_COMMAND_LINE'] ? { commandLine: JSON.parse(process.env['DMC_COMMAND_LINE']) as string[] } : {}),
    },
  ],
  // Progress lines for `dmc run` (plan totals, the test running now); silent unless DMC_PROGRESS_FILE is set.
  ...(process.env['DMC_PROGRESS_FILE'] ? ([['./harness/cli/run/progress-reporter.ts']] as ReporterDescription[]) : []),
  ...(sharded ? ([['blob', { outputDir: `${resultsDir}/blob-report` }]] as ReporterDescription[]) : []),
];

export default defineConfig<object, TargetOptions>({
  testDir: 'suites',
  testMatch: '**/*.spec.ts',
  outputDir: `${resultsDir}/test-output`,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  workers: process.env['DMC_WORKERS'] ? Number(process.env['DMC_WORKERS']) : 2,
  timeout: 120_000,
  reporter,
  projects: targetProjects(inventory, projectGreps()),
});
