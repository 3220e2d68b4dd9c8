/**
 * Small readers the DMClient suites share: where a device keeps its enrollment (the publicly confirmed locations of
 * DESIGN.md, "Observing the device"), how Windows writes task-scheduler durations and HRESULTs, and the unique
 * markers a test writes so a registry diff can find its own value. Nothing here encodes a DMClient rule: the rules
 * live in the spec files, next to the reference text they come from.
 */
import type { TestInfo } from '@playwright/test';
import { skipNotApplicable, type ConformanceDevice, type ConformanceWorkerFixtures } from '../../fixtures/conformance.js';
import type { CommandResult } from '../../harness/scripting/index.js';

/** Registry keys that hold one enrollment: Enrollments\<GUID> (with DMClient\<ProviderID>) and the OMA-DM account. */
export function enrollmentRegistryRoots(enrollmentId: string): string[] {
  return [
    `HKLM:\\SOFTWARE\\Microsoft\\Enrollments\\${enrollmentId}`,
    `HKLM:\\SOFTWARE\\Microsoft\\Provisioning\\OMADM\\Accounts\\${enrollmentId}`,
  ];
}

/** The task folder of an enrollment's poll schedules ("Schedule #1/#2/#3 created by enrollment client"). */
export function enrollmentTaskPath(enrollmentId: string): string {
  return `\\Microsoft\\Windows\\EnterpriseMgmt\\${enrollmentId}\\`;
}

/** The event channel of the MDM client (DESIGN.md, "Observing the device"). */
export const MDM_ADMIN_CHANNEL = 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin';

/** A value no device holds before the test writes it, so a registry diff can tell the test's own write. */
export function marker(label: string): string {
  return `dmc-${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The status code of a result, or "(none)" when the device sent none (so an assertion message shows it). */
export function code(result: CommandResult | undefined): string {
  return result?.status?.code ?? '(none)';
}

/** The one value a Get returned, or undefined when the Get did not succeed or returned no item. */
export function data(result: CommandResult | undefined): string | undefined {
  if (result === undefined || result.status?.code !== '200') return undefined;
  return result.results[0]?.Data;
}

/**
 * The statuses of an Exec the device took: 200, or 202 for one that runs on after the answer (oma-dm-protocol-support.md,
 * status table: 202 "Accepted for processing. This code denotes an asynchronous operation, such as a request to run a
 * remote execution"). InitiateRecovery, LinkedEnrollment and Unenroll all finish after their session.
 */
export const EXEC_ACCEPTED: readonly string[] = ['200', '202'];

/** A failure status in the OMA-DM sense: 4xx or 5xx (SyncML Representation Protocol 1.2, status classes). */
export function isFailure(result: CommandResult | undefined): boolean {
  const n = result?.status?.number;
  return n !== undefined && n >= 400 && n <= 599;
}

/**
 * Minutes in an ISO-8601 duration as the task scheduler writes it ("PT15M", "PT1H", "P1D", "P1DT12H"); undefined
 * for anything else. Years and months are not used by task triggers.
 */
export function durationMinutes(duration: string | null): number | undefined {
  if (duration === null) return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(duration);
  if (m === null || duration === 'P' || duration === 'PT') return undefined;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 1440 + Number(h ?? 0) * 60 + Number(min ?? 0) + Number(s ?? 0) / 60;
}

/**
 * An HRESULT read from an int node: decimal, signed (as .NET holds it) or unsigned 32-bit. Returns the unsigned
 * value, or undefined when the text is not a 32-bit integer.
 */
export function hresultOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n < -0x80000000 || n > 0xffffffff) return undefined;
  return n >>> 0;
}

/** HRESULT severity bit (winerror.h SUCCEEDED/FAILED): set means failure. */
export function hresultFailed(hresult: number): boolean {
  return (hresult & 0x80000000) !== 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value read either way. */
export async function pollUntil<T>(read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs: number, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(everyMs);
    value = await read();
  }
  return value;
}

/** What the registry-snapshot probe returns, named through the agent fixture (suites import no agents/ code). */
export type RegistrySnapshot = Awaited<ReturnType<ConformanceWorkerFixtures['agent']['snapshotRegistry']>>;
export type ScheduledTasks = Awaited<ReturnType<ConformanceWorkerFixtures['agent']['scheduledTasks']>>;
export type ScheduledTask = ScheduledTasks['tasks'][number];
export type EventLog = Awaited<ReturnType<ConformanceWorkerFixtures['agent']['eventLog']>>;

/**
 * Skips the running test as not applicable when the DDF says the device cannot have `path` (MSFT:Applicability of
 * the node and its ancestors: OS build, edition). The verdict and reason come from the catalogue.
 */
export function requireDdfApplicable(device: ConformanceDevice, testInfo: TestInfo, path: string, scope: 'Device' | 'User' = 'Device'): void {
  const node = device.anyNode(path, scope).node;
  const caps = device.capabilities;
  const verdict = device.catalog.checkApplicability(node, { build: `${caps.build}.${caps.ubr}`, edition: caps.edition.skuId });
  if (!verdict.applicable) skipNotApplicable(testInfo, `DDF applicability: ${verdict.reason}`);
}
