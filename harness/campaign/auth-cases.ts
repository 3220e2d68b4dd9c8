/**
 * The authentication rows (issue 14, item 2): each way a peer may try to pass for a device, or to enroll without
 * the password, must be refused, with the refusal naming why. Messages here are well-formed, so they go through
 * the typed codec; only the identity around them is wrong.
 */
import { readFile } from 'node:fs/promises';
import { parseHttpCapture } from '../enrollment/http-capture.js';
import { computeMd5Digest } from '../server/index.js';
import type { EnrolledDevice } from '../server/test-device.js';
import { buildSyncML, parseSyncML, type SyncML } from '../syncml/index.js';
import type { CampaignServer } from './campaign-server.js';
import { CAPTURE_DEVICE_ID, SOAP_PATHS } from './corpus.js';
import { certificateFromAnotherCa, expiredHarnessCertificate } from './forged-certificates.js';
import { SOAP_HEADERS, SYNCML_HEADERS, checkAlive } from './fuzz-runs.js';
import { send, type Identity, type Outcome } from './http-probe.js';
import type { Tally } from './tally.js';
import { judgeSoap, judgeSyncML, type Judged } from './verdicts.js';

/** Each case's rows, in table order. */
export const AUTH_ROWS = {
  none: 'auth: no certificate, no Cred',
  wrongDigest: 'auth: wrong digest',
  replay: 'auth: replayed nonce',
  otherDevice: "auth: A's certificate, B's DeviceID",
  otherCa: 'auth: certificate from another CA',
  expired: 'auth: expired certificate',
  password: 'auth: enrollment, wrong password',
} as const;

/** What the server must name in each refusal (and log, by code). */
export const AUTH_REFUSAL_CODES: Record<keyof typeof AUTH_ROWS, { named: RegExp; logged: string }> = {
  none: { named: /SyncHdr Status 407 with Chal/, logged: 'DMC_ERR_SERVER_MISSING_CREDENTIALS' },
  wrongDigest: { named: /SyncHdr Status 401 with Chal/, logged: 'DMC_ERR_SERVER_BAD_DIGEST' },
  replay: { named: /SyncHdr Status 401 with Chal/, logged: 'DMC_ERR_SERVER_BAD_DIGEST' },
  otherDevice: { named: /HTTP 403 DMC_ERR_SERVER_CLIENT_CERT_MISMATCH/, logged: 'DMC_ERR_SERVER_CLIENT_CERT_MISMATCH' },
  otherCa: { named: /HTTP 403 DMC_ERR_SERVER_CLIENT_CERT_REJECTED/, logged: 'not issued by the harness CA' },
  expired: { named: /HTTP 403 DMC_ERR_SERVER_CLIENT_CERT_REJECTED/, logged: 'expired on' },
  password: { named: /s:Authentication: .*password/, logged: 'DMC_ERR_ENROLLMENT_BAD_CREDENTIALS' },
};

let capture05: string | undefined;
async function opening(deviceId: string, sessionId: string): Promise<SyncML> {
  capture05 ??= parseHttpCapture(await readFile(new URL('../syncml/fixtures/05-management-session1.http', import.meta.url), 'utf8')).body;
  const message = parseSyncML(capture05.replaceAll(CAPTURE_DEVICE_ID, deviceId));
  message.SyncHdr.SessionID = sessionId;
  return message;
}

/** The NextNonce of the SyncHdr Status Chal in a reply. */
function nextNonce(outcome: Outcome): string | undefined {
  return outcome.kind === 'answer' ? /<NextNonce(?:\s[^>]*)?>([^<]+)<\/NextNonce>/.exec(outcome.body)?.[1] : undefined;
}

export interface AuthInput {
  server: CampaignServer;
  tally: Tally;
  dataDir: string;
  /** Two enrolled devices: A is the one whose identity is borrowed. */
  a: EnrolledDevice;
  b: EnrolledDevice;
  user: string;
  /** A password that is not the server's (the wrong-password case sends it; it must not reach the log either). */
  wrongPassword: string;
  /** How many times each case is sent. */
  repeat: number;
}

let sessionCounter = 9_000;
const nextSession = () => String(++sessionCounter);

export async function runAuthCases(input: AuthInput): Promise<void> {
  const { server, tally, a, b } = input;
  const ca = server.ready.caPem;
  const url = `${server.ready.managementUrl}?mode=Maintenance&Platform=WoA`;
  const bare: Identity = { ca };
  const as = (cert: string, key: string): Identity => ({ ca, cert, key });
  const record = (row: keyof typeof AUTH_ROWS, judged: Judged) => {
    const named = judged.verdict === 'refused' && AUTH_REFUSAL_CODES[row].named.test(judged.detail);
    // A refusal that names the wrong reason counts as a wrong answer, like an acceptance would.
    tally.count(AUTH_ROWS[row], named ? 'refused' : judged.verdict === 'refused' ? 'unnamed' : judged.verdict, judged.detail, { expected: 'refused' });
  };
  const sendSyncML = async (message: SyncML, identity: Identity) => {
    const outcome = await send(url, Buffer.from(buildSyncML(message), 'utf8'), SYNCML_HEADERS, identity);
    checkAlive(server, tally, 'authentication', 'an authentication case');
    return outcome;
  };
  const otherCa = await certificateFromAnotherCa(a.deviceId);
  const expired = await expiredHarnessCertificate(input.dataDir, a.deviceId);
  const wstep = parseHttpCapture(await readFile(new URL('../enrollment/testdata/04-enroll-post.http', import.meta.url), 'utf8')).body
    .replace(/(<wsse:Username>)[^<]*(<\/wsse:Username>)/, `$1${input.user}$2`)
    .replace(/(<wsse:Password[^>]*>)[^<]*(<\/wsse:Password>)/, `$1${input.wrongPassword}$2`);

  for (let i = 0; i < input.repeat; i += 1) {
    // 1. No certificate and no Cred: 407 with the nonce to use.
    const none = await sendSyncML(await opening(a.deviceId, nextSession()), bare);
    record('none', judgeSyncML(none));

    // 2. A Cred computed with the wrong secret: 401 with a fresh nonce.
    const nonce = nextNonce(none);
    if (nonce === undefined) throw new Error(`the 407 answer carries no NextNonce: ${none.kind === 'answer' ? none.body.slice(0, 300) : none.kind}`);
    const wrong = await opening(a.deviceId, nextSession());
    wrong.SyncHdr.Cred = { Meta: { Format: 'b64', Type: 'syncml:auth-md5' }, Data: computeMd5Digest(a.digest.name, `${a.digest.secret}x`, nonce) };
    const wrongAnswer = await sendSyncML(wrong, bare);
    record('wrongDigest', judgeSyncML(wrongAnswer));

    // 3. A good Cred is accepted once (212); the same Cred again, in a new session, is a replayed nonce: 401.
    const good = await opening(a.deviceId, nextSession());
    good.SyncHdr.Cred = { Meta: { Format: 'b64', Type: 'syncml:auth-md5' }, Data: computeMd5Digest(a.digest.name, a.digest.secret, nextNonce(wrongAnswer) ?? '') };
    const first = judgeSyncML(await sendSyncML(good, bare));
    if (first.verdict !== 'accepted') {
      tally.count(AUTH_ROWS.replay, 'unnamed', `the good digest before the replay was not accepted: ${first.detail}`);
    } else {
      good.SyncHdr.SessionID = nextSession();
      record('replay', judgeSyncML(await sendSyncML(good, bare)));
    }

    // 4. Device A's certificate on a message whose SyncHdr/Source is device B.
    record('otherDevice', judgeSyncML(await sendSyncML(await opening(b.deviceId, nextSession()), as(a.certPem, a.keyPem))));
    // 5. A certificate for device A from a CA the harness does not know.
    record('otherCa', judgeSyncML(await sendSyncML(await opening(a.deviceId, nextSession()), as(otherCa.certPem, otherCa.keyPem))));
    // 6. A certificate the harness CA signed for device A, expired yesterday.
    record('expired', judgeSyncML(await sendSyncML(await opening(a.deviceId, nextSession()), as(expired.certPem, expired.keyPem))));
    // 7. RequestSecurityToken with the right user and a wrong password.
    const enroll = await send(`${server.ready.origin}${SOAP_PATHS.enrollment}`, Buffer.from(wstep, 'utf8'), SOAP_HEADERS, bare);
    checkAlive(server, tally, AUTH_ROWS.password, 'the wrong-password enrollment');
    record('password', judgeSoap(enroll));
  }
}
