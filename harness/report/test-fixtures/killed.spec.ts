/**
 * For conformance-reporter.test.ts: the first test finishes, the second hangs until the test kills the run, so
 * results.partial.jsonl must hold the first one even though onEnd never runs.
 */
import { test } from '@playwright/test';

test('finishes', { tag: '@group:poll', annotation: [{ type: 'test-id', description: 'DMC-KILL-001' }] }, () => {});

test('hangs until killed', { annotation: [{ type: 'test-id', description: 'DMC-KILL-002' }] }, async () => {
  test.setTimeout(90_000);
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});
