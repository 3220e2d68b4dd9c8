/**
 * The printable form of a run diff (what `dmc report diff` prints without --json): a one-line summary first, so
 * a CI log shows the verdict at a glance, then each list, then the tallies per DDF node and per Windows build.
 */
import type { DiffTally, RunDiff, TestRef, VerdictChange } from './diff.js';
import { errorSummary } from './error-summary.js';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function tallyText(t: DiffTally): string {
  const parts = [
    t.regressions > 0 ? plural(t.regressions, 'regression', 'regressions') : '',
    t.fixes > 0 ? plural(t.fixes, 'fix', 'fixes') : '',
    t.changes > 0 ? plural(t.changes, 'other change', 'other changes') : '',
    t.added > 0 ? plural(t.added, 'new test', 'new tests') : '',
    t.removed > 0 ? plural(t.removed, 'removed test', 'removed tests') : '',
  ];
  return parts.filter((p) => p !== '').join(', ');
}

function buildNote(c: VerdictChange): string {
  if (c.oldWindowsBuild === c.newWindowsBuild) return c.newWindowsBuild === undefined ? '' : ` (${c.newWindowsBuild})`;
  return ` (${c.oldWindowsBuild ?? '?'} → ${c.newWindowsBuild ?? '?'})`;
}

function changeLines(title: string, changes: VerdictChange[]): string[] {
  if (changes.length === 0) return [];
  return [
    '',
    `${title}:`,
    ...changes.flatMap((c) => [
      `  ${c.id} on ${c.target}${buildNote(c)}: ${c.from} → ${c.to}  ${c.title}`,
      ...(c.error === undefined ? [] : [`      error: ${errorSummary(c.error)}`]),
      ...c.ddfNodes.map((n) => `      ${n}`),
    ]),
  ];
}

function refLines(title: string, refs: TestRef[]): string[] {
  if (refs.length === 0) return [];
  return ['', `${title}:`, ...refs.map((r) => `  ${r.id} on ${r.target}: ${r.verdict}  ${r.title}`)];
}

export function diffSummary(diff: RunDiff): string {
  const tally: DiffTally = {
    regressions: diff.regressions.length,
    fixes: diff.fixes.length,
    changes: diff.changes.length,
    added: diff.added.length,
    removed: diff.removed.length,
  };
  const changed = tallyText(tally);
  return `${changed === '' ? 'no changes' : changed}; ${diff.unchanged} unchanged`;
}

export function formatDiff(diff: RunDiff, labels: { old: string; new: string }): string {
  const lines = [`Conformance diff ${labels.old} → ${labels.new}: ${diffSummary(diff)}`];
  for (const u of diff.unfinished) {
    const file = u.run === 'new' ? labels.new : labels.old;
    const missing = u.run === 'new' ? 'removed' : 'new';
    lines.push(`${u.run === 'new' ? 'The later' : 'The earlier'} run did not finish (status ${u.status}, ${file}): tests it never ran are listed as ${missing}, not because the suite changed.`);
  }
  if (diff.buildChanges.length > 0) {
    lines.push('', 'Windows builds changed:');
    for (const b of diff.buildChanges) lines.push(`  ${b.target}: ${b.old ?? '?'} → ${b.new ?? '?'}`);
  }
  lines.push(
    ...changeLines('Regressions', diff.regressions),
    ...changeLines('Fixes', diff.fixes),
    ...changeLines('Other changes', diff.changes),
    ...refLines('New tests', diff.added),
    ...refLines('Removed tests', diff.removed),
  );
  if (diff.byNode.length > 0) {
    lines.push('', 'By DDF node:');
    for (const n of diff.byNode) lines.push(`  ${n.node}: ${tallyText(n)}`);
  }
  if (diff.byWindowsBuild.length > 0) {
    lines.push('', 'By Windows build:');
    for (const b of diff.byWindowsBuild) lines.push(`  ${b.windowsBuild}: ${tallyText(b)}`);
  }
  return `${lines.join('\n')}\n`;
}
