/**
 * MS-MDM management endpoint, POST /ManagementServer/MDM.svc (Windows adds `?mode=Maintenance&Platform=WoA`,
 * capture 05): one SyncML DM 1.2 message in, one out.
 * 1. the body must be application/vnd.syncml.dm+xml within the body limit (415, 413);
 * 2. parse it (400, with a SyncML SyncHdr Status when the header could still be read);
 * 3. establish the device (device-auth.ts): refusals are answered here and consume nothing queued;
 * 4. hand message and AuthOutcome to the session engine; a challenge also goes there, so the reply is a SyncHdr
 *    Status 401/407 with Chal that consumes nothing;
 * 5. answer with Content-Length in bytes, never chunked.
 */
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { XMLParser } from 'fast-xml-parser';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DmcError } from '../errors.js';
import { MANAGEMENT_PATH, drainRefusedBody, isAbortedRequest, recordExchanges, sendXml, type ExchangeListener } from '../enrollment/index.js';
import { buildSyncML, parseSyncML, type Status, type SyncML } from '../syncml/index.js';
import type { DeviceAuthenticator } from './device-auth.js';
import { errors } from './errors.js';
import { errorReply, type SessionEngine } from './session/index.js';

export const SYNCML_CONTENT_TYPE = 'application/vnd.syncml.dm+xml';
/**
 * The HTTP headers a device's message signature may come in (lower case, as Node gives them). Microsoft's texts name
 * it two ways: "MDM-Signature" (dmclient-csp.md RequireMessageSigning, [MS-MDE2]) and "MS-Signature" ([MS-MDM] 2.1).
 * Which one Windows sends is not known here, so both are read; the first one present is verified.
 */
const SIGNATURE_HEADERS = ['mdm-signature', 'ms-signature'] as const;

/** The message signature a request carries under either name (SIGNATURE_HEADERS), or undefined. */
export function signatureHeader(headers: Readonly<Record<string, unknown>>): string | undefined {
  for (const name of SIGNATURE_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
/**
 * 1 MiB, our bound, not Windows': Windows announces no MaxMsgSize (capture 05, build 19043), and a device's large
 * object arrives in chunks (MS-MDM large object handling), so a single message this big is not expected from it.
 */
export const DEFAULT_MANAGEMENT_BODY_LIMIT = 1024 * 1024;

export interface ManagementPluginOptions {
  engine: SessionEngine;
  authenticator: DeviceAuthenticator;
  bodyLimit?: number;
  onExchange?: ExchangeListener;
}

const lenient = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true });

/** The SyncHdr of a message the strict codec refused, when enough of it is there to address a reply. */
export function sniffHeader(text: string): SyncML | undefined {
  try {
    const hdr = (lenient.parse(text) as { SyncML?: { SyncHdr?: Record<string, unknown> } }).SyncML?.SyncHdr;
    const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
    const loc = (v: unknown) => str((v as { LocURI?: unknown } | undefined)?.LocURI);
    const SessionID = str(hdr?.['SessionID']);
    const MsgID = str(hdr?.['MsgID']);
    const source = loc(hdr?.['Source']);
    const target = loc(hdr?.['Target']);
    if (SessionID === undefined || MsgID === undefined || source === undefined || target === undefined) return undefined;
    return {
      SyncHdr: { VerDTD: '1.2', VerProto: 'DM/1.2', SessionID, MsgID, Target: { LocURI: target }, Source: { LocURI: source } },
      SyncBody: { commands: [], Final: true },
    };
  } catch {
    return undefined;
  }
}

/** A SyncHdr Status with `code` and Final, addressed back to the sender; undefined when it cannot be built. */
function refusalBody(message: SyncML | undefined, error: DmcError, code: string): string | undefined {
  if (message === undefined) return undefined;
  try {
    const reply = errorReply(message, error);
    const status = reply.SyncBody.commands[0] as Status;
    status.Data = code;
    return buildSyncML(reply);
  } catch {
    return undefined;
  }
}

function sendRefusal(reply: FastifyReply, httpStatus: number, error: DmcError, message: SyncML | undefined): FastifyReply {
  const body = refusalBody(message, error, String(httpStatus));
  if (body !== undefined) return sendXml(reply, httpStatus, body, SYNCML_CONTENT_TYPE);
  // No SyncHdr to answer: a JSON body a human (or log) can read.
  return sendXml(reply, httpStatus, JSON.stringify({ code: error.code, message: error.message }), 'application/json; charset=utf-8');
}

/**
 * The peer certificate of a TLS connection does not change: read it once per socket. getPeerX509Certificate hands
 * over what the TLS layer already parsed (about 8 us), where getPeerCertificate builds the legacy object with three
 * fingerprints (about 40 us) and the authenticator then parsed its DER again (about 300 us per connection).
 */
interface PeerCertificate {
  der: Uint8Array;
  x509: X509Certificate | undefined;
}
const peerCertificates = new WeakMap<object, PeerCertificate | null>();
function peerCertificate(request: FastifyRequest): PeerCertificate | undefined {
  const socket = request.raw.socket as Partial<TLSSocket>;
  let peer = peerCertificates.get(socket);
  if (peer !== undefined) return peer ?? undefined;
  if (typeof socket.getPeerX509Certificate === 'function') {
    const x509 = socket.getPeerX509Certificate();
    peer = x509 === undefined || x509.raw.length === 0 ? null : { der: new Uint8Array(x509.raw), x509 };
  } else if (typeof socket.getPeerCertificate === 'function') {
    const cert = socket.getPeerCertificate();
    peer = cert !== null && cert.raw !== undefined && cert.raw.length > 0 ? { der: new Uint8Array(cert.raw), x509: undefined } : null;
  } else {
    return undefined;
  }
  peerCertificates.set(socket, peer);
  return peer ?? undefined;
}

export const managementPlugin: FastifyPluginAsync<ManagementPluginOptions> = async (app, options) => {
  const bodyLimit = options.bodyLimit ?? DEFAULT_MANAGEMENT_BODY_LIMIT;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(SYNCML_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

  // A refused message without a readable SyncHdr names no session: its transcript says 'management'.
  const notesOf = recordExchanges(app, {
    endpoint: 'management',
    onExchange: options.onExchange,
    sessionIdOf: (notes) => notes.sessionId ?? (notes.deviceId === undefined ? 'management' : undefined),
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    let error: DmcError;
    if (err instanceof DmcError) error = err;
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      error = errors.DMC_ERR_SERVER_UNSUPPORTED_CONTENT_TYPE.create({ contentType: request.headers['content-type'] ?? '(none)' });
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      error = errors.DMC_ERR_SERVER_BODY_TOO_LARGE.create({ limitBytes: bodyLimit });
      drainRefusedBody(request, reply);
    } else if (isAbortedRequest(err)) error = errors.DMC_ERR_SERVER_REQUEST_ABORTED.create({ reason: err.message });
    else error = errors.DMC_ERR_SERVER_SESSION_FAILED.create({ deviceId: notesOf(request).deviceId ?? '(unknown)', reason: err.message }, { cause: err });
    notesOf(request).errorCode = error.code;
    request.log.warn({ code: error.code }, error.message);
    return sendRefusal(reply, error.httpStatus ?? 500, error, undefined);
  });

  app.post(MANAGEMENT_PATH, async (request, reply) => {
    const notes = notesOf(request);
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const fail = (httpStatus: number, error: DmcError, message: SyncML | undefined) => {
      notes.errorCode = error.code;
      request.log.warn({ code: error.code, deviceId: notes.deviceId }, error.message);
      return sendRefusal(reply, httpStatus, error, message);
    };

    let message: SyncML;
    try {
      message = parseSyncML(body, { maxBytes: bodyLimit });
    } catch (err) {
      const code = err instanceof DmcError ? err.code : 'unknown';
      const error = errors.DMC_ERR_SERVER_MALFORMED_SYNCML.create({ code, reason: (err as Error).message }, { cause: err });
      const sniffed = sniffHeader(body.toString('utf8'));
      notes.sessionId = sniffed?.SyncHdr.SessionID;
      return fail(400, error, sniffed);
    }
    notes.sessionId = message.SyncHdr.SessionID;

    const signature = signatureHeader(request.headers);
    const peer = peerCertificate(request);
    const decision = await options.authenticator.authenticate({
      message,
      body,
      peerCertificateDer: peer?.der,
      ...(peer?.x509 === undefined ? {} : { peerCertificate: peer.x509 }),
      connection: request.raw.socket,
      signature,
    });
    if (decision.deviceId !== undefined) notes.deviceId = decision.deviceId;
    if (decision.kind === 'refuse') return fail(decision.error.httpStatus ?? 403, decision.error, message);
    if (decision.challengeError !== undefined) {
      // A challenge is a refusal too: logged like the others, by code and message (never the Cred itself).
      notes.errorCode = decision.challengeError.code;
      request.log.warn({ code: decision.challengeError.code, deviceId: decision.deviceId }, decision.challengeError.message);
    }

    let answer: SyncML;
    try {
      answer = await options.engine.handle({ deviceId: decision.deviceId, message, auth: decision.auth, receivedAt: new Date() });
    } catch (err) {
      if (err instanceof DmcError && err.httpStatus !== undefined && err.httpStatus < 500) {
        notes.errorCode = err.code;
        request.log.warn({ code: err.code, deviceId: decision.deviceId }, err.message);
        return sendXml(reply, err.httpStatus, buildSyncML(errorReply(message, err)), SYNCML_CONTENT_TYPE);
      }
      throw errors.DMC_ERR_SERVER_SESSION_FAILED.create({ deviceId: decision.deviceId, reason: (err as Error).message }, { cause: err });
    }
    return sendXml(reply, 200, buildSyncML(answer), SYNCML_CONTENT_TYPE);
  });
};
