/**
 * Push (dmclient-csp.md#provider-providerid-push): PFN, ChannelURI ("If no valid PFN is currently set, ChannelURI
 * will return null") and Status (an integer of the reference's status table). The harness has no WNS, so a valid
 * channel is never expected; what is checked is what a device must say when it has none.
 */
import { conformance, expect, type CommandResult } from '../../fixtures/conformance.js';
import { code, data } from './support.js';
import { CHANNEL, INVALID_PFN, PFN, push, PUSH, STATUS } from './push.steps.js';

/** dmclient-csp.md#provider-providerid-push-status: 0 success, 1-7 failures, 8 unknown error. */
const STATUS_TABLE = ['0', '1', '2', '3', '4', '5', '6', '7', '8'];
/** "ChannelURI will return null": no value (empty Data) or no node value at all. */
function isNullChannel(result: CommandResult | undefined): boolean {
  return result?.status?.code === '404' || (result?.status?.code === '200' && (data(result) ?? '') === '');
}

conformance.describe('Push: PFN, ChannelURI and Status', () => {
  conformance(
    {
      id: 'DMC-PUSH-001',
      title: 'without a valid PFN, ChannelURI returns null',
      group: 'push',
      nodes: [CHANNEL, PFN],
      reference: 'provider-providerid-push-channeluri',
    },
    async ({ device }) => {
      const { initial } = await device.prepared(push);
      // Before the test set anything: the enrollment has no PFN from the harness ("Not configurable during WAP
      // Provisioning XML"), so no valid PFN is set.
      expect(isNullChannel(initial[1]), `Get ChannelURI answered ${code(initial[1])} "${data(initial[1]) ?? ''}"`).toBe(true);
    },
  );

  conformance(
    {
      id: 'DMC-PUSH-002',
      title: 'an invalid PFN is stored and read back',
      group: 'push',
      nodes: [PUSH, PFN],
      reference: 'provider-providerid-push-pfn',
    },
    async ({ device }) => {
      const { setInvalid, afterInvalid } = await device.prepared(push);
      expect(setInvalid.map(code).every((c) => c === '200'), `Add Push / set PFN answered ${setInvalid.map(code).join(', ')}`).toBe(true);
      expect(code(afterInvalid[0])).toBe('200');
      expect(data(afterInvalid[0])).toBe(INVALID_PFN);
    },
  );

  conformance(
    {
      id: 'DMC-PUSH-003',
      title: 'with an invalid PFN, ChannelURI returns null and Status reports an invalid PFN',
      group: 'push',
      nodes: [CHANNEL, STATUS],
      reference: 'provider-providerid-push-status',
    },
    async ({ device }) => {
      const { afterInvalid } = await device.prepared(push);
      expect(isNullChannel(afterInvalid[1]), `Get ChannelURI answered ${code(afterInvalid[1])} "${data(afterInvalid[1]) ?? ''}"`).toBe(true);
      expect(code(afterInvalid[2])).toBe('200');
      // Status table: 1 "Failure: invalid PFN", 3 "WNS client registration failed due to an invalid or revoked PFN".
      expect(['1', '3'], `Push/Status ${data(afterInvalid[2])}`).toContain(data(afterInvalid[2]));
    },
  );

  conformance(
    {
      id: 'DMC-PUSH-004',
      title: 'Status is always a code of the reference table',
      group: 'push',
      nodes: [STATUS],
      reference: 'provider-providerid-push-status',
    },
    async ({ device }) => {
      const { initial, afterInvalid } = await device.prepared(push);
      // "An integer that maps to a known error state or condition on the system."
      for (const r of [initial[2], afterInvalid[2]]) {
        if (r?.status?.code === '200') expect(STATUS_TABLE, `Push/Status ${data(r)}`).toContain(data(r));
      }
      expect(code(afterInvalid[2])).toBe('200');
    },
  );

  conformance(
    {
      id: 'DMC-PUSH-005',
      title: 'Delete Push removes the push settings',
      group: 'push',
      nodes: [PUSH, PFN],
      reference: 'provider-providerid-push',
    },
    async ({ device }) => {
      const { removed } = await device.prepared(push);
      // "If removed, DM sessions triggered by Push will no longer be supported."
      expect(code(removed[0]), 'Delete Push').toBe('200');
      expect(code(removed[1]), 'Get PFN after Delete Push').toBe('404');
    },
  );
});
