/**
 * For run-command.test.ts: a spec file that throws while Playwright loads it (only listed when
 * DMC_RUN_FIXTURE_BROKEN=1). `dmc run` must fail with Playwright's words even though no test failed.
 */
import { test } from '@playwright/test';

throw new Error('this spec file does not load');

test('never declared', () => {});
