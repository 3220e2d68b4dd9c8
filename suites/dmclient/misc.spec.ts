/**
 * Provider settings without a suite of their own (dmclient-csp.md and the DDF): CustomEnrollmentCompletePage,
 * EnhancedAppLayerSecurity, ConfigRefresh (a DDF-only node: its ranges come from MSFT:AllowedValues),
 * NumberOfDaysAfterLostContactToUnenroll, ManagementServerToUpgradeTo, AADSendDeviceToken and ForceAadToken.
 * What the device answered comes from misc.steps.ts (run with the other suites' steps).
 */
import { conformance, diffSnapshots, expect } from '../../fixtures/conformance.js';
import { code, data, isFailure, requireDdfApplicable } from './support.js';
import {
  AAD_SEND, appLayerSecurity, configRefresh, CR, CR_CADENCE as CADENCE, CR_ENABLED as ENABLED, CR_PAUSE as PAUSE, DAYS, DAYS_VALUE, EALS, FORCE, MODE, OFFLINE,
  PAGE, PAGE_LEAVES as LEAVES, page, providerSettings, UPGRADE, UPGRADE_URL as upgradeUrl,
} from './misc.steps.js';

conformance.describe('CustomEnrollmentCompletePage', () => {
  conformance(
    { id: 'DMC-MISC-001', title: 'the four texts of the page are added and read back', group: 'enrollment-page', nodes: [PAGE, ...LEAVES.map((l) => `${PAGE}/${l}`)], reference: 'provider-providerid-customenrollmentcompletepage' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, PAGE);
      const { added, read, values } = await device.prepared(page);
      expect(added.map(code), 'Add statuses (node, then Title, BodyText, HyperlinkHref, HyperlinkText)').toEqual(['200', '200', '200', '200', '200']);
      expect(read.map((r) => data(r))).toEqual(LEAVES.map((l) => values[l]));
    },
  );

  conformance(
    { id: 'DMC-MISC-002', title: 'the page title is stored under the enrollment (agent)', group: 'enrollment-page', nodes: [`${PAGE}/Title`], reference: 'provider-providerid-customenrollmentcompletepage-title' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, PAGE);
      const { registry, tag } = await device.prepared(page);
      const diff = diffSnapshots(registry.before, registry.after);
      const holders = [...diff.added.map((a) => a.value), ...diff.changed.map((c) => c.newValue)].filter((v) => JSON.stringify(v).includes(tag));
      expect(holders.length, `registry values holding ${tag}; the diff: ${JSON.stringify(diff)}`).toBeGreaterThan(0);
    },
  );

  conformance(
    { id: 'DMC-MISC-003', title: 'Delete of the page removes its texts', group: 'enrollment-page', nodes: [PAGE, `${PAGE}/Title`], reference: 'provider-providerid-customenrollmentcompletepage' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, PAGE);
      const { removed } = await device.prepared(page);
      // CustomEnrollmentCompletePage: "Supported operations are Add, Delete, and Get."
      expect(code(removed[0]), 'Delete CustomEnrollmentCompletePage').toBe('200');
      expect(code(removed[1]), 'Get Title after the Delete').toBe('404');
    },
  );
});

conformance.describe('EnhancedAppLayerSecurity', () => {
  conformance(
    { id: 'DMC-MISC-010', title: 'SecurityMode defaults to 0 and takes 1, 2, 3 and 0', group: 'app-layer-security', nodes: [MODE], reference: 'provider-providerid-enhancedapplayersecurity-securitymode' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, EALS);
      const { initial, modes } = await device.prepared(appLayerSecurity);
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
      const { modes } = await device.prepared(appLayerSecurity);
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
      const { initial } = await device.prepared(appLayerSecurity);
      expect(code(initial[1])).toBe('200');
      expect(data(initial[1])).toBe('true');
    },
  );

  conformance(
    { id: 'DMC-MISC-013', title: 'UseCertIfRevocationCheckOffline takes false and true', group: 'app-layer-security', nodes: [OFFLINE], reference: 'provider-providerid-enhancedapplayersecurity-usecertifrevocationcheckoffline' },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, EALS);
      const { offline } = await device.prepared(appLayerSecurity);
      expect([code(offline[0]), data(offline[1]), code(offline[2]), data(offline[3])]).toEqual(['200', 'false', '200', 'true']);
    },
  );
});

conformance.describe('ConfigRefresh (DDF only)', () => {
  const ddfOnly = 'dmclient-csp.md has no ConfigRefresh node; the checks follow the DDF (DefaultValue, MSFT:AllowedValues ranges)';

  conformance(
    { id: 'DMC-MISC-020', title: 'ConfigRefresh defaults: Enabled false, Cadence 90, PausePeriod 0', group: 'config-refresh', nodes: [ENABLED, CADENCE, PAUSE], specConflict: ddfOnly },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, CR);
      const { initial } = await device.prepared(configRefresh);
      expect(initial.map((r) => data(r))).toEqual(['false', '90', '0']);
    },
  );

  conformance(
    { id: 'DMC-MISC-021', title: 'Cadence takes 30 and 1440 and refuses 29 and 1441', group: 'config-refresh', nodes: [CADENCE], specConflict: ddfOnly },
    async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, CR);
      const { cadence } = await device.prepared(configRefresh);
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
      const { pause } = await device.prepared(configRefresh);
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
      const { enabled } = await device.prepared(configRefresh);
      expect([code(enabled[0]), data(enabled[1]), code(enabled[2]), data(enabled[3])]).toEqual(['200', 'true', '200', 'false']);
    },
  );
});

conformance.describe('Provider settings: lost contact, upgrade server, Azure AD tokens', () => {
  const check = (id: string, title: string, path: string, reference: string, index: number, expected: string) =>
    conformance({ id, title, group: 'provider-settings', nodes: [path], reference }, async ({ device }, testInfo) => {
      requireDdfApplicable(device, testInfo, path);
      const { set, read, removed } = await device.prepared(providerSettings);
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
      const { force } = await device.prepared(providerSettings);
      // "The value is "1" and it means client should always send Azure Active Directory device token during check-in/sync."
      expect(code(force[0]), 'Replace ForceAadToken 1 (Meta.Format int)').toBe('200');
      expect(data(force[1])).toBe('1');
    },
  );
});
