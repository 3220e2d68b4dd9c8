/**
 * The text of `dmc report show`: whether the run ended, and what finished. A run cut short says so on its first
 * line, so neither a person nor a script takes a killed run's few results for a whole run.
 */
import type { PartialRun, RunOnDisk } from './partial-results.js';
import { PARTIAL_FILE, RESULTS_FILE, type TestEntry } from './results-model.js';

/** Finished tests listed one per line before the list is cut; the counts always cover every test. */
const LISTED = 50;

function counts(tests: readonly TestEntry[]): string {
  const byVerdict = new Map<string, number>();
  for (const t of tests) byVerdict.set(t.verdict, (byVerdict.get(t.verdict) ?? 0) + 1);
  const targets = new Set(tests.map((t) => t.target)).size;
  const verdicts = [...byVerdict].map(([v, n]) => `${n} ${v}`).join(', ');
  return `${tests.length} ${tests.length === 1 ? 'test' : 'tests'} on ${targets} ${targets === 1 ? 'target' : 'targets'}${verdicts === '' ? '' : `: ${verdicts}`}`;
}

function listed(tests: readonly TestEntry[]): string[] {
  const lines = tests.slice(0, LISTED).map((t) => `  ${t.verdict.padEnd(16)} ${t.id} on ${t.target}`);
  if (tests.length > LISTED) lines.push(`  … and ${tests.length - LISTED} more`);
  return lines;
}

function partialText(partial: PartialRun): string[] {
  return [
    `run cut short: there is no ${RESULTS_FILE}, so the run never ended (it was killed or crashed, or is still running)`,
    `finished before it stopped (${partial.file}): ${counts(partial.tests)}`,
    ...listed(partial.tests),
    ...partial.skipped.map((s) => `  line ${s.line} of ${PARTIAL_FILE} skipped: ${s.problem}`),
    'tests that had not finished are not in the file; run again to get a whole results package',
  ];
}

/** The text, and whether the run was cut short (killed, or interrupted/timed out as Playwright reports it). */
export function formatRun(run: RunOnDisk): { text: string; cutShort: boolean } {
  if (run.kind === 'partial') return { text: `${partialText(run.partial).join('\n')}\n`, cutShort: true };
  const { results, file } = run;
  const cutShort = results.run.status === 'interrupted' || results.run.status === 'timedout';
  const lines = [
    cutShort
      ? `run cut short: Playwright reported status "${results.run.status}", so some tests never finished (${file})`
      : `run ended with status "${results.run.status}" (${file})`,
    `${results.run.startedAt} to ${results.run.endedAt}: ${counts(results.tests)}`,
    ...results.targets.map((t) => `  ${t.name} (${t.kind}${t.windowsBuild === undefined ? '' : `, ${t.windowsBuild}`}): ${t.sessions} OMA-DM sessions`),
    ...listed(results.tests.filter((t) => t.verdict !== 'passed' && t.verdict !== 'not-applicable')),
    ...results.run.warnings.map((w) => `  warning: ${w}`),
  ];
  return { text: `${lines.join('\n')}\n`, cutShort };
}
