/**
 * For conformance-reporter.test.ts: a run the global timeout stops (DMC_REPORT_FIXTURE_GLOBAL_TIMEOUT). The first
 * test finishes, the second is still running when time is up, the third never starts. Playwright sends no
 * onTestEnd for the second, which must still be in results.json.
 */
import { test } from '@playwright/test';

test.describe.configure({ mode: 'serial' });

test('finishes', { annotation: [{ type: 'test-id', description: 'DMC-CUT-001' }] }, () => {});

test('still running at the global timeout', { annotation: [{ type: 'test-id', description: 'DMC-CUT-002' }] }, async () => {
  test.setTimeout(120_000);
  await new Promise((resolve) => setTimeout(resolve, 90_000));
});

test('never starts', { annotation: [{ type: 'test-id', description: 'DMC-CUT-003' }] }, () => {});
