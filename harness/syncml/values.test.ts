/** Typed values by Meta.Format: what a node's Data means, both ways, and the errors that name format and value. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyncMLError, decodeValue, encodeValue } from './index.js';

function badValue(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SyncMLError);
    assert.equal(err.code, 'DMC_ERR_SYNCML_BAD_VALUE');
    assert.equal(err.message, message);
    return true;
  });
}

test('chr: text both ways, embedded XML refused', () => {
  assert.equal(decodeValue('chr', ' a & b '), ' a & b ');
  assert.equal(decodeValue('chr', undefined), '');
  assert.equal(encodeValue('chr', 'x<y'), 'x<y');
  badValue(() => decodeValue('chr', { xml: '<a/>' }), 'Meta.Format chr: value "<a/>" is not text (received embedded XML elements)');
  badValue(() => encodeValue('chr', 5 as unknown as string), 'Meta.Format chr: value "5" is not a string');
});

test('int: 32-bit signed decimal; bad text, overflow and fractions refused', () => {
  assert.equal(decodeValue('int', '15'), 15);
  assert.equal(decodeValue('int', ' -2147483648 '), -2147483648);
  assert.equal(decodeValue('int', '+7'), 7);
  assert.equal(decodeValue('int', '-0'), 0);
  assert.equal(encodeValue('int', 2147483647), '2147483647');
  assert.equal(encodeValue('int', -0), '0');
  const expected = 'a decimal integer from -2147483648 to 2147483647';
  badValue(() => decodeValue('int', '12a'), `Meta.Format int: value "12a" is not ${expected}`);
  badValue(() => decodeValue('int', ''), `Meta.Format int: value "" is not ${expected}`);
  badValue(() => decodeValue('int', '0x10'), `Meta.Format int: value "0x10" is not ${expected}`);
  badValue(() => decodeValue('int', '2147483648'), `Meta.Format int: value "2147483648" is not ${expected}`);
  badValue(() => decodeValue('int', '1.5'), `Meta.Format int: value "1.5" is not ${expected}`);
  badValue(() => encodeValue('int', 1.5), `Meta.Format int: value "1.5" is not ${expected}`);
  badValue(() => encodeValue('int', Number.NaN), `Meta.Format int: value "null" is not ${expected}`);
});

test('bool: true/false in any case on the way in, lower case on the way out; anything else refused', () => {
  assert.equal(decodeValue('bool', 'true'), true);
  assert.equal(decodeValue('bool', 'FALSE'), false);
  assert.equal(decodeValue('bool', ' True\n'), true);
  assert.equal(encodeValue('bool', true), 'true');
  assert.equal(encodeValue('bool', false), 'false');
  badValue(() => decodeValue('bool', '1'), 'Meta.Format bool: value "1" is not true or false');
  badValue(() => decodeValue('bool', 'yes'), 'Meta.Format bool: value "yes" is not true or false');
  badValue(() => encodeValue('bool', 'true' as unknown as boolean), 'Meta.Format bool: value "true" is not a boolean');
});

test('b64: bytes both ways, whitespace between groups accepted, bad alphabet and padding refused', () => {
  const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253]);
  const text = encodeValue('b64', bytes);
  assert.equal(text, 'AAEC+vv8/Q==');
  assert.deepStrictEqual(decodeValue('b64', text), bytes);
  assert.deepStrictEqual(decodeValue('b64', 'AAEC\r\n+vv8\n/Q=='), bytes);
  assert.deepStrictEqual(decodeValue('b64', ''), new Uint8Array(0));
  const expected = 'base64 text (A-Z a-z 0-9 + /, padded with = to a multiple of 4)';
  badValue(() => decodeValue('b64', 'AAE'), `Meta.Format b64: value "AAE" is not ${expected}`);
  badValue(() => decodeValue('b64', 'AA*C'), `Meta.Format b64: value "AA*C" is not ${expected}`);
  badValue(() => decodeValue('b64', 'A===') , `Meta.Format b64: value "A===" is not ${expected}`);
  badValue(() => encodeValue('b64', 'AAEC' as unknown as Uint8Array), 'Meta.Format b64: value "string" is not a Uint8Array');
  // A view into a larger buffer encodes only its own bytes.
  assert.equal(encodeValue('b64', new Uint8Array([9, 65, 66, 67, 9]).subarray(1, 4)), 'QUJD');
});

test('xml: embedded elements or escaped text both read as markup; must be well-formed, no DTD', () => {
  assert.equal(decodeValue('xml', { xml: '<a x="1"><b/></a>' }), '<a x="1"><b/></a>');
  assert.equal(decodeValue('xml', '<a>t</a>'), '<a>t</a>');
  assert.equal(encodeValue('xml', '<wap-provisioningdoc><characteristic type="x"/></wap-provisioningdoc>'),
    '<wap-provisioningdoc><characteristic type="x"/></wap-provisioningdoc>');
  assert.throws(() => decodeValue('xml', '<a><b></a>'), { code: 'DMC_ERR_SYNCML_BAD_VALUE', message: /^Meta\.Format xml: value "<a><b><\/a>" is not well-formed XML \(.+\)$/ });
  assert.throws(() => encodeValue('xml', '<!DOCTYPE a [<!ENTITY b "c">]><a/>'), { code: 'DMC_ERR_SYNCML_BAD_VALUE', message: /^Meta\.Format xml: value .* is not well-formed XML \("<!DOCTYPE " is not allowed here: .*\)$/ });
  // Only markup is refused: the same words inside a CDATA section or a comment are text, and no DTD.
  for (const xml of ['<a><![CDATA[<!DOCTYPE x>]]></a>', '<a><!-- <!ENTITY y "z"> --></a>']) assert.equal(encodeValue('xml', xml), xml);
});

test('node: an interior node lists its children separated by "/"', () => {
  assert.deepStrictEqual(decodeValue('node', 'Poll/Push/Unenroll'), ['Poll', 'Push', 'Unenroll']);
  assert.deepStrictEqual(decodeValue('node', ''), []);
  assert.deepStrictEqual(decodeValue('node', undefined), []);
  assert.equal(encodeValue('node', ['Poll', 'Push']), 'Poll/Push');
  badValue(() => encodeValue('node', ['a/b']), 'Meta.Format node: value "[\\"a/b\\"]" is not an array of child node names, each non-empty and without "/"');
});

test('null: no value; any Data refused', () => {
  assert.equal(decodeValue('null', undefined), null);
  assert.equal(decodeValue('null', ''), null);
  assert.equal(encodeValue('null', null), '');
  badValue(() => decodeValue('null', 'x'), 'Meta.Format null: value "x" is not empty (Format null carries no value)');
  badValue(() => encodeValue('null', 0 as unknown as null), 'Meta.Format null: value "0" is not null');
});

test('an unknown Meta.Format is named', () => {
  for (const fn of [() => decodeValue('float', '1.5'), () => encodeValue('date', '2024-01-01')]) {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof SyncMLError);
      assert.equal(err.code, 'DMC_ERR_SYNCML_UNKNOWN_FORMAT');
      assert.match(err.message, /^Meta\.Format "(float|date)" is not one of chr, int, bool, b64, xml, node, null$/);
      return true;
    });
  }
});
