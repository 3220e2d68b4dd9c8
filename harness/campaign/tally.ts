/**
 * The campaign's counts: one row per endpoint or class of input, the ONE table `npm run fuzz` prints, and the goals
 * a run must meet. Each row keeps the first few examples of what went wrong, with the seed of the input, so a
 * failure can be replayed.
 */
import { hangLimitMs } from './http-probe.js';
import type { Verdict } from './verdicts.js';

export interface Row {
  name: string;
  tried: number;
  crashes: number;
  serverErrors: number;
  hangs: number;
  /** A refusal that did not say why, a dropped connection, or an auth case answered otherwise than expected. */
  unnamed: number;
  refused: number;
  accepted: number;
  rssBeforeBytes?: number;
  rssAfterBytes?: number;
  examples: string[];
}

/** Goal for RSS: the server may grow by this much over the whole campaign (caches, JIT, enrollments it keeps). */
export const RSS_GROWTH_LIMIT_BYTES = 128 * 2 ** 20;
const MAX_EXAMPLES = 5;

export class Tally {
  readonly rows: Row[] = [];

  row(name: string): Row {
    let row = this.rows.find((r) => r.name === name);
    if (row === undefined) {
      row = { name, tried: 0, crashes: 0, serverErrors: 0, hangs: 0, unnamed: 0, refused: 0, accepted: 0, examples: [] };
      this.rows.push(row);
    }
    return row;
  }

  /** Counts one input. `expected` (auth and connection cases) turns any other verdict into a failure. */
  count(name: string, verdict: Verdict, detail: string, options: { expected?: Verdict; seed?: string } = {}): void {
    const row = this.row(name);
    row.tried += 1;
    const wrong = options.expected !== undefined && verdict !== options.expected;
    if (verdict === 'serverError') row.serverErrors += 1;
    else if (verdict === 'hang') row.hangs += 1;
    else if (verdict === 'unnamed' || wrong) row.unnamed += 1;
    else if (verdict === 'refused') row.refused += 1;
    else row.accepted += 1;
    if ((verdict === 'serverError' || verdict === 'hang' || verdict === 'unnamed' || wrong) && row.examples.length < MAX_EXAMPLES) {
      row.examples.push(`${options.seed === undefined ? '' : `[${options.seed}] `}${wrong ? `expected ${options.expected}, got ${verdict}: ` : ''}${detail}`);
    }
  }

  crash(name: string, detail: string): void {
    const row = this.row(name);
    row.crashes += 1;
    if (row.examples.length < MAX_EXAMPLES) row.examples.push(`crash: ${detail}`);
  }

  total(): Omit<Row, 'name' | 'examples'> {
    const sum = (key: 'tried' | 'crashes' | 'serverErrors' | 'hangs' | 'unnamed' | 'refused' | 'accepted') =>
      this.rows.reduce((n, r) => n + r[key], 0);
    const measured = this.rows.filter((r) => r.rssBeforeBytes !== undefined && r.rssAfterBytes !== undefined);
    return {
      tried: sum('tried'),
      crashes: sum('crashes'),
      serverErrors: sum('serverErrors'),
      hangs: sum('hangs'),
      unnamed: sum('unnamed'),
      refused: sum('refused'),
      accepted: sum('accepted'),
      ...(measured.length === 0 ? {} : { rssBeforeBytes: measured[0]!.rssBeforeBytes!, rssAfterBytes: measured.at(-1)!.rssAfterBytes! }),
    };
  }

  /** The goals of issue 14 that this run missed; empty when every figure meets them. */
  missedGoals(): string[] {
    const t = this.total();
    const missed: string[] = [];
    if (t.crashes > 0) missed.push(`${t.crashes} crash(es), goal 0`);
    if (t.serverErrors > 0) missed.push(`${t.serverErrors} 5xx answer(s), goal 0`);
    if (t.hangs > 0) missed.push(`${t.hangs} hang(s) over ${hangLimitMs() / 1000} s, goal 0`);
    if (t.unnamed > 0) missed.push(`${t.unnamed} refusal(s) that did not name what was wrong, or answers other than expected, goal 0`);
    if (t.rssBeforeBytes !== undefined && t.rssAfterBytes !== undefined && t.rssAfterBytes - t.rssBeforeBytes > RSS_GROWTH_LIMIT_BYTES) {
      missed.push(`server RSS grew by ${mb(t.rssAfterBytes - t.rssBeforeBytes)} MB, goal at most ${mb(RSS_GROWTH_LIMIT_BYTES)} MB`);
    }
    return missed;
  }
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

/** The one table: a row per endpoint/class, then the total. */
export function formatTable(tally: Tally): string {
  const head = ['endpoint / class', 'tried', 'crashes', '5xx', `hangs>${hangLimitMs() / 1000}s`, 'unnamed', 'refused ok', 'accepted', 'RSS MB before→after'];
  const line = (name: string, r: Omit<Row, 'name' | 'examples'>) => [
    name,
    String(r.tried),
    String(r.crashes),
    String(r.serverErrors),
    String(r.hangs),
    String(r.unnamed),
    String(r.refused),
    String(r.accepted),
    r.rssBeforeBytes === undefined || r.rssAfterBytes === undefined ? '' : `${mb(r.rssBeforeBytes)}→${mb(r.rssAfterBytes)}`,
  ];
  const body = [...tally.rows.map((r) => line(r.name, r)), line('TOTAL', tally.total())];
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const render = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [render(head), rule, ...body.slice(0, -1).map(render), rule, render(body.at(-1)!)].join('\n');
}

/** The examples of failures, for the lines under the table (empty when there are none). */
export function formatExamples(tally: Tally): string[] {
  return tally.rows.flatMap((r) => r.examples.map((e) => `${r.name}: ${e}`));
}
