/**
 * Errors of the MS-MDE2 enrollment endpoints (Discovery, XCEP Policy, WSTEP Enrollment) and of the enrollment store.
 * Each one that ends a request also names the SOAP fault subcode Windows reads (MS-MDE2 2.2.10).
 */
import { DmcError, defineError, defineErrors, shown } from '../errors.js';

/** MS-MDE2 2.2.10: the `s:Subcode` values the enrollment client maps to MENROLL_E_* HRESULTs. */
export type FaultSubcode =
  | 's:MessageFormat'
  | 's:Authentication'
  | 's:Authorization'
  | 's:CertificateRequest'
  | 's:EnrollmentServer'
  | 's:InternalServiceFault'
  | 'a:InvalidSecurity';

export class EnrollmentError<F extends Record<string, unknown> = Record<string, unknown>> extends DmcError<F> {
  override name = 'EnrollmentError';
}

const faultOf = new Map<string, FaultSubcode>();
function enrollmentError<F extends Record<string, unknown>>(
  code: string,
  subcode: FaultSubcode,
  httpStatus: number,
  message: (fields: F) => string,
) {
  faultOf.set(code, subcode);
  return defineError<F, EnrollmentError<F>>(code, { message, httpStatus, errorClass: EnrollmentError });
}

/** The SOAP fault subcode an enrollment error code is answered with (s:InternalServiceFault for unknown codes). */
export function faultSubcodeOf(code: string): FaultSubcode {
  return faultOf.get(code) ?? 's:InternalServiceFault';
}

export const errors = defineErrors({
  DMC_ERR_ENROLLMENT_MALFORMED_SOAP: enrollmentError<{ endpoint: string; reason: string }>(
    'DMC_ERR_ENROLLMENT_MALFORMED_SOAP',
    's:MessageFormat',
    400,
    (f) => `${f.endpoint}: the request body is not the SOAP message this endpoint expects: ${f.reason}`,
  ),
  DMC_ERR_ENROLLMENT_UNSUPPORTED_CONTENT_TYPE: enrollmentError<{ endpoint: string; contentType: string }>(
    'DMC_ERR_ENROLLMENT_UNSUPPORTED_CONTENT_TYPE',
    's:MessageFormat',
    415,
    (f) => `${f.endpoint}: Content-Type must be application/soap+xml; charset=utf-8, received ${shown(f.contentType)}`,
  ),
  DMC_ERR_ENROLLMENT_BODY_TOO_LARGE: enrollmentError<{ endpoint: string; limitBytes: number }>(
    'DMC_ERR_ENROLLMENT_BODY_TOO_LARGE',
    's:MessageFormat',
    413,
    (f) => `${f.endpoint}: the request body is larger than the ${f.limitBytes} bytes this endpoint accepts`,
  ),
  DMC_ERR_ENROLLMENT_REQUEST_ABORTED: enrollmentError<{ endpoint: string; reason: string }>(
    'DMC_ERR_ENROLLMENT_REQUEST_ABORTED',
    's:MessageFormat',
    400,
    (f) => `${f.endpoint}: the request ended before its whole body arrived (the client closed the connection, or the server's request timeout cut it): ${f.reason}`,
  ),
  DMC_ERR_ENROLLMENT_UNEXPECTED_ACTION: enrollmentError<{ endpoint: string; expected: string; action: string }>(
    'DMC_ERR_ENROLLMENT_UNEXPECTED_ACTION',
    's:MessageFormat',
    400,
    (f) => `${f.endpoint}: expected WS-Addressing Action ${shown(f.expected)}, received ${shown(f.action)}`,
  ),
  DMC_ERR_ENROLLMENT_MISSING_CREDENTIALS: enrollmentError<{ endpoint: string }>(
    'DMC_ERR_ENROLLMENT_MISSING_CREDENTIALS',
    's:Authentication',
    500,
    (f) => `${f.endpoint}: the request carries no WS-Security UsernameToken (OnPremise authentication needs one)`,
  ),
  DMC_ERR_ENROLLMENT_BAD_CREDENTIALS: enrollmentError<{ endpoint: string; username: string }>(
    'DMC_ERR_ENROLLMENT_BAD_CREDENTIALS',
    's:Authentication',
    500,
    (f) => `${f.endpoint}: the user name or password of UsernameToken user ${shown(f.username)} is wrong`,
  ),
  DMC_ERR_ENROLLMENT_UNSUPPORTED_TOKEN_TYPE: enrollmentError<{ tokenType: string }>(
    'DMC_ERR_ENROLLMENT_UNSUPPORTED_TOKEN_TYPE',
    's:MessageFormat',
    400,
    (f) => `RequestSecurityToken: unsupported wst:TokenType ${shown(f.tokenType)} (expected the DeviceEnrollmentToken)`,
  ),
  DMC_ERR_ENROLLMENT_BAD_CSR: enrollmentError<{ reason: string }>(
    'DMC_ERR_ENROLLMENT_BAD_CSR',
    's:CertificateRequest',
    500,
    (f) => `RequestSecurityToken: the PKCS#10 request in BinarySecurityToken was refused: ${f.reason}`,
  ),
  DMC_ERR_ENROLLMENT_UNKNOWN_ENROLLMENT_TYPE: enrollmentError<{ enrollmentType: string }>(
    'DMC_ERR_ENROLLMENT_UNKNOWN_ENROLLMENT_TYPE',
    's:MessageFormat',
    400,
    (f) => `RequestSecurityToken: AdditionalContext EnrollmentType must be Full or Device, received ${shown(f.enrollmentType)}`,
  ),
  DMC_ERR_ENROLLMENT_MISSING_DEVICE_ID: enrollmentError<{ csrDeviceId: string; contextDeviceId: string }>(
    'DMC_ERR_ENROLLMENT_MISSING_DEVICE_ID',
    's:MessageFormat',
    400,
    (f) =>
      `RequestSecurityToken: no usable device ID (CSR extension ${shown(f.csrDeviceId)}, AdditionalContext DeviceID ${shown(f.contextDeviceId)})`,
  ),
  DMC_ERR_ENROLLMENT_INTERNAL: enrollmentError<{ endpoint: string; reason: string }>(
    'DMC_ERR_ENROLLMENT_INTERNAL',
    's:InternalServiceFault',
    500,
    (f) => `${f.endpoint}: the enrollment server failed: ${f.reason}`,
  ),
  DMC_ERR_ENROLLMENT_STORE_CORRUPT: enrollmentError<{ path: string; issue: string }>(
    'DMC_ERR_ENROLLMENT_STORE_CORRUPT',
    's:InternalServiceFault',
    500,
    (f) => `enrollment store ${f.path} is not valid: ${f.issue}`,
  ),
});
