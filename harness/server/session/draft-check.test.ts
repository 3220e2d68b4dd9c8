/**
 * The quick draft checks against what they stand in for: surelyValidDraft against the zod schema, and
 * surelyBuildableDraft against building the draft. Each must say yes to the drafts scripts queue (or it saves
 * nothing), and never say yes to a draft the slow check refuses, however the draft is bent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { surelyBuildableDraft, surelyValidDraft } from './draft-check.js';
import { buildProblemByBuilding } from './delivery.js';
import { commandDraftSchema } from './draft-schema.js';
import type { CommandDraft } from '../../syncml/types.js';

const POLL = './Device/Vendor/MSFT/DMClient/Provider/DMCHarness/Poll';

const TYPICAL: unknown[] = [
  { kind: 'Replace', Item: [{ Target: { LocURI: `${POLL}/IntervalForFirstSetOfRetries` }, Meta: { Format: 'int' }, Data: '5' }] },
  { kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/SwV' } }] },
  { kind: 'Add', NoResp: true, Meta: { Type: 'text/plain' }, Item: [{ Target: { LocURI: './a', LocName: 'a' }, Data: { xml: '<x/>' } }] },
  { kind: 'Delete', Item: [{ Target: { LocURI: './a' } }, { Source: { LocURI: './b' }, MoreData: true }] },
  { kind: 'Exec', Correlator: 'c1', Cred: { Data: 'x', Meta: { Format: 'b64' } }, Item: [{ Target: { LocURI: './e' } }] },
  { kind: 'Alert', Data: '1222', Item: [] },
  { kind: 'Atomic', Meta: { Format: 'chr' }, commands: [{ kind: 'Sequence', commands: [{ kind: 'Get', Item: [] }] }] },
  Object.assign(Object.create(null) as object, { kind: 'Get', Item: [] }),
];

const zodAccepts = (value: unknown): boolean => commandDraftSchema.safeParse(value).success;

test('the drafts scripts queue get the quick yes, and zod agrees', () => {
  for (const draft of TYPICAL) {
    assert.equal(surelyValidDraft(draft), true, JSON.stringify(draft));
    assert.equal(zodAccepts(draft), true, JSON.stringify(draft));
  }
});

test('drafts zod refuses are left to zod', () => {
  const refused: unknown[] = [
    null, 'Get', [], { kind: 'Copy', Item: [] }, { kind: 'Get' }, { kind: 'Get', Item: [{ Target: {} }] },
    { kind: 'Get', Item: [], Extra: 1 }, { kind: 'Alert', Item: [] }, { kind: 'Alert', Data: '1', Meta: {}, Item: [] },
    { kind: 'Atomic', commands: [{ kind: 'Get' }] }, { kind: 'Atomic', Item: [], commands: [] },
    { kind: 'Get', Item: [{ Meta: { Color: 'red' } }] }, { kind: 'Get', Item: [{ Data: 5 }] }, { kind: 'Get', NoResp: 'yes', Item: [] },
    { kind: 'Replace', Correlator: 'x', Item: [] }, { kind: 'Get', Item: new Array(2) }, JSON.parse('{"kind":"Get","Item":[],"__proto__":{}}'),
  ];
  for (const draft of refused) {
    assert.equal(surelyValidDraft(draft), false, JSON.stringify(draft));
    assert.equal(zodAccepts(draft), false, JSON.stringify(draft));
  }
});

const str = fc.string({ maxLength: 4 });
const loc = fc.record({ LocURI: str, LocName: str }, { requiredKeys: ['LocURI'] });
const meta = fc.record({ Format: str, Type: str, Size: str, Mark: str, Version: str }, { requiredKeys: [] });
const data = fc.oneof(str, fc.record({ xml: str }));
const item = fc.record({ Target: loc, Source: loc, Meta: meta, Data: data, MoreData: fc.boolean() }, { requiredKeys: [] });
const cred = fc.record({ Meta: meta, Data: str }, { requiredKeys: ['Data'] });
const common = { NoResp: fc.boolean(), Item: fc.array(item, { maxLength: 3 }) };
const { draft } = fc.letrec((tie) => ({
  draft: fc.oneof(
    { depthSize: 'small' },
    fc.record({ kind: fc.constantFrom('Add', 'Delete', 'Get', 'Replace'), ...common, Cred: cred, Meta: meta }, { requiredKeys: ['kind', 'Item'] }),
    fc.record({ kind: fc.constant('Exec'), ...common, Cred: cred, Meta: meta, Correlator: str }, { requiredKeys: ['kind', 'Item'] }),
    fc.record({ kind: fc.constant('Alert'), ...common, Data: str, Correlator: str, Cred: cred }, { requiredKeys: ['kind', 'Item', 'Data'] }),
    fc.record({ kind: fc.constantFrom('Atomic', 'Sequence'), NoResp: fc.boolean(), Meta: meta, commands: fc.array(tie('draft'), { maxLength: 3 }) },
      { requiredKeys: ['kind', 'commands'] }),
  ),
}));
/** Every key any part of a draft may have, and one none may: what a bend sets or deletes. */
const keys = ['kind', 'NoResp', 'Meta', 'Cred', 'Item', 'commands', 'Correlator', 'Data', 'Target', 'Source', 'MoreData',
  'LocURI', 'LocName', 'xml', 'Format', 'Type', 'Size', 'Other'];
const leaf = fc.oneof(str, fc.boolean(), fc.integer(), fc.constant(undefined), fc.constant(null), fc.constant([]), fc.constant({}),
  fc.constantFrom('Add', 'Get', 'Alert', 'Atomic', 'Copy'));
/** A valid draft, then with some chance one object inside it gets a key set to another value, or removed. */
const bent = fc.tuple(draft, fc.nat(), fc.constantFrom(...keys), leaf, fc.integer({ min: 0, max: 3 })).map(([d, at, key, v, how]) => {
  const copy = structuredClone(d) as Record<string, unknown>;
  const objects: Record<string, unknown>[] = [];
  const walk = (x: unknown): void => {
    if (typeof x !== 'object' || x === null) return;
    if (!Array.isArray(x)) objects.push(x as Record<string, unknown>);
    for (const v2 of Object.values(x)) walk(v2);
  };
  walk(copy);
  const target = objects[at % objects.length]!;
  if (how === 1) target[key] = v;
  else if (how === 2) delete target[key];
  return copy;
});

test('on bent drafts the quick check never says yes where zod says no', () => {
  let yes = 0;
  fc.assert(
    fc.property(bent, (d) => {
      if (!surelyValidDraft(d)) return;
      yes += 1;
      assert.equal(zodAccepts(d), true, JSON.stringify(d));
    }),
    { numRuns: 5000, seed: 13 },
  );
  assert.ok(yes > 1000, `only ${yes} generated drafts got the quick yes`);
});

test('the item commands scripts queue are surely buildable, and building them agrees', () => {
  const usual = [TYPICAL[0], TYPICAL[1], TYPICAL[3], { kind: 'Exec', Correlator: 'c1', Item: [{ Target: { LocURI: './e' }, Data: 'é <&> \t' }] }];
  for (const d of usual) {
    assert.equal(surelyBuildableDraft(d), true, JSON.stringify(d));
    assert.equal(buildProblemByBuilding(d as CommandDraft), undefined, JSON.stringify(d));
  }
  // Left to the builder: embedded XML, Cred, Alert and containers, and text it may refuse.
  for (const d of [TYPICAL[2], TYPICAL[4], TYPICAL[5], TYPICAL[6], { kind: 'Get', Item: [{ Target: { LocURI: 'a\u0001' } }] }]) {
    assert.equal(surelyBuildableDraft(d), false, JSON.stringify(d));
  }
});

/** Text with the characters the builder refuses mixed in: controls, lone surrogates, U+FFFF, and the empty string. */
const risky = fc.oneof(str, fc.constantFrom('', '\u0000', 'a\u0001', '\uD800', 'x\uDC00', '\uFFFF', '\uD83D\uDE00', ' \r\n'));
const riskyLoc = fc.record({ LocURI: risky, LocName: risky }, { requiredKeys: ['LocURI'] });
const riskyMeta = fc.record({ Format: risky, Type: risky, Size: risky }, { requiredKeys: [] });
const riskyItem = fc.record({ Target: riskyLoc, Source: riskyLoc, Meta: riskyMeta, Data: fc.oneof(risky, fc.record({ xml: risky })), MoreData: fc.boolean() },
  { requiredKeys: [] });
const riskyDraft = fc.oneof(
  fc.record({ kind: fc.constantFrom('Add', 'Delete', 'Get', 'Replace'), NoResp: fc.boolean(), Meta: riskyMeta, Item: fc.array(riskyItem, { maxLength: 3 }) },
    { requiredKeys: ['kind', 'Item'] }),
  fc.record({ kind: fc.constant('Exec'), Correlator: risky, Meta: riskyMeta, Item: fc.array(riskyItem, { maxLength: 3 }) }, { requiredKeys: ['kind', 'Item'] }),
  draft,
);

test('the quick buildable check never says yes to a draft the builder refuses', () => {
  let yes = 0;
  let refused = 0;
  fc.assert(
    fc.property(fc.oneof(riskyDraft, bent), (d) => {
      // Like enqueue(): only drafts the schema accepts reach the build check.
      if (!zodAccepts(d)) return;
      const problem = buildProblemByBuilding(d as CommandDraft);
      if (problem !== undefined) refused += 1;
      if (!surelyBuildableDraft(d)) return;
      yes += 1;
      assert.equal(problem, undefined, JSON.stringify(d));
    }),
    { numRuns: 5000, seed: 13 },
  );
  assert.ok(yes > 200 && refused > 500, `${yes} quick yeses, ${refused} drafts the builder refused`);
});
