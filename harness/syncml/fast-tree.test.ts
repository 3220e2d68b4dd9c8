/**
 * The single-pass reader (fast-tree.ts) against the validator + parser it stands in for: on real Windows messages
 * it must actually be taken, and on every message it takes (real ones, built ones, and thousands of mangled ones)
 * the validator must agree the message is well-formed and the parser must give the very same tree. Whatever it
 * declines goes the long way, so a message it declines is never a difference.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { buildSyncML, parseSyncML } from './index.js';
import { fastTree } from './fast-tree.js';
import { validatedTree } from './parse.js';
import { findViolation } from './strict-xml.js';

function captureBody(file: string): string {
  const raw = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
  return raw.slice(raw.indexOf('\n\n') + 2);
}

const CAPTURES = ['05-management-session1.http', '06-management-session2-unenroll.http'].map(captureBody);

/** A server reply as buildSyncML writes it: Status, Results with text and embedded-free Data, Replace, Get, Final. */
const BUILT = buildSyncML({
  SyncHdr: {
    VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: '1A', MsgID: '2',
    Target: { LocURI: 'BE0001' }, Source: { LocURI: 'https://127.0.0.1:8443/ManagementServer/MDM.svc' },
  },
  SyncBody: {
    commands: [
      { kind: 'Status', CmdID: '1', MsgRef: '1', CmdRef: '0', Cmd: 'SyncHdr', TargetRef: ['x'], SourceRef: ['y'], Data: '200', Item: [] },
      { kind: 'Results', CmdID: '2', MsgRef: '1', CmdRef: '3', Item: [{ Source: { LocURI: './DevDetail/SwV' }, Meta: { Format: 'chr' }, Data: 'a < b & "c" \u00e9' }] },
      { kind: 'Replace', CmdID: '3', Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/P/Poll/NumberOfFirstRetries' }, Meta: { Format: 'int', Type: 'text/plain' }, Data: ' 5 ' }] },
      { kind: 'Get', CmdID: '4', NoResp: true, Item: [{ Target: { LocURI: './DevInfo/Lang' } }] },
      { kind: 'Alert', CmdID: '5', Data: '1222', Item: [] },
    ],
    Final: true,
  },
});

/**
 * The same tree from both paths, or the fast path declined. Returns whether the fast path took it. What it takes
 * skips the scan for what the validator misses (strict-xml.ts), so that scan must find nothing there either but a
 * reference, which both paths leave to the walk (it decodes and checks every text).
 */
function agree(text: string, label: string): boolean {
  const fast = fastTree(text);
  if (fast === undefined) return false;
  assert.equal(XMLValidator.validate(text), true, `${label}: taken by the fast reader but refused by the validator:\n${text}`);
  const violation = findViolation(text, true);
  assert.ok(violation === undefined || violation.reference !== undefined, `${label}: taken by the fast reader but not XML 1.0 (${violation?.reason}):\n${text}`);
  assert.deepStrictEqual(fast, validatedTree(text), `${label}: trees differ:\n${text}`);
  return true;
}

test('real Windows messages and the server\'s own replies take the single pass, with the parser\'s tree', () => {
  for (const [n, body] of CAPTURES.entries()) assert.ok(agree(body, `capture ${n}`), `capture ${n} should take the fast reader`);
  assert.ok(agree(BUILT, 'built'));
  // Line ends, a declaration, indentation and references of every accepted form.
  assert.ok(agree(CAPTURES[0]!.replace(/\n/g, '\r\n'), 'CRLF'));
  assert.ok(agree(`<?xml version="1.0" encoding="UTF-8"?>\n${BUILT}\n`, 'declaration'));
  assert.ok(agree(BUILT.replace(/></g, '>\n  <'), 'indented'));
  assert.ok(agree(BUILT.replace('>200<', '>&#50;&#x30;0&amp;&lt;&gt;&quot;&apos;&nbsp;<'), 'references'));
  assert.ok(agree(BUILT.replace('<Final/>', '<Final />').replace('<Data>200', "<Data a='1' b=\"2\">200"), 'attributes'));
  // Past 16 attributes the names are sorted to find a repeat: all distinct is still taken.
  const many = Array.from({ length: 40 }, (_, k) => ` n${k}="${k}"`).join('');
  assert.ok(agree(BUILT.replace('<Final/>', `<Final${many}/>`), 'forty attributes'));
});

test('leaves (an element holding only text, or nothing) read the same in the single pass at any depth it takes', () => {
  assert.ok(agree('<SyncML></SyncML>', 'an empty root'));
  assert.ok(agree('<SyncML>text &amp; more</SyncML>', 'a root of text'));
  assert.ok(agree(BUILT.replace('<Final/>', '<Final></Final><x>&#50;</x><y></y>'), 'empty and referenced leaves'));
  // The depth bound counts a leaf like any element: 64 open elements above one are the long way's to judge.
  const nested = (depth: number) => `${'<a>'.repeat(depth)}<b>t</b>${'</a>'.repeat(depth)}`;
  assert.ok(agree(nested(63), '63 elements above a leaf'));
  assert.equal(fastTree(nested(64)), undefined, '64 elements above a leaf');
});

test('what the single pass declines is left to the validator and the parser, whose words the user sees', () => {
  const declined = [
    BUILT.replace('<Final/>', '<!-- c --><Final/>'),
    BUILT.replace('>200<', '><![CDATA[200]]><'),
    BUILT.replace('<Final/>', '<?pi x?><Final/>'),
    BUILT.replace('>200<', '>&bad<'),
    BUILT.replace('<Final/>', '<m:Final/>'),
    BUILT.replace('<Final/>', '<Final a = "1"/>'),
    BUILT.replace('<Final/>', '<Final a="1" a="2"/>'),
    // A repeat far apart among many attributes, in a start tag and in an empty one.
    BUILT.replace('<Final/>', `<Final x="0"${Array.from({ length: 40 }, (_, k) => ` n${k}="${k}"`).join('')} x="1"/>`),
    BUILT.replace('<Data>200', `<Data${Array.from({ length: 40 }, (_, k) => ` n${k}="${k}"`).join('')} n7="again">200`),
    BUILT.replace('</SyncHdr>', '</SyncHdR>'),
    BUILT.replace('</SyncML>', ''),
    `${BUILT}<SyncML/>`,
    BUILT.replace(/<Data>a [^<]*<\/Data>/, '<Data><x/></Data>'),
    // Without CDATA "]]>" is always an error, which only the long path words.
    BUILT.replace('>200<', '>2]]>00<'),
  ];
  for (const text of declined) assert.equal(fastTree(text), undefined, text);
  assert.throws(() => parseSyncML(BUILT.replace('</SyncHdr>', '</SyncHdR>')), {
    code: 'DMC_ERR_SYNCML_MALFORMED_XML',
    message: /^SyncML message is not well-formed XML: Expected closing tag 'SyncHdr'/,
  });
  // Embedded XML in a Results Data is fine, it just goes the long way.
  const results = parseSyncML(BUILT.replace(/<Data>a [^<]*<\/Data>/, '<Data><x/></Data>')).SyncBody.commands[1];
  assert.deepStrictEqual(results?.kind === 'Results' ? results.Item[0]?.Data : undefined, { xml: '<x/>' });
});

test('a processing instruction in content carries no data: both paths read the message as if it were not there', () => {
  // XML 1.0 2.6: PIs may stand in content and are for applications, not character data; the parser made elements of them.
  const withPis = BUILT
    .replace('<SyncBody>', '<SyncBody><?pi x?>')
    .replace('<Get>', '<Get><?pi-2 a="1"?>')
    .replace('</SyncML>', '</SyncML><?after?>');
  assert.equal(fastTree(withPis), undefined, 'the fast reader declines PIs; the long path must drop them');
  assert.deepStrictEqual(validatedTree(withPis), fastTree(BUILT));
  assert.deepStrictEqual(parseSyncML(withPis), parseSyncML(BUILT));
  // Inside text a PI splits the text node, and the text reads whole.
  assert.deepStrictEqual(parseSyncML(BUILT.replace('<LocURI>./DevDetail/SwV', '<LocURI>./Dev<?pi ?>Detail/SwV')), parseSyncML(BUILT));
  // The XML declaration is not an element either, on either path.
  const declared = `<?xml version="1.0" encoding="UTF-8"?>${BUILT}`;
  assert.deepStrictEqual(fastTree(declared), fastTree(BUILT));
  assert.deepStrictEqual(validatedTree(declared), fastTree(BUILT));
  // A PI that is really a misplaced declaration, or has no target, is no PI: refused (strict-xml.test.ts words it).
  assert.throws(() => parseSyncML(BUILT.replace('<Get>', '<Get><?xml version="1.0"?>')), { code: 'DMC_ERR_SYNCML_MALFORMED_XML' });
  assert.throws(() => parseSyncML(BUILT.replace('<Get>', '<Get><? x?>')), { code: 'DMC_ERR_SYNCML_MALFORMED_XML' });
});

/** mulberry32: a small seeded generator, so a failure names a case that can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '<', '>', '/', '&', ';', '"', "'", '=', ' ', '\n', '\r', '#', 'x', 'a', 'D', '!', '?', '[', ']', '-', ':', '\t',
  '<Data>', '</Data>', '<Data/>', '<a>', '</a>', '<b/>', '&amp;', '&#38;', '&#x26;', '&bogus;', '&;', '&#;', '<!--c-->',
  '<![CDATA[x]]>', '<?pi x?>', '<?xml version="1.0"?>', ' a="1"', " a='1'", ' a="1" a="2"', '</SyncML>', ' />', '__proto__',
  ']]>', ' a="<"', ' a="&bogus;"', '<!-- - -- -->', '<? x?>',
];

test('on mangled messages the single pass never accepts what the validator refuses, nor builds another tree', () => {
  const next = random(13);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  let taken = 0;
  const seeds = [...CAPTURES, BUILT];
  for (let round = 0; round < 6000; round++) {
    let text = pick(seeds);
    for (let m = 1 + Math.floor(next() * 3); m > 0; m--) {
      const at = Math.floor(next() * (text.length + 1));
      const span = 1 + Math.floor(next() * 12);
      const op = next();
      if (op < 0.3) text = text.slice(0, at) + text.slice(at + span);
      else if (op < 0.8) text = text.slice(0, at) + pick(PIECES) + text.slice(at);
      else text = text.slice(0, at) + text.slice(at, at + span) + text.slice(at);
    }
    if (agree(text, `round ${round}`)) taken += 1;
  }
  // Enough of the mangled messages stay well-formed (a changed value, an added attribute) to test the taken branch.
  assert.ok(taken > 300, `only ${taken} mangled messages took the fast reader`);
});
