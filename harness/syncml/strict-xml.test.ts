/**
 * What XML 1.0 refuses and fast-xml-parser's validator lets through (strict-xml.ts): refused in a Data with the
 * Data's path, elsewhere with line and column, and never written by build or taken by encodeValue. What XML allows
 * around it (`>` in text and values, other PIs, comments, CDATA) still reads as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyncMLError, buildSyncML, decodeValue, encodeValue, parseSyncML } from './index.js';
import type { SyncML } from './index.js';
import { findViolation } from './strict-xml.js';

const HDR =
  '<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>' +
  '<Target><LocURI>https://h/x</LocURI></Target><Source><LocURI>dev</LocURI></Source></SyncHdr>';
const doc = (body: string): string => `<SyncML xmlns="SYNCML:SYNCML1.2">${HDR}<SyncBody>${body}<Final/></SyncBody></SyncML>`;
/** A Results whose one Item carries `data` as the raw content of its Data. */
const withData = (data: string): string => doc(`<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Data>${data}</Data></Item></Results>`);
const DATA_PATH = 'SyncBody/Results[CmdID=2]/Item[1]/Data';

function dataOf(text: string): unknown {
  const results = parseSyncML(text).SyncBody.commands[0];
  return results?.kind === 'Results' ? results.Item[0]?.Data : undefined;
}

function refused(text: string, code: string, message: string, path?: string): void {
  assert.throws(() => parseSyncML(text), (err: unknown) => {
    assert.ok(err instanceof SyncMLError, `expected a SyncMLError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    assert.equal(err.path, path);
    return true;
  }, text);
}

const NOT_WELL_FORMED = `SyncML message is not well-formed XML in ${DATA_PATH}: `;
const ONLY_PREDEFINED = 'is not allowed; only &amp; &lt; &gt; &quot; &apos; and numeric references to XML characters are';

test('embedded XML in a Data: what XML 1.0 refuses and the validator lets through is refused, naming the Data', () => {
  refused(withData('<a>x]]>y</a>'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    `${NOT_WELL_FORMED}"]]>" is not allowed in text (it only ends a CDATA section) (at character 5 of its content)`, DATA_PATH);
  refused(withData('<a b="1<2"/>'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    `${NOT_WELL_FORMED}"<" is not allowed in an attribute value (write &lt;) (at character 8 of its content)`, DATA_PATH);
  refused(withData('<a>&foo;</a>'), 'DMC_ERR_SYNCML_BAD_REFERENCE', `SyncML ${DATA_PATH}: reference "&foo;" ${ONLY_PREDEFINED}`, DATA_PATH);
  refused(withData('<a b="&foo;"/>'), 'DMC_ERR_SYNCML_BAD_REFERENCE', `SyncML ${DATA_PATH}: reference "&foo;" ${ONLY_PREDEFINED}`, DATA_PATH);
  // A reference to a character XML does not allow is refused like the raw character.
  refused(withData('<a>&#1;</a>'), 'DMC_ERR_SYNCML_BAD_REFERENCE', `SyncML ${DATA_PATH}: reference "&#1;" ${ONLY_PREDEFINED}`, DATA_PATH);
  refused(withData('<a b="&#xD800;"/>'), 'DMC_ERR_SYNCML_BAD_REFERENCE', `SyncML ${DATA_PATH}: reference "&#xD800;" ${ONLY_PREDEFINED}`, DATA_PATH);
  refused(withData('<a/><?xml version="1.0"?>'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    `${NOT_WELL_FORMED}"<?xml" is not allowed here: an XML declaration may only open the document (at character 5 of its content)`, DATA_PATH);
  refused(withData('<?XML version="1.0"?><a/>'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    `${NOT_WELL_FORMED}"<?XML" is not allowed here: an XML declaration may only open the document (at character 1 of its content)`, DATA_PATH);
  refused(withData('<a><? x?></a>'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    `${NOT_WELL_FORMED}a processing instruction ("<?...?>") must start with a target name (at character 4 of its content)`, DATA_PATH);
  refused(withData('<a><!-- a -- b --></a>'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    `${NOT_WELL_FORMED}"--" is not allowed inside a comment (at character 4 of its content)`, DATA_PATH);
  refused(withData('<a><!-- a ---></a>'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    `${NOT_WELL_FORMED}"--" is not allowed inside a comment (at character 4 of its content)`, DATA_PATH);
  refused(withData('<a><!foo></a>'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    `${NOT_WELL_FORMED}"<!foo></a>" is not allowed here: "<!" may only open a comment or a CDATA section (at character 4 of its content)`, DATA_PATH);
});

test('text in a Data: "]]>" and bad references are refused there too, with or without markup around them', () => {
  refused(withData('x]]>y'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    `${NOT_WELL_FORMED}"]]>" is not allowed in text (it only ends a CDATA section) (at character 2 of its content)`, DATA_PATH);
  refused(withData('<![CDATA[a]]>b]]>'), 'DMC_ERR_SYNCML_MALFORMED_XML',
    `${NOT_WELL_FORMED}"]]>" is not allowed in text (it only ends a CDATA section) (at character 15 of its content)`, DATA_PATH);
  refused(withData('<!-- c -->&foo;'), 'DMC_ERR_SYNCML_BAD_REFERENCE', `SyncML ${DATA_PATH}: reference "&foo;" ${ONLY_PREDEFINED}`, DATA_PATH);
});

test('what XML 1.0 allows in a Data still reads as before', () => {
  assert.equal(dataOf(withData('a > b')), 'a > b');
  assert.equal(dataOf(withData('a]]b &gt; ]>')), 'a]]b > ]>');
  assert.deepStrictEqual(dataOf(withData('<a b="x>y" c=\'"\'>1 > 0 &amp; &#x1F600;</a>')), { xml: '<a b="x>y" c=\'"\'>1 > 0 &amp; &#x1F600;</a>' });
  // A PI carries no data: dropped from text, kept verbatim in embedded XML. Only the target "xml" is reserved.
  assert.equal(dataOf(withData('a<?pi x?>b')), 'ab');
  assert.deepStrictEqual(dataOf(withData('<?xml-stylesheet href="s"?><a/>')), { xml: '<?xml-stylesheet href="s"?><a/>' });
  assert.equal(dataOf(withData('<!-- a - b --><![CDATA[x]]]]><![CDATA[>]]>')), 'x]]>');
  assert.equal(dataOf(withData('<!---->t')), 't');
});

test('outside a Data the same faults are refused as malformed XML, at the line and column of the fault', () => {
  /** `text` is refused for `reason`, pointing at the first `at` in it (all on line 1). */
  const refusedAt = (text: string, at: string, reason: string): void =>
    refused(text, 'DMC_ERR_SYNCML_MALFORMED_XML', `SyncML message is not well-formed XML: ${reason} (line 1, column ${text.indexOf(at) + 1})`);
  refusedAt(doc('').replace('<LocURI>dev', '<LocURI>d]]>ev'), ']]>', '"]]>" is not allowed in text (it only ends a CDATA section)');
  refusedAt(doc('').replace('<SyncBody>', '<SyncBody a="<">'), '<">', '"<" is not allowed in an attribute value (write &lt;)');
  refusedAt(doc('').replace('<Final/>', '<Final b="&foo;"/>'), '&foo;', `reference "&foo;" ${ONLY_PREDEFINED}`);
  refusedAt(doc('').replace('<Final/>', '<!-- a -- b --><Final/>'), '<!--', '"--" is not allowed inside a comment');
  refusedAt(doc('').replace('<Final/>', '<?xml version="1.0"?><Final/>'), '<?xml',
    '"<?xml" is not allowed here: an XML declaration may only open the document');
  refused(`${doc('')}\n<? x?>`, 'DMC_ERR_SYNCML_MALFORMED_XML',
    'SyncML message is not well-formed XML: a processing instruction ("<?...?>") must start with a target name (line 2, column 1)');
  // The declaration itself opens a document, in lower case only.
  assert.equal(parseSyncML(`<?xml version="1.0"?>${doc('')}`).SyncHdr.MsgID, '1');
  refusedAt(`<?XML version="1.0"?>${doc('')}`, '<?XML', '"<?XML" is not allowed here: an XML declaration may only open the document');
});

test('build and encodeValue refuse the same embedded XML, so we never send what we would refuse', () => {
  const message = (xml: string): SyncML => ({
    SyncHdr: { VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: '1', MsgID: '1', Target: { LocURI: 'a' }, Source: { LocURI: 'b' } },
    SyncBody: { commands: [{ kind: 'Results', CmdID: '2', CmdRef: '1', Item: [{ Data: { xml } }] }], Final: true },
  });
  assert.throws(() => buildSyncML(message('<a b="<"/>')), {
    code: 'DMC_ERR_SYNCML_BUILD_INVALID',
    message: 'SyncML build: SyncBody/Results[CmdID=2]/Item[1]/Data embedded XML must be well-formed element content ' +
      '("<" is not allowed in an attribute value (write &lt;)), received "<a b=\\"<\\"/>"',
  });
  // A DTD is refused as markup only: the same words in a CDATA section are text, written as they are.
  assert.match(buildSyncML(message('<a><![CDATA[<!DOCTYPE x>]]></a>')), /<Data><a><!\[CDATA\[<!DOCTYPE x>\]\]><\/a><\/Data>/);
  assert.throws(() => buildSyncML(message('<!DOCTYPE a><a/>')), { code: 'DMC_ERR_SYNCML_BUILD_INVALID', message: /Data embedded XML must be well-formed element content \("<!DOCTYPE " is not allowed here/ });
  // Markup is written unescaped, so its characters are checked as text's are.
  assert.throws(() => buildSyncML(message('<a>\u0001</a>')), {
    code: 'DMC_ERR_SYNCML_BUILD_INVALID_CHAR',
    message: 'SyncML build: SyncBody/Results[CmdID=2]/Item[1]/Data contains U+0001, which XML 1.0 cannot carry',
  });
  assert.throws(() => encodeValue('xml', '<a>&foo;</a>'), {
    code: 'DMC_ERR_SYNCML_BAD_VALUE',
    message: `Meta.Format xml: value "<a>&foo;</a>" is not well-formed XML (reference "&foo;" ${ONLY_PREDEFINED})`,
  });
  // Escaped text Data decodes to markup, which must be well-formed once decoded.
  assert.throws(() => decodeValue('xml', '<a>x]]>y</a>'), {
    code: 'DMC_ERR_SYNCML_BAD_VALUE',
    message: 'Meta.Format xml: value "<a>x]]>y</a>" is not well-formed XML ("]]>" is not allowed in text (it only ends a CDATA section))',
  });
  assert.equal(decodeValue('xml', '<a b="x>y">1 > 0</a>'), '<a b="x>y">1 > 0</a>');
});

test('the scan stays linear on hostile shapes: many segments, references, attributes, comments', () => {
  const shapes = [
    '<a>&amp;x</a>'.repeat(200_000),
    `<a${Array.from({ length: 100_000 }, (_, i) => ` b${i}="&lt;v"`).join('')}/>`,
    '<!-- c --><?p i?><![CDATA[x]]>'.repeat(100_000),
    `${'x]]'.repeat(300_000)}<a/>`,
  ];
  for (const text of shapes) {
    const started = performance.now();
    assert.equal(findViolation(text, false), undefined);
    assert.ok(performance.now() - started < 1500, `${text.slice(0, 30)}… took ${(performance.now() - started).toFixed(0)} ms`);
  }
  // And through the whole parser: a 2 MiB embedded XML Data.
  const big = withData('<a b="&amp;">x &lt; y</a>'.repeat(80_000));
  const started = performance.now();
  assert.deepStrictEqual(typeof dataOf(big), 'object');
  assert.ok(performance.now() - started < 4000, `2 MiB Data took ${(performance.now() - started).toFixed(0)} ms`);
});
