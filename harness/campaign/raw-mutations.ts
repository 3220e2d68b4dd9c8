/**
 * The RAW path of the campaign (STYLE.md: a deliberately malformed message is built through an explicit, clearly
 * named raw path, never through the typed codec). Each mutator takes the text of a real message (a capture, or
 * what the virtual device sent) and returns broken text; `rawMutate` stacks one to three of them. Mutators work on
 * the text, so they also produce what no typed message can hold: cut tags, bad bytes, huge or negative numbers,
 * unknown elements, wrong namespaces, entity tricks.
 *
 * Texts here are BINARY strings (one character per byte, latin1): a byte flip may break UTF-8, and the broken
 * bytes must reach the server as they are. `toRaw` and `rawBytes` convert at the edges.
 */
import type { Random } from './random.js';

/** UTF-8 text as a binary string. */
export function toRaw(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** The bytes of a binary string, as sent on the wire. */
export function rawBytes(raw: string): Buffer {
  return Buffer.from(raw, 'latin1');
}

export type RawMutator = (text: string, random: Random) => string;

/** Elements `<Name ...>...</Name>` (no nesting of the same name inside), with their offsets. */
function elements(text: string): Array<{ start: number; end: number; name: string }> {
  const found: Array<{ start: number; end: number; name: string }> = [];
  const open = /<([A-Za-z][\w.:-]*)(?:\s[^<>]*)?>/g;
  for (let m = open.exec(text); m !== null && found.length < 400; m = open.exec(text)) {
    const close = text.indexOf(`</${m[1]}>`, m.index + m[0].length);
    if (close !== -1) found.push({ start: m.index, end: close + m[1]!.length + 3, name: m[1]! });
  }
  return found;
}

/** Offsets of the text content of numeric-ish elements (CmdID, MsgID, MsgRef, CmdRef, SessionID, Data, ...). */
function numberSlots(text: string): Array<{ start: number; end: number; name: string }> {
  const slots: Array<{ start: number; end: number; name: string }> = [];
  const re = /<(CmdID|MsgID|MsgRef|CmdRef|SessionID|Data|MaxMsgSize|MaxObjSize|Size|RequestVersion|OSEdition)>([^<]*)<\/\1>/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index + m[1]!.length + 2;
    slots.push({ start, end: start + m[2]!.length, name: m[1]! });
  }
  return slots;
}

function replaceRange(text: string, start: number, end: number, by: string): string {
  return text.slice(0, start) + by + text.slice(end);
}

const HUGE_NUMBERS = ['99999999999999999999999999999999', '18446744073709551616', '9007199254740993', '2147483648', '4294967296', '1e309', 'NaN', 'Infinity', '0x10', '00000000000000000000001'];
const NEGATIVE_NUMBERS = ['-1', '-0', '-2147483649', '-99999999999999999999', ' -5 '];
const UNKNOWN_COMMANDS = [
  '<Frobnicate><CmdID>77</CmdID><Item><Target><LocURI>./x</LocURI></Target></Item></Frobnicate>',
  '<Copy><CmdID>78</CmdID></Copy>',
  '<Sync><CmdID>79</CmdID><Add><CmdID>80</CmdID></Add></Sync>',
  '<Map><CmdID>81</CmdID></Map>',
  '<Exec><CmdID>82</CmdID></Exec>',
  '<Get/>',
  '<Status><CmdID>83</CmdID></Status>',
  '<Atomic><CmdID>84</CmdID><Atomic><CmdID>85</CmdID><Atomic><CmdID>86</CmdID></Atomic></Atomic></Atomic>',
];
const NAMESPACES = ['xmlns="urn:example:wrong"', 'xmlns="SYNCML:SYNCML1.1"', 'xmlns="syncml:metinf"', 'xmlns=""', 'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"', 'xmlns:a="urn:wrong"'];
const ENTITY_TRICKS = [
  '<?xml version="1.0"?><!DOCTYPE SyncML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
  '<?xml version="1.0" encoding="UTF-16"?>',
  '\uFEFF',
  '<!-- unterminated comment',
  '<![CDATA[',
];

export const rawMutators: Record<string, RawMutator> = {
  /** Flip bits of a few random bytes (UTF-8 may break: the server must say so, not crash). */
  byteFlip(text, random) {
    const bytes = rawBytes(text);
    const flips = 1 + random.int(8);
    for (let i = 0; i < flips && bytes.length > 0; i += 1) bytes[random.int(bytes.length)]! ^= 1 << random.int(8);
    return bytes.toString('latin1');
  },
  truncate(text, random) {
    return text.slice(0, random.int(text.length));
  },
  duplicateElement(text, random) {
    const all = elements(text);
    if (all.length === 0) return text + text;
    const e = random.pick(all);
    // Many copies of a small element (a long command list); a few of a large one. Bodies far past the endpoint's
    // limit only test the limit, which the 50 MB case does on its own.
    const copies = random.next() < 0.1 && e.end - e.start < 4096 ? 200 : 1 + random.int(3);
    return text.slice(0, e.end) + text.slice(e.start, e.end).repeat(copies) + text.slice(e.end);
  },
  removeElement(text, random) {
    const all = elements(text);
    if (all.length === 0) return '';
    const e = random.pick(all);
    return replaceRange(text, e.start, e.end, '');
  },
  /** Swap two elements (siblings or not): reordered commands, a header inside the body, ... */
  reorderElements(text, random) {
    const all = elements(text);
    if (all.length < 2) return text;
    const a = random.pick(all);
    const apart = all.filter((x) => x.end <= a.start || x.start >= a.end);
    if (apart.length === 0) return text;
    const b = random.pick(apart);
    const [first, second] = a.start < b.start ? [a, b] : [b, a];
    return (
      text.slice(0, first.start) + text.slice(second.start, second.end) + text.slice(first.end, second.start) +
      text.slice(first.start, first.end) + text.slice(second.end)
    );
  },
  hugeNumber(text, random) {
    const slots = numberSlots(text);
    if (slots.length === 0) return text;
    const s = random.pick(slots);
    return replaceRange(text, s.start, s.end, random.pick(HUGE_NUMBERS));
  },
  negativeNumber(text, random) {
    const slots = numberSlots(text);
    if (slots.length === 0) return text;
    const s = random.pick(slots);
    return replaceRange(text, s.start, s.end, random.pick(NEGATIVE_NUMBERS));
  },
  unknownCommand(text, random) {
    const at = text.lastIndexOf('<Final');
    const where = at !== -1 ? at : text.indexOf('</SyncBody>') !== -1 ? text.indexOf('</SyncBody>') : text.indexOf('</s:Body>');
    const insert = toRaw(random.pick(UNKNOWN_COMMANDS));
    return where === -1 ? insert + text : text.slice(0, where) + insert + text.slice(where);
  },
  wrongNamespace(text, random) {
    const ns = /xmlns(?::\w+)?="[^"]*"/g;
    const found = [...text.matchAll(ns)];
    if (found.length === 0) return text.replace(/<(\w+)/, `<$1 ${random.pick(NAMESPACES)}`);
    const m = random.pick(found);
    return replaceRange(text, m.index, m.index + m[0].length, random.pick(NAMESPACES));
  },
  /** A DOCTYPE with entity expansion or an external entity, a wrong declared encoding, a BOM, a cut comment. */
  entityTrick(text, random) {
    const trick = toRaw(random.pick(ENTITY_TRICKS));
    const body = text.replace(/^<\?xml[^>]*\?>/, '');
    return random.next() < 0.5 ? trick + body : body.replace(/<\/LocURI>|<\/a:Action>|<\/Data>/, (m) => `${random.next() < 0.5 ? '&d;' : '&xxe;'}${m}`);
  },
  /** Deep nesting: a parser that recurses must not run out of stack. */
  deepNesting(text, random) {
    const depth = 1_000 + random.int(20_000);
    const where = text.indexOf('</SyncBody>') !== -1 ? text.indexOf('</SyncBody>') : Math.max(0, text.indexOf('</s:Body>'));
    return text.slice(0, where) + '<Atomic>'.repeat(depth) + '</Atomic>'.repeat(depth) + text.slice(where);
  },
  /** A long run of one character inside an element's text. */
  longText(text, random) {
    const slots = numberSlots(text);
    const filler = toRaw(random.pick(['A', '<', '&amp;', '\u0000', '\uD800', '€']).repeat(1 + random.int(200_000)));
    if (slots.length === 0) return text + filler;
    const s = random.pick(slots);
    return replaceRange(text, s.start, s.end, filler);
  },
};

export const RAW_MUTATOR_NAMES = Object.keys(rawMutators);

/** One fuzzed input: one to three mutators applied in turn; `names` says which, for the replay report. */
export function rawMutate(text: string, random: Random): { text: string; names: string[] } {
  const count = 1 + random.int(3);
  const names: string[] = [];
  let out = text;
  for (let i = 0; i < count; i += 1) {
    const name = random.pick(RAW_MUTATOR_NAMES);
    names.push(name);
    out = rawMutators[name]!(out, random);
  }
  return { text: out, names };
}
