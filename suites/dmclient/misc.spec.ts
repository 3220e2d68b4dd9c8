/**
 * Provider settings without a suite of their own (dmclient-csp.md and the DDF): CustomEnrollmentCompletePage,
 * EnhancedAppLayerSecurity, ConfigRefresh (a DDF-only node: its ranges come from MSFT:AllowedValues),
 * NumberOfDaysAfterLostContactToUnenroll, ManagementServerToUpgradeTo, AADSendDeviceToken and ForceAadToken.
 */
import { conformance, diffSnapshots, expect, type CommandResult } from '../../fixtures/conformance.js';
import { code, data, enrollmentRegistryRoots, isFailure, marker, requireDdfApplicable, type RegistrySnapshot } from './support.js';

const P = 'Provider/{ProviderID}';

conformance.describe('CustomEnrollmentCompletePage', () => {
  const PAGE = `${P}/CustomEnrollmentCompletePage` as const;
  const LEAVES = ['Title', 'BodyText', 'HyperlinkHref', 'HyperlinkText'] as const;
  const tag = marker('page');
  const values: Record<(typeof LEAVES)[number], string> = {
    Title: `Welcome to DMC (${tag})`,
    BodyText: 'Your device is now managed by the conformance harness.',
    HyperlinkHref: 'https://help.example.invalid/dmc',
    HyperlinkText: 'Help',
  };
  let added: CommandResult[] = [];
  let read: CommandResult[] = [];
  let removed: CommandResult[] = [];
  let registry: { before: RegistrySnapshot; after: RegistrySnapshot };

  conformance.beforeAll(async ({ device, agent }) => {
    const leaf = (l: (typeof LEAVES)[number]) => device.node(`${PAGE}/${l}`);
    const roots = enrollmentRegistryRoots(device.enrollmentId);
    // A clean start: the page node removed if an earlier run left it (200 or 404 are both fine here).
    await device.sync([device.node(PAGE).delete()]);
    const before = await agent.snapshotRegistry(roots);
    added = await device.sync([device.node(PAGE).add(), ...LEAVES.map((l) => leaf(l).add(values[l]))]);
    read = await device.sync(LEAVES.map((l) => leaf(l).get()));
    const after = await agent.snapshotRegistry(roots);
    registry = { before, after };
    removed = await device.sync([device.node(PAGE).delete(), leaf('Title').get()]);
  });

  conformance(
    { id: 'DMC-MISC-001', title: 'the four texts of the page are added and read back', group: 'enrollment-page', nodes: [PAGE, ...LEAVES.map((l) => `${PAGE}/${l}`)], reference: 'provider-providerid-customenrollmentcompletepage' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, PAGE);
      expect(added.map(code), 'Add statuses (node, then Title, BodyText, HyperlinkHref, HyperlinkText)').toEqual(['200', '200', '200', '200', '200']);
      expect(read.map((r) => data(r))).toEqual(LEAVES.map((l) => values[l]));
    },
  );

  conformance(
    { id: 'DMC-MISC-002', title: 'the page title is stored under the enrollment (agent)', group: 'enrollment-page', nodes: [`${PAGE}/Title`], reference: 'provider-providerid-customenrollmentcompletepage-title' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, PAGE);
      const diff = diffSnapshots(registry.before, registry.after);
      const holders = [...diff.added.map((a) => a.value), ...diff.changed.map((c) => c.newValue)].filter((v) => JSON.stringify(v).includes(tag));
      expect(holders.length, `registry values holding ${tag}; the diff: ${JSON.stringify(diff)}`).toBeGreaterThan(0);
    },
  );

  conformance(
    { id: 'DMC-MISC-003', title: 'Delete of the page removes its texts', group: 'enrollment-page', nodes: [PAGE, `${PAGE}/Title`], reference: 'provider-providerid-customenrollmentcompletepage' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, PAGE);
      // CustomEnrollmentCompletePage: "Supported operations are Add, Delete, and Get."
      expect(code(removed[0]), 'Delete CustomEnrollmentCompletePage').toBe('200');
      expect(code(removed[1]), 'Get Title after the Delete').toBe('404');
    },
  );
});

conformance.describe('EnhancedAppLayerSecurity', () => {
  const EALS = `${P}/EnhancedAppLayerSecurity` as const;
  const MODE = `${EALS}/SecurityMode` as const;
  const OFFLINE = `${EALS}/UseCertIfRevocationCheckOffline` as const;
  let initial: CommandResult[] = [];
  let modes: CommandResult[] = [];
  let offline: CommandResult[] = [];

  conformance.beforeAll(async ({ device }) => {
    const m = device.node(MODE);
    const o = device.node(OFFLINE);
    initial = await device.sync([m.get(), o.get()]);
    // One session through every mode and back to 0 ("no op"), so the device never stays signing or encrypting.
    modes = await device.sync([m.replace(1), m.get(), m.replace(2), m.get(), m.replace(3), m.get(), m.unchecked.replace('4'), m.get(), m.replace(0), m.get()]);
    offline = await device.sync([o.replace(false), o.get(), o.replace(true), o.get()]);
  });

  conformance(
    { id: 'DMC-MISC-010', title: 'SecurityMode defaults to 0 and takes 1, 2, 3 and 0', group: 'app-layer-security', nodes: [MODE], reference: 'provider-providerid-enhancedapplayersecurity-securitymode' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, EALS);
      // "0: no op; 1: sign only; 2: encrypt only; 3: sign and encrypt. The default value is 0."
      expect(data(initial[0])).toBe('0');
      expect([0, 2, 4, 8].map((i) => code(modes[i]))).toEqual(['200', '200', '200', '200']);
      expect([1, 3, 5, 9].map((i) => data(modes[i]))).toEqual(['1', '2', '3', '0']);
    },
  );

  conformance(
    { id: 'DMC-MISC-011', title: 'SecurityMode refuses 4 and keeps its value', group: 'app-layer-security', nodes: [MODE], reference: 'provider-providerid-enhancedapplayersecurity-securitymode' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, EALS);
      // The reference lists 0-3; the DDF's MSFT:AllowedValues is the ENUM 0, 1, 2, 3.
      expect(isFailure(modes[6]), `Replace 4 answered ${code(modes[6])}`).toBe(true);
      expect(data(modes[7])).toBe('3');
    },
  );

  conformance(
    {
      id: 'DMC-MISC-012',
      title: 'UseCertIfRevocationCheckOffline is set by default',
      group: 'app-layer-security',
      nodes: [OFFLINE],
      reference: 'provider-providerid-enhancedapplayersecurity-usecertifrevocationcheckoffline',
      specConflict: 'reference: "The default value is set" (true); DDF: DefaultValue false',
    },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, EALS);
      expect(code(initial[1])).toBe('200');
      expect(data(initial[1])).toBe('true');
    },
  );

  conformance(
    { id: 'DMC-MISC-013', title: 'UseCertIfRevocationCheckOffline takes false and true', group: 'app-layer-security', nodes: [OFFLINE], reference: 'provider-providerid-enhancedapplayersecurity-usecertifrevocationcheckoffline' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, EALS);
      expect([code(offline[0]), data(offline[1]), code(offline[2]), data(offline[3])]).toEqual(['200', 'false', '200', 'true']);
    },
  );
});

conformance.describe('ConfigRefresh (DDF only)', () => {
  const CR = `${P}/ConfigRefresh` as const;
  const ENABLED = `${CR}/Enabled` as const;
  const CADENCE = `${CR}/Cadence` as const;
  const PAUSE = `${CR}/PausePeriod` as const;
  let initial: CommandResult[] = [];
  let cadence: CommandResult[] = [];
  let pause: CommandResult[] = [];
  let enabled: CommandResult[] = [];
  const ddfOnly = 'dmclient-csp.md has no ConfigRefresh node; the checks follow the DDF (DefaultValue, MSFT:AllowedValues ranges)';

  conformance.beforeAll(async ({ device }) => {
    const exists = (await device.sync([device.node(CR).get()]))[0];
    const c = device.node(CADENCE);
    const p = device.node(PAUSE);
    const e = device.node(ENABLED);
    if (exists?.status?.code === '404') await device.sync([device.node(CR).add()]);
    initial = await device.sync([e.get(), c.get(), p.get()]);
    cadence = await device.sync([c.replace(30), c.get(), c.replace(1440), c.get(), c.unchecked.replace('29'), c.get(), c.unchecked.replace('1441'), c.get(), c.replace(90), c.get()]);
    pause = await device.sync([p.replace(1440), p.get(), p.unchecked.replace('1441'), p.get(), p.replace(0), p.get()]);
    enabled = await device.sync([e.replace(true), e.get(), e.replace(false), e.get()]);
  });

  conformance(
    { id: 'DMC-MISC-020', title: 'ConfigRefresh defaults: Enabled false, Cadence 90, PausePeriod 0', group: 'config-refresh', nodes: [ENABLED, CADENCE, PAUSE], specConflict: ddfOnly },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, CR);
      expect(initial.map((r) => data(r))).toEqual(['false', '90', '0']);
    },
  );

  conformance(
    { id: 'DMC-MISC-021', title: 'Cadence takes 30 and 1440 and refuses 29 and 1441', group: 'config-refresh', nodes: [CADENCE], specConflict: ddfOnly },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, CR);
      // DDF MSFT:AllowedValues Range [30-1440].
      expect([code(cadence[0]), data(cadence[1]), code(cadence[2]), data(cadence[3])]).toEqual(['200', '30', '200', '1440']);
      expect(isFailure(cadence[4]), `Replace 29 answered ${code(cadence[4])}`).toBe(true);
      expect(data(cadence[5])).toBe('1440');
      expect(isFailure(cadence[6]), `Replace 1441 answered ${code(cadence[6])}`).toBe(true);
      expect(data(cadence[7])).toBe('1440');
    },
  );

  conformance(
    { id: 'DMC-MISC-022', title: 'PausePeriod takes 0 and 1440 and refuses 1441', group: 'config-refresh', nodes: [PAUSE], specConflict: ddfOnly },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, CR);
      // DDF MSFT:AllowedValues Range [0-1440].
      expect([code(pause[0]), data(pause[1])]).toEqual(['200', '1440']);
      expect(isFailure(pause[2]), `Replace 1441 answered ${code(pause[2])}`).toBe(true);
      expect(data(pause[3])).toBe('1440');
      expect([code(pause[4]), data(pause[5])]).toEqual(['200', '0']);
    },
  );

  conformance(
    { id: 'DMC-MISC-023', title: 'Enabled takes true and false', group: 'config-refresh', nodes: [ENABLED], specConflict: ddfOnly },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, CR);
      expect([code(enabled[0]), data(enabled[1]), code(enabled[2]), data(enabled[3])]).toEqual(['200', 'true', '200', 'false']);
    },
  );
});

conformance.describe('Provider settings: lost contact, upgrade server, Azure AD tokens', () => {
  const DAYS = `${P}/NumberOfDaysAfterLostContactToUnenroll` as const;
  const UPGRADE = `${P}/ManagementServerToUpgradeTo` as const;
  const AAD_SEND = `${P}/AADSendDeviceToken` as const;
  const FORCE = `${P}/ForceAadToken` as const;
  /** Far above any run's length: the device must not unenroll itself during the run. */
  const DAYS_VALUE = 365;
  const upgradeUrl = 'https://upgrade.example.invalid/EnrollmentServer/Discovery.svc';
  let set: CommandResult[] = [];
  let read: CommandResult[] = [];
  let removed: CommandResult[] = [];
  let force: CommandResult[] = [];

  conformance.beforeAll(async ({ device }) => {
    // Start from absent values (Delete is supported on all three), then Add, read, Delete, read.
    await device.sync([device.node(DAYS).delete(), device.node(UPGRADE).delete(), device.node(AAD_SEND).delete()]);
    set = await device.sync([device.node(DAYS).add(DAYS_VALUE), device.node(UPGRADE).add(upgradeUrl), device.node(AAD_SEND).add(true)]);
    read = await device.sync([device.node(DAYS).get(), device.node(UPGRADE).get(), device.node(AAD_SEND).get()]);
    removed = await device.sync([
      device.node(DAYS).delete(), device.node(UPGRADE).delete(), device.node(AAD_SEND).delete(),
      device.node(DAYS).get(), device.node(UPGRADE).get(), device.node(AAD_SEND).get(),
    ]);
    // ForceAadToken as the reference has it: an integer, value 1.
    force = await device.sync([device.node(FORCE).unchecked.replace('1', { meta: { Format: 'int' } }), device.node(FORCE).get(), device.node(FORCE).delete()]);
  });

  const check = (id: string, title: string, path: string, reference: string, index: number, expected: string) =>
    conformance({ id, title, group: 'provider-settings', nodes: [path], reference }, async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, path);
      // "Supported operations are Add, Delete, Get, and Replace."
      expect(code(set[index]), 'Add').toBe('200');
      expect(data(read[index])).toBe(expected);
      expect(code(removed[index]), 'Delete').toBe('200');
      expect(code(removed[index + 3]), 'Get after Delete').toBe('404');
    });

  check('DMC-MISC-030', 'NumberOfDaysAfterLostContactToUnenroll is added, read back and deleted', DAYS, 'provider-providerid-numberofdaysafterlostcontacttounenroll', 0, String(DAYS_VALUE));
  check('DMC-MISC-031', 'ManagementServerToUpgradeTo is added, read back and deleted', UPGRADE, 'provider-providerid-managementservertoupgradeto', 1, upgradeUrl);
  check('DMC-MISC-032', 'AADSendDeviceToken is added, read back and deleted', AAD_SEND, 'provider-providerid-aadsenddevicetoken', 2, 'true');

  conformance(
    {
      id: 'DMC-MISC-033',
      title: 'ForceAadToken takes the integer 1 and reads it back',
      group: 'provider-settings',
      nodes: [FORCE],
      reference: 'provider-providerid-forceaadtoken',
      specConflict: 'reference: "The value type is integer/enum", value 1; DDF: DFFormat bool with ENUM values 0, 1, 2, 4, 8',
    },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, FORCE);
      // "The value is "1" and it means client should always send Azure Active Directory device token during check-in/sync."
      expect(code(force[0]), 'Replace ForceAadToken 1 (Meta.Format int)').toBe('200');
      expect(data(force[1])).toBe('1');
    },
  );
});
