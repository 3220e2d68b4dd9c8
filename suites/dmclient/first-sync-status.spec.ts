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
import { conformance, diffSnapshots, expect, skipNotApplicable, type CommandDraft, type CommandResult, type ConformanceDevice } from '../../fixtures/conformance.js';
import { code, data, enrollmentRegistryRoots, isFailure, marker, type RegistrySnapshot } from './support.js';

type Scope = 'Device' | 'User';
const FSS = 'Provider/{ProviderID}/FirstSyncStatus';
/** CSP_LIST_DELIMITER, L"\xF000" (dmclient-csp.md#provider-providerid-firstsyncstatus-expectedpolicies). */
const DELIMITER = '\uF000';
const LISTS = ['ExpectedPolicies', 'ExpectedNetworkProfiles', 'ExpectedMSIAppPackages', 'ExpectedModernAppPackages', 'ExpectedPFXCerts', 'ExpectedSCEPCerts'] as const;
const ONE_WAY = ['ServerHasFinishedProvisioning', 'IsSyncDone', 'WasDeviceSuccessfullyProvisioned'] as const;
/** CFGMGR_E_COMMANDNOTALLOWED reaches the server as SyncML 405 Command not allowed. */
const COMMAND_NOT_ALLOWED = '405';

/** Two LocURIs per list, in the shapes the reference gives (app packages carry ";<number of apps>"). */
function listValues(tag: string): Record<(typeof LISTS)[number], string> {
  const join = (...items: string[]) => items.join(DELIMITER);
  return {
    ExpectedPolicies: join(`./Vendor/MSFT/Policy/Config/Dmc/${tag}`, './Vendor/MSFT/Policy/Config/Camera/AllowCamera'),
    ExpectedNetworkProfiles: join('./Vendor/MSFT/WiFi/Profile/DmcWifi/WlanXml', './Vendor/MSFT/VPNv2/DmcVpn/ProfileXML'),
    ExpectedMSIAppPackages: join(
      './Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/ProductID1/Status;4',
      './Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/ProductID2/Status;2',
    ),
    ExpectedModernAppPackages: join(
      './Vendor/MSFT/EnterpriseModernAppManagement/AppManagement/AppStore/PackageFamilyName/PackageFullName/Name;4',
      './Vendor/MSFT/EnterpriseModernAppManagement/AppManagement/AppStore/PackageFamilyName/PackageFullName2/Name;2',
    ),
    ExpectedPFXCerts: join('./Vendor/MSFT/ClientCertificateInstall/PFXCertInstall/DmcPfx1', './Vendor/MSFT/ClientCertificateInstall/PFXCertInstall/DmcPfx2'),
    ExpectedSCEPCerts: join('./Vendor/MSFT/ClientCertificateInstall/SCEP/DmcScep1', './Vendor/MSFT/ClientCertificateInstall/SCEP/DmcScep2'),
  };
}

interface OneWayState {
  initial: Record<(typeof ONE_WAY)[number], string | undefined>;
  /** The first transitions, when the node was not set yet (undefined when it was). */
  first: Partial<Record<(typeof ONE_WAY)[number], { set: CommandResult; get: CommandResult }>>;
  /** The attempts to change a set node, and the value read after them. */
  again: {
    serverFalse: CommandResult;
    serverAfter: CommandResult;
    syncTrue: CommandResult;
    syncFalse: CommandResult;
    syncAfter: CommandResult;
    wasOther: CommandResult;
    wasTwo: CommandResult;
    wasAfter: CommandResult;
  };
}

interface ScopeRun {
  nodeGet: CommandResult;
  lists: { set: CommandResult[]; get: CommandResult[]; values: Record<(typeof LISTS)[number], string> };
  errorText: { value: string; set: CommandResult; get: CommandResult; del: CommandResult; afterDelete: CommandResult };
  collectLogs: { initial: CommandResult; set: CommandResult; get: CommandResult };
  oneWay: OneWayState;
  registry: { before: RegistrySnapshot; after: RegistrySnapshot };
}

/** The FirstSyncStatus run of one tree: lists and settings first (before provisioning is declared finished), then the one-way nodes. */
async function runScope(device: ConformanceDevice, agent: { snapshotRegistry(p: string[]): Promise<RegistrySnapshot> }, scope: Scope): Promise<ScopeRun> {
  const n = (leaf: string) => device.anyNode(`${FSS}/${leaf}`, scope);
  const roots = enrollmentRegistryRoots(device.enrollmentId);
  const startReads = await device.sync([
    device.anyNode(FSS, scope).get(),
    ...ONE_WAY.map((leaf) => n(leaf).get()),
    n('AllowCollectLogsButton').get(),
    n('CustomErrorText').get(),
  ]);
  const [nodeGet, server, syncDone, was, collect, errorTextBefore] = startReads as [CommandResult, CommandResult, CommandResult, CommandResult, CommandResult, CommandResult];
  const initial = { ServerHasFinishedProvisioning: data(server), IsSyncDone: data(syncDone), WasDeviceSuccessfullyProvisioned: data(was) };

  const tag = marker(scope.toLowerCase());
  const values = listValues(tag);
  const errorText = `Call the help desk (${tag})`;
  const before = await agent.snapshotRegistry(roots);
  const setDrafts: CommandDraft[] = [
    ...(nodeGet.status?.code === '404' ? [device.anyNode(FSS, scope).add()] : []),
    ...LISTS.map((leaf) => n(leaf).replace(values[leaf])),
    // Add when absent (reference: Add, Get, Delete, Replace; the ./User DDF lists only Get, Replace, hence unchecked).
    errorTextBefore.status?.code === '200' ? n('CustomErrorText').replace(errorText) : n('CustomErrorText').unchecked.add(errorText),
    n('AllowCollectLogsButton').replace(true),
  ];
  const set = await device.sync(setDrafts);
  const offset = setDrafts.length - LISTS.length - 2;
  const reads = await device.sync([...LISTS.map((leaf) => n(leaf).get()), n('CustomErrorText').get(), n('AllowCollectLogsButton').get()]);
  const after = await agent.snapshotRegistry(roots);

  // The first transitions of the one-way nodes, in the order the reference describes: the outcome, then IsSyncDone.
  const first: OneWayState['first'] = {};
  const firstDrafts: Array<[(typeof ONE_WAY)[number], CommandDraft, CommandDraft]> = [];
  if (initial.ServerHasFinishedProvisioning !== 'true') firstDrafts.push(['ServerHasFinishedProvisioning', n('ServerHasFinishedProvisioning').replace(true), n('ServerHasFinishedProvisioning').get()]);
  if (initial.WasDeviceSuccessfullyProvisioned !== '0' && initial.WasDeviceSuccessfullyProvisioned !== '1') {
    firstDrafts.push(['WasDeviceSuccessfullyProvisioned', n('WasDeviceSuccessfullyProvisioned').replace(1), n('WasDeviceSuccessfullyProvisioned').get()]);
  }
  if (initial.IsSyncDone !== 'true') firstDrafts.push(['IsSyncDone', n('IsSyncDone').replace(true), n('IsSyncDone').get()]);
  if (firstDrafts.length > 0) {
    const results = await device.sync(firstDrafts.flatMap(([, s, g]) => [s, g]));
    firstDrafts.forEach(([leaf], i) => (first[leaf] = { set: results[2 * i]!, get: results[2 * i + 1]! }));
  }
  const wasNow = first.WasDeviceSuccessfullyProvisioned !== undefined ? data(first.WasDeviceSuccessfullyProvisioned.get) : initial.WasDeviceSuccessfullyProvisioned;
  const other = wasNow === '0' ? 1 : 0;
  const againResults = await device.sync([
    n('ServerHasFinishedProvisioning').replace(false),
    n('ServerHasFinishedProvisioning').get(),
    n('IsSyncDone').replace(true),
    n('IsSyncDone').replace(false),
    n('IsSyncDone').get(),
    n('WasDeviceSuccessfullyProvisioned').replace(other),
    n('WasDeviceSuccessfullyProvisioned').replace(2),
    n('WasDeviceSuccessfullyProvisioned').get(),
  ]);
  const [serverFalse, serverAfter, syncTrue, syncFalse, syncAfter, wasOther, wasTwo, wasAfter] = againResults as [
    CommandResult, CommandResult, CommandResult, CommandResult, CommandResult, CommandResult, CommandResult, CommandResult,
  ];
  const [del, afterDelete] = await device.sync([n('CustomErrorText').unchecked.delete(), n('CustomErrorText').get()]);
  await device.sync([n('AllowCollectLogsButton').replace(data(collect) === 'true')]);
  return {
    nodeGet,
    lists: { set: set.slice(offset, offset + LISTS.length), get: reads.slice(0, LISTS.length), values },
    errorText: { value: errorText, set: set[offset + LISTS.length]!, get: reads[LISTS.length]!, del: del!, afterDelete: afterDelete! },
    collectLogs: { initial: collect, set: set[offset + LISTS.length + 1]!, get: reads[LISTS.length + 1]! },
    oneWay: { initial, first, again: { serverFalse, serverAfter, syncTrue, syncFalse, syncAfter, wasOther, wasTwo, wasAfter } },
    registry: { before, after },
  };
}

/** The checks both trees share; IDs DMC-FSS-0xx for the device tree, DMC-FSS-1xx for the user tree. */
function scopeChecks(scope: Scope, base: number, run: () => ScopeRun): void {
  const id = (k: number) => `DMC-FSS-${String(base + k).padStart(3, '0')}`;
  const where = scope === 'Device' ? 'device' : 'user';
  const nodes = (...leaves: string[]) => leaves.map((l) => `${FSS}/${l}`);

  conformance(
    { id: id(1), title: `${where}: the six Expected* lists round-trip with their U+F000 delimiters`, group: 'first-sync-status', scope, nodes: nodes(...LISTS), reference: 'provider-providerid-firstsyncstatus-expectedpolicies' },
    async () => {
      const { lists } = run();
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
    async () => {
      const { errorText } = run();
      expect(code(errorText.set), 'Add/Replace CustomErrorText').toBe('200');
      expect(data(errorText.get)).toBe(errorText.value);
      expect(code(errorText.del), 'Delete CustomErrorText').toBe('200');
      expect(code(errorText.afterDelete), 'Get after Delete').toBe('404');
    },
  );

  conformance(
    { id: id(3), title: `${where}: AllowCollectLogsButton defaults to false and takes true`, group: 'first-sync-status', scope, nodes: nodes('AllowCollectLogsButton'), reference: 'provider-providerid-firstsyncstatus-allowcollectlogsbutton' },
    async () => {
      const { collectLogs } = run();
      // DDF DefaultValue false.
      expect(data(collectLogs.initial)).toBe('false');
      expect(code(collectLogs.set)).toBe('200');
      expect(data(collectLogs.get)).toBe('true');
    },
  );

  conformance(
    { id: id(4), title: `${where}: ServerHasFinishedProvisioning can be set to true`, group: 'first-sync-status', scope, nodes: nodes('ServerHasFinishedProvisioning'), reference: 'provider-providerid-firstsyncstatus-serverhasfinishedprovisioning' },
    async (_, testInfo) => {
      const first = run().oneWay.first.ServerHasFinishedProvisioning;
      if (first === undefined) skipNotApplicable(testInfo, 'ServerHasFinishedProvisioning was already true on this enrollment before the run (one-way)');
      expect(code(first.set)).toBe('200');
      expect(data(first.get)).toBe('true');
    },
  );

  conformance(
    { id: id(5), title: `${where}: ServerHasFinishedProvisioning true→false is refused with CFGMGR_E_COMMANDNOTALLOWED`, group: 'first-sync-status', scope, nodes: nodes('ServerHasFinishedProvisioning'), reference: 'provider-providerid-firstsyncstatus-serverhasfinishedprovisioning' },
    async () => {
      const { again } = run().oneWay;
      // "Once set to true, it would reject attempts to change it back to false with CFGMGR_E_COMMANDNOTALLOWED."
      expect(code(again.serverFalse), 'Replace ServerHasFinishedProvisioning false').toBe(COMMAND_NOT_ALLOWED);
      expect(data(again.serverAfter)).toBe('true');
    },
  );

  conformance(
    { id: id(6), title: `${where}: IsSyncDone false→true is accepted`, group: 'first-sync-status', scope, nodes: nodes('IsSyncDone'), reference: 'provider-providerid-firstsyncstatus-issyncdone' },
    async (_, testInfo) => {
      const first = run().oneWay.first.IsSyncDone;
      if (first === undefined) skipNotApplicable(testInfo, 'IsSyncDone was already true on this enrollment before the run (one-way)');
      expect(code(first.set)).toBe('200');
      expect(data(first.get)).toBe('true');
    },
  );

  conformance(
    { id: id(7), title: `${where}: IsSyncDone refuses True→True and True→False`, group: 'first-sync-status', scope, nodes: nodes('IsSyncDone'), reference: 'provider-providerid-firstsyncstatus-issyncdone' },
    async () => {
      const { again } = run().oneWay;
      // "It can't be set from True to False ... and it can't be set from True to True (to prevent notifications
      // from firing multiple times)."
      expect(isFailure(again.syncTrue), `Replace IsSyncDone true again answered ${code(again.syncTrue)}`).toBe(true);
      expect(isFailure(again.syncFalse), `Replace IsSyncDone false answered ${code(again.syncFalse)}`).toBe(true);
      expect(data(again.syncAfter)).toBe('true');
    },
  );

  conformance(
    { id: id(8), title: `${where}: WasDeviceSuccessfullyProvisioned takes 1 from in-progress`, group: 'first-sync-status', scope, nodes: nodes('WasDeviceSuccessfullyProvisioned'), reference: 'provider-providerid-firstsyncstatus-wasdevicesuccessfullyprovisioned' },
    async (_, testInfo) => {
      const { first, initial } = run().oneWay;
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
    async () => {
      const { again, first, initial } = run().oneWay;
      const settled = first.WasDeviceSuccessfullyProvisioned !== undefined ? data(first.WasDeviceSuccessfullyProvisioned.get) : initial.WasDeviceSuccessfullyProvisioned;
      // "Once the value is changed to 0 or 1, the value can't be changed again."
      expect(isFailure(again.wasOther), `Replace to the other outcome answered ${code(again.wasOther)}`).toBe(true);
      expect(isFailure(again.wasTwo), `Replace 2 (in progress) answered ${code(again.wasTwo)}`).toBe(true);
      expect(data(again.wasAfter)).toBe(settled);
    },
  );
}

conformance.describe('FirstSyncStatus, device tree', () => {
  let run: ScopeRun;
  let settings: { initial: CommandResult[]; timeout: CommandResult[]; set: CommandResult[]; read: CommandResult[] };
  const n = (device: ConformanceDevice) => ({
    timeout: device.node(`${FSS}/TimeOutUntilSyncFailure`),
    block: device.node(`${FSS}/BlockInStatusPage`),
    skipDevice: device.node(`${FSS}/SkipDeviceStatusPage`),
    skipUser: device.node(`${FSS}/SkipUserStatusPage`),
  });

  conformance.beforeAll(async ({ device, agent }) => {
    const x = n(device);
    const initial = await device.sync([x.timeout.get(), x.block.get(), x.skipDevice.get(), x.skipUser.get()]);
    // TimeOutUntilSyncFailure: each Replace read back in the same order; 0 and 1441 outside the DDF range [1-1440].
    const timeout = await device.sync([
      x.timeout.replace(1), x.timeout.get(),
      x.timeout.replace(1440), x.timeout.get(),
      x.timeout.unchecked.replace('0'), x.timeout.get(),
      x.timeout.unchecked.replace('1441'), x.timeout.get(),
    ]);
    const set = await device.sync([x.block.replace(2), x.skipDevice.replace(false), x.skipUser.replace(false)]);
    const read = await device.sync([x.block.get(), x.skipDevice.get(), x.skipUser.get()]);
    settings = { initial, timeout, set, read };
    run = await runScope(device, agent, 'Device');
  });

  conformance.afterAll(async ({ device }) => {
    const x = n(device);
    // The DDF defaults: TimeOutUntilSyncFailure 60, BlockInStatusPage 0, Skip*StatusPage true.
    await device.sync([x.timeout.replace(60), x.block.replace(0), x.skipDevice.replace(true), x.skipUser.replace(true)]);
  });

  scopeChecks('Device', 0, () => run);

  conformance(
    { id: 'DMC-FSS-010', title: 'device: the Expected* lists are stored under the enrollment (agent)', group: 'first-sync-status', nodes: [`${FSS}/ExpectedPolicies`], reference: 'provider-providerid-firstsyncstatus-expectedpolicies' },
    async () => {
      const tag = /Dmc\/(dmc-[^\uF000]+)/.exec(run.lists.values.ExpectedPolicies)?.[1] ?? '';
      const diff = diffSnapshots(run.registry.before, run.registry.after);
      const holders = [...diff.added.map((a) => a.value), ...diff.changed.map((c) => c.newValue)].filter((v) => JSON.stringify(v).includes(tag));
      expect(holders.length, `registry values under the enrollment holding ${tag}; the diff: ${JSON.stringify(diff)}`).toBeGreaterThan(0);
    },
  );

  conformance(
    { id: 'DMC-FSS-011', title: 'device: TimeOutUntilSyncFailure defaults to 60 and takes 1 and 1440', group: 'first-sync-status', nodes: [`${FSS}/TimeOutUntilSyncFailure`], reference: 'provider-providerid-firstsyncstatus-timeoutuntilsyncfailure' },
    async () => {
      // "Default value will be 60, while maximum value will be 1,440 (one day)." DDF range [1-1440].
      expect(data(settings.initial[0])).toBe('60');
      const t = settings.timeout;
      expect([code(t[0]), data(t[1])]).toEqual(['200', '1']);
      expect([code(t[2]), data(t[3])]).toEqual(['200', '1440']);
    },
  );

  conformance(
    { id: 'DMC-FSS-012', title: 'device: TimeOutUntilSyncFailure refuses 0 and 1441 and keeps its value', group: 'first-sync-status', nodes: [`${FSS}/TimeOutUntilSyncFailure`], reference: 'provider-providerid-firstsyncstatus-timeoutuntilsyncfailure' },
    async () => {
      const t = settings.timeout;
      expect(isFailure(t[4]), `Replace 0 answered ${code(t[4])}`).toBe(true);
      expect(data(t[5])).toBe('1440');
      expect(isFailure(t[6]), `Replace 1441 answered ${code(t[6])}`).toBe(true);
      expect(data(t[7])).toBe('1440');
    },
  );

  conformance(
    { id: 'DMC-FSS-013', title: 'device: BlockInStatusPage defaults to 0 and takes a flag value', group: 'first-sync-status', nodes: [`${FSS}/BlockInStatusPage`], reference: 'provider-providerid-firstsyncstatus-blockinstatuspage' },
    async () => {
      // DDF DefaultValue 0; AllowedValues flags 0x0, 0x1, 0x2, 0x4 (0x2: block and show Try Again on failure).
      expect(data(settings.initial[1])).toBe('0');
      expect(code(settings.set[0])).toBe('200');
      expect(data(settings.read[0])).toBe('2');
    },
  );

  conformance(
    { id: 'DMC-FSS-014', title: 'device: SkipDeviceStatusPage and SkipUserStatusPage default to true and take false', group: 'first-sync-status', nodes: [`${FSS}/SkipDeviceStatusPage`, `${FSS}/SkipUserStatusPage`], reference: 'provider-providerid-firstsyncstatus-skipdevicestatuspage' },
    async () => {
      // DDF DefaultValue true for both (the reference gives no default).
      expect([data(settings.initial[2]), data(settings.initial[3])]).toEqual(['true', 'true']);
      expect([code(settings.set[1]), code(settings.set[2])]).toEqual(['200', '200']);
      expect([data(settings.read[1]), data(settings.read[2])]).toEqual(['false', 'false']);
    },
  );
});

conformance.describe('FirstSyncStatus, user tree', () => {
  let run: ScopeRun;
  conformance.beforeAll(async ({ device, agent }) => {
    run = await runScope(device, agent, 'User');
  });
  scopeChecks('User', 100, () => run);
});
