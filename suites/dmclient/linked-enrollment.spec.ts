/**
 * LinkedEnrollment (dmclient-csp.md#provider-providerid-linkedenrollment-priority and siblings): Priority, the
 * Enroll and Unenroll Exec nodes, EnrollStatus (an enum of the reference) and LastError (an HRESULT).
 *
 * The reference and the DDF differ: Priority is in the reference only (so its LocURI is built from its parent's),
 * and the EnrollStatus enums differ (the reference lists 0-5 and 8 with 5 = UnEnrollmentQueued; the DDF lists 0-8
 * with 5 = "Unenrollment Not started", 6 in progress, 7 failed).
 */
import { conformance, expect, skipNotApplicable } from '../../fixtures/conformance.js';
import { EXEC_ACCEPTED, code, data, hresultFailed, hresultOf, isFailure, requireDdfApplicable } from './support.js';
import { ENROLL, LAST_ERROR, LE, linked, PRIORITY, STATUS, UNENROLL } from './linked-enrollment.steps.js';

/** dmclient-csp.md#provider-providerid-linkedenrollment-enrollstatus. */
const EnrollStatus = { Undefined: '0', NotStarted: '1', InProgress: '2', Failed: '3', Succeeded: '4', UnEnrollmentQueued: '5', UnEnrollmentSucceeded: '8' } as const;
const REFERENCE_ENUM: string[] = Object.values(EnrollStatus);
/** The DDF's extra unenrollment states: 6 "UnEnrollment In Progress", 7 "UnEnrollment Failed". */
const DDF_ONLY = ['6', '7'];
const enumConflict =
  'reference EnrollStatus: 0 Undefined, 1 EnrollmentNotStarted, 2 InProgress, 3 Failed, 4 Succeeded, 5 UnEnrollmentQueued, 8 UnEnrollmentSucceeded; DDF: also 6 UnEnrollment In Progress, 7 UnEnrollment Failed, and 5 is "Unenrollment Not started"';
const priorityConflict = 'reference: LinkedEnrollment/Priority, integer 0 or 1, default 1, operations Get and Set; DDF: no Priority node';

conformance.describe('LinkedEnrollment', () => {
  conformance(
    { id: 'DMC-LINK-001', title: 'Priority defaults to 1', group: 'linked-enrollment', nodes: [LE], reference: 'provider-providerid-linkedenrollment-priority', specConflict: priorityConflict },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, LE);
      const { initial } = await device.prepared(linked);
      // "Default is 1, meaning the MDM enrollment is the "winning" authority for conflicting policies/resources."
      expect(code(initial[0]), `Get ${PRIORITY}`).toBe('200');
      expect(data(initial[0])).toBe('1');
    },
  );

  conformance(
    { id: 'DMC-LINK-002', title: 'Priority takes 0 and 1', group: 'linked-enrollment', nodes: [LE], reference: 'provider-providerid-linkedenrollment-priority', specConflict: priorityConflict },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, LE);
      const { priority } = await device.prepared(linked);
      expect([code(priority[0]), data(priority[1]), code(priority[2]), data(priority[3])]).toEqual(['200', '0', '200', '1']);
    },
  );

  conformance(
    { id: 'DMC-LINK-003', title: 'EnrollStatus reads a value of the reference enum', group: 'linked-enrollment', nodes: [STATUS], reference: 'provider-providerid-linkedenrollment-enrollstatus', specConflict: enumConflict },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, LE);
      const { initial } = await device.prepared(linked);
      expect(code(initial[1])).toBe('200');
      expect(REFERENCE_ENUM, `EnrollStatus ${data(initial[1])}`).toContain(data(initial[1]));
    },
  );

  conformance(
    { id: 'DMC-LINK-004', title: 'Exec Enroll is accepted (or refused while DiscoveryEndpoint is unset) and EnrollStatus then reports an enrollment state', group: 'linked-enrollment', nodes: [ENROLL, STATUS], reference: 'provider-providerid-linkedenrollment-enroll' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, LE);
      const { enroll } = await device.prepared(linked);
      // The current DMClient CSP page: "When the DiscoveryEndpoint is not set, the Enroll node will fail with
      // ERROR_FILE_NOT_FOUND (0x80070002) and there is no scheduled task created for dual enrollment". On a device that
      // has the node ("if the endpoint is not set, client will return an empty string", the DDF), a refused Exec is
      // that failure; the enrollment must then not be under way or done.
      const discoveryUnset = code(enroll.discoveryEndpoint) === '200' && (data(enroll.discoveryEndpoint) ?? '') === '';
      if (discoveryUnset && isFailure(enroll.exec)) {
        expect([EnrollStatus.Undefined, EnrollStatus.NotStarted, EnrollStatus.Failed], `EnrollStatus ${data(enroll.status)} after the refused Exec Enroll (${code(enroll.exec)})`).toContain(data(enroll.status));
        return;
      }
      // "This is an execution node and will trigger a silent MMP-C enrollment". Whether it can succeed depends on
      // an Azure AD device token; either way the status names an enrollment outcome, not an unenrollment one.
      expect(EXEC_ACCEPTED, 'Exec LinkedEnrollment/Enroll status').toContain(code(enroll.exec));
      expect([EnrollStatus.NotStarted, EnrollStatus.InProgress, EnrollStatus.Failed, EnrollStatus.Succeeded], `EnrollStatus ${data(enroll.status)}`).toContain(data(enroll.status));
    },
  );

  conformance(
    { id: 'DMC-LINK-005', title: 'LastError is an HRESULT that agrees with EnrollStatus', group: 'linked-enrollment', nodes: [LAST_ERROR, STATUS], reference: 'provider-providerid-linkedenrollment-lasterror' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, LE);
      const { enroll, unenroll } = await device.prepared(linked);
      // "This specifies the Hresult to report the enrollment/unenroll results."
      for (const [what, r] of [['after Enroll', enroll], ['after Unenroll', unenroll]] as const) {
        expect(code(r.lastError), `Get LastError ${what}`).toBe('200');
        const hr = hresultOf(data(r.lastError));
        expect(hr, `LastError ${what} "${data(r.lastError)}" as a 32-bit HRESULT`).not.toBeUndefined();
        const status = data(r.status);
        if (status === EnrollStatus.Failed || status === '7') expect(hresultFailed(hr!), `${what}: EnrollStatus ${status} with LastError 0x${hr!.toString(16)}`).toBe(true);
        if (status === EnrollStatus.Succeeded || status === EnrollStatus.UnEnrollmentSucceeded) expect(hresultFailed(hr!), `${what}: EnrollStatus ${status} with LastError 0x${hr!.toString(16)}`).toBe(false);
      }
    },
  );

  conformance(
    { id: 'DMC-LINK-006', title: 'Exec Unenroll is accepted and EnrollStatus then reports an unenrollment state', group: 'linked-enrollment', nodes: [UNENROLL, STATUS], reference: 'provider-providerid-linkedenrollment-unenroll', specConflict: enumConflict },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, LE);
      const { enroll, unenroll } = await device.prepared(linked);
      // The reference names no outcome for an unenroll with nothing enrolled; the check needs an MMP-C enrollment.
      if (data(enroll.status) !== EnrollStatus.Succeeded) {
        skipNotApplicable(testInfo, `no linked enrollment to remove: EnrollStatus was ${data(enroll.status)} after Exec Enroll (Exec Unenroll answered ${code(unenroll.exec)})`);
      }
      // "This node can be used to check both enroll and unenroll statuses."
      expect(EXEC_ACCEPTED, 'Exec LinkedEnrollment/Unenroll status').toContain(code(unenroll.exec));
      expect([EnrollStatus.UnEnrollmentQueued, EnrollStatus.UnEnrollmentSucceeded, ...DDF_ONLY], `EnrollStatus ${data(unenroll.status)}`).toContain(data(unenroll.status));
    },
  );
});
