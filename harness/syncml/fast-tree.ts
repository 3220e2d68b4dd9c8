/**
 * One pass over a message that checks it is well-formed and builds the same tree (parse-tree.ts's XNode) as
 * parse.ts's validator + fast-xml-parser path (attributes ignored, `<Data>` a stop node kept as raw markup, text
 * untrimmed, references left for parse-tree.ts, no node for the XML declaration or any other processing
 * instruction), for the plain XML a DM client sends: an optional XML declaration, one root, elements with quoted
 * attributes, text with the usual references.
 *
 * Why: the validator pass and then the parser walked every message twice, and the pair was the largest single cost
 * of a management request (issue #13, benchmarks/server.bench.ts). This reader is deliberately narrow: whenever it
 * meets anything outside that subset (comments, CDATA, processing instructions, markup inside Data, a prefixed
 * element name, `a = "b"` spacing, a reference it is not sure of, `]]>`, any error at all) it answers `undefined`
 * and the caller takes the validator + parser path, which accepts or refuses with its own messages. So it never
 * accepts a message that path would refuse, and never words an error. fast-tree.test.ts compares both paths on many
 * messages.
 */
import { CDATA, TEXT, elementNode, textNode, type XNode } from './parse-tree.js';

/** Element names this reader takes (ASCII XML names without a prefix); anything else goes the long way. */
const NAME_START = /[A-Za-z_]/;
/** fast-xml-parser refuses or renames these as tag names (prototype pollution guard): leave them to it. */
const RESERVED = new Set([
  '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf',
  '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', TEXT, CDATA,
]);
/** The parser refuses deeper nesting (its maxNestedTags is 100); stay well below it. */
const MAX_DEPTH = 64;
/** `&name;` (at most 20 word characters) or a numeric reference: forms the validator accepts. */
const REFERENCE = /^&(?:[A-Za-z0-9_]{1,20}|#[0-9]+|#x[0-9A-Fa-f]+);/;
const XML_DECLARATION = /^<\?xml(?:[ \t\n]+[A-Za-z]+="[^"<>&?]*")*[ \t\n]*\?>/;

function isNameCode(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d || c === 0x2e;
}

function isBlankCode(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09;
}

/** Every `&` in `text` starts a reference of a form the validator accepts. */
function referencesOk(text: string): boolean {
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) {
    if (!REFERENCE.test(text.slice(at, at + 32))) return false;
  }
  return true;
}

/**
 * Whether `names` holds a name twice. A few names (every tag Windows writes has at most one attribute) are compared
 * pairwise; more are sorted and neighbours compared. Not a Set: a device's tag with hundreds of thousands of attributes
 * made the Set's growth superlinear on these VMs (8 → 56 ms from 95,000 to 380,000 names, its table outgrowing the
 * caches), where sorting took 3 → 13 ms. Pairwise only up to 16 names, so it never costs their square.
 */
function hasDuplicate(names: readonly string[]): boolean {
  if (names.length <= 16) {
    for (let a = 1; a < names.length; a++) for (let b = 0; b < a; b++) if (names[a] === names[b]) return true;
    return false;
  }
  const sorted = [...names].sort();
  for (let k = 1; k < sorted.length; k++) if (sorted[k] === sorted[k - 1]) return true;
  return false;
}

/**
 * Reads the attributes of a start tag from `i` (just after its name) to its `>` or `/>`.
 * Returns the index after the tag with the sign bit meaning self-closing (as `~index`), or -1 to give up.
 */
function readTagEnd(s: string, i: number): number {
  const n = s.length;
  let names: string[] | undefined;
  for (;;) {
    const start = i;
    while (i < n && isBlankCode(s.charCodeAt(i))) i++;
    if (i >= n) return -1;
    const c = s.charCodeAt(i);
    if (c === 0x3e /* > */) return names !== undefined && hasDuplicate(names) ? -1 : i + 1;
    if (c === 0x2f /* / */) return s.charCodeAt(i + 1) !== 0x3e || (names !== undefined && hasDuplicate(names)) ? -1 : ~(i + 2);
    // An attribute: white space before it, name="value" or name='value', no markup or reference in the value.
    if (i === start || !NAME_START.test(s[i] as string)) return -1;
    const nameStart = i;
    while (i < n && (isNameCode(s.charCodeAt(i)) || s.charCodeAt(i) === 0x3a /* : */)) i++;
    const name = s.slice(nameStart, i);
    if (s.charCodeAt(i) !== 0x3d /* = */) return -1;
    const quote = s[i + 1];
    if (quote !== '"' && quote !== "'") return -1;
    const close = s.indexOf(quote, i + 2);
    if (close === -1) return -1;
    const value = s.slice(i + 2, close);
    if (value.includes('<') || value.includes('&') || value.includes('>')) return -1;
    if (RESERVED.has(name)) return -1;
    (names ??= []).push(name);
    i = close + 1;
  }
}

/** The parse tree of `text`, or undefined when it is outside what this reader handles (see above). */
export function fastTree(text: string): XNode[] | undefined {
  // fast-xml-parser normalises line ends before it reads (XML 1.0 2.11); so do we.
  const s = text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
  // This subset has no CDATA, so "]]>" can only be the error XML 1.0 2.4 makes of it in text, which the validator
  // misses and strict-xml.ts words: one native search of the message, not a check per text segment.
  if (s.indexOf(']]>') !== -1) return undefined;
  const n = s.length;
  const top: XNode[] = [];
  let i = 0;
  if (s.startsWith('<?xml')) {
    const declaration = XML_DECLARATION.exec(s);
    if (declaration === null) return undefined;
    i = declaration[0].length;
  }
  const names: string[] = [];
  const parents: XNode[][] = [];
  let kids = top;
  let rootDone = false;
  while (i < n) {
    const lt = s.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) {
      if (names.length === 0) {
        // Outside the root only white space is allowed (and kept by nobody).
        for (let k = i; k < textEnd; k++) if (!isBlankCode(s.charCodeAt(k))) return undefined;
      } else {
        const t = s.slice(i, textEnd);
        if (t.includes('&') && !referencesOk(t)) return undefined;
        kids.push(textNode(t));
      }
    }
    if (lt === -1) break;
    i = lt;
    const c1 = s.charCodeAt(i + 1);
    if (c1 === 0x2f /* / */) {
      const name = names.pop();
      if (name === undefined || !s.startsWith(name, i + 2) || s.charCodeAt(i + 2 + name.length) !== 0x3e) return undefined;
      kids = parents.pop() as XNode[];
      i += name.length + 3;
      if (names.length === 0) rootDone = true;
      continue;
    }
    // A second root, a comment, CDATA, a DOCTYPE or a processing instruction: the long way.
    if (rootDone || !NAME_START.test(s[i + 1] ?? '')) return undefined;
    let j = i + 2;
    while (j < n && isNameCode(s.charCodeAt(j))) j++;
    const name = s.slice(i + 1, j);
    if (RESERVED.has(name)) return undefined;
    const end = readTagEnd(s, j);
    if (end === -1) return undefined;
    const selfClosing = end < 0;
    i = selfClosing ? ~end : end;
    if (name === 'Data') {
      if (names.length === 0) return undefined;
      // The parser's stop node: the raw text up to </Data>, kept as one text child (empty for <Data/>).
      let raw = '';
      if (!selfClosing) {
        const close = s.indexOf('<', i);
        if (close === -1 || !s.startsWith('</Data>', close)) return undefined;
        raw = s.slice(i, close);
        if (raw.includes('&') && !referencesOk(raw)) return undefined;
        i = close + 7;
      }
      kids.push(elementNode('Data', [textNode(raw)]));
      continue;
    }
    if (selfClosing) {
      if (names.length === 0) rootDone = true;
      kids.push(elementNode(name, []));
      continue;
    }
    if (names.length >= MAX_DEPTH) return undefined;
    // A leaf, `<CmdID>3</CmdID>`, most elements of a message: its one text child in an array of its size, with no
    // trip through the stacks. A pushed array keeps room for 17, and less allocated per message is fewer scavenges.
    const close = s.indexOf('<', i);
    if (close !== -1 && s.charCodeAt(close + 1) === 0x2f && s.startsWith(name, close + 2) && s.charCodeAt(close + 2 + name.length) === 0x3e) {
      let leafKids: XNode[];
      if (close === i) leafKids = [];
      else {
        const t = s.slice(i, close);
        if (t.includes('&') && !referencesOk(t)) return undefined;
        leafKids = [textNode(t)];
      }
      kids.push(elementNode(name, leafKids));
      i = close + name.length + 3;
      if (names.length === 0) rootDone = true;
      continue;
    }
    const children: XNode[] = [];
    kids.push(elementNode(name, children));
    parents.push(kids);
    names.push(name);
    kids = children;
  }
  if (names.length > 0 || !rootDone) return undefined;
  return top;
}
