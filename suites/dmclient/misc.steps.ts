/**
 * The preparation of misc.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts). Each
 * describe block's commands in as few sessions as their order allows: within a session the device applies the
 * commands one after the other, so a Replace and the Get after it read the value the Replace left.
 */
import { prepare, type CommandResult } from '../../fixtures/conformance.js';
import { enrollmentRegistryRoots, marker, type RegistrySnapshot } from './support.js';

export const P = 'Provider/{ProviderID}';

export const PAGE = `${P}/CustomEnrollmentCompletePage` as const;
export const PAGE_LEAVES = ['Title', 'BodyText', 'HyperlinkHref', 'HyperlinkText'] as const;

export interface PageRun {
  tag: string;
  values: Record<(typeof PAGE_LEAVES)[number], string>;
  added: CommandResult[];
  read: CommandResult[];
  removed: CommandResult[];
  registry: { before: RegistrySnapshot; after: RegistrySnapshot };
}

/** Two sessions: a clean start, the Add and the read-back; after the registry snapshot, the Delete. */
export const page = prepare('misc/custom-enrollment-complete-page', ['DMC-MISC-001', 'DMC-MISC-002', 'DMC-MISC-003'], async ({ device, agent }): Promise<PageRun> => {
  const tag = marker('page');
  const values: PageRun['values'] = {
    Title: `Welcome to DMC (${tag})`,
    BodyText: 'Your device is now managed by the conformance harness.',
    HyperlinkHref: 'https://help.example.invalid/dmc',
    HyperlinkText: 'Help',
  };
  const leaf = (l: (typeof PAGE_LEAVES)[number]) => device.node(`${PAGE}/${l}`);
  const roots = enrollmentRegistryRoots(device.enrollmentId);
  const before = await agent.snapshotRegistry(roots);
  // A clean start: the page node removed if an earlier run left it (200 or 404 are both fine here).
  const first = await device.sync([
    device.node(PAGE).delete(),
    device.node(PAGE).add(), ...PAGE_LEAVES.map((l) => leaf(l).add(values[l])),
    ...PAGE_LEAVES.map((l) => leaf(l).get()),
  ]);
  const after = await agent.snapshotRegistry(roots);
  const removed = await device.sync([device.node(PAGE).delete(), leaf('Title').get()]);
  return { tag, values, added: first.slice(1, 6), read: first.slice(6), removed, registry: { before, after } };
});

export const EALS = `${P}/EnhancedAppLayerSecurity` as const;
export const MODE = `${EALS}/SecurityMode` as const;
export const OFFLINE = `${EALS}/UseCertIfRevocationCheckOffline` as const;

/** One session: the starting values, every mode and back to 0 ("no op", so the device never stays signing or encrypting), the offline flag. */
export const appLayerSecurity = prepare('misc/enhanced-app-layer-security', ['DMC-MISC-010', 'DMC-MISC-011', 'DMC-MISC-012', 'DMC-MISC-013'], async ({ device }) => {
  const m = device.node(MODE);
  const o = device.node(OFFLINE);
  const r = await device.sync([
    m.get(), o.get(),
    m.replace(1), m.get(), m.replace(2), m.get(), m.replace(3), m.get(), m.unchecked.replace('4'), m.get(), m.replace(0), m.get(),
    o.replace(false), o.get(), o.replace(true), o.get(),
  ]);
  return { initial: r.slice(0, 2), modes: r.slice(2, 12), offline: r.slice(12) };
});

export const CR = `${P}/ConfigRefresh` as const;
export const CR_ENABLED = `${CR}/Enabled` as const;
export const CR_CADENCE = `${CR}/Cadence` as const;
export const CR_PAUSE = `${CR}/PausePeriod` as const;

/** Two sessions: is ConfigRefresh there; then (Add if not) the defaults, Cadence, PausePeriod and Enabled. */
export const configRefresh = prepare('misc/config-refresh', ['DMC-MISC-020', 'DMC-MISC-021', 'DMC-MISC-022', 'DMC-MISC-023'], async ({ device }) => {
  const exists = (await device.sync([device.node(CR).get()]))[0];
  const c = device.node(CR_CADENCE);
  const p = device.node(CR_PAUSE);
  const e = device.node(CR_ENABLED);
  const add = exists?.status?.code === '404' ? [device.node(CR).add()] : [];
  const r = (await device.sync([
    ...add,
    e.get(), c.get(), p.get(),
    c.replace(30), c.get(), c.replace(1440), c.get(), c.unchecked.replace('29'), c.get(), c.unchecked.replace('1441'), c.get(), c.replace(90), c.get(),
    p.replace(1440), p.get(), p.unchecked.replace('1441'), p.get(), p.replace(0), p.get(),
    e.replace(true), e.get(), e.replace(false), e.get(),
  ])).slice(add.length);
  return { initial: r.slice(0, 3), cadence: r.slice(3, 13), pause: r.slice(13, 19), enabled: r.slice(19) };
});

export const DAYS = `${P}/NumberOfDaysAfterLostContactToUnenroll` as const;
export const UPGRADE = `${P}/ManagementServerToUpgradeTo` as const;
export const AAD_SEND = `${P}/AADSendDeviceToken` as const;
export const FORCE = `${P}/ForceAadToken` as const;
/** Far above any run's length: the device must not unenroll itself during the run. */
export const DAYS_VALUE = 365;
export const UPGRADE_URL = 'https://upgrade.example.invalid/EnrollmentServer/Discovery.svc';

/** One session: from absent values (Delete is supported on all three), Add, read, Delete, read; then ForceAadToken. */
export const providerSettings = prepare(
  'misc/provider-settings',
  ['DMC-MISC-030', 'DMC-MISC-031', 'DMC-MISC-032', 'DMC-MISC-033'],
  async ({ device }) => {
    const three = [DAYS, UPGRADE, AAD_SEND] as const;
    const r = await device.sync([
      ...three.map((x) => device.node(x).delete()),
      device.node(DAYS).add(DAYS_VALUE), device.node(UPGRADE).add(UPGRADE_URL), device.node(AAD_SEND).add(true),
      ...three.map((x) => device.node(x).get()),
      ...three.map((x) => device.node(x).delete()),
      ...three.map((x) => device.node(x).get()),
      // ForceAadToken as the reference has it: an integer, value 1.
      device.node(FORCE).unchecked.replace('1', { meta: { Format: 'int' } }), device.node(FORCE).get(), device.node(FORCE).delete(),
    ]);
    return { set: r.slice(3, 6), read: r.slice(6, 9), removed: r.slice(9, 15), force: r.slice(15) };
  },
);

export const steps = [page, appLayerSecurity, configRefresh, providerSettings];
