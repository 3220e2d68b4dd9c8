/**
 * The schema of `results.json`, the results package of one conformance run (or of several shards merged).
 * docs/results-format.md describes every field; this file is the one source of truth both the reporter that
 * writes the file and the commands that read it back (`dmc report diff`, merge) validate against.
 */
import { z } from 'zod';

/**
 * The closed set of verdicts (after web-platform-tests). A fault of the harness is never reported as a failure of
 * the device, and a missing capability is never reported as a pass. The mapping from Playwright's results is in
 * `verdict.ts` and docs/results-format.md.
 */
export const VERDICTS = [
  'passed',
  'failed',
  'not-applicable',
  'expected-failure',
  'fixed',
  'device-error',
  'harness-error',
  'timeout',
  /** Failed on a real target (ssh, local) while resting on an assumed fact: a correction to confirm, not a pass. */
  'unconfirmed',
] as const;
export const verdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof verdictSchema>;

export const TARGET_KINDS = ['virtual', 'ssh', 'local'] as const;

/**
 * How sure the project is of a fact about Windows (the fact base, docs/reference/README.md), weakest first: a
 * test's confidence is the weakest of the facts it rests on.
 */
export const CONFIDENCES = ['assumed', 'observed', 'documented'] as const;
export const confidenceSchema = z.enum(CONFIDENCES);
export type Confidence = z.infer<typeof confidenceSchema>;

/** What the results file calls itself, so a stray JSON file is told apart from a results file of another version. */
export const RESULTS_FORMAT = 'dmc-conformance-results';
export const RESULTS_FORMAT_VERSION = 1;

/** The files of a results package, all in one directory. */
export const RESULTS_FILE = 'results.json';
export const PARTIAL_FILE = 'results.partial.jsonl';
export const HTML_FILE = 'conformance.html';
export const ATTACHMENTS_DIR = 'attachments';

const isoTime = z.iso.datetime({ offset: true });

export const shardSchema = z.object({ current: z.number().int().positive(), total: z.number().int().positive() });

export const runSchema = z.object({
  harnessVersion: z.string(),
  playwrightVersion: z.string(),
  /** The inventory the run was given, with secrets replaced by "[redacted]" (redact.ts); null when none was given. */
  inventory: z.unknown(),
  inventoryFile: z.string().optional(),
  /** The command line, secrets redacted. */
  commandLine: z.array(z.string()),
  startedAt: isoTime,
  endedAt: isoTime,
  /** Playwright's `--shard i/n`; null when the run was not sharded (or is the merge of all shards). */
  shard: shardSchema.nullable(),
  /** Playwright's overall status: "interrupted" or "timedout" means some tests never finished. */
  status: z.enum(['passed', 'failed', 'timedout', 'interrupted']),
  /** Problems with the suites' conventions found while reporting (a test without a test-id, ...). */
  warnings: z.array(z.string()),
  /** Set on a merged file: the shards it was made from. */
  mergedFrom: z
    .array(z.object({ file: z.string(), shard: shardSchema.nullable(), startedAt: isoTime, endedAt: isoTime }))
    .optional(),
});
export type RunInfo = z.infer<typeof runSchema>;

/** The sessions a whole suite run may use per device (issue #13); `npm run conformance` prints each target against it. */
export const SESSION_BUDGET = 30;

export const targetSchema = z.object({
  name: z.string().min(1),
  /** The Playwright project that ran this target. */
  project: z.string(),
  /** "unknown" when the project's metadata does not follow the target convention (a warning says why). */
  kind: z.enum([...TARGET_KINDS, 'unknown']),
  profile: z.string().optional(),
  windowsBuild: z.string().optional(),
  /** OMA-DM sessions used by all tests on this target (sum of their `sessions` annotations). */
  sessions: z.number().int().nonnegative(),
  /** How many of this target's tests ended with each verdict (every verdict listed, 0 included). Absent in older files. */
  verdicts: z.partialRecord(verdictSchema, z.number().int().nonnegative()).optional(),
  /** Agent probe calls on this target (sum of the tests' `agent-calls` annotations); absent in older results. */
  agentCalls: z.number().int().nonnegative().optional(),
  /** The largest SyncML message the server sent this target, in bytes (the tests' largest); absent in older results. */
  largestServerMessageBytes: z.number().int().positive().optional(),
  /** Server transcript lines that could not be written on this target (sum of the tests'); absent when none. */
  transcriptLinesLost: z.number().int().positive().optional(),
});
export type TargetInfo = z.infer<typeof targetSchema>;

/**
 * A path inside the results package: relative, forward slashes, no `.` or `..` segment, no drive or scheme.
 * `dmc report merge` copies files from and to these paths and the page links to them, so a crafted results.json
 * must not name a file outside the package (or a `javascript:` link).
 */
const packagePath = z.string().refine(
  (path) => /^[^/\\:]+(\/[^/\\:]+)*$/.test(path) && !path.split('/').some((segment) => segment === '.' || segment === '..'),
  { message: 'must be a relative path inside the results package (forward slashes, no "..", no drive or scheme)' },
);

export const attachmentSchema = z.object({
  name: z.string(),
  contentType: z.string(),
  /** Relative to the directory holding results.json, with forward slashes. */
  path: packagePath,
});
export type AttachmentRef = z.infer<typeof attachmentSchema>;

export const testErrorSchema = z.object({
  /** The first line(s) of the error, cut to a bounded length. */
  message: z.string(),
  /** The DmcError code, when the error carried one (see docs/results-format.md for how it is found). */
  code: z.string().optional(),
  /** file:line of the error in the suite, when Playwright knew it. */
  location: z.string().optional(),
});
export type TestErrorInfo = z.infer<typeof testErrorSchema>;

export const testEntrySchema = z.object({
  /** The stable test ID from the `test-id` annotation (e.g. "DMC-POLL-003"). */
  id: z.string().min(1),
  title: z.string(),
  /** Path relative to the Playwright config's directory, forward slashes. */
  file: z.string(),
  line: z.number().int().nonnegative(),
  ddfNodes: z.array(z.string()),
  reference: z.string().optional(),
  specConflicts: z.array(z.string()),
  /** Tags without the leading "@", e.g. "group:poll", "cap:tpm". */
  tags: z.array(z.string()),
  target: z.string(),
  windowsBuild: z.string().optional(),
  verdict: verdictSchema,
  durationMs: z.number().nonnegative(),
  sessions: z.number().int().nonnegative().optional(),
  /** Agent probe calls in this test's window (the `agent-calls` annotation). */
  agentCalls: z.number().int().nonnegative().optional(),
  /** The largest SyncML message the server sent in this test's window, in bytes (`largest-server-message`). */
  largestServerMessageBytes: z.number().int().positive().optional(),
  /** Server transcript lines that could not be written in this test's window (`transcript-lines-lost`); absent when none. */
  transcriptLinesLost: z.number().int().positive().optional(),
  /** Retries used before this final result (0 when the first attempt was final). */
  retry: z.number().int().nonnegative(),
  notApplicableReason: z.string().optional(),
  /** The expectation that made a failure expected (from the `expectation` annotation). */
  expectation: z.string().optional(),
  error: testErrorSchema.optional(),
  /** The facts the test rests on (from its `fact` annotations), with their confidence. Absent in older files. */
  facts: z.array(z.object({ id: z.string().min(1), confidence: confidenceSchema })).optional(),
  /** The weakest confidence of `facts` (its `confidence` annotation); absent when the test names no fact. */
  confidence: confidenceSchema.optional(),
  /**
   * For an unconfirmed test: what the real device showed, i.e. the expected/received part of the failure message,
   * so a lab can correct or confirm the fact it contradicts.
   */
  observed: z.string().optional(),
  attachments: z.array(attachmentSchema),
});
export type TestEntry = z.infer<typeof testEntrySchema>;

export const resultsSchema = z.object({
  format: z.literal(RESULTS_FORMAT),
  formatVersion: z.literal(RESULTS_FORMAT_VERSION),
  run: runSchema,
  targets: z.array(targetSchema),
  tests: z.array(testEntrySchema),
});
export type Results = z.infer<typeof resultsSchema>;

/** The group of a test, from its `@group:<name>` tag; tests without one are grouped as "ungrouped". */
export function groupOf(test: Pick<TestEntry, 'tags'>): string {
  const tag = test.tags.find((t) => t.startsWith('group:'));
  return tag === undefined ? 'ungrouped' : tag.slice('group:'.length);
}

/** The key a test is known by across runs and shards: one stable ID on one target. */
export function testKey(test: Pick<TestEntry, 'id' | 'target'>): string {
  return `${test.target}\u0000${test.id}`;
}
