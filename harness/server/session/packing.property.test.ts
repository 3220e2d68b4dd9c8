import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildSyncML } from '../../syncml/index.js';
import type { Command, CommandDraft, Item, SyncML } from '../../syncml/types.js';
import { byteLength } from './chunking.js';
import { answer, deviceMessage, send, serverCommands, sessionStart, withEngine, DEVICE_ID } from './test-support.js';

const text = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '<', '&', '€', ' ', '😀'), minLength: 0, maxLength: 2500 });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const leaf = (i: number, value: string, kind: 'Replace' | 'Add' = 'Replace'): CommandDraft => ({
  kind,
  Item: [{ Target: { LocURI: `./Vendor/MSFT/Node${i}` }, Data: value }],
});
const draftArb = fc.oneof(
  text.map((value) => ({ kind: 'value' as const, value })),
  fc.constant({ kind: 'get' as const }),
  fc.tuple(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 })).map(([a, b]) => ({ kind: 'atomic' as const, a, b })),
);

test('any queue fits any MaxMsgSize: every message within the limit, every command delivered once, in order', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(draftArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1100, max: 5000 }), async (shapes, maxMsgSize) => {
      const drafts: CommandDraft[] = shapes.map((s, i) =>
        s.kind === 'value'
          ? leaf(i, s.value)
          : s.kind === 'get'
            ? { kind: 'Get', Item: [{ Target: { LocURI: `./Vendor/MSFT/Node${i}` } }] }
            : { kind: 'Atomic', commands: [leaf(i, s.a), leaf(i, s.b, 'Add')] },
      );
      await withEngine(async (engine) => {
        const pending = engine.device(DEVICE_ID).sync(drafts, { timeout: 5000 });
        let reply = await send(engine, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart(), meta: { MaxMsgSize: String(maxMsgSize) } }));
        const seen: string[] = [];
        const values = new Map<string, string>();
        let msgId = 1;
        for (let guard = 0; ; guard += 1) {
          assert.ok(guard < 400, 'the session ends');
          assert.ok(byteLength(buildSyncML(reply)) <= maxMsgSize, `message ${reply.SyncHdr.MsgID} over ${maxMsgSize} bytes`);
          const sent = serverCommands(reply).filter((c) => !(c.kind === 'Alert'));
          for (const c of sent) {
            const item = (c.kind === 'Atomic' ? undefined : (c as { Item: Item[] }).Item[0]) as Item | undefined;
            const loc = c.kind === 'Atomic' ? `atomic:${(c.commands[0] as { Item: Item[] }).Item[0]?.Target?.LocURI}` : item?.Target?.LocURI ?? '';
            if (typeof item?.Data === 'string') assert.ok(!LONE_SURROGATE.test(item.Data), 'a chunk never splits a surrogate pair');
            const sofar = values.get(loc);
            if (sofar === undefined) seen.push(loc);
            values.set(loc, (sofar ?? '') + (typeof item?.Data === 'string' ? item.Data : ''));
          }
          if (reply.SyncBody.Final && reply.SyncBody.commands.every((c) => c.kind === 'Status')) break;
          const more: Command[] = reply.SyncBody.Final ? [] : [{ kind: 'Alert', CmdID: '90', Data: '1222', Item: [] }];
          reply = await send(engine, deviceMessage({ sessionId: '1', msgId: String(++msgId), commands: [...answer(reply), ...more] }));
        }
        const expected = drafts.map((d, i) => (d.kind === 'Atomic' ? `atomic:./Vendor/MSFT/Node${i}` : `./Vendor/MSFT/Node${i}`));
        assert.deepEqual(seen, expected);
        drafts.forEach((d, i) => {
          if (d.kind === 'Replace') assert.equal(values.get(`./Vendor/MSFT/Node${i}`), d.Item[0]?.Data);
        });
        const results = await pending;
        assert.equal(results.length, drafts.length);
        assert.ok(results.every((r) => r.status?.code === '200'));
      });
    }),
    { numRuns: 20 },
  );
});
