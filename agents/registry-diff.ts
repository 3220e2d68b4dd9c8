/**
 * What a command changed in the registry: the difference of two `registry-snapshot` outputs, computed here rather
 * than on the device so the same code judges real Windows and the virtual device.
 *
 * Registry key and value names compare case-insensitively, as Windows compares them.
 */
import type { RegistryKind, RegistrySnapshot, RegistrySnapshotEntry, RegistryValue } from './probe-schemas.js';

export interface RegistryChange {
  key: string;
  name: string;
  oldKind: RegistryKind;
  newKind: RegistryKind;
  oldValue: RegistryValue;
  newValue: RegistryValue;
}

export interface RegistryDiff {
  addedKeys: string[];
  removedKeys: string[];
  added: RegistrySnapshotEntry[];
  removed: RegistrySnapshotEntry[];
  changed: RegistryChange[];
}

type SnapshotLike = Pick<RegistrySnapshot, 'keys' | 'entries'>;

const entryId = (e: { key: string; name: string }): string => `${e.key.toLowerCase()}\u0000${e.name.toLowerCase()}`;

function sameValue(a: RegistryValue, b: RegistryValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => item === b[i]);
  }
  return a === b;
}

export function diffSnapshots(before: SnapshotLike, after: SnapshotLike): RegistryDiff {
  const beforeKeys = new Set(before.keys.map((k) => k.toLowerCase()));
  const afterKeys = new Set(after.keys.map((k) => k.toLowerCase()));
  const beforeEntries = new Map(before.entries.map((e) => [entryId(e), e]));
  const afterEntries = new Map(after.entries.map((e) => [entryId(e), e]));
  const changed: RegistryChange[] = [];
  for (const [id, next] of afterEntries) {
    const previous = beforeEntries.get(id);
    if (previous !== undefined && (previous.kind !== next.kind || !sameValue(previous.value, next.value))) {
      changed.push({
        key: next.key,
        name: next.name,
        oldKind: previous.kind,
        newKind: next.kind,
        oldValue: previous.value,
        newValue: next.value,
      });
    }
  }
  return {
    addedKeys: after.keys.filter((k) => !beforeKeys.has(k.toLowerCase())),
    removedKeys: before.keys.filter((k) => !afterKeys.has(k.toLowerCase())),
    added: after.entries.filter((e) => !beforeEntries.has(entryId(e))),
    removed: before.entries.filter((e) => !afterEntries.has(entryId(e))),
    changed,
  };
}

/** True when the diff records no change at all. */
export function isEmptyDiff(diff: RegistryDiff): boolean {
  return Object.values(diff).every((list: unknown[]) => list.length === 0);
}
