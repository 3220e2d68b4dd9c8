/**
 * parseSyncML: a device's SyncML DM 1.2 message (bytes or text) to the typed `SyncML`, or one `SyncMLError`.
 *
 * Order of checks, cheapest and most dangerous first, so hostile input never reaches the XML parser:
 * 1. size against `maxBytes` (before decoding), 2. strict UTF-8 (for a string: no lone surrogate), 3. no
 * `<!DOCTYPE` / `<!ENTITY` outside CDATA sections and comments (no DTD means no entity expansion and no external
 * entities), 4. declared
 * encoding, 5. characters XML 1.0 allows, 6. well-formedness (fast-xml-parser's validator: its parser alone accepts
 * mismatched and unclosed tags), 7. the parse itself (order kept, values untouched), 8. the SyncML structure,
 * 9. what XML 1.0 refuses inside text, attribute values, comments and PIs, which the validator does not check
 * (strict-xml.ts; each Data's content is checked in step 8, so its errors can name the Data).
 * Steps 6 and 7 are one pass (fast-tree.ts) for the plain XML devices send, which needs no step 9; anything else,
 * errors included, takes the validator and the parser, whose messages are the ones users see.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SyncMLError, errors } from './errors.js';
import { fastTree } from './fast-tree.js';
import { parseBody, parseCred } from './parse-body.js';
import {
  CDATA, TEXT, cdataNode, duplicate, elementNode, emptyFlag, leafText, missing, parseLocation, parseMeta, pathStep,
  requiredText, strayContent, textNode, unknownElement,
} from './parse-tree.js';
import type { XNode } from './parse-tree.js';
import { findViolation } from './strict-xml.js';
import type { SyncHdr, SyncML } from './types.js';
import { decodeReferences } from './xml-text.js';

export interface ParseOptions {
  /** Largest message accepted, in bytes (UTF-8). Default `DEFAULT_MAX_BYTES`. */
  maxBytes?: number;
}

/**
 * 4 MiB: far above a DM client's messages (Windows announces no MaxMsgSize, but sends a large object in chunks),
 * small enough that a hostile body costs little.
 */
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

const parser = new XMLParser({
  preserveOrder: true,
  parseTagValue: false,
  ignoreAttributes: true,
  // Entities are decoded by our own decoder (5 predefined + numeric), the same for Data and every other element.
  processEntities: false,
  htmlEntities: false,
  cdataPropName: CDATA,
  // Data stays raw markup so embedded XML is kept verbatim and text keeps its exact whitespace.
  stopNodes: ['..Data'],
  // Only XML white space is indentation; JavaScript's trim() would also eat U+00A0 and friends from values.
  trimValues: false,
  // No callbacks read paths, so skip building a path string for every tag.
  jPath: false,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** XML names them in upper case; any case is refused, to be safe. Global: searched from a given index. */
const DECLARATION = /<!(DOCTYPE|ENTITY)/gi;
const XML_DECL_ENCODING = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([^"']*)["']/;
/** XML 1.0 2.2: C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF are not characters. */
const NON_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** One attribute of a start tag (sticky): white space, name, `=`, a quoted value (which may hold `>`). */
const ATTRIBUTE = /[ \t\r\n]+([^\s=/>]+)[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')/y;

export function parseSyncML(input: string | Uint8Array, options?: ParseOptions): SyncML {
  const maxBytes = options?.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(Number.isFinite(maxBytes) && maxBytes >= 0)) {
    // The caller's mistake, not the message's: a NaN limit would silently mean "no limit".
    throw new RangeError(`parseSyncML: maxBytes must be a non-negative number of bytes, received ${String(maxBytes)}`);
  }
  try {
    const text = decodeInput(input, maxBytes);
    checkText(text);
    const fast = fastTree(text);
    if (fast !== undefined) return readRoot(fast, text);
    const message = readRoot(validatedTree(text), text);
    const bad = findViolation(text, true);
    if (bad !== undefined) {
      throw errors.DMC_ERR_SYNCML_MALFORMED_XML.create({ reason: bad.reason, ...lineAndColumn(text, bad.offset) });
    }
    return message;
  } catch (err) {
    if (err instanceof SyncMLError) throw err;
    // Never a crash: anything unforeseen in a device's bytes is still a SyncMLError the server can answer with 400.
    throw errors.DMC_ERR_SYNCML_MALFORMED_XML.create({ reason: String((err as Error)?.message ?? err) }, { cause: err });
  }
}

function decodeInput(input: string | Uint8Array, maxBytes: number): string {
  if (typeof input === 'string') {
    // UTF-8 needs at least one byte per UTF-16 unit and at most three, so most strings skip the exact count.
    if (input.length > maxBytes || (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes)) {
      throw errors.DMC_ERR_SYNCML_TOO_LARGE.create({ bytes: Buffer.byteLength(input, 'utf8'), maxBytes });
    }
    // Bytes are checked by the decoder; a string can hold a surrogate without its partner, which is no character
    // (XML 1.0 2.2) and has no UTF-8 form: refused with the same code as bytes that are not UTF-8.
    if (!isWellFormed(input)) {
      const charOffset = firstLoneSurrogate(input);
      throw errors.DMC_ERR_SYNCML_INVALID_UTF8.create({
        charOffset, codeUnit: input.charCodeAt(charOffset), ...lineAndColumn(input, charOffset),
      });
    }
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (!(input instanceof Uint8Array)) {
    throw errors.DMC_ERR_SYNCML_MALFORMED_XML.create({ reason: `input must be a string or a Uint8Array, received ${typeof input}` });
  }
  if (input.byteLength > maxBytes) throw errors.DMC_ERR_SYNCML_TOO_LARGE.create({ bytes: input.byteLength, maxBytes });
  try {
    return utf8.decode(input); // strips a BOM
  } catch {
    const byteOffset = firstInvalidUtf8(input);
    throw errors.DMC_ERR_SYNCML_INVALID_UTF8.create({ byteOffset, byte: input[byteOffset] ?? 0 });
  }
}

/**
 * ES2024's String.prototype.isWellFormed (in Node 20; this project's `lib` stops at ES2023): native, and
 * immediate for the one-byte strings ASCII messages are, so the hot path pays nothing for it.
 */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Only on the error path: the first surrogate without its partner. */
function firstLoneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) return i;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return i;
      i++;
    }
  }
  return text.length;
}

/** Only on the error path: where the decoder gave up, for a message that points at the byte. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    if (i + len > bytes.length) return i;
    for (let k = 1; k < len; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return i + k;
    if (len > 1) {
      try {
        utf8.decode(bytes.subarray(i, i + len));
      } catch {
        return i; // overlong form, surrogate code point or above U+10FFFF
      }
    }
    i += len;
  }
  return bytes.length;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The first `<!DOCTYPE` or `<!ENTITY` in `text` at or after `from`, markup or not. */
function declarationFrom(text: string, from: number): RegExpExecArray | undefined {
  DECLARATION.lastIndex = from;
  return DECLARATION.exec(text) ?? undefined;
}

/** The index of the `>` ending the tag whose `<` is at `lt` (quoted values may hold `<` and `>`), or -1. */
function tagEnd(text: string, lt: number): number {
  for (let j = lt + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x3e /* > */) return j;
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      j = text.indexOf(c === 0x22 ? '"' : "'", j + 1);
      if (j === -1) return -1;
    }
  }
  return -1;
}

/**
 * The first `<!DOCTYPE` or `<!ENTITY` that is markup, not text: outside CDATA sections, comments, processing
 * instructions and quoted attribute values. Why not the first one anywhere: a device's Data may carry a CDATA section
 * holding an HTML or XML document (`<![CDATA[<!DOCTYPE html>...]]>`), which the builder sends (an xml value may hold
 * one) and a device then reads back; refusing it would refuse the answer to our own Replace.
 * Costs one search of the text when the words appear nowhere (every message Windows sends); otherwise one walk over
 * the constructs, each passed once. A construct left open is not skipped: the rest of the text is searched as it
 * stands, so nothing unclosed can hide a declaration from the parser behind it.
 */
function markupDeclaration(text: string): RegExpExecArray | undefined {
  if (declarationFrom(text, 0) === undefined) return undefined;
  for (let lt = text.indexOf('<'); lt !== -1; ) {
    let end: number;
    if (text.startsWith('<![CDATA[', lt)) end = text.indexOf(']]>', lt + 9);
    else if (text.startsWith('<!--', lt)) end = text.indexOf('-->', lt + 4);
    else if (text.startsWith('<?', lt)) end = text.indexOf('?>', lt + 2);
    else if (text.startsWith('<!', lt)) {
      const found = declarationFrom(text, lt);
      if (found?.index === lt) return found;
      // Any other "<!" is refused by the well-formedness checks; this check only looks for declarations.
      end = lt + 1;
    } else end = tagEnd(text, lt);
    if (end === -1) return declarationFrom(text, lt);
    lt = text.indexOf('<', end + 1);
  }
  return undefined;
}

function checkText(text: string): void {
  const declaration = markupDeclaration(text);
  if (declaration !== undefined) {
    throw errors.DMC_ERR_SYNCML_DOCTYPE.create({ declaration: declaration[0], offset: declaration.index });
  }
  const encoding = XML_DECL_ENCODING.exec(text)?.[1];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    throw errors.DMC_ERR_SYNCML_UNSUPPORTED_ENCODING.create({ encoding });
  }
  const bad = NON_XML_CHAR.exec(text);
  if (bad) {
    const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    throw errors.DMC_ERR_SYNCML_MALFORMED_XML.create({
      reason: `character U+${code} is not allowed in XML 1.0`,
      ...lineAndColumn(text, bad.index),
    });
  }
}

/**
 * Steps 6 and 7 the long way: the validator, then the parser. The reference fast-tree.ts must agree with, and the
 * path of every message it does not take (so every well-formedness error is worded here).
 */
export function validatedTree(text: string): XNode[] {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw errors.DMC_ERR_SYNCML_MALFORMED_XML.create({ reason: readable(valid.err.msg), line: valid.err.line, column: valid.err.col });
  }
  let raw: unknown;
  try {
    raw = parser.parse(text);
  } catch (err) {
    throw errors.DMC_ERR_SYNCML_MALFORMED_XML.create({ reason: (err as Error).message }, { cause: err });
  }
  return fromParser(raw);
}

/**
 * fast-xml-parser's `preserveOrder` tree (`{ <name>: children[] }`, `{ '#text': s }`, `{ '#cdata': [{ '#text': s }] }`)
 * as our nodes. Attributes are ignored by the parser, so each node has its name as its only key.
 * Processing instructions (`{ '?target': ... }`, the XML declaration among them) are dropped: XML 1.0 2.6 allows
 * them in content, and they carry no data (comments are dropped by the parser itself). fast-tree.ts keeps none either.
 */
function fromParser(raw: unknown): XNode[] {
  if (!Array.isArray(raw)) return [];
  const nodes: XNode[] = [];
  for (const node of raw as Record<string, unknown>[]) {
    let name = '';
    for (const key in node) {
      name = key;
      break;
    }
    const value = node[name];
    if (name === TEXT) nodes.push(textNode(String(value ?? '')));
    else if (name.charCodeAt(0) === 0x3f /* ? */) continue;
    else if (name === CDATA) nodes.push(cdataNode(String((value as Record<string, unknown>[] | undefined)?.[0]?.[TEXT] ?? '')));
    else nodes.push(elementNode(name, fromParser(value)));
  }
  return nodes;
}

const UNCLOSED = /^Invalid '(\[.*\])' found\.$/;

/** The validator reports elements left open at the end as a JSON list; say what it means instead. */
function readable(reason: string): string {
  const open = UNCLOSED.exec(reason)?.[1];
  if (open === undefined) return reason;
  try {
    const names = JSON.parse(open) as string[];
    return `the message ends inside ${names.map((n) => `<${n}>`).join(' ')} (truncated, or end tags missing)`;
  } catch {
    return reason;
  }
}

function readRoot(tree: XNode[], text: string): SyncML {
  let root: XNode | undefined;
  for (const node of tree) {
    const name = node.name;
    if (name === TEXT && /^[ \t\n\r]*$/.test(node.text)) continue;
    if (root !== undefined || name === TEXT || name === CDATA) {
      // The validator lets an element or text after the root through; a second document is not one message.
      throw errors.DMC_ERR_SYNCML_MALFORMED_XML.create({ reason: `content after the root element: ${name === TEXT || name === CDATA ? 'text' : `<${pathStep(name)}>`}` });
    }
    root = node;
  }
  if (root === undefined) throw errors.DMC_ERR_SYNCML_MALFORMED_XML.create({ reason: 'no root element' });
  const rootName = root.name;
  if (rootName !== 'SyncML') throw errors.DMC_ERR_SYNCML_WRONG_ROOT.create({ root: rootName });
  // Windows writes SYNCML:SYNCML1.2, the DTD syncml:syncml1.2: namespace names are compared without case here.
  const namespace = rootNamespace(text);
  if (namespace !== undefined && namespace.toLowerCase() !== 'syncml:syncml1.2') {
    throw errors.DMC_ERR_SYNCML_WRONG_NAMESPACE.create({ namespace });
  }
  let hdr: SyncHdr | undefined;
  let body: SyncML['SyncBody'] | undefined;
  for (const kid of root.kids) {
    const name = kid.name;
    if (name === 'SyncHdr') {
      if (hdr !== undefined) duplicate('SyncML', name);
      hdr = parseHeader(kid.kids);
    } else if (name === 'SyncBody') {
      if (body !== undefined) duplicate('SyncML', name);
      body = parseBody(kid.kids);
    } else if (name === TEXT || name === CDATA) {
      strayContent(kid, 'SyncML');
    } else {
      unknownElement(name, 'SyncML', ['SyncHdr', 'SyncBody']);
    }
  }
  if (hdr === undefined) missing('SyncML', 'SyncHdr');
  if (body === undefined) missing('SyncML', 'SyncBody');
  return { SyncHdr: hdr, SyncBody: body };
}

/**
 * Where the root's start tag begins: after the prolog (XML 1.0 2.8: the declaration, comments, PIs and white space;
 * a DOCTYPE was refused before). Not the first `<SyncML` of the text, which can be inside a comment or a PI.
 */
function rootStart(text: string): number {
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt === -1) return -1;
    let close: number;
    if (text.startsWith('<?', lt)) close = text.indexOf('?>', lt + 2);
    else if (text.startsWith('<!--', lt)) close = text.indexOf('-->', lt + 4);
    else return lt;
    if (close === -1) return -1; // not closed: both readers refuse that before we get here
    i = close + 2;
  }
}

/** The root's default namespace (its `xmlns` attribute, references decoded), or undefined without one. */
function rootNamespace(text: string): string | undefined {
  const start = rootStart(text);
  if (start === -1) return undefined;
  ATTRIBUTE.lastIndex = start + '<SyncML'.length;
  for (let m = ATTRIBUTE.exec(text); m !== null; m = ATTRIBUTE.exec(text)) {
    if (m[1] !== 'xmlns') continue;
    const value = m[2] ?? m[3] ?? '';
    return value.indexOf('&') === -1 ? value : decodeReferences(value, 'SyncML/@xmlns');
  }
  return undefined;
}

const HDR_CHILDREN = ['VerDTD', 'VerProto', 'SessionID', 'MsgID', 'Target', 'Source', 'RespURI', 'NoResp', 'Cred', 'Meta'];

function parseHeader(kids: XNode[]): SyncHdr {
  const at = 'SyncHdr';
  const hdr: Partial<SyncHdr> = {};
  for (const kid of kids) {
    const name = kid.name;
    const sub = kid.kids;
    switch (name) {
      case 'VerDTD':
      case 'VerProto':
      case 'SessionID':
      case 'MsgID':
        if (hdr[name] !== undefined) duplicate(at, name);
        hdr[name] = requiredText(sub, at, name);
        break;
      case 'RespURI':
        if (hdr.RespURI !== undefined) duplicate(at, name);
        hdr.RespURI = leafText(sub, at, name);
        break;
      case 'Target':
      case 'Source':
        if (hdr[name] !== undefined) duplicate(at, name);
        hdr[name] = parseLocation(sub, at, name);
        break;
      case 'NoResp':
        if (hdr.NoResp) duplicate(at, name);
        hdr.NoResp = emptyFlag(sub, at, name);
        break;
      case 'Cred':
        if (hdr.Cred !== undefined) duplicate(at, name);
        hdr.Cred = parseCred(sub, at);
        break;
      case 'Meta':
        if (hdr.Meta !== undefined) duplicate(at, name);
        hdr.Meta = parseMeta(sub, at);
        break;
      case TEXT:
      case CDATA:
        strayContent(kid, at);
        break;
      default:
        unknownElement(name, at, HDR_CHILDREN);
    }
  }
  // SyncML RepPro 1.2 SyncHdr: (VerDTD, VerProto, SessionID, MsgID, Target, Source, RespURI?, NoResp?, Cred?, Meta?)
  for (const required of ['VerDTD', 'VerProto', 'SessionID', 'MsgID', 'Target', 'Source'] as const) {
    if (hdr[required] === undefined) missing(at, required);
  }
  return hdr as SyncHdr;
}
