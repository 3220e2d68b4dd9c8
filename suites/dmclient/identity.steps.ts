/**
 * The preparation of identity.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts).
 * Three sessions: every read (and a Replace on each Get-only node), a marker written into each writable node, the
 * help values and CommercialID deleted with the rest put back; a fourth puts back help values that were there
 * before. A registry snapshot before, between and after.
 */
import { prepare, type CommandResult } from '../../fixtures/conformance.js';
import { code, data, enrollmentRegistryRoots, marker, type RegistrySnapshot } from './support.js';

export const P = 'Provider/{ProviderID}';
export const HELP = ['HelpPhoneNumber', 'HelpWebsite', 'HelpEmailAddress'] as const;

export interface IdentityRun {
  read: Map<string, CommandResult>;
  replaceOnGetOnly: Map<string, CommandResult>;
  written: Map<string, { value: string; write: CommandResult; get: CommandResult }>;
  deleted: Map<string, { del: CommandResult; get: CommandResult }>;
  maxAfter: CommandResult;
  snapshots: { before: RegistrySnapshot; written: RegistrySnapshot; deleted: RegistrySnapshot };
  enrollmentUpn: string | null | undefined;
}

export const identity = prepare(
  'identity/identity-and-help',
  Array.from({ length: 15 }, (_, i) => `DMC-IDENT-${String(i + 1).padStart(3, '0')}`),
  async ({ device, agent }): Promise<IdentityRun> => {
    const read = new Map<string, CommandResult>();
    const replaceOnGetOnly = new Map<string, CommandResult>();
    const written = new Map<string, { value: string; write: CommandResult; get: CommandResult }>();
    const deleted = new Map<string, { del: CommandResult; get: CommandResult }>();
    let maxAfter: CommandResult | undefined;
    let snapshots: { before: RegistrySnapshot; written: RegistrySnapshot; deleted: RegistrySnapshot } | undefined;
    let enrollmentUpn: string | null | undefined;

    const roots = enrollmentRegistryRoots(device.enrollmentId);
    const n = (path: string) => device.anyNode(path);
    const readPaths = [
      ...['EntDeviceName', 'EntDMID', 'ExchangeID', 'SignedEntDMID', 'CertRenewTimeStamp', 'PublisherDeviceID', 'UPN', ...HELP,
        'CommercialID', 'HWDevID', 'AADDeviceID', 'EnrollmentType', 'MaxSyncApplicationVersion'].map((x) => `${P}/${x}`),
      'HWDevID',
    ];
    const getOnly = ['HWDevID', `${P}/HWDevID`, `${P}/AADDeviceID`, `${P}/EnrollmentType`, `${P}/MaxSyncApplicationVersion`];
    const before = await agent.snapshotRegistry(roots);
    // Session 1: every read, and a Replace on each node both sources call Get-only (it must change nothing).
    const r1 = await device.sync([
      ...readPaths.map((p) => n(p).get()),
      ...getOnly.map((p) => n(p).unchecked.replace('dmc-identity-probe', { meta: { Format: 'chr' } })),
      n(`${P}/MaxSyncApplicationVersion`).get(),
    ]);
    readPaths.forEach((p, i) => read.set(p, r1[i]!));
    getOnly.forEach((p, i) => replaceOnGetOnly.set(p, r1[readPaths.length + i]!));
    maxAfter = r1.at(-1)!;

    // Session 2: write a marker into each writable node (Add where it is absent, Replace where it holds a value).
    // EntDMID "is set by the management server during the enrollment": this harness's enrollment does not, so the
    // test sets it (Add, in both sources) when it is absent, as a server would, and leaves it set.
    const entDmid = code(read.get(`${P}/EntDMID`)) === '200' ? [] : ['EntDMID'];
    const writable = ['EntDeviceName', 'UPN', ...HELP, 'CommercialID', ...entDmid].map((x) => `${P}/${x}`);
    const values = new Map(writable.map((p) => [p, p.endsWith('UPN') ? `${marker('upn')}@example.com` : marker(p.split('/').at(-1)!.toLowerCase())]));
    const drafts = writable.flatMap((p) => {
      const value = values.get(p)!;
      const exists = code(read.get(p)) === '200';
      const write = exists || p.endsWith('UPN') ? n(p).unchecked.replace(value) : n(p).unchecked.add(value);
      return [write, n(p).get()];
    });
    const r2 = await device.sync(drafts);
    writable.forEach((p, i) => written.set(p, { value: values.get(p)!, write: r2[2 * i]!, get: r2[2 * i + 1]! }));
    const afterWrite = await agent.snapshotRegistry(roots);
    enrollmentUpn = (await agent.enrollments()).find((e) => e.EnrollmentId.toUpperCase() === device.enrollmentId.toUpperCase())?.UPN;

    // Session 3: delete the help values and CommercialID (Delete is theirs in both sources), put the rest back.
    const deletable = [...HELP, 'CommercialID'].map((x) => `${P}/${x}`);
    const restore = ['EntDeviceName', 'UPN']
      .map((x) => `${P}/${x}`)
      .flatMap((p) => (code(read.get(p)) === '200' ? [n(p).unchecked.replace(data(read.get(p)) ?? '')] : []));
    const r3 = await device.sync([...deletable.flatMap((p) => [n(p).unchecked.delete(), n(p).get()]), ...restore]);
    deletable.forEach((p, i) => deleted.set(p, { del: r3[2 * i]!, get: r3[2 * i + 1]! }));
    const afterDelete = await agent.snapshotRegistry(roots);
    // Help values that were there before go back too (a session of its own: state order matters).
    const helpBack = deletable.filter((p) => code(read.get(p)) === '200');
    if (helpBack.length > 0) await device.sync(helpBack.map((p) => n(p).unchecked.add(data(read.get(p)) ?? '')));
    snapshots = { before, written: afterWrite, deleted: afterDelete };
    return { read, replaceOnGetOnly, written, deleted, maxAfter: maxAfter!, snapshots: snapshots!, enrollmentUpn };
  },
);

export const steps = [identity];
