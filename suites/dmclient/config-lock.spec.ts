/**
 * ConfigLock (dmclient-csp.md#provider-providerid-configlock): "If the device isn't a Secured-core PC, then this
 * feature won't work." SecureCore tells which ("false or true", Get only); Lock (0 unlock, 1 lock) and
 * UnlockDuration (1 to 480 minutes) are checked on Secured-core PCs only (the capability is read by the agent:
 * Secure Boot, VBS, HVCI and System Guard, see fixtures/capabilities.ts).
 *
 * What the lock does comes from Microsoft's "Secured-core PC configuration lock" page (config-lock.md; issue #12,
 * facts in fixtures/facts/config-lock.yaml): it "isn't enabled by default" (the DMClient article's "Default =
 * Locked" is a recorded conflict), and it keeps a fixed list of security policies, not DMClient settings: "the OS
 * monitors the registry keys that configure each feature and when it detects a drift, reverts to the IT-desired
 * state in seconds". The drift checks set one of those policies, WindowsDefenderSecurityCenter/CompanyName (a
 * string, harmless), through the Policy CSP, change its registry value through the agent's set-registry-value probe
 * as a local administrator would, and watch what the device does: put back while locked (DMC-LOCK-008), not while a
 * temporary unlock runs (DMC-LOCK-010) nor with Lock 0 (DMC-LOCK-011); a DMClient setting, HelpPhoneNumber, is not
 * put back while locked (DMC-LOCK-009). DMC-LOCK-007 (HelpPhoneNumber drifts back) is retired: real Windows does not.
 *
 * Sessions (Secured-core): the reads and the write checks of DMC-LOCK-004/005 ride in the run plan's shared
 * preparation session (config-lock.steps.ts); each drift check needs the device in its own lock state, so one
 * session each: 4 of the file's own. The file ends with Lock 0 (the
 * default) and leaves CompanyName and HelpPhoneNumber set to test markers (no sixth session to clear them).
 */
import { conformance, expect, skipNotApplicable } from '../../fixtures/conformance.js';
import { policyCsp, policyRegistryLocation } from '../../harness/scripting/index.js';
import { CL, LOCK, SECURE_CORE, UNLOCK, configLock } from './config-lock.steps.js';
import { MDM_ADMIN_CHANNEL, code, data, isFailure, marker, pollUntil, requireDdfApplicable } from './support.js';

const HELP_PHONE = 'Provider/{ProviderID}/HelpPhoneNumber' as const;

/** A policy on config lock's "List of locked policies"; Policy CSP page: chr, Add, Delete, Get, Replace. */
const COMPANY = policyCsp({ area: 'WindowsDefenderSecurityCenter', policy: 'CompanyName', format: 'chr' });

/** How long a locked device has to put a drifted policy back: "in seconds", so a minute is generous. */
const DRIFT_WAIT_MS = 60_000;
/** Device time to watch a value that must stay changed: well past "in seconds" (real time adds a floor for polling). */
const NOT_BACK_DEVICE_MS = 30_000;
const DRIFTED = 'dmc-drifted-locally';

conformance.describe('ConfigLock', () => {
  let timeScale = 1;

  conformance.beforeAll(({ dmcTarget }) => {
    timeScale = dmcTarget.kind === 'virtual' ? dmcTarget.timeScale : 1;
  });

  const notBackWaitMs = (): number => Math.ceil(NOT_BACK_DEVICE_MS / timeScale) + 2_000;

  conformance(
    { id: 'DMC-LOCK-001', title: 'SecureCore reads true on a Secured-core PC', group: 'config-lock', nodes: [SECURE_CORE], reference: 'provider-providerid-configlock-securecore', requires: { securedCore: true } },
    async ({ device }, testInfo) => {
      const { initial } = await device.prepared(configLock);
      requireDdfApplicable(device, testInfo, CL);
      expect(code(initial[0])).toBe('200');
      expect(data(initial[0])).toBe('true');
    },
  );

  conformance(
    { id: 'DMC-LOCK-002', title: 'SecureCore reads false on a PC that is not Secured-core', group: 'config-lock', nodes: [SECURE_CORE], reference: 'provider-providerid-configlock' },
    async ({ device }, testInfo) => {
      const { initial } = await device.prepared(configLock);
      requireDdfApplicable(device, testInfo, CL);
      const caps = device.capabilities;
      if (caps.unknown.securedCore !== undefined) throw new Error(`the Secured-core state of ${device.target} could not be read: ${caps.unknown.securedCore}`);
      if (caps.securedCore) skipNotApplicable(testInfo, 'requires a PC that is not Secured-core (device is Secured-core)');
      expect(code(initial[0])).toBe('200');
      expect(data(initial[0])).toBe('false');
    },
  );

  conformance(
    {
      id: 'DMC-LOCK-003',
      title: 'Lock is 0 (config lock off) until the MDM turns it on',
      group: 'config-lock',
      nodes: [LOCK],
      reference: 'provider-providerid-configlock',
      requires: { securedCore: true },
      specConflict: 'reference: ConfigLock "Default = Locked" (Lock 1); DDF: Lock DefaultValue 0 (Unlock) and "Secured-core PC configuration lock": "Config lock isn\'t enabled by default" (this check expects 0)',
    },
    async ({ device }, testInfo) => {
      const { initial } = await device.prepared(configLock);
      requireDdfApplicable(device, testInfo, CL);
      // config-lock.md: "Config lock isn't enabled by default, or turned on by the OS during boot."
      expect(code(initial[1])).toBe('200');
      expect(data(initial[1]), 'Lock before the MDM set it').toBe('0');
    },
  );

  conformance(
    {
      id: 'DMC-LOCK-004',
      title: 'Lock takes 0 (unlock) and 1 (lock)',
      group: 'config-lock',
      nodes: [LOCK],
      reference: 'provider-providerid-configlock-lock',
      requires: { securedCore: true },
      specConflict: 'reference: Lock supports Add, Delete, Get; DDF: Add, Delete, Get, Replace (this check uses Delete then Add)',
    },
    async ({ device }, testInfo) => {
      const { lockRun } = await device.prepared(configLock);
      requireDdfApplicable(device, testInfo, CL);
      // "The supported values for this node are 0-unlock, 1-lock." Sent in the beforeAll's session; ends at 0.
      expect([code(lockRun[1]), data(lockRun[2]), code(lockRun[4]), data(lockRun[5])]).toEqual(['200', '1', '200', '0']);
    },
  );

  conformance(
    {
      id: 'DMC-LOCK-005',
      title: 'UnlockDuration takes 1 and 480 and refuses 0 and 481',
      group: 'config-lock',
      nodes: [UNLOCK],
      reference: 'provider-providerid-configlock-unlockduration',
      requires: { securedCore: true },
      specConflict: 'reference: UnlockDuration "1 to 480 (in min)"; DDF: no MSFT:AllowedValues for UnlockDuration',
    },
    async ({ device }, testInfo) => {
      const { unlockRun } = await device.prepared(configLock);
      requireDdfApplicable(device, testInfo, CL);
      const r = unlockRun;
      expect([code(r[1]), data(r[2]), code(r[4]), data(r[5])]).toEqual(['200', '1', '200', '480']);
      expect(isFailure(r[7]), `Add UnlockDuration 0 answered ${code(r[7])}`).toBe(true);
      expect(isFailure(r[9]), `Add UnlockDuration 481 answered ${code(r[9])}`).toBe(true);
    },
  );

  conformance(
    {
      id: 'DMC-LOCK-006',
      title: 'UnlockDuration defaults to 480',
      group: 'config-lock',
      nodes: [UNLOCK],
      reference: 'provider-providerid-configlock-unlockduration',
      requires: { securedCore: true },
      specConflict: 'DDF: UnlockDuration DefaultValue 480; reference: no default given (values 1 to 480)',
    },
    async ({ device }, testInfo) => {
      const { initial } = await device.prepared(configLock);
      requireDdfApplicable(device, testInfo, CL);
      expect(code(initial[2])).toBe('200');
      expect(data(initial[2])).toBe('480');
    },
  );

  // DMC-LOCK-007 is retired (its meaning changed: a DMClient setting drifting back is not what Windows does);
  // its number stays unused. DMC-LOCK-009 checks the opposite.

  conformance(
    {
      id: 'DMC-LOCK-008',
      title: 'while locked, a locked policy changed in the registry on the device is put back within seconds, and the event log shows it',
      group: 'config-lock',
      nodes: [LOCK],
      reference: 'provider-providerid-configlock',
      requires: { securedCore: true },
    },
    async ({ device, agent }, testInfo) => {
      requireDdfApplicable(device, testInfo, CL);
      testInfo.setTimeout(testInfo.timeout + DRIFT_WAIT_MS);
      const company = marker('company');
      const l = device.node(LOCK);
      // No temporary unlock left running (Delete of UnlockDuration; its status does not matter), then "1-lock".
      const r = await device.sync([COMPANY.replace(company), COMPANY.get(), device.node(UNLOCK).delete(), l.delete(), l.add(1), l.get()]);
      expect([code(r[0]), data(r[1]), code(r[4]), data(r[5])], 'Replace CompanyName, Get CompanyName, Add Lock 1, Get Lock').toEqual(['200', company, '200', '1']);
      const at = policyRegistryLocation(COMPANY.area, COMPANY.policy, device.enrollmentId).current;
      const since = new Date(Date.now() - 1_000).toISOString();
      const tampered = await agent.setRegistryValue(at.path, at.name, 'REG_SZ', DRIFTED);
      expect(tampered.previous, `${at.path}\\${at.name} before the local change (the policy the MDM set)`).toBe(company);
      // "when it detects a drift, reverts to the IT-desired state in seconds"
      const read = await pollUntil(() => agent.readRegistry(at.path, at.name), (v) => v.value === company, DRIFT_WAIT_MS, 1_000);
      expect(read.value, `${at.name} ${DRIFT_WAIT_MS / 1000} s after the local change, config lock on`).toBe(company);
      const events = await agent.eventLog({ logName: MDM_ADMIN_CHANNEL, since, maxEvents: 50 });
      expect(events.entries.length, 'MDM event channel entries since the local change (no session ran in between)').toBeGreaterThan(0);
    },
  );

  conformance(
    {
      id: 'DMC-LOCK-009',
      title: 'while locked, a DMClient setting (HelpPhoneNumber) changed on the device is not put back',
      group: 'config-lock',
      nodes: [LOCK, HELP_PHONE],
      reference: 'provider-providerid-configlock',
      requires: { securedCore: true },
    },
    async ({ device, agent }, testInfo) => {
      requireDdfApplicable(device, testInfo, CL);
      testInfo.setTimeout(testInfo.timeout + DRIFT_WAIT_MS);
      const company = marker('company');
      const phone = marker('phone');
      const l = device.node(LOCK);
      const r = await device.sync([COMPANY.replace(company), device.node(HELP_PHONE).replace(phone), device.node(UNLOCK).delete(), l.delete(), l.add(1), l.get()]);
      expect([code(r[0]), code(r[1]), code(r[4]), data(r[5])], 'Replace CompanyName, Replace HelpPhoneNumber, Add Lock 1, Get Lock').toEqual(['200', '200', '200', '1']);
      const policy = policyRegistryLocation(COMPANY.area, COMPANY.policy, device.enrollmentId).current;
      const dmclientKey = `HKLM:\\SOFTWARE\\Microsoft\\Enrollments\\${device.enrollmentId}\\DMClient\\${device.providerId}`;
      const tamperedPhone = await agent.setRegistryValue(dmclientKey, 'HelpPhoneNumber', 'REG_SZ', DRIFTED);
      expect(tamperedPhone.previous, 'HelpPhoneNumber before the local change (the value the MDM set)').toBe(phone);
      await agent.setRegistryValue(policy.path, policy.name, 'REG_SZ', DRIFTED);
      // Control: a locked policy changed at the same moment comes back, so the device has looked for drift since.
      const control = await pollUntil(() => agent.readRegistry(policy.path, policy.name), (v) => v.value === company, DRIFT_WAIT_MS, 1_000);
      expect(control.value, `control: the locked policy ${policy.name} came back`).toBe(company);
      // config-lock.md "List of locked policies" names CSPs and Policy CSP settings; DMClient is not among them.
      const read = await agent.readRegistry(dmclientKey, 'HelpPhoneNumber');
      expect(read.value, 'HelpPhoneNumber after the device put the locked policy back').toBe(DRIFTED);
    },
  );

  conformance(
    {
      id: 'DMC-LOCK-010',
      title: 'during a temporary unlock (UnlockDuration), a locked policy changed on the device is not put back',
      group: 'config-lock',
      nodes: [LOCK, UNLOCK],
      reference: 'provider-providerid-configlock-unlockduration',
      requires: { securedCore: true },
    },
    async ({ device, agent }, testInfo) => {
      requireDdfApplicable(device, testInfo, CL);
      testInfo.setTimeout(testInfo.timeout + notBackWaitMs());
      const company = marker('company');
      const l = device.node(LOCK);
      const u = device.node(UNLOCK);
      // Locked, then "temporary unlock mode for helpdesk activities" (config-lock.md) for 480 minutes: the DDF's
      // UnlockDuration "when it is set, tells the client to set how many minutes the device should be temporarily
      // unlocked from SecureCore settings protection".
      const r = await device.sync([COMPANY.replace(company), l.delete(), l.add(1), u.delete(), u.add(480)]);
      expect([code(r[0]), code(r[2]), code(r[4])], 'Replace CompanyName, Add Lock 1, Add UnlockDuration 480').toEqual(['200', '200', '200']);
      const at = policyRegistryLocation(COMPANY.area, COMPANY.policy, device.enrollmentId).current;
      const tampered = await agent.setRegistryValue(at.path, at.name, 'REG_SZ', DRIFTED);
      expect(tampered.previous, `${at.name} before the local change`).toBe(company);
      const read = await pollUntil(() => agent.readRegistry(at.path, at.name), (v) => v.value !== DRIFTED, notBackWaitMs(), 1_000);
      expect(read.value, `${at.name} ${NOT_BACK_DEVICE_MS / 1000} s of device time after the local change, temporarily unlocked`).toBe(DRIFTED);
    },
  );

  conformance(
    {
      id: 'DMC-LOCK-011',
      title: 'with Lock 0, a locked policy changed on the device is not put back',
      group: 'config-lock',
      nodes: [LOCK],
      reference: 'provider-providerid-configlock-lock',
      requires: { securedCore: true },
    },
    async ({ device, agent }, testInfo) => {
      requireDdfApplicable(device, testInfo, CL);
      testInfo.setTimeout(testInfo.timeout + notBackWaitMs());
      const company = marker('company');
      const l = device.node(LOCK);
      // config-lock.md: "To turn off config lock, change the value to 0." Lock 0 is also the default this file ends at.
      const r = await device.sync([COMPANY.replace(company), l.delete(), l.add(0), l.get()]);
      expect([code(r[0]), code(r[2]), data(r[3])], 'Replace CompanyName, Add Lock 0, Get Lock').toEqual(['200', '200', '0']);
      const at = policyRegistryLocation(COMPANY.area, COMPANY.policy, device.enrollmentId).current;
      const tampered = await agent.setRegistryValue(at.path, at.name, 'REG_SZ', DRIFTED);
      expect(tampered.previous, `${at.name} before the local change`).toBe(company);
      const read = await pollUntil(() => agent.readRegistry(at.path, at.name), (v) => v.value !== DRIFTED, notBackWaitMs(), 1_000);
      expect(read.value, `${at.name} ${NOT_BACK_DEVICE_MS / 1000} s of device time after the local change, Lock 0`).toBe(DRIFTED);
    },
  );
});
