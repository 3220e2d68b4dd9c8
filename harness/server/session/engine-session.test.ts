import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSyncML } from '../../syncml/index.js';
import type { Command, CommandDraft, Status, SyncML } from '../../syncml/types.js';
import { errorReply } from './error-reply.js';
import { KEPT_PER_DEVICE } from './session-state.js';
import type { SessionEvents } from './events.js';
import {
  DEVICE_ID,
  SERVER_URI,
  answer,
  deviceFileOnDisk,
  deviceMessage,
  results,
  send,
  serverCommands,
  sessionStart,
  status,
  withEngine,
} from './test-support.js';

function capture(name: string): SyncML {
  const text = readFileSync(fileURLToPath(new URL(`../../syncml/fixtures/${name}`, import.meta.url)), 'utf8');
  return parseSyncML(text.slice(text.indexOf('<SyncML')));
}

const statuses = (m: SyncML): Status[] => m.SyncBody.commands.filter((c): c is Status => c.kind === 'Status');
const getDevId: CommandDraft = { kind: 'Get', Item: [{ Target: { LocURI: './DevInfo/DevId' } }] };
const replacePoll: CommandDraft = {
  kind: 'Replace',
  Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/TEST/Poll/IntervalForFirstSetOfRetries' }, Meta: { Format: 'int' }, Data: '5' }],
};

test('the first message of capture 05 gets SyncHdr Status 200, a Status 200 per command, then the queued commands', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const pending = device.sync([getDevId, replacePoll], { timeout: 5000 });
    const reply = await send(engine, capture('05-management-session1.http'));

    assert.equal(reply.SyncHdr.SessionID, '1');
    assert.equal(reply.SyncHdr.MsgID, '1');
    assert.deepEqual(reply.SyncHdr.Target, { LocURI: DEVICE_ID });
    assert.deepEqual(reply.SyncHdr.Source, { LocURI: SERVER_URI });
    assert.deepEqual(
      statuses(reply).map((s) => [s.CmdRef, s.Cmd, s.MsgRef, s.Data]),
      [['0', 'SyncHdr', '1', '200'], ['2', 'Alert', '1', '200'], ['3', 'Alert', '1', '200'], ['4', 'Replace', '1', '200']],
    );
    const sent = serverCommands(reply);
    assert.deepEqual(sent.map((c) => c.kind), ['Get', 'Replace']);
    const ids = reply.SyncBody.commands.map((c) => c.CmdID);
    assert.equal(new Set(ids).size, ids.length, 'CmdIDs are unique in the message');
    assert.equal(reply.SyncBody.Final, true);
    assert.equal(device.devInfo()['./DevInfo/Man'], 'VMware, Inc.');
    assert.deepEqual(device.alerts().map((a) => a.code), ['1201', '1224']);

    await send(engine, deviceMessage({ sessionId: '1', msgId: '2', commands: answer(reply, { './DevInfo/DevId': DEVICE_ID }) }));
    const results = await pending;
    assert.equal(results[0]?.results[0]?.Data, DEVICE_ID);
  });
});

test('the full cycle: queue, deliver, device Status and Results, typed results in order; only Status and Final ends', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const ended: SessionEvents['sessionEnded'][] = [];
    engine.on('sessionEnded', (e) => ended.push(e));
    const atomic: CommandDraft = {
      kind: 'Atomic',
      commands: [replacePoll, { kind: 'Delete', Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/TEST/X' } }] }],
    };
    const noResp: CommandDraft = { ...replacePoll, NoResp: true };
    const pending = device.sync([getDevId, atomic, noResp], { timeout: 5000 });

    const reply1 = await send(engine, deviceMessage({ sessionId: '7', msgId: '1', commands: sessionStart() }));
    assert.equal(reply1.SyncHdr.MsgID, '1');
    const device2 = answer(reply1, { './DevInfo/DevId': 'ABC' }, (c) => (c.kind === 'Delete' ? '404' : '200'));
    // A NoResp command is never answered.
    const noRespCmd = serverCommands(reply1)[2] as Command;
    const answered = device2.filter((c) => !(c.kind === 'Status' && c.CmdRef === noRespCmd.CmdID));
    const reply2 = await send(engine, deviceMessage({ sessionId: '7', msgId: '2', commands: answered }));

    assert.equal(reply2.SyncHdr.MsgID, '2');
    assert.ok(reply2.SyncBody.commands.every((c) => c.kind === 'Status'));
    assert.equal(reply2.SyncBody.Final, true);
    // Results are answered with a Status (Cmd Results); Status is never answered.
    assert.deepEqual(statuses(reply2).map((s) => s.Cmd), ['SyncHdr', 'Results']);

    const [get, container, quiet] = await pending;
    assert.deepEqual(get?.status, { code: '200', number: 200 });
    assert.deepEqual(get?.results, [{ LocURI: './DevInfo/DevId', Data: 'ABC' }]);
    assert.equal(get?.command.MsgID, '1');
    assert.equal(get?.sessionId, '7');
    assert.equal(container?.status?.code, '200');
    assert.deepEqual(container?.children.map((c) => c.status?.code), ['200', '404']);
    assert.equal(quiet?.status, undefined);
    assert.equal(quiet?.unanswered, false);

    assert.equal(ended.length, 1);
    assert.equal(ended[0]?.summary.end, 'completed');
    assert.equal(ended[0]?.summary.commandsSent, 5);
    assert.equal(ended[0]?.summary.messagesIn, 2);
    assert.equal(device.sessions().count, 1);
    assert.equal(device.sessions().open, undefined);
  });
});

test('server MsgIDs go 1, 2, 3 and every message gets fresh CmdIDs', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const first = device.sync([getDevId], { timeout: 5000 });
    const reply1 = await send(engine, deviceMessage({ sessionId: '3', msgId: '1', commands: sessionStart() }));
    const second = device.sync([replacePoll], { timeout: 5000 });
    const reply2 = await send(engine, deviceMessage({ sessionId: '3', msgId: '2', commands: answer(reply1) }));
    const reply3 = await send(engine, deviceMessage({ sessionId: '3', msgId: '3', commands: answer(reply2) }));
    assert.deepEqual([reply1, reply2, reply3].map((r) => r.SyncHdr.MsgID), ['1', '2', '3']);
    for (const reply of [reply1, reply2, reply3]) {
      assert.deepEqual(reply.SyncBody.commands.map((c) => c.CmdID), reply.SyncBody.commands.map((_, i) => String(i + 1)));
    }
    assert.equal(serverCommands(reply2)[0]?.kind, 'Replace');
    assert.ok(reply3.SyncBody.commands.every((c) => c.kind === 'Status') && reply3.SyncBody.Final);
    assert.equal((await first)[0]?.command.MsgID, '1');
    assert.equal((await second)[0]?.command.MsgID, '2');
  });
});

test('a challenge consumes nothing: no session, queue kept, the retry with MsgID 1 is served', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const pending = device.sync([getDevId], { timeout: 5000 });
    const chal = { Meta: { Type: 'syncml:auth-md5', Format: 'b64', NextNonce: 'bm9uY2U=' } };
    const refused = await send(engine, deviceMessage({ sessionId: '4', msgId: '1', commands: sessionStart() }), {
      kind: 'challenge',
      status: '401',
      chal,
    });
    assert.equal(refused.SyncBody.commands.length, 1);
    assert.deepEqual(statuses(refused)[0]?.Chal, chal);
    assert.equal(statuses(refused)[0]?.Data, '401');
    assert.equal(refused.SyncBody.Final, true);
    assert.equal(device.sessions().count, 0);
    assert.deepEqual(device.pending().queued, ['Get ./DevInfo/DevId']);

    const accepted = await send(engine, deviceMessage({ sessionId: '4', msgId: '1', commands: sessionStart() }), {
      kind: 'accepted',
      status: '212',
      chal,
    });
    assert.equal(statuses(accepted)[0]?.Data, '212');
    assert.equal(serverCommands(accepted)[0]?.kind, 'Get');
    await send(engine, deviceMessage({ sessionId: '4', msgId: '2', commands: answer(accepted) }));
    assert.equal((await pending)[0]?.status?.code, '200');
  });
});

test('after a challenge the device goes on in the same session: its MsgID 2 with credentials opens it, server MsgIDs continue', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const pending = device.sync([getDevId], { timeout: 5000 });
    const chal = { Meta: { Type: 'syncml:auth-md5', Format: 'b64', NextNonce: 'bm9uY2U=' } };
    const refused = await send(engine, deviceMessage({ sessionId: '7', msgId: '1', commands: sessionStart() }), {
      kind: 'challenge',
      status: '407',
      chal,
    });
    assert.equal(refused.SyncHdr.MsgID, '1');
    assert.equal(statuses(refused)[0]?.Data, '407');
    assert.deepEqual(device.pending().queued, ['Get ./DevInfo/DevId']);

    const accepted = await send(engine, deviceMessage({ sessionId: '7', msgId: '2', commands: sessionStart() }), {
      kind: 'accepted',
      status: '212',
      chal,
    });
    assert.equal(accepted.SyncHdr.MsgID, '2');
    assert.equal(statuses(accepted)[0]?.Data, '212');
    assert.equal(statuses(accepted)[0]?.MsgRef, '2');
    assert.equal(serverCommands(accepted)[0]?.kind, 'Get');
    assert.equal(device.sessions().count, 1);
    await send(engine, deviceMessage({ sessionId: '7', msgId: '3', commands: answer(accepted) }));
    assert.equal((await pending)[0]?.status?.code, '200');

    // A MsgID that does not follow the challenge is still an unknown session.
    await assert.rejects(
      send(engine, deviceMessage({ sessionId: '8', msgId: '2', commands: sessionStart() })),
      (err: unknown) => (err as { code?: string }).code === 'DMC_ERR_SESSION_UNKNOWN_SESSION',
    );
  });
});

test('a Status whose CmdRef matches nothing is recorded as a device protocol error, not thrown', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const seen: string[] = [];
    engine.on('protocolError', (e) => seen.push(e.error.code));
    const pending = device.sync([getDevId], { timeout: 5000 });
    const reply1 = await send(engine, deviceMessage({ sessionId: '5', msgId: '1', commands: sessionStart() }));
    const stray = status('99', '1', '99', 'Get', '200');
    const reply = await send(engine, deviceMessage({ sessionId: '5', msgId: '2', commands: [...answer(reply1), stray] }));
    assert.equal(reply.SyncBody.Final, true);
    assert.equal((await pending)[0]?.status?.code, '200');
    const [error] = device.protocolErrors();
    assert.equal(error?.code, 'DMC_ERR_SESSION_UNMATCHED_STATUS');
    assert.equal(
      error?.message,
      `device "${DEVICE_ID}" sent a Status (Cmd "Get", MsgRef "1", CmdRef "99") in session "5" that matches no command the server sent`,
    );
    assert.deepEqual(seen, ['DMC_ERR_SESSION_UNMATCHED_STATUS']);
  });
});

test('unknown session, duplicate and out-of-order MsgIDs are request errors with a readable SyncML answer', async () => {
  await withEngine(async (engine) => {
    const unknown = deviceMessage({ sessionId: '9', msgId: '2', commands: [] });
    await assert.rejects(send(engine, unknown), (err: Error & { code?: string; httpStatus?: number }) => {
      assert.equal(err.code, 'DMC_ERR_SESSION_UNKNOWN_SESSION');
      assert.equal(err.httpStatus, 400);
      assert.equal(
        err.message,
        `device "${DEVICE_ID}" sent SyncHdr.MsgID "2" for SyncHdr.SessionID "9", but no such session is open (a session starts with MsgID 1)`,
      );
      const reply = errorReply(unknown, err as never);
      assert.equal(statuses(reply)[0]?.Data, '400');
      assert.deepEqual(statuses(reply)[0]?.Item, [{ Data: 'DMC_ERR_SESSION_UNKNOWN_SESSION' }]);
      return true;
    });
    // A session that stays open: the device's package is not complete.
    await send(engine, deviceMessage({ sessionId: '9', msgId: '1', commands: sessionStart(), final: false }));
    await assert.rejects(send(engine, deviceMessage({ sessionId: '9', msgId: '1', commands: [] })), {
      code: 'DMC_ERR_SESSION_DUPLICATE_MSGID',
      httpStatus: 409,
    });
    await assert.rejects(send(engine, deviceMessage({ sessionId: '9', msgId: '3', commands: [] })), {
      code: 'DMC_ERR_SESSION_OUT_OF_ORDER_MSGID',
      message: `device "${DEVICE_ID}" sent SyncHdr.MsgID "3" in session "9", expected "2"`,
    });
    await assert.rejects(send(engine, deviceMessage({ sessionId: '9', msgId: 'x', commands: [] })), {
      code: 'DMC_ERR_SESSION_BAD_MSGID',
    });
  });
});

test('Alert 1226 unenrollment (capture 06) is recorded, flagged and announced', async () => {
  await withEngine(async (engine) => {
    const announced: string[] = [];
    engine.on('unenrollment', (a) => announced.push(a.types.join()));
    const reply = await send(engine, capture('06-management-session2-unenroll.http'));
    assert.deepEqual(statuses(reply).map((s) => s.Data), ['200', '200', '200', '200', '200']);
    assert.equal(engine.device(DEVICE_ID).unenrolledAt(), '2026-11-28T10:00:00.000Z');
    assert.deepEqual(announced, ['com.microsoft:mdm.unenrollment.userrequest']);
  });
});

test('a multi-item command keeps every per-item Status with its TargetRef', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const get: CommandDraft = { kind: 'Get', Item: [{ Target: { LocURI: './DevInfo/Man' } }, { Target: { LocURI: './DevInfo/Nope' } }] };
    const pending = device.sync([get], { timeout: 5000 });
    const reply1 = await send(engine, deviceMessage({ sessionId: '11', msgId: '1', commands: sessionStart() }));
    const cmdId = serverCommands(reply1)[0]?.CmdID ?? '';
    const itemStatus = (id: string, loc: string, code: string): Status => ({ ...status(id, '1', cmdId, 'Get', code), TargetRef: [loc] });
    await send(
      engine,
      deviceMessage({
        sessionId: '11',
        msgId: '2',
        commands: [status('1', '1', '0', 'SyncHdr', '200'), itemStatus('2', './DevInfo/Man', '200'), itemStatus('3', './DevInfo/Nope', '404')],
      }),
    );
    const [result] = await pending;
    assert.deepEqual(
      result?.items.map((i) => [i.TargetRef, i.code]),
      [[['./DevInfo/Man'], '200'], [['./DevInfo/Nope'], '404']],
    );
    assert.equal(result?.status?.code, '200');
  });
});

test('an unenrollment is on disk at once, even when the session goes on', async () => {
  await withEngine(async (engine, dataDir) => {
    void engine.device(DEVICE_ID).sync([{ kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/SwV' } }] }], { timeout: 5000 }).catch(() => undefined);
    // The enqueue's own write lands first, so the reply below does not wait for (and carry along) a write.
    await new Promise((resolve) => setImmediate(resolve));
    const reply = await send(engine, capture('06-management-session2-unenroll.http'));
    assert.deepEqual(serverCommands(reply).map((c) => c.kind), ['Get'], 'the session goes on with the queued Get');
    const onDisk = await deviceFileOnDisk(dataDir);
    assert.equal(onDisk.unenrolledAt, '2026-11-28T10:00:00.000Z');
  });
});

test('a device keeps its most recent alerts and protocol errors in memory, not every one since the start', async () => {
  await withEngine(async (engine) => {
    const announced: string[] = [];
    engine.on('alert', (a) => announced.push(a.sessionId));
    // Each session: Alert 1201 and 1224, and two Statuses that match nothing (two protocol errors).
    const sessions = KEPT_PER_DEVICE / 2 + 10;
    for (let n = 1; n <= sessions; n += 1) {
      const unmatched = [status('4', '9', '9', 'Get', '200'), status('5', '9', '8', 'Get', '200')];
      await send(engine, deviceMessage({ sessionId: String(n), msgId: '1', commands: [...sessionStart(), ...unmatched] }));
    }
    const device = engine.device(DEVICE_ID);
    assert.equal(announced.length, sessions * 2, 'every alert is still announced');
    const alerts = device.alerts();
    assert.equal(alerts.length, KEPT_PER_DEVICE);
    assert.deepEqual([alerts[0]?.sessionId, alerts.at(-1)?.sessionId], ['11', String(sessions)]);
    const protocolErrors = device.protocolErrors();
    assert.equal(protocolErrors.length, KEPT_PER_DEVICE);
    // The first ten sessions' twenty errors are gone: the oldest kept is session 11's first.
    const where = (e: (typeof protocolErrors)[number] | undefined) => {
      const fields = e?.fields as { sessionId?: string; cmdRef?: string } | undefined;
      return [e?.code, fields?.sessionId, fields?.cmdRef];
    };
    assert.deepEqual(
      [where(protocolErrors[0]), where(protocolErrors.at(-1))],
      [['DMC_ERR_SESSION_UNMATCHED_STATUS', '11', '9'], ['DMC_ERR_SESSION_UNMATCHED_STATUS', String(sessions), '8']],
    );
  });
});

test('Alert 1223 (session abort) ends the session: nothing new goes out, unanswered commands wait for the next session, no protocol error', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const pending = device.sync([getDevId, replacePoll], { timeout: 5000 });
    const first = await send(engine, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart() }));
    assert.deepEqual(serverCommands(first).map((c) => c.kind), ['Get', 'Replace']);
    const [get] = serverCommands(first);
    // The device answers the Get, then aborts (MS-MDM 2.2.7.2: 1223 SESSION ABORT) without answering the Replace.
    const abort = { kind: 'Alert', CmdID: '2', Data: '1223', Item: [] } as Command;
    const reply = await send(engine, deviceMessage({
      sessionId: '1',
      msgId: '2',
      commands: [status('1', first.SyncHdr.MsgID, get?.CmdID ?? '', 'Get', '200'), results('3', first.SyncHdr.MsgID, get?.CmdID ?? '', './DevInfo/DevId', DEVICE_ID), abort],
    }));
    assert.deepEqual(serverCommands(reply), [], 'no command goes to a device that left');
    assert.equal(reply.SyncBody.Final, true);
    assert.deepEqual(device.pending(), { queued: ['Replace ./Vendor/MSFT/DMClient/Provider/TEST/Poll/IntervalForFirstSetOfRetries'], inFlight: [] });
    assert.deepEqual(device.protocolErrors(), []);
    assert.equal(device.sessions().history.at(-1)?.end, 'abandoned');
    assert.equal(device.sessions().open, undefined);

    const next = await send(engine, deviceMessage({ sessionId: '2', msgId: '1', commands: sessionStart() }));
    assert.deepEqual(serverCommands(next).map((c) => c.kind), ['Replace']);
    await send(engine, deviceMessage({ sessionId: '2', msgId: '2', commands: answer(next, {}) }));
    const [getResult, replaceResult] = await pending;
    assert.equal(getResult?.results[0]?.Data, DEVICE_ID);
    assert.equal(replaceResult?.status?.code, '200');
    assert.equal(replaceResult?.unanswered, false);
  });
});
