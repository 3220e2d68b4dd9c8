/**
 * Tests written the way the conformance suites write theirs (annotations, tags, attachments), for
 * conformance-reporter.test.ts: one per verdict a real run must prove. Each unexpected failure costs a worker
 * restart, so the verdicts that need no real run (timeout, a code in an error-code annotation) are covered by
 * verdict.test.ts instead. Several fail on purpose.
 */
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const NODE = './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}';
const node = (leaf: string) => ({ type: 'ddf-node', description: `${NODE}/${leaf}` });
const ref = (anchor: string) => ({ type: 'reference', description: `dmclient-csp.md#${anchor}` });

test.describe('poll schedule', { tag: '@group:poll' }, () => {
  test(
    'NumberOfFirstRetries round-trips',
    {
      annotation: [
        { type: 'test-id', description: 'DMC-POLL-001' },
        node('Poll/NumberOfFirstRetries'),
        ref('provider-providerid-poll-numberoffirstretries'),
      ],
    },
    async ({}, testInfo) => {
      testInfo.annotations.push({ type: 'sessions', description: '2' });
      testInfo.annotations.push({ type: 'largest-server-message', description: '5699' });
      if (testInfo.project.name === 'lab-pc-2') testInfo.annotations.push({ type: 'windows-build', description: '10.0.19045.3803' });
      await testInfo.attach('syncml-transcript', {
        body: JSON.stringify([{ direction: 'server', msgId: 1 }]),
        contentType: 'application/json',
      });
      const agentFile = testInfo.outputPath('agent-calls.json');
      writeFileSync(agentFile, JSON.stringify([{ probe: 'registry-snapshot', exitCode: 0 }]));
      await testInfo.attach('agent-calls', { path: agentFile, contentType: 'application/json' });
      expect(2).toBe(2);
    },
  );

  test(
    'FirstRetryInterval is kept',
    {
      annotation: [
        { type: 'test-id', description: 'DMC-POLL-002' },
        node('Poll/IntervalForFirstSetOfRetries'),
        { type: 'spec-conflict', description: 'DDF says int, dmclient-csp.md says minutes as chr' },
      ],
    },
    async ({}, testInfo) => {
      // Two syncs of one session each: equal annotations add up, they are not one annotation seen twice.
      testInfo.annotations.push({ type: 'sessions', description: '1' });
      testInfo.annotations.push({ type: 'sessions', description: '1' });
      // Two messages' sizes: the larger is kept, they do not add up.
      testInfo.annotations.push({ type: 'largest-server-message', description: '112640' });
      testInfo.annotations.push({ type: 'largest-server-message', description: '1000' });
      expect(15, 'IntervalForFirstSetOfRetries read back').toBe(16);
    },
  );

  test(
    'known deviation still deviates',
    {
      annotation: [
        { type: 'test-id', description: 'DMC-POLL-004' },
        node('Poll/NumberOfSecondRetries'),
        { type: 'expectation', description: 'reads back 0 (https://example.invalid/issue/12, expires 2027-01-01)' },
      ],
    },
    async () => {
      test.fail();
      expect(0).toBe(3);
    },
  );

  test(
    'known deviation was fixed',
    {
      annotation: [
        { type: 'test-id', description: 'DMC-POLL-005' },
        node('Poll/NumberOfSecondRetries'),
        { type: 'expectation', description: 'reads back 0 (https://example.invalid/issue/13, expires 2027-01-01)' },
      ],
    },
    async () => {
      test.fail();
      expect(3).toBe(3);
    },
  );
});

test(
  'ConfigLock needs TPM 2.0',
  { tag: ['@group:security', '@cap:tpm'], annotation: [{ type: 'test-id', description: 'DMC-SEC-001' }, node('ConfigLock/Lock')] },
  async ({}, testInfo) => {
    // A window in which the server sent nothing: zero bytes is no largest message.
    testInfo.annotations.push({ type: 'largest-server-message', description: '0' });
    if (testInfo.project.name === 'virtual-a') {
      testInfo.annotations.push({ type: 'not-applicable', description: 'requires TPM 2.0' });
      test.skip(true, 'not applicable: requires TPM 2.0');
    }
    expect(true).toBe(true);
  },
);

test.describe('protocol', { tag: '@group:protocol' }, () => {
  test(
    'device answers Status for every command',
    { annotation: [{ type: 'test-id', description: 'DMC-PROTO-001' }, node('EntDMID')] },
    async () => {
      throw new Error('Status for CmdID 4 is missing in the device reply [DMC_ERR_DEVICE_MISSING_STATUS]');
    },
  );
});

test.describe('broken setup', { tag: '@group:protocol' }, () => {
  test.beforeAll(() => {
    throw new Error('the MDM server did not start');
  });
  test('never reaches the device', { annotation: [{ type: 'test-id', description: 'DMC-PROTO-004' }, node('Unenroll')] }, () => {
    expect(1).toBe(1);
  });
});

// A serial group retried: the first attempt of its first test fails, so Playwright skips the second test in that
// attempt and runs both again. Each must end as its last attempt ended (passed), reported once.
test.describe('retried serial group', { tag: '@group:retry' }, () => {
  test.describe.configure({ mode: 'serial', retries: 1 });
  test('passes on its retry', { annotation: [{ type: 'test-id', description: 'DMC-RETRY-001' }, node('Poll')] }, ({}, testInfo) => {
    expect(testInfo.retry, 'the first attempt fails on purpose').toBe(1);
  });
  test('skipped with its group, then passes', { annotation: [{ type: 'test-id', description: 'DMC-RETRY-002' }, node('Poll')] }, () => {
    expect(1).toBe(1);
  });
});
