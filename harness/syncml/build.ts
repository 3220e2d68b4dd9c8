/**
 * buildSyncML: the typed `SyncML` to the text we send, written the way Windows writes it: root namespace
 * `SYNCML:SYNCML1.2`, every Meta child in `syncml:metinf`, `<Final/>`, no XML declaration, no indentation, and
 * children in the order the SyncML 1.2 DTD requires (which a strict DM client checks).
 *
 * Hand-written string building: every value goes through `escapeText`, so text can never break the markup, and
 * embedded XML Data is checked well-formed before it is written verbatim. This is the only place SyncML text is made.
 */
import { errors } from './errors.js';
import { embeddedXmlFault } from './strict-xml.js';
import type {
  Add, Alert, Atomic, Chal, Command, Cred, Data, Delete, Exec, Get, Item, LocationElement, Meta, Replace, Results, Sequence, Status,
  SyncHdr, SyncML,
} from './types.js';
import { escapeLeaf, escapeText } from './xml-text.js';

const META_NS = ' xmlns="syncml:metinf"';
/** MetInf DTD order: Format, Type, Mark, Size, Anchor, Version, NextNonce, MaxMsgSize, MaxObjSize, EMI, Mem. */
const META_ORDER = ['Format', 'Type', 'Mark', 'Size', 'Version', 'NextNonce', 'MaxMsgSize', 'MaxObjSize'] as const;
const NESTED_KINDS: ReadonlySet<string> = new Set(['Add', 'Alert', 'Atomic', 'Delete', 'Exec', 'Get', 'Replace', 'Sequence']);

export function buildSyncML(message: SyncML): string {
  if (typeof message !== 'object' || message === null) invalid('SyncML', 'must be an object', message);
  let out = '<SyncML xmlns="SYNCML:SYNCML1.2">';
  out += buildHeader(message.SyncHdr);
  out += '<SyncBody>';
  const body = message.SyncBody;
  if (typeof body !== 'object' || body === null || !Array.isArray(body.commands)) {
    invalid('SyncBody', 'must be an object with a commands array', body);
  }
  for (const command of body.commands) out += buildCommand(command, 'SyncBody', undefined);
  if (body.Final) out += '<Final/>';
  return out + '</SyncBody></SyncML>';
}

/**
 * One command's markup exactly as buildSyncML writes it inside SyncBody. buildSyncML puts the commands one after
 * another with nothing between them, so a message's size is the sum of its parts: the session engine sizes each
 * command against MaxMsgSize without building the SyncHdr again for every command.
 */
export function buildCommandXml(command: Command): string {
  return buildCommand(command, 'SyncBody', undefined);
}

/** The message as UTF-8 bytes; HTTP Content-Length is `buildSyncMLBytes(m).byteLength`, never the string length. */
export function buildSyncMLBytes(message: SyncML): Uint8Array {
  return Buffer.from(buildSyncML(message), 'utf8');
}

function invalid(path: string, problem: string, received: unknown): never {
  throw errors.DMC_ERR_SYNCML_BUILD_INVALID.create({ path, problem, received });
}

/** A required identifier (CmdID, MsgRef, ...): a non-empty string, or the peer cannot match it. */
function id(value: unknown, at: string, name: string): string {
  if (typeof value !== 'string' || value === '') invalid(`${at}/${name}`, 'must be non-empty text', value);
  return `<${name}>${escapeLeaf(value, at, name)}</${name}>`;
}

function text(value: unknown, at: string, name: string): string {
  if (typeof value !== 'string') invalid(`${at}/${name}`, 'must be text', value);
  return `<${name}>${escapeLeaf(value, at, name)}</${name}>`;
}

/** An Alert or Status code: Data that must be non-empty text (Data text is never trimmed, so no edge references). */
function code(value: unknown, at: string): string {
  if (typeof value !== 'string' || value === '') invalid(`${at}/Data`, 'must be non-empty text', value);
  return '<Data>' + escapeText(value, at, 'Data') + '</Data>';
}

function buildHeader(hdr: SyncHdr): string {
  const at = 'SyncHdr';
  if (typeof hdr !== 'object' || hdr === null) invalid(at, 'must be an object', hdr);
  let out = '<SyncHdr>' + id(hdr.VerDTD, at, 'VerDTD') + id(hdr.VerProto, at, 'VerProto');
  out += id(hdr.SessionID, at, 'SessionID') + id(hdr.MsgID, at, 'MsgID');
  out += location(hdr.Target, at, 'Target') + location(hdr.Source, at, 'Source');
  if (hdr.RespURI !== undefined) out += text(hdr.RespURI, at, 'RespURI');
  if (hdr.NoResp) out += '<NoResp/>';
  if (hdr.Cred !== undefined) out += cred(hdr.Cred, at);
  if (hdr.Meta !== undefined) out += meta(hdr.Meta, at);
  return out + '</SyncHdr>';
}

function location(loc: LocationElement, parentAt: string, name: 'Target' | 'Source'): string {
  const at = `${parentAt}/${name}`;
  if (typeof loc !== 'object' || loc === null) invalid(at, 'must be an object with LocURI', loc);
  let out = `<${name}>` + text(loc.LocURI, at, 'LocURI');
  if (loc.LocName !== undefined) out += text(loc.LocName, at, 'LocName');
  return out + `</${name}>`;
}

function meta(m: Meta, parentAt: string): string {
  const at = `${parentAt}/Meta`;
  let out = '<Meta>';
  for (const key of META_ORDER) {
    const value = m[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') invalid(`${at}/${key}`, 'must be text', value);
    out += `<${key}${META_NS}>${escapeLeaf(value, at, key)}</${key}>`;
  }
  return out + '</Meta>';
}

function cred(c: Cred, parentAt: string): string {
  const at = `${parentAt}/Cred`;
  let out = '<Cred>';
  if (c.Meta !== undefined) out += meta(c.Meta, at);
  if (typeof c.Data !== 'string') invalid(`${at}/Data`, 'must be text', c.Data);
  return out + data(c.Data, at) + '</Cred>';
}

function chal(c: Chal, parentAt: string): string {
  const at = `${parentAt}/Chal`;
  if (typeof c !== 'object' || c === null || c.Meta === undefined) invalid(at, 'must have a Meta', c);
  return '<Chal>' + meta(c.Meta, at) + '</Chal>';
}

function data(value: Data, at: string): string {
  if (typeof value === 'string') return '<Data>' + escapeText(value, at, 'Data') + '</Data>';
  if (typeof value !== 'object' || value === null || typeof value.xml !== 'string') {
    invalid(`${at}/Data`, 'must be text or { xml: string }', value);
  }
  // Written verbatim, so it must be well-formed on its own and pass what our own parser checks beyond the validator
  // (strict-xml.ts), or we would send what we refuse. That check also refuses a DTD or an entity declaration (a "<!"
  // that opens no comment or CDATA section), which the peer refuses as we do.
  const fault = embeddedXmlFault(value.xml);
  if (fault !== undefined) invalid(`${at}/Data`, `embedded XML must be well-formed element content (${fault})`, value.xml);
  // Markup is not escaped, but its characters must still be ones XML can carry: escapeText throws for the others.
  escapeText(value.xml, at, 'Data');
  return '<Data>' + value.xml + '</Data>';
}

function items(list: Item[], at: string): string {
  if (!Array.isArray(list)) invalid(`${at}/Item`, 'must be an array', list);
  let out = '';
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as Item;
    const itemAt = `${at}/Item[${i + 1}]`;
    out += '<Item>';
    if (item.Target !== undefined) out += location(item.Target, itemAt, 'Target');
    if (item.Source !== undefined) out += location(item.Source, itemAt, 'Source');
    if (item.Meta !== undefined) out += meta(item.Meta, itemAt);
    if (item.Data !== undefined) out += data(item.Data, itemAt);
    if (item.MoreData) out += '<MoreData/>';
    out += '</Item>';
  }
  return out;
}

/**
 * `container` is the kind of the Atomic or Sequence holding `c`, undefined directly under SyncBody.
 * Each kind's fields are read in a function of its own: one function reading every kind's fields saw command
 * objects of many shapes at each property, which V8 can only look up the slow (megamorphic) way (issue #13).
 */
function buildCommand(c: Command, parentAt: string, container: string | undefined): string {
  const kind = (c as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string') invalid(`${parentAt}/?`, 'must be a command with a kind', c);
  if (container !== undefined && !NESTED_KINDS.has(kind)) {
    throw errors.DMC_ERR_SYNCML_NESTED_COMMAND_NOT_ALLOWED.create({ path: `${parentAt}/${kind}`, command: kind, container });
  }
  const at = `${parentAt}/${kind}[CmdID=${String(c.CmdID)}]`;
  // CmdID first, as it is written first: its error comes before any other of the command's.
  const head = `<${kind}>` + id(c.CmdID, at, 'CmdID');
  let inner: string;
  switch (c.kind) {
    case 'Alert':
      inner = alertBody(c, at);
      break;
    case 'Add':
    case 'Delete':
    case 'Get':
    case 'Replace':
    case 'Exec':
      inner = itemCommandBody(c, at);
      break;
    case 'Atomic':
    case 'Sequence':
      inner = containerBody(c, at);
      break;
    case 'Results':
      inner = resultsBody(c, at);
      break;
    case 'Status':
      inner = statusBody(c, at);
      break;
    default:
      invalid(`${parentAt}/${kind}`, 'is not a SyncML command kind', kind);
  }
  return head + inner + `</${kind}>`;
}

function alertBody(c: Alert, at: string): string {
  let out = '';
  if (c.NoResp) out += '<NoResp/>';
  if (c.Cred !== undefined) out += cred(c.Cred, at);
  out += code(c.Data, at);
  if (c.Correlator !== undefined) out += id(c.Correlator, at, 'Correlator');
  return out + items(c.Item, at);
}

function itemCommandBody(c: Add | Delete | Get | Replace | Exec, at: string): string {
  let out = '';
  if (c.NoResp) out += '<NoResp/>';
  if (c.Cred !== undefined) out += cred(c.Cred, at);
  if (c.Meta !== undefined) out += meta(c.Meta, at);
  if (c.kind === 'Exec' && c.Correlator !== undefined) out += id(c.Correlator, at, 'Correlator');
  return out + items(c.Item, at);
}

function containerBody(c: Atomic | Sequence, at: string): string {
  let out = '';
  if (c.NoResp) out += '<NoResp/>';
  if (c.Meta !== undefined) out += meta(c.Meta, at);
  if (!Array.isArray(c.commands)) invalid(at, 'must have a commands array', c.commands);
  for (const inner of c.commands) out += buildCommand(inner, at, c.kind);
  return out;
}

function resultsBody(c: Results, at: string): string {
  // Results and Status have no NoResp in the DTD: nobody answers them anyway.
  if ((c as { NoResp?: unknown }).NoResp) invalid(`${at}/NoResp`, 'is not allowed in Results', (c as { NoResp?: unknown }).NoResp);
  let out = '';
  if (c.MsgRef !== undefined) out += id(c.MsgRef, at, 'MsgRef');
  out += id(c.CmdRef, at, 'CmdRef');
  if (c.Meta !== undefined) out += meta(c.Meta, at);
  if (c.TargetRef !== undefined) out += text(c.TargetRef, at, 'TargetRef');
  if (c.SourceRef !== undefined) out += text(c.SourceRef, at, 'SourceRef');
  return out + items(c.Item, at);
}

function statusBody(c: Status, at: string): string {
  if ((c as { NoResp?: unknown }).NoResp) invalid(`${at}/NoResp`, 'is not allowed in Status', (c as { NoResp?: unknown }).NoResp);
  // RepPro 1.2 Status: (CmdID, MsgRef, CmdRef, Cmd, TargetRef*, SourceRef*, Cred?, Chal?, Data, Item*)
  let out = id(c.MsgRef, at, 'MsgRef') + id(c.CmdRef, at, 'CmdRef') + id(c.Cmd, at, 'Cmd');
  for (const ref of c.TargetRef ?? []) out += text(ref, at, 'TargetRef');
  for (const ref of c.SourceRef ?? []) out += text(ref, at, 'SourceRef');
  if (c.Cred !== undefined) out += cred(c.Cred, at);
  if (c.Chal !== undefined) out += chal(c.Chal, at);
  return out + code(c.Data, at) + items(c.Item ?? [], at);
}
