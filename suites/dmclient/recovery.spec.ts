/**
 * Recovery (dmclient-csp.md#provider-providerid-recovery-allowrecovery and siblings): AllowRecovery, the
 * RecoveryStatus codes, and InitiateRecovery with argument 1 ("only if the MDM certificate's private key isn't
 * already protected by the TPM, if there is a TPM to put the private key into, and if the TPM is ready for
 * attestation") and argument 0 ("no matter the state of the device").
 *
 * Which status a device must reach depends on its TPM, read by the agent (device.capabilities.tpm). The checks
 * with argument 1 come before the one with argument 0: a recovery that ran can move the MDM key into the TPM.
 */
import { conformance, expect, skipNotApplicable, type ConformanceDevice } from '../../fixtures/conformance.js';
import { EXEC_ACCEPTED, code, data, requireDdfApplicable } from './support.js';
import { ALLOW, INITIATE, R, recovery, STATUS } from './recovery.steps.js';

/** RecoveryStatus, as the reference numbers it. */
const RecoveryStatus = {
  NoRequest: '0',
  InProcess: '1',
  Succeeded: '2',
  NoTpm: '3',
  AadKeysNotInTpm: '4',
  MdmKeysAlreadyInTpm: '5',
  TpmNotReady: '6',
  CannotAuthenticate: '7',
  ServerRejected: '8',
} as const;
const ALL_CODES: string[] = Object.values(RecoveryStatus);
/** Codes that say recovery "has failed to start": preconditions that argument 0 ignores. */
const FAILED_TO_START: string[] = [RecoveryStatus.NoTpm, RecoveryStatus.AadKeysNotInTpm, RecoveryStatus.MdmKeysAlreadyInTpm, RecoveryStatus.TpmNotReady];

function tpmState(device: ConformanceDevice): 'none' | 'present' {
  const caps = device.capabilities;
  if (caps.unknown.tpm !== undefined) throw new Error(`the TPM state of ${device.target} could not be read: ${caps.unknown.tpm}`);
  return caps.tpm.present ? 'present' : 'none';
}

conformance.describe('Recovery', () => {
  conformance(
    { id: 'DMC-RECOV-001', title: 'AllowRecovery defaults to 0 and takes 1 and 0', group: 'recovery', nodes: [ALLOW], reference: 'provider-providerid-recovery-allowrecovery' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, R);
      const { initial, allow } = await device.prepared(recovery);
      // "The supported values for this node are 1-true (allow) and 0-false(not allow). Default value is 0."
      expect(code(initial[0])).toBe('200');
      expect(data(initial[0])).toBe('0');
      expect([code(allow[0]), data(allow[1]), code(allow[2]), data(allow[3])]).toEqual(['200', '1', '200', '0']);
    },
  );

  conformance(
    { id: 'DMC-RECOV-002', title: 'RecoveryStatus is 0 before any recovery request', group: 'recovery', nodes: [STATUS], reference: 'provider-providerid-recovery-recoverystatus' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, R);
      const { initial } = await device.prepared(recovery);
      expect(code(initial[1])).toBe('200');
      if (data(initial[1]) !== RecoveryStatus.NoRequest && ALL_CODES.includes(data(initial[1]) ?? '')) {
        skipNotApplicable(testInfo, `RecoveryStatus is ${data(initial[1])}: a recovery was requested on this enrollment before the run`);
      }
      // "0 - No Recovery request has been processed."
      expect(data(initial[1])).toBe(RecoveryStatus.NoRequest);
    },
  );

  conformance(
    { id: 'DMC-RECOV-003', title: 'without a TPM, InitiateRecovery 1 fails to start with RecoveryStatus 3', group: 'recovery', nodes: [INITIATE, STATUS], reference: 'provider-providerid-recovery-initiaterecovery' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, R);
      if (tpmState(device) !== 'none') skipNotApplicable(testInfo, 'requires a device without a TPM (device has a TPM)');
      const { exec, status } = (await device.prepared(recovery)).withOne!;
      expect(EXEC_ACCEPTED, 'Exec InitiateRecovery 1 status').toContain(code(exec));
      // "3 - Recovery has failed to start because TPM is not available."
      expect(data(status)).toBe(RecoveryStatus.NoTpm);
    },
  );

  conformance(
    {
      id: 'DMC-RECOV-004',
      title: 'with a TPM, InitiateRecovery 1 is processed and never reports "TPM is not available"',
      group: 'recovery',
      nodes: [INITIATE, STATUS],
      reference: 'provider-providerid-recovery-initiaterecovery',
      requires: { tpm: true },
    },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, R);
      tpmState(device);
      const { exec, status } = (await device.prepared(recovery)).withOne!;
      expect(EXEC_ACCEPTED, 'Exec InitiateRecovery 1 status').toContain(code(exec));
      // Which of 2, 4, 5, 6, 7, 8 depends on where the MDM and Azure AD keys live; 0 (not processed) and 3 (no
      // TPM) are wrong on a device that has one.
      expect(ALL_CODES, `RecoveryStatus ${data(status)}`).toContain(data(status));
      expect([RecoveryStatus.NoRequest, RecoveryStatus.NoTpm], `RecoveryStatus ${data(status)}`).not.toContain(data(status));
    },
  );

  conformance(
    { id: 'DMC-RECOV-005', title: 'InitiateRecovery 0 starts a recovery whatever the TPM state', group: 'recovery', nodes: [INITIATE, STATUS], reference: 'provider-providerid-recovery-initiaterecovery' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, R);
      const { exec, status } = (await device.prepared(recovery)).withZero!;
      expect(EXEC_ACCEPTED, 'Exec InitiateRecovery 0 status').toContain(code(exec));
      // "If initiated with argument 0, it triggers MDM Recovery, no matter the state of the device": none of the
      // "failed to start" codes (3, 4, 5, 6); it ends as 2 (finished), 7 or 8 (failed at the server).
      expect(FAILED_TO_START, `RecoveryStatus ${data(status)} (TPM: ${tpmState(device)})`).not.toContain(data(status));
      expect([RecoveryStatus.Succeeded, RecoveryStatus.CannotAuthenticate, RecoveryStatus.ServerRejected], `RecoveryStatus ${data(status)}`).toContain(data(status));
    },
  );
});
