/**
 * ConfigLock (dmclient-csp.md#provider-providerid-configlock): "If the device isn't a Secured-core PC, then this
 * feature won't work." SecureCore tells which ("false or true", Get only); Lock (0 unlock, 1 lock) and
 * UnlockDuration (1 to 480 minutes) are checked on Secured-core PCs only (the capability is read by the agent:
 * Secure Boot, VBS, HVCI and System Guard, see fixtures/capabilities.ts).
 *
 * Drift remediation ("policies defined in the Config Lock document will be monitored and quickly remediated when a
 * configuration drift is detected"): the agent's set-registry-value probe changes a DMClient setting behind the
 * MDM's back, as a local administrator would, and the check watches the device put it back (DMC-LOCK-007).
 */
import { conformance, expect, skipNotApplicable, type CommandResult } from '../../fixtures/conformance.js';
import { MDM_ADMIN_CHANNEL, code, data, isFailure, marker, pollUntil, requireDdfApplicable } from './support.js';

const CL = 'Provider/{ProviderID}/ConfigLock';
const LOCK = `${CL}/Lock` as const;
const UNLOCK = `${CL}/UnlockDuration` as const;
const SECURE_CORE = `${CL}/SecureCore` as const;

conformance.describe('ConfigLock', () => {
  let initial: CommandResult[] = [];

  conformance.beforeAll(async ({ device }) => {
    initial = await device.sync([device.node(SECURE_CORE).get(), device.node(LOCK).get(), device.node(UNLOCK).get()]);
  });

  conformance(
    { id: 'DMC-LOCK-001', title: 'SecureCore reads true on a Secured-core PC', group: 'config-lock', nodes: [SECURE_CORE], reference: 'provider-providerid-configlock-securecore', requires: { securedCore: true } },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, CL);
      expect(code(initial[0])).toBe('200');
      expect(data(initial[0])).toBe('true');
    },
  );

  conformance(
    { id: 'DMC-LOCK-002', title: 'SecureCore reads false on a PC that is not Secured-core', group: 'config-lock', nodes: [SECURE_CORE], reference: 'provider-providerid-configlock' },
    async ({ device }, testInfo) => {
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
      title: 'Lock is locked by default',
      group: 'config-lock',
      nodes: [LOCK],
      reference: 'provider-providerid-configlock',
      requires: { securedCore: true },
      specConflict: 'reference: ConfigLock "Default = Locked" (Lock 1); DDF: Lock DefaultValue 0 (Unlock)',
    },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, CL);
      expect(code(initial[1])).toBe('200');
      expect(data(initial[1])).toBe('1');
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
      requireDdfApplicable(device, testInfo, CL);
      const l = device.node(LOCK);
      // "The supported values for this node are 0-unlock, 1-lock." Ends locked, the default of the reference.
      const r = await device.sync([l.delete(), l.add(0), l.get(), l.delete(), l.add(1), l.get()]);
      expect([code(r[1]), data(r[2]), code(r[4]), data(r[5])]).toEqual(['200', '0', '200', '1']);
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
      requireDdfApplicable(device, testInfo, CL);
      const u = device.node(UNLOCK);
      const r = await device.sync([
        u.delete(), u.add(1), u.get(),
        u.delete(), u.add(480), u.get(),
        u.delete(), u.add(0),
        u.delete(), u.add(481),
        u.delete(), u.add(480),
      ]);
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
      requireDdfApplicable(device, testInfo, CL);
      expect(code(initial[2])).toBe('200');
      expect(data(initial[2])).toBe('480');
    },
  );

  conformance(
    {
      id: 'DMC-LOCK-007',
      title: 'while locked, a setting changed on the device behind the MDM drifts back, and the event log shows it',
      group: 'config-lock',
      nodes: [LOCK, 'Provider/{ProviderID}/HelpPhoneNumber'],
      reference: 'provider-providerid-configlock',
      requires: { securedCore: true },
    },
    async ({ device, agent }, testInfo) => {
      requireDdfApplicable(device, testInfo, CL);
      testInfo.setTimeout(testInfo.timeout + DRIFT_WAIT_MS);
      const phone = marker('phone');
      const l = device.node(LOCK);
      // A setting the MDM set, then the lock ("1-lock").
      const r = await device.sync([device.node('Provider/{ProviderID}/HelpPhoneNumber').replace(phone), l.delete(), l.add(1), l.get()]);
      expect([code(r[0]), code(r[2]), data(r[3])], 'Replace HelpPhoneNumber, Add Lock 1, Get Lock').toEqual(['200', '200', '1']);
      const key = `HKLM:\\SOFTWARE\\Microsoft\\Enrollments\\${device.enrollmentId}\\DMClient\\${device.providerId}`;
      const since = new Date(Date.now() - 1_000).toISOString();
      const tampered = await agent.setRegistryValue(key, 'HelpPhoneNumber', 'REG_SZ', 'drifted');
      expect(tampered.previous, 'the value the MDM set, as the registry held it before the local change').toBe(phone);
      // "monitored and quickly remediated when a configuration drift is detected"
      const read = await pollUntil(() => agent.readRegistry(key, 'HelpPhoneNumber'), (v) => v.value === phone, DRIFT_WAIT_MS, 1_000);
      expect(read.value, `HelpPhoneNumber ${DRIFT_WAIT_MS / 1000} s after the local change`).toBe(phone);
      const events = await agent.eventLog({ logName: MDM_ADMIN_CHANNEL, since, maxEvents: 50 });
      expect(events.entries.length, 'MDM event channel entries since the local change').toBeGreaterThan(0);
    },
  );
});

/** How long the device has to put a drifted setting back: "quickly", so a minute is generous. */
const DRIFT_WAIT_MS = 60_000;
