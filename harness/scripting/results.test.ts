import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandDraft } from '../syncml/types.js';
import { answer, deviceMessage, send, sessionStart, withEngine, DEVICE_ID } from '../server/session/test-support.js';
import { expectStatus, resultFor, valueOf } from './index.js';

const base = './Vendor/MSFT/DMClient/Provider/TEST';
const drafts: CommandDraft[] = [
  { kind: 'Get', Item: [{ Target: { LocURI: `${base}/EntDMID` } }] },
  {
    kind: 'Atomic',
    commands: [
      { kind: 'Replace', Item: [{ Target: { LocURI: `${base}/EntDeviceName` }, Data: 'lab-01' }] },
      { kind: 'Replace', Item: [{ Target: { LocURI: `${base}/ExchangeID` }, Data: 'x' }] },
    ],
  },
];

test('a suite reads its slice of one sync by LocURI, asserts statuses and takes values', async () => {
  await withEngine(async (engine) => {
    const device = engine.device(DEVICE_ID);
    const pending = device.sync(drafts, { timeout: 5000 });
    const reply = await send(engine, deviceMessage({ sessionId: '1', msgId: '1', commands: sessionStart() }));
    const statusFor = (c: { kind: string; Item?: { Target?: { LocURI: string } }[] }): string =>
      c.Item?.[0]?.Target?.LocURI === `${base}/ExchangeID` ? '405' : c.kind === 'Atomic' ? '507' : '200';
    await send(engine, deviceMessage({ sessionId: '1', msgId: '2', commands: answer(reply, { [`${base}/EntDMID`]: 'dm-42' }, statusFor) }));
    const results = await pending;

    assert.equal(valueOf(resultFor(results, `${base}/EntDMID`)), 'dm-42');
    assert.equal(expectStatus(resultFor(results, `${base}/ExchangeID`), '405', '406'), '405');
    const atomicResult = results[1];
    assert.ok(atomicResult);
    assert.throws(() => expectStatus(atomicResult, '200'), {
      code: 'DMC_ERR_SCRIPTING_UNEXPECTED_STATUS',
      message: 'Atomic 2 command(s) (CmdID 5, MsgID 1) answered Status "507" in session "1", expected 200',
    });
    assert.throws(() => valueOf(resultFor(results, `${base}/EntDeviceName`)), {
      code: 'DMC_ERR_SCRIPTING_NO_RESULTS',
      message: `Replace ${base}/EntDeviceName (CmdID 6, MsgID 1) returned 0 Results item(s) (Status "200"), expected exactly one value`,
    });
    assert.throws(() => resultFor(results, `${base}/Nope`), {
      code: 'DMC_ERR_SCRIPTING_NO_SUCH_COMMAND',
      message: `no command of this sync targets "${base}/Nope"; it sent: "${base}/EntDMID", "${base}/EntDeviceName", "${base}/ExchangeID"`,
    });
  });
});
