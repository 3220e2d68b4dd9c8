/**
 * The access-type matrix, driven by the DDF catalogue: for every node the device has (MSFT:Applicability), each
 * operation the DDF allows succeeds (Get returns a value of the node's format; Add, Replace and Delete take effect
 * and read back), each operation it does not allow is refused with 405, and values of the wrong format or outside
 * MSFT:AllowedValues are refused. Two sessions for the whole matrix (access-matrix.plan.ts); one test per node
 * reads its slice.
 *
 * Left out here, on purpose: Exec of Unenroll, LinkedEnrollment/Enroll, LinkedEnrollment/Unenroll and
 * Recovery/InitiateRecovery (they unenroll, enroll or recover the device: their own serial suites run them apart),
 * and Delete of interior nodes that already exist (it would remove the enrollment's settings).
 *
 * Where the DDF and the reference list different operations for a node, the test says so (spec-conflict) and the
 * expectation files decide per Windows build.
 */
import { conformance, expect, loadCatalog, skipNotApplicable, type CatalogNode, type CommandResult } from '../../fixtures/conformance.js';
import { DESTRUCTIVE, keyOf, planNode, valueOfRead, type FirstRead, type NodePlan } from './access-matrix.plan.js';
import { operationConflict, otherConflicts } from './access-matrix.reference.js';

const catalog = loadCatalog();

/** Test IDs follow the DDF's document order, so they stay put while the DDF does. */
const rows = catalog.nodes
  .map((node, index) => ({ node, id: `DMC-MATRIX-${String(index + 1).padStart(3, '0')}` }))
  .filter(({ node }) => !(DESTRUCTIVE.has(node.relativePath) && node.scope === 'Device' && !node.accessTypes.includes('Get')));

function anchor(node: CatalogNode): string | undefined {
  if (node.relativePath === '') return undefined;
  return node.relativePath.replace('{ProviderID}', 'ProviderID').replace(/\//g, '-').toLowerCase();
}

/** Whether a Get-only-matrix applies: the destructive Exec nodes are read, never executed, here. */
const readOnly = (node: CatalogNode): boolean => DESTRUCTIVE.has(node.relativePath);

conformance.describe('access-type matrix (DDF)', () => {
  const firstReads = new Map<string, FirstRead>();
  const plans = new Map<string, NodePlan>();
  const answers = new Map<string, Array<CommandResult | undefined>>();
  const inapplicable = new Map<string, string>();

  conformance.beforeAll(async ({ device }) => {
    const facts = { build: `${device.capabilities.build}.${device.capabilities.ubr}`, edition: device.capabilities.edition.skuId };
    const live: CatalogNode[] = [];
    for (const { node } of rows) {
      const verdict = catalog.checkApplicability(node, facts);
      if (verdict.applicable) live.push(node);
      else inapplicable.set(keyOf(node), verdict.reason);
    }
    // Session 1: read every node the DDF lets us read.
    const readable = live.filter((n) => n.accessTypes.includes('Get'));
    const reads = await device.sync(readable.map((n) => device.anyNode(n.relativePath, n.scope).get()));
    readable.forEach((n, i) => firstReads.set(keyOf(n), { result: reads[i], value: valueOfRead({ result: reads[i], value: undefined }) }));
    // Session 2: the writes, read-backs, forbidden operations and restores of every node, in document order.
    for (const node of live) {
      if (readOnly(node)) continue;
      plans.set(keyOf(node), planNode(device, node, firstReads.get(keyOf(node))));
    }
    const all = [...plans.values()].flatMap((p) => p.commands.map((c) => c.draft));
    const results = await device.sync(all, { timeout: 120_000 });
    let at = 0;
    for (const plan of plans.values()) {
      answers.set(plan.key, results.slice(at, at + plan.commands.length));
      at += plan.commands.length;
    }
  });

  for (const { node, id } of rows) {
    const conflicts = [operationConflict(node.relativePath, node.accessTypes), ...otherConflicts(node.relativePath)].filter((c): c is string => c !== undefined);
    const ops = node.accessTypes.filter((a) => a !== 'Copy').join(', ');
    conformance(
      {
        id,
        title: `${node.scope === 'User' ? './User ' : ''}${node.relativePath || '(CSP root)'}: ${readOnly(node) ? 'Get (Exec runs in its own suite)' : `${ops} succeed, other operations get 405`}`,
        group: 'access-matrix',
        nodes: [node.relativePath],
        scope: node.scope,
        ...(anchor(node) === undefined ? {} : { reference: anchor(node)! }),
        ...(conflicts.length === 0 ? {} : { specConflict: conflicts }),
      },
      async ({ device }, testInfo) => {
        const key = keyOf(node);
        const reason = inapplicable.get(key);
        if (reason !== undefined) skipNotApplicable(testInfo, reason);
        const problems: string[] = [];
        const first = firstReads.get(key);
        if (node.accessTypes.includes('Get')) {
          const r = first?.result;
          const code = r?.status?.code ?? '(no Status)';
          // A node may be absent (404) when the DDF makes it optional (Occurrence), when the server creates it
          // (Add is among its access types), or when its parent is absent; otherwise Get must answer 200.
          const parent = node.parent === undefined ? undefined : catalog.find(node.parent);
          const parentAbsent = parent !== undefined && firstReads.get(keyOf(parent))?.result?.status?.code === '404';
          const mayBeAbsent =
            (node.occurrence !== 'One' && node.occurrence !== 'OneOrMore' && node.occurrence !== 'OneOrN') ||
            node.accessTypes.includes('Add') || parentAbsent;
          if (code === '200') {
            const item = r?.results[0];
            if (item === undefined) problems.push('Get: 200 without a Results item');
            else {
              const format = item.Format ?? 'chr';
              if (format !== node.format) problems.push(`Get: Results Meta.Format ${format}, the DDF says ${node.format}`);
              try {
                device.anyNode(node.relativePath, node.scope).decode(item.Data);
              } catch (err) {
                problems.push(`Get: value ${JSON.stringify(item.Data)} is not a ${node.format}: ${(err as Error).message}`);
              }
            }
          } else if (!(mayBeAbsent && code === '404')) {
            problems.push(`Get: expected 200${mayBeAbsent ? ' or 404 (optional node)' : ''}, got ${code}`);
          }
        }
        const plan = plans.get(key);
        const results = answers.get(key) ?? [];
        plan?.commands.forEach((command, i) => {
          const problem = command.check(results[i]);
          if (problem !== undefined) problems.push(`${command.label}: ${problem}`);
        });
        for (const note of plan?.notes ?? []) testInfo.annotations.push({ type: 'note', description: note });
        expect(problems, `${node.path}: ${problems.length} problem(s)`).toEqual([]);
      },
    );
  }
});
