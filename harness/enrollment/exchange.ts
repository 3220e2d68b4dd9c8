/**
 * One HTTP exchange as an endpoint plugin reports it, for transcripts. Plugins report raw bodies; the transcript
 * writer redacts secrets before anything reaches disk.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface ExchangeRecord {
  at: string;
  durationMs: number;
  /** The endpoint family: discovery, policy, enrollment, management. */
  endpoint: string;
  /** The device this exchange belongs to, when the request identified it. */
  deviceId: string | undefined;
  /** The OMA-DM SessionID for management exchanges; enrollment exchanges use 'enrollment'. */
  sessionId: string | undefined;
  method: string;
  url: string;
  remoteAddress: string;
  request: { headers: Record<string, string | string[] | undefined>; body: string };
  response: { status: number; headers: Record<string, unknown>; body: string };
  /** The DMC error code that ended the request, if one did. */
  errorCode: string | undefined;
}

export type ExchangeListener = (record: ExchangeRecord) => void;

/** What a route learns about its exchange while handling it; the recorder reports it with the rest. */
export interface ExchangeNotes {
  deviceId?: string;
  sessionId?: string;
  errorCode?: string;
  responseBody?: string;
}

export interface ExchangeRecorderOptions {
  endpoint: string;
  onExchange: ExchangeListener | undefined;
  /** The record's sessionId from what the route noted (enrollment exchanges all say 'enrollment'). */
  sessionIdOf(notes: ExchangeNotes): string | undefined;
}

/**
 * Reports every exchange of `app` (an encapsulated plugin context) to `onExchange` once its response has gone out,
 * and returns where a route writes its notes on the exchange (created on first use).
 *
 * Callback hooks, not async ones: an async hook costs fastify a promise and a turn of the microtask queue per
 * request (issue #13). The duration is fastify's own `reply.elapsedTime`, started before the onRequest hooks and
 * stopped when the last byte is written, so no hook starts a clock of its own. Every endpoint plugin records the
 * same way through this one function.
 */
export function recordExchanges(app: FastifyInstance, options: ExchangeRecorderOptions): (request: FastifyRequest) => ExchangeNotes {
  const notes = new WeakMap<FastifyRequest, ExchangeNotes>();
  const notesOf = (request: FastifyRequest): ExchangeNotes => {
    let found = notes.get(request);
    if (found === undefined) {
      found = {};
      notes.set(request, found);
    }
    return found;
  };
  const { onExchange } = options;
  if (onExchange === undefined) return notesOf;
  app.addHook('onSend', (request, _reply, payload, done) => {
    // Routes send strings (sendXml); fastify's own error replies may still come as a Buffer.
    notesOf(request).responseBody = textOf(payload);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const noted = notesOf(request);
    onExchange({
      at: new Date().toISOString(),
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      endpoint: options.endpoint,
      deviceId: noted.deviceId,
      sessionId: options.sessionIdOf(noted),
      method: request.method,
      url: request.url,
      remoteAddress: request.ip,
      request: { headers: request.headers, body: textOf(request.body) },
      response: { status: reply.statusCode, headers: reply.getHeaders(), body: noted.responseBody ?? '' },
      errorCode: noted.errorCode,
    });
    done();
  });
  return notesOf;
}

/** A body or payload as text: SOAP bodies are parsed as strings, SyncML ones as a Buffer; anything else (a stream, none) is ''. */
function textOf(body: unknown): string {
  if (typeof body === 'string') return body;
  return Buffer.isBuffer(body) ? body.toString('utf8') : '';
}
