import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceGuardOutput, tpmOutput, type DeviceGuardInfo, type TpmInfo } from './probe-schemas.js';
import { readSecuredCore } from './secured-core.js';

// As the probes print them on a Secured-core PC; parsed with the probes' own schemas so they stay real.
const guard: DeviceGuardInfo = deviceGuardOutput.parse({
  probe: 'device-guard', available: true, reason: null, VirtualizationBasedSecurityStatus: 2, SecurityServicesConfigured: [2, 3],
  SecurityServicesRunning: [2, 3], RequiredSecurityProperties: [1, 2], AvailableSecurityProperties: [1, 2, 3, 5],
  CodeIntegrityPolicyEnforcementStatus: 2, UsermodeCodeIntegrityPolicyEnforcementStatus: 0, SecureBoot: true, securedCoreEvidence: [],
});
const tpm: TpmInfo = tpmOutput.parse({
  probe: 'tpm', available: true, reason: null, TpmPresent: true, TpmReady: true, TpmEnabled: true, TpmActivated: true, TpmOwned: true,
  ManufacturerId: 1297303124, ManufacturerIdTxt: 'MSFT', ManufacturerVersion: '2.0.0.0', SpecVersion: '2.0, 0, 1.59', RestartPending: false,
});

test('a PC with every part Microsoft lists is Secured-core, and the evidence says what was read', () => {
  const reading = readSecuredCore(guard, tpm);
  assert.equal(reading.securedCore, true);
  assert.equal(reading.unknown, undefined);
  assert.deepEqual(reading.missing, []);
  assert.deepEqual(reading.evidence, [
    'SecureBoot=true', 'VirtualizationBasedSecurityStatus=2', 'SecurityServicesRunning=[2,3]', 'AvailableSecurityProperties=[1,2,3,5]',
    'TPM present, spec 2.0, 0, 1.59',
  ]);
});

test('each missing part alone makes it no, named', () => {
  const cases: Array<[string, DeviceGuardInfo, TpmInfo]> = [
    ['Secure Boot on', { ...guard, SecureBoot: false }, tpm],
    ['VBS running', { ...guard, VirtualizationBasedSecurityStatus: 1 }, tpm],
    ['memory integrity (HVCI) running', { ...guard, SecurityServicesRunning: [3] }, tpm],
    // What the old inference missed: the four services can run without DMA protection or a TPM 2.0.
    ['DMA protection', { ...guard, AvailableSecurityProperties: [1, 2, 5] }, tpm],
    ['a TPM 2.0', guard, { ...tpm, TpmPresent: false, SpecVersion: null }],
    ['a TPM 2.0', guard, { ...tpm, SpecVersion: '1.2, 2, 3' }],
    ['System Guard Secure Launch running', { ...guard, SecurityServicesRunning: [2] }, tpm],
  ];
  for (const [part, g, t] of cases) {
    const reading = readSecuredCore(g, t);
    assert.deepEqual([reading.securedCore, reading.unknown, reading.missing], [false, undefined, [part]], part);
  }
});

test('a part that could not be read makes it unknown, unless another part already says no', () => {
  const unreadBoot = readSecuredCore({ ...guard, SecureBoot: null }, tpm);
  assert.equal(unreadBoot.securedCore, false);
  assert.match(unreadBoot.unknown ?? '', /^could not read: Secure Boot on \(SecureBoot=unread \(Confirm-SecureBootUEFI needs elevation and UEFI\);/);
  const unreadTpm = readSecuredCore(guard, { ...tpm, available: false, reason: 'Get-Tpm failed: Access denied' });
  assert.match(unreadTpm.unknown ?? '', /^could not read: a TPM 2\.0 \(.*TPM unread \(Get-Tpm failed: Access denied\)\)$/);
  assert.match(readSecuredCore(guard, { ...tpm, SpecVersion: null }).unknown ?? '', /^could not read: a TPM 2\.0 /);

  const noGuard: DeviceGuardInfo = { ...guard, available: false, reason: 'Win32_DeviceGuard unreachable: Access denied', SecurityServicesRunning: [], AvailableSecurityProperties: [], VirtualizationBasedSecurityStatus: null };
  assert.match(readSecuredCore(noGuard, tpm).unknown ?? '', /^could not read: VBS running, memory integrity \(HVCI\) running, DMA protection, System Guard Secure Launch running \(/);
  // Secure Boot off is a "no" even when Win32_DeviceGuard could not be read.
  const noBoot = readSecuredCore({ ...noGuard, SecureBoot: false }, tpm);
  assert.deepEqual([noBoot.unknown, noBoot.missing], [undefined, ['Secure Boot on']]);
  const noHvci = readSecuredCore({ ...guard, SecureBoot: null, SecurityServicesRunning: [3] }, tpm);
  assert.deepEqual([noHvci.unknown, noHvci.missing], [undefined, ['memory integrity (HVCI) running']]);
});
