/**
 * Whether a device is a Secured-core PC, from what Windows reports about itself: Win32_DeviceGuard and
 * Confirm-SecureBootUEFI (the device-guard probe) and the TPM (the tpm probe). Windows has no "Secured-core" flag to
 * read but the ConfigLock SecureCore node, which is what the ConfigLock suite tests, so the harness needs its own
 * reading to judge that node and to decide which ConfigLock tests apply.
 *
 * What a Secured-core PC has, from Microsoft's "Windows 11 Secured-core PCs" (the OEM requirements: each layer
 * "builds on the previous", the first "leverages TPM 2.0") and "Windows hardware security" (Secure Boot,
 * virtualization-based security and memory integrity, DMA protection, and System Guard Secure Launch, DRTM):
 *
 * - Secure Boot on;
 * - VBS running (VirtualizationBasedSecurityStatus 2);
 * - memory integrity (HVCI) running (SecurityServicesRunning has 2);
 * - DMA protection available (AvailableSecurityProperties has 3);
 * - a TPM 2.0;
 * - System Guard Secure Launch running (SecurityServicesRunning has 3).
 *
 * Any of these definitely missing makes the answer "no", naming what is missing. A part that could not be read
 * (Secure Boot without elevation or on BIOS, Get-Tpm not running, Win32_DeviceGuard unreachable) makes it "unknown"
 * unless another part already says no: a guess is not a "no".
 *
 * Known blind spot (fact win.secured-core-inference): Microsoft lets "Firmware Attack Surface Reduction" replace
 * DRTM "on supporting devices such as Microsoft Surface", and Windows reports no service for it. Such a PC reads
 * "no" here; its lab sees why ("missing: System Guard Secure Launch running") in `dmc doctor` and in the
 * ConfigLock tests' skip reasons.
 */
import type { DeviceGuardInfo, TpmInfo } from './probe-schemas.js';

export interface SecuredCoreReading {
  /** true only when every part is there; false also when unknown (see `unknown`). */
  securedCore: boolean;
  /** Why the answer cannot be told, when it cannot: the parts that could not be read. */
  unknown: string | undefined;
  /** What was found, part by part, for logs and `dmc doctor`. */
  evidence: string[];
  /** The parts definitely missing; empty for a Secured-core PC and for an unknown answer. */
  missing: string[];
}

/** "2.0, 0, 1.59" (Win32_Tpm.SpecVersion) → "2.0"; null when there is nothing to read. */
export function tpmSpecFamily(specVersion: string | null): string | null {
  const first = specVersion?.split(',', 1)[0]?.trim();
  return first === undefined || first === '' ? null : first;
}

type Part = { name: string; state: boolean | null; seen: string };

function parts(guard: DeviceGuardInfo, tpm: TpmInfo): Part[] {
  const read = guard.available;
  const running = guard.SecurityServicesRunning;
  const family = tpmSpecFamily(tpm.SpecVersion);
  return [
    { name: 'Secure Boot on', state: guard.SecureBoot, seen: `SecureBoot=${guard.SecureBoot ?? 'unread (Confirm-SecureBootUEFI needs elevation and UEFI)'}` },
    { name: 'VBS running', state: read ? guard.VirtualizationBasedSecurityStatus === 2 : null, seen: `VirtualizationBasedSecurityStatus=${guard.VirtualizationBasedSecurityStatus ?? 'unread'}` },
    { name: 'memory integrity (HVCI) running', state: read ? running.includes(2) : null, seen: `SecurityServicesRunning=[${running.join(',')}]` },
    { name: 'DMA protection', state: read ? guard.AvailableSecurityProperties.includes(3) : null, seen: `AvailableSecurityProperties=[${guard.AvailableSecurityProperties.join(',')}]` },
    {
      name: 'a TPM 2.0',
      // A TPM of another family, or none, is a definite no; one whose version could not be read is not.
      state: !tpm.available ? null : !tpm.TpmPresent ? false : family === null ? null : family === '2.0',
      seen: !tpm.available ? `TPM unread (${tpm.reason ?? 'Get-Tpm did not run'})` : `TPM ${tpm.TpmPresent ? `present, spec ${tpm.SpecVersion ?? 'unread'}` : 'absent'}`,
    },
    { name: 'System Guard Secure Launch running', state: read ? running.includes(3) : null, seen: read ? '' : `Win32_DeviceGuard unread (${guard.reason ?? 'no reason given'})` },
  ];
}

export function readSecuredCore(guard: DeviceGuardInfo, tpm: TpmInfo): SecuredCoreReading {
  const all = parts(guard, tpm);
  const missing = all.filter((p) => p.state === false).map((p) => p.name);
  const unread = all.filter((p) => p.state === null).map((p) => p.name);
  const evidence = [...new Set(all.map((p) => p.seen).filter((s) => s !== ''))];
  if (missing.length > 0) return { securedCore: false, unknown: undefined, evidence, missing };
  if (unread.length > 0) return { securedCore: false, unknown: `could not read: ${unread.join(', ')} (${evidence.join('; ')})`, evidence, missing: [] };
  return { securedCore: true, unknown: undefined, evidence, missing: [] };
}
