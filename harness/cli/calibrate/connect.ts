/**
 * What `dmc calibrate` stands on: the harness's MDM server and one enrolled device of an inventory, reached the way
 * the conformance fixtures reach it. A virtual target is started as `dmc virtual-device` (a fresh device, enrolled
 * into this server); an ssh or local target keeps its enrollment between runs, so the server uses the target's
 * harness data directory (as `dmc run` and `dmc enroll` do) and the device is enrolled only when it is not yet.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeAgent } from '../../../agents/agent.js';
import { SshAgent } from '../../../agents/ssh-agent.js';
import { ensureEnrolled } from '../../../fixtures/conformance/real-target.js';
import { startVirtualTarget } from '../../../fixtures/conformance/virtual-target.js';
import { resolveHarnessPassword, type Inventory, type Target } from '../../../fixtures/targets/inventory.js';
import { serverSettingsOf } from '../../../fixtures/targets/server-settings.js';
import type { CommandDraft, CommandResult, DeviceHandle } from '../../scripting/index.js';
import { startMdmServer, type MdmServer } from '../../server/index.js';
import { deviceDiscoveryUrl } from '../enroll-command.js';
import { errors, hresultText } from '../errors.js';
import { harnessDataDir, openAgent } from '../lab-target.js';

export interface CalibrationTarget {
  target: Target;
  server: MdmServer;
  agent: ProbeAgent;
  device: DeviceHandle;
  deviceId: string;
  enrollmentId: string;
  providerId: string;
  /** The UPN the enrollment holds (Enrollments\<GUID> UPN), else the enrollment user. */
  upn: string;
  /** The discovery URL as the device reaches it. */
  discoveryUrl: string;
  /** false when the device was already enrolled before calibration started. */
  freshEnrollment: boolean;
  /** Queues the drafts, has the device start a session through its agent, returns the answers. */
  sync(drafts: CommandDraft[]): Promise<CommandResult[]>;
  close(): Promise<void>;
}

const TRIGGER_ATTEMPTS = 3;

export async function connectTarget(inventory: Inventory, target: Target, env: Record<string, string | undefined>): Promise<CalibrationTarget> {
  const password = resolveHarnessPassword({ ...inventory, targets: [target] }, env);
  const { harness } = inventory;
  const workDir = await mkdtemp(join(tmpdir(), 'dmc-calibrate-'));
  const virtual = target.kind === 'virtual';
  const dataDir = virtual ? join(workDir, 'server') : harnessDataDir(target, env);
  await mkdir(dataDir, { recursive: true });
  const server = await startMdmServer({ ...serverSettingsOf(harness, target.kind), dataDir, password });
  const cleanups: Array<() => Promise<void>> = [() => server.stop(), () => rm(workDir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const step of cleanups.splice(0)) await step().catch(() => undefined);
  };
  try {
    let agent: ProbeAgent;
    let deviceId: string;
    let enrollmentId: string;
    let discoveryUrl = server.discoveryUrl;
    let freshEnrollment = true;
    if (target.kind === 'virtual') {
      const dir = join(workDir, 'target');
      await mkdir(dir, { recursive: true });
      const running = await startVirtualTarget({ target, dir, discoveryUrl, caCertPath: server.caCertPath, user: harness.user, password });
      cleanups.unshift(() => running.stop());
      agent = new SshAgent(running.ssh);
      ({ deviceId, enrollmentId } = running.ready);
    } else {
      agent = openAgent(target, env);
      discoveryUrl = deviceDiscoveryUrl(target, inventory, server.discoveryUrl);
      freshEnrollment = !(await agent.enrollments()).some((e) => e.ProviderID === harness.providerId);
      const mdm = server;
      ({ deviceId, enrollmentId } = await ensureEnrolled({ target, agent, mdm, discoveryUrl, user: harness.user, password, providerId: harness.providerId }));
    }
    cleanups.unshift(() => agent.close());
    const device = server.device(deviceId);
    const upn = (await agent.enrollments()).find((e) => e.EnrollmentId.toLowerCase() === enrollmentId.toLowerCase())?.UPN ?? harness.user;
    return {
      target, server, agent, device, deviceId, enrollmentId, providerId: harness.providerId, upn, discoveryUrl, freshEnrollment, close,
      async sync(drafts) {
        const answers = device.sync(drafts);
        let settled = false;
        answers.then(() => (settled = true), () => (settled = true));
        for (let attempt = 1; attempt <= TRIGGER_ATTEMPTS && !settled; attempt++) {
          const result = await agent.triggerSync(enrollmentId);
          if (result.hresult !== 0 && !settled) {
            answers.catch(() => undefined);
            throw errors.DMC_ERR_CLI_CALIBRATE_SYNC.create({ target: target.name, hresult: hresultText(result.hresult), output: result.output });
          }
          if (settled || device.pending().queued.length === 0) break;
        }
        return answers;
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}
