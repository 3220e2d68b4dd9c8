/**
 * Property-based checks with fast-check: any message the types allow, with XML special characters and any Unicode
 * in its text, survives build → parse unchanged; and mangled bytes only ever give a SyncMLError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SyncMLError, buildCommandXml, buildSyncML, buildSyncMLBytes, parseSyncML } from './index.js';
import type {
  Alert, Chal, Command, Cred, Data, Item, LocationElement, Meta, NestedCommand, Results, Status, SyncML,
} from './index.js';

/** One XML 1.0 character (2.2): no C0 controls but tab/LF/CR, no U+FFFE/U+FFFF; surrogate pairs included. */
const xmlChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => {
  const cp = c.codePointAt(0) ?? 0;
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp !== 0xfffe && cp !== 0xffff);
});
/** The pieces most likely to break markup or a naive escaper, mixed with arbitrary characters. */
const tricky = fc.constantFrom(
  '&', '<', '>', '"', "'", ']]>', '&amp;', '&#13;', '&lt;', '<![CDATA[', '<!--', '<?', '</Data>', '\r', '\r\n', '\n',
  '\t', ' ', 'é', 'ß', '😀', '\u00A0', '\u2028', '\uFEFF', '字',
);
/** Any text (Data keeps it exactly, whitespace included). */
const anyText = fc.string({ unit: fc.oneof(tricky, xmlChar), maxLength: 12 });
/** Leaf text (LocURI, CmdID, Meta values): white space at the ends included, which build writes as references. */
const leaf = anyText;
const id = leaf.filter((s) => s !== '');

const location: fc.Arbitrary<LocationElement> = fc.record({ LocURI: leaf, LocName: leaf }, { requiredKeys: ['LocURI'], noNullPrototype: true });
const meta: fc.Arbitrary<Meta> = fc.record(
  { Format: leaf, Type: leaf, Size: leaf, MaxMsgSize: leaf, MaxObjSize: leaf, NextNonce: leaf, Mark: leaf, Version: leaf },
  { requiredKeys: [], noNullPrototype: true },
);
const cred: fc.Arbitrary<Cred> = fc.record({ Meta: meta, Data: anyText }, { requiredKeys: ['Data'], noNullPrototype: true });
const chal: fc.Arbitrary<Chal> = fc.record({ Meta: meta }, { noNullPrototype: true });

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}
/** Embedded XML as Windows returns it for some Results: well-formed elements, kept verbatim. */
const embeddedXml: fc.Arbitrary<{ xml: string }> = fc
  .array(fc.tuple(fc.constantFrom('Node', 'a', 'MgmtTree', 'Data', 'x:y'), anyText), { minLength: 1, maxLength: 3 })
  .map((parts) => ({ xml: parts.map(([name, text]) => `<${name}>${escape(text)}</${name}>`).join('') }));
const data: fc.Arbitrary<Data> = fc.oneof(anyText, embeddedXml);

const item: fc.Arbitrary<Item> = fc.record(
  { Target: location, Source: location, Meta: meta, Data: data, MoreData: fc.constant(true as const) },
  { requiredKeys: [], noNullPrototype: true },
);
const items = fc.array(item, { maxLength: 2 });
const noResp = fc.constant(true as const);

const alert: fc.Arbitrary<Alert> = fc.record(
  { kind: fc.constant('Alert' as const), CmdID: id, NoResp: noResp, Cred: cred, Data: anyText.filter((s) => s !== ''), Correlator: id, Item: items },
  { requiredKeys: ['kind', 'CmdID', 'Data', 'Item'], noNullPrototype: true },
);
const itemCommand: fc.Arbitrary<NestedCommand> = fc.oneof(
  ...(['Add', 'Delete', 'Get', 'Replace'] as const).map((kind) =>
    fc.record(
      { kind: fc.constant(kind), CmdID: id, NoResp: noResp, Cred: cred, Meta: meta, Item: items },
      { requiredKeys: ['kind', 'CmdID', 'Item'], noNullPrototype: true },
    ),
  ),
  fc.record(
    { kind: fc.constant('Exec' as const), CmdID: id, NoResp: noResp, Cred: cred, Meta: meta, Correlator: id, Item: items },
    { requiredKeys: ['kind', 'CmdID', 'Item'], noNullPrototype: true },
  ),
);
function nested(depth: number): fc.Arbitrary<NestedCommand> {
  if (depth === 0) return fc.oneof(alert, itemCommand);
  const container = fc.oneof(
    ...(['Atomic', 'Sequence'] as const).map((kind) =>
      fc.record(
        { kind: fc.constant(kind), CmdID: id, NoResp: noResp, Meta: meta, commands: fc.array(nested(depth - 1), { maxLength: 2 }) },
        { requiredKeys: ['kind', 'CmdID', 'commands'], noNullPrototype: true },
      ),
    ),
  );
  return fc.oneof({ weight: 3, arbitrary: fc.oneof(alert, itemCommand) }, { weight: 1, arbitrary: container });
}
const results: fc.Arbitrary<Results> = fc.record(
  { kind: fc.constant('Results' as const), CmdID: id, MsgRef: id, CmdRef: id, Meta: meta, TargetRef: leaf, SourceRef: leaf, Item: items },
  { requiredKeys: ['kind', 'CmdID', 'CmdRef', 'Item'], noNullPrototype: true },
);
const status: fc.Arbitrary<Status> = fc.record(
  {
    kind: fc.constant('Status' as const), CmdID: id, MsgRef: id, CmdRef: id, Cmd: id,
    TargetRef: fc.array(leaf, { maxLength: 2 }), SourceRef: fc.array(leaf, { maxLength: 2 }),
    Cred: cred, Chal: chal, Data: anyText.filter((s) => s !== ''), Item: items,
  },
  { requiredKeys: ['kind', 'CmdID', 'MsgRef', 'CmdRef', 'Cmd', 'TargetRef', 'SourceRef', 'Data', 'Item'], noNullPrototype: true },
);
const command: fc.Arbitrary<Command> = fc.oneof(nested(2), results, status);

const syncml: fc.Arbitrary<SyncML> = fc.record({
  SyncHdr: fc.record(
    {
      VerDTD: id, VerProto: id, SessionID: id, MsgID: id, Target: location, Source: location,
      RespURI: leaf, NoResp: noResp, Cred: cred, Meta: meta,
    },
    { requiredKeys: ['VerDTD', 'VerProto', 'SessionID', 'MsgID', 'Target', 'Source'], noNullPrototype: true },
  ),
  SyncBody: fc.record({ commands: fc.array(command, { maxLength: 4 }), Final: fc.boolean() }, { noNullPrototype: true }),
}, { noNullPrototype: true });

test('build → parse is the identity on 1,000 generated messages (special characters and Unicode in text)', () => {
  fc.assert(
    fc.property(syncml, (message) => {
      // As bytes, the way the server sends and receives them.
      assert.deepStrictEqual(parseSyncML(buildSyncMLBytes(message)), message);
    }),
    { numRuns: 1000 },
  );
});

test('a message is its parts: without commands, plus each command as buildCommandXml writes it (MaxMsgSize packing relies on it)', () => {
  fc.assert(
    fc.property(syncml, (message) => {
      const empty = buildSyncML({ ...message, SyncBody: { ...message.SyncBody, commands: [] } });
      const commands = message.SyncBody.commands.map(buildCommandXml).join('');
      const whole = buildSyncML(message);
      assert.equal(whole.length, empty.length + commands.length);
      assert.ok(whole.includes(commands), 'the commands appear as one run, as buildCommandXml wrote them');
    }),
    { numRuns: 500 },
  );
});

test('mangled messages (cut, spliced, bytes replaced) give a SyncMLError or a message, never another error', () => {
  fc.assert(
    fc.property(
      syncml,
      fc.nat(),
      fc.nat(),
      fc.uint8Array({ maxLength: 8 }),
      (message, from, length, insert) => {
        const bytes = Buffer.from(buildSyncML(message), 'utf8');
        const start = from % (bytes.length + 1);
        const end = Math.min(bytes.length, start + (length % 16));
        const mangled = Buffer.concat([bytes.subarray(0, start), insert, bytes.subarray(end)]);
        try {
          parseSyncML(mangled);
        } catch (err) {
          assert.ok(err instanceof SyncMLError, `not a SyncMLError: ${String(err)}`);
          assert.match(err.code, /^DMC_ERR_SYNCML_/);
        }
      },
    ),
    { numRuns: 200 },
  );
});
