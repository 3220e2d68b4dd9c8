/**
 * Text inside SyncML elements: escaping on build, reference decoding on parse, and reading a raw `<Data>`.
 *
 * The parser hands `<Data>` over unparsed (a stop node), so its content is exactly what was on the wire: we can
 * keep embedded XML verbatim and decode text ourselves. One decoder serves Data and every other element, so the
 * rule is the same everywhere: XML 1.0 2.4/4.6 predefined entities and numeric character references, nothing else
 * (DTDs are refused before parsing, so no other entity can be defined).
 */
import { errors } from './errors.js';
import type { Data } from './types.js';

/** Characters XML 1.0 2.2 cannot carry, plus what text must escape; lone surrogates are checked in the slow path. */
const NEEDS_WORK = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** True for a code point XML 1.0 2.2 allows as a character (surrogate halves are not characters). */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Escapes text for element content: & < > always, CR as a reference (XML 2.11 would turn a raw CR into LF).
 * Throws for characters XML cannot carry, naming the element `at`/`name`, so build never emits a document no parser can read.
 */
export function escapeText(value: string, at: string, name: string): string {
  if (!NEEDS_WORK.test(value)) return value;
  let out = '';
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let rep: string | undefined;
    if (c === 0x26) rep = '&amp;';
    else if (c === 0x3c) rep = '&lt;';
    else if (c === 0x3e) rep = '&gt;';
    else if (c === 0x0d) rep = '&#13;';
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      throw errors.DMC_ERR_SYNCML_BUILD_INVALID_CHAR.create({ path: `${at}/${name}`, codePoint: `${codePointName(c)} (lone surrogate)` });
    } else if (!isXmlChar(c)) {
      const suffix = c >= 0xdc00 && c <= 0xdfff ? ' (lone surrogate)' : '';
      throw errors.DMC_ERR_SYNCML_BUILD_INVALID_CHAR.create({ path: `${at}/${name}`, codePoint: codePointName(c) + suffix });
    }
    if (rep !== undefined) {
      out += value.slice(last, i) + rep;
      last = i + 1;
    }
  }
  return out + value.slice(last);
}

const EDGE_WHITESPACE = /^[ \t\n]+|[ \t\n]+$/g;

/**
 * Escapes a leaf value (LocURI, CmdID, Meta values, ...). The parser trims XML white space around leaf text as
 * indentation, so white space at either end is written as character references, which survive the trim.
 */
export function escapeLeaf(value: string, at: string, name: string): string {
  const escaped = escapeText(value, at, name);
  if (escaped === '') return escaped;
  const first = escaped.charCodeAt(0);
  const last = escaped.charCodeAt(escaped.length - 1);
  if (first > 0x20 && last > 0x20) return escaped;
  return escaped.replace(EDGE_WHITESPACE, (run) => run.replace(/[ \t\n]/g, (c) => `&#${c.charCodeAt(0)};`));
}

/** Names longer than any valid reference are reported cut, not scanned to the end of a megabyte. */
const MAX_REFERENCE = 12;

/** The character `&name;` stands for: the 5 predefined entities and numeric references to XML characters. */
function referenceChar(name: string): string | undefined {
  switch (name) {
    case 'amp': return '&';
    case 'lt': return '<';
    case 'gt': return '>';
    case 'quot': return '"';
    case 'apos': return "'";
  }
  const cp = /^#[0-9]+$/.test(name)
    ? Number.parseInt(name.slice(1), 10)
    : /^#x[0-9a-fA-F]+$/.test(name)
      ? Number.parseInt(name.slice(2), 16)
      : -1;
  return isXmlChar(cp) ? String.fromCodePoint(cp) : undefined;
}

/** The index after the reference at `text[amp]` (an `&`), or undefined when it is not one allowed without a DTD. */
export function referenceEnd(text: string, amp: number): number | undefined {
  const semi = text.indexOf(';', amp + 1);
  if (semi === -1 || semi - amp > MAX_REFERENCE) return undefined;
  return referenceChar(text.slice(amp + 1, semi)) === undefined ? undefined : semi + 1;
}

/** How a refused reference at `amp` is shown: up to its `;`, or its first characters when it has none nearby. */
export function badReference(text: string, amp: number): string {
  const semi = text.indexOf(';', amp + 1);
  return semi === -1 || semi - amp > MAX_REFERENCE ? text.slice(amp, amp + MAX_REFERENCE) : text.slice(amp, semi + 1);
}

/** Decodes the 5 predefined entities and numeric character references; anything else is an error at `path`. */
export function decodeReferences(text: string, path: string): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  let out = '';
  let last = 0;
  while (amp !== -1) {
    const semi = text.indexOf(';', amp + 1);
    const ch = semi === -1 || semi - amp > MAX_REFERENCE ? undefined : referenceChar(text.slice(amp + 1, semi));
    if (ch === undefined) {
      throw errors.DMC_ERR_SYNCML_BAD_REFERENCE.create({ path, reference: badReference(text, amp) });
    }
    out += text.slice(last, amp) + ch;
    last = semi + 1;
    amp = text.indexOf('&', last);
  }
  return out + text.slice(last);
}

/** The validator has already matched every section, so a miss here means the two disagree: fail, never loop. */
function closing(raw: string, marker: string, from: number, path: string): number {
  const at = raw.indexOf(marker, from);
  if (at === -1) {
    throw errors.DMC_ERR_SYNCML_INVALID_CONTENT.create({ path, expected: `a closing ${marker}`, received: 'none' });
  }
  return at;
}

const WHITESPACE_ONLY = /^[ \t\n\r]*$/;

/**
 * Reads the raw content of a `<Data>` element (already checked well-formed by the validator, and against what it
 * misses by strict-xml.ts when it holds markup).
 * - Any child element makes it embedded XML: `{ xml }`, the markup verbatim without surrounding whitespace.
 * - Otherwise it is text: references decoded, CDATA sections taken literally, comments and PIs dropped. Text is not
 *   trimmed (a value may start with a space), except that whitespace around CDATA sections is indentation when the
 *   CDATA holds all the value (`<Data>\n  <![CDATA[...]]>\n</Data>`).
 */
export function readData(raw: string, path: string): Data {
  if (raw.indexOf('<') === -1) return decodeReferences(raw, path);
  let text = '';
  let outside = '';
  let cdataOnly = '';
  let sawCdata = false;
  let i = 0;
  while (i < raw.length) {
    const lt = raw.indexOf('<', i);
    const end = lt === -1 ? raw.length : lt;
    if (end > i) {
      const segment = raw.slice(i, end);
      outside += segment;
      text += decodeReferences(segment, path);
    }
    if (lt === -1) break;
    if (raw.startsWith('<![CDATA[', lt)) {
      const close = closing(raw, ']]>', lt + 9, path);
      const cdata = raw.slice(lt + 9, close);
      text += cdata;
      cdataOnly += cdata;
      sawCdata = true;
      i = close + 3;
    } else if (raw.startsWith('<!--', lt)) {
      i = closing(raw, '-->', lt + 4, path) + 3;
    } else if (raw.charCodeAt(lt + 1) === 0x3f /* ? */) {
      i = closing(raw, '?>', lt + 2, path) + 2;
    } else {
      return { xml: raw.trim() };
    }
  }
  // Whitespace outside the CDATA sections is indentation when the CDATA sections hold all the value.
  return sawCdata && WHITESPACE_ONLY.test(outside) ? cdataOnly : text;
}
