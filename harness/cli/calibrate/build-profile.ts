/**
 * Turns what calibration observed into a `dmc-device-profile/1` document (fixtures/virtual-device/profile-schema.ts),
 * checked against the schema before anyone writes it. Run values (this enrollment's GUID, the ProviderID, the
 * server's URLs, the device's IDs) become placeholders, so two calibrations of the same build compare equal.
 */
import { ENROLLMENT_PATH, POLICY_PATH } from '../../enrollment/index.js';
import type { EventEntry, RegistrySnapshotEntry } from '../../../agents/probe-schemas.js';
import { readSecuredCore, tpmSpecFamily } from '../../../agents/secured-core.js';
import { PROFILE_FORMAT, profileFileSchema, toTemplate, type ProfileFile, type ProfileRegistryValue, type TemplateValues } from '../../../fixtures/virtual-device/profile-schema.js';
import { errors } from '../errors.js';
import type { Observations } from './observe.js';
import { EVENT_CHANNEL, taskFolder } from './observe.js';

export interface ProfileContext {
  name: string;
  target: string;
  at: string;
  freshEnrollment: boolean;
  enrollmentId: string;
  providerId: string;
  upn: string;
  discoveryUrl: string;
  managementUrl: string;
  thumbprints: string[];
}

/** `HKLM:\X` (probe form) → `HKLM\X` (profile form). */
const profileKey = (probeKey: string): string => probeKey.replace(/^(HKLM|HKCU):\\/, '$1\\');

export function templateValues(ctx: ProfileContext, o: Observations): TemplateValues {
  const origin = new URL(ctx.discoveryUrl).origin;
  const hw = o.nodes['./Device/Vendor/MSFT/DMClient/HWDevID'];
  const hwDevId = hw?.status === 200 && hw.value !== undefined && hw.value !== '' ? hw.value : undefined;
  return {
    EnrollmentID: ctx.enrollmentId,
    ProviderID: ctx.providerId,
    UPN: ctx.upn,
    DiscoveryURL: ctx.discoveryUrl,
    EnrollmentURL: `${origin}${ENROLLMENT_PATH}`,
    PolicyURL: `${origin}${POLICY_PATH}`,
    ManagementURL: ctx.managementUrl,
    ServerURL: origin,
    ...(o.deviceFacts['./DevInfo/DevId'] === undefined ? {} : { DeviceID: o.deviceFacts['./DevInfo/DevId'] }),
    ...(hwDevId === undefined ? {} : { HWDevID: hwDevId }),
    ...(ctx.thumbprints[0] === undefined ? {} : { Thumbprint: ctx.thumbprints[0] }),
  };
}

/** Value kinds the profile format holds; REG_EXPAND_SZ and REG_NONE values are left out (and counted). */
const KINDS = new Set(['REG_SZ', 'REG_DWORD', 'REG_QWORD', 'REG_MULTI_SZ', 'REG_BINARY']);

function registryValue(e: RegistrySnapshotEntry, values: TemplateValues): ProfileRegistryValue | undefined {
  if (!KINDS.has(e.kind) || e.value === null) return undefined;
  const data = typeof e.value === 'string' ? toTemplate(e.value, values) : Array.isArray(e.value) ? e.value.map((v) => toTemplate(v, values)) : e.value;
  return { type: e.kind as ProfileRegistryValue['type'], data };
}

/** Session started is the first ID of a session without failures, ended its last; failed is new in a failing one. */
export function eventIds(clean: EventEntry[], failing: EventEntry[]): { sessionStarted?: number; sessionEnded?: number; commandFailed?: number } {
  const cleanIds = new Set(clean.map((e) => e.Id));
  const failed = failing.find((e) => !cleanIds.has(e.Id));
  return {
    ...(clean[0] === undefined ? {} : { sessionStarted: clean[0].Id }),
    ...(clean.at(-1) === undefined ? {} : { sessionEnded: clean.at(-1)!.Id }),
    ...(failed === undefined ? {} : { commandFailed: failed.Id }),
  };
}

/**
 * The tasks of poll sets 1-3 by "#n" in their names; the one PollOnLogin added (logon); of the others, the one that
 * runs with an all-finite schedule (the 24-hour maintenance task).
 */
export function taskNames(o: Observations['tasks']): { pollSchedules: string[]; logon?: string; maintenance?: string } {
  const names = o.withLogon.map((t) => t.name);
  const pollSchedules = [1, 2, 3].map((n) => names.find((x) => x.includes(`#${n}`))).filter((x): x is string => x !== undefined);
  const before = new Set(o.withoutLogon.map((t) => t.name));
  const logon = o.withLogon.find((t) => !pollSchedules.includes(t.name) && !before.has(t.name))?.name;
  const rest = o.withoutLogon.filter((t) => !pollSchedules.includes(t.name));
  const maintenance = rest.find((t) => t.state !== 'Disabled')?.name ?? rest[0]?.name;
  return { pollSchedules, ...(logon === undefined ? {} : { logon }), ...(maintenance === undefined ? {} : { maintenance }) };
}

export interface BuiltProfile {
  profile: ProfileFile;
  /** What could not be observed, for the summary. */
  missing: string[];
  skippedValues: number;
}

/**
 * The profile's `device.maxMsgSize`: what the device's messages announced, null when they announced none (Windows in
 * capture 05: the virtual device then announces none either), undefined when no message was read (not observed).
 */
export function announcedMaxMsgSize(wire: Observations['wire']): number | null | undefined {
  if (wire.maxMsgSize !== undefined) return wire.maxMsgSize;
  return wire.messages === 0 ? undefined : null;
}

export function buildProfile(ctx: ProfileContext, o: Observations): BuiltProfile {
  const values = templateValues(ctx, o);
  const missing: string[] = [];
  let skippedValues = 0;
  const keyTemplates = {
    enrollment: `HKLM\\SOFTWARE\\Microsoft\\Enrollments\\{EnrollmentID}`,
    dmClient: `HKLM\\SOFTWARE\\Microsoft\\Enrollments\\{EnrollmentID}\\DMClient\\{ProviderID}`,
    omadmAccount: `HKLM\\SOFTWARE\\Microsoft\\Provisioning\\OMADM\\Accounts\\{EnrollmentID}`,
    addrInfo: `HKLM\\SOFTWARE\\Microsoft\\Provisioning\\OMADM\\Accounts\\{EnrollmentID}\\Protected\\AddrInfo`,
    connInfo: `HKLM\\SOFTWARE\\Microsoft\\Provisioning\\OMADM\\Accounts\\{EnrollmentID}\\Protected\\ConnInfo`,
  } as const;
  const registry = Object.fromEntries(
    Object.entries(keyTemplates).map(([section, path]) => {
      const entries = o.registry.entries.filter((e) => toTemplate(profileKey(e.key), values).toLowerCase() === path.toLowerCase());
      const kept: Record<string, ProfileRegistryValue> = {};
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const v = registryValue(e, values);
        if (v === undefined) skippedValues += 1;
        else kept[e.name] = v;
      }
      if (!o.registry.keys.some((k) => toTemplate(profileKey(k), values).toLowerCase() === path.toLowerCase())) missing.push(`registry key ${path}`);
      return [section, { path, values: kept }];
    }),
  ) as Omit<ProfileFile['registry'], 'nodeValues'>;
  const nodeValues = Object.fromEntries(
    Object.entries(o.placements)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([node, p]) => [node, { key: toTemplate(profileKey(p.key), values), name: p.name, type: p.kind as ProfileRegistryValue['type'] }]),
  );

  const tasks = taskNames(o.tasks);
  if (tasks.pollSchedules.length < 3) missing.push('the tasks of poll sets 1-3');
  const ids = eventIds(o.events.clean, o.events.failing);
  for (const k of ['sessionStarted', 'sessionEnded', 'commandFailed'] as const) if (ids[k] === undefined) missing.push(`event ID ${k}`);

  const os = o.osInfo;
  const dg = o.deviceGuard;
  const fact = (uri: string): string => o.deviceFacts[uri] ?? '';
  const aad = o.nodes['./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/AADDeviceID'];
  const nodes = Object.fromEntries(
    Object.entries(o.nodes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, seen]) => [path, {
        status: seen.status,
        ...(seen.format === undefined ? {} : { format: seen.format }),
        ...(seen.value === undefined ? {} : { value: toTemplate(seen.value, values) }),
      }]),
  );
  const maxMsgSize = announcedMaxMsgSize(o.wire);
  // 524288 (the built-in profiles' value) stands in only when no message was read at all, and is listed as missing.
  if (maxMsgSize === undefined) missing.push('MaxMsgSize (no transcript of this calibration\'s sessions)');

  const doc = {
    $schema: PROFILE_FORMAT,
    source: `dmc calibrate ${ctx.target}: observed on Windows ${os.build}.${os.ubr} (${os.editionId})`,
    name: ctx.name,
    calibration: { target: ctx.target, at: ctx.at, freshEnrollment: ctx.freshEnrollment },
    device: {
      productName: os.productName,
      osVersion: os.build,
      build: Number(os.build.split('.')[2]),
      ubr: os.ubr,
      displayVersion: os.displayVersion ?? '',
      editionId: os.editionId,
      osEdition: os.skuId,
      manufacturer: fact('./DevInfo/Man'),
      model: fact('./DevInfo/Mod'),
      firmwareVersion: fact('./DevDetail/FwV'),
      hardwareVersion: fact('./DevDetail/HwV'),
      language: fact('./DevInfo/Lang'),
      tpm: {
        present: o.tpm.TpmPresent,
        specVersion: tpmSpecFamily(o.tpm.SpecVersion),
        manufacturerId: o.tpm.ManufacturerId,
        manufacturerIdTxt: o.tpm.ManufacturerIdTxt,
        manufacturerVersion: o.tpm.ManufacturerVersion,
        readyForAttestation: o.tpm.TpmReady,
      },
      secureBoot: dg.SecureBoot ?? false,
      securedCore: readSecuredCore(dg, o.tpm).securedCore,
      virtualizationBasedSecurity: dg.VirtualizationBasedSecurityStatus === 2,
      hypervisorEnforcedCodeIntegrity: dg.SecurityServicesRunning.includes(2),
      authMode: o.wire.digest ? 'digest' : 'certificate',
      maxMsgSize: maxMsgSize === undefined ? 524288 : maxMsgSize,
      azureAdDeviceId: aad?.status === 200 && aad.value !== undefined && aad.value !== '' ? aad.value : null,
    },
    registry: { ...registry, nodeValues },
    tasks: {
      folder: toTemplate(taskFolder(ctx.enrollmentId), values),
      pollSchedules: tasks.pollSchedules,
      ...(tasks.maintenance === undefined ? {} : { maintenance: tasks.maintenance }),
      ...(tasks.logon === undefined ? {} : { logon: tasks.logon }),
    },
    events: { channel: EVENT_CHANNEL, ...ids },
    nodes,
  };
  const parsed = profileFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw errors.DMC_ERR_CLI_CALIBRATE_INCOMPLETE.create({ target: ctx.target, field: issue.path.join('.') || '(root)', problem: issue.message, missing });
  }
  return { profile: parsed.data, missing, skippedValues };
}
