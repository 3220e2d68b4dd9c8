/**
 * SyncBody: the commands in document order, each checked against the child elements its DTD allows
 * (SyncML RepPro 1.2 / OMA-DM 1.2 DTD). Child order inside a command is not enforced (senders differ); which
 * children may appear, how often, and which are required, is.
 */
import { errors } from './errors.js';
import {
  CDATA, TEXT, dataText, dataValue, duplicate, emptyFlag, leafText, missing, parseLocation, parseMeta, pathStep,
  requiredText, strayContent, unknownElement,
} from './parse-tree.js';
import type { XNode } from './parse-tree.js';
import type {
  Add, Atomic, Chal, Command, Cred, Delete, Exec, Get, Item, Meta, NestedCommand, Replace, Sequence, SyncBody,
} from './types.js';

const NESTED_KINDS = ['Add', 'Alert', 'Atomic', 'Delete', 'Exec', 'Get', 'Replace', 'Sequence'] as const;
const NESTED_SET: ReadonlySet<string> = new Set(NESTED_KINDS);
const BODY_CHILDREN = [...NESTED_KINDS, 'Results', 'Status', 'Final'];
const BODY_SET: ReadonlySet<string> = new Set(BODY_CHILDREN);

/** Child elements each command allows besides nested commands (SyncML 1.2 DTD, DM subset). */
const ALLOWED: Record<string, readonly string[]> = {
  Alert: ['CmdID', 'NoResp', 'Cred', 'Data', 'Correlator', 'Item'],
  Add: ['CmdID', 'NoResp', 'Cred', 'Meta', 'Item'],
  Delete: ['CmdID', 'NoResp', 'Cred', 'Meta', 'Item'],
  Get: ['CmdID', 'NoResp', 'Cred', 'Meta', 'Item'],
  Replace: ['CmdID', 'NoResp', 'Cred', 'Meta', 'Item'],
  Exec: ['CmdID', 'NoResp', 'Cred', 'Meta', 'Correlator', 'Item'],
  Atomic: ['CmdID', 'NoResp', 'Meta', ...NESTED_KINDS],
  Sequence: ['CmdID', 'NoResp', 'Meta', ...NESTED_KINDS],
  Results: ['CmdID', 'MsgRef', 'CmdRef', 'Meta', 'TargetRef', 'SourceRef', 'Item'],
  Status: ['CmdID', 'MsgRef', 'CmdRef', 'Cmd', 'TargetRef', 'SourceRef', 'Cred', 'Chal', 'Data', 'Item'],
};
const ALLOWED_SETS: Record<string, ReadonlySet<string>> = Object.fromEntries(
  Object.entries(ALLOWED).map(([k, v]) => [k, new Set(v)]),
);

/** What one pass over a command's children collects; each kind then takes the fields its type has. */
interface Collected {
  CmdID?: string;
  NoResp?: true;
  Cred?: Cred;
  Meta?: Meta;
  Data?: string;
  Correlator?: string;
  MsgRef?: string;
  CmdRef?: string;
  Cmd?: string;
  TargetRef: string[];
  SourceRef: string[];
  Chal?: Chal;
  Item: Item[];
  commands: NestedCommand[];
}

export function parseBody(kids: XNode[]): SyncBody {
  const at = 'SyncBody';
  const commands: Command[] = [];
  let final = false;
  const positionOf = siblingCounter();
  for (let i = 0; i < kids.length; i++) {
    const kid = kids[i] as XNode;
    const name = kid.name;
    if (!BODY_SET.has(name)) {
      if (name === TEXT || name === CDATA) {
        strayContent(kid, at);
        continue;
      }
      unknownElement(name, at, BODY_CHILDREN);
    }
    if (name === 'Final') {
      if (final) duplicate(at, name);
      final = emptyFlag(kid.kids, at, name);
    } else {
      commands.push(parseCommand(name, kid, positionOf(name), at));
    }
  }
  return { commands, Final: final };
}

/**
 * Counts same-named siblings as a loop meets them: a command's path is `[CmdID=4]` once its CmdID is known, else its
 * position among them (XPath style). Counting ahead keeps a body of many commands linear; recounting from the first
 * sibling for each command made a 1 MiB body take seconds.
 */
function siblingCounter(): (name: string) => number {
  const seen = new Map<string, number>();
  return (name) => {
    const position = (seen.get(name) ?? 0) + 1;
    seen.set(name, position);
    return position;
  };
}

function parseCommand(name: string, node: XNode, position: number, parentAt: string): Command {
  const kids = node.kids;
  let cmdId: string | undefined;
  for (const kid of kids) {
    if (kid.name === 'CmdID') {
      cmdId = requiredText(kid.kids, `${parentAt}/${name}[${position}]`, 'CmdID');
      break;
    }
  }
  if (cmdId === undefined) {
    throw errors.DMC_ERR_SYNCML_MISSING_CMDID.create({ path: `${parentAt}/${name}[${position}]`, command: name });
  }
  const at = `${parentAt}/${name}[CmdID=${pathStep(cmdId)}]`;
  const c = collect(name, kids, at);
  const base = c.NoResp ? { CmdID: cmdId, NoResp: true } : { CmdID: cmdId };
  switch (name) {
    case 'Alert': {
      if (c.Data === undefined) missing(at, 'Data');
      const alert: Command = { kind: 'Alert', ...base, Data: c.Data, Item: c.Item };
      if (c.Correlator !== undefined) alert.Correlator = c.Correlator;
      if (c.Cred !== undefined) alert.Cred = c.Cred;
      return alert;
    }
    case 'Add':
    case 'Delete':
    case 'Get':
    case 'Replace':
    case 'Exec': {
      const cmd = { kind: name, ...base, Item: c.Item } as Add | Delete | Get | Replace | Exec;
      if (c.Cred !== undefined) cmd.Cred = c.Cred;
      if (c.Meta !== undefined) cmd.Meta = c.Meta;
      if (cmd.kind === 'Exec' && c.Correlator !== undefined) cmd.Correlator = c.Correlator;
      return cmd;
    }
    case 'Atomic':
    case 'Sequence': {
      const cmd = { kind: name, ...base, commands: c.commands } as Atomic | Sequence;
      if (c.Meta !== undefined) cmd.Meta = c.Meta;
      return cmd;
    }
    case 'Results': {
      if (c.CmdRef === undefined) missing(at, 'CmdRef');
      if (c.TargetRef.length > 1) duplicate(at, 'TargetRef');
      if (c.SourceRef.length > 1) duplicate(at, 'SourceRef');
      const results: Command = { kind: 'Results', ...base, CmdRef: c.CmdRef, Item: c.Item };
      if (c.MsgRef !== undefined) results.MsgRef = c.MsgRef;
      if (c.Meta !== undefined) results.Meta = c.Meta;
      if (c.TargetRef[0] !== undefined) results.TargetRef = c.TargetRef[0];
      if (c.SourceRef[0] !== undefined) results.SourceRef = c.SourceRef[0];
      return results;
    }
    default: {
      // Status: RepPro 1.2 requires CmdID, MsgRef, CmdRef, Cmd and Data; without them it answers nothing.
      if (c.MsgRef === undefined) missing(at, 'MsgRef');
      if (c.CmdRef === undefined) missing(at, 'CmdRef');
      if (c.Cmd === undefined) missing(at, 'Cmd');
      if (c.Data === undefined) missing(at, 'Data');
      const status: Command = {
        kind: 'Status', ...base, MsgRef: c.MsgRef, CmdRef: c.CmdRef, Cmd: c.Cmd,
        TargetRef: c.TargetRef, SourceRef: c.SourceRef, Data: c.Data, Item: c.Item,
      };
      if (c.Cred !== undefined) status.Cred = c.Cred;
      if (c.Chal !== undefined) status.Chal = c.Chal;
      return status;
    }
  }
}

function collect(command: string, kids: XNode[], at: string): Collected {
  const allowed = ALLOWED_SETS[command] as ReadonlySet<string>;
  const c: Collected = { TargetRef: [], SourceRef: [], Item: [], commands: [] };
  const positionOf = siblingCounter();
  for (let i = 0; i < kids.length; i++) {
    const kid = kids[i] as XNode;
    const name = kid.name;
    if (!allowed.has(name)) {
      if (name === TEXT || name === CDATA) {
        strayContent(kid, at);
        continue;
      }
      if (command === 'Atomic' || command === 'Sequence') {
        if (BODY_SET.has(name)) {
          throw errors.DMC_ERR_SYNCML_NESTED_COMMAND_NOT_ALLOWED.create({ path: `${at}/${name}`, command: name, container: command });
        }
      }
      unknownElement(name, at, ALLOWED[command] as readonly string[]);
    }
    const sub = kid.kids;
    if (NESTED_SET.has(name)) {
      c.commands.push(parseCommand(name, kid, positionOf(name), at) as NestedCommand);
      continue;
    }
    switch (name) {
      case 'CmdID':
        if (c.CmdID !== undefined) duplicate(at, name);
        c.CmdID = leafText(sub, at, name);
        break;
      case 'NoResp':
        if (c.NoResp) duplicate(at, name);
        c.NoResp = emptyFlag(sub, at, name);
        break;
      case 'Cred':
        if (c.Cred !== undefined) duplicate(at, name);
        c.Cred = parseCred(sub, at);
        break;
      case 'Meta':
        if (c.Meta !== undefined) duplicate(at, name);
        c.Meta = parseMeta(sub, at);
        break;
      case 'Data':
        if (c.Data !== undefined) duplicate(at, name);
        c.Data = dataText(sub, at, true);
        break;
      case 'Chal':
        if (c.Chal !== undefined) duplicate(at, name);
        c.Chal = parseChal(sub, at);
        break;
      case 'Item':
        c.Item.push(parseItem(sub, `${at}/Item[${c.Item.length + 1}]`));
        break;
      case 'TargetRef':
      case 'SourceRef':
        c[name].push(leafText(sub, at, name));
        break;
      default: {
        // Correlator, MsgRef, CmdRef, Cmd: single identifiers.
        const key = name as 'Correlator' | 'MsgRef' | 'CmdRef' | 'Cmd';
        if (c[key] !== undefined) duplicate(at, name);
        c[key] = requiredText(sub, at, name);
      }
    }
  }
  return c;
}

const ITEM_CHILDREN = ['Target', 'Source', 'Meta', 'Data', 'MoreData'];

function parseItem(kids: XNode[], at: string): Item {
  const item: Item = {};
  for (const kid of kids) {
    const name = kid.name;
    const sub = kid.kids;
    switch (name) {
      case 'Target':
      case 'Source':
        if (item[name] !== undefined) duplicate(at, name);
        item[name] = parseLocation(sub, at, name);
        break;
      case 'Meta':
        if (item.Meta !== undefined) duplicate(at, name);
        item.Meta = parseMeta(sub, at);
        break;
      case 'Data':
        if (item.Data !== undefined) duplicate(at, name);
        item.Data = dataValue(sub, at);
        break;
      case 'MoreData':
        if (item.MoreData) duplicate(at, name);
        item.MoreData = emptyFlag(sub, at, name);
        break;
      case TEXT:
      case CDATA:
        strayContent(kid, at);
        break;
      default:
        unknownElement(name, at, ITEM_CHILDREN);
    }
  }
  return item;
}

const CRED_CHILDREN = ['Meta', 'Data'];

export function parseCred(kids: XNode[], parentAt: string): Cred {
  const at = `${parentAt}/Cred`;
  let meta: Meta | undefined;
  let data: string | undefined;
  for (const kid of kids) {
    const name = kid.name;
    if (name === 'Meta') {
      if (meta !== undefined) duplicate(at, name);
      meta = parseMeta(kid.kids, at);
    } else if (name === 'Data') {
      if (data !== undefined) duplicate(at, name);
      data = dataText(kid.kids, at, false);
    } else if (name === TEXT || name === CDATA) {
      strayContent(kid, at);
    } else {
      unknownElement(name, at, CRED_CHILDREN);
    }
  }
  if (data === undefined) missing(at, 'Data');
  return meta === undefined ? { Data: data } : { Meta: meta, Data: data };
}

function parseChal(kids: XNode[], parentAt: string): Chal {
  const at = `${parentAt}/Chal`;
  let meta: Meta | undefined;
  for (const kid of kids) {
    const name = kid.name;
    if (name === 'Meta') {
      if (meta !== undefined) duplicate(at, name);
      meta = parseMeta(kid.kids, at);
    } else if (name === TEXT || name === CDATA) {
      strayContent(kid, at);
    } else {
      unknownElement(name, at, ['Meta']);
    }
  }
  if (meta === undefined) missing(at, 'Meta');
  return { Meta: meta };
}
