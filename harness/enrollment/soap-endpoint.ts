/**
 * What every SOAP endpoint plugin shares, applied inside its own encapsulated context: the
 * application/soap+xml parser with its body limit, an error handler that answers every failure with a SOAP fault
 * Windows can read (MS-MDE2 2.2.10), Content-Length in bytes, and the exchange report for transcripts.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DmcError } from '../errors.js';
import { errors } from './errors.js';
import { recordExchanges, type ExchangeListener, type ExchangeNotes } from './exchange.js';
import { asEnrollmentError, buildSoapFault, faultForError } from './soap-fault.js';
import { parseSoapRequest, sniffMessageId, type SoapRequest } from './soap-xml.js';

export const SOAP_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';
/** The real RequestSecurityToken is about 4 KiB; 256 KiB leaves room for long AdditionalContext lists. */
export const DEFAULT_SOAP_BODY_LIMIT = 256 * 1024;

export interface SoapEndpointOptions {
  endpoint: string;
  path: string;
  /** The Action expected on requests (a different one is refused with s:MessageFormat). */
  requestAction: string;
  /** The Action of answers and faults. */
  responseAction: string;
  bodyLimit: number;
  /** Builds the answer envelope; throws a DmcError to answer with a fault. */
  handle(soap: SoapRequest, request: FastifyRequest): Promise<string> | string;
}

export function sendXml(reply: FastifyReply, status: number, body: string, contentType = SOAP_CONTENT_TYPE): FastifyReply {
  // Windows's enrollment and DM clients mishandle chunked answers: always a byte-exact Content-Length. The body goes
  // out as a string: Node writes headers and a string body as one chunk (a Buffer goes as a second chunk of a
  // writev), and the onSend hooks keep the string for the transcript without decoding a copy back.
  return reply.code(status).header('content-type', contentType).header('content-length', Buffer.byteLength(body, 'utf8')).send(body);
}

/**
 * An oversized body is refused with 413, then read and thrown away instead of cut off: closing a connection whose
 * peer is still sending makes TCP reset it, and the client loses the answer that says why (seen with a 50 MB
 * body). The drain costs bandwidth, not memory, and the server's requestTimeout bounds it.
 */
export function drainRefusedBody(request: FastifyRequest, reply: FastifyReply): void {
  reply.removeHeader('connection');
  request.raw.resume();
}

/** The body stream failed because the peer went away or the request timeout cut it: not the server's failure. */
export function isAbortedRequest(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || err.message === 'aborted';
}

function fromFastifyError(err: FastifyError | DmcError | Error, endpoint: string, bodyLimit: number, request: FastifyRequest): DmcError {
  if (err instanceof DmcError) return err;
  const code = (err as FastifyError).code;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return errors.DMC_ERR_ENROLLMENT_UNSUPPORTED_CONTENT_TYPE.create({
      endpoint,
      contentType: request.headers['content-type'] ?? '(none)',
    });
  }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return errors.DMC_ERR_ENROLLMENT_BODY_TOO_LARGE.create({ endpoint, limitBytes: bodyLimit });
  }
  if (isAbortedRequest(err)) return errors.DMC_ERR_ENROLLMENT_REQUEST_ABORTED.create({ endpoint, reason: err.message });
  return asEnrollmentError(err, endpoint);
}

export interface SoapContextOptions {
  endpoint: string;
  /** The Action of faults. */
  responseAction: string;
  bodyLimit: number;
  onExchange: ExchangeListener | undefined;
}

/**
 * Installs the shared parts into an encapsulated plugin instance. Call once per plugin. Returns where a route notes
 * what it learns of its exchange (the device it enrolls, so the transcript lands in that device's folder).
 */
export function installSoapContext(app: FastifyInstance, options: SoapContextOptions): (request: FastifyRequest) => ExchangeNotes {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/soap+xml', { parseAs: 'string', bodyLimit: options.bodyLimit }, (_req, body, done) => {
    done(null, body);
  });
  const notesOf = recordExchanges(app, { endpoint: options.endpoint, onExchange: options.onExchange, sessionIdOf: () => 'enrollment' });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const error = fromFastifyError(err, options.endpoint, options.bodyLimit, request);
    if (errors.DMC_ERR_ENROLLMENT_BODY_TOO_LARGE.is(error)) drainRefusedBody(request, reply);
    notesOf(request).errorCode = error.code;
    request.log.warn({ code: error.code, endpoint: options.endpoint }, error.message);
    const body = typeof request.body === 'string' ? request.body : '';
    const fault = faultForError(error, options.responseAction, sniffMessageId(body));
    return sendXml(reply, error.httpStatus ?? 500, buildSoapFault(fault));
  });
  return notesOf;
}

/** Registers the POST route of a SOAP endpoint: parse the envelope, check the Action, run the handler. */
export function soapRoute(app: FastifyInstance, options: SoapEndpointOptions): void {
  app.post(options.path, async (request, reply) => {
    const body = typeof request.body === 'string' ? request.body : '';
    const soap = parseSoapRequest(body, options.endpoint);
    if (soap.action !== options.requestAction) {
      throw errors.DMC_ERR_ENROLLMENT_UNEXPECTED_ACTION.create({
        endpoint: options.endpoint,
        expected: options.requestAction,
        action: soap.action,
      });
    }
    return sendXml(reply, 200, await options.handle(soap, request));
  });
}
