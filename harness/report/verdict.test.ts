/**
 * The mapping from Playwright results to verdicts, rule by rule (docs/results-format.md keeps the same table).
 * The reporter test proves the same verdicts on a real Playwright run; these cover the corners a run cannot
 * show cheaply (interrupted, codes in a cause, a device-error annotation on a pass).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodeOf, verdictOf, worstVerdict, type VerdictInput } from './verdict.js';

function input(fields: Partial<VerdictInput>): VerdictInput {
  return { status: 'passed', expectedStatus: 'passed', annotations: [], errors: [], failedInHookOrFixture: false, ...fields };
}

test('skips: a stated not-applicable reason is not-applicable, any other skip is a harness error', () => {
  assert.deepEqual(
    verdictOf(input({ status: 'skipped', expectedStatus: 'skipped', annotations: [{ type: 'not-applicable', description: 'requires TPM 2.0' }] })),
    { verdict: 'not-applicable', notApplicableReason: 'requires TPM 2.0' },
  );
  assert.deepEqual(
    verdictOf(input({ status: 'skipped', annotations: [{ type: 'skip', description: 'not applicable: Secured-core only' }] })),
    { verdict: 'not-applicable', notApplicableReason: 'Secured-core only' },
  );
  assert.deepEqual(verdictOf(input({ status: 'skipped', annotations: [{ type: 'skip', description: 'flaky on CI' }] })), {
    verdict: 'harness-error',
    note: 'skipped without a not-applicable reason (skip reason: flaky on CI)',
  });
  assert.deepEqual(verdictOf(input({ status: 'skipped' })), { verdict: 'harness-error', note: 'skipped without a not-applicable reason' });
});

test('passes: passed, or fixed when an expectation said it would fail', () => {
  assert.equal(verdictOf(input({})).verdict, 'passed');
  assert.equal(verdictOf(input({ expectedStatus: 'failed' })).verdict, 'fixed');
});

test('failures: assertion → failed, expected → expected-failure, device code → device-error, other code → harness-error', () => {
  const assertion = { message: 'Error: expect(received).toBe(expected)' };
  assert.equal(verdictOf(input({ status: 'failed', errors: [assertion] })).verdict, 'failed');
  assert.equal(verdictOf(input({ status: 'failed', expectedStatus: 'failed', errors: [assertion] })).verdict, 'expected-failure');
  assert.deepEqual(
    verdictOf(input({ status: 'failed', errors: [{ message: 'DmcError: no Status for CmdID 4 [DMC_ERR_DEVICE_MISSING_STATUS]' }] })),
    { verdict: 'device-error', code: 'DMC_ERR_DEVICE_MISSING_STATUS' },
  );
  assert.deepEqual(
    verdictOf(input({ status: 'failed', errors: [{ message: 'wrapped', cause: { message: 'queue closed [DMC_ERR_SERVER_QUEUE_CLOSED]' } }] })),
    { verdict: 'harness-error', code: 'DMC_ERR_SERVER_QUEUE_CLOSED' },
  );
  assert.equal(verdictOf(input({ status: 'failed', errors: [{ message: "TypeError: Cannot read properties of undefined (reading 'x')" }] })).verdict, 'harness-error');
  assert.equal(verdictOf(input({ status: 'failed', errors: [assertion], failedInHookOrFixture: true })).verdict, 'harness-error');
});

test('an expectation never hides a harness error or a timeout, but does cover a device error', () => {
  const expected = { expectedStatus: 'failed' as const };
  assert.equal(verdictOf(input({ ...expected, status: 'failed', failedInHookOrFixture: true })).verdict, 'harness-error');
  assert.equal(verdictOf(input({ ...expected, status: 'timedOut' })).verdict, 'timeout');
  assert.equal(
    verdictOf(input({ ...expected, status: 'failed', annotations: [{ type: 'error-code', description: 'DMC_ERR_DEVICE_BAD_XML' }] })).verdict,
    'expected-failure',
  );
});

test('a device-error annotation makes even a passing test a device error; interrupted is a harness error', () => {
  assert.deepEqual(verdictOf(input({ annotations: [{ type: 'device-error', description: 'MsgID went backwards' }] })), {
    verdict: 'device-error',
    note: 'MsgID went backwards',
  });
  assert.deepEqual(verdictOf(input({ status: 'interrupted' })), { verdict: 'harness-error', note: 'interrupted before it finished' });
});

test('only a bracketed code or an error-code annotation counts as the error code', () => {
  assert.equal(errorCodeOf([], [{ message: 'expected DMC_ERR_DEVICE_X to be thrown' }]), undefined);
  assert.equal(errorCodeOf([{ type: 'error-code', description: 'DMC_ERR_SYNCML_MISSING_CMDID' }], [{ message: 'x [DMC_ERR_DEVICE_X]' }]), 'DMC_ERR_SYNCML_MISSING_CMDID');
});

test('the worst verdict leads a matrix cell', () => {
  assert.equal(worstVerdict(['passed', 'not-applicable', 'fixed']), 'fixed');
  assert.equal(worstVerdict(['failed', 'device-error', 'harness-error']), 'device-error');
  assert.equal(worstVerdict([]), undefined);
});

test('a failure on a real target that rests on an assumed fact is unconfirmed; on the virtual device it stays failed', () => {
  const assertion = { message: 'Error: expect(received).toBe(expected)\n\nExpected: "Schedule #1"\nReceived: "Schedule 1"' };
  const assumed = [{ type: 'fact', description: 'poll.task-name (assumed)' }, { type: 'fact', description: 'poll.put (documented)' }, { type: 'confidence', description: 'assumed' }];
  const documented = [{ type: 'fact', description: 'poll.put (documented)' }, { type: 'confidence', description: 'documented' }];
  const observed = [{ type: 'confidence', description: 'observed' }];
  const failed = { status: 'failed' as const, errors: [assertion] };
  assert.deepEqual(verdictOf(input({ ...failed, annotations: assumed, realTarget: true })), {
    verdict: 'unconfirmed',
    note: 'rests on an assumed fact: the failure may be the assumption',
  });
  // The virtual device was written from the same assumptions: a failure there is the harness's or the device model's.
  assert.equal(verdictOf(input({ ...failed, annotations: assumed, realTarget: false })).verdict, 'failed');
  assert.equal(verdictOf(input({ ...failed, annotations: assumed })).verdict, 'failed');
  // Only the weakest confidence counts: documented and observed facts keep a real failure a failure.
  assert.equal(verdictOf(input({ ...failed, annotations: documented, realTarget: true })).verdict, 'failed');
  assert.equal(verdictOf(input({ ...failed, annotations: observed, realTarget: true })).verdict, 'failed');
  assert.equal(verdictOf(input({ ...failed, realTarget: true })).verdict, 'failed', 'a test that names no fact');
  // Neither an expectation, nor a device or harness fault, nor a timeout or a pass becomes unconfirmed.
  assert.equal(verdictOf(input({ ...failed, expectedStatus: 'failed', annotations: assumed, realTarget: true })).verdict, 'expected-failure');
  assert.equal(verdictOf(input({ status: 'failed', errors: [{ message: 'x [DMC_ERR_DEVICE_BAD_XML]' }], annotations: assumed, realTarget: true })).verdict, 'device-error');
  assert.equal(verdictOf(input({ ...failed, failedInHookOrFixture: true, annotations: assumed, realTarget: true })).verdict, 'harness-error');
  assert.equal(verdictOf(input({ status: 'timedOut', annotations: assumed, realTarget: true })).verdict, 'timeout');
  assert.equal(verdictOf(input({ annotations: assumed, realTarget: true })).verdict, 'passed');
  // In a matrix cell it ranks after the failures and errors, ahead of what needs no correction.
  assert.equal(worstVerdict(['passed', 'unconfirmed', 'fixed']), 'unconfirmed');
  assert.equal(worstVerdict(['unconfirmed', 'harness-error']), 'harness-error');
});
