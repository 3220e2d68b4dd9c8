/**
 * Malformed and hostile input: each case gives one SyncMLError whose code, path and message say what and where,
 * never a crash, a hang or a partial object.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_MAX_BYTES, SyncMLError, buildSyncML, decodeValue, parseSyncML, syncmlErrors } from './index.js';
import type { SyncML } from './index.js';

const raw = readFileSync(new URL('./fixtures/05-management-session1.http', import.meta.url), 'utf8');
const CAPTURE = raw.slice(raw.indexOf('\n\n') + 2);

const HDR =
  '<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>' +
  '<Target><LocURI>https://h/x</LocURI></Target><Source><LocURI>dev</LocURI></Source></SyncHdr>';
const doc = (body: string, hdr = HDR): string => `<SyncML xmlns="SYNCML:SYNCML1.2">${hdr}<SyncBody>${body}<Final/></SyncBody></SyncML>`;

/** Asserts `input` is refused with exactly this code, message and (if given) path. */
function refused(
  input: string | Uint8Array, code: string, message: string | RegExp, path?: string, options?: { maxBytes: number },
): SyncMLError {
  let caught: unknown;
  try {
    parseSyncML(input, options);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SyncMLError, `expected a SyncMLError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  if (path !== undefined) assert.equal(caught.path, path);
  assert.equal(caught.httpStatus, 400);
  return caught;
}

test('truncated XML: the message ends inside open elements', () => {
  const cut = CAPTURE.slice(0, CAPTURE.indexOf('<Final/>'));
  refused(cut, 'DMC_ERR_SYNCML_MALFORMED_XML',
    'SyncML message is not well-formed XML: the message ends inside <SyncML> <SyncBody> (truncated, or end tags missing) (line 1, column 1)');
});

test('every prefix of a real message is either a SyncMLError or (never) a partial object', () => {
  for (let n = 0; n < CAPTURE.length - '</SyncML>\n'.length; n++) {
    assert.throws(() => parseSyncML(CAPTURE.slice(0, n)), SyncMLError, `prefix of ${n} chars`);
  }
});

test('mismatched end tag', () => {
  refused(CAPTURE.replace('</MsgID>', '</MsgId>'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    "SyncML message is not well-formed XML: Expected closing tag 'MsgID' (opened in line 6, col 5) instead of closing tag 'MsgId'. (line 6, column 13)");
});

test('wrong root element', () => {
  refused('<Envelope><Body/></Envelope>', 'DMC_ERR_SYNCML_WRONG_ROOT', 'SyncML message has root element "Envelope"; expected SyncML');
});

test('wrong root namespace (SyncML 1.1 is not DM 1.2)', () => {
  refused(doc('').replace('SYNCML:SYNCML1.2', 'SYNCML:SYNCML1.1'), 'DMC_ERR_SYNCML_WRONG_NAMESPACE',
    'SyncML root element has namespace "SYNCML:SYNCML1.1"; expected SYNCML:SYNCML1.2 (in any case)');
});

test('the namespace is read from the real root start tag, not from a decoy before it', () => {
  const v11 = doc('').replace('SYNCML:SYNCML1.2', 'SYNCML:SYNCML1.1');
  const wrong = 'SyncML root element has namespace "SYNCML:SYNCML1.1"; expected SYNCML:SYNCML1.2 (in any case)';
  // A `<SyncML xmlns=...>` in a comment or a PI of the prolog is text, not the root.
  refused(`<!-- <SyncML xmlns="SYNCML:SYNCML1.2"> -->${v11}`, 'DMC_ERR_SYNCML_WRONG_NAMESPACE', wrong);
  refused(`<?xml version="1.0"?>\n<?note <SyncML xmlns="SYNCML:SYNCML1.2">?>\n${v11}`, 'DMC_ERR_SYNCML_WRONG_NAMESPACE', wrong);
  // A quoted ">" before xmlns does not end the tag; a reference in the value is decoded.
  refused(v11.replace('<SyncML ', '<SyncML a=">" '), 'DMC_ERR_SYNCML_WRONG_NAMESPACE', wrong);
  refused(doc('').replace('SYNCML:SYNCML1.2', 'SYNCML&#58;SYNCML1.1'), 'DMC_ERR_SYNCML_WRONG_NAMESPACE', wrong);
  // And the other way round: a decoy with the wrong namespace does not hide the right one; a prefix is no default.
  assert.equal(parseSyncML(`<!-- <SyncML xmlns="SYNCML:SYNCML1.1"> -->${doc('')}`).SyncHdr.MsgID, '1');
  assert.equal(parseSyncML(doc('').replace('<SyncML ', "<SyncML xmlns:x='SYNCML:SYNCML1.1' ")).SyncHdr.MsgID, '1');
  assert.equal(parseSyncML(doc('').replace('xmlns="SYNCML:SYNCML1.2"', "xmlns = 'syncml:syncml1.2'")).SyncHdr.MsgID, '1');
});

test('DOCTYPE with nested entities (billion laughs) is refused before any expansion', () => {
  const lol =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
    ']>' + doc('<Alert><CmdID>2</CmdID><Data>&lol9;</Data></Alert>');
  const started = performance.now();
  refused(lol, 'DMC_ERR_SYNCML_DOCTYPE',
    'SyncML message contains "<!DOCTYPE" at character 21; DTDs and entity declarations are refused (SyncML needs none, and they allow entity expansion and external entities)');
  assert.ok(performance.now() - started < 2000, 'refusal must not expand anything');
});

test('external entity (SYSTEM "file:///etc/passwd") is refused', () => {
  const xxe = '<!DOCTYPE SyncML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + doc('<Alert><CmdID>2</CmdID><Data>&xxe;</Data></Alert>');
  const err = refused(xxe, 'DMC_ERR_SYNCML_DOCTYPE', /^SyncML message contains "<!DOCTYPE" at character 0;/);
  assert.deepStrictEqual(err.fields, { declaration: '<!DOCTYPE', offset: 0 });
  // An entity declaration on its own (no DOCTYPE keyword in upper case) is refused too.
  refused(doc('<Alert><CmdID>2</CmdID><Data>1201</Data></Alert>').replace('<SyncBody>', '<SyncBody><!entity x "y">'),
    'DMC_ERR_SYNCML_DOCTYPE', /^SyncML message contains "<!entity" at character \d+;/);
});

test('"<!DOCTYPE" and "<!ENTITY" as text (a CDATA section, a comment) are no declarations and are read as sent', () => {
  const page = '<!DOCTYPE html><html><body>help</body></html>';
  const results = `<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./x</LocURI></Source><Data><![CDATA[${page}]]></Data></Item></Results>`;
  const parsed = parseSyncML(`<!-- no <!ENTITY x "y"> here -->${doc(results)}`);
  assert.deepStrictEqual(parsed.SyncBody.commands[0], { kind: 'Results', CmdID: '2', MsgRef: '1', CmdRef: '3', Item: [{ Source: { LocURI: './x' }, Data: page }] });
  // What the builder sends, a device sends back: an xml value holding such a section round-trips.
  const replace: SyncML = {
    SyncHdr: { VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: '1', MsgID: '1', Target: { LocURI: 'https://h/x' }, Source: { LocURI: 'dev' } },
    SyncBody: { commands: [{ kind: 'Replace', CmdID: '2', Item: [{ Target: { LocURI: './x' }, Meta: { Format: 'xml' }, Data: { xml: '<a><![CDATA[<!DOCTYPE x>]]></a>' } }] }], Final: true },
  };
  assert.deepStrictEqual(parseSyncML(buildSyncML(replace)), replace);
});

test('a declaration is refused wherever text cannot hide it: after a section, behind one left open, after a quoted "<![CDATA["', () => {
  const declaration = '<!DOCTYPE x [<!ENTITY e "e">]>';
  const cases = [
    doc(`<Alert><CmdID>2</CmdID><Data><![CDATA[<!-- -->]]></Data></Alert>${declaration}`),
    doc(`<Alert><CmdID>2</CmdID><Data><![CDATA[never closed ${declaration}</Data></Alert>`),
    doc(`<Alert><CmdID>2</CmdID><Data><!-- never closed ${declaration}</Data></Alert>`),
    doc('<Alert><CmdID>2</CmdID><Data>1201</Data></Alert>').replace('<SyncBody>', `<SyncBody a="<![CDATA[">${declaration}<b c="]]>">`),
  ];
  for (const text of cases) {
    const err = refused(text, 'DMC_ERR_SYNCML_DOCTYPE', /^SyncML message contains "<!DOCTYPE" at character \d+;/);
    assert.deepStrictEqual(err.fields, { declaration: '<!DOCTYPE', offset: text.indexOf(declaration) }, text);
  }
});

test('undefined entity reference without a DTD', () => {
  refused(CAPTURE.replace('VMware, Inc.', 'VMware&nbsp;Inc.'), 'DMC_ERR_SYNCML_BAD_REFERENCE',
    'SyncML SyncBody/Replace[CmdID=4]/Item[2]/Data: reference "&nbsp;" is not allowed; only &amp; &lt; &gt; &quot; &apos; and numeric references to XML characters are',
    'SyncBody/Replace[CmdID=4]/Item[2]/Data');
  refused(doc('').replace('<LocURI>dev</LocURI>', '<LocURI>d&#0;</LocURI>'), 'DMC_ERR_SYNCML_BAD_REFERENCE',
    /^SyncML SyncHdr\/Source\/LocURI: reference "&#0;" is not allowed;/, 'SyncHdr/Source/LocURI');
});

test('invalid UTF-8 bytes are refused with the offset of the bad byte', () => {
  const good = Buffer.from(doc('<Alert><CmdID>2</CmdID><Data>1201</Data></Alert>'), 'utf8');
  const at = good.indexOf('1201');
  const lone = Buffer.concat([good.subarray(0, at), Buffer.from([0xc3, 0x28]), good.subarray(at)]);
  refused(lone, 'DMC_ERR_SYNCML_INVALID_UTF8', `SyncML message is not valid UTF-8: byte 0x28 at offset ${at + 1} does not fit the encoding`);
  const overlong = Buffer.concat([good.subarray(0, at), Buffer.from([0xc0, 0xaf]), good.subarray(at)]);
  refused(overlong, 'DMC_ERR_SYNCML_INVALID_UTF8', `SyncML message is not valid UTF-8: byte 0xC0 at offset ${at} does not fit the encoding`);
  const surrogate = Buffer.concat([good.subarray(0, at), Buffer.from([0xed, 0xa0, 0x80]), good.subarray(at)]);
  refused(surrogate, 'DMC_ERR_SYNCML_INVALID_UTF8', `SyncML message is not valid UTF-8: byte 0xED at offset ${at} does not fit the encoding`);
});

test('a string with a lone surrogate is refused like bytes that are not UTF-8, at the character', () => {
  const good = doc('<Alert><CmdID>2</CmdID><Data>1201</Data></Alert>');
  const at = good.indexOf('1201');
  const lone = (unit: string): string => `SyncML message is not valid UTF-8: the text has a lone surrogate ${unit} at character ${at} ` +
    `(line 1, column ${at + 1}), which no UTF-8 byte sequence encodes`;
  const err = refused(good.replace('1201', '\uD800201'), 'DMC_ERR_SYNCML_INVALID_UTF8', lone('U+D800'));
  assert.deepStrictEqual(err.fields, { charOffset: at, codeUnit: 0xd800, line: 1, column: at + 1 });
  refused(good.replace('1201', '\uDFFF1201'), 'DMC_ERR_SYNCML_INVALID_UTF8', lone('U+DFFF'));
  refused(good.replace('1201', '\uDE00\uD83D'), 'DMC_ERR_SYNCML_INVALID_UTF8', lone('U+DE00'), undefined);
  refused(good.replace('1201', '\uD83D\uD83D\uDE00'), 'DMC_ERR_SYNCML_INVALID_UTF8', lone('U+D83D'));
  // A pair is one character, as in the UTF-8 of the same text.
  const pair = parseSyncML(doc('<Alert><CmdID>2</CmdID><Data>1201\uD83D\uDE00</Data></Alert>')).SyncBody.commands[0];
  assert.equal(pair?.kind === 'Alert' ? pair.Data : undefined, '1201\u{1F600}');
});

test('a 10 MB body is refused before it is decoded or parsed, as bytes and as text', () => {
  const big = Buffer.alloc(10 * 1024 * 1024, 0x41);
  const started = performance.now();
  refused(big, 'DMC_ERR_SYNCML_TOO_LARGE',
    `SyncML message is 10485760 bytes, over the limit of ${DEFAULT_MAX_BYTES} bytes; refused before parsing`);
  refused(doc('<Alert><CmdID>2</CmdID><Data>' + 'x'.repeat(10 * 1024 * 1024) + '</Data></Alert>'), 'DMC_ERR_SYNCML_TOO_LARGE',
    /^SyncML message is 10486\d{3} bytes, over the limit of 4194304 bytes; refused before parsing$/);
  assert.ok(performance.now() - started < 3000, "refused without decoding 10 MB");
  // The limit is an option, counted in UTF-8 bytes: 'é' is two.
  const small = doc('<Alert><CmdID>2</CmdID><Data>é</Data></Alert>');
  const bytes = Buffer.byteLength(small);
  assert.equal(parseSyncML(small, { maxBytes: bytes }).SyncBody.commands.length, 1);
  refused(small, 'DMC_ERR_SYNCML_TOO_LARGE', `SyncML message is ${bytes} bytes, over the limit of ${bytes - 1} bytes; refused before parsing`,
    undefined, { maxBytes: bytes - 1 });
  assert.throws(() => parseSyncML(small, { maxBytes: Number.NaN }), {
    name: 'RangeError',
    message: 'parseSyncML: maxBytes must be a non-negative number of bytes, received NaN',
  });
  refused(Buffer.from(small), 'DMC_ERR_SYNCML_TOO_LARGE', /^SyncML message is \d+ bytes, over the limit of 10 bytes;/, undefined, { maxBytes: 10 });
});

test('a Status without CmdRef names the Status by its CmdID', () => {
  refused(doc('<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>'),
    'DMC_ERR_SYNCML_MISSING_ELEMENT', 'SyncML SyncBody/Status[CmdID=1]/CmdRef: required element CmdRef is missing',
    'SyncBody/Status[CmdID=1]/CmdRef');
  refused(doc('<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd></Status>'),
    'DMC_ERR_SYNCML_MISSING_ELEMENT', 'SyncML SyncBody/Status[CmdID=1]/Data: required element Data is missing',
    'SyncBody/Status[CmdID=1]/Data');
  refused(doc('<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data><a/></Data></Status>'),
    'DMC_ERR_SYNCML_INVALID_CONTENT', 'SyncML SyncBody/Status[CmdID=1]/Data: expected text, received embedded XML elements',
    'SyncBody/Status[CmdID=1]/Data');
});

test('a command without CmdID is named by its position among same-named siblings', () => {
  refused(doc('<Replace><CmdID>2</CmdID><Item/></Replace><Replace><Item><Target><LocURI>./a</LocURI></Target></Item></Replace>'),
    'DMC_ERR_SYNCML_MISSING_CMDID', 'SyncML SyncBody/Replace[2]: Replace has no CmdID; every command needs one', 'SyncBody/Replace[2]');
  // Other names between them do not count; inside an Atomic the count starts again.
  refused(doc('<Get><CmdID>1</CmdID><Item/></Get><Replace><CmdID>2</CmdID><Item/></Replace><Get><CmdID>3</CmdID><Item/></Get>' +
    '<Replace><CmdID>4</CmdID><Item/></Replace><Get><Item/></Get>'),
    'DMC_ERR_SYNCML_MISSING_CMDID', 'SyncML SyncBody/Get[3]: Get has no CmdID; every command needs one', 'SyncBody/Get[3]');
  refused(doc('<Get><CmdID>1</CmdID><Item/></Get><Atomic><CmdID>2</CmdID><Add><CmdID>3</CmdID><Item/></Add><Get><CmdID></CmdID></Get></Atomic>'),
    'DMC_ERR_SYNCML_INVALID_CONTENT', 'SyncML SyncBody/Atomic[CmdID=2]/Get[1]/CmdID: expected non-empty text, received an empty element');
  refused(doc('<Get><CmdID></CmdID></Get>'), 'DMC_ERR_SYNCML_INVALID_CONTENT',
    'SyncML SyncBody/Get[1]/CmdID: expected non-empty text, received an empty element', 'SyncBody/Get[1]/CmdID');
  refused(doc('<Get><CmdID>3</CmdID><CmdID>4</CmdID></Get>'), 'DMC_ERR_SYNCML_DUPLICATE_ELEMENT',
    'SyncML SyncBody/Get[CmdID=3]/CmdID: element CmdID appears more than once where only one is allowed');
});

test('an unknown element under SyncBody lists what is allowed', () => {
  refused(doc('<Copy><CmdID>2</CmdID></Copy>'), 'DMC_ERR_SYNCML_UNKNOWN_ELEMENT',
    'SyncML SyncBody/Copy: unknown element "Copy"; allowed here: Add, Alert, Atomic, Delete, Exec, Get, Replace, Sequence, Results, Status, Final',
    'SyncBody/Copy');
  refused(doc('<Replace><CmdID>4</CmdID><Item><Target><LocURI>./a</LocURI><Filter/></Target></Item></Replace>'),
    'DMC_ERR_SYNCML_UNKNOWN_ELEMENT', 'SyncML SyncBody/Replace[CmdID=4]/Item[1]/Target/Filter: unknown element "Filter"; allowed here: LocURI, LocName',
    'SyncBody/Replace[CmdID=4]/Item[1]/Target/Filter');
});

test('Status, Results or Final inside Atomic or Sequence are refused', () => {
  refused(doc('<Atomic><CmdID>2</CmdID><Status><CmdID>3</CmdID></Status></Atomic>'), 'DMC_ERR_SYNCML_NESTED_COMMAND_NOT_ALLOWED',
    'SyncML SyncBody/Atomic[CmdID=2]/Status: Status is not allowed inside Atomic; allowed: Add, Alert, Atomic, Delete, Exec, Get, Replace, Sequence',
    'SyncBody/Atomic[CmdID=2]/Status');
  refused(doc('<Sequence><CmdID>2</CmdID><Atomic><CmdID>3</CmdID><Results><CmdID>4</CmdID></Results></Atomic></Sequence>'),
    'DMC_ERR_SYNCML_NESTED_COMMAND_NOT_ALLOWED', /^SyncML SyncBody\/Sequence\[CmdID=2\]\/Atomic\[CmdID=3\]\/Results: Results is not allowed inside Atomic;/,
    'SyncBody/Sequence[CmdID=2]/Atomic[CmdID=3]/Results');
  refused(doc('<Sequence><CmdID>2</CmdID><Final/></Sequence>'), 'DMC_ERR_SYNCML_NESTED_COMMAND_NOT_ALLOWED',
    /^SyncML SyncBody\/Sequence\[CmdID=2\]\/Final: Final is not allowed inside Sequence;/);
});

test('missing SyncHdr fields, a missing SyncBody and a missing LocURI are named', () => {
  refused(doc('', HDR.replace('<MsgID>1</MsgID>', '')), 'DMC_ERR_SYNCML_MISSING_ELEMENT',
    'SyncML SyncHdr/MsgID: required element MsgID is missing', 'SyncHdr/MsgID');
  refused(doc('', HDR.replace('<SessionID>1</SessionID>', '<SessionID/>')), 'DMC_ERR_SYNCML_INVALID_CONTENT',
    'SyncML SyncHdr/SessionID: expected non-empty text, received an empty element');
  refused(`<SyncML xmlns="SYNCML:SYNCML1.2">${HDR}</SyncML>`, 'DMC_ERR_SYNCML_MISSING_ELEMENT',
    'SyncML SyncML/SyncBody: required element SyncBody is missing');
  refused(doc('', HDR.replace('<LocURI>dev</LocURI>', '<LocName>dev</LocName>')), 'DMC_ERR_SYNCML_MISSING_ELEMENT',
    'SyncML SyncHdr/Source/LocURI: required element LocURI is missing');
});

test('text where only elements belong, and elements where text belongs', () => {
  refused(doc('<Get><CmdID>2</CmdID>oops<Item/></Get>'), 'DMC_ERR_SYNCML_INVALID_CONTENT',
    'SyncML SyncBody/Get[CmdID=2]: expected child elements only, received text "oops"');
  refused(doc('', HDR.replace('<LocURI>dev</LocURI>', '<LocURI><b>dev</b></LocURI>')), 'DMC_ERR_SYNCML_INVALID_CONTENT',
    'SyncML SyncHdr/Source/LocURI: expected text, received element <b>');
  refused(doc('<Get><CmdID>2</CmdID><NoResp>yes</NoResp></Get>'), 'DMC_ERR_SYNCML_INVALID_CONTENT',
    'SyncML SyncBody/Get[CmdID=2]/NoResp: expected an empty element, received text "yes"');
});

test('a non-UTF-8 encoding declaration, a control character and content after the root are refused', () => {
  refused('<?xml version="1.0" encoding="ISO-8859-1"?>' + doc(''), 'DMC_ERR_SYNCML_UNSUPPORTED_ENCODING',
    'SyncML message declares encoding "ISO-8859-1"; only UTF-8 is supported');
  refused(doc('').replace('<LocURI>dev', '<LocURI>d\u0007ev'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    /^SyncML message is not well-formed XML: character U\+0007 is not allowed in XML 1.0 \(line 1, column \d+\)$/);
  refused(doc('') + '<SyncML/>', 'DMC_ERR_SYNCML_MALFORMED_XML',
    'SyncML message is not well-formed XML: content after the root element: <SyncML>');
  refused('', 'DMC_ERR_SYNCML_MALFORMED_XML', /^SyncML message is not well-formed XML: Start tag expected\./);
});

test('a megabyte CmdID or element name gives a short message and a short path', () => {
  const mb = 'x'.repeat(1024 * 1024);
  const long = `${'x'.repeat(32)}…(${mb.length} chars)`;
  /** Refused with `code`, message and path short (the path's long step cut as `long`), and the JSON short too. */
  const short = (text: string, code: string, path?: string): SyncMLError => {
    const err = refused(text, code, /./, path);
    assert.ok(err.message.length < 1000, `${code}: message of ${err.message.length} chars`);
    return err;
  };
  short(doc(`<Status><CmdID>${mb}</CmdID></Status>`), 'DMC_ERR_SYNCML_MISSING_ELEMENT', `SyncBody/Status[CmdID=${long}]/MsgRef`);
  short(doc(`<Get><CmdID>${mb}</CmdID><Item><Target><LocURI><b/></LocURI></Target></Item></Get>`), 'DMC_ERR_SYNCML_INVALID_CONTENT',
    `SyncBody/Get[CmdID=${long}]/Item[1]/Target/LocURI`);
  const unknown = short(doc(`<${mb}/>`), 'DMC_ERR_SYNCML_UNKNOWN_ELEMENT', `SyncBody/${long}`);
  assert.equal(unknown.fields.element, mb, 'the field keeps the name as received; only the message and the path are cut');
  short(doc(`<Replace><CmdID>2</CmdID><Item><${mb}/></Item></Replace>`), 'DMC_ERR_SYNCML_UNKNOWN_ELEMENT', `SyncBody/Replace[CmdID=2]/Item[1]/${long}`);
  short(doc('', HDR.replace('<LocURI>dev</LocURI>', `<LocURI><${mb}/></LocURI>`)), 'DMC_ERR_SYNCML_INVALID_CONTENT', 'SyncHdr/Source/LocURI');
  short(doc('', HDR.replace('<MsgID>1</MsgID>', `<MsgID>1</MsgID><${mb}>1</${mb}>`)), 'DMC_ERR_SYNCML_UNKNOWN_ELEMENT', `SyncHdr/${long}`);
  short(`${doc('')}<${mb}/>`, 'DMC_ERR_SYNCML_MALFORMED_XML');
  short(`<${mb}/>`, 'DMC_ERR_SYNCML_WRONG_ROOT');
  // The validator's own words quote names: a mismatched end tag, an attribute, an unclosed element.
  short(doc(`<Replace><CmdID>2</CmdID></${mb}>`), 'DMC_ERR_SYNCML_MALFORMED_XML');
  short(doc(`<Replace ${mb}="1" ${mb}="2"><CmdID>2</CmdID></Replace>`), 'DMC_ERR_SYNCML_MALFORMED_XML');
  short(doc('').replace('</SyncBody>', `<${mb}>`), 'DMC_ERR_SYNCML_MALFORMED_XML');
  // Nested deep, each step short, the path as a whole is cut in the middle and keeps its end.
  const deep = refused(doc(`${`<Atomic><CmdID>${'9'.repeat(60)}</CmdID>`.repeat(40)}<Copy/>${'</Atomic>'.repeat(40)}`),
    'DMC_ERR_SYNCML_UNKNOWN_ELEMENT', /\/Copy: unknown element "Copy"/);
  assert.ok(deep.message.length < 1000, `nested: message of ${deep.message.length} chars`);
});

test('every message of the registry stays short whatever text its fields hold', () => {
  // Values and build take the harness's own data, but that can echo a device's (a CmdRef, a LocURI, a Data).
  const mb = 'y'.repeat(1024 * 1024);
  const message = (xml: string): SyncML => ({
    SyncHdr: { VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: '1', MsgID: '1', Target: { LocURI: 'a' }, Source: { LocURI: 'b' } },
    SyncBody: { commands: [{ kind: 'Results', CmdID: mb, CmdRef: '1', Item: [{ Data: { xml } }] }], Final: true },
  });
  const caught: unknown[] = [];
  const attempt = (fn: () => unknown): void => {
    const before = caught.length;
    try {
      fn();
    } catch (err) {
      caught.push(err);
    }
    assert.equal(caught.length, before + 1, 'expected an error');
  };
  attempt(() => buildSyncML(message(`<${mb}>`)));
  attempt(() => buildSyncML(message('<a>\u0001</a>')));
  attempt(() => decodeValue('xml', `<a></${mb}>`));
  for (const [code, definition] of Object.entries(syncmlErrors)) {
    const fields = { path: mb, reason: mb, element: mb, command: mb, container: mb, expected: mb, received: mb, reference: mb,
      codePoint: mb, problem: mb, format: mb, value: mb, namespace: mb, root: mb, encoding: mb, declaration: mb,
      allowed: ['A', 'B'], line: 1, column: 2, bytes: 3, maxBytes: 4, byteOffset: 5, byte: 6, offset: 7 };
    caught.push(definition.create(fields));
    assert.ok(definition.create(fields).message.length < 1000, `${code}: message of ${definition.create(fields).message.length} chars`);
  }
  for (const err of caught) {
    assert.ok(err instanceof SyncMLError, String(err));
    assert.ok(err.message.length < 1000, `${err.code}: message of ${err.message.length} chars`);
  }
});

test('the error crosses a process boundary as JSON with its code and fields', () => {
  const err = refused(doc('<Copy/>'), 'DMC_ERR_SYNCML_UNKNOWN_ELEMENT', /Copy/, 'SyncBody/Copy');
  const json = JSON.parse(JSON.stringify(err)) as { code: string; fields: { path: string; element: string } };
  assert.equal(json.code, 'DMC_ERR_SYNCML_UNKNOWN_ELEMENT');
  assert.equal(json.fields.path, 'SyncBody/Copy');
  assert.equal(json.fields.element, 'Copy');
});
