import { defineConfig } from '@playwright/test';

/**
 * The conformance suites. Each target device is one Playwright project (issue #7 adds the inventory);
 * until then the one target is the embedded virtual Windows device.
 * Reports go under results/ (ignored by git): Playwright's HTML report and JUnit for CI.
 */
const resultsDir = process.env['DMC_RESULTS_DIR'] ?? 'results/latest';

export default defineConfig({
  testDir: 'suites',
  testMatch: '**/*.spec.ts',
  outputDir: `${resultsDir}/test-output`,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  // A device serves one worker at a time; targets run in parallel as separate projects.
  workers: process.env['DMC_WORKERS'] ? Number(process.env['DMC_WORKERS']) : 2,
  timeout: 120_000,
  reporter: [
    ['list'],
    ['html', { outputFolder: `${resultsDir}/playwright-report`, open: 'never' }],
    ['junit', { outputFile: `${resultsDir}/junit.xml` }],
  ],
  projects: [{ name: 'virtual-win11-23h2-enterprise', metadata: { target: 'virtual', profile: 'win11-23h2-enterprise' } }],
});
