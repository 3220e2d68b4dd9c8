/**
 * Identity and help nodes of Provider/{ProviderID} (dmclient-csp.md): what identifies the device to the server
 * (EntDMID, EntDeviceName, ExchangeID, SignedEntDMID, CertRenewTimeStamp, PublisherDeviceID, UPN, HWDevID on both
 * paths, AADDeviceID, EnrollmentType, MaxSyncApplicationVersion) and what the user sees for help (HelpPhoneNumber,
 * HelpWebsite, HelpEmailAddress, CommercialID). Where the device state keeps a value, the agent's registry
 * snapshot of the enrollment's keys shows it.
 *
 * Sessions: one read, one write-and-read-back, one delete-and-restore (three for the group), with a registry
 * snapshot before, between and after.
 */
import { conformance, expect, type CommandResult } from '../../fixtures/conformance.js';
import { code, data, enrollmentRegistryRoots, marker, type RegistrySnapshot } from './support.js';

const P = 'Provider/{ProviderID}';
const HELP = ['HelpPhoneNumber', 'HelpWebsite', 'HelpEmailAddress'] as const;
type Help = (typeof HELP)[number];

/** Every value name and data under the snapshot's keys, for "is this value kept anywhere in the enrollment". */
const holds = (snapshot: RegistrySnapshot, value: string): boolean =>
  snapshot.entries.some((e) => (Array.isArray(e.value) ? e.value.includes(value) : String(e.value) === value));

conformance.describe('identity and help nodes', () => {
  const read = new Map<string, CommandResult>();
  const replaceOnGetOnly = new Map<string, CommandResult>();
  const written = new Map<string, { value: string; write: CommandResult; get: CommandResult }>();
  const deleted = new Map<string, { del: CommandResult; get: CommandResult }>();
  let maxAfter: CommandResult;
  let snapshots: { before: RegistrySnapshot; written: RegistrySnapshot; deleted: RegistrySnapshot };
  let enrollmentUpn: string | null | undefined;

  conformance.beforeAll(async ({ device, agent }) => {
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
  });

  const spec = (id: string, title: string, node: string, reference: string | undefined, specConflict?: string) => ({
    id, title, group: 'identity', nodes: [node],
    ...(reference === undefined ? {} : { reference }), ...(specConflict === undefined ? {} : { specConflict }),
  });

  conformance(spec('DMC-IDENT-001', 'EntDMID reads back a non-empty value the enrollment keeps', `${P}/EntDMID`, 'provider-providerid-entdmid',
    'supported operations: DDF Add,Delete,Get,Replace; reference Add,Get'), async () => {
    const w = written.get(`${P}/EntDMID`);
    const r = w?.get ?? read.get(`${P}/EntDMID`);
    if (w !== undefined) expect(code(w.write), 'Add EntDMID (the enrollment did not set one)').toBe('200');
    expect(code(r), 'Get EntDMID').toBe('200');
    const value = data(r)!;
    if (w !== undefined) expect(value).toBe(w.value);
    expect(value.length, 'EntDMID "must be set by the server before the client certificate renewal"').toBeGreaterThan(0);
    const snapshot = w === undefined ? snapshots.before : snapshots.written;
    expect(holds(snapshot, value), `a registry value under the enrollment's keys holds EntDMID ${value}`).toBe(true);
  });

  conformance(spec('DMC-IDENT-002', 'EntDeviceName takes a name and reads it back; the registry keeps it', `${P}/EntDeviceName`,
    'provider-providerid-entdevicename', 'supported operations: DDF Add,Delete,Get,Replace; reference Add,Get (Replace is used when a name exists)'), async () => {
    const w = written.get(`${P}/EntDeviceName`)!;
    expect(code(w.write), `${w.write.command.kind} EntDeviceName`).toBe('200');
    expect(data(w.get)).toBe(w.value);
    expect(holds(snapshots.written, w.value), 'the new name is under the enrollment\'s keys').toBe(true);
  });

  for (const [id, name, note] of [
    ['DMC-IDENT-003', 'ExchangeID', 'may be "not found until the user sets up their email"'],
    ['DMC-IDENT-004', 'SignedEntDMID', 'saved at certificate renewal'],
    ['DMC-IDENT-005', 'CertRenewTimeStamp', 'recorded at certificate renewal'],
  ] as const) {
    conformance(spec(id, `${name} is read-only: Get answers a string or 404, Replace is refused`, `${P}/${name}`, `provider-providerid-${name.toLowerCase()}`,
      'supported operations: DDF Add,Delete,Get,Replace; reference Get'), async ({ device }) => {
      const r = read.get(`${P}/${name}`);
      expect(['200', '404'], `Get ${name} (${note})`).toContain(code(r));
      if (code(r) === '200') expect(typeof device.anyNode(`${P}/${name}`).decode(r!.results[0]?.Data)).toBe('string');
    });
  }

  conformance(spec('DMC-IDENT-006', 'PublisherDeviceID answers Get with a string or 404', `${P}/PublisherDeviceID`, undefined), async () => {
    expect(['200', '404'], 'Get PublisherDeviceID').toContain(code(read.get(`${P}/PublisherDeviceID`)));
  });

  conformance(spec('DMC-IDENT-007', 'UPN takes a new user principal name; the enrollment records it', `${P}/UPN`, 'provider-providerid-upn',
    'supported operations: DDF Add,Get,Replace; reference Get,Replace'), async () => {
    const w = written.get(`${P}/UPN`)!;
    expect(code(w.write), 'Replace UPN').toBe('200');
    expect(data(w.get)).toBe(w.value);
    // "The UPN will be recorded": Enrollments\<GUID>\UPN, read through the enrollments probe.
    expect(enrollmentUpn, 'UPN of the enrollment (HKLM\\SOFTWARE\\Microsoft\\Enrollments\\<GUID>)').toBe(w.value);
  });

  HELP.forEach((name: Help, i) => {
    conformance(spec(`DMC-IDENT-${String(8 + i).padStart(3, '0')}`, `${name}: Replace shows, Delete removes (no stale value left)`, `${P}/${name}`,
      `provider-providerid-${name.toLowerCase()}`, 'supported operations: DDF Add,Delete,Get,Replace; reference Delete,Get,Replace'), async () => {
      const w = written.get(`${P}/${name}`)!;
      expect(code(w.write), `${w.write.command.kind} ${name}`).toBe('200');
      expect(data(w.get), `Get ${name} after the write`).toBe(w.value);
      expect(holds(snapshots.written, w.value), `${name} is kept under the enrollment's keys`).toBe(true);
      const d = deleted.get(`${P}/${name}`)!;
      expect(code(d.del), `Delete ${name}`).toBe('200');
      expect(code(d.get), `Get ${name} after Delete`).toBe('404');
      expect(holds(snapshots.deleted, w.value), `no registry value still holds the deleted ${name}`).toBe(false);
    });
  });

  conformance(spec('DMC-IDENT-011', 'CommercialID: Add or Replace, Get and Delete take effect', `${P}/CommercialID`, 'provider-providerid-commercialid'), async () => {
    const w = written.get(`${P}/CommercialID`)!;
    expect(code(w.write), `${w.write.command.kind} CommercialID`).toBe('200');
    expect(data(w.get)).toBe(w.value);
    const d = deleted.get(`${P}/CommercialID`)!;
    expect(code(d.del), 'Delete CommercialID').toBe('200');
    expect(code(d.get), 'Get CommercialID after Delete').toBe('404');
    expect(holds(snapshots.deleted, w.value), 'no registry value still holds the deleted CommercialID').toBe(false);
  });

  conformance({ ...spec('DMC-IDENT-012', 'HWDevID answers on both paths with the same hardware ID and refuses Replace', 'HWDevID', 'hwdevid'),
    nodes: ['HWDevID', `${P}/HWDevID`] }, async () => {
    const root = read.get('HWDevID');
    const provider = read.get(`${P}/HWDevID`);
    expect(code(root), 'Get ./Vendor/MSFT/DMClient/HWDevID').toBe('200');
    expect(code(provider), 'Get Provider/{ProviderID}/HWDevID').toBe('200');
    expect(data(root)!.length).toBeGreaterThan(0);
    expect(data(provider), 'both return "the hardware device ID"').toBe(data(root));
    expect(code(replaceOnGetOnly.get('HWDevID')), 'Replace on the Get-only root HWDevID').toBe('405');
    expect(code(replaceOnGetOnly.get(`${P}/HWDevID`)), 'Replace on the Get-only Provider HWDevID').toBe('405');
  });

  conformance(spec('DMC-IDENT-013', 'AADDeviceID answers Get and refuses Replace', `${P}/AADDeviceID`, 'provider-providerid-aaddeviceid'), async () => {
    expect(['200', '404'], 'Get AADDeviceID (a device not joined to Azure AD may have none)').toContain(code(read.get(`${P}/AADDeviceID`)));
    expect(['405', ...(code(read.get(`${P}/AADDeviceID`)) === '404' ? ['404'] : [])]).toContain(code(replaceOnGetOnly.get(`${P}/AADDeviceID`)));
  });

  conformance(spec('DMC-IDENT-014', 'EnrollmentType reads Device or Full and refuses Replace', `${P}/EnrollmentType`, 'provider-providerid-enrollmenttype'), async () => {
    const r = read.get(`${P}/EnrollmentType`);
    expect(code(r), 'Get EnrollmentType').toBe('200');
    expect(['Device', 'Full'], '"Returns the enrollment type (Device or Full)"').toContain(data(r));
    expect(code(replaceOnGetOnly.get(`${P}/EnrollmentType`)), 'Replace EnrollmentType').toBe('405');
  });

  conformance(spec('DMC-IDENT-015', 'MaxSyncApplicationVersion reads 2.0 and a Replace neither succeeds nor changes it',
    `${P}/MaxSyncApplicationVersion`, 'provider-providerid-maxsyncapplicationversion'), async () => {
    expect(data(read.get(`${P}/MaxSyncApplicationVersion`)), '"a Windows 10 client will return 2.0"').toBe('2.0');
    expect(code(replaceOnGetOnly.get(`${P}/MaxSyncApplicationVersion`)), 'Replace on the Get-only MaxSyncApplicationVersion').toBe('405');
    expect(data(maxAfter), 'MaxSyncApplicationVersion after the refused Replace').toBe('2.0');
  });
});
