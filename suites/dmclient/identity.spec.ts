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
import { conformance, expect } from '../../fixtures/conformance.js';
import { code, data, type RegistrySnapshot } from './support.js';
import { HELP, identity, P } from './identity.steps.js';

type Help = (typeof HELP)[number];

/** Every value name and data under the snapshot's keys, for "is this value kept anywhere in the enrollment". */
const holds = (snapshot: RegistrySnapshot, value: string): boolean =>
  snapshot.entries.some((e) => (Array.isArray(e.value) ? e.value.includes(value) : String(e.value) === value));

conformance.describe('identity and help nodes', () => {
  const spec = (id: string, title: string, node: string, reference: string | undefined, specConflict?: string) => ({
    id, title, group: 'identity', nodes: [node],
    ...(reference === undefined ? {} : { reference }), ...(specConflict === undefined ? {} : { specConflict }),
  });

  conformance(spec('DMC-IDENT-001', 'EntDMID reads back a non-empty value the enrollment keeps', `${P}/EntDMID`, 'provider-providerid-entdmid',
    'supported operations: DDF Add,Delete,Get,Replace; reference Add,Get'), async ({ device }) => {
    const { read, written, snapshots } = await device.prepared(identity);
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
    'provider-providerid-entdevicename', 'supported operations: DDF Add,Delete,Get,Replace; reference Add,Get (Replace is used when a name exists)'), async ({ device }) => {
    const { written, snapshots } = await device.prepared(identity);
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
      const { read } = await device.prepared(identity);
      const r = read.get(`${P}/${name}`);
      expect(['200', '404'], `Get ${name} (${note})`).toContain(code(r));
      if (code(r) === '200') expect(typeof device.anyNode(`${P}/${name}`).decode(r!.results[0]?.Data)).toBe('string');
    });
  }

  conformance(spec('DMC-IDENT-006', 'PublisherDeviceID answers Get with a string or 404', `${P}/PublisherDeviceID`, undefined), async ({ device }) => {
    const { read } = await device.prepared(identity);
    expect(['200', '404'], 'Get PublisherDeviceID').toContain(code(read.get(`${P}/PublisherDeviceID`)));
  });

  conformance(spec('DMC-IDENT-007', 'UPN takes a new user principal name; the enrollment records it', `${P}/UPN`, 'provider-providerid-upn',
    'supported operations: DDF Add,Get,Replace; reference Get,Replace'), async ({ device }) => {
    const { read, written, enrollmentUpn } = await device.prepared(identity);
    const w = written.get(`${P}/UPN`)!;
    expect(code(w.write), 'Replace UPN').toBe('200');
    expect(data(w.get)).toBe(w.value);
    // "The UPN will be recorded": Enrollments\<GUID>\UPN, read through the enrollments probe.
    expect(enrollmentUpn, 'UPN of the enrollment (HKLM\\SOFTWARE\\Microsoft\\Enrollments\\<GUID>)').toBe(w.value);
  });

  HELP.forEach((name: Help, i) => {
    conformance(spec(`DMC-IDENT-${String(8 + i).padStart(3, '0')}`, `${name}: Replace shows, Delete removes (no stale value left)`, `${P}/${name}`,
      `provider-providerid-${name.toLowerCase()}`, 'supported operations: DDF Add,Delete,Get,Replace; reference Delete,Get,Replace'), async ({ device }) => {
    const { written, deleted, snapshots } = await device.prepared(identity);
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

  conformance(spec('DMC-IDENT-011', 'CommercialID: Add or Replace, Get and Delete take effect', `${P}/CommercialID`, 'provider-providerid-commercialid'), async ({ device }) => {
    const { written, deleted, snapshots } = await device.prepared(identity);
    const w = written.get(`${P}/CommercialID`)!;
    expect(code(w.write), `${w.write.command.kind} CommercialID`).toBe('200');
    expect(data(w.get)).toBe(w.value);
    const d = deleted.get(`${P}/CommercialID`)!;
    expect(code(d.del), 'Delete CommercialID').toBe('200');
    expect(code(d.get), 'Get CommercialID after Delete').toBe('404');
    expect(holds(snapshots.deleted, w.value), 'no registry value still holds the deleted CommercialID').toBe(false);
  });

  conformance({ ...spec('DMC-IDENT-012', 'HWDevID answers on both paths with the same hardware ID and refuses Replace', 'HWDevID', 'hwdevid'),
    nodes: ['HWDevID', `${P}/HWDevID`] }, async ({ device }) => {
    const { read, replaceOnGetOnly } = await device.prepared(identity);
    const root = read.get('HWDevID');
    const provider = read.get(`${P}/HWDevID`);
    expect(code(root), 'Get ./Vendor/MSFT/DMClient/HWDevID').toBe('200');
    expect(code(provider), 'Get Provider/{ProviderID}/HWDevID').toBe('200');
    expect(data(root)!.length).toBeGreaterThan(0);
    expect(data(provider), 'both return "the hardware device ID"').toBe(data(root));
    expect(code(replaceOnGetOnly.get('HWDevID')), 'Replace on the Get-only root HWDevID').toBe('405');
    expect(code(replaceOnGetOnly.get(`${P}/HWDevID`)), 'Replace on the Get-only Provider HWDevID').toBe('405');
  });

  conformance(spec('DMC-IDENT-013', 'AADDeviceID answers Get and refuses Replace', `${P}/AADDeviceID`, 'provider-providerid-aaddeviceid'), async ({ device }) => {
    const { read, replaceOnGetOnly } = await device.prepared(identity);
    expect(['200', '404'], 'Get AADDeviceID (a device not joined to Azure AD may have none)').toContain(code(read.get(`${P}/AADDeviceID`)));
    expect(['405', ...(code(read.get(`${P}/AADDeviceID`)) === '404' ? ['404'] : [])]).toContain(code(replaceOnGetOnly.get(`${P}/AADDeviceID`)));
  });

  conformance(spec('DMC-IDENT-014', 'EnrollmentType reads Device or Full and refuses Replace', `${P}/EnrollmentType`, 'provider-providerid-enrollmenttype'), async ({ device }) => {
    const { read, replaceOnGetOnly } = await device.prepared(identity);
    const r = read.get(`${P}/EnrollmentType`);
    expect(code(r), 'Get EnrollmentType').toBe('200');
    expect(['Device', 'Full'], '"Returns the enrollment type (Device or Full)"').toContain(data(r));
    expect(code(replaceOnGetOnly.get(`${P}/EnrollmentType`)), 'Replace EnrollmentType').toBe('405');
  });

  conformance(spec('DMC-IDENT-015', 'MaxSyncApplicationVersion is Get only: a Replace neither succeeds nor changes it',
    `${P}/MaxSyncApplicationVersion`, 'provider-providerid-maxsyncapplicationversion'), async ({ device }) => {
    const { read, replaceOnGetOnly, maxAfter } = await device.prepared(identity);
    // Which value it reads (2.0, or 5.0 and later on multi-session) is DMC-SYNCVER-001's check; here, that it stays.
    const before = read.get(`${P}/MaxSyncApplicationVersion`);
    expect(code(before), 'Get MaxSyncApplicationVersion').toBe('200');
    expect(code(replaceOnGetOnly.get(`${P}/MaxSyncApplicationVersion`)), 'Replace on the Get-only MaxSyncApplicationVersion').toBe('405');
    expect(data(maxAfter), 'MaxSyncApplicationVersion after the refused Replace').toBe(data(before));
  });
});
