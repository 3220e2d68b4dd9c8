/**
 * `dmc run`: runs the conformance suites against the targets of an inventory.
 *
 * The inventory is read and checked first (a broken one is refused with file:line and field before any server or
 * device starts); then `playwright test` runs as a child process with the inventory in DMC_INVENTORY and the
 * results package directory in DMC_RESULTS_DIR. Playwright's own output goes to <output>/playwright.log; the
 * terminal gets one progress line per device and a summary. Exit code 0 only when nothing unexpected happened:
 * every test passed, was not applicable or failed as an expectation says (docs/results-format.md verdicts).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { certifyResultViolations, certifyViolations, focusedTestViolations } from '../../fixtures/expectations/certify.js';
import { loadExpectations } from '../../fixtures/expectations/expectations.js';
import { errorSummary } from '../report/error-summary.js';
import { readResults } from '../report/results-io.js';
import { PARTIAL_FILE, RESULTS_FILE, HTML_FILE, type Results, type Verdict } from '../report/results-model.js';
import { errors } from './errors.js';
import { prepareFolderOption } from './folder-option.js';
import { missingCredentials, missingCredentialsLine } from './lab-target.js';
import { planRun, type RunFlags, type RunPlan } from './run/plan.js';
import { ProgressTracker } from './run/progress.js';
import { listSuiteTags } from './run/suite-tags.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PLAYWRIGHT_CLI = join(PROJECT_ROOT, 'node_modules/@playwright/test/cli.js');

/** Verdicts that make `dmc run` fail: the device or the harness did something nobody expected. */
// Unconfirmed is unexpected too: a real device contradicted an assumed fact, and someone has to confirm or correct it.
export const UNEXPECTED_VERDICTS: readonly Verdict[] = ['failed', 'device-error', 'harness-error', 'timeout', 'fixed', 'unconfirmed'];

export interface RunIo {
  write: (text: string) => void;
  /** Signals forwarded to Playwright (Ctrl-C stops it cleanly: finished results stay on disk). */
  signals: NodeJS.EventEmitter;
  env: NodeJS.ProcessEnv;
  argv: string[];
  now: () => Date;
  /** How often the progress files are read, and how often a running device repeats its line. */
  pollMs: number;
  heartbeatMs: number;
}

function suiteSources(dir: string): Array<{ file: string; text: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : suiteSources(path);
    return /\.spec\.[cm]?[jt]s$/.test(entry.name) ? [{ file: relative(PROJECT_ROOT, path), text: readFileSync(path, 'utf8') }] : [];
  });
}

/** docs/expectations.md "--certify", steps 1 and 2: nothing may hide a deviation, checked before the run. */
function certifyBeforeRun(plan: RunPlan, env: NodeJS.ProcessEnv): void {
  const expectationsDir = env['DMC_EXPECTATIONS_DIR'] ?? join(PROJECT_ROOT, 'fixtures/expectations');
  const targets = plan.targets.map((t) => ({ name: t.name, ...(t.kind === 'virtual' ? { profile: t.profile } : {}) }));
  const problems = [
    ...certifyViolations(loadExpectations(expectationsDir), { targets }),
    ...focusedTestViolations(suiteSources(join(dirname(plan.configFile), 'suites'))),
  ];
  if (problems.length > 0) throw errors.DMC_ERR_CLI_CERTIFY_REFUSED.create({ problems });
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

function summary(results: Results, outputDir: string): { text: string; unexpected: number } {
  const counts = new Map<Verdict, number>();
  for (const t of results.tests) counts.set(t.verdict, (counts.get(t.verdict) ?? 0) + 1);
  const unexpectedTests = results.tests.filter((t) => UNEXPECTED_VERDICTS.includes(t.verdict));
  const lines = [
    `${results.tests.length} tests on ${results.targets.length} target${results.targets.length === 1 ? '' : 's'}: ` +
      ([...counts].map(([v, n]) => `${n} ${v}`).join(', ') || 'none ran'),
    ...results.targets.map((t) => `  ${t.name} (${t.kind}${t.windowsBuild === undefined ? '' : `, ${t.windowsBuild}`}): ${t.sessions} OMA-DM sessions`),
    ...unexpectedTests.slice(0, 20).map((t) => `  ${t.verdict}: ${t.id} on ${t.target}${t.error === undefined ? '' : ` — ${errorSummary(t.error)}`}`),
    ...(unexpectedTests.length > 20 ? [`  … and ${unexpectedTests.length - 20} more (see results.json)`] : []),
    ...(results.run.status === 'passed' || results.run.status === 'failed' ? [] : [`run status: ${results.run.status} (some tests did not finish)`]),
    `results: ${join(outputDir, RESULTS_FILE)}`,
    `matrix:  ${join(outputDir, HTML_FILE)}`,
  ];
  const incomplete = results.run.status === 'interrupted' || results.run.status === 'timedout' ? 1 : 0;
  return { text: `${lines.join('\n')}\n`, unexpected: unexpectedTests.length + incomplete };
}

/** Runs the suites; resolves with the exit code (0: nothing unexpected, 1: something was, 130: interrupted). */
export async function runConformance(flags: RunFlags, io: RunIo): Promise<number> {
  const startedAt = io.now();
  const plan = planRun(flags, { projectRoot: PROJECT_ROOT, startedAt, commandLine: ['dmc', ...io.argv.slice(2)] });
  if (flags.certify === true) certifyBeforeRun(plan, io.env);
  if (!existsSync(plan.configFile)) {
    throw errors.DMC_ERR_CLI_INVALID_OPTION.create({ option: '--config', received: plan.configFile, expected: 'an existing Playwright config file' });
  }
  await prepareFolderOption(plan.outputOption, plan.outputDir);
  const logFile = join(plan.outputDir, 'playwright.log');
  const log = createWriteStream(logFile);
  io.write(
    `dmc run: ${plan.targets.map((t) => `${t.name} (${t.kind})`).join(', ')}` +
      `${plan.shard === undefined ? '' : `, shard ${plan.shard.current}/${plan.shard.total}`} → ${plan.outputDir}\n`,
  );
  // Said before the first test, not found in the results an hour later. The run goes on: the other targets of a lab
  // are still worth testing, and these targets' tests record the same error as harness errors.
  for (const missing of missingCredentials(plan.inventory, plan.targets, io.env)) io.write(missingCredentialsLine(missing));

  const child = spawn(process.execPath, [PLAYWRIGHT_CLI, ...plan.args], {
    cwd: dirname(plan.configFile),
    env: { ...io.env, ...plan.env },
    // Same process group: a Ctrl-C in the terminal reaches Playwright directly and through the forwarding below;
    // Playwright ignores a SIGINT that follows another within a second, so it still stops once, writing its reports.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let interrupted = false;
  const forward = (signal: NodeJS.Signals) => () => {
    interrupted = true;
    child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  io.signals.on('SIGINT', onInt);
  io.signals.on('SIGTERM', onTerm);
  const tracker = new ProgressTracker(plan.env['DMC_PROGRESS_FILE']!, join(plan.outputDir, PARTIAL_FILE), io.write, Date.now, io.heartbeatMs);
  const timer = setInterval(() => tracker.poll(), io.pollMs);
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    exit = await new Promise((resolveExit, reject) => {
      child.on('error', (error) => reject(errors.DMC_ERR_CLI_PLAYWRIGHT_START.create({ command: `node ${PLAYWRIGHT_CLI}`, reason: error.message })));
      child.on('close', (code, signal) => resolveExit({ code, signal }));
    });
  } finally {
    clearInterval(timer);
    io.signals.off('SIGINT', onInt);
    io.signals.off('SIGTERM', onTerm);
    await new Promise<void>((done) => log.end(done));
  }
  tracker.poll();

  const resultsFile = join(plan.outputDir, RESULTS_FILE);
  if (!existsSync(resultsFile)) {
    io.write(
      `Playwright ended (${exit.signal ?? `exit code ${exit.code}`}) without writing ${resultsFile}; ` +
        `finished tests, if any, are in ${join(plan.outputDir, PARTIAL_FILE)} (dmc report show ${plan.outputDir} lists them). ` +
        `Last lines of ${logFile}:\n${tail(logFile, 30)}\n`,
    );
    return interrupted ? 130 : 1;
  }
  const results = readResults(resultsFile);
  const outside = results.run.warnings.filter((w) => w.startsWith('error outside a test'));
  // Playwright ends such a run with "No tests found" as an error outside any test; any other error (a spec file that
  // does not load selects nothing either) is told in Playwright's words below. A shard may be empty by right.
  const nothingSelected = results.tests.length === 0 && outside.every((w) => w.includes('No tests found'));
  if (nothingSelected && plan.filter !== undefined && plan.shard === undefined && !interrupted) {
    const tags = await listSuiteTags(PLAYWRIGHT_CLI, plan.listArgs, { cwd: dirname(plan.configFile), env: { ...io.env, ...plan.env } });
    throw errors.DMC_ERR_CLI_NO_TESTS_MATCH.create({ filter: plan.filter, tags });
  }
  const { text, unexpected } = summary(results, plan.outputDir);
  io.write(text);
  // Playwright fails a run also for errors outside any test (a spec file that does not load, a global hook):
  // no verdict shows them, so the run fails with Playwright's own words.
  if (exit.code !== 0 && unexpected === 0 && !interrupted) {
    io.write(`Playwright exited with code ${exit.code ?? exit.signal}${outside.length === 0 ? '' : `: ${outside.join('; ')}`}; last lines of ${logFile}:\n${tail(logFile, 30)}\n`);
  }
  if (flags.certify === true) {
    const problems = certifyResultViolations(results);
    if (problems.length > 0) {
      io.write(`--certify: not certified, ${problems.length} test${problems.length === 1 ? '' : 's'} ended otherwise than passed or not applicable:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 1;
    }
    io.write('--certify: every test passed or was not applicable\n');
  }
  if (interrupted) return 130;
  return unexpected === 0 && exit.code === 0 ? 0 : 1;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export interface RunCommandOptions extends Partial<RunIo> {
  /** How the exit code is set; process.exitCode by default (main.ts returns it). */
  setExitCode?: (code: number) => void;
}

export function registerRunCommand(program: Command, options: RunCommandOptions = {}): void {
  program
    .command('run')
    .description('run the conformance suites against the targets of an inventory; exit 0 only when nothing unexpected happened')
    .option('--inventory <file>', 'YAML inventory of targets (docs/inventory.md); default: one virtual device')
    .option('--target <name...>', 'run only these targets of the inventory')
    .option('--grep <regexp>', 'run only tests whose title (ID and title) matches')
    .option('--tag <tag>', 'run only tests with this tag, e.g. group:poll or cap:tpm (repeatable: any of them)', collect, [])
    .option('--shard <i/n>', 'run shard i of n (writes a blob report for `playwright merge-reports`)')
    .option('--certify', 'refuse expectations and focused tests; fail unless every test passed or was not applicable')
    .option('--output <dir>', 'results package directory (default results/<run-id>, run-id = the start time)')
    .option('--workers <n>', 'parallel Playwright workers (default 2)')
    .option('--config <file>', 'Playwright config (default: the project\'s playwright.config.ts)')
    .action(async (flags: RunFlags) => {
      const code = await runConformance(flags, {
        write: options.write ?? ((t) => void process.stdout.write(t)),
        signals: options.signals ?? process,
        env: options.env ?? process.env,
        argv: options.argv ?? process.argv,
        now: options.now ?? (() => new Date()),
        pollMs: options.pollMs ?? 1000,
        heartbeatMs: options.heartbeatMs ?? 30_000,
      });
      (options.setExitCode ?? ((c: number) => void (process.exitCode = c)))(code);
    });
}
