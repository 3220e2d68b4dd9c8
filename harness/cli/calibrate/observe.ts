/**
 * The calibration script: the observation probes around a fixed set of DMClient commands, in an order that lets
 * each observation be told apart (docs/calibration.md, "What calibrate does"):
 *
 * 1. probes: os-info, tpm, device-guard; the newest event record (nothing before it is looked at).
 * 2. a clean session (Gets of DevInfo/DevDetail nodes that every device has): the event IDs it logs are the
 *    session's own; the first is "session started", the last "session ended". Then a registry snapshot of the
 *    enrollment's keys (what enrollment and a successful session leave there).
 * 3. the node session: a Get of every readable DMClient node of the DDF catalogue in both trees (the status and
 *    value of a fresh enrollment), and one Get of a node that does not exist: an ID logged there and not in step 2
 *    is "command failed".
 * 4. Replaces of a few writable settings with marker values, a registry snapshot before and after: where each one
 *    landed (key, value name, type).
 * 5. a poll schedule with three finite sets and PollOnLogin false, then the task list: the tasks of sets 1-3 (their
 *    names carry "#1".."#3") and the other one (the 24-hour maintenance task); then PollOnLogin true: the task that
 *    appears is the logon task. Snapshots around each show where the poll values live.
 * 6. everything changed in 4 and 5 is put back as step 3 read it (Replace, or Delete when it had no value).
 * Then the transcripts of this calibration's sessions give MaxMsgSize and the authentication the device used.
 */
import type { ProbeAgent } from '../../../agents/agent.js';
import type { EventEntry, RegistrySnapshot } from '../../../agents/probe-schemas.js';
import { loadCatalog, type CatalogNode } from '../../csp/index.js';
import { rawCommand } from '../../scripting/dmclient-builders.js';
import type { CommandResult } from '../../scripting/index.js';
import { errors } from '../errors.js';
import type { CalibrationTarget } from './connect.js';

export const EVENT_CHANNEL = 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin';
const DEVICE_FACT_NODES = ['./DevInfo/DevId', './DevInfo/Man', './DevInfo/Mod', './DevInfo/Lang', './DevDetail/FwV', './DevDetail/HwV'] as const;
/** A LocURI no DDF has: its Get must fail, and the device logs that failure. */
export const MISSING_NODE = './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/DmcCalibrateNoSuchNode';

/** Writable DMClient settings whose registry placement calibration looks for, with the marker value it writes. */
export const PLACEMENT_PROBES: ReadonlyArray<{ path: string; marker: string }> = [
  { path: 'HelpPhoneNumber', marker: '+1-555-0142' },
  { path: 'HelpWebsite', marker: 'https://dmc-calibrate.example/help' },
  { path: 'HelpEmailAddress', marker: 'dmc-calibrate@example.com' },
  { path: 'CustomEnrollmentCompletePage/Title', marker: 'dmc calibrate marker title' },
];

/** A schedule of three finite sets, so the 24-hour task exists; PollOnLogin is switched off, then on. */
export const CALIBRATION_POLL: Readonly<Record<string, string>> = {
  IntervalForFirstSetOfRetries: '17',
  NumberOfFirstRetries: '2',
  IntervalForSecondSetOfRetries: '61',
  NumberOfSecondRetries: '2',
  IntervalForRemainingScheduledRetries: '241',
  NumberOfRemainingScheduledRetries: '2',
};

export interface NodeSeen {
  status: number;
  format?: string;
  value?: string;
}

export interface Observations {
  osInfo: Awaited<ReturnType<ProbeAgent['osInfo']>>;
  tpm: Awaited<ReturnType<ProbeAgent['tpm']>>;
  deviceGuard: Awaited<ReturnType<ProbeAgent['deviceGuard']>>;
  /** ./DevInfo and ./DevDetail values by LocURI (status 200 only). */
  deviceFacts: Record<string, string>;
  /** The enrollment's registry keys right after enrollment (before calibration changed anything). */
  registry: RegistrySnapshot;
  /** DDF node path → what its Get answered. */
  nodes: Record<string, NodeSeen>;
  /** DDF node path → where a Replace of it showed in the registry. */
  placements: Record<string, { key: string; name: string; kind: string }>;
  /** The task names after the finite schedule without PollOnLogin, and after PollOnLogin was switched on. */
  tasks: { withoutLogon: Array<{ name: string; state: string }>; withLogon: Array<{ name: string; state: string }> };
  events: { clean: EventEntry[]; failing: EventEntry[] };
  /**
   * From the device's messages in the transcript: `messages` read, the MaxMsgSize its SyncHdr announced (undefined
   * when none did: Windows in capture 05), and whether it authenticated by digest.
   */
  wire: { messages: number; maxMsgSize: number | undefined; digest: boolean };
}

const fill = (path: string, providerId: string): string => path.replace('{ProviderID}', providerId);
const statusOf = (r: CommandResult | undefined): number => r?.status?.number ?? 0;

/** Registry paths as the probes take them (`HKLM:\...`). */
export function enrollmentRoots(enrollmentId: string): string[] {
  return [`HKLM:\\SOFTWARE\\Microsoft\\Enrollments\\${enrollmentId}`, `HKLM:\\SOFTWARE\\Microsoft\\Provisioning\\OMADM\\Accounts\\${enrollmentId}`];
}

export const taskFolder = (enrollmentId: string): string => `\\Microsoft\\Windows\\EnterpriseMgmt\\${enrollmentId}\\`;

/** The readable DMClient nodes of the catalogue, in both trees, whose only dynamic segment is {ProviderID}. */
export function readableNodes(): CatalogNode[] {
  return loadCatalog()
    .toJSON()
    .filter((n) => n.accessTypes.includes('Get') && !/\{(?!ProviderID\})[^}]+\}/.test(n.path));
}

async function newestRecordId(t: CalibrationTarget, since: string): Promise<number> {
  const log = await t.agent.eventLog({ logName: EVENT_CHANNEL, since, maxEvents: 1 });
  return log.entries[0]?.RecordId ?? 0;
}

/** The events after `afterRecordId`, oldest first. */
async function eventsAfter(t: CalibrationTarget, since: string, afterRecordId: number): Promise<EventEntry[]> {
  const log = await t.agent.eventLog({ logName: EVENT_CHANNEL, since, maxEvents: 500 });
  return log.entries.filter((e) => (e.RecordId ?? 0) > afterRecordId).sort((a, b) => (a.RecordId ?? 0) - (b.RecordId ?? 0));
}

function diffPlacement(before: RegistrySnapshot, after: RegistrySnapshot, marker: string): { key: string; name: string; kind: string } | undefined {
  const old = new Set(before.entries.map((e) => `${e.key.toLowerCase()}\u0000${e.name}\u0000${JSON.stringify(e.value)}`));
  const changed = after.entries.filter((e) => !old.has(`${e.key.toLowerCase()}\u0000${e.name}\u0000${JSON.stringify(e.value)}`));
  const hit = changed.find((e) => String(e.value) === marker) ?? changed.find((e) => String(e.value).includes(marker));
  return hit === undefined ? undefined : { key: hit.key, name: hit.name, kind: hit.kind };
}

async function readTranscripts(t: CalibrationTarget, startedAt: string): Promise<Observations['wire']> {
  await t.server.transcripts.flush();
  const bodies: string[] = [];
  for (const record of await t.server.transcripts.exchangesOf(t.deviceId)) if (record.at >= startedAt) bodies.push(record.request.body);
  return wireOf(bodies);
}

/** What the device's SyncML messages (request bodies of its management exchanges) tell of it; see Observations.wire. */
export function wireOf(bodies: readonly string[]): Observations['wire'] {
  let messages = 0;
  let maxMsgSize: number | undefined;
  let digest = false;
  for (const body of bodies) {
    const hdr = /<SyncHdr>([\s\S]*?)<\/SyncHdr>/.exec(body)?.[1];
    if (hdr === undefined) continue;
    messages += 1;
    const size = /<MaxMsgSize[^>]*>\s*(\d+)\s*</.exec(hdr)?.[1];
    if (size !== undefined) maxMsgSize = Number(size);
    // MS-MDM: a device that authenticates by digest sends Cred in its session's first message; a certificate
    // device sends one only when challenged, in a later message.
    if (/<MsgID>\s*1\s*<\/MsgID>/.test(hdr) && /<Cred>[\s\S]*syncml:auth-md5/.test(hdr)) digest = true;
  }
  return { messages, maxMsgSize, digest };
}

export async function observe(t: CalibrationTarget, log: (line: string) => void): Promise<Observations> {
  const startedAt = new Date().toISOString();
  // Device time may run ahead of ours (a virtual device's time scale): events are told apart by RecordId.
  const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const { agent, providerId, enrollmentId } = t;

  log('probes: os-info, tpm, device-guard, event-log');
  const osInfo = await agent.osInfo();
  const tpm = await agent.tpm();
  if (!tpm.available) throw errors.DMC_ERR_CLI_CALIBRATE_PROBE.create({ target: t.target.name, probe: 'tpm', reason: tpm.reason ?? 'not available' });
  const deviceGuard = await agent.deviceGuard();
  if (!deviceGuard.available) throw errors.DMC_ERR_CLI_CALIBRATE_PROBE.create({ target: t.target.name, probe: 'device-guard', reason: deviceGuard.reason ?? 'not available' });
  const roots = enrollmentRoots(enrollmentId);
  let mark = await newestRecordId(t, since);

  log('session 1: DevInfo and DevDetail (a session without failures)');
  const facts = await t.sync(DEVICE_FACT_NODES.map((locUri) => rawCommand({ kind: 'Get', locUri })));
  const deviceFacts: Record<string, string> = {};
  DEVICE_FACT_NODES.forEach((locUri, i) => {
    const r = facts[i];
    if (statusOf(r) === 200 && r!.results[0] !== undefined) deviceFacts[locUri] = r!.results[0].Data;
  });
  const clean = await eventsAfter(t, since, mark);
  mark = Math.max(mark, ...clean.map((e) => e.RecordId ?? 0));
  // After a successful session, so ConnInfo shows what one leaves behind whatever the device's history.
  const registry = await agent.snapshotRegistry(roots);

  const nodesToRead = readableNodes();
  log(`session 2: Get of ${nodesToRead.length} readable DMClient nodes and of one that does not exist`);
  const answers = await t.sync([
    ...nodesToRead.map((n) => rawCommand({ kind: 'Get', locUri: fill(n.path, providerId) })),
    rawCommand({ kind: 'Get', locUri: fill(MISSING_NODE, providerId) }),
  ]);
  const nodes: Record<string, NodeSeen> = {};
  nodesToRead.forEach((n, i) => {
    const r = answers[i];
    const item = r?.results[0];
    nodes[n.path] = { status: statusOf(r), ...(item === undefined ? {} : { ...(item.Format === undefined ? {} : { format: item.Format }), value: item.Data }) };
  });
  const failing = await eventsAfter(t, since, mark);

  log(`session 3: Replace of ${PLACEMENT_PROBES.length} settings, registry snapshot before and after`);
  const placements: Observations['placements'] = {};
  const before = await agent.snapshotRegistry(roots);
  const node = (rel: string): string => `./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/${rel}`;
  const replaced = await t.sync(PLACEMENT_PROBES.map((p) => rawCommand({ kind: 'Replace', locUri: fill(node(p.path), providerId), data: p.marker, meta: { Format: 'chr' } })));
  const after = await agent.snapshotRegistry(roots);
  PLACEMENT_PROBES.forEach((p, i) => {
    if (statusOf(replaced[i]) !== 200) return;
    const found = diffPlacement(before, after, p.marker);
    if (found !== undefined) placements[node(p.path)] = found;
  });

  log('session 4: a poll schedule of three finite sets without PollOnLogin, then with it; task lists and snapshots');
  const pollUri = (name: string): string => fill(node(`Poll/${name}`), providerId);
  const finite = await t.sync([
    ...Object.entries(CALIBRATION_POLL).map(([name, value]) => rawCommand({ kind: 'Replace', locUri: pollUri(name), data: value, meta: { Format: 'int' } })),
    rawCommand({ kind: 'Replace', locUri: pollUri('PollOnLogin'), data: 'false', meta: { Format: 'bool' } }),
  ]);
  const listTasks = async () => (await agent.scheduledTasks(taskFolder(enrollmentId))).tasks.map((x) => ({ name: x.TaskName, state: x.State }));
  const withoutLogon = await listTasks();
  const afterFinite = await agent.snapshotRegistry(roots);
  const logonOn = await t.sync([rawCommand({ kind: 'Replace', locUri: pollUri('PollOnLogin'), data: 'true', meta: { Format: 'bool' } })]);
  const withLogon = await listTasks();
  const afterLogon = await agent.snapshotRegistry(roots);
  // Where the poll values live: a value of the node's name holding what was written (found in the snapshot that
  // followed the write, preferring one that changed).
  const place = (name: string, want: string[], prior: RegistrySnapshot, now: RegistrySnapshot): void => {
    const old = new Set(prior.entries.map((e) => `${e.key.toLowerCase()}\u0000${e.name}\u0000${JSON.stringify(e.value)}`));
    const candidates = now.entries.filter((e) => e.name === name && want.includes(String(e.value)));
    const hit = candidates.find((e) => !old.has(`${e.key.toLowerCase()}\u0000${e.name}\u0000${JSON.stringify(e.value)}`)) ?? candidates[0];
    if (hit !== undefined) placements[node(`Poll/${name}`)] = { key: hit.key, name: hit.name, kind: hit.kind };
  };
  Object.entries(CALIBRATION_POLL).forEach(([name, value], i) => {
    if (statusOf(finite[i]) === 200) place(name, [value], after, afterFinite);
  });
  if (statusOf(logonOn[0]) === 200) place('PollOnLogin', ['true', '1'], afterFinite, afterLogon);

  log('session 5: putting back what sessions 3 and 4 changed');
  const restore = [...PLACEMENT_PROBES.map((p) => node(p.path)), ...[...Object.keys(CALIBRATION_POLL), 'PollOnLogin'].map((n) => node(`Poll/${n}`))].map((path) => {
    const seen = nodes[path];
    const locUri = fill(path, providerId);
    return seen?.status === 200 && seen.value !== undefined
      ? rawCommand({ kind: 'Replace', locUri, data: seen.value, meta: { Format: seen.format ?? 'chr' } })
      : rawCommand({ kind: 'Delete', locUri });
  });
  await t.sync(restore);

  return {
    osInfo, tpm, deviceGuard, deviceFacts, registry, nodes, placements,
    tasks: { withoutLogon, withLogon },
    events: { clean, failing },
    wire: await readTranscripts(t, startedAt),
  };
}
