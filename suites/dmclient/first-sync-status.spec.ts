/**
 * FirstSyncStatus (dmclient-csp.md#provider-providerid-firstsyncstatus-), in the device tree and the user tree:
 * the Expected* lists delimited by U+F000 (CSP_LIST_DELIMITER) round-trip exactly; TimeOutUntilSyncFailure takes
 * 1 to 1440 minutes; the one-way nodes ServerHasFinishedProvisioning (never back to false, refused with
 * CFGMGR_E_COMMANDNOTALLOWED), IsSyncDone (not True→False, not True→True) and WasDeviceSuccessfullyProvisioned
 * (once 0 or 1, no change); BlockInStatusPage, AllowCollectLogsButton, CustomErrorText, Skip*StatusPage.
 *
 * One-way nodes keep their state for the life of the enrollment. A real device re-used across runs may start
 * with them already set: the checks then start from that state (the "no change" half still applies), and the
 * "first transition" half is not applicable.
 */
import { conformance, diffSnapshots, expect, skipNotApplicable, type PreparedStep } from '../../fixtures/conformance.js';
import { code, data, isFailure } from './support.js';
import { COMMAND_NOT_ALLOWED, DELIMITER, deviceSettings, deviceTree, FSS, LISTS, userTree, type Scope, type ScopeRun } from './first-sync-status.steps.js';

/** The checks both trees share; IDs DMC-FSS-0xx for the device tree, DMC-FSS-1xx for the user tree. */
function scopeChecks(scope: Scope, base: number, step: PreparedStep<ScopeRun>): void {
  const id = (k: number) => `DMC-FSS-${String(base + k).padStart(3, '0')}`;
  const where = scope === 'Device' ? 'device' : 'user';
  const nodes = (...leaves: string[]) => leaves.map((l) => `${FSS}/${l}`);

  conformance(
    { id: id(1), title: `${where}: the six Expected* lists round-trip with their U+F000 delimiters`, group: 'first-sync-status', scope, nodes: nodes(...LISTS), reference: 'provider-providerid-firstsyncstatus-expectedpolicies' },
    async ({ device }) => {
      const { lists } = await device.prepared(step);
      expect(lists.set.map(code), 'Replace statuses').toEqual(LISTS.map(() => '200'));
      LISTS.forEach((leaf, i) => {
        const got = data(lists.get[i]);
        expect(got, `${leaf} as read back`).toBe(lists.values[leaf]);
        expect(got?.split(DELIMITER).length, `${leaf}: items between U+F000 delimiters`).toBe(2);
      });
    },
  );

  conformance(
    {
      id: id(2), title: `${where}: CustomErrorText round-trips and Delete removes it`, group: 'first-sync-status', scope, nodes: nodes('CustomErrorText'),
      reference: 'provider-providerid-firstsyncstatus-customerrortext',
      ...(scope === 'User' ? { specConflict: 'reference: CustomErrorText supports Add, Get, Delete and Replace; DDF ./User tree: Get, Replace only' } : {}),
    },
    async ({ device }) => {
      const { errorText } = await device.prepared(step);
      expect(code(errorText.set), 'Add/Replace CustomErrorText').toBe('200');
      expect(data(errorText.get)).toBe(errorText.value);
      expect(code(errorText.del), 'Delete CustomErrorText').toBe('200');
      expect(code(errorText.afterDelete), 'Get after Delete').toBe('404');
    },
  );

  conformance(
    { id: id(3), title: `${where}: AllowCollectLogsButton defaults to false and takes true`, group: 'first-sync-status', scope, nodes: nodes('AllowCollectLogsButton'), reference: 'provider-providerid-firstsyncstatus-allowcollectlogsbutton' },
    async ({ device }) => {
      const { collectLogs } = await device.prepared(step);
      // DDF DefaultValue false.
      expect(data(collectLogs.initial)).toBe('false');
      expect(code(collectLogs.set)).toBe('200');
      expect(data(collectLogs.get)).toBe('true');
    },
  );

  conformance(
    { id: id(4), title: `${where}: ServerHasFinishedProvisioning can be set to true`, group: 'first-sync-status', scope, nodes: nodes('ServerHasFinishedProvisioning'), reference: 'provider-providerid-firstsyncstatus-serverhasfinishedprovisioning' },
    async ({ device }, testInfo) => {
      const first = (await device.prepared(step)).oneWay.first.ServerHasFinishedProvisioning;
      if (first === undefined) skipNotApplicable(testInfo, 'ServerHasFinishedProvisioning was already true on this enrollment before the run (one-way)');
      expect(code(first.set)).toBe('200');
      expect(data(first.get)).toBe('true');
    },
  );

  conformance(
    { id: id(5), title: `${where}: ServerHasFinishedProvisioning true→false is refused with CFGMGR_E_COMMANDNOTALLOWED`, group: 'first-sync-status', scope, nodes: nodes('ServerHasFinishedProvisioning'), reference: 'provider-providerid-firstsyncstatus-serverhasfinishedprovisioning' },
    async ({ device }) => {
      const { again } = (await device.prepared(step)).oneWay;
      // "Once set to true, it would reject attempts to change it back to false with CFGMGR_E_COMMANDNOTALLOWED."
      expect(code(again.serverFalse), 'Replace ServerHasFinishedProvisioning false').toBe(COMMAND_NOT_ALLOWED);
      expect(data(again.serverAfter)).toBe('true');
    },
  );

  conformance(
    { id: id(6), title: `${where}: IsSyncDone false→true is accepted`, group: 'first-sync-status', scope, nodes: nodes('IsSyncDone'), reference: 'provider-providerid-firstsyncstatus-issyncdone' },
    async ({ device }, testInfo) => {
      const first = (await device.prepared(step)).oneWay.first.IsSyncDone;
      if (first === undefined) skipNotApplicable(testInfo, 'IsSyncDone was already true on this enrollment before the run (one-way)');
      expect(code(first.set)).toBe('200');
      expect(data(first.get)).toBe('true');
    },
  );

  conformance(
    { id: id(7), title: `${where}: IsSyncDone refuses True→True and True→False`, group: 'first-sync-status', scope, nodes: nodes('IsSyncDone'), reference: 'provider-providerid-firstsyncstatus-issyncdone' },
    async ({ device }) => {
      const { again } = (await device.prepared(step)).oneWay;
      // "It can't be set from True to False ... and it can't be set from True to True (to prevent notifications
      // from firing multiple times)."
      expect(isFailure(again.syncTrue), `Replace IsSyncDone true again answered ${code(again.syncTrue)}`).toBe(true);
      expect(isFailure(again.syncFalse), `Replace IsSyncDone false answered ${code(again.syncFalse)}`).toBe(true);
      expect(data(again.syncAfter)).toBe('true');
    },
  );

  conformance(
    { id: id(8), title: `${where}: WasDeviceSuccessfullyProvisioned takes 1 from in-progress`, group: 'first-sync-status', scope, nodes: nodes('WasDeviceSuccessfullyProvisioned'), reference: 'provider-providerid-firstsyncstatus-wasdevicesuccessfullyprovisioned' },
    async ({ device }, testInfo) => {
      const { first, initial } = (await device.prepared(step)).oneWay;
      if (first.WasDeviceSuccessfullyProvisioned === undefined) {
        skipNotApplicable(testInfo, `WasDeviceSuccessfullyProvisioned was already ${initial.WasDeviceSuccessfullyProvisioned} before the run (final once 0 or 1)`);
      }
      // "0 is failure, 1 is success, 2 is in progress ... The server can force a failure or success message".
      expect(code(first.WasDeviceSuccessfullyProvisioned.set)).toBe('200');
      expect(data(first.WasDeviceSuccessfullyProvisioned.get)).toBe('1');
    },
  );

  conformance(
    { id: id(9), title: `${where}: WasDeviceSuccessfullyProvisioned does not change once 0 or 1`, group: 'first-sync-status', scope, nodes: nodes('WasDeviceSuccessfullyProvisioned'), reference: 'provider-providerid-firstsyncstatus-wasdevicesuccessfullyprovisioned' },
    async ({ device }) => {
      const { again, first, initial } = (await device.prepared(step)).oneWay;
      const settled = first.WasDeviceSuccessfullyProvisioned !== undefined ? data(first.WasDeviceSuccessfullyProvisioned.get) : initial.WasDeviceSuccessfullyProvisioned;
      // "Once the value is changed to 0 or 1, the value can't be changed again."
      expect(isFailure(again.wasOther), `Replace to the other outcome answered ${code(again.wasOther)}`).toBe(true);
      expect(isFailure(again.wasTwo), `Replace 2 (in progress) answered ${code(again.wasTwo)}`).toBe(true);
      expect(data(again.wasAfter)).toBe(settled);
    },
  );
}

conformance.describe('FirstSyncStatus, device tree', () => {
  scopeChecks('Device', 0, deviceTree);

  conformance(
    { id: 'DMC-FSS-010', title: 'device: the Expected* lists are stored under the enrollment (agent)', group: 'first-sync-status', nodes: [`${FSS}/ExpectedPolicies`], reference: 'provider-providerid-firstsyncstatus-expectedpolicies' },
    async ({ device }) => {
      const run = await device.prepared(deviceTree);
      const tag = /Dmc\/(dmc-[^\uF000]+)/.exec(run.lists.values.ExpectedPolicies)?.[1] ?? '';
      const diff = diffSnapshots(run.registry.before, run.registry.after);
      const holders = [...diff.added.map((a) => a.value), ...diff.changed.map((c) => c.newValue)].filter((v) => JSON.stringify(v).includes(tag));
      expect(holders.length, `registry values under the enrollment holding ${tag}; the diff: ${JSON.stringify(diff)}`).toBeGreaterThan(0);
    },
  );

  conformance(
    { id: 'DMC-FSS-011', title: 'device: TimeOutUntilSyncFailure defaults to 60 and takes 1 and 1440', group: 'first-sync-status', nodes: [`${FSS}/TimeOutUntilSyncFailure`], reference: 'provider-providerid-firstsyncstatus-timeoutuntilsyncfailure' },
    async ({ device }) => {
      const settings = await device.prepared(deviceSettings);
      // "Default value will be 60, while maximum value will be 1,440 (one day)." DDF range [1-1440].
      expect(data(settings.initial[0])).toBe('60');
      const t = settings.timeout;
      expect([code(t[0]), data(t[1])]).toEqual(['200', '1']);
      expect([code(t[2]), data(t[3])]).toEqual(['200', '1440']);
    },
  );

  conformance(
    { id: 'DMC-FSS-012', title: 'device: TimeOutUntilSyncFailure refuses 0 and 1441 and keeps its value', group: 'first-sync-status', nodes: [`${FSS}/TimeOutUntilSyncFailure`], reference: 'provider-providerid-firstsyncstatus-timeoutuntilsyncfailure' },
    async ({ device }) => {
      const t = (await device.prepared(deviceSettings)).timeout;
      expect(isFailure(t[4]), `Replace 0 answered ${code(t[4])}`).toBe(true);
      expect(data(t[5])).toBe('1440');
      expect(isFailure(t[6]), `Replace 1441 answered ${code(t[6])}`).toBe(true);
      expect(data(t[7])).toBe('1440');
    },
  );

  conformance(
    { id: 'DMC-FSS-013', title: 'device: BlockInStatusPage defaults to 0 and takes a flag value', group: 'first-sync-status', nodes: [`${FSS}/BlockInStatusPage`], reference: 'provider-providerid-firstsyncstatus-blockinstatuspage' },
    async ({ device }) => {
      const settings = await device.prepared(deviceSettings);
      // DDF DefaultValue 0; AllowedValues flags 0x0, 0x1, 0x2, 0x4 (0x2: block and show Try Again on failure).
      expect(data(settings.initial[1])).toBe('0');
      expect(code(settings.set[0])).toBe('200');
      expect(data(settings.read[0])).toBe('2');
    },
  );

  conformance(
    { id: 'DMC-FSS-014', title: 'device: SkipDeviceStatusPage and SkipUserStatusPage default to true and take false', group: 'first-sync-status', nodes: [`${FSS}/SkipDeviceStatusPage`, `${FSS}/SkipUserStatusPage`], reference: 'provider-providerid-firstsyncstatus-skipdevicestatuspage' },
    async ({ device }) => {
      const settings = await device.prepared(deviceSettings);
      // DDF DefaultValue true for both (the reference gives no default).
      expect([data(settings.initial[2]), data(settings.initial[3])]).toEqual(['true', 'true']);
      expect([code(settings.set[1]), code(settings.set[2])]).toEqual(['200', '200']);
      expect([data(settings.read[1]), data(settings.read[2])]).toEqual(['false', 'false']);
    },
  );
});

conformance.describe('FirstSyncStatus, user tree', () => {
  scopeChecks('User', 100, userTree);
});
