/**
 * The campaign's client side: one HTTPS request with a hang limit, and raw TLS sockets for the slow and broken
 * connection cases. Every outcome is data (an answer, a hang, a dropped connection), never an exception, so one
 * bad input cannot stop the campaign.
 */
import { Agent, request as httpsRequest } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';

/** An answer slower than this is a hang (issue 14). */
export const HANG_MS = 5_000;

let hangLimit = HANG_MS;
/** The hang limit of this campaign run (runCampaign sets it from CampaignOptions.hangMs). */
export function hangLimitMs(): number {
  return hangLimit;
}
export function setHangLimitMs(ms: number): void {
  hangLimit = ms;
}

export type Outcome =
  | { kind: 'answer'; status: number; body: string; ms: number }
  | { kind: 'hang'; ms: number }
  | { kind: 'dropped'; error: string; ms: number };

export interface Identity {
  ca: string;
  cert?: string;
  key?: string;
  /** A keep-alive agent carrying the same identity, to spare a TLS handshake per input. */
  agent?: Agent;
}

export function keepAliveAgent(identity: Omit<Identity, 'agent'>): Agent {
  return new Agent({ keepAlive: true, maxSockets: 4, ca: identity.ca, ...(identity.cert === undefined ? {} : { cert: identity.cert, key: identity.key }) });
}

/**
 * One POST. A keep-alive connection the server closed as idle at the moment the client reused it fails with a
 * reset before any byte of the answer; HTTP lets a client retry then (RFC 9112 9.3.1), and so does this one, once,
 * on a new connection. Any other failure is the outcome.
 */
export async function send(url: string, body: Buffer, headers: Record<string, string>, identity: Identity, hangMs = hangLimitMs()): Promise<Outcome> {
  const first = await sendOnce(url, body, headers, identity, hangMs);
  if (first.kind !== 'dropped' || !first.reusedSocket || identity.agent === undefined) return first;
  const { agent: _reused, ...fresh } = identity;
  return sendOnce(url, body, headers, fresh, hangMs);
}

function sendOnce(url: string, body: Buffer, headers: Record<string, string>, identity: Identity, hangMs: number): Promise<Outcome & { reusedSocket?: boolean }> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Outcome & { reusedSocket?: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
        ca: identity.ca,
        ...(identity.cert === undefined ? {} : { cert: identity.cert, key: identity.key }),
        agent: identity.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ kind: 'answer', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: ms() }));
        res.on('error', (err) => done({ kind: 'dropped', error: err.message, ms: ms() }));
      },
    );
    const timer = setTimeout(() => {
      done({ kind: 'hang', ms: ms() });
      req.destroy();
    }, hangMs);
    req.on('error', (err) => done({ kind: 'dropped', error: (err as NodeJS.ErrnoException).code ?? err.message, ms: ms(), reusedSocket: req.reusedSocket }));
    req.end(body);
  });
}

/** A TLS connection to the server, handshake done, nothing sent. */
export function openTls(origin: string, identity: Omit<Identity, 'agent'>): Promise<TLSSocket> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: url.hostname,
      port: Number(url.port),
      ca: identity.ca,
      servername: url.hostname === '127.0.0.1' ? undefined : url.hostname,
      ...(identity.cert === undefined ? {} : { cert: identity.cert, key: identity.key }),
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the time the server took to close `socket` (end or reset), or undefined after `limitMs`. */
export function closedByServer(socket: TLSSocket, limitMs: number): Promise<{ ms: number; received: string } | undefined> {
  const started = performance.now();
  const received: Buffer[] = [];
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve({ ms: 0, received: '' });
      return;
    }
    const finish = (value: { ms: number; received: string } | undefined) => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(value);
    };
    const onData = (c: Buffer) => received.push(c);
    socket.on('data', onData);
    socket.on('error', () => undefined);
    socket.once('close', () => finish({ ms: Math.round(performance.now() - started), received: Buffer.concat(received).toString('utf8') }));
    const timer = setTimeout(() => finish(undefined), limitMs);
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
