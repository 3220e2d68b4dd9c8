/**
 * The conformance reporter: a Playwright Reporter that turns a run into the results package of
 * docs/results-format.md. Use it in a Playwright config as
 *   reporter: [['./harness/report/conformance-reporter.ts', { outputDir: 'results/latest' }]]
 *
 * It gathers events into an in-memory model and writes results.json and conformance.html once, in onEnd (after
 * Playwright's own reporters). So that a killed run still leaves something, each finished test is also appended
 * to results.partial.jsonl as it ends, and its attachments are copied at once.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { z } from 'zod';
import { errors } from './errors.js';
import { harnessVersionFrom } from './harness-version.js';
import { redactCommandLine, redactSecrets } from './redact.js';
import { fieldPath, writeResultsPackage } from './results-io.js';
import {
  ATTACHMENTS_DIR,
  HTML_FILE,
  PARTIAL_FILE,
  RESULTS_FILE,
  RESULTS_FORMAT,
  RESULTS_FORMAT_VERSION,
  SESSION_BUDGET,
  TARGET_KINDS,
  testKey,
  VERDICTS,
  type AttachmentRef,
  type Results,
  type TargetInfo,
  type TestEntry,
} from './results-model.js';
import { buildEntry, cutMessage, relativePath, willRetry } from './test-entry.js';
import { SEVERITY } from './verdict.js';

const optionsSchema = z.object({
  /** Where the results package goes; relative paths are relative to the Playwright config's directory. */
  outputDir: z.string().min(1).optional(),
  /** The inventory the run used (secrets are removed before it is written). */
  inventory: z.unknown().optional(),
  inventoryFile: z.string().optional(),
  /** Print the sessions per target against the budget at the end (default true). */
  printSessions: z.boolean().optional(),
  /** The command line to record; defaults to this process's argv. */
  commandLine: z.array(z.string()).optional(),
});
export type ConformanceReporterOptions = z.infer<typeof optionsSchema>;

/** The project metadata convention that makes a Playwright project a target. */
const targetMetadataSchema = z.object({
  target: z.string().min(1),
  kind: z.enum(TARGET_KINDS),
  profile: z.string().optional(),
  windowsBuild: z.string().optional(),
});

const EXTENSION_BY_TYPE: Record<string, string> = { 'application/json': '.json', 'text/plain': '.txt', 'text/html': '.html' };

/** The target name of a project without a name (a config with no `projects`). */
export const UNNAMED_PROJECT = '(unnamed project)';

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 100) || '_';
}

/** The warning of a target whose server could not write every transcript line (the count is in targets[]). */
export function lostTranscriptWarning(target: string, lines: number): string {
  return (
    `target ${JSON.stringify(target)}: ${lines} server transcript line(s) could not be written ` +
    "(disk full, permissions, or something else where the folder or a device's file should be); its transcripts are incomplete"
  );
}

/**
 * One line per target: its OMA-DM sessions against SESSION_BUDGET, its agent calls, the largest message the server
 * sent it (what the inventory's harness.maxMsgSize would cap), and lost transcript lines.
 */
export function sessionsSummary(targets: readonly TargetInfo[]): string {
  if (targets.length === 0) return '';
  const width = Math.max(...targets.map((t) => t.name.length));
  const lines = targets.map((t) => {
    const over = t.sessions > SESSION_BUDGET ? '  OVER BUDGET' : '';
    const calls = t.agentCalls === undefined ? '' : `, ${t.agentCalls} agent calls`;
    const largest = t.largestServerMessageBytes === undefined ? '' : `, largest message to the device ${Math.ceil(t.largestServerMessageBytes / 1024)} KiB`;
    const lost = t.transcriptLinesLost === undefined ? '' : `, ${t.transcriptLinesLost} transcript lines LOST`;
    return `  ${t.name.padEnd(width)}  ${t.sessions} / ${SESSION_BUDGET} sessions${calls}${largest}${lost}${over}`;
  });
  return `\nOMA-DM sessions per target (budget ${SESSION_BUDGET}):\n${lines.join('\n')}\n`;
}

export default class ConformanceReporter implements Reporter {
  private readonly options: ConformanceReporterOptions;
  private rootDir = process.cwd();
  private outputDir = '';
  private startedAt = new Date();
  private playwrightVersion = '';
  private shard: Results['run']['shard'] = null;
  private readonly targets = new Map<string, TargetInfo>();
  private readonly targetByProject = new Map<string, string>();
  private readonly tests = new Map<string, TestEntry>();
  /** Tests Playwright sent onTestEnd for (also the results it will retry). */
  private readonly ended = new Set<TestCase>();
  private readonly warnings: string[] = [];
  private rootSuite: Suite | undefined;

  constructor(options: unknown = {}) {
    const parsed = optionsSchema.safeParse(options ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw errors.DMC_ERR_REPORT_BAD_OPTIONS.create({
        field: fieldPath(issue.path),
        issue: issue.message,
        received: (options as Record<PropertyKey, unknown> | undefined)?.[issue.path[0] ?? ''],
      });
    }
    this.options = parsed.data;
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.startedAt = new Date();
    this.rootSuite = suite;
    this.rootDir = config.configFile === undefined ? config.rootDir : dirname(config.configFile);
    this.outputDir = this.resolveOutputDir();
    this.playwrightVersion = config.version;
    this.shard = config.shard === null ? null : { current: config.shard.current, total: config.shard.total };
    // A previous run's files would pass for this run's if this one is killed; only our own names are removed.
    mkdirSync(this.outputDir, { recursive: true });
    for (const name of [RESULTS_FILE, HTML_FILE, ATTACHMENTS_DIR]) rmSync(join(this.outputDir, name), { recursive: true, force: true });
    writeFileSync(join(this.outputDir, PARTIAL_FILE), '');
    for (const projectSuite of suite.suites) {
      const project = projectSuite.project();
      if (project !== undefined) this.addTarget(project.name, project.metadata);
    }
  }

  private resolveOutputDir(): string {
    return resolve(this.rootDir, this.options.outputDir ?? process.env['DMC_RESULTS_DIR'] ?? 'results/latest');
  }

  private addTarget(projectName: string, metadata: unknown): void {
    const parsed = targetMetadataSchema.safeParse(metadata);
    let target: TargetInfo;
    if (parsed.success) {
      target = { name: parsed.data.target, project: projectName, kind: parsed.data.kind, sessions: 0 };
      if (parsed.data.profile !== undefined) target.profile = parsed.data.profile;
      if (parsed.data.windowsBuild !== undefined) target.windowsBuild = parsed.data.windowsBuild;
    } else {
      const issue = parsed.error.issues[0]!;
      this.warnings.push(
        `project ${JSON.stringify(projectName)}: metadata.${fieldPath(issue.path)} ${issue.message}; ` +
          `the project is reported as a target of kind "unknown"`,
      );
      // A config without projects has one project named "": a target needs a name to be reported at all.
      target = { name: projectName === '' ? UNNAMED_PROJECT : projectName, project: projectName, kind: 'unknown', sessions: 0 };
    }
    const existing = this.targets.get(target.name);
    if (existing !== undefined && existing.project !== projectName) {
      this.warnings.push(`projects ${JSON.stringify(existing.project)} and ${JSON.stringify(projectName)} both name target ${JSON.stringify(target.name)}`);
    }
    this.targets.set(target.name, existing ?? target);
    this.targetByProject.set(projectName, target.name);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.ended.add(test);
    if (willRetry(test, result)) return;
    this.record(test, result);
  }

  private record(test: TestCase, result: TestResult): void {
    const projectName = test.parent.project()?.name ?? '';
    if (!this.targetByProject.has(projectName)) this.addTarget(projectName, test.parent.project()?.metadata);
    const targetName = this.targetByProject.get(projectName)!;
    const built = buildEntry(test, result, {
      rootDir: this.rootDir,
      target: targetName,
      targetWindowsBuild: this.targets.get(targetName)?.windowsBuild,
      realTarget: ['ssh', 'local'].includes(this.targets.get(targetName)?.kind ?? ''),
    });
    this.warnings.push(...built.warnings);
    const entry: TestEntry = { ...built.entry, attachments: this.copyAttachments(built.entry, result) };

    const key = testKey(entry);
    const previous = this.tests.get(key);
    if (previous !== undefined) {
      this.warnings.push(
        `test id ${JSON.stringify(entry.id)} appears twice on target ${JSON.stringify(entry.target)} ` +
          `(${previous.file}:${previous.line} and ${entry.file}:${entry.line}); the worse verdict is kept`,
      );
    }
    if (previous === undefined || SEVERITY.indexOf(entry.verdict) < SEVERITY.indexOf(previous.verdict)) this.tests.set(key, entry);
    appendFileSync(join(this.outputDir, PARTIAL_FILE), `${JSON.stringify(entry)}\n`);
  }

  /** Copies the test's attachments under attachments/<test-id>/<target>/ and returns their relative paths. */
  private copyAttachments(entry: Pick<TestEntry, 'id' | 'target'>, result: TestResult): AttachmentRef[] {
    const refs: AttachmentRef[] = [];
    const relativeDir = `${ATTACHMENTS_DIR}/${safeName(entry.id)}/${safeName(entry.target)}`;
    const usedNames = new Set<string>();
    for (const attachment of result.attachments) {
      if (attachment.path === undefined && attachment.body === undefined) continue;
      if (attachment.path !== undefined && !existsSync(attachment.path)) {
        this.warnings.push(`${entry.id} on ${entry.target}: attachment ${JSON.stringify(attachment.name)} names a missing file`);
        continue;
      }
      const extension =
        (attachment.path === undefined ? '' : extname(attachment.path)) || (EXTENSION_BY_TYPE[attachment.contentType] ?? '.bin');
      let fileName = `${safeName(attachment.name)}${extension}`;
      for (let n = 2; usedNames.has(fileName); n++) fileName = `${safeName(attachment.name)}-${n}${extension}`;
      usedNames.add(fileName);
      const destination = join(this.outputDir, relativeDir, fileName);
      mkdirSync(dirname(destination), { recursive: true });
      if (attachment.path !== undefined) copyFileSync(attachment.path, destination);
      else writeFileSync(destination, attachment.body!);
      refs.push({ name: attachment.name, contentType: attachment.contentType, path: `${relativeDir}/${fileName}` });
    }
    return refs;
  }

  onError(error: TestError): void {
    const where = error.location === undefined ? '' : ` at ${relativePath(this.rootDir, error.location.file)}:${error.location.line}`;
    this.warnings.push(`error outside a test${where}: ${cutMessage(error.message ?? error.value ?? 'unknown error')}`);
  }

  async onEnd(result: FullResult): Promise<void> {
    // A run that failed before onBegin (a broken config or spec file) still gets a results.json with its errors.
    if (this.outputDir === '') this.outputDir = this.resolveOutputDir();
    const allTests = this.rootSuite?.allTests() ?? [];
    // A test the run stopped while it ran (the global timeout, Ctrl-C) began but never ended: Playwright sends no
    // onTestEnd for it. Without this it would vanish from results.json, neither reported nor counted as not run.
    for (const test of allTests) {
      const last = test.results.at(-1);
      if (last !== undefined && !this.ended.has(test)) this.record(test, { ...last, status: 'interrupted' });
    }
    // Sorted by target (in project order), then test ID: workers finish in any order, and a stable file diffs well.
    const targetOrder = [...this.targets.keys()];
    const tests = [...this.tests.values()].sort(
      (a, b) => targetOrder.indexOf(a.target) - targetOrder.indexOf(b.target) || a.id.localeCompare(b.id),
    );
    // An interrupted run (Ctrl-C, --max-failures, global timeout) leaves tests that never ran: say how many, so a
    // diff against this run does not pass their absence off as removed tests without a trace.
    const notRun = allTests.filter((t) => t.results.length === 0).length;
    if (notRun > 0) this.warnings.push(`${notRun} ${notRun === 1 ? 'test' : 'tests'} did not run (run status: ${result.status})`);
    for (const target of this.targets.values()) {
      const onTarget = tests.filter((t) => t.target === target.name);
      target.sessions = onTarget.reduce((sum, t) => sum + (t.sessions ?? 0), 0);
      target.verdicts = Object.fromEntries(VERDICTS.map((v) => [v, onTarget.filter((t) => t.verdict === v).length]));
      if (onTarget.some((t) => t.agentCalls !== undefined)) target.agentCalls = onTarget.reduce((sum, t) => sum + (t.agentCalls ?? 0), 0);
      const largest = Math.max(0, ...onTarget.map((t) => t.largestServerMessageBytes ?? 0));
      if (largest > 0) target.largestServerMessageBytes = largest;
      const lost = onTarget.reduce((sum, t) => sum + (t.transcriptLinesLost ?? 0), 0);
      if (lost > 0) {
        target.transcriptLinesLost = lost;
        this.warnings.push(lostTranscriptWarning(target.name, lost));
      }
      // A build discovered at run time (windows-build annotation) names the target when its metadata did not.
      const discovered = onTarget.map((t) => t.windowsBuild).filter((b) => b !== undefined);
      if (target.windowsBuild === undefined && discovered.length > 0) target.windowsBuild = discovered.at(-1);
      // The build is a fact of the device, so the target's build also dates the tests that did not look it up.
      for (const test of onTarget) if (test.windowsBuild === undefined && target.windowsBuild !== undefined) test.windowsBuild = target.windowsBuild;
    }
    const results: Results = {
      format: RESULTS_FORMAT,
      formatVersion: RESULTS_FORMAT_VERSION,
      run: {
        harnessVersion: harnessVersionFrom(new URL('../../package.json', import.meta.url)),
        playwrightVersion: this.playwrightVersion,
        inventory: redactSecrets(this.options.inventory ?? null),
        commandLine: redactCommandLine(this.options.commandLine ?? process.argv),
        startedAt: this.startedAt.toISOString(),
        endedAt: new Date().toISOString(),
        shard: this.shard,
        status: result.status,
        warnings: this.warnings,
      },
      targets: [...this.targets.values()],
      tests,
    };
    if (this.options.inventoryFile !== undefined) results.run.inventoryFile = this.options.inventoryFile;
    writeResultsPackage(this.outputDir, results);
    if (this.options.printSessions !== false) process.stdout.write(sessionsSummary(results.targets));
  }
}
