/**
 * One finished Playwright test → one results.json test entry, read through the annotation conventions of
 * docs/results-format.md (test-id, ddf-node, reference, spec-conflict, not-applicable, expectation, sessions,
 * windows-build, device-error, error-code, fact, confidence). Attachments are filled in by the reporter, which copies the files.
 */
import { relative, sep } from 'node:path';
import type { TestCase, TestResult, TestStep } from '@playwright/test/reporter';
import { confidenceSchema, type Confidence, type TestEntry, type TestErrorInfo } from './results-model.js';
import { annotationValues, verdictOf, type AnnotationLike } from './verdict.js';

/** An error message is cut to this many lines and characters: the transcript holds the rest. */
const MAX_ERROR_LINES = 12;
const MAX_ERROR_CHARS = 1500;
// Playwright colours expect() messages for the terminal; a report wants the plain text.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export interface EntryContext {
  /** The directory file paths are made relative to (the Playwright config's directory). */
  rootDir: string;
  target: string;
  /** The target's build from the project metadata, used when the test did not discover one. */
  targetWindowsBuild: string | undefined;
  /** The target is a real machine (kind ssh or local): a failure on an assumed fact is unconfirmed there. */
  realTarget?: boolean;
}

export interface BuiltEntry {
  entry: Omit<TestEntry, 'attachments'>;
  warnings: string[];
}

export function cutMessage(text: string): string {
  const plain = text.replace(ANSI, '');
  const lines = plain.split('\n');
  let cut = lines.slice(0, MAX_ERROR_LINES).join('\n');
  if (cut.length > MAX_ERROR_CHARS) cut = cut.slice(0, MAX_ERROR_CHARS);
  return cut.length < plain.length ? `${cut.trimEnd()}\n… (${plain.length} chars in all)` : cut;
}

export function relativePath(rootDir: string, file: string): string {
  return relative(rootDir, file).split(sep).join('/');
}

/**
 * Annotations of the test's declaration and those added while it ran. Playwright lists a runtime annotation in
 * both `test.annotations` and `result.annotations`, so the two lists overlap: an annotation appears as many times
 * as in the list that has it more often. A plain set would merge two equal `sessions: 1` annotations that a
 * test added on purpose, and the counts would come out short.
 */
export function allAnnotations(test: TestCase, result: TestResult): AnnotationLike[] {
  const keyOf = (a: AnnotationLike): string => `${a.type}\u0000${a.description ?? ''}`;
  const inResult = new Map<string, number>();
  for (const a of result.annotations) inResult.set(keyOf(a), (inResult.get(keyOf(a)) ?? 0) + 1);
  const out: AnnotationLike[] = [];
  for (const a of test.annotations) {
    const key = keyOf(a);
    const left = inResult.get(key) ?? 0;
    // Counted here: the same one in result.annotations is the overlap, not another.
    if (left > 0) inResult.set(key, left - 1);
    out.push({ type: a.type, description: a.description });
  }
  for (const a of result.annotations) {
    const key = keyOf(a);
    const left = inResult.get(key) ?? 0;
    if (left === 0) continue;
    inResult.set(key, left - 1);
    out.push({ type: a.type, description: a.description });
  }
  return out;
}

function stepFailedInHookOrFixture(steps: readonly TestStep[]): boolean {
  return steps.some(
    (step) =>
      ((step.category === 'hook' || step.category === 'fixture') && step.error !== undefined) ||
      stepFailedInHookOrFixture(step.steps),
  );
}

/** A `fact` annotation: `<fact id> (<confidence>)`, as fixtures/conformance/declare.ts writes it. */
const FACT_ANNOTATION = /^(\S+) \((\w+)\)$/;

function factsOf(annotations: readonly AnnotationLike[], where: string, warnings: string[]): Array<{ id: string; confidence: Confidence }> {
  const facts: Array<{ id: string; confidence: Confidence }> = [];
  for (const value of annotationValues(annotations, 'fact')) {
    const match = FACT_ANNOTATION.exec(value);
    const confidence = confidenceSchema.safeParse(match?.[2]);
    if (match === null || !confidence.success) {
      warnings.push(`${where}: the fact annotation ${JSON.stringify(value)} is not "<fact id> (assumed|observed|documented)"; ignored`);
      continue;
    }
    if (!facts.some((f) => f.id === match[1])) facts.push({ id: match[1]!, confidence: confidence.data });
  }
  return facts;
}

/**
 * The part of a failure message that says what the device showed: from the first `Expected`/`Received` line on
 * (Playwright's expect() prints both, or a diff headed `- Expected` / `+ Received`); the whole message otherwise.
 */
export function observedPart(message: string): string {
  const lines = message.split('\n');
  const start = lines.findIndex((l) => /^\s*[-+]?\s*(Expected|Received)\b/.test(l));
  return (start < 0 ? lines : lines.slice(start)).join('\n').trim();
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}

export function buildEntry(test: TestCase, result: TestResult, context: EntryContext): BuiltEntry {
  const annotations = allAnnotations(test, result);
  const file = relativePath(context.rootDir, test.location.file);
  const where = `${file}:${test.location.line}`;
  const warnings: string[] = [];

  const id = annotationValues(annotations, 'test-id').find((v) => v !== '');
  if (id === undefined) warnings.push(`${where}: test "${test.title}" has no test-id annotation; it is reported as "${where}"`);

  /** The `type` annotations that are whole numbers; any other is named in a warning and left out. */
  const wholeNumbers = (type: string): number[] => {
    const numbers: number[] = [];
    for (const value of annotationValues(annotations, type)) {
      if (/^\d+$/.test(value)) numbers.push(Number(value));
      else warnings.push(`${where}: the ${type} annotation ${JSON.stringify(value)} is not a whole number; ignored`);
    }
    return numbers;
  };
  /** The sum of the `type` annotations; undefined when the test has none. */
  const countOf = (type: string): number | undefined => {
    const numbers = wholeNumbers(type);
    return numbers.length === 0 ? undefined : numbers.reduce((a, b) => a + b, 0);
  };
  const sessions = countOf('sessions');
  const agentCalls = countOf('agent-calls');
  const transcriptLinesLost = countOf('transcript-lines-lost');
  const largestMessages = wholeNumbers('largest-server-message');

  const outcome = verdictOf({
    status: result.status,
    expectedStatus: test.expectedStatus,
    annotations,
    errors: result.errors,
    failedInHookOrFixture: stepFailedInHookOrFixture(result.steps),
    realTarget: context.realTarget === true,
  });
  const facts = factsOf(annotations, where, warnings);
  const confidence = annotationValues(annotations, 'confidence').find((v) => v !== '');

  let error: TestErrorInfo | undefined;
  const first = result.errors[0];
  const message = first?.message ?? first?.value ?? outcome.note;
  if (message !== undefined && outcome.verdict !== 'passed' && outcome.verdict !== 'not-applicable') {
    error = { message: cutMessage(message) };
    if (outcome.code !== undefined) error.code = outcome.code;
    if (first?.location !== undefined) error.location = `${relativePath(context.rootDir, first.location.file)}:${first.location.line}`;
  }

  const windowsBuild = annotationValues(annotations, 'windows-build').filter((v) => v !== '').at(-1) ?? context.targetWindowsBuild;
  const reference = annotationValues(annotations, 'reference').find((v) => v !== '');
  const expectation = annotationValues(annotations, 'expectation').find((v) => v !== '');

  const entry: Omit<TestEntry, 'attachments'> = {
    id: id ?? where,
    title: test.titlePath().slice(3).join(' › ') || test.title,
    file,
    line: test.location.line,
    ddfNodes: unique(annotationValues(annotations, 'ddf-node')),
    specConflicts: unique(annotationValues(annotations, 'spec-conflict')),
    tags: unique(test.tags.map((t) => t.replace(/^@/, ''))),
    target: context.target,
    verdict: outcome.verdict,
    durationMs: Math.max(0, result.duration),
    retry: result.retry,
  };
  if (reference !== undefined) entry.reference = reference;
  if (windowsBuild !== undefined) entry.windowsBuild = windowsBuild;
  if (sessions !== undefined) entry.sessions = sessions;
  if (agentCalls !== undefined) entry.agentCalls = agentCalls;
  // Zero bytes (a window in which the server sent nothing) is no figure, as results.json's schema says.
  const largestMessage = Math.max(0, ...largestMessages);
  if (largestMessage > 0) entry.largestServerMessageBytes = largestMessage;
  if (transcriptLinesLost !== undefined && transcriptLinesLost > 0) entry.transcriptLinesLost = transcriptLinesLost;
  if (outcome.notApplicableReason !== undefined) entry.notApplicableReason = outcome.notApplicableReason;
  if (expectation !== undefined) entry.expectation = expectation;
  if (error !== undefined) entry.error = error;
  entry.facts = facts;
  if (confidence !== undefined) {
    const parsed = confidenceSchema.safeParse(confidence);
    if (parsed.success) entry.confidence = parsed.data;
    else warnings.push(`${where}: the confidence annotation ${JSON.stringify(confidence)} is not assumed, observed or documented; ignored`);
  }
  if (outcome.verdict === 'unconfirmed' && error !== undefined) entry.observed = observedPart(error.message);
  return { entry, warnings };
}

/**
 * True when Playwright will run this test again (a retry follows), so this result is not the final one. A skip
 * the test asked for (test.skip, not applicable) makes its expected status "skipped" and is final; a test skipped
 * because an earlier test of its serial group failed keeps its expected status and runs again with the group.
 */
export function willRetry(test: TestCase, result: TestResult): boolean {
  if (result.status === 'interrupted') return false;
  return result.status !== test.expectedStatus && result.retry < test.retries;
}
