/**
 * The preparation of first-sync-status.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts).
 * Per tree three sessions: the starting state; the lists and settings set and read back, then the first
 * transitions of the one-way nodes (in that order in the session: settings before provisioning is declared
 * finished); in a later session the attempts to change the one-way nodes again, the CustomErrorText Delete and
 * the restores. The two trees' steps share those sessions.
 */
import { prepare, type CommandDraft, type CommandResult, type ConformanceDevice } from '../../fixtures/conformance.js';
import { data, enrollmentRegistryRoots, marker, type RegistrySnapshot } from './support.js';

export type Scope = 'Device' | 'User';
export const FSS = 'Provider/{ProviderID}/FirstSyncStatus';
/** CSP_LIST_DELIMITER, L"\xF000" (dmclient-csp.md#provider-providerid-firstsyncstatus-expectedpolicies). */
export const DELIMITER = '\uF000';
export const LISTS = ['ExpectedPolicies', 'ExpectedNetworkProfiles', 'ExpectedMSIAppPackages', 'ExpectedModernAppPackages', 'ExpectedPFXCerts', 'ExpectedSCEPCerts'] as const;
export const ONE_WAY = ['ServerHasFinishedProvisioning', 'IsSyncDone', 'WasDeviceSuccessfullyProvisioned'] as const;
/** CFGMGR_E_COMMANDNOTALLOWED reaches the server as SyncML 405 Command not allowed. */
export const COMMAND_NOT_ALLOWED = '405';

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

export interface OneWayState {
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

export interface ScopeRun {
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
  const before = await agent.snapshotRegistry(roots);
  // Session 1: the starting state.
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
  // Session 2: the lists and settings, their read-backs, then the first transitions of the one-way nodes, in the
  // order the reference describes: the outcome, then IsSyncDone.
  const setDrafts: CommandDraft[] = [
    ...(nodeGet.status?.code === '404' ? [device.anyNode(FSS, scope).add()] : []),
    ...LISTS.map((leaf) => n(leaf).replace(values[leaf])),
    // Add when absent (reference: Add, Get, Delete, Replace; the ./User DDF lists only Get, Replace, hence unchecked).
    errorTextBefore.status?.code === '200' ? n('CustomErrorText').replace(errorText) : n('CustomErrorText').unchecked.add(errorText),
    n('AllowCollectLogsButton').replace(true),
  ];
  const readDrafts = [...LISTS.map((leaf) => n(leaf).get()), n('CustomErrorText').get(), n('AllowCollectLogsButton').get()];
  const firstDrafts: Array<[(typeof ONE_WAY)[number], CommandDraft, CommandDraft]> = [];
  if (initial.ServerHasFinishedProvisioning !== 'true') firstDrafts.push(['ServerHasFinishedProvisioning', n('ServerHasFinishedProvisioning').replace(true), n('ServerHasFinishedProvisioning').get()]);
  if (initial.WasDeviceSuccessfullyProvisioned !== '0' && initial.WasDeviceSuccessfullyProvisioned !== '1') {
    firstDrafts.push(['WasDeviceSuccessfullyProvisioned', n('WasDeviceSuccessfullyProvisioned').replace(1), n('WasDeviceSuccessfullyProvisioned').get()]);
  }
  if (initial.IsSyncDone !== 'true') firstDrafts.push(['IsSyncDone', n('IsSyncDone').replace(true), n('IsSyncDone').get()]);
  const second = await device.sync([...setDrafts, ...readDrafts, ...firstDrafts.flatMap(([, s, g]) => [s, g])]);
  const set = second.slice(0, setDrafts.length);
  const reads = second.slice(setDrafts.length, setDrafts.length + readDrafts.length);
  const firstResults = second.slice(setDrafts.length + readDrafts.length);
  const offset = setDrafts.length - LISTS.length - 2;
  const after = await agent.snapshotRegistry(roots);
  const first: OneWayState['first'] = {};
  firstDrafts.forEach(([leaf], i) => (first[leaf] = { set: firstResults[2 * i]!, get: firstResults[2 * i + 1]! }));

  // Session 3, a later one: the one-way nodes once set, then the CustomErrorText Delete and the button put back.
  const wasNow = first.WasDeviceSuccessfullyProvisioned !== undefined ? data(first.WasDeviceSuccessfullyProvisioned.get) : initial.WasDeviceSuccessfullyProvisioned;
  const other = wasNow === '0' ? 1 : 0;
  const third = await device.sync([
    n('ServerHasFinishedProvisioning').replace(false),
    n('ServerHasFinishedProvisioning').get(),
    n('IsSyncDone').replace(true),
    n('IsSyncDone').replace(false),
    n('IsSyncDone').get(),
    n('WasDeviceSuccessfullyProvisioned').replace(other),
    n('WasDeviceSuccessfullyProvisioned').replace(2),
    n('WasDeviceSuccessfullyProvisioned').get(),
    n('CustomErrorText').unchecked.delete(),
    n('CustomErrorText').get(),
    n('AllowCollectLogsButton').replace(data(collect) === 'true'),
  ]);
  const [serverFalse, serverAfter, syncTrue, syncFalse, syncAfter, wasOther, wasTwo, wasAfter, del, afterDelete] = third as [
    CommandResult, CommandResult, CommandResult, CommandResult, CommandResult, CommandResult, CommandResult, CommandResult, CommandResult, CommandResult,
  ];
  return {
    nodeGet,
    lists: { set: set.slice(offset, offset + LISTS.length), get: reads.slice(0, LISTS.length), values },
    errorText: { value: errorText, set: set[offset + LISTS.length]!, get: reads[LISTS.length]!, del, afterDelete },
    collectLogs: { initial: collect, set: set[offset + LISTS.length + 1]!, get: reads[LISTS.length + 1]! },
    oneWay: { initial, first, again: { serverFalse, serverAfter, syncTrue, syncFalse, syncAfter, wasOther, wasTwo, wasAfter } },
    registry: { before, after },
  };
}

const fssIds = (base: number): string[] => Array.from({ length: 9 }, (_, k) => `DMC-FSS-${String(base + k + 1).padStart(3, '0')}`);

export const deviceTree = prepare('first-sync-status/device', [...fssIds(0), 'DMC-FSS-010'], ({ device, agent }) => runScope(device, agent, 'Device'));
export const userTree = prepare('first-sync-status/user', fssIds(100), ({ device, agent }) => runScope(device, agent, 'User'));

export interface DeviceSettings {
  initial: CommandResult[];
  timeout: CommandResult[];
  set: CommandResult[];
  read: CommandResult[];
}

/**
 * The device tree's settings: the starting values; TimeOutUntilSyncFailure's Replaces each read back in order
 * (0 and 1441 outside the DDF range [1-1440]) and the flag settings set, then read; the DDF defaults put back.
 */
export const deviceSettings = prepare('first-sync-status/device-settings', ['DMC-FSS-011', 'DMC-FSS-012', 'DMC-FSS-013', 'DMC-FSS-014'], async ({ device }): Promise<DeviceSettings> => {
  const x = {
    timeout: device.node(`${FSS}/TimeOutUntilSyncFailure`),
    block: device.node(`${FSS}/BlockInStatusPage`),
    skipDevice: device.node(`${FSS}/SkipDeviceStatusPage`),
    skipUser: device.node(`${FSS}/SkipUserStatusPage`),
  };
  const initial = await device.sync([x.timeout.get(), x.block.get(), x.skipDevice.get(), x.skipUser.get()]);
  const timeoutDrafts = [
    x.timeout.replace(1), x.timeout.get(),
    x.timeout.replace(1440), x.timeout.get(),
    x.timeout.unchecked.replace('0'), x.timeout.get(),
    x.timeout.unchecked.replace('1441'), x.timeout.get(),
  ];
  const r = await device.sync([...timeoutDrafts, x.block.replace(2), x.skipDevice.replace(false), x.skipUser.replace(false), x.block.get(), x.skipDevice.get(), x.skipUser.get()]);
  // The DDF defaults: TimeOutUntilSyncFailure 60, BlockInStatusPage 0, Skip*StatusPage true.
  await device.sync([x.timeout.replace(60), x.block.replace(0), x.skipDevice.replace(true), x.skipUser.replace(true)]);
  const n = timeoutDrafts.length;
  return { initial, timeout: r.slice(0, n), set: r.slice(n, n + 3), read: r.slice(n + 3, n + 6) };
});

export const steps = [deviceTree, userTree, deviceSettings];
