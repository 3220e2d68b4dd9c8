/**
 * For unconfirmed-verdict.test.ts: checks written the way the suites write theirs (conformance(), the agent, the
 * device), whose facts are in ./facts. DMC-LABFIX-001 rests on a wrong assumption (that the poll tasks sit in a
 * "Schedules" subfolder of the enrollment's task folder), so it fails on every device; DMC-LABFIX-002 asserts a
 * documented value the device does not hold, as a real defect would; DMC-LABFIX-003 rests on an assumption the
 * device bears out.
 */
import { conformance, expect } from '../../../../fixtures/conformance.js';

const taskFolder = (enrollmentId: string): string => `\\Microsoft\\Windows\\EnterpriseMgmt\\${enrollmentId}\\`;

conformance(
  { id: 'DMC-LABFIX-001', title: 'the poll tasks are in the Schedules subfolder (a wrong assumption)', group: 'lab-fixture', nodes: ['Provider/{ProviderID}/Poll'] },
  async ({ device, agent }) => {
    const tasks = await agent.scheduledTasks(`${taskFolder(device.enrollmentId)}Schedules\\`);
    expect(tasks.tasks.map((t) => t.TaskName), 'tasks in the assumed folder').toContain('Schedule #1 created by enrollment client');
  },
);

conformance(
  { id: 'DMC-LABFIX-002', title: 'MaxSyncApplicationVersion reads 3.0 (a documented value the device does not hold)', group: 'lab-fixture', nodes: ['Provider/{ProviderID}/MaxSyncApplicationVersion'] },
  async ({ device }) => {
    const [max] = await device.sync([device.node('Provider/{ProviderID}/MaxSyncApplicationVersion').get()]);
    expect(max?.results[0]?.Data, 'MaxSyncApplicationVersion').toBe('3.0');
  },
);

conformance(
  { id: 'DMC-LABFIX-003', title: 'the enrollment has scheduled tasks in its folder (an assumption the device bears out)', group: 'lab-fixture', nodes: ['Provider/{ProviderID}/Poll'] },
  async ({ device, agent }) => {
    const tasks = await agent.scheduledTasks(taskFolder(device.enrollmentId));
    expect(tasks.tasks.length, 'tasks in the enrollment folder').toBeGreaterThan(0);
  },
);
