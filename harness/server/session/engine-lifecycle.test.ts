import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert, CommandDraft, SyncML } from '../../syncml/types.js';
import { SessionEngine } from './engine.js';
import { answer, deviceMessage, send, serverCommands, sessionStart, SERVER_URI, DEVICE_ID, withEngine, deviceFileOnDisk } from './test-support.js';

const getDevId: CommandDraft = { kind: 'Get', Item: [{ Target: { LocURI: './DevInfo/DevId' } }] };
const replaceName: CommandDraft = {
  kind: 'Replace',
  Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/TEST/EntDeviceName' }, Data: 'lab-01' }],
};
const kinds = (m: SyncML): string[] => serverCommands(m).map((c) => c.kind);

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dmc-session-'));
}

test('a restart keeps queued commands: close rejects waiters, open with the same dataDir delivers them', async () => {
  const dataDir = await tempDir();
  try {
    const first = await SessionEngine.open({ dataDir, serverLocURI: SERVER_URI });
    const waiting = first.device(DEVICE_ID).sync([getDevId, replaceName], { timeout: 5000 });
    const rejected = assert.rejects(waiting, {
      code: 'DMC_ERR_SESSION_CLOSED_WHILE_WAITING',
      message: `the session engine closed while device "${DEVICE_ID}" still had 2 command(s) pending: Get ./DevInfo/DevId, Replace ./Vendor/MSFT/DMClient/Provider/TEST/EntDeviceName (they stay queued on disk)`,
    });
    await first.close();
    await rejected;
    const onDisk = await deviceFileOnDisk(dataDir);
    assert.deepEqual(onDisk.queue.map((e) => e.draft), [getDevId, replaceName]);

    const second = await SessionEngine.open({ dataDir, serverLocURI: SERVER_URI });
    try {
      assert.deepEqual(second.device(DEVICE_ID).pending().queued, [
        'Get ./DevInfo/DevId',
        'Replace ./Vendor/MSFT/DMClient/Provider/TEST/EntDeviceName',
      ]);
      const reply = await send(second, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart() }));
      assert.deepEqual(kinds(reply), ['Get', 'Replace']);
    } finally {
      await second.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('commands delivered but unanswered are re-queued when the session is abandoned or the engine restarts', async () => {
  const dataDir = await tempDir();
  try {
    const first = await SessionEngine.open({ dataDir, serverLocURI: SERVER_URI });
    void first.device(DEVICE_ID).sync([getDevId], { timeout: 5000 }).catch(() => undefined);
    const reply1 = await send(first, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart() }));
    assert.deepEqual(kinds(reply1), ['Get']);
    // The device never answers session 1 and starts session 2: the Get goes out again.
    const reply2 = await send(first, deviceMessage({ sessionId: '2', msgId: '1', commands: sessionStart() }));
    assert.deepEqual(kinds(reply2), ['Get']);
    assert.deepEqual(first.device(DEVICE_ID).sessions().history.map((s) => [s.sessionId, s.end]), [['1', 'abandoned']]);
    await first.close();

    const second = await SessionEngine.open({ dataDir, serverLocURI: SERVER_URI, maxDeliveries: 3 });
    try {
      const [entry] = (await deviceFileOnDisk(dataDir)).queue;
      assert.equal(entry?.deliveries, 2);
      const settled: boolean[] = [];
      second.on('commandSettled', (e) => settled.push(e.result.unanswered));
      const reply3 = await send(second, deviceMessage({ sessionId: '3', msgId: '1', commands: sessionStart() }));
      assert.deepEqual(kinds(reply3), ['Get']);
      assert.equal(second.device(DEVICE_ID).sessions().count, 3);
      // A third session without an answer: maxDeliveries reached, the command is given up as unanswered.
      await send(second, deviceMessage({ sessionId: '4', msgId: '1', commands: sessionStart() }));
      assert.deepEqual(settled, [true]);
      assert.deepEqual(second.device(DEVICE_ID).pending(), { queued: [], inFlight: [] });
    } finally {
      await second.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a queue file that fails validation stops open() with the path and the problem', async () => {
  const dataDir = await tempDir();
  try {
    await mkdir(join(dataDir, 'queues'), { recursive: true });
    const path = join(dataDir, 'queues', 'DEV1.json');
    await writeFile(path, JSON.stringify({ version: 1, deviceId: 'DEV1', queue: [{ ticket: 't', draft: { kind: 'Grab' } }] }));
    await assert.rejects(SessionEngine.open({ dataDir }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'DMC_ERR_SESSION_STORE_CORRUPT');
      assert.match(err.message, new RegExp(`^queue file "${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not a valid device queue: `));
      return true;
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a sync timeout names the pending commands and the last session, and withdraws what was never sent', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    await assert.rejects(device.sync([getDevId, replaceName], { timeout: 50 }), {
      code: 'DMC_ERR_SESSION_SYNC_TIMEOUT',
      message:
        `device "${DEVICE_ID}": 2 command(s) still pending after 50 ms: Get ./DevInfo/DevId, ` +
        'Replace ./Vendor/MSFT/DMClient/Provider/TEST/EntDeviceName; no session seen for this device',
    });
    assert.deepEqual(device.pending(), { queued: [], inFlight: [] });

    await send(engine, deviceMessage({ sessionId: '12', msgId: '1', commands: sessionStart() }));
    await assert.rejects(device.sync([getDevId], { timeout: 30 }), {
      message: `device "${DEVICE_ID}": 1 command(s) still pending after 30 ms: Get ./DevInfo/DevId; last session "12" at 2026-11-28T10:00:00.000Z`,
    });
  });
});

test('requestpending keeps the session open and the sync alive until the device answers', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const pending = device.sync([getDevId], { timeout: 150 });
    const reply1 = await send(engine, deviceMessage({ sessionId: '6', msgId: '1', commands: sessionStart() }));
    const heartbeat = (msgId: string): SyncML =>
      deviceMessage({
        sessionId: '6',
        msgId,
        final: false,
        commands: [
          {
            kind: 'Alert',
            CmdID: '2',
            Data: '1224',
            Item: [{ Meta: { Type: 'Reversed-Domain-Name:com.microsoft.mdm.requestpending' }, Data: '1' }],
          } satisfies Alert,
        ],
      });
    let msgId = 1;
    for (let i = 0; i < 4; i += 1) {
      await new Promise((r) => setTimeout(r, 80));
      const ack = await send(engine, heartbeat(String(++msgId)));
      assert.deepEqual(ack.SyncBody.commands.map((c) => [c.kind, c.kind === 'Status' ? c.Data : '']), [['Status', '200'], ['Status', '200']]);
      assert.equal(ack.SyncBody.Final, false);
      assert.notEqual(device.sessions().open, undefined);
    }
    // 320 ms after the sync started, past its 150 ms timeout: still waiting thanks to the heartbeats.
    await send(engine, deviceMessage({ sessionId: '6', msgId: String(++msgId), commands: answer(reply1, { './DevInfo/DevId': 'X' }) }));
    assert.equal((await pending)[0]?.results[0]?.Data, 'X');
    assert.deepEqual(device.protocolErrors(), []);
  });
});

test('waitForSession resolves with the next ended session; events tell start, messages and end with counts', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const seen: string[] = [];
    engine.on('sessionStarted', (e) => seen.push(`started ${e.sessionId}`));
    engine.on('messageIn', (e) => seen.push(`in ${e.msgId}`));
    engine.on('messageOut', (e) => seen.push(`out ${e.msgId}${e.final ? ' final' : ''}`));
    engine.on('sessionEnded', (e) => seen.push(`ended ${e.summary.sessionId} ${e.summary.end}`));
    const ended = device.waitForSession({ timeout: 5000 });
    void device.sync([getDevId], { timeout: 5000 });
    const reply = await send(engine, deviceMessage({ sessionId: '8', msgId: '1', commands: sessionStart() }));
    await send(engine, deviceMessage({ sessionId: '8', msgId: '2', commands: answer(reply) }));
    const summary = await ended;
    assert.deepEqual(
      { ...summary },
      {
        sessionId: '8',
        startedAt: '2026-11-28T10:00:00.000Z',
        endedAt: '2026-11-28T10:00:00.000Z',
        end: 'completed',
        messagesIn: 2,
        messagesOut: 2,
        commandsSent: 1,
        statusesReceived: 1,
        resultsReceived: 1,
        protocolErrors: 0,
      },
    );
    assert.deepEqual(seen, ['started 8', 'in 1', 'out 1 final', 'in 2', 'out 2 final', 'ended 8 completed']);
    assert.equal(device.sessions().count, 1);
    await assert.rejects(device.waitForSession({ timeout: 20 }), {
      code: 'DMC_ERR_SESSION_WAIT_TIMEOUT',
      message: `device "${DEVICE_ID}" did not complete a session within 20 ms (1 session(s) seen before)`,
    });
  });
});

test('a draft the schema takes but no message can carry is refused at sync(), naming where and why', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const refused: [unknown, string][] = [
      [{ kind: 'Alert', Data: '', Item: [] }, '"Alert/Data": must be non-empty text'],
      [{ kind: 'Exec', Correlator: '', Item: [{ Target: { LocURI: './a' } }] }, '"Exec/Correlator": must be non-empty text'],
      [{ kind: 'Replace', Item: [{ Target: { LocURI: './a' }, Data: 'bell\u0007' }] }, '"Replace/Item[1]/Data": contains U+0007, which XML 1.0 cannot carry'],
      [{ kind: 'Replace', Item: [{ Target: { LocURI: './a' }, Data: { xml: '<a>' } }] }, '"Replace/Item[1]/Data": embedded XML must be well-formed'],
      [{ kind: 'Atomic', commands: [getDevId, { kind: 'Alert', Data: '', Item: [] }] }, '"Atomic/Alert/Data": must be non-empty text'],
    ];
    for (const [draft, where] of refused) {
      await assert.rejects(device.sync([getDevId, draft as CommandDraft], { timeout: 1000 }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'DMC_ERR_SESSION_INVALID_DRAFT');
        assert.ok(err.message.startsWith(`command 1 given to sync() for device "${DEVICE_ID}" is not a valid SyncML command draft at ${where}`), err.message);
        return true;
      });
    }
    // Nothing queued: the device's next session is not poisoned by a command it could never be sent.
    assert.deepEqual(device.pending(), { queued: [], inFlight: [] });
    const pending = device.sync([getDevId], { timeout: 5000 });
    const reply = await send(engine, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart() }));
    assert.deepEqual(serverCommands(reply).map((c) => c.kind), ['Get']);
    await send(engine, deviceMessage({ sessionId: '1', msgId: '2', commands: answer(reply, { './DevInfo/DevId': DEVICE_ID }) }));
    assert.equal((await pending)[0]?.results[0]?.Data, DEVICE_ID);
  });
});

test('a queue file holding a command no message can carry stops open() with the path, the entry and the problem', async () => {
  const dataDir = await tempDir();
  try {
    await mkdir(join(dataDir, 'queues'), { recursive: true });
    const path = join(dataDir, 'queues', 'DEV1.json');
    const entry = (draft: unknown) => ({ ticket: 't', draft, enqueuedAt: '2026-12-06T00:00:00Z', deliveries: 0 });
    const file = { version: 1, deviceId: 'DEV1', queue: [entry(getDevId)], inFlight: [entry({ kind: 'Alert', Data: '', Item: [] })], sessionCount: 0, sessions: [], devInfo: {} };
    await writeFile(path, JSON.stringify(file));
    await assert.rejects(SessionEngine.open({ dataDir }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'DMC_ERR_SESSION_STORE_CORRUPT');
      assert.equal(err.message, `queue file "${path}" is not a valid device queue: inFlight.0.draft: Alert/Data: must be non-empty text`);
      return true;
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a draft the queue file could not restore is refused before anything is queued', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const odd = { kind: 'Get', Item: [{ Target: { LocURI: './DevInfo/DevId', Extra: 1 } }] } as unknown as CommandDraft;
    await assert.rejects(device.sync([getDevId, odd], { timeout: 1000 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'DMC_ERR_SESSION_INVALID_DRAFT');
      assert.match(err.message, new RegExp(`^command 1 given to sync\\(\\) for device "${DEVICE_ID}" is not a valid SyncML command draft at "Item\\.0\\.Target": `));
      return true;
    });
    assert.deepEqual(device.pending(), { queued: [], inFlight: [] });
  });
});

test('close() stops every waitForSession at once, and a wait asked of a closed engine is refused', async () => {
  const dataDir = await tempDir();
  try {
    const engine = await SessionEngine.open({ dataDir, serverLocURI: SERVER_URI });
    const device = engine.device(DEVICE_ID);
    const waiting = device.waitForSession({ timeout: 60_000 });
    const started = Date.now();
    await engine.close();
    await assert.rejects(waiting, { code: 'DMC_ERR_SESSION_ENGINE_CLOSED' });
    // Not the 60 s timeout: the close ended the wait (and left no timer behind to hold the process).
    assert.ok(Date.now() - started < 10_000);
    await assert.rejects(device.waitForSession({ timeout: 60_000 }), { code: 'DMC_ERR_SESSION_ENGINE_CLOSED' });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a timeout Node cannot keep (Infinity, NaN, 0, negative, over 2^31-1 ms) is refused by name, before anything is queued', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    for (const timeout of [Number.POSITIVE_INFINITY, Number.NaN, 0, -5, 2 ** 31]) {
      await assert.rejects(device.sync([getDevId], { timeout }), {
        code: 'DMC_ERR_SESSION_BAD_TIMEOUT',
        message: `sync() for device "${DEVICE_ID}" was given timeout ${timeout}: it must be a number of milliseconds above 0 and at most 2147483647 (about 24.8 days; Node fires longer timers at once)`,
      });
      await assert.rejects(device.waitForSession({ timeout }), { code: 'DMC_ERR_SESSION_BAD_TIMEOUT' });
    }
    assert.deepEqual(device.pending(), { queued: [], inFlight: [] });
  });
});

test('a sync whose timeout cannot write the queue file still times out, and close() writes the queue once it can', async () => {
  const dataDir = await tempDir();
  try {
    const engine = await SessionEngine.open({ dataDir, serverLocURI: SERVER_URI });
    const device = engine.device(DEVICE_ID);
    const pending = device.sync([getDevId], { timeout: 100 });
    pending.catch(() => undefined);
    // The enqueue write has landed; now the folder goes, with a file in its place, so the withdraw write fails.
    await new Promise((resolve) => setImmediate(resolve));
    await rm(join(dataDir, 'queues'), { recursive: true, force: true });
    await writeFile(join(dataDir, 'queues'), 'not a folder');
    await assert.rejects(pending, { code: 'DMC_ERR_SESSION_SYNC_TIMEOUT' });
    await rm(join(dataDir, 'queues'), { force: true });
    await engine.close();
    const onDisk = await deviceFileOnDisk(dataDir);
    assert.deepEqual(onDisk.queue.map((e) => e.draft), [], 'the withdrawn command is gone from the file written on close');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
