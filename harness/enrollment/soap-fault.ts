/**
 * SOAP faults shaped as the Windows enrollment client reads them (MS-MDE2 2.2.10): `s:Code/s:Value` s:Receiver,
 * `s:Subcode/s:Value` one of the MENROLL subcodes, a `s:Reason/s:Text`, and for EnrollmentServer errors a
 * `s:Detail/DeviceEnrollmentServiceError` with ErrorType, Message and TraceId.
 */
import { randomUUID } from 'node:crypto';
import { DmcError } from '../errors.js';
import { errors, faultSubcodeOf, type FaultSubcode } from './errors.js';
import { NS, buildSoapEnvelope, type XmlTree } from './soap-xml.js';

/** MS-MDE2 2.2.10: the ErrorType values of DeviceEnrollmentServiceError (subcode s:EnrollmentServer). */
export const ENROLLMENT_SERVER_ERROR_TYPES = [
  'DeviceCapReached',
  'DeviceNotSupported',
  'NotSupported',
  'NotEligibleToRenew',
  'InMaintenance',
  'UserLicense',
  'InvalidEnrollmentData',
  'CustomServerError',
] as const;
export type EnrollmentServerErrorType = (typeof ENROLLMENT_SERVER_ERROR_TYPES)[number];

export interface SoapFault {
  /** The Action header: MS-MDE2 2.2.10 answers a fault with the Action of the endpoint's response. */
  action: string;
  relatesTo: string | undefined;
  subcode: FaultSubcode;
  reason: string;
  errorType?: EnrollmentServerErrorType;
  traceId?: string;
}

export function buildSoapFault(fault: SoapFault): string {
  const detail: XmlTree | undefined =
    fault.errorType === undefined
      ? undefined
      : {
          DeviceEnrollmentServiceError: {
            '@_xmlns': NS.enrollment,
            ErrorType: fault.errorType,
            Message: fault.reason,
            TraceId: fault.traceId ?? randomUUID(),
          },
        };
  return buildSoapEnvelope({
    action: fault.action,
    relatesTo: fault.relatesTo,
    body: {
      's:Fault': {
        's:Code': { 's:Value': 's:Receiver', 's:Subcode': { 's:Value': fault.subcode } },
        's:Reason': { 's:Text': { '@_xml:lang': 'en-US', '#text': fault.reason } },
        ...(detail === undefined ? {} : { 's:Detail': detail }),
      },
    },
  });
}

/** The enrollment error for anything a handler threw, so every failure answers with a readable fault. */
export function asEnrollmentError(err: unknown, endpoint: string): DmcError {
  if (err instanceof DmcError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return errors.DMC_ERR_ENROLLMENT_INTERNAL.create({ endpoint, reason }, { cause: err });
}

/** The fault for an error: its code decides the subcode; the message is the reason (it never holds secrets). */
export function faultForError(err: DmcError, action: string, relatesTo: string | undefined): SoapFault {
  return { action, relatesTo, subcode: faultSubcodeOf(err.code), reason: err.message };
}
