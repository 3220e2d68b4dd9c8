import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSyncML } from '../../syncml/index.js';
import type { Alert, Command, CommandDraft, Item, Replace, Status, SyncML } from '../../syncml/types.js';
import { byteLength } from './chunking.js';
import type { SessionEngine } from './engine.js';
import { answer, deviceMessage, results, send, serverCommands, sessionStart, status, withEngine, DEVICE_ID } from './test-support.js';

const statuses = (m: SyncML): Status[] => m.SyncBody.commands.filter((c): c is Status => c.kind === 'Status');
const alert1222 = (cmdId: string): Alert => ({ kind: 'Alert', CmdID: cmdId, Data: '1222', Item: [] });
const bytes = (m: SyncML): number => byteLength(buildSyncML(m));

function replace(n: number, value: string): CommandDraft {
  return { kind: 'Replace', Item: [{ Target: { LocURI: `./Vendor/MSFT/DMClient/Provider/TEST/Node${n}` }, Data: value }] };
}

test('MaxMsgSize: commands are split across messages that each fit; the device asks for more with Alert 1222', async () => {
  await withEngine(async (engine) => {
    const maxMsgSize = 1500;
    const drafts = Array.from({ length: 20 }, (_, n) => replace(n, `value-${n}-${'x'.repeat(40)}`));
    const pending = engine.device(DEVICE_ID).sync(drafts, { timeout: 5000 });
    let reply = await send(engine, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart(), meta: { MaxMsgSize: String(maxMsgSize) } }));
    const delivered: string[] = [];
    let msgId = 1;
    const finals: boolean[] = [];
    for (;;) {
      assert.ok(bytes(reply) <= maxMsgSize, `message ${reply.SyncHdr.MsgID} is ${bytes(reply)} bytes`);
      finals.push(reply.SyncBody.Final);
      for (const c of serverCommands(reply)) if (c.kind === 'Replace') delivered.push(c.Item[0]?.Target?.LocURI ?? '');
      if (serverCommands(reply).length === 0) break;
      const more: Command[] = reply.SyncBody.Final ? [] : [alert1222('99')];
      reply = await send(engine, deviceMessage({ sessionId: '1', msgId: String(++msgId), commands: [...answer(reply), ...more] }));
    }
    assert.ok(finals.length > 3, `${finals.length} messages`);
    // Every message but the last one carrying commands goes without Final; the closing one has it.
    assert.deepEqual(finals.slice(0, -2), finals.slice(0, -2).map(() => false));
    assert.deepEqual(finals.slice(-2), [true, true]);
    assert.deepEqual(delivered, drafts.map((_, n) => `./Vendor/MSFT/DMClient/Provider/TEST/Node${n}`));
    const out = await pending;
    assert.equal(out.length, 20);
    assert.ok(out.every((r) => r.status?.code === '200'));
  });
});

/** Runs one session that delivers `drafts`, answering every command 200; the byte size of each server message. */
async function sessionSizes(engine: SessionEngine, sessionId: string, drafts: CommandDraft[], meta?: { MaxMsgSize: string }): Promise<number[]> {
  const pending = engine.device(DEVICE_ID).sync(drafts, { timeout: 5000 });
  let reply = await send(engine, deviceMessage({ sessionId, msgId: '1', commands: sessionStart(), ...(meta === undefined ? {} : { meta }) }));
  const sizes: number[] = [];
  let msgId = 1;
  while (serverCommands(reply).length > 0) {
    sizes.push(bytes(reply));
    const more: Command[] = reply.SyncBody.Final ? [] : [alert1222('99')];
    reply = await send(engine, deviceMessage({ sessionId, msgId: String(++msgId), commands: [...answer(reply), ...more] }));
  }
  const out = await pending;
  assert.ok(out.every((r) => r.status?.code === '200'), 'every command delivered and answered');
  return sizes;
}

test('the maxMsgSize option caps every message: a device that announces none (Windows), a larger one, a smaller one', async () => {
  const drafts = Array.from({ length: 20 }, (_, n) => replace(n, `value-${n}-${'x'.repeat(40)}`));
  await withEngine(async (engine) => {
    const cases: Array<[string, { MaxMsgSize: string } | undefined, number]> = [
      ['none announced', undefined, 1500],
      ['a larger one announced', { MaxMsgSize: '524288' }, 1500],
      ['a smaller one announced', { MaxMsgSize: '1200' }, 1200],
    ];
    for (const [index, [label, meta, limit]] of cases.entries()) {
      const sizes = await sessionSizes(engine, String(index + 10), drafts, meta);
      assert.ok(sizes.length > 2, `${label}: ${sizes.length} messages`);
      assert.ok(Math.max(...sizes) <= limit, `${label}: a message of ${Math.max(...sizes)} bytes, over ${limit}`);
    }
  }, { maxMsgSize: 1500 });
  // Without the option, a device that announces none gets all twenty commands in one message.
  await withEngine(async (engine) => {
    const sizes = await sessionSizes(engine, '20', drafts);
    assert.equal(sizes.length, 1);
    assert.ok((sizes[0] ?? 0) > 1500);
  });
});

test('a device message without Final gets Statuses and Alert 1222, no commands, no Final', async () => {
  await withEngine(async (engine) => {
    const pending = engine.device(DEVICE_ID).sync([replace(1, 'a')], { timeout: 5000 });
    const reply1 = await send(engine, deviceMessage({ sessionId: '2', msgId: '1', commands: sessionStart(), final: false }));
    assert.equal(reply1.SyncBody.Final, false);
    assert.deepEqual(serverCommands(reply1).map((c) => [c.kind, (c as Alert).Data]), [['Alert', '1222']]);
    // The device's next message ends its package and answers our Alert 1222.
    const reply2 = await send(
      engine,
      deviceMessage({ sessionId: '2', msgId: '2', commands: [...answer(reply1)] }),
    );
    assert.equal(reply2.SyncBody.Final, true);
    assert.equal(serverCommands(reply2)[0]?.kind, 'Replace');
    await send(engine, deviceMessage({ sessionId: '2', msgId: '3', commands: answer(reply2) }));
    assert.equal((await pending)[0]?.status?.code, '200');
    assert.deepEqual(engine.device(DEVICE_ID).protocolErrors(), []);
  });
});

test('a large object goes out in chunks: MoreData, Meta.Size on the first, 213 per chunk, every message fits', async () => {
  await withEngine(async (engine) => {
    const maxMsgSize = 1200;
    const value = Array.from({ length: 600 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('') + '<&>é'.repeat(300);
    const pending = engine.device(DEVICE_ID).sync([{ kind: 'Replace', Item: [{ Target: { LocURI: './Vendor/MSFT/Big' }, Meta: { Format: 'chr' }, Data: value }] }], {
      timeout: 5000,
    });
    let reply = await send(engine, deviceMessage({ sessionId: '3', msgId: '1', commands: sessionStart(), meta: { MaxMsgSize: String(maxMsgSize) } }));
    const chunks: Item[] = [];
    let msgId = 1;
    while (serverCommands(reply).length > 0) {
      assert.ok(bytes(reply) <= maxMsgSize, `message ${reply.SyncHdr.MsgID} is ${bytes(reply)} bytes`);
      const [command] = serverCommands(reply) as Replace[];
      chunks.push(command?.Item[0] as Item);
      assert.equal(reply.SyncBody.Final, command?.Item[0]?.MoreData !== true);
      const more: Command[] = reply.SyncBody.Final ? [] : [alert1222('99')];
      reply = await send(engine, deviceMessage({ sessionId: '3', msgId: String(++msgId), commands: [...answer(reply), ...more] }));
    }
    assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
    assert.equal(chunks[0]?.Meta?.Size, String(byteLength(value)));
    assert.ok(chunks.slice(1).every((c) => c.Meta?.Size === undefined && c.Meta?.Format === 'chr'));
    assert.ok(chunks.slice(0, -1).every((c) => c.MoreData === true));
    assert.equal(chunks.at(-1)?.MoreData, undefined);
    assert.equal(chunks.map((c) => c.Data).join(''), value);
    const [result] = await pending;
    assert.equal(result?.status?.code, '200');
    assert.equal(result?.chunks.length, chunks.length - 1);
    assert.ok(result?.chunks.every((c) => c.code === '213'));
  });
});

test('a device that refuses a chunk gets no more of that object; the command settles with its Status and the queue goes on', async () => {
  await withEngine(async (engine) => {
    const value = 'x'.repeat(3000);
    const pending = engine.device(DEVICE_ID).sync([{ kind: 'Replace', Item: [{ Target: { LocURI: './Vendor/MSFT/Big' }, Data: value }] }, replace(1, 'after')], {
      timeout: 5000,
    });
    const first = await send(engine, deviceMessage({ sessionId: '4', msgId: '1', commands: sessionStart(), meta: { MaxMsgSize: '1200' } }));
    const [chunk] = serverCommands(first) as Replace[];
    assert.equal(chunk?.Item[0]?.MoreData, true);
    // The device refuses the object at its first chunk (500), and asks for the rest of our package.
    const refused = status('1', first.SyncHdr.MsgID, chunk?.CmdID ?? '', 'Replace', '500');
    const next = await send(engine, deviceMessage({ sessionId: '4', msgId: '2', commands: [refused, alert1222('2')] }));
    const sent = serverCommands(next) as Replace[];
    assert.deepEqual(sent.map((c) => c.Item[0]?.Target?.LocURI), ['./Vendor/MSFT/DMClient/Provider/TEST/Node1'], 'no further chunk of the refused object');
    await send(engine, deviceMessage({ sessionId: '4', msgId: '3', commands: answer(next) }));
    const [big, after] = await pending;
    assert.equal(big?.status?.code, '500');
    assert.deepEqual(big?.items.map((i) => i.code), ['500']);
    assert.deepEqual(big?.chunks, []);
    assert.equal(after?.status?.code, '200');
  });
});

test('chunked Results from the device are reassembled: 213 per chunk, then 200, then the whole value', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const pending = device.sync([{ kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/Ext/Big' } }] }], { timeout: 5000 });
    const reply1 = await send(engine, deviceMessage({ sessionId: '4', msgId: '1', commands: sessionStart() }));
    const get = serverCommands(reply1)[0] as Command;
    const whole = 'chunk-one|chunk-two|chunk-three';
    const first = results('3', '1', get.CmdID, './DevDetail/Ext/Big', 'chunk-one|', { Size: String(whole.length), Format: 'chr' });
    (first.Item[0] as Item).MoreData = true;
    const reply2 = await send(
      engine,
      deviceMessage({ sessionId: '4', msgId: '2', final: false, commands: [status('1', '1', '0', 'SyncHdr', '200'), status('2', '1', get.CmdID, 'Get', '200'), first] }),
    );
    assert.deepEqual(statuses(reply2).map((s) => [s.Cmd, s.Data]), [['SyncHdr', '200'], ['Results', '213']]);
    assert.equal((serverCommands(reply2)[0] as Alert).Data, '1222');
    const second = results('2', '1', get.CmdID, './DevDetail/Ext/Big', 'chunk-two|');
    (second.Item[0] as Item).MoreData = true;
    const reply3 = await send(engine, deviceMessage({ sessionId: '4', msgId: '3', final: false, commands: [...answer(reply2), second] }));
    assert.deepEqual(statuses(reply3).map((s) => s.Data), ['200', '213']);
    const last = results('3', '1', get.CmdID, './DevDetail/Ext/Big', 'chunk-three');
    const reply4 = await send(engine, deviceMessage({ sessionId: '4', msgId: '4', commands: [...answer(reply3), last] }));
    assert.deepEqual(statuses(reply4).map((s) => [s.Cmd, s.Data]), [['SyncHdr', '200'], ['Results', '200']]);
    assert.equal(reply4.SyncBody.Final, true);
    const [result] = await pending;
    assert.deepEqual(result?.results, [{ LocURI: './DevDetail/Ext/Big', Format: 'chr', Data: whole }]);
    assert.deepEqual(device.protocolErrors(), []);
  });
});

test('chunks that do not add up to Meta.Size get 424 and a device protocol error', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    void device.sync([{ kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/Ext/Big' } }] }], { timeout: 5000 }).catch(() => undefined);
    const reply1 = await send(engine, deviceMessage({ sessionId: '5', msgId: '1', commands: sessionStart() }));
    const get = serverCommands(reply1)[0] as Command;
    const first = results('3', '1', get.CmdID, './DevDetail/Ext/Big', 'abc', { Size: '10' });
    (first.Item[0] as Item).MoreData = true;
    const reply2 = await send(engine, deviceMessage({ sessionId: '5', msgId: '2', final: false, commands: [status('2', '1', get.CmdID, 'Get', '200'), first] }));
    const reply3 = await send(engine, deviceMessage({ sessionId: '5', msgId: '3', commands: [...answer(reply2), results('2', '1', get.CmdID, './DevDetail/Ext/Big', 'de')] }));
    assert.deepEqual(statuses(reply3).map((s) => [s.Cmd, s.Data]), [['SyncHdr', '200'], ['Results', '424']]);
    assert.equal(
      device.protocolErrors()[0]?.message,
      `device "${DEVICE_ID}" sent a chunked item for "./DevDetail/Ext/Big" whose first chunk declared Meta.Size "10", but the chunks add up to 5 bytes`,
    );
  });
});

test('a device message without Final but with Alert 1222 gets the rest of our package, not another 1222', async () => {
  await withEngine(async (engine) => {
    const drafts = Array.from({ length: 8 }, (_, n) => replace(n, 'y'.repeat(120)));
    const pending = engine.device(DEVICE_ID).sync(drafts, { timeout: 5000 });
    let reply = await send(engine, deviceMessage({ sessionId: '6', msgId: '1', commands: sessionStart(), meta: { MaxMsgSize: '1100' } }));
    let msgId = 1;
    while (!reply.SyncBody.Final) {
      reply = await send(engine, deviceMessage({ sessionId: '6', msgId: String(++msgId), final: false, commands: [...answer(reply), alert1222('99')] }));
      assert.ok(serverCommands(reply).every((c) => c.kind === 'Replace'));
    }
    await send(engine, deviceMessage({ sessionId: '6', msgId: String(++msgId), commands: answer(reply) }));
    assert.equal((await pending).length, 8);
    assert.ok(msgId > 2);
  });
});

test('a command too large for the device fails its sync only once the rest of that sync has left the device or the queue', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const drafts = [
      replace(0, 'before'),
      { kind: 'Replace', Item: [{ Target: { LocURI: './Vendor/MSFT/Big' }, Data: 'x'.repeat(600) }] } satisfies CommandDraft,
      ...Array.from({ length: 20 }, (_, n) => replace(n + 1, `value-${n}-${'x'.repeat(40)}`)),
    ];
    let settled = false;
    const pending = device.sync(drafts, { timeout: 5000 });
    pending.then(() => (settled = true), () => (settled = true));
    // MaxObjSize 500: the 600-byte object cannot be sent at all; MaxMsgSize 1500: the rest needs several messages.
    let reply = await send(engine, deviceMessage({ sessionId: '9', msgId: '1', commands: sessionStart(), meta: { MaxMsgSize: '1500', MaxObjSize: '500' } }));
    const sent = new Set<string>();
    let msgId = 1;
    while (serverCommands(reply).length > 0) {
      for (const c of serverCommands(reply) as Replace[]) sent.add(c.Item[0]?.Target?.LocURI ?? '');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(settled, false, 'a command of the sync is still unanswered');
      const more: Command[] = reply.SyncBody.Final ? [] : [alert1222('99')];
      reply = await send(engine, deviceMessage({ sessionId: '9', msgId: String(++msgId), commands: [...answer(reply), ...more] }));
    }
    assert.ok(!sent.has('./Vendor/MSFT/Big'));
    // What had not left the queue when the object was refused was withdrawn, not sent after the caller's error.
    assert.ok(sent.size > 1 && sent.size < 21, `${sent.size} of the 21 other commands were sent`);
    await assert.rejects(pending, { code: 'DMC_ERR_SESSION_COMMAND_TOO_LARGE', message: /Replace "\.\/Vendor\/MSFT\/Big" for device .* the device accepts 500 / });
    assert.deepEqual(device.pending(), { queued: [], inFlight: [] }, 'nothing of the failed sync is left to send or answer');
  });
});
