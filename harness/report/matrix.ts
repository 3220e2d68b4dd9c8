/**
 * The conformance matrix as data: DDF nodes (rows, grouped by the tests' `@group:` tag) by targets (columns),
 * each cell holding the tests of that node on that target and their worst verdict. A pure function of the
 * results, kept apart from the HTML that draws it (matrix-html.ts) so each can be tested alone.
 */
import { groupOf, type Results, type TargetInfo, type Verdict } from './results-model.js';
import { SEVERITY, worstVerdict } from './verdict.js';

/** The row of tests that name no DDF node. */
export const NO_NODE = '(no DDF node)';
const LAST_GROUP = 'ungrouped';

export interface CellTest {
  /** Index of the test in `results.tests`: the anchor of its details. */
  index: number;
  id: string;
  verdict: Verdict;
}

export interface MatrixCell {
  verdict: Verdict;
  tests: CellTest[];
}

export interface MatrixRow {
  node: string;
  /** One entry per matrix target, in column order; undefined where no test covers the node on that target. */
  cells: (MatrixCell | undefined)[];
  testIds: string[];
  verdicts: Verdict[];
}

export interface MatrixGroup {
  name: string;
  rows: MatrixRow[];
}

export interface Matrix {
  targets: TargetInfo[];
  groups: MatrixGroup[];
  /** Per target (column order): how many tests had each verdict. */
  counts: Record<Verdict, number>[];
}

function emptyCounts(): Record<Verdict, number> {
  return Object.fromEntries(SEVERITY.map((v) => [v, 0])) as Record<Verdict, number>;
}

export function buildMatrix(results: Results): Matrix {
  // Tests may name a target the targets list lacks (a hand-edited or partial file): it still gets a column.
  const targets = [...results.targets];
  for (const test of results.tests) {
    if (!targets.some((t) => t.name === test.target)) {
      targets.push({ name: test.target, project: test.target, kind: 'unknown', sessions: 0 });
    }
  }
  const column = new Map(targets.map((t, i) => [t.name, i]));
  const counts = targets.map(() => emptyCounts());
  const groups = new Map<string, Map<string, CellTest[][]>>();

  results.tests.forEach((test, index) => {
    const col = column.get(test.target)!;
    counts[col]![test.verdict]++;
    const group = groupOf(test);
    if (!groups.has(group)) groups.set(group, new Map());
    const rows = groups.get(group)!;
    for (const node of test.ddfNodes.length === 0 ? [NO_NODE] : test.ddfNodes) {
      if (!rows.has(node)) rows.set(node, targets.map(() => []));
      rows.get(node)![col]!.push({ index, id: test.id, verdict: test.verdict });
    }
  });

  const groupNames = [...groups.keys()].sort((a, b) =>
    a === LAST_GROUP ? 1 : b === LAST_GROUP ? -1 : a.localeCompare(b),
  );
  return {
    targets,
    counts,
    groups: groupNames.map((name) => ({
      name,
      rows: [...groups.get(name)!.entries()]
        .sort(([a], [b]) => (a === NO_NODE ? 1 : b === NO_NODE ? -1 : a.localeCompare(b)))
        .map(([node, perTarget]) => {
          const cells = perTarget.map((tests) => {
            const verdict = worstVerdict(tests.map((t) => t.verdict));
            if (verdict === undefined) return undefined;
            const sorted = [...tests].sort((a, b) => SEVERITY.indexOf(a.verdict) - SEVERITY.indexOf(b.verdict) || a.id.localeCompare(b.id));
            return { verdict, tests: sorted };
          });
          const all = perTarget.flat();
          return {
            node,
            cells,
            testIds: [...new Set(all.map((t) => t.id))].sort(),
            verdicts: [...new Set(all.map((t) => t.verdict))],
          };
        }),
    })),
  };
}
