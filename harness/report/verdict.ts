/**
 * From one Playwright test result to one verdict of the closed set (results-model.ts VERDICTS).
 * A pure function of plain data, so it is tested without running Playwright, and documented row by row in
 * docs/results-format.md ("From Playwright results to verdicts"). The rules, in the order they apply:
 *
 * 1. status "skipped": not-applicable when the test says why (a `not-applicable` annotation, or a skip reason
 *    starting "not applicable:"); any other skip is a harness-error, because a conformance test must never
 *    vanish from the report without a reason.
 * 2. status "interrupted": harness-error (the run was stopped before the test could finish).
 * 3. status "timedOut": timeout, whatever the expectation says.
 * 4. a `device-error` annotation, or an error carrying a DMC_ERR_DEVICE_* code: the device broke the protocol.
 *    It is device-error, or expected-failure when an expectation (test.fail) covers the test.
 * 5. status "failed" caused by the harness (a DmcError whose code is not DMC_ERR_DEVICE_*, an error in a hook or
 *    fixture such as beforeAll, or a JavaScript programming error): harness-error. No expectation hides it.
 * 6. status "failed" otherwise: expected-failure under test.fail; unconfirmed on a real target (ssh, local) when
 *    the weakest confidence of the facts the test rests on (its `confidence` annotation) is `assumed`; else failed.
 *    The rule is "weakest is assumed", not "every fact is assumed": a test reports one failure for all its
 *    assertions, so which fact broke is not known, and most checks pair a documented wire behaviour with an
 *    assumed place to observe it (a registry value, a task name). An unconfirmed test is never a pass: --certify
 *    refuses it and its observed value is recorded for the lab to confirm or correct (docs/results-format.md).
 * 7. status "passed": fixed under test.fail (the expected failure did not happen), else passed.
 */
import type { Verdict } from './results-model.js';

export type PlaywrightStatus = 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';

export interface AnnotationLike {
  type: string;
  description?: string | undefined;
}

export interface ErrorLike {
  message?: string | undefined;
  value?: string | undefined;
  cause?: ErrorLike | undefined;
}

export interface VerdictInput {
  status: PlaywrightStatus;
  expectedStatus: PlaywrightStatus;
  annotations: readonly AnnotationLike[];
  errors: readonly ErrorLike[];
  /** True when an error was raised in a hook (beforeAll, beforeEach, ...) or a fixture's setup or teardown. */
  failedInHookOrFixture: boolean;
  /**
   * True when the target is a real Windows machine (kind ssh or local). Only there can a failure on an assumed fact
   * mean the assumption was wrong: the virtual device was written from the same assumptions, so it keeps `failed`.
   */
  realTarget?: boolean;
}

export interface VerdictOutcome {
  verdict: Verdict;
  /** Why, when the verdict is not read straight from the test's own error (a skip without reason, ...). */
  note?: string;
  notApplicableReason?: string;
  /** The DmcError code found on the error, if any. */
  code?: string;
}

export const DEVICE_ERROR_PREFIX = 'DMC_ERR_DEVICE_';
const NOT_APPLICABLE_PREFIX = /^not applicable:\s*/i;
/**
 * How a DmcError code reaches the reporter: Playwright keeps only `name: message` of a thrown error, so the
 * fixture that catches a DmcError either appends ` [CODE]` to the message (the form `dmc` prints) or pushes an
 * `error-code` annotation. Only a bracketed code counts, so an assertion that merely mentions a code is not
 * mistaken for one.
 */
const BRACKETED_CODE = /\[(DMC_ERR_[A-Z0-9]+(?:_[A-Z0-9]+)+)\]/;
/** Errors that mean the suite's own code is wrong, not the device. */
const PROGRAMMING_ERROR = /^(TypeError|ReferenceError|SyntaxError|RangeError):/;

export function annotationValues(annotations: readonly AnnotationLike[], type: string): string[] {
  return annotations.filter((a) => a.type === type).map((a) => (a.description ?? '').trim());
}

function errorTexts(errors: readonly ErrorLike[]): string[] {
  const texts: string[] = [];
  const visit = (error: ErrorLike | undefined, depth: number): void => {
    if (error === undefined || depth > 5) return;
    texts.push(error.message ?? error.value ?? '');
    visit(error.cause, depth + 1);
  };
  for (const error of errors) visit(error, 0);
  return texts;
}

/** The DmcError code of a failure: an `error-code` annotation first, else a bracketed code in an error's text. */
export function errorCodeOf(annotations: readonly AnnotationLike[], errors: readonly ErrorLike[]): string | undefined {
  const annotated = annotationValues(annotations, 'error-code').find((c) => c !== '');
  if (annotated !== undefined) return annotated;
  for (const text of errorTexts(errors)) {
    const match = BRACKETED_CODE.exec(text);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

export function notApplicableReasonOf(annotations: readonly AnnotationLike[]): string | undefined {
  const explicit = annotationValues(annotations, 'not-applicable').find((d) => d !== '');
  if (explicit !== undefined) return explicit;
  const skip = annotationValues(annotations, 'skip').find((d) => NOT_APPLICABLE_PREFIX.test(d));
  return skip?.replace(NOT_APPLICABLE_PREFIX, '');
}

export function verdictOf(input: VerdictInput): VerdictOutcome {
  const { status, expectedStatus, annotations, errors } = input;
  const code = errorCodeOf(annotations, errors);
  const withCode = (outcome: VerdictOutcome): VerdictOutcome => (code === undefined ? outcome : { ...outcome, code });

  if (status === 'skipped') {
    const reason = notApplicableReasonOf(annotations);
    if (reason !== undefined) return { verdict: 'not-applicable', notApplicableReason: reason };
    const skipReason = annotationValues(annotations, 'skip')[0] ?? annotationValues(annotations, 'fixme')[0];
    return {
      verdict: 'harness-error',
      note:
        'skipped without a not-applicable reason' +
        (skipReason === undefined || skipReason === '' ? '' : ` (skip reason: ${skipReason})`),
    };
  }
  if (status === 'interrupted') return withCode({ verdict: 'harness-error', note: 'interrupted before it finished' });
  if (status === 'timedOut') return withCode({ verdict: 'timeout' });

  const expectedToFail = expectedStatus === 'failed';
  const deviceAnnotation = annotationValues(annotations, 'device-error');
  const deviceFault = deviceAnnotation.length > 0 || (code?.startsWith(DEVICE_ERROR_PREFIX) ?? false);
  if (deviceFault) {
    const note = deviceAnnotation.find((d) => d !== '');
    return withCode({
      verdict: expectedToFail && status === 'failed' ? 'expected-failure' : 'device-error',
      ...(note === undefined ? {} : { note }),
    });
  }
  if (status === 'failed') {
    const harnessFault =
      code !== undefined ||
      input.failedInHookOrFixture ||
      errorTexts(errors).some((text) => PROGRAMMING_ERROR.test(text));
    if (harnessFault) return withCode({ verdict: 'harness-error' });
    if (expectedToFail) return withCode({ verdict: 'expected-failure' });
    if (input.realTarget === true && annotationValues(annotations, 'confidence').includes('assumed')) {
      return withCode({ verdict: 'unconfirmed', note: 'rests on an assumed fact: the failure may be the assumption' });
    }
    return withCode({ verdict: 'failed' });
  }
  return { verdict: expectedToFail ? 'fixed' : 'passed' };
}

/**
 * Severity, most in need of attention first: a matrix cell shows the worst verdict of its tests.
 * The device's own faults lead; an unconfirmed test (a real device disagreed with an assumption) follows the
 * failures it may be, ahead of the verdicts that need no correction; a pass that contradicts an expectation (fixed) outranks a plain pass because the
 * expectation file is now out of date.
 */
export const SEVERITY: readonly Verdict[] = [
  'device-error',
  'failed',
  'timeout',
  'harness-error',
  'unconfirmed',
  'fixed',
  'expected-failure',
  'passed',
  'not-applicable',
];

export function worstVerdict(verdicts: Iterable<Verdict>): Verdict | undefined {
  let worst: Verdict | undefined;
  for (const verdict of verdicts) {
    if (worst === undefined || SEVERITY.indexOf(verdict) < SEVERITY.indexOf(worst)) worst = verdict;
  }
  return worst;
}

/**
 * Verdicts that fail a run: the device misbehaved unexpectedly, or the run could not tell. Unconfirmed is one: the
 * device did not do what the suite asserts, and until the fact is confirmed or corrected nobody knows which is wrong.
 */
export const BAD_VERDICTS: ReadonlySet<Verdict> = new Set(['failed', 'device-error', 'timeout', 'harness-error', 'unconfirmed']);
