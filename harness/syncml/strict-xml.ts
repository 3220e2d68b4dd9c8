/**
 * What XML 1.0 refuses but fast-xml-parser's validator lets through. The validator checks tags (names, nesting,
 * quoting, repeated attributes) and does not look inside text, attribute values, comments or processing
 * instructions (with fast-xml-parser 5.12 every case in strict-xml.test.ts was accepted). This scan runs only on
 * text the validator has already accepted (a whole message on the slow path, or a `<Data>`'s raw content), so it
 * relies on tags being closed and values quoted, and looks inside them:
 * - character data: `]]>` (XML 1.0 2.4) and a `&` that is not a predefined entity or a reference to an XML
 *   character (4.1; DTDs are refused before parsing, so no other entity can exist),
 * - attribute values: `<` (3.1 AttValue) and references as in character data,
 * - comments: `--` inside, which also covers `--->` at the end (2.5),
 * - processing instructions: a target that is not a name, or the target `xml` in any case (2.6), except for the
 *   XML declaration at the very start of a document (2.8),
 * - `<!` that opens neither a comment nor a CDATA section (markup declarations belong in a DTD).
 * Raw characters XML does not allow (C0 controls, lone surrogates) are refused for the whole message before parsing.
 *
 * Every search is bounded by the construct it is in, or remembered across constructs, so hostile input costs
 * linear time: an unbounded indexOf per text segment or per attribute would make a 1 MiB message quadratic.
 */
import { XMLValidator } from 'fast-xml-parser';
import { badReference, referenceEnd } from './xml-text.js';

export interface Violation {
  /** Index in the scanned text. */
  readonly offset: number;
  /** What is wrong, in fixed words with at most a short quote of the input. */
  readonly reason: string;
  /** Set when the fault is a reference: the reference as DMC_ERR_SYNCML_BAD_REFERENCE shows it. */
  readonly reference?: string;
}

/** XML 1.0 (5th edition) 2.3 Name: only processing instruction targets are read with it, and those are rare. */
const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F' +
  '\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
/** A PI target: a name followed by white space or the `?>` that ends the instruction. */
const PI_TARGET = new RegExp(`[${NAME_START}][${NAME_CHAR}]*(?=[ \\t\\r\\n]|\\?>)`, 'uy');
const RESERVED_TARGET = /^[Xx][Mm][Ll]$/;

function referenceViolation(text: string, amp: number): Violation {
  const reference = badReference(text, amp);
  return {
    offset: amp,
    reason: `reference ${JSON.stringify(reference)} is not allowed; only &amp; &lt; &gt; &quot; &apos; and numeric references to XML characters are`,
    reference,
  };
}

/** `<` or a bad reference in the attribute value `text[from..to)`; a char loop, as values are short and many. */
function valueViolation(text: string, from: number, to: number): Violation | undefined {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x3c /* < */) return { offset: k, reason: '"<" is not allowed in an attribute value (write &lt;)' };
    if (c === 0x26 /* & */) {
      const end = referenceEnd(text, k);
      if (end === undefined || end > to) return referenceViolation(text, k);
      k = end - 1;
    }
  }
  return undefined;
}

/** The index after the start tag whose `<` is at `lt`, or a Violation. Quoted values may hold `>`. */
function skipStartTag(text: string, lt: number): number | Violation {
  const n = text.length;
  for (let j = lt + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x3e /* > */) return j + 1;
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      const close = text.indexOf(c === 0x22 ? '"' : "'", j + 1);
      if (close === -1) break;
      const bad = valueViolation(text, j + 1, close);
      if (bad !== undefined) return bad;
      j = close;
    }
  }
  return { offset: lt, reason: 'a start tag is not closed' };
}

/** The index after the processing instruction at `lt`, or a Violation. */
function skipInstruction(text: string, lt: number, isDocument: boolean): number | Violation {
  const close = text.indexOf('?>', lt + 2);
  if (close === -1) return { offset: lt, reason: 'a processing instruction is not closed with "?>"' };
  PI_TARGET.lastIndex = lt + 2;
  const target = PI_TARGET.exec(text)?.[0];
  if (target === undefined) return { offset: lt, reason: 'a processing instruction ("<?...?>") must start with a target name' };
  // The declaration is `<?xml` in lower case and only the first characters of a document (2.8); anywhere else,
  // and in any other case, the target is reserved (2.6).
  if (RESERVED_TARGET.test(target) && !(isDocument && lt === 0 && target === 'xml')) {
    return { offset: lt, reason: `"<?${target}" is not allowed here: an XML declaration may only open the document` };
  }
  return close + 2;
}

/** The index after the `<!` construct at `lt` (a comment or CDATA section), or a Violation. */
function skipDeclaration(text: string, lt: number): number | Violation {
  if (text.startsWith('<!--', lt)) {
    const close = text.indexOf('-->', lt + 4);
    if (close === -1) return { offset: lt, reason: 'a comment is not closed with "-->"' };
    // The first "--" is the one of "-->" unless the comment holds one; bounded, since "-->" is there.
    if (text.indexOf('--', lt + 4) < close) return { offset: lt, reason: '"--" is not allowed inside a comment' };
    return close + 3;
  }
  if (text.startsWith('<![CDATA[', lt)) {
    const close = text.indexOf(']]>', lt + 9);
    return close === -1 ? { offset: lt, reason: 'a CDATA section is not closed with "]]>"' } : close + 3;
  }
  return {
    offset: lt,
    reason: `${JSON.stringify(text.slice(lt, lt + 10))} is not allowed here: "<!" may only open a comment or a CDATA section`,
  };
}

/**
 * The first thing in `text` XML 1.0 refuses and the validator does not (see above), or undefined. `isDocument`:
 * `text` is a whole message, which may open with an XML declaration; otherwise it is element content (a Data).
 */
export function findViolation(text: string, isDocument: boolean): Violation | undefined {
  const n = text.length;
  // Next "]]>" and "&" at or after the current position, searched again only once passed: linear in total.
  let nextCdataEnd = -1;
  let nextAmp = -1;
  let i = 0;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt === -1 ? n : lt;
    if (end > i) {
      if (nextCdataEnd < i) nextCdataEnd = text.indexOf(']]>', i) >>> 0; // -1 becomes 2^32 - 1: never in range
      if (nextCdataEnd + 2 < end) return { offset: nextCdataEnd, reason: '"]]>" is not allowed in text (it only ends a CDATA section)' };
      if (nextAmp < i) nextAmp = text.indexOf('&', i) >>> 0;
      while (nextAmp < end) {
        const after = referenceEnd(text, nextAmp);
        if (after === undefined || after > end) return referenceViolation(text, nextAmp);
        nextAmp = text.indexOf('&', after) >>> 0;
      }
    }
    if (lt === -1) break;
    const c = text.charCodeAt(lt + 1);
    let next: number | Violation;
    if (c === 0x2f /* / */) {
      const close = text.indexOf('>', lt);
      next = close === -1 ? { offset: lt, reason: 'an end tag is not closed' } : close + 1;
    } else if (c === 0x3f /* ? */) {
      next = skipInstruction(text, lt, isDocument);
    } else if (c === 0x21 /* ! */) {
      next = skipDeclaration(text, lt);
    } else {
      next = skipStartTag(text, lt);
    }
    if (typeof next !== 'number') return next;
    i = next;
  }
  return undefined;
}

/**
 * Why `markup` is not well-formed element content, or undefined: fast-xml-parser's validator for the tags, then
 * what XML 1.0 refuses and it lets through, so embedded XML we accept or write is XML our parser reads back.
 */
export function embeddedXmlFault(markup: string): string | undefined {
  const check = XMLValidator.validate(`<Data>${markup}</Data>`);
  if (check !== true) return check.err.msg;
  return findViolation(markup, false)?.reason;
}
