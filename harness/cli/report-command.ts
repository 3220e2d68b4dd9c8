/**
 * `dmc report`: work on results packages after a run.
 *   dmc report diff <old> <new> [--json]   what changed run over run; exit code 1 when anything regressed
 *   dmc report merge <files...> --out <dir> merge the results.json of shards into one package
 *   dmc report html <results.json> [--out <file>]  render the matrix again (after a hand edit or a merge)
 *   dmc report show <dir>                   whether the run ended and what finished; exit 1 when it was cut short
 * A bad input file ends as a DmcError naming the file and the field (main.ts prints it on one line, exit 2).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { diffRuns, hasRegressions, newRunUnfinished } from '../report/diff.js';
import { formatDiff } from '../report/diff-text.js';
import { renderMatrixHtml } from '../report/matrix-html.js';
import { mergeResultFiles } from '../report/merge.js';
import { readRunOnDisk } from '../report/partial-results.js';
import { formatRun } from '../report/run-text.js';
import { readResults, writingReport } from '../report/results-io.js';
import { HTML_FILE } from '../report/results-model.js';

/** Exit code of `dmc report diff` when at least one test regressed. */
export const EXIT_REGRESSION = 1;
/** Exit code of `dmc report show` when the run was cut short (killed: no results.json; or interrupted). */
export const EXIT_CUT_SHORT = 1;

export interface ReportCommandOptions {
  /** Where the output goes; process.stdout by default. */
  write?: (text: string) => void;
  /** How the exit code is set; process.exitCode by default (main.ts returns it). */
  setExitCode?: (code: number) => void;
}

export function registerReportCommand(program: Command, options: ReportCommandOptions = {}): void {
  const write = (text: string): void => (options.write ?? ((t: string) => void process.stdout.write(t)))(text);
  const setExitCode = options.setExitCode ?? ((code: number) => void (process.exitCode = code));
  const report = program.command('report').description('compare, merge and render conformance results packages');

  report
    .command('diff')
    .description(`compare two results.json run over run; exit ${EXIT_REGRESSION} when a test regressed or the later run did not finish`)
    .argument('<old>', 'results.json of the earlier run')
    .argument('<new>', 'results.json of the later run')
    .option('--json', 'print the diff as JSON')
    .action((oldFile: string, newFile: string, flags: { json?: boolean }) => {
      const diff = diffRuns(readResults(oldFile), readResults(newFile));
      write(flags.json === true ? `${JSON.stringify(diff, null, 2)}\n` : formatDiff(diff, { old: oldFile, new: newFile }));
      setExitCode(hasRegressions(diff) || newRunUnfinished(diff) ? EXIT_REGRESSION : 0);
    });

  report
    .command('merge')
    .description('merge the results.json of several shards into one results package')
    .argument('<files...>', 'results.json of each shard')
    .requiredOption('--out <dir>', 'directory of the merged package (results.json, conformance.html, attachments)')
    .action((files: string[], flags: { out: string }) => {
      const merged = mergeResultFiles(files, flags.out);
      write(`merged ${merged.tests.length} tests on ${merged.targets.length} targets from ${files.length} files into ${flags.out}\n`);
    });

  report
    .command('show')
    .description(`say whether a run ended and what finished, also for a killed run (only results.partial.jsonl); exit ${EXIT_CUT_SHORT} when it was cut short`)
    .argument('<dir>', 'the output directory of the run (or its results.json or results.partial.jsonl)')
    .action((path: string) => {
      const { text, cutShort } = formatRun(readRunOnDisk(path));
      write(text);
      setExitCode(cutShort ? EXIT_CUT_SHORT : 0);
    });

  report
    .command('html')
    .description('render conformance.html from a results.json')
    .argument('<results>', 'results.json to render')
    .option('--out <file>', `where to write the page (default: ${HTML_FILE} beside the results)`)
    .action((file: string, flags: { out?: string }) => {
      const out = flags.out ?? join(dirname(file), HTML_FILE);
      const html = renderMatrixHtml(readResults(file));
      writingReport(out, () => writeFileSync(out, html));
      write(`wrote ${out}\n`);
    });
}
