/**
 * The access-type matrix as data: for every catalogue node, the commands that check each DDF access type and the
 * rule each answer must meet. Two sessions in all: the first reads every node (what is there, in which format),
 * the second writes, reads back, sends the forbidden operations and restores what it changed, node after node in
 * document order, so each node's commands see the state its own earlier commands left.
 *
 * Values written: a node whose change alters how the device reaches or trusts the server (addresses, signing, the
 * one-way session version, the poll schedule, ConfigLock, Recovery, app-layer security, identity) is only ever
 * given the value it already holds; others get a distinct valid value, and their first value is put back at the
 * end. Interior nodes are never deleted unless this matrix created them.
 */
import type { AnyNodeCommands, CatalogNode, CommandDraft, CommandResult, ConformanceDevice } from '../../fixtures/conformance.js';

/** Exec nodes with their own serial suites, run apart: executing them unenrolls, enrolls or recovers the device. */
export const DESTRUCTIVE = new Set([
  'Unenroll',
  'Provider/{ProviderID}/Unenroll',
  'Provider/{ProviderID}/LinkedEnrollment/Enroll',
  'Provider/{ProviderID}/LinkedEnrollment/Unenroll',
  'Provider/{ProviderID}/Recovery/InitiateRecovery',
]);

/** Nodes written only with the value they hold (see the file comment); a value here is used when they hold none. */
const KEEP_VALUE = new Map<string, string | undefined>([
  ['UpdateManagementServiceAddress', undefined],
  ['Provider/{ProviderID}/ManagementServiceAddress', undefined],
  ['Provider/{ProviderID}/ManagementServerAddressList', undefined],
  ['Provider/{ProviderID}/RequireMessageSigning', 'false'],
  ['Provider/{ProviderID}/SyncApplicationVersion', undefined],
  ['Provider/{ProviderID}/EntDMID', undefined],
  ['Provider/{ProviderID}/UPN', undefined],
  ['Provider/{ProviderID}/NumberOfDaysAfterLostContactToUnenroll', undefined],
  ['Provider/{ProviderID}/EnhancedAppLayerSecurity/SecurityMode', '0'],
  ['Provider/{ProviderID}/ConfigLock/Lock', '0'],
  ['Provider/{ProviderID}/ConfigLock/UnlockDuration', undefined],
  ['Provider/{ProviderID}/Recovery/AllowRecovery', '0'],
  ['Provider/{ProviderID}/ConfigRefresh/Enabled', 'false'],
  ...['IntervalForFirstSetOfRetries', 'NumberOfFirstRetries', 'IntervalForSecondSetOfRetries', 'NumberOfSecondRetries',
    'IntervalForRemainingScheduledRetries', 'NumberOfRemainingScheduledRetries', 'PollOnLogin', 'AllUsersPollOnFirstLogin']
    .map((n): [string, undefined] => [`Provider/{ProviderID}/Poll/${n}`, undefined]),
]);

/**
 * One-way FirstSyncStatus values (dmclient-csp.md: set once by the server, then refused): writing them here would
 * spend the one change their own suite (first-sync-status.spec.ts) checks, so the matrix only reads them and
 * sends the operations the DDF does not allow.
 */
const ONE_WAY = new Set(['ServerHasFinishedProvisioning', 'IsSyncDone', 'WasDeviceSuccessfullyProvisioned'].map((n) => `Provider/{ProviderID}/FirstSyncStatus/${n}`));

/** A forbidden write must come back 405 Command not allowed (OMA-DM 1.2 / MS-MDM status codes). */
const NOT_ALLOWED = '405';
/** OMA-DM 1.2: Add of a node that exists is 418 Already exists. */
const ALREADY_EXISTS = '418';

export interface PlannedCommand {
  label: string;
  draft: CommandDraft;
  /** The problem with the answer, or undefined when it meets the rule. */
  check(result: CommandResult | undefined): string | undefined;
}

export interface NodePlan {
  key: string;
  commands: PlannedCommand[];
  /** What this node's matrix left out, and why (shown in the test's annotations). */
  notes: string[];
}

export const keyOf = (node: CatalogNode): string => `${node.scope}:${node.relativePath}`;
const status = (r: CommandResult | undefined): string => r?.status?.code ?? '(no Status)';
const expectCode = (...codes: string[]) => (r: CommandResult | undefined): string | undefined =>
  codes.includes(status(r)) ? undefined : `expected ${codes.join(' or ')}, got ${status(r)}`;
const expectRejected = (r: CommandResult | undefined): string | undefined => {
  const n = r?.status?.number;
  return n !== undefined && n >= 400 && n <= 599 ? undefined : `expected a 4xx/5xx rejection, got ${status(r)}`;
};

/** What the first session's Get of a node found. */
export interface FirstRead {
  result: CommandResult | undefined;
  /** Item.Data when the Get answered 200. */
  value: string | undefined;
}

export function valueOfRead(read: FirstRead | undefined): string | undefined {
  return read?.result?.status?.code === '200' ? read.result.results[0]?.Data : undefined;
}

/** A valid value different from `current` where the DDF leaves room, from MSFT:AllowedValues and the format. */
function distinctValue(node: CatalogNode, current: string | undefined): string | undefined {
  const allowed = node.allowedValues;
  if (allowed.kind === 'enumeration' && node.format !== 'chr') {
    return allowed.values.map((v) => v.value).find((v) => v !== current) ?? allowed.values[0]?.value;
  }
  if (allowed.kind === 'range') return String(current === String(allowed.min) ? allowed.max : allowed.min);
  if (allowed.kind === 'flags') return current === '0' ? String(Number(allowed.values.at(-1)?.value ?? 0)) : '0';
  if (allowed.kind === 'none' && allowed.list !== undefined) {
    // MSFT:List: items joined by the DDF's delimiter; FirstSyncStatus lists hold LocURIs (dmclient-csp.md).
    // The two app-package lists add ";<number of apps>" to each LocURI (dmclient-csp.md, ExpectedMSIAppPackages).
    const count = /AppPackages$/.test(node.name) ? ';1' : '';
    const items = [`./Vendor/MSFT/DMClient/HWDevID${count}`, `./Vendor/MSFT/DMClient/Provider/${node.name}${count}`];
    const value = items.join(allowed.list.delimiter);
    return value === current ? items[0] : value;
  }
  switch (node.format) {
    case 'bool':
      return current === 'true' ? 'false' : 'true';
    case 'int':
      return current === '7' ? '8' : '7';
    case 'chr':
      if (allowed.kind === 'regex') return current ?? '1.0';
      if (allowed.kind === 'enumeration') return allowed.values.map((v) => v.value).find((v) => v !== current);
      return `dmc-matrix-${node.name.toLowerCase()}`;
    default:
      return undefined;
  }
}

/** A value of the wrong type for the node's format, and one outside its MSFT:AllowedValues. */
function invalidValues(node: CatalogNode): Array<{ label: string; data: string }> {
  const out: Array<{ label: string; data: string }> = [];
  if (node.format === 'int') out.push({ label: 'wrong format (int node, text value)', data: 'not-a-number' });
  if (node.format === 'bool') out.push({ label: 'wrong format (bool node, value neither true nor false)', data: 'maybe' });
  const allowed = node.allowedValues;
  if (allowed.kind === 'range') out.push({ label: `out of range ${allowed.asWritten}`, data: String(allowed.max + 1) });
  if (allowed.kind === 'enumeration' && node.format === 'int') {
    const max = Math.max(...allowed.values.map((v) => Number(v.value)));
    out.push({ label: `not one of ${allowed.values.map((v) => v.value).join(', ')}`, data: String(max + 1) });
  }
  if (allowed.kind === 'regex') out.push({ label: `not matching ${allowed.pattern}`, data: 'x.y.z' });
  return out;
}

function sameValue(node: CatalogNode, a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return node.format === 'bool' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function readBack(cmd: AnyNodeCommands, node: CatalogNode, expected: () => string | undefined, label: string): PlannedCommand {
  return {
    label,
    draft: cmd.get(),
    check: (r) => {
      const want = expected();
      if (want === undefined) return expectCode('404')(r);
      if (status(r) !== '200') return `expected 200 with ${JSON.stringify(want)}, got ${status(r)}`;
      const got = r?.results[0]?.Data;
      return sameValue(node, got, want) ? undefined : `expected ${JSON.stringify(want)}, read ${JSON.stringify(got)}`;
    },
  };
}

/** The second session's commands for one node, given what the first session read. */
export function planNode(device: ConformanceDevice, node: CatalogNode, first: FirstRead | undefined): NodePlan {
  const cmd = device.anyNode(node.relativePath, node.scope);
  const access = new Set(node.accessTypes);
  const commands: PlannedCommand[] = [];
  const notes: string[] = [];
  const existed = first?.result?.status?.code === '200';
  const v0 = valueOfRead(first);
  const meta = { Format: node.format };

  if (node.format === 'node') {
    if (access.has('Add')) {
      if (existed || node.relativePath === 'Provider/{ProviderID}') {
        commands.push({ label: 'Add of the existing interior node', draft: cmd.unchecked.add(undefined, { meta }), check: expectCode(ALREADY_EXISTS) });
      } else {
        commands.push({ label: 'Add of the interior node', draft: cmd.unchecked.add(undefined, { meta }), check: expectCode('200') });
        commands.push({ label: 'Get after Add', draft: cmd.get(), check: expectCode('200') });
        if (access.has('Delete')) {
          commands.push({ label: 'Delete of the node this matrix added', draft: cmd.unchecked.delete(), check: expectCode('200') });
          commands.push({ label: 'Get after Delete', draft: cmd.get(), check: expectCode('404') });
        }
      }
    }
    if (access.has('Delete') && existed) notes.push('Delete of an existing interior node is left to its group suite (it would remove settings or the enrollment)');
    for (const op of ['Add', 'Delete', 'Replace', 'Exec'] as const) {
      if (access.has(op)) continue;
      const draft = op === 'Add' ? cmd.unchecked.add(undefined, { meta }) : op === 'Delete' ? cmd.unchecked.delete() : op === 'Replace' ? cmd.unchecked.replace(undefined, { meta }) : cmd.unchecked.exec();
      commands.push({ label: `${op} (not in the DDF's AccessType)`, draft, check: existed ? expectCode(NOT_ALLOWED) : expectCode(NOT_ALLOWED, '404') });
    }
    return { key: keyOf(node), commands, notes };
  }

  const keep = KEEP_VALUE.has(node.relativePath);
  const fallback = KEEP_VALUE.get(node.relativePath);
  const safeKeep = node.relativePath.endsWith('ManagementServerAddressList') ? `<${device.managementUrl}>` : fallback;
  const valid = keep ? (v0 ?? safeKeep) : distinctValue(node, v0);
  let current: string | undefined = v0;
  const write = (op: 'Add' | 'Replace', data: string) => (op === 'Add' ? cmd.unchecked.add(data, { meta }) : cmd.unchecked.replace(data, { meta }));

  if (node.relativePath.startsWith('Provider/{ProviderID}/ConfigLock/') && !device.capabilities.securedCore && device.capabilities.unknown.securedCore === undefined) {
    // dmclient-csp.md, ConfigLock: "If the device isn't a Secured-core PC, then this feature won't work": a write is
    // refused there (a 4xx/5xx status; the reference names no code).
    for (const op of ['Add', 'Replace'] as const) {
      if (!access.has(op) || v0 === undefined) continue;
      commands.push({ label: `${op} ${JSON.stringify(v0)} on a PC that is not Secured-core`, draft: write(op, v0), check: expectRejected });
    }
    notes.push('not a Secured-core PC: ConfigLock writes must be refused; the DDF operations are checked on Secured-core PCs');
    return { key: keyOf(node), commands, notes };
  }
  if (ONE_WAY.has(node.relativePath)) {
    notes.push('one-way value: written only by its own suite (first-sync-status.spec.ts)');
  } else if (valid === undefined) {
    notes.push(`no value to write: the node holds none and changing it is unsafe (${node.relativePath})`);
  } else {
    if (access.has('Delete') && access.has('Add') && !keep) {
      // A node with a DDF default reads as the default while unset: Delete may find nothing to delete (404), and a
      // Get after Delete reads the default again.
      const hasDefault = node.defaultValue !== undefined;
      commands.push({ label: 'Delete', draft: cmd.unchecked.delete(), check: expectCode(...(existed ? (hasDefault ? ['200', '404'] : ['200']) : ['404'])) });
      commands.push(readBack(cmd, node, () => node.defaultValue, 'Get after Delete'));
      commands.push({ label: `Add ${JSON.stringify(valid)}`, draft: write('Add', valid), check: expectCode('200') });
      commands.push(readBack(cmd, node, () => valid, 'Get after Add'));
      current = valid;
    } else if (access.has('Add')) {
      // Add of a node that exists is 418; of one that does not, it creates it.
      // A node with a DDF default reads as that default before anyone set it, so Add may still create it.
      const codes = !existed ? ['200'] : node.defaultValue !== undefined ? [ALREADY_EXISTS, '200'] : [ALREADY_EXISTS];
      commands.push({ label: `Add ${JSON.stringify(current ?? valid)}`, draft: write('Add', current ?? valid), check: expectCode(...codes) });
      if (!existed) current = valid;
    }
    if (access.has('Replace')) {
      const replaceWith = keep ? (current ?? valid) : distinctValue(node, current) ?? valid;
      commands.push({ label: `Replace ${JSON.stringify(replaceWith)}`, draft: write('Replace', replaceWith), check: expectCode('200') });
      const after = replaceWith;
      commands.push(readBack(cmd, node, () => after, 'Get after Replace'));
      current = replaceWith;
    }
    if (access.has('Replace')) {
      const invalid = invalidValues(node);
      for (const bad of invalid) commands.push({ label: `Replace ${JSON.stringify(bad.data)}: ${bad.label}`, draft: write('Replace', bad.data), check: expectRejected });
      if (invalid.length > 0) {
        const kept = current;
        commands.push(readBack(cmd, node, () => kept, 'Get after the refused values (unchanged)'));
      }
    }
  }

  for (const op of ['Add', 'Delete', 'Replace', 'Exec'] as const) {
    if (access.has(op)) continue;
    if ((op === 'Add' || op === 'Replace') && current === undefined && v0 === undefined) {
      notes.push(`${op} not sent: the node holds no value to write back`);
      continue;
    }
    if (op === 'Delete' && keep) {
      // A device that wrongly obeys would lose a value the session depends on; the 405 is still checked below
      // on nodes whose loss is harmless.
      notes.push('Delete (not in the DDF) not sent: losing this value could cut the device off');
      continue;
    }
    const data = current ?? v0 ?? '';
    const draft = op === 'Add' ? write('Add', data) : op === 'Replace' ? write('Replace', data) : op === 'Delete' ? cmd.unchecked.delete() : cmd.unchecked.exec();
    // OMA-DM 1.2: a command on a node that does not exist is 404 whatever the command; 405 is for one that does.
    commands.push({ label: `${op} (not in the DDF's AccessType)`, draft, check: current === undefined ? expectCode(NOT_ALLOWED, '404') : expectCode(NOT_ALLOWED) });
  }

  // Put back what was there before this matrix ran.
  if (!sameValue(node, current, v0)) {
    if (v0 === undefined) {
      if (access.has('Delete')) commands.push({ label: 'restore: Delete', draft: cmd.unchecked.delete(), check: expectCode('200') });
    } else if (access.has('Replace')) {
      commands.push({ label: `restore: Replace ${JSON.stringify(v0)}`, draft: write('Replace', v0), check: expectCode('200') });
    } else if (access.has('Delete') && access.has('Add')) {
      commands.push({ label: 'restore: Delete', draft: cmd.unchecked.delete(), check: expectCode('200') });
      commands.push({ label: `restore: Add ${JSON.stringify(v0)}`, draft: write('Add', v0), check: expectCode('200') });
    }
  }
  return { key: keyOf(node), commands, notes };
}
