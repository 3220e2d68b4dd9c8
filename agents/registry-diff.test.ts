import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffSnapshots, isEmptyDiff } from './registry-diff.js';
import type { RegistrySnapshotEntry } from './probe-schemas.js';

const K = 'HKLM:\\SOFTWARE\\Microsoft\\Enrollments\\0F3B1C2D-1111-2222-3333-444455556666';
const e = (key: string, name: string, kind: RegistrySnapshotEntry['kind'], value: RegistrySnapshotEntry['value']): RegistrySnapshotEntry => ({ key, name, kind, value });

test('added, removed and changed values and keys are told apart', () => {
  const before = {
    keys: [K, `${K}\\DMClient`, `${K}\\Old`],
    entries: [e(K, 'UPN', 'REG_SZ', 'a@b'), e(K, 'EnrollmentState', 'REG_DWORD', 1), e(`${K}\\Old`, 'X', 'REG_SZ', 'gone'), e(K, 'List', 'REG_MULTI_SZ', ['a', 'b'])],
  };
  const after = {
    keys: [K, `${K}\\DMClient`, `${K}\\DMClient\\MS DM Server`],
    entries: [e(K, 'UPN', 'REG_SZ', 'a@b'), e(K, 'EnrollmentState', 'REG_DWORD', 5), e(K, 'List', 'REG_MULTI_SZ', ['a', 'c']), e(`${K}\\DMClient\\MS DM Server`, 'EntDMID', 'REG_SZ', 'dev-1')],
  };
  const diff = diffSnapshots(before, after);
  assert.deepEqual(diff.addedKeys, [`${K}\\DMClient\\MS DM Server`]);
  assert.deepEqual(diff.removedKeys, [`${K}\\Old`]);
  assert.deepEqual(diff.added, [e(`${K}\\DMClient\\MS DM Server`, 'EntDMID', 'REG_SZ', 'dev-1')]);
  assert.deepEqual(diff.removed, [e(`${K}\\Old`, 'X', 'REG_SZ', 'gone')]);
  assert.deepEqual(diff.changed, [
    { key: K, name: 'EnrollmentState', oldKind: 'REG_DWORD', newKind: 'REG_DWORD', oldValue: 1, newValue: 5 },
    { key: K, name: 'List', oldKind: 'REG_MULTI_SZ', newKind: 'REG_MULTI_SZ', oldValue: ['a', 'b'], newValue: ['a', 'c'] },
  ]);
  assert.equal(isEmptyDiff(diff), false);
});

test('a change of kind with the same text is a change; case of names is not', () => {
  const before = { keys: [K], entries: [e(K, 'Path', 'REG_SZ', '%windir%'), e(K, 'upn', 'REG_SZ', 'x')] };
  const after = { keys: [K.toUpperCase()], entries: [e(K, 'Path', 'REG_EXPAND_SZ', '%windir%'), e(K.toUpperCase(), 'UPN', 'REG_SZ', 'x')] };
  const diff = diffSnapshots(before, after);
  assert.equal(diff.changed.length, 1);
  assert.equal(diff.changed[0]?.newKind, 'REG_EXPAND_SZ');
  assert.deepEqual([diff.added, diff.removed, diff.addedKeys, diff.removedKeys], [[], [], [], []]);
});

test('identical snapshots give an empty diff', () => {
  const snap = { keys: [K], entries: [e(K, '', 'REG_NONE', null), e(K, 'Q', 'REG_QWORD', '18446744073709551615')] };
  assert.equal(isEmptyDiff(diffSnapshots(snap, structuredClone(snap))), true);
});
