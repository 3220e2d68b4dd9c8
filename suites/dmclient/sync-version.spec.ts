/**
 * SyncApplicationVersion and MaxSyncApplicationVersion (dmclient-csp.md): the DM session version the server sets,
 * one way from 1.0 to 2.0 ("Once you set the value to 2.0, it won't go back to 1.0"), and the highest version the
 * client supports ("a Windows 10 client will return 2.0").
 *
 * Sessions (sync-version.steps.ts, shared with the other suites' steps): one that reads the starting state and
 * raises the version, a later one that tries to bring it back.
 */
import { conformance, diffSnapshots, expect, isAtLeastBuild, skipNotApplicable } from '../../fixtures/conformance.js';
import { code, data } from './support.js';
import { MAX, SYNC, syncVersion } from './sync-version.steps.js';

/** Windows 11 version 22H2, the first with the multi-user mode's session version 5.0 ([MS-MDM] product note <17>). */
const MULTI_USER_MODE_BUILD = '10.0.22621';

conformance.describe('SyncApplicationVersion: one way from 1.0 to 2.0', () => {
  conformance(
    {
      id: 'DMC-SYNCVER-001',
      title: 'MaxSyncApplicationVersion reads 2.0 (or 5.0 and later on multi-session, Windows 11 22H2 and later)',
      group: 'sync-version',
      nodes: [MAX],
      reference: 'provider-providerid-maxsyncapplicationversion',
    },
    async ({ device }) => {
      const { before } = await device.prepared(syncVersion);
      expect(code(before.max), 'Get MaxSyncApplicationVersion status').toBe('200');
      const max = data(before.max);
      // [MS-MDM] 3.2.5.1.3: on the multi-session edition (OSEdition 175) "If the OMA DM client returns 5.0 or later"
      // the server raises SyncApplicationVersion for the multi-user mode; product note <17>: Windows 11 22H2 or later.
      if (device.capabilities.multiSession && isAtLeastBuild(device.capabilities.build, MULTI_USER_MODE_BUILD) && max !== '2.0') {
        expect(max, 'MaxSyncApplicationVersion on multi-session: 2.0, or a version 5.0 or later').toMatch(/^\d+\.\d+$/);
        expect(Number(max), `MaxSyncApplicationVersion ${max}`).toBeGreaterThanOrEqual(5);
        return;
      }
      // "Default is 2.0. When you query this node, a Windows 10 client will return 2.0."
      expect(max).toBe('2.0');
    },
  );

  conformance(
    {
      id: 'DMC-SYNCVER-002',
      title: 'SyncApplicationVersion starts at 1.0 on an enrollment that never raised it',
      group: 'sync-version',
      nodes: [SYNC],
      reference: 'provider-providerid-syncapplicationversion',
    },
    async ({ device }, testInfo) => {
      const { before } = await device.prepared(syncVersion);
      expect(code(before.sync), 'Get SyncApplicationVersion status').toBe('200');
      // "Default is 1.0." Once raised, it stays 2.0 for the life of the enrollment, so 2.0 here means an earlier
      // run raised it on this (real, re-used) enrollment; the default is then no longer observable.
      if (data(before.sync) === '2.0') {
        skipNotApplicable(testInfo, 'this enrollment was raised to 2.0 before the run; the default shows only on a fresh enrollment');
      }
      expect(data(before.sync)).toBe('1.0');
    },
  );

  conformance(
    {
      id: 'DMC-SYNCVER-003',
      title: 'Replace 2.0 is accepted and reads back 2.0',
      group: 'sync-version',
      nodes: [SYNC],
      reference: 'provider-providerid-syncapplicationversion',
    },
    async ({ device }) => {
      const { raise } = await device.prepared(syncVersion);
      // "If the server is updated to support 2.0, then you should set this value to 2.0."
      expect(code(raise.replace), 'Replace SyncApplicationVersion 2.0 status').toBe('200');
      expect(code(raise.get)).toBe('200');
      expect(data(raise.get)).toBe('2.0');
    },
  );

  conformance(
    {
      id: 'DMC-SYNCVER-004',
      title: 'raising to 2.0 changes a value under the enrollment from 1.0 to 2.0 (agent)',
      group: 'sync-version',
      nodes: [SYNC],
      reference: 'provider-providerid-syncapplicationversion',
    },
    async ({ device }, testInfo) => {
      const { before, registryBefore, registryAfterRaise } = await device.prepared(syncVersion);
      if (data(before.sync) === '2.0') {
        skipNotApplicable(testInfo, 'the enrollment was already at 2.0, so raising it changes nothing on the device');
      }
      const diff = diffSnapshots(registryBefore, registryAfterRaise);
      const raised = [
        ...diff.changed.filter((c) => c.oldValue === '1.0' && c.newValue === '2.0'),
        ...diff.added.filter((a) => a.value === '2.0'),
      ];
      expect(raised, `registry changes under the enrollment: ${JSON.stringify(diff)}`).not.toEqual([]);
    },
  );

  conformance(
    {
      id: 'DMC-SYNCVER-005',
      title: 'Replace 1.0 after 2.0 does not bring the version back: it still reads 2.0',
      group: 'sync-version',
      nodes: [SYNC],
      reference: 'provider-providerid-syncapplicationversion',
    },
    async ({ device }) => {
      const { back, registryAfterRaise, registryAfterBack } = await device.prepared(syncVersion);
      // "Once you set the value to 2.0, it won't go back to 1.0." The device may refuse the Replace or ignore it;
      // either way the value stays 2.0.
      expect(code(back.get), `Get after Replace 1.0 (Replace answered ${code(back.replace)})`).toBe('200');
      expect(data(back.get)).toBe('2.0');
      const diff = diffSnapshots(registryAfterRaise, registryAfterBack);
      const lowered = diff.changed.filter((c) => c.oldValue === '2.0' && c.newValue === '1.0');
      expect(lowered, 'registry values that went from 2.0 back to 1.0').toEqual([]);
    },
  );

  conformance(
    {
      id: 'DMC-SYNCVER-006',
      title: 'Delete after 2.0 does not restore the 1.0 default',
      group: 'sync-version',
      nodes: [SYNC],
      reference: 'provider-providerid-syncapplicationversion',
    },
    async ({ device }) => {
      const { back } = await device.prepared(syncVersion);
      // Delete is a supported operation, and the default is 1.0; "it won't go back to 1.0" still holds.
      expect(code(back.afterDelete), `Get after Delete (Delete answered ${code(back.del)})`).toBe('200');
      expect(data(back.afterDelete)).toBe('2.0');
    },
  );
});
