/**
 * The unconfirmed verdict end to end: `dmc run` with the real fixtures and reporter on two targets that are the
 * same virtual Windows device model, one started by the harness (kind virtual) and one reached as a lab PC over SSH
 * (kind ssh, test-support/virtual-lab.ts), so the harness treats it as real Windows. The fixture checks
 * (test-fixtures/unconfirmed) fail the same way on both; only the target kind and the facts' confidence differ:
 * a failure resting on an assumed fact is unconfirmed on the lab PC and failed on the virtual device, a failure on
 * documented facts is failed on both, and --certify's check refuses the unconfirmed test.
 */
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { certifyResultViolations } from '../../fixtures/expectations/certify.js';
import { readResults } from '../report/results-io.js';
import type { Results } from '../report/results-model.js';
import { dmcRun as runDmc, type DmcRunOutcome } from './test-support/dmc-run.js';
import { startVirtualLab, type VirtualLab } from './test-support/virtual-lab.js';

const fixtures = join(import.meta.dirname, 'test-fixtures', 'unconfirmed');
let lab: VirtualLab;

before(async () => {
  lab = await startVirtualLab();
  // The run's own MDM server takes the lab server's port and data dir (the device is enrolled there), as a lab's
  // harness does from one run to the next.
  await lab.server.stop();
  appendFileSync(lab.inventoryFile, '  - { kind: virtual, name: vm }\n');
});
after(async () => {
  await lab?.stopDevice();
  await lab?.close().catch(() => undefined);
});

function dmcRun(args: string[]): Promise<DmcRunOutcome> {
  return runDmc(args, { env: { ...lab.env, DMC_FACTS_DIR: join(fixtures, 'facts') } });
}

describe('unconfirmed: a failure on an assumed fact, on a real target', { timeout: 300_000 }, () => {
  let results: Results;
  let run: { out: string; exitCode: number | undefined };

  before(async () => {
    const output = join(lab.dir, 'results');
    run = await dmcRun(['--inventory', lab.inventoryFile, '--config', join(fixtures, 'playwright.config.ts'), '--output', output]);
    results = readResults(join(output, 'results.json'));
  });

  it('is unconfirmed on the ssh lab PC and failed on the virtual device; documented failures stay failed', () => {
    const verdicts = Object.fromEntries(results.tests.map((t) => [`${t.id}@${t.target}`, t.verdict]));
    assert.deepEqual(verdicts, {
      'DMC-LABFIX-001@lab-vm': 'unconfirmed',
      'DMC-LABFIX-002@lab-vm': 'failed',
      'DMC-LABFIX-003@lab-vm': 'passed',
      'DMC-LABFIX-001@vm': 'failed',
      'DMC-LABFIX-002@vm': 'failed',
      'DMC-LABFIX-003@vm': 'passed',
    }, run.out);
  });

  it('records the facts, the weakest confidence and, for unconfirmed, what the device showed', () => {
    const lab001 = results.tests.find((t) => t.id === 'DMC-LABFIX-001' && t.target === 'lab-vm')!;
    assert.deepEqual(lab001.facts, [
      { id: 'labfix.tasks-in-schedules-subfolder', confidence: 'assumed' },
      { id: 'labfix.enrollment-polls', confidence: 'documented' },
    ]);
    assert.equal(lab001.confidence, 'assumed');
    assert.match(lab001.observed ?? '', /^Expected value: "Schedule #1 created by enrollment client"\nReceived array: \[\]/);
    const vm001 = results.tests.find((t) => t.id === 'DMC-LABFIX-001' && t.target === 'vm')!;
    assert.equal(vm001.observed, undefined, 'a plain failure has its error message, no observed value');
    assert.equal(results.tests.find((t) => t.id === 'DMC-LABFIX-002' && t.target === 'lab-vm')!.confidence, 'documented');
  });

  it('counts verdicts per target, fails the run, and lists the unconfirmed test', () => {
    const counts = Object.fromEntries(results.targets.map((t) => [t.name, t.verdicts]));
    assert.equal(counts['lab-vm']?.unconfirmed, 1);
    assert.equal(counts['lab-vm']?.failed, 1);
    assert.equal(counts['lab-vm']?.passed, 1);
    assert.equal(counts['vm']?.unconfirmed, 0);
    assert.equal(counts['vm']?.failed, 2);
    assert.equal(run.exitCode, 1, run.out);
    assert.match(run.out, /6 tests on 2 targets: /);
    assert.match(run.out, /\n {2}unconfirmed: DMC-LABFIX-001 on lab-vm — /);
  });

  it('--certify does not certify an unconfirmed test', () => {
    const problems = certifyResultViolations(results).filter((p) => p.includes('on lab-vm'));
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems.find((p) => p.includes('DMC-LABFIX-001'))!, /: DMC-LABFIX-001 on lab-vm: unconfirmed, rests on assumed facts: labfix\.tasks-in-schedules-subfolder \(/);
  });
});
