/**
 * The tree both readers build (fast-tree.ts in one pass; parse.ts's validator + fast-xml-parser, converted) and
 * what reading it means: elements in document order, text untrimmed, a CDATA section literal, and a `<Data>` (a
 * stop node) holding its raw markup as one text child.
 *
 * Paths are passed as an element's parent path plus its name and only joined when an error is thrown, so a
 * well-formed message costs no string building per leaf.
 */
import { errors } from './errors.js';
import { findViolation, type Violation } from './strict-xml.js';
import type { Data, LocationElement, Meta } from './types.js';
import { decodeReferences, readData } from './xml-text.js';

export const TEXT = '#text';
export const CDATA = '#cdata';

/**
 * One node: an element (`name`, `kids`), text (`name` TEXT, `text`) or a CDATA section (`name` CDATA, `text`).
 * Every node has the same three fields: fast-xml-parser's own shape (`{ <name>: children[] }`, one object shape per
 * element name) made every read a megamorphic lookup and every node a runtime call to create (issue #13).
 */
export interface XNode {
  readonly name: string;
  readonly kids: XNode[];
  readonly text: string;
}

/** The kids of every text and CDATA node: never written to. */
const NO_KIDS: XNode[] = Object.freeze([]) as unknown as XNode[];

export function elementNode(name: string, kids: XNode[]): XNode {
  return { name, kids, text: '' };
}

export function textNode(text: string): XNode {
  return { name: TEXT, kids: NO_KIDS, text };
}

export function cdataNode(text: string): XNode {
  return { name: CDATA, kids: NO_KIDS, text };
}

/** Longest device-chosen path step (an element name, a CmdID) kept whole. */
const MAX_STEP = 64;

/**
 * A device-chosen step of a path (element name, CmdID), cut when long: paths are built by us and end up in
 * `fields.path` and in messages, so a megabyte element name or CmdID must not make them a megabyte.
 */
export function pathStep(text: string): string {
  return text.length <= MAX_STEP ? text : `${text.slice(0, MAX_STEP / 2)}…(${text.length} chars)`;
}

function describe(node: XNode): string {
  if (node.name === TEXT) return `text ${JSON.stringify(node.text.slice(0, 40))}`;
  if (node.name === CDATA) return 'a CDATA section';
  return `element <${pathStep(node.name)}>`;
}

/** XML 1.0 2.3 white space; JavaScript's trim() also removes U+00A0, U+2028, ... which are data in XML. */
const BLANK = /^[ \t\n\r]*$/;
const EDGE_BLANK = /^[ \t\n\r]+|[ \t\n\r]+$/g;

function isBlankCode(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** Strips XML white space (indentation) from both ends of a leaf's text. */
function xmlTrim(text: string): string {
  if (text === '' || (!isBlankCode(text.charCodeAt(0)) && !isBlankCode(text.charCodeAt(text.length - 1)))) return text;
  return text.replace(EDGE_BLANK, '');
}

/**
 * For a text or CDATA node among child elements: indentation is skipped, anything else is an error
 * (`<Target>junk<LocURI>...`).
 */
export function strayContent(node: XNode, at: string): void {
  if (node.name === TEXT && BLANK.test(node.text)) return;
  throw errors.DMC_ERR_SYNCML_INVALID_CONTENT.create({ path: at, expected: 'child elements only', received: describe(node) });
}

/** `name` is not allowed under `parentAt`; the path names it (cut if long), `element` keeps it as received. */
export function unknownElement(name: string, parentAt: string, allowed: readonly string[]): never {
  throw errors.DMC_ERR_SYNCML_UNKNOWN_ELEMENT.create({ path: `${parentAt}/${pathStep(name)}`, element: name, allowed: [...allowed] });
}

export function duplicate(at: string, name: string): never {
  throw errors.DMC_ERR_SYNCML_DUPLICATE_ELEMENT.create({ path: `${at}/${name}`, element: name });
}

export function missing(at: string, name: string): never {
  throw errors.DMC_ERR_SYNCML_MISSING_ELEMENT.create({ path: `${at}/${name}`, element: name });
}

/**
 * The text of a leaf element `<name>` under `at`: XML white space around it trimmed (indentation), references
 * decoded after trimming (so `&#32;` keeps a space), CDATA literal, child elements refused.
 */
export function leafText(kids: XNode[], at: string, name: string): string {
  if (kids.length === 1) {
    const only = kids[0] as XNode;
    if (only.name === TEXT) {
      const trimmed = xmlTrim(only.text);
      return trimmed.indexOf('&') === -1 ? trimmed : decodeReferences(trimmed, `${at}/${name}`);
    }
  }
  let out = '';
  const last = kids.length - 1;
  for (let i = 0; i <= last; i++) {
    const kid = kids[i] as XNode;
    if (kid.name === TEXT) {
      let segment = kid.text;
      if (i === 0) segment = segment.replace(/^[ \t\n\r]+/, '');
      if (i === last) segment = segment.replace(/[ \t\n\r]+$/, '');
      out += decodeReferences(segment, `${at}/${name}`);
      continue;
    }
    if (kid.name === CDATA) {
      out += kid.text;
      continue;
    }
    throw errors.DMC_ERR_SYNCML_INVALID_CONTENT.create({ path: `${at}/${name}`, expected: 'text', received: describe(kid) });
  }
  return out;
}

/** Like `leafText`, for identifiers and codes the spec requires: empty text is an error. */
export function requiredText(kids: XNode[], at: string, name: string): string {
  const text = leafText(kids, at, name);
  if (text === '') {
    throw errors.DMC_ERR_SYNCML_INVALID_CONTENT.create({ path: `${at}/${name}`, expected: 'non-empty text', received: 'an empty element' });
  }
  return text;
}

/** `<NoResp/>`, `<MoreData/>`, `<Final/>`: flags whose presence is the value, so content is a mistake. */
export function emptyFlag(kids: XNode[], at: string, name: string): true {
  const first = kids[0];
  if (first !== undefined && !(kids.length === 1 && first.name === TEXT && BLANK.test(first.text))) {
    throw errors.DMC_ERR_SYNCML_INVALID_CONTENT.create({ path: `${at}/${name}`, expected: 'an empty element', received: describe(first) });
  }
  return true;
}

/**
 * A `<Data>`'s content from its raw markup: text or embedded XML (see `readData`). The validator passed the whole
 * message but does not look inside text, attribute values, comments or PIs, so markup (or a `>`, for `]]>`) in a
 * Data is first checked against XML 1.0 here, where the error can name the Data (strict-xml.ts).
 */
export function dataValue(kids: XNode[], at: string): Data {
  const first = kids[0];
  const raw = first?.name === TEXT ? first.text : '';
  if (raw === '') return '';
  if (raw.indexOf('<') === -1 && raw.indexOf('>') === -1) {
    // Plain text, the usual case: references are all there is to check, and decoding checks them.
    return raw.indexOf('&') === -1 ? raw : decodeReferences(raw, `${at}/Data`);
  }
  const path = `${at}/Data`;
  const bad = findViolation(raw, false);
  if (bad !== undefined) dataFault(bad, path);
  return readData(raw, path);
}

function dataFault(bad: Violation, path: string): never {
  if (bad.reference !== undefined) throw errors.DMC_ERR_SYNCML_BAD_REFERENCE.create({ path, reference: bad.reference });
  throw errors.DMC_ERR_SYNCML_MALFORMED_XML.create({ path, reason: `${bad.reason} (at character ${bad.offset + 1} of its content)` });
}

/** A `<Data>` that must be text (Alert, Status, Cred): embedded XML there is an error. */
export function dataText(kids: XNode[], at: string, required: boolean): string {
  const data = dataValue(kids, at);
  if (typeof data !== 'string') {
    throw errors.DMC_ERR_SYNCML_INVALID_CONTENT.create({ path: `${at}/Data`, expected: 'text', received: 'embedded XML elements' });
  }
  if (required && data === '') {
    throw errors.DMC_ERR_SYNCML_INVALID_CONTENT.create({ path: `${at}/Data`, expected: 'non-empty text', received: 'an empty element' });
  }
  return data;
}

const META_CHILDREN = ['Format', 'Type', 'Mark', 'Size', 'Version', 'NextNonce', 'MaxMsgSize', 'MaxObjSize'] as const;
type MetaKey = (typeof META_CHILDREN)[number];
const META_SET: ReadonlySet<string> = new Set(META_CHILDREN);

/** `<Meta>`: MetInf children, whatever namespace declaration they carry (Windows puts `syncml:metinf` on each). */
export function parseMeta(kids: XNode[], parentAt: string): Meta {
  const at = `${parentAt}/Meta`;
  const meta: Meta = {};
  for (const kid of kids) {
    const name = kid.name;
    if (!META_SET.has(name)) {
      if (name === TEXT || name === CDATA) {
        strayContent(kid, at);
        continue;
      }
      unknownElement(name, at, META_CHILDREN);
    }
    const key = name as MetaKey;
    if (meta[key] !== undefined) duplicate(at, name);
    meta[key] = leafText(kid.kids, at, name);
  }
  return meta;
}

const LOCATION_CHILDREN = ['LocURI', 'LocName'] as const;

/** `<Target>` / `<Source>`: LocURI is required, LocName optional. */
export function parseLocation(kids: XNode[], parentAt: string, which: 'Target' | 'Source'): LocationElement {
  const at = `${parentAt}/${which}`;
  let locUri: string | undefined;
  let locName: string | undefined;
  for (const kid of kids) {
    const name = kid.name;
    if (name === 'LocURI') {
      if (locUri !== undefined) duplicate(at, name);
      locUri = leafText(kid.kids, at, name);
    } else if (name === 'LocName') {
      if (locName !== undefined) duplicate(at, name);
      locName = leafText(kid.kids, at, name);
    } else if (name === TEXT || name === CDATA) {
      strayContent(kid, at);
    } else {
      unknownElement(name, at, LOCATION_CHILDREN);
    }
  }
  if (locUri === undefined) missing(at, 'LocURI');
  return locName === undefined ? { LocURI: locUri } : { LocURI: locUri, LocName: locName };
}
