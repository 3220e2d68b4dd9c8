/**
 * Server-initiated unenrollment (dmclient-csp.md#provider-providerid-unenroll): Exec Provider/<ProviderID>/Unenroll
 * "calls the enrollment client to unenroll the device from the management server". Afterwards the agent must find
 * the enrollment, its certificate and its poll tasks gone and an entry in the MDM event channel; the server sees
 * no session after it. How the device reports it comes from Microsoft's unenrollment page ("Disconnecting from the
 * management infrastructure", section "Server-initiated disconnection"): "a generic alert notification is sent with
 * messageid=1", the Alert 1226 com.microsoft:mdm.unenrollment.userrequest also seen in the user-initiated path
 * (captures/06); DMC-UNENR-008 checks that the server received it.
 *
 * This suite ends the device's enrollment, so it must run after every other suite on the same device. With the
 * current playwright.config.ts that holds because files are scheduled in path order and a real target has one
 * worker (suites/README.md, "Order"); a project that depends on the others would make it a rule.
 */
import { conformance, expect, findMdmCertificates, type CommandResult, type MdmCertificateStore } from '../../fixtures/conformance.js';
import { EXEC_ACCEPTED, MDM_ADMIN_CHANNEL, code, enrollmentRegistryRoots, enrollmentTaskPath, pollUntil, sleep, type EventLog, type RegistrySnapshot, type ScheduledTasks } from './support.js';

const UNENROLL = 'Provider/{ProviderID}/Unenroll';
/** How long the device has to finish unenrolling after the Exec, and how long it is watched for sessions after it. */
const UNENROLL_WAIT_MS = 60_000;
const QUIET_MS = 20_000;

interface Observed {
  /** The Exec's result, or why none came (a device that aborts the session on it never sends a Status). */
  exec: { result: CommandResult | undefined; unanswered: string | undefined };
  enrollmentBefore: boolean;
  enrollmentAfter: boolean;
  registryAfter: RegistrySnapshot;
  tasksBefore: ScheduledTasks;
  tasksAfter: ScheduledTasks;
  thumbprint: string | undefined;
  /** The store that held the certificate before the Exec (mdm-certificate.ts: which one is not documented). */
  certBefore: MdmCertificateStore | undefined;
  /** The store that still holds it after, looking where it was before (or everywhere if it was nowhere). */
  certAfter: MdmCertificateStore | undefined;
  events: EventLog;
  sessionsAtUnenroll: number;
  sessionsAfterQuiet: number;
  /** When the Exec was sent, and when the server recorded the device's Alert 1226 (undefined: never). */
  execSentAt: string;
  unenrollAlertAt: string | undefined;
}

conformance.describe('Unenroll (last: ends the enrollment)', () => {
  let o: Observed;

  conformance.beforeAll(async ({ device, agent, mdm }, testInfo) => {
    testInfo.setTimeout(UNENROLL_WAIT_MS + QUIET_MS + 240_000);
    const id = device.enrollmentId.toLowerCase();
    const ours = async () => (await agent.enrollments()).some((e) => e.EnrollmentId.replace(/[{}]/g, '').toLowerCase() === id.replace(/[{}]/g, ''));
    const taskPath = enrollmentTaskPath(device.enrollmentId);
    // The MDM certificate the harness issued to this device at enrollment.
    const thumbprint = mdm.enrollments.list().filter((r) => r.deviceId === device.deviceId).at(-1)?.certificate.thumbprint.toUpperCase();
    const storeHolding = async (stores?: MdmCertificateStore[]) => (await findMdmCertificates(agent, thumbprint === undefined ? [] : [thumbprint], stores))?.store;
    const enrollmentBefore = await ours();
    const tasksBefore = await agent.scheduledTasks(taskPath);
    const certBefore = await storeHolding();
    const since = new Date(Date.now() - 1_000).toISOString();

    // The reference's example: Meta.Format chr, Data the ProviderID ("Data Field in Threshold is now IGNORED").
    const execSentAt = new Date().toISOString();
    // Microsoft's unenrollment page: "all undergoing sessions for the enrollment ID are aborted immediately ... The
    // server will not get a response for the unenrollment". A real device may never answer the Exec: the sync then
    // ends in its time-out, DMC-UNENR-001 takes the Alert 1226 as the answer, and every other check still judges
    // what the device did.
    const exec = await device.sync([device.node(UNENROLL).unchecked.exec(device.providerId, { meta: { Format: 'chr' } })], { timeout: UNENROLL_WAIT_MS }).then(
      ([result]) => ({ result, unanswered: undefined }),
      (err: unknown) => {
        if ((err as { code?: unknown }).code !== 'DMC_ERR_SESSION_SYNC_TIMEOUT') throw err;
        return { result: undefined, unanswered: (err as Error).message };
      },
    );
    await pollUntil(() => ours(), (enrolled) => !enrolled, UNENROLL_WAIT_MS, 1_000);
    const sessionsAtUnenroll = device.mdm.sessions().count;
    // Give the device its chance to come back: ask it to sync, then watch.
    await agent.triggerSync(device.enrollmentId, { timeoutSeconds: 30 }).catch(() => undefined);
    await sleep(QUIET_MS);
    o = {
      exec,
      enrollmentBefore,
      enrollmentAfter: await ours(),
      registryAfter: await agent.snapshotRegistry(enrollmentRegistryRoots(device.enrollmentId)),
      tasksBefore,
      tasksAfter: await agent.scheduledTasks(taskPath),
      thumbprint,
      certBefore,
      certAfter: await storeHolding(certBefore === undefined ? undefined : [certBefore]),
      events: await agent.eventLog({ logName: MDM_ADMIN_CHANNEL, since, maxEvents: 200 }),
      sessionsAtUnenroll,
      sessionsAfterQuiet: device.mdm.sessions().count,
      execSentAt,
      unenrollAlertAt: device.mdm.unenrolledAt(),
    };
  });

  const spec = (id: string, title: string) => ({ id, title, group: 'unenroll', nodes: [UNENROLL], reference: 'provider-providerid-unenroll' });

  conformance(spec('DMC-UNENR-001', 'Exec Provider/<ProviderID>/Unenroll is accepted: a success Status, or none and then Alert 1226'), async () => {
    if (o.exec.unanswered !== undefined) {
      // "The server will not get a response for the unenrollment, instead a generic alert notification is sent"
      // (Microsoft, "Disconnecting from the management infrastructure"): no Status is an answer only with that alert.
      expect(o.unenrollAlertAt, `no Status for the Exec (${o.exec.unanswered}), and no Alert 1226 either`).not.toBeUndefined();
      return;
    }
    // The article: the node "accepts unenrollment requests using the OMA DM Exec command"; a refusal is 4xx/5xx.
    expect(EXEC_ACCEPTED, 'Exec Unenroll status').toContain(code(o.exec.result));
  });

  conformance(spec('DMC-UNENR-003', 'the enrollment and its registry keys are gone (agent)'), async () => {
    expect(o.enrollmentBefore, 'the enrollment before the Exec').toBe(true);
    expect(o.enrollmentAfter, 'the enrollment after the Exec').toBe(false);
    expect(o.registryAfter.roots.filter((r) => r.exists).map((r) => r.path), 'enrollment registry keys left').toEqual([]);
  });

  conformance(spec('DMC-UNENR-004', 'the enrollment\'s scheduled tasks are gone (agent)'), async () => {
    expect(o.tasksBefore.tasks.length, 'tasks under the enrollment folder before the Exec').toBeGreaterThan(0);
    expect(o.tasksAfter.tasks.map((t) => t.TaskName), 'tasks left').toEqual([]);
  });

  conformance(spec('DMC-UNENR-005', 'the MDM certificate is gone from the My store that held it (agent)'), async () => {
    expect(o.thumbprint, 'the certificate the harness issued to this device').not.toBeUndefined();
    expect(o.certBefore, `the My store holding certificate ${o.thumbprint} before the Exec (the machine's, SYSTEM's or the agent login's)`).not.toBeUndefined();
    expect(o.certAfter, `the store still holding certificate ${o.thumbprint} after the Exec`).toBeUndefined();
  });

  conformance(spec('DMC-UNENR-006', 'the MDM event channel records the unenrollment (agent)'), async () => {
    expect(o.events.channelFound, `event channel ${MDM_ADMIN_CHANNEL}`).toBe(true);
    expect(o.events.entries.length, 'entries written since the Exec').toBeGreaterThan(0);
  });

  conformance(spec('DMC-UNENR-007', 'no session after the unenrollment, even when asked to sync'), async () => {
    expect(o.sessionsAfterQuiet - o.sessionsAtUnenroll, `sessions in the ${QUIET_MS / 1000} s after the unenrollment`).toBe(0);
  });

  conformance(spec('DMC-UNENR-008', 'the device reports the unenrollment with Alert 1226 (MsgID 1) after the Exec'), async () => {
    // "The server will not get a response for the unenrollment, instead a generic alert notification is sent with
    // messageid=1" (Microsoft, "Disconnecting from the management infrastructure", server-initiated disconnection).
    expect(o.unenrollAlertAt, 'when the server recorded Alert 1226 com.microsoft:mdm.unenrollment.userrequest').not.toBeUndefined();
    expect(Date.parse(o.unenrollAlertAt!), `Alert 1226 at ${o.unenrollAlertAt}, Exec sent at ${o.execSentAt}`).toBeGreaterThanOrEqual(Date.parse(o.execSentAt));
  });
});
