/**
 * The preparation of access-matrix.spec.ts (fixtures/conformance/session-plan.ts): session 1 reads every node the
 * DDF lets us read; session 2 sends the writes, read-backs, forbidden operations and restores of every node, in
 * document order (access-matrix.plan.ts). It runs in a phase of its own, before the other suites' steps: it writes
 * and restores nearly every node, which would undo another step's write made between its two sessions.
 */
import { loadCatalog, prepare, type CatalogNode, type CommandResult } from '../../fixtures/conformance.js';
import { DESTRUCTIVE, keyOf, planNode, valueOfRead, type FirstRead, type NodePlan } from './access-matrix.plan.js';

const catalog = loadCatalog();

/** Test IDs follow the DDF's document order, so they stay put while the DDF does. */
export const matrixRows = catalog.nodes
  .map((node, index) => ({ node, id: `DMC-MATRIX-${String(index + 1).padStart(3, '0')}` }))
  .filter(({ node }) => !(DESTRUCTIVE.has(node.relativePath) && node.scope === 'Device' && !node.accessTypes.includes('Get')));

/** Whether a Get-only-matrix applies: the destructive Exec nodes are read, never executed, here. */
export const readOnly = (node: CatalogNode): boolean => DESTRUCTIVE.has(node.relativePath);

export interface MatrixRun {
  firstReads: Map<string, FirstRead>;
  plans: Map<string, NodePlan>;
  answers: Map<string, Array<CommandResult | undefined>>;
  inapplicable: Map<string, string>;
}

export const matrix = prepare(
  'access-matrix/all-nodes',
  matrixRows.map((r) => r.id),
  async ({ device }): Promise<MatrixRun> => {
    const run: MatrixRun = { firstReads: new Map(), plans: new Map(), answers: new Map(), inapplicable: new Map() };
    const facts = { build: `${device.capabilities.build}.${device.capabilities.ubr}`, edition: device.capabilities.edition.skuId };
    const live: CatalogNode[] = [];
    for (const { node } of matrixRows) {
      const verdict = catalog.checkApplicability(node, facts);
      if (verdict.applicable) live.push(node);
      else run.inapplicable.set(keyOf(node), verdict.reason);
    }
    // Session 1: read every node the DDF lets us read.
    const readable = live.filter((n) => n.accessTypes.includes('Get'));
    const reads = await device.sync(readable.map((n) => device.anyNode(n.relativePath, n.scope).get()));
    readable.forEach((n, i) => run.firstReads.set(keyOf(n), { result: reads[i], value: valueOfRead({ result: reads[i], value: undefined }) }));
    // Session 2: the writes, read-backs, forbidden operations and restores of every node, in document order.
    for (const node of live) {
      if (readOnly(node)) continue;
      run.plans.set(keyOf(node), planNode(device, node, run.firstReads.get(keyOf(node))));
    }
    const all = [...run.plans.values()].flatMap((p) => p.commands.map((c) => c.draft));
    const results = await device.sync(all, { timeout: 120_000 });
    let at = 0;
    for (const plan of run.plans.values()) {
      run.answers.set(plan.key, results.slice(at, at + plan.commands.length));
      at += plan.commands.length;
    }
    return run;
  },
  { phase: 0 },
);

export const steps = [matrix];
