/**
 * Slow and broken connections (issue 14, item 3). The server runs with short timeouts here (CampaignOptions
 * .timeouts) so the cases take seconds; each case counts as refused when the server cut the connection (or
 * answered with the status that names the problem), as a hang when the connection was still held hangLimitMs() after
 * the server's own timeout should have ended it, and every case ends by checking that the server still serves a
 * good message.
 */
import type { TLSSocket } from 'node:tls';
import type { ServerTimeouts } from '../server/index.js';
import type { EnrolledDevice } from '../server/test-device.js';
import type { CampaignServer } from './campaign-server.js';
import { SOAP_PATHS } from './corpus.js';
import { SOAP_HEADERS, SYNCML_HEADERS, checkAlive } from './fuzz-runs.js';
import { closedByServer, hangLimitMs, openTls, send, sleep, type Identity, type Outcome } from './http-probe.js';
import type { Tally } from './tally.js';
import { judgeSoap, judgeSyncML, type Judged } from './verdicts.js';

export const CONNECTION_ROWS = {
  slowHeaders: 'connections: slow headers',
  slowBody: 'connections: slow body',
  drop: 'connections: drop mid-session',
  bigBody: 'connections: 50 MB body',
  idle: 'connections: idle TLS',
} as const;

export interface ConnectionInput {
  server: CampaignServer;
  tally: Tally;
  timeouts: ServerTimeouts;
  device: EnrolledDevice;
  /** An opening message (capture 05 shape) of `device` for session `sessionId`. */
  opening(sessionId: string): string;
  idleConnections: number;
  bigBodyBytes: number;
  repeat: number;
}

const MANAGEMENT = '/ManagementServer/MDM.svc?mode=Maintenance&Platform=WoA';

function closedVerdict(closed: { ms: number; received: string } | undefined, what: string): Judged {
  if (closed === undefined) return { verdict: 'hang', detail: `${what}: connection still open` };
  // node answers a request it timed out with 408 (Request Timeout) before closing; a silent close also ends it.
  const status = /^HTTP\/1\.1 (\d{3})/.exec(closed.received)?.[1];
  if (status !== undefined && status !== '408' && status !== '400') return { verdict: 'unnamed', detail: `${what}: answered ${status}` };
  return { verdict: 'refused', detail: `${what}: closed after ${closed.ms} ms${status === undefined ? '' : ` with ${status}`}` };
}

/** Writes `text` one byte per `everyMs` until the socket closes or `limitMs` passes. */
function trickle(socket: TLSSocket, text: string, everyMs: number, limitMs: number): void {
  let i = 0;
  const started = Date.now();
  const timer = setInterval(() => {
    if (socket.destroyed || Date.now() - started > limitMs) {
      clearInterval(timer);
      return;
    }
    socket.write(text[i % text.length]!);
    i += 1;
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

export async function runConnectionCases(input: ConnectionInput): Promise<void> {
  const { server, tally, timeouts, device } = input;
  const ca = server.ready.caPem;
  const identity: Identity = { ca, cert: device.certPem, key: device.keyPem };
  const host = new URL(server.ready.origin).host;
  let session = 20_000;
  const alive = async (row: string) => {
    checkAlive(server, tally, row, row);
    const answer = await send(`${server.ready.origin}${MANAGEMENT}`, Buffer.from(input.opening(String(++session))), SYNCML_HEADERS, identity);
    const judged = judgeSyncML(answer);
    tally.count(row, judged.verdict, `good message after the case: ${judged.detail}`, { expected: 'accepted' });
  };

  for (let r = 0; r < input.repeat; r += 1) {
    // Slow headers: a request line and headers trickled one byte at a time; headersTimeout must end it.
    {
      const socket = await openTls(server.ready.origin, identity);
      const head = `POST ${MANAGEMENT} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/vnd.syncml.dm+xml\r\nX-Slow: ${'a'.repeat(400)}`;
      trickle(socket, head, 50, timeouts.headersMs + hangLimitMs() * 2);
      const closed = await closedByServer(socket, timeouts.headersMs + hangLimitMs());
      socket.destroy();
      const judged = closedVerdict(closed, 'headers one byte per 50 ms');
      tally.count(CONNECTION_ROWS.slowHeaders, judged.verdict, judged.detail, { expected: 'refused' });
      await alive(CONNECTION_ROWS.slowHeaders);
    }
    // Slow body: complete headers, then the body one byte at a time; requestTimeout must end it.
    {
      const socket = await openTls(server.ready.origin, identity);
      const body = input.opening(String(++session));
      socket.write(`POST ${MANAGEMENT} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/vnd.syncml.dm+xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
      trickle(socket, body, 50, timeouts.requestMs + hangLimitMs() * 2);
      const closed = await closedByServer(socket, timeouts.requestMs + hangLimitMs());
      socket.destroy();
      const judged = closedVerdict(closed, 'body one byte per 50 ms');
      tally.count(CONNECTION_ROWS.slowBody, judged.verdict, judged.detail, { expected: 'refused' });
      await alive(CONNECTION_ROWS.slowBody);
    }
    await dropMidSession(input, identity, host, () => String(++session));
    await alive(CONNECTION_ROWS.drop);
    await bigBodies(input, identity);
    await alive(CONNECTION_ROWS.bigBody);
  }
  await idleConnections(input, identity);
  await alive(CONNECTION_ROWS.idle);
}

/**
 * A device that drops mid-session: the server queued a Get, the device opened a session and received it, then the
 * connection carrying its answer broke half way. The device's next session must get the same Get again (nothing
 * queued is lost), and the server serves on.
 */
async function dropMidSession(input: ConnectionInput, identity: Identity, host: string, newSession: () => string): Promise<void> {
  const { server, tally, device } = input;
  const url = `${server.ready.origin}${MANAGEMENT}`;
  const row = CONNECTION_ROWS.drop;
  const locUri = `./DevDetail/Ext/Microsoft/DeviceName`;
  await server.queue(device.deviceId, [{ kind: 'Get', Item: [{ Target: { LocURI: locUri } }] }]);
  const sessionId = newSession();
  const first = await send(url, Buffer.from(input.opening(sessionId)), SYNCML_HEADERS, identity);
  const delivered = (o: Outcome) => o.kind === 'answer' && o.status === 200 && o.body.includes(`<LocURI>${locUri}</LocURI>`) && o.body.includes('<Get>');
  if (!delivered(first)) {
    tally.count(row, 'unnamed', `the queued Get was not delivered in the first session: ${first.kind === 'answer' ? first.body.slice(0, 200) : first.kind}`);
    return;
  }
  // The device's answer (MsgID 2) breaks off after half its bytes.
  const socket = await openTls(server.ready.origin, identity);
  const answer = input.opening(sessionId).replace('<MsgID>1</MsgID>', '<MsgID>2</MsgID>');
  socket.write(`POST ${MANAGEMENT} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/vnd.syncml.dm+xml\r\nContent-Length: ${Buffer.byteLength(answer)}\r\n\r\n`);
  socket.write(answer.slice(0, answer.length / 2));
  await sleep(100);
  socket.destroy();
  checkAlive(server, tally, row, 'a connection dropped mid-body');
  // Its next session gets the Get again.
  const again = await send(url, Buffer.from(input.opening(newSession())), SYNCML_HEADERS, identity);
  tally.count(row, delivered(again) ? 'refused' : 'unnamed', delivered(again) ? 'broken answer dropped; the Get was delivered again in the next session' : `the Get was lost after the drop: ${again.kind === 'answer' ? again.body.slice(0, 200) : again.kind}`, { expected: 'refused' });
  // Answer it, so the queue is empty for the cases after this one.
  if (again.kind === 'answer') {
    const cmdId = /<Get>\s*<CmdID>(\d+)<\/CmdID>/.exec(again.body)?.[1] ?? '0';
    const sid = /<SessionID>([^<]+)<\/SessionID>/.exec(again.body)?.[1] ?? '0';
    const status = `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>${sid}</SessionID><MsgID>2</MsgID><Target><LocURI>${server.ready.managementUrl}</LocURI></Target><Source><LocURI>${device.deviceId}</LocURI></Source></SyncHdr><SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>${cmdId}</CmdRef><Cmd>Get</Cmd><Data>404</Data></Status><Final/></SyncBody></SyncML>`;
    await send(url, Buffer.from(status), SYNCML_HEADERS, identity);
  }
}

/**
 * Streams `total` bytes with a Content-Length (or chunked) over a raw TLS socket, reading the answer while it
 * writes, as a careful client does: a server that refuses early answers before the upload ends, and node's HTTP
 * client, busy writing on a loaded machine, lost that answer to the write error when the server finally closed.
 */
async function streamBody(url: string, headers: Record<string, string>, identity: Identity, total: number, chunked: boolean): Promise<Outcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const target = new URL(url);
  const socket = await openTls(target.origin, identity);
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    /** A complete answer in `received` (status line, headers, Content-Length bytes of body), if there is one. */
    const answer = (): Outcome | undefined => {
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return undefined;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      const body = received.subarray(end + 4);
      return body.length >= length ? { kind: 'answer', status, body: body.subarray(0, length).toString('utf8'), ms: ms() } : undefined;
    };
    const timer = setTimeout(() => finish({ kind: 'hang', ms: ms() }), hangLimitMs() * 4);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const done = answer();
      if (done !== undefined) finish(done);
    });
    const closed = () => finish(answer() ?? { kind: 'dropped', error: received.length === 0 ? 'closed without an answer' : 'closed mid-answer', ms: ms() });
    socket.on('error', closed);
    socket.on('close', closed);
    const head = Object.entries({ ...headers, host: target.host, ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total) }) })
      .map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`POST ${target.pathname}${target.search} HTTP/1.1\r\n${head}\r\n`);
    const piece = Buffer.alloc(1024 * 1024, 0x41);
    const chunk = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
    let sent = 0;
    const pump = () => {
      while (!settled && !socket.destroyed && sent < total) {
        sent += piece.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!settled && !socket.destroyed && chunked) socket.write('0\r\n\r\n');
    };
    pump();
  });
}

async function bigBodies(input: ConnectionInput, identity: Identity): Promise<void> {
  const { server, tally } = input;
  const row = CONNECTION_ROWS.bigBody;
  const management = `${server.ready.origin}${MANAGEMENT}`;
  const cases: Array<{ what: string; url: string; headers: Record<string, string>; chunked: boolean; judge: (o: Outcome) => Judged; named: RegExp }> = [
    { what: 'management, Content-Length', url: management, headers: SYNCML_HEADERS, chunked: false, judge: judgeSyncML, named: /HTTP 413 DMC_ERR_SERVER_BODY_TOO_LARGE/ },
    { what: 'management, chunked', url: management, headers: SYNCML_HEADERS, chunked: true, judge: judgeSyncML, named: /HTTP 413 DMC_ERR_SERVER_BODY_TOO_LARGE/ },
    { what: 'enrollment, Content-Length', url: `${server.ready.origin}${SOAP_PATHS.enrollment}`, headers: SOAP_HEADERS, chunked: false, judge: judgeSoap, named: /HTTP 413 s:MessageFormat/ },
  ];
  for (const c of cases) {
    const judged = c.judge(await streamBody(c.url, c.headers, identity, input.bigBodyBytes, c.chunked));
    checkAlive(server, tally, row, c.what);
    const named = judged.verdict === 'refused' && c.named.test(judged.detail);
    tally.count(row, named ? 'refused' : judged.verdict === 'refused' ? 'unnamed' : judged.verdict, `${c.what}: ${judged.detail}`, { expected: 'refused' });
  }
}

/**
 * Many TLS connections that complete the handshake and send nothing. While they are open the server still answers
 * a device; then each must be closed by the server's own timeouts (headersTimeout for a request never begun).
 */
async function idleConnections(input: ConnectionInput, identity: Identity): Promise<void> {
  const { server, tally, timeouts } = input;
  const row = CONNECTION_ROWS.idle;
  const limit = Math.max(timeouts.headersMs, timeouts.idleMs) + hangLimitMs();
  const watches: Array<Promise<{ ms: number; received: string } | undefined>> = [];
  const sockets: TLSSocket[] = [];
  for (let i = 0; i < input.idleConnections; i += 1) {
    try {
      const socket = await openTls(server.ready.origin, { ca: identity.ca });
      sockets.push(socket);
      watches.push(closedByServer(socket, limit));
    } catch (err) {
      tally.count(row, 'unnamed', `idle connection ${i} could not be opened: ${(err as Error).message}`);
    }
  }
  checkAlive(server, tally, row, `${sockets.length} idle TLS connections`);
  const during = judgeSyncML(await send(`${server.ready.origin}${MANAGEMENT}`, Buffer.from(input.opening('30999')), SYNCML_HEADERS, identity));
  tally.count(row, during.verdict, `a device while ${sockets.length} idle connections were open: ${during.detail}`, { expected: 'accepted' });
  const closed = await Promise.all(watches);
  for (const [i, c] of closed.entries()) {
    const judged = closedVerdict(c, `idle connection ${i}`);
    tally.count(row, judged.verdict, judged.detail, { expected: 'refused' });
  }
  for (const s of sockets) s.destroy();
}
