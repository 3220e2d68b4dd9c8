/**
 * What the queue file (queue-store.ts, engine.ts step 5) guarantees: a command is on disk before any reply carries
 * it, so a crash (an engine never closed, its folder opened again) loses no queued command; progress inside a
 * session lags until the session ends, close() or a timer, and a crash in between costs only that progress; saves
 * made in one turn are one write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandDraft, SyncML } from '../../syncml/types.js';
import { deviceFileSchema, type DeviceFile } from './draft-schema.js';
import { SessionEngine } from './engine.js';
import { deviceFileJson, emptyDeviceFile, QueueStore } from './queue-store.js';
import { answer, deviceMessage, send, serverCommands, sessionStart, SERVER_URI, DEVICE_ID, withEngine, deviceFileOnDisk } from './test-support.js';

const getSwV: CommandDraft = { kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/SwV' } }] };
const replaceName: CommandDraft = {
  kind: 'Replace',
  Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/TEST/EntDeviceName' }, Data: 'lab-02' }],
};
const kinds = (m: SyncML): string[] => serverCommands(m).map((c) => c.kind);

test('crash: commands a reply delivered are on disk, and an engine reopened on the folder (never closed) sends them again', async () => {
  await withEngine(async (crashed, dataDir) => {
    void crashed.device(DEVICE_ID).sync([getSwV, replaceName], { timeout: 5000 }).catch(() => undefined);
    // No await between sync() and the session: the reply must still wait until the commands are written.
    const reply = await send(crashed, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart() }));
    assert.deepEqual(kinds(reply), ['Get', 'Replace']);
    const onDisk = await deviceFileOnDisk(dataDir);
    assert.deepEqual([...onDisk.queue, ...onDisk.inFlight].map((e) => e.draft), [getSwV, replaceName]);

    // The first engine is abandoned as a crash would leave it: no close(), its write-behind may still be running.
    const reopened = await SessionEngine.open({ dataDir, serverLocURI: SERVER_URI });
    try {
      assert.deepEqual(reopened.device(DEVICE_ID).pending(), {
        queued: ['Get ./DevDetail/SwV', 'Replace ./Vendor/MSFT/DMClient/Provider/TEST/EntDeviceName'],
        inFlight: [],
      });
      const again = await send(reopened, deviceMessage({ sessionId: '2', msgId: '1', commands: sessionStart() }));
      assert.deepEqual(kinds(again), ['Get', 'Replace']);
    } finally {
      await reopened.close();
    }
  });
});

test('session progress written behind the replies is on disk once close() resolves', async () => {
  await withEngine(async (engine, dataDir) => {
    const results = engine.device(DEVICE_ID).sync([getSwV], { timeout: 5000 });
    const reply = await send(engine, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart() }));
    const end = await send(engine, deviceMessage({ sessionId: '1', msgId: '2', commands: answer(reply, { './DevDetail/SwV': '10.0.19045' }) }));
    assert.deepEqual(kinds(end), []);
    const [result] = await results;
    assert.equal(result?.results[0]?.Data, '10.0.19045');
    await engine.close();
    const onDisk = await deviceFileOnDisk(dataDir);
    assert.deepEqual({ queue: onDisk.queue, inFlight: onDisk.inFlight, sessionCount: onDisk.sessionCount }, { queue: [], inFlight: [], sessionCount: 1 });
    assert.deepEqual(onDisk.sessions.map((s) => [s.sessionId, s.end, s.messagesIn, s.messagesOut]), [['1', 'completed', 2, 2]]);
  });
});

test('saves made in one turn are one write carrying the last state; flush() writes nothing more', async () => {
  await withEngine(async (_engine, dataDir) => {
    const store = new QueueStore(dataDir);
    const file = emptyDeviceFile(DEVICE_ID);
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 50; i += 1) {
      file.sessionCount = i;
      saves.push(store.save(file));
    }
    await Promise.all(saves);
    assert.equal(store.writes, 1);
    assert.equal((await deviceFileOnDisk(dataDir)).sessionCount, 50);
    file.sessionCount = 51;
    await store.save(file);
    await store.flush();
    assert.equal(store.writes, 2);
    assert.equal((await deviceFileOnDisk(dataDir)).sessionCount, 51);
  });
});

test('a lagging write lands after its delay, or with the next save and then never again', async () => {
  await withEngine(async (_engine, dataDir) => {
    const store = new QueueStore(dataDir, { progressDelayMs: 30 });
    const file = emptyDeviceFile(DEVICE_ID);
    file.sessionCount = 1;
    store.saveLater(file);
    await assert.rejects(deviceFileOnDisk(dataDir), { code: 'ENOENT' }, 'written at once, not lagging');
    for (let waited = 0; store.writes === 0 && waited < 200; waited += 1) await sleep(10);
    assert.equal((await deviceFileOnDisk(dataDir)).sessionCount, 1);

    file.sessionCount = 2;
    store.saveLater(file);
    file.sessionCount = 3;
    await store.save(file);
    assert.equal(store.writes, 2);
    await sleep(100);
    assert.equal(store.writes, 2, 'the lagging write was not dropped when the save carried it');
    assert.equal((await deviceFileOnDisk(dataDir)).sessionCount, 3);
  });
});

test('crash inside a session: its progress is not on disk yet, and the reopened engine sends the command again', async () => {
  await withEngine(async (crashed, dataDir) => {
    void crashed.device(DEVICE_ID).sync([getSwV], { timeout: 5000 }).catch(() => undefined);
    await sleep(0);
    const onDiskBefore = await deviceFileOnDisk(dataDir);
    const reply = await send(crashed, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart() }));
    assert.deepEqual(kinds(reply), ['Get']);
    // The reply put the Get in flight; that progress lags, so the file still says what the enqueue wrote.
    assert.deepEqual(await deviceFileOnDisk(dataDir), onDiskBefore);

    const reopened = await SessionEngine.open({ dataDir, serverLocURI: SERVER_URI });
    try {
      assert.deepEqual(reopened.device(DEVICE_ID).pending(), { queued: ['Get ./DevDetail/SwV'], inFlight: [] });
      const again = await send(reopened, deviceMessage({ sessionId: '2', msgId: '1', commands: sessionStart() }));
      assert.deepEqual(kinds(again), ['Get']);
      const end = await send(reopened, deviceMessage({ sessionId: '2', msgId: '2', commands: answer(again, { './DevDetail/SwV': '10.0.19045' }) }));
      assert.deepEqual(kinds(end), []);
      // The session's end is written at once, without close().
      const onDisk = await deviceFileOnDisk(dataDir);
      assert.deepEqual({ queue: onDisk.queue, inFlight: onDisk.inFlight }, { queue: [], inFlight: [] });
      assert.deepEqual(onDisk.sessions.map((s) => [s.sessionId, s.end]), [['2', 'completed']]);
    } finally {
      await reopened.close();
    }
  });
});

test('deviceFileJson: the text parses back to the whole file, with or without sessions', () => {
  const file: DeviceFile = {
    ...emptyDeviceFile(DEVICE_ID),
    queue: [{ ticket: 't1', draft: getSwV, enqueuedAt: '2026-12-06T00:00:00.000Z', deliveries: 1 }],
    sessionCount: 2,
    devInfo: { Man: 'Microsoft "Corp"', Lang: 'en-US' },
    unenrolledAt: '2026-12-06T00:00:02.000Z',
  };
  assert.deepEqual(JSON.parse(deviceFileJson(file)), file);
  const summary = (sessionId: string) => ({
    sessionId, startedAt: '2026-12-06T00:00:00.000Z', endedAt: '2026-12-06T00:00:01.000Z', end: 'completed' as const,
    messagesIn: 2, messagesOut: 2, commandsSent: 1, statusesReceived: 1, resultsReceived: 1, protocolErrors: 0,
  });
  file.sessions = [Object.freeze(summary('1')), Object.freeze(summary('2'))];
  assert.deepEqual(JSON.parse(deviceFileJson(file)), file);
  // A summary's text is cached: the next write after one is dropped and another added still says exactly the list.
  file.sessions = [file.sessions[1]!, Object.freeze(summary('3'))];
  assert.deepEqual(JSON.parse(deviceFileJson(file)), file);
  assert.deepEqual(deviceFileSchema.parse(JSON.parse(deviceFileJson(file))), file);
});

test('the queue file keeps each ended session as it ended, across sessions and a reopen', async () => {
  await withEngine(async (engine, dataDir) => {
    const runSession = async (target: SessionEngine, sessionId: string) => {
      const results = target.device(DEVICE_ID).sync([getSwV], { timeout: 5000 });
      const reply = await send(target, deviceMessage({ sessionId, msgId: '1', commands: sessionStart() }));
      await send(target, deviceMessage({ sessionId, msgId: '2', commands: answer(reply, { './DevDetail/SwV': `10.0.${sessionId}` }) }));
      await results;
    };
    await runSession(engine, '1');
    await runSession(engine, '2');
    const history = engine.device(DEVICE_ID).sessions().history;
    assert.deepEqual((await deviceFileOnDisk(dataDir)).sessions, history);
    assert.deepEqual(history.map((s) => [s.sessionId, s.end, s.messagesIn, s.commandsSent, s.resultsReceived]), [
      ['1', 'completed', 2, 1, 1],
      ['2', 'completed', 2, 1, 1],
    ]);
    await engine.close();

    const reopened = await SessionEngine.open({ dataDir, serverLocURI: SERVER_URI });
    try {
      await runSession(reopened, '3');
      const after = reopened.device(DEVICE_ID).sessions().history;
      assert.deepEqual(after.map((s) => s.sessionId), ['1', '2', '3']);
      assert.deepEqual((await deviceFileOnDisk(dataDir)).sessions, after);
    } finally {
      await reopened.close();
    }
  });
});

test('a queued command is the draft as it was at sync(): changing the object afterwards changes neither the reply nor the file', async () => {
  await withEngine(async (engine, dataDir) => {
    // A script that reuses one draft object for its next command, before the first has gone out.
    const draft: CommandDraft = structuredClone(replaceName);
    const pending = engine.device(DEVICE_ID).sync([draft], { timeout: 5000 });
    pending.catch(() => undefined);
    const item = draft.kind === 'Replace' ? draft.Item[0] : undefined;
    assert.ok(item !== undefined);
    item.Data = 'lab-99';
    const reply = await send(engine, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart() }));
    const sent = serverCommands(reply)[0];
    assert.ok(sent?.kind === 'Replace');
    assert.equal(sent.Item[0]?.Data, 'lab-02');
    assert.deepEqual((await deviceFileOnDisk(dataDir)).inFlight.map((e) => e.draft), [replaceName]);
    await send(engine, deviceMessage({ sessionId: '1', msgId: '2', commands: answer(reply, {}) }));
    const [result] = await pending;
    assert.deepEqual(result?.command.draft, replaceName, 'the result names the command that was sent');
  });
});
