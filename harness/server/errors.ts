/**
 * Errors of the MDM server shell: the management endpoint's HTTP-level refusals, device identity checks (TLS
 * client certificate, SyncML MD5 digest, MDM-Signature), and server start-up options.
 */
import { DmcError, defineError, defineErrors, shown } from '../errors.js';

export class ServerError<F extends Record<string, unknown> = Record<string, unknown>> extends DmcError<F> {
  override name = 'ServerError';
}

function serverError<F extends Record<string, unknown>>(code: string, httpStatus: number | undefined, message: (f: F) => string) {
  return defineError<F, ServerError<F>>(code, {
    message,
    ...(httpStatus === undefined ? {} : { httpStatus }),
    errorClass: ServerError,
  });
}

export const errors = defineErrors({
  DMC_ERR_SERVER_UNSUPPORTED_CONTENT_TYPE: serverError<{ contentType: string }>(
    'DMC_ERR_SERVER_UNSUPPORTED_CONTENT_TYPE',
    415,
    (f) => `management: Content-Type must be application/vnd.syncml.dm+xml, received ${shown(f.contentType)}`,
  ),
  DMC_ERR_SERVER_BODY_TOO_LARGE: serverError<{ limitBytes: number }>(
    'DMC_ERR_SERVER_BODY_TOO_LARGE',
    413,
    (f) => `management: the SyncML message is larger than the ${f.limitBytes} bytes the server accepts`,
  ),
  DMC_ERR_SERVER_REQUEST_ABORTED: serverError<{ reason: string }>(
    'DMC_ERR_SERVER_REQUEST_ABORTED',
    400,
    (f) => `management: the request ended before its whole body arrived (the client closed the connection, or the server's request timeout cut it): ${f.reason}`,
  ),
  DMC_ERR_SERVER_MALFORMED_SYNCML: serverError<{ code: string; reason: string }>(
    'DMC_ERR_SERVER_MALFORMED_SYNCML',
    400,
    (f) => `management: the body is not a SyncML message the server can read (${f.code}): ${f.reason}`,
  ),
  DMC_ERR_SERVER_UNKNOWN_DEVICE: serverError<{ deviceId: string }>(
    'DMC_ERR_SERVER_UNKNOWN_DEVICE',
    403,
    (f) => `management: SyncHdr/Source/LocURI ${shown(f.deviceId)} is not an enrolled device`,
  ),
  DMC_ERR_SERVER_CLIENT_CERT_REJECTED: serverError<{ deviceId: string; reason: string }>(
    'DMC_ERR_SERVER_CLIENT_CERT_REJECTED',
    403,
    (f) => `management: the TLS client certificate presented for device ${shown(f.deviceId)} was rejected: ${f.reason}`,
  ),
  DMC_ERR_SERVER_CLIENT_CERT_MISMATCH: serverError<{ deviceId: string; certificateDeviceId: string; thumbprint: string }>(
    'DMC_ERR_SERVER_CLIENT_CERT_MISMATCH',
    403,
    (f) =>
      `management: SyncHdr/Source/LocURI is ${shown(f.deviceId)} but the TLS client certificate ${f.thumbprint} belongs to ${shown(f.certificateDeviceId)}`,
  ),
  DMC_ERR_SERVER_BAD_DIGEST: serverError<{ deviceId: string; reason: string }>(
    'DMC_ERR_SERVER_BAD_DIGEST',
    401,
    (f) => `management: SyncHdr/Cred of device ${shown(f.deviceId)} was not accepted: ${f.reason}`,
  ),
  DMC_ERR_SERVER_MISSING_CREDENTIALS: serverError<{ deviceId: string }>(
    'DMC_ERR_SERVER_MISSING_CREDENTIALS',
    407,
    (f) => `management: device ${shown(f.deviceId)} sent neither a TLS client certificate nor SyncHdr/Cred`,
  ),
  DMC_ERR_SERVER_SIGNATURE_MISSING: serverError<{ deviceId: string }>(
    'DMC_ERR_SERVER_SIGNATURE_MISSING',
    403,
    (f) => `management: device ${shown(f.deviceId)} must sign its messages but sent no signature header (MDM-Signature or MS-Signature)`,
  ),
  DMC_ERR_SERVER_SIGNATURE_INVALID: serverError<{ deviceId: string; reason: string }>(
    'DMC_ERR_SERVER_SIGNATURE_INVALID',
    403,
    (f) => `management: the message signature of device ${shown(f.deviceId)} does not verify: ${f.reason}`,
  ),
  DMC_ERR_SERVER_SESSION_FAILED: serverError<{ deviceId: string; reason: string }>(
    'DMC_ERR_SERVER_SESSION_FAILED',
    500,
    (f) => `management: the session engine failed on a message of device ${shown(f.deviceId)}: ${f.reason}`,
  ),
  DMC_ERR_SERVER_INVALID_OPTION: serverError<{ option: string; received: unknown; expected: string }>(
    'DMC_ERR_SERVER_INVALID_OPTION',
    undefined,
    (f) => `server: option ${f.option} must be ${f.expected}, received ${shown(f.received)}`,
  ),
  DMC_ERR_SERVER_LISTEN_FAILED: serverError<{ host: string; port: number; reason: string }>(
    'DMC_ERR_SERVER_LISTEN_FAILED',
    undefined,
    (f) => `server: cannot listen on ${f.host}:${f.port}: ${f.reason}`,
  ),
});
