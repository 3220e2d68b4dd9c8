import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBES, PROBE_NAMES } from './probe-catalog.js';
import { probeSchemas } from './probe-schemas.js';
import { cannedOutput } from './test-support/canned-outputs.js';

const sampleArgs = {
  Path: 'HKLM:\\SOFTWARE\\Microsoft\\Enrollments', Name: 'UPN', Paths: ['HKLM:\\SOFTWARE\\Microsoft\\Enrollments'],
  TaskPath: '\\Microsoft\\Windows\\EnterpriseMgmt\\0F3B1C2D-1111-2222-3333-444455556666\\', StorePath: 'Cert:\\LocalMachine\\My',
  LogName: 'System', Since: '2026-11-28T17:00:00.000Z', EnrollmentId: '0F3B1C2D-1111-2222-3333-444455556666',
  DiscoveryUrl: 'https://mdm.example/EnrollmentServer/Discovery.svc', User: 'u@example', Password: 'x', Certificate: 'MIIB',
};

test('the catalogue and the schemas cover the same probes, each output naming its probe', () => {
  assert.deepEqual(Object.keys(probeSchemas).sort(), [...PROBE_NAMES].sort());
  for (const name of PROBE_NAMES) {
    const sample = cannedOutput(name, sampleArgs);
    assert.equal(PROBES[name].schema.safeParse(sample).success, true, name);
    assert.equal(PROBES[name].schema.safeParse({ ...sample, probe: 'other' }).success, false, `${name} accepts another probe name`);
  }
});

test('times as PowerShell writes them (7 fractional digits, Z or offset) pass; local times without a zone do not', () => {
  const base = cannedOutput('scheduled-tasks', { TaskPath: '\\Microsoft\\Windows\\EnterpriseMgmt\\X\\' });
  const task = base.tasks[0]!;
  for (const time of ['2026-11-28T17:03:00.1234567Z', '2026-11-28T18:03:00+01:00', '2026-11-28T17:03:00Z']) {
    assert.equal(probeSchemas['scheduled-tasks'].safeParse({ ...base, tasks: [{ ...task, LastRunTime: time }] }).success, true, time);
  }
  assert.equal(probeSchemas['scheduled-tasks'].safeParse({ ...base, tasks: [{ ...task, LastRunTime: '2026-11-28 17:03:00' }] }).success, false);
});

test('registry values keep their kinds apart and HRESULTs are signed 32-bit', () => {
  const read = cannedOutput('registry-read', { Path: 'HKLM:\\SOFTWARE\\X', Name: 'V' });
  assert.equal(probeSchemas['registry-read'].safeParse({ ...read, kind: 'REG_MULTI_SZ', value: ['a', 'b'] }).success, true);
  assert.equal(probeSchemas['registry-read'].safeParse({ ...read, kind: 'REG_LINK', value: 'x' }).success, false);
  assert.equal(probeSchemas['registry-read'].safeParse({ ...read, path: 'HKEY_LOCAL_MACHINE\\SOFTWARE' }).success, false);
  const sync = cannedOutput('trigger-sync', { EnrollmentId: '0F3B1C2D-1111-2222-3333-444455556666' });
  assert.equal(probeSchemas['trigger-sync'].safeParse({ ...sync, hresult: -2147417850 }).success, true, '0x80010106 as .NET holds it');
  assert.equal(probeSchemas['trigger-sync'].safeParse({ ...sync, hresult: 0x80010106 }).success, false, 'unsigned form is refused');
  assert.equal(probeSchemas['trigger-sync'].safeParse({ ...sync, enrollmentId: 'not-a-guid' }).success, false);
});

test('the catalogue marks the password secret and the SYSTEM-task probes as waiting', () => {
  assert.deepEqual(PROBES.enroll.params.filter((p) => p.secret).map((p) => p.name), ['Password']);
  assert.deepEqual(PROBE_NAMES.filter((n) => PROBES[n].waitsForTask).sort(), ['certificates', 'enroll', 'trigger-sync', 'unenroll']);
});
