import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseHttpCapture } from '../enrollment/http-capture.js';
import { signDetached } from '../pki/index.js';
import { buildSyncML, parseSyncML, type Command, type Status, type SyncML } from '../syncml/index.js';
import { computeMd5Digest } from './digest.js';
import { answer, deviceMessage } from './session/test-support.js';
import { startMdmServer, type MdmServer } from './start-server.js';
import { enrollDevice, post, type EnrolledDevice } from './test-device.js';

const SYNCML = { 'content-type': 'application/vnd.syncml.dm+xml' };
const capture05 = async () => parseHttpCapture(await readFile(new URL('./testdata/05-management-session1.http', import.meta.url), 'utf8'));

/** Capture 05 as sent by `deviceId`, in session `sessionId`. */
async function firstMessage(deviceId: string, sessionId = '1'): Promise<SyncML> {
  const message = parseSyncML((await capture05()).body.replaceAll('B5B954E81FBCB94EB79BD08BE625F4EE', deviceId));
  message.SyncHdr.SessionID = sessionId;
  return message;
}

function statuses(reply: SyncML): Array<[string, string, string]> {
  return reply.SyncBody.commands.filter((c): c is Status => c.kind === 'Status').map((s) => [s.Cmd, s.CmdRef, s.Data]);
}

describe('MDM server over HTTPS', () => {
  let dataDir: string;
  let server: MdmServer;
  let ca: string;
  let base: string;
  let alice: EnrolledDevice;
  let bob: EnrolledDevice;
  let carol: EnrolledDevice;
  const CAROL = 'CA201000000000000000000000000004';
  const url = () => `${server.managementUrl}?mode=Maintenance&Platform=WoA`;
  const asDevice = (d: EnrolledDevice) => ({ ca, cert: d.certPem, key: d.keyPem });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dmc-server-'));
    server = await startMdmServer({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      user: 'tester@example.test',
      password: 'S3cret!pw',
      requireSigning: [CAROL],
    });
    ca = await readFile(server.caCertPath, 'utf8');
    base = new URL(server.discoveryUrl).origin;
    alice = await enrollDevice({ baseUrl: base, ca, deviceId: 'A11CE000000000000000000000000001', user: 'tester@example.test', password: 'S3cret!pw' });
    bob = await enrollDevice({ baseUrl: base, ca, deviceId: 'B0B00000000000000000000000000002', user: 'tester@example.test', password: 'S3cret!pw' });
    carol = await enrollDevice({ baseUrl: base, ca, deviceId: CAROL, user: 'tester@example.test', password: 'S3cret!pw' });
  });
  after(async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers capture 05 from a device with its client certificate as Windows expects', async () => {
    const body = buildSyncML(await firstMessage(alice.deviceId));
    const res = await post(url(), body, SYNCML, asDevice(alice));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.syncml.dm+xml');
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body));
    const reply = parseSyncML(res.body);
    assert.deepEqual(statuses(reply), [
      ['SyncHdr', '0', '200'],
      ['Alert', '2', '200'],
      ['Alert', '3', '200'],
      ['Replace', '4', '200'],
    ]);
    assert.equal(reply.SyncBody.Final, true);
    assert.equal(reply.SyncHdr.Target.LocURI, alice.deviceId);
    assert.equal(alice.managementUrl, server.managementUrl);
  });

  it('challenges a device without certificate or Cred (407), then accepts its MD5 digest (212) and rotates the nonce', async () => {
    const message = await firstMessage(bob.deviceId, '10');
    const first = parseSyncML((await post(url(), buildSyncML(message), SYNCML, { ca })).body);
    const hdr = first.SyncBody.commands[0] as Status;
    assert.equal(hdr.Data, '407');
    assert.deepEqual(hdr.Chal?.Meta, { Format: 'b64', Type: 'syncml:auth-md5', NextNonce: bob.digest.nonce });
    assert.equal(first.SyncBody.commands.length, 1, 'a challenge answers nothing else');

    const queued = server.device(bob.deviceId).sync([{ kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/SwV' } }] }], { timeout: 20_000 });
    message.SyncHdr.Cred = {
      Meta: { Format: 'b64', Type: 'syncml:auth-md5' },
      Data: computeMd5Digest(bob.digest.name, bob.digest.secret, hdr.Chal!.Meta.NextNonce!),
    };
    const second = parseSyncML((await post(url(), buildSyncML(message), SYNCML, { ca })).body);
    const accepted = second.SyncBody.commands[0] as Status;
    assert.equal(accepted.Data, '212');
    const next = accepted.Chal?.Meta.NextNonce;
    assert.ok(next !== undefined && next !== bob.digest.nonce);
    assert.equal(server.enrollments.get(bob.deviceId)?.clientDigest.nonce, next);

    // Later messages of the authenticated session need no Cred: the device answers the Get queued above.
    const get = second.SyncBody.commands.find((c) => c.kind === 'Get');
    assert.ok(get);
    const follow: SyncML = {
      SyncHdr: { VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: '10', MsgID: '2', Target: { LocURI: server.managementUrl }, Source: { LocURI: bob.deviceId } },
      SyncBody: {
        commands: [
          { kind: 'Status', CmdID: '1', MsgRef: '1', CmdRef: get.CmdID, Cmd: 'Get', TargetRef: ['./DevDetail/SwV'], SourceRef: [], Data: '200', Item: [] },
          { kind: 'Results', CmdID: '2', MsgRef: '1', CmdRef: get.CmdID, Item: [{ Source: { LocURI: './DevDetail/SwV' }, Data: '10.0.19043.2364' }] },
        ],
        Final: true,
      },
    };
    const third = parseSyncML((await post(url(), buildSyncML(follow), SYNCML, { ca })).body);
    assert.equal((third.SyncBody.commands[0] as Status).Data, '200');
    assert.equal((await queued)[0]?.status?.code, '200');

    // The same digest again (a replay of the used nonce) is refused with 401 and yet another nonce.
    message.SyncHdr.SessionID = '11';
    const replayed = parseSyncML((await post(url(), buildSyncML(message), SYNCML, { ca })).body);
    const refused = replayed.SyncBody.commands[0] as Status;
    assert.equal(refused.Data, '401');
    assert.notEqual(refused.Chal?.Meta.NextNonce, next);
  });

  it('refuses a client certificate that belongs to another device and consumes nothing queued', async () => {
    const pending = server.device(bob.deviceId).sync([{ kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/SwV' } }] }], { timeout: 20_000 });
    const forged = await post(url(), buildSyncML(await firstMessage(bob.deviceId, '20')), SYNCML, asDevice(alice));
    assert.equal(forged.status, 403);
    const refusal = parseSyncML(forged.body);
    assert.equal((refusal.SyncBody.commands[0] as Status).Data, '403');
    assert.equal(refusal.SyncBody.commands.length, 1);

    // Bob, with his own certificate, still gets the queued Get.
    const own = parseSyncML((await post(url(), buildSyncML(await firstMessage(bob.deviceId, '21')), SYNCML, asDevice(bob))).body);
    const get = own.SyncBody.commands.find((c) => c.kind === 'Get');
    assert.ok(get, 'the queued Get reaches the right device');
    const answer: SyncML = {
      SyncHdr: { ...own.SyncHdr, Target: own.SyncHdr.Source, Source: own.SyncHdr.Target, MsgID: '2', SessionID: '21' },
      SyncBody: {
        commands: [
          { kind: 'Status', CmdID: '1', MsgRef: own.SyncHdr.MsgID, CmdRef: get.CmdID, Cmd: 'Get', TargetRef: ['./DevDetail/SwV'], SourceRef: [], Data: '200', Item: [] },
          { kind: 'Results', CmdID: '2', MsgRef: own.SyncHdr.MsgID, CmdRef: get.CmdID, Item: [{ Source: { LocURI: './DevDetail/SwV' }, Data: '10.0.19043.2364' }] },
        ],
        Final: true,
      },
    };
    answer.SyncHdr.Target = { LocURI: server.managementUrl };
    answer.SyncHdr.Source = { LocURI: bob.deviceId };
    const closing = await post(url(), buildSyncML(answer), SYNCML, asDevice(bob));
    assert.equal(closing.status, 200, closing.body);
    const [result] = await pending;
    assert.equal(result?.status?.code, '200');
  });

  it('verifies MDM-Signature: a good signature passes, a tampered body is refused', async () => {
    const body = buildSyncML(await firstMessage(alice.deviceId, '30'));
    const signature = signDetached(Buffer.from(body), { certPem: alice.certPem, privateKey: alice.keyPem });
    const good = await post(url(), body, { ...SYNCML, 'mdm-signature': signature }, asDevice(alice));
    assert.equal(good.status, 200);
    const tampered = body.replace('VMware7,1', 'VMware7,2');
    const bad = await post(url(), tampered, { ...SYNCML, 'mdm-signature': signature }, asDevice(alice));
    assert.equal(bad.status, 403);
    assert.equal((parseSyncML(bad.body).SyncBody.commands[0] as Status).Data, '403');
  });

  it('reads the signature under [MS-MDM]\'s name too (MS-Signature): verified the same way', async () => {
    const body = buildSyncML(await firstMessage(alice.deviceId, '31'));
    const signature = signDetached(Buffer.from(body), { certPem: alice.certPem, privateKey: alice.keyPem });
    assert.equal((await post(url(), body, { ...SYNCML, 'ms-signature': signature }, asDevice(alice))).status, 200);
    const tampered = body.replace('VMware7,1', 'VMware7,2');
    assert.equal((await post(url(), tampered, { ...SYNCML, 'ms-signature': signature }, asDevice(alice))).status, 403);
  });

  it('refuses an unsigned message from a device the run requires to sign, and accepts its signed one', async () => {
    const body = buildSyncML(await firstMessage(CAROL, '60'));
    const unsigned = await post(url(), body, SYNCML, asDevice(carol));
    assert.equal(unsigned.status, 403);
    const signature = signDetached(Buffer.from(body), { certPem: carol.certPem, privateKey: carol.keyPem });
    const signed = await post(url(), body, { ...SYNCML, 'ms-signature': signature }, asDevice(carol));
    assert.equal(signed.status, 200, 'a required signature under MS-Signature counts');
    await server.transcripts.flush();
    const lines = (await server.transcripts.exchangesOf(CAROL)).filter((l) => l.sessionId === '60');
    assert.deepEqual(lines.map((l) => [l.response.status, l.errorCode]), [
      [403, 'DMC_ERR_SERVER_SIGNATURE_MISSING'],
      [200, undefined],
    ]);
  });

  it('answers a wrong content type with 415, an unknown device with 403 and malformed SyncML with 400, and keeps serving', async () => {
    const body = buildSyncML(await firstMessage(alice.deviceId, '40'));
    const wrongType = await post(url(), body, { 'content-type': 'text/xml' }, asDevice(alice));
    assert.equal(wrongType.status, 415);
    assert.deepEqual(JSON.parse(wrongType.body), {
      code: 'DMC_ERR_SERVER_UNSUPPORTED_CONTENT_TYPE',
      message: 'management: Content-Type must be application/vnd.syncml.dm+xml, received "text/xml"',
    });

    const stranger = await post(url(), buildSyncML(await firstMessage('0000000000000000000000000000FFFF', '41')), SYNCML, { ca });
    assert.equal(stranger.status, 403);
    assert.equal((parseSyncML(stranger.body).SyncBody.commands[0] as Status).Data, '403');

    const broken = await post(url(), body.replace('<Final/>', '<Final/><Bogus>'), SYNCML, asDevice(alice));
    assert.equal(broken.status, 400);
    const brokenReply = parseSyncML(broken.body);
    assert.equal((brokenReply.SyncBody.commands[0] as Status).Data, '400');
    assert.equal(brokenReply.SyncHdr.Target.LocURI, alice.deviceId);

    const garbage = await post(url(), 'not xml at all', SYNCML, asDevice(alice));
    assert.equal(garbage.status, 400);
    assert.equal(JSON.parse(garbage.body).code, 'DMC_ERR_SERVER_MALFORMED_SYNCML');

    const ok = await post(url(), body, SYNCML, asDevice(alice));
    assert.equal(ok.status, 200);
  });

  it('answers the Alert 1226 of capture 06 and records the unenrollment', async () => {
    const text = parseHttpCapture(await readFile(new URL('./testdata/06-management-session2-unenroll.http', import.meta.url), 'utf8')).body;
    const message = parseSyncML(text.replaceAll('B5B954E81FBCB94EB79BD08BE625F4EE', alice.deviceId));
    message.SyncHdr.SessionID = '50';
    const res = await post(url(), buildSyncML(message), SYNCML, asDevice(alice));
    assert.equal(res.status, 200);
    assert.deepEqual(statuses(parseSyncML(res.body)), [
      ['SyncHdr', '0', '200'],
      ['Alert', '2', '200'],
      ['Alert', '3', '200'],
      ['Alert', '4', '200'],
      ['Replace', '5', '200'],
    ]);
    await server.enrollments.flush();
    assert.ok(server.enrollments.get(alice.deviceId)?.unenrolledAt, 'the enrollment records when the device left');
  });

  it('writes a redacted transcript per device, each line naming its endpoint and session', async () => {
    await server.transcripts.flush();
    const all = await readFile(join(dataDir, 'transcripts', `${bob.deviceId}.jsonl`), 'utf8');
    const lines = all.trim().split('\n').map((l) => JSON.parse(l) as { endpoint: string; sessionId?: string; request: { body: string }; response: { body: string } });
    assert.ok(lines.length >= 4);
    assert.ok(lines.some((l) => l.endpoint === 'enrollment' && l.sessionId === 'enrollment'), 'the enrollment is in the device\'s transcript');
    assert.ok(lines.some((l) => l.endpoint === 'management' && l.sessionId === '10'), 'session 10 is in the device\'s transcript');
    assert.ok(!all.includes('S3cret!pw'), 'the UsernameToken password never reaches a transcript');
    assert.ok(!all.includes(bob.digest.secret), 'AAUTHSECRET never reaches a transcript');
    const digestLine = lines.find((l) => l.request.body.includes('<Cred>'));
    assert.match(digestLine!.request.body, /<Cred>.*<Data>\[redacted\]<\/Data><\/Cred>/);
    const enrollment = lines.find((l) => l.response.body.includes('DeviceEnrollmentProvisionDoc'))!;
    const token = /DeviceEnrollmentProvisionDoc[^>]*>([^<]+)</.exec(enrollment.response.body)![1]!;
    assert.match(Buffer.from(token, 'base64').toString('utf8'), /name="AAUTHSECRET" value="\[redacted\]"/);
  });
});

describe('maxMsgSize over HTTPS', () => {
  it('caps what a device that announces no MaxMsgSize (capture 05) gets: every message fits, every command arrives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dmc-server-size-'));
    const limited = await startMdmServer({ host: '127.0.0.1', port: 0, dataDir: dir, user: 'tester@example.test', password: 'S3cret!pw', maxMsgSize: 4096 });
    try {
      const ca = await readFile(limited.caCertPath, 'utf8');
      const dave = await enrollDevice({ baseUrl: new URL(limited.discoveryUrl).origin, ca, deviceId: 'DA7E0000000000000000000000000005', user: 'tester@example.test', password: 'S3cret!pw' });
      const targets = Array.from({ length: 60 }, (_, n) => `./Vendor/MSFT/DMClient/Provider/DMCHarness/Custom/Node${n}`);
      const pending = limited.device(dave.deviceId).sync(targets.map((LocURI) => ({ kind: 'Replace', Item: [{ Target: { LocURI }, Data: `value ${LocURI}` }] })), { timeout: 10_000 });
      const opening = await firstMessage(dave.deviceId, '60');
      assert.equal(opening.SyncHdr.Meta, undefined, 'capture 05 announces no MaxMsgSize');
      let body = buildSyncML(opening);
      const sizes: number[] = [];
      const delivered: string[] = [];
      for (let msgId = 2; ; msgId++) {
        const res = await post(`${limited.managementUrl}?mode=Maintenance&Platform=WoA`, body, SYNCML, { ca, cert: dave.certPem, key: dave.keyPem });
        assert.equal(res.status, 200);
        const reply = parseSyncML(res.body);
        const commands = reply.SyncBody.commands.filter((c) => c.kind !== 'Status');
        if (commands.length === 0) break;
        sizes.push(Buffer.byteLength(res.body));
        for (const c of commands) if (c.kind === 'Replace') delivered.push(c.Item[0]?.Target?.LocURI ?? '');
        const more: Command[] = reply.SyncBody.Final ? [] : [{ kind: 'Alert', CmdID: '99', Data: '1222', Item: [] }];
        const next = deviceMessage({ sessionId: '60', msgId: String(msgId), commands: [...answer(reply), ...more] });
        next.SyncHdr.Source = { LocURI: dave.deviceId };
        next.SyncHdr.Target = { LocURI: opening.SyncHdr.Target.LocURI };
        body = buildSyncML(next);
      }
      assert.ok(sizes.length > 1, `${sizes.length} message(s)`);
      assert.ok(Math.max(...sizes) <= 4096, `a message of ${Math.max(...sizes)} bytes`);
      assert.deepEqual(delivered, targets);
      assert.ok((await pending).every((r) => r.status?.code === '200'));
    } finally {
      await limited.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a cap too small to carry a command, naming the option', async () => {
    await assert.rejects(
      startMdmServer({ host: '127.0.0.1', port: 0, dataDir: join(tmpdir(), 'never-made'), user: 'u', password: 'p', maxMsgSize: 1000 }),
      { code: 'DMC_ERR_SERVER_INVALID_OPTION', message: /maxMsgSize.*4096.*1000/ },
    );
  });
});
