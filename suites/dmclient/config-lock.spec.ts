/**
 * ConfigLock (dmclient-csp.md#provider-providerid-configlock): "If the device isn't a Secured-core PC, then this
 * feature won't work." SecureCore tells which ("false or true", Get only); Lock (0 unlock, 1 lock) and
 * UnlockDuration (1 to 480 minutes) are checked on Secured-core PCs only (the capability is read by the agent:
 * Secure Boot, VBS, HVCI and System Guard, see fixtures/capabilities.ts).
 *
 * Drift remediation ("policies defined in the Config Lock document will be monitored and quickly remediated when a
 * configuration drift is detected") needs a way to change a setting on the device behind the MDM's back; the
 * agents have no probe that writes, so it is not checked here (see suites/README.md, "Not covered").
 */
import { conformance, expect, skipNotApplicable, type CommandResult } from '../../fixtures/conformance.js';
import { code, data, isFailure, requireDdfApplicable } from './support.js';

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
});
