/**
 * What the coalesced, write-behind queue file (queue-store.ts, engine.ts step 5) still guarantees: a command is
 * on disk before any reply carries it, so a crash (an engine never closed, its folder opened again) loses no
 * queued command; session progress written behind the replies lands on close; writes coalesce under bursts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandDraft, SyncML } from '../../syncml/types.js';
import { deviceFileSchema, type DeviceFile } from './draft-schema.js';
import { SessionEngine } from './engine.js';
import { emptyDeviceFile, QueueStore } from './queue-store.js';
import { answer, deviceMessage, send, serverCommands, sessionStart, SERVER_URI, DEVICE_ID, withEngine } from './test-support.js';

const getSwV: CommandDraft = { kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/SwV' } }] };
const replaceName: CommandDraft = {
  kind: 'Replace',
  Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/TEST/EntDeviceName' }, Data: 'lab-02' }],
};
const kinds = (m: SyncML): string[] => serverCommands(m).map((c) => c.kind);
const readDeviceFile = async (dataDir: string): Promise<DeviceFile> =>
  deviceFileSchema.parse(JSON.parse(await readFile(join(dataDir, 'queues', `${DEVICE_ID}.json`), 'utf8')));

test('crash: commands a reply delivered are on disk, and an engine reopened on the folder (never closed) sends them again', async () => {
  await withEngine(async (crashed, dataDir) => {
    void crashed.device(DEVICE_ID).sync([getSwV, replaceName], { timeout: 5000 }).catch(() => undefined);
    // No await between sync() and the session: the reply must still wait until the commands are written.
    const reply = await send(crashed, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart() }));
    assert.deepEqual(kinds(reply), ['Get', 'Replace']);
    const onDisk = await readDeviceFile(dataDir);
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
    const onDisk = await readDeviceFile(dataDir);
    assert.deepEqual({ queue: onDisk.queue, inFlight: onDisk.inFlight, sessionCount: onDisk.sessionCount }, { queue: [], inFlight: [], sessionCount: 1 });
    assert.deepEqual(onDisk.sessions.map((s) => [s.sessionId, s.end, s.messagesIn, s.messagesOut]), [['1', 'completed', 2, 2]]);
  });
});

test('a burst of saves for one device coalesces into at most two writes, and the last state wins', async () => {
  await withEngine(async (_engine, dataDir) => {
    const store = new QueueStore(dataDir);
    const file = emptyDeviceFile(DEVICE_ID);
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 50; i += 1) {
      file.sessionCount = i;
      saves.push(store.save(file));
    }
    await Promise.all(saves);
    assert.equal(store.writes, 2, 'one write started at once, one carrying every later change');
    assert.equal((await readDeviceFile(dataDir)).sessionCount, 50);
    file.sessionCount = 51;
    await store.save(file);
    await store.flush();
    assert.equal(store.writes, 3);
    assert.equal((await readDeviceFile(dataDir)).sessionCount, 51);
  });
});
