/**
 * A tiny real Playwright run for conformance-reporter.test.ts: two targets (a virtual device and an SSH lab PC)
 * and a spec with one test per verdict (or the spec DMC_REPORT_FIXTURE_SPEC names). The test sets
 * DMC_REPORT_FIXTURE_OUT to a temporary directory.
 */
import { defineConfig } from '@playwright/test';

const out = process.env['DMC_REPORT_FIXTURE_OUT'];
if (out === undefined) throw new Error('DMC_REPORT_FIXTURE_OUT must name the output directory of this fixture run');

export default defineConfig({
  testDir: '.',
  testMatch: process.env['DMC_REPORT_FIXTURE_SPEC'] ?? 'verdicts.spec.ts',
  outputDir: `${out}/test-output`,
  // Each unexpected failure restarts a worker; two workers halve the wait.
  workers: 2,
  fullyParallel: true,
  retries: 0,
  timeout: 10_000,
  // Only the cut-short run sets it (0 is no limit).
  globalTimeout: Number(process.env['DMC_REPORT_FIXTURE_GLOBAL_TIMEOUT'] ?? 0),
  reporter: [
    [
      '../conformance-reporter.ts',
      {
        outputDir: out,
        inventoryFile: 'lab.yaml',
        inventory: {
          targets: [
            { name: 'virtual-a', kind: 'virtual', profile: 'win11-23h2-enterprise' },
            { name: 'lab-pc-2', kind: 'ssh', host: '10.0.0.7', user: 'qa', password: 'hunter2', passwordEnv: 'LAB_PW' },
          ],
        },
        commandLine: ['dmc', 'run', '--inventory', 'lab.yaml', '--password', 'hunter2'],
      },
    ],
  ],
  projects: [
    {
      name: 'virtual-a',
      metadata: { target: 'virtual-a', kind: 'virtual', profile: 'win11-23h2-enterprise', windowsBuild: '10.0.22631' },
    },
    // The lab PC runs two tests only (fewer failures, fewer worker restarts); the TPM cell differs by column.
    { name: 'lab-pc-2', metadata: { target: 'lab-pc-2', kind: 'ssh' }, grep: /NumberOfFirstRetries|@cap:tpm/ },
  ],
});
