/**
 * The access-type matrix, driven by the DDF catalogue: for every node the device has (MSFT:Applicability), each
 * operation the DDF allows succeeds (Get returns a value of the node's format; Add, Replace and Delete take effect
 * and read back), each operation it does not allow is refused with 405, and values of the wrong format or outside
 * MSFT:AllowedValues are refused. Two sessions for the whole matrix (access-matrix.plan.ts, run by
 * access-matrix.steps.ts in a phase of its own before the other suites' steps); one test per node reads its slice.
 *
 * Left out here, on purpose: Exec of Unenroll, LinkedEnrollment/Enroll, LinkedEnrollment/Unenroll and
 * Recovery/InitiateRecovery (they unenroll, enroll or recover the device: their own serial suites run them apart),
 * and Delete of interior nodes that already exist (it would remove the enrollment's settings).
 *
 * Where the DDF and the reference list different operations for a node, the test says so (spec-conflict) and the
 * expectation files decide per Windows build.
 */
import { conformance, expect, loadCatalog, skipNotApplicable, type CatalogNode } from '../../fixtures/conformance.js';
import { keyOf } from './access-matrix.plan.js';
import { matrix, matrixRows as rows, readOnly } from './access-matrix.steps.js';
import { operationConflict, otherConflicts } from './access-matrix.reference.js';

const catalog = loadCatalog();

function anchor(node: CatalogNode): string | undefined {
  if (node.relativePath === '') return undefined;
  return node.relativePath.replace('{ProviderID}', 'ProviderID').replace(/\//g, '-').toLowerCase();
}

conformance.describe('access-type matrix (DDF)', () => {
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
        const { firstReads, plans, answers, inapplicable } = await device.prepared(matrix);
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
