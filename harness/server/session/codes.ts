/**
 * The codes the session engine sends or reacts to, taken from the codec's named constants
 * (harness/syncml/codes.ts: SyncML RepPro 1.2 status codes and alert types), plus the MS-MDM Meta.Type strings.
 */
import { AlertCode, StatusCode } from '../../syncml/index.js';

export const SessionStatus = {
  ok: StatusCode.OK,
  authenticationAccepted: StatusCode.AUTHENTICATION_ACCEPTED,
  chunkAccepted: StatusCode.CHUNKED_ITEM_ACCEPTED,
  /** A management server does not execute device Get/Add/Exec/Atomic: 406 optional feature not supported. */
  notSupported: StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED,
  sizeMismatch: StatusCode.SIZE_MISMATCH,
  badRequest: StatusCode.BAD_REQUEST,
} as const;

export const SessionAlert = {
  clientInitiated: AlertCode.CLIENT_INITIATED_MGMT,
  nextMessage: AlertCode.NEXT_MESSAGE,
  sessionAbort: AlertCode.SESSION_ABORT,
  clientEvent: AlertCode.CLIENT_EVENT,
  genericAlert: AlertCode.GENERIC_ALERT,
} as const;

/** EnableOmaDmKeepAliveMessage (DMClient CSP): Windows writes "Reversed-Domain-Name:com.microsoft.mdm.requestpending". */
export const REQUEST_PENDING_TYPE = 'com.microsoft.mdm.requestpending';
/** Alert 1226 Meta.Type of a user-initiated unenrollment (capture 06): com.microsoft:mdm.unenrollment.userrequest. */
export const UNENROLLMENT_TYPE_PREFIX = 'com.microsoft:mdm.unenrollment';
export const LOGIN_STATUS_TYPE = 'com.microsoft/MDM/LoginStatus';
