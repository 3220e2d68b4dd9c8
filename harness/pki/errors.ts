/**
 * Errors of the PKI layer: the harness CA and its files, Windows CSRs, device certificates, CMS signatures.
 *
 * A device's mistakes in an MDM-Signature header are not errors here: `verifyDetached` answers
 * `{ valid: false, reason }` so the server can record them as a device error instead of crashing a request.
 * Messages never carry key material; they show file paths, OIDs and short quoted values only.
 */
import { defineErrors, defineError, shown } from '../errors.js';

export const errors = defineErrors({
  DMC_ERR_PKI_CSR_NOT_BASE64: defineError<{ length: number; received: string }>('DMC_ERR_PKI_CSR_NOT_BASE64', {
    message: (f) => `Windows CSR: expected base64 text, received ${f.length} chars starting ${shown(f.received, 40)}`,
    httpStatus: 400,
  }),
  DMC_ERR_PKI_CSR_MALFORMED: defineError<{ where: string; problem: string }>('DMC_ERR_PKI_CSR_MALFORMED', {
    message: (f) => `Windows CSR: ${f.where} is malformed: ${f.problem}`,
    httpStatus: 400,
  }),
  DMC_ERR_PKI_CSR_MISSING_COMMON_NAME: defineError<{ subjectAttributes: string[] }>(
    'DMC_ERR_PKI_CSR_MISSING_COMMON_NAME',
    {
      message: (f) =>
        `Windows CSR: the subject has no commonName (2.5.4.3); attribute OIDs received: ${shown(f.subjectAttributes)}`,
      httpStatus: 400,
    },
  ),
  DMC_ERR_PKI_CSR_UNSUPPORTED_SIGNATURE_ALGORITHM: defineError<{ oid: string }>(
    'DMC_ERR_PKI_CSR_UNSUPPORTED_SIGNATURE_ALGORITHM',
    {
      message: (f) =>
        `Windows CSR: signature algorithm ${shown(f.oid)} is not supported (expected RSA with SHA-1, SHA-256, SHA-384 or SHA-512)`,
      httpStatus: 400,
    },
  ),
  DMC_ERR_PKI_CSR_UNSUPPORTED_KEY: defineError<{ oid: string }>('DMC_ERR_PKI_CSR_UNSUPPORTED_KEY', {
    message: (f) => `Windows CSR: public key algorithm ${shown(f.oid)} is not supported (expected rsaEncryption 1.2.840.113549.1.1.1)`,
    httpStatus: 400,
  }),
  DMC_ERR_PKI_CSR_BAD_SIGNATURE: defineError<{ algorithmOid: string; subjectCommonName: string }>(
    'DMC_ERR_PKI_CSR_BAD_SIGNATURE',
    {
      message: (f) =>
        `Windows CSR: the signature (${f.algorithmOid}) does not verify with the CSR's own public key (subject CN ${shown(f.subjectCommonName)})`,
      httpStatus: 400,
    },
  ),
  DMC_ERR_PKI_CSR_BUILD_INVALID_INPUT: defineError<{ input: string; problem: string }>(
    'DMC_ERR_PKI_CSR_BUILD_INVALID_INPUT',
    {
      message: (f) => `Windows-like CSR builder: ${f.input} ${f.problem}`,
    },
  ),
  DMC_ERR_PKI_ISSUE_INVALID_OPTIONS: defineError<{ option: string; received: unknown; expected: string }>(
    'DMC_ERR_PKI_ISSUE_INVALID_OPTIONS',
    {
      message: (f) => `Device certificate: option ${f.option} must be ${f.expected}, received ${shown(f.received)}`,
    },
  ),
  DMC_ERR_PKI_CA_INVALID: defineError<{ path: string; problem: string }>('DMC_ERR_PKI_CA_INVALID', {
    message: (f) => `Harness CA in ${f.path}: ${f.problem}`,
  }),
  DMC_ERR_PKI_INVALID_HOST: defineError<{ host: string }>('DMC_ERR_PKI_INVALID_HOST', {
    message: (f) => `Server certificate: host ${shown(f.host)} is neither an IP address nor a valid DNS name`,
  }),
  DMC_ERR_PKI_STORE_CORRUPT: defineError<{ path: string; problem: string }>('DMC_ERR_PKI_STORE_CORRUPT', {
    message: (f) => `Issued-certificate record ${f.path} cannot be read: ${f.problem}`,
  }),
  DMC_ERR_PKI_CMS_SIGN_FAILED: defineError<{ problem: string }>('DMC_ERR_PKI_CMS_SIGN_FAILED', {
    message: (f) => `MDM-Signature: cannot sign the body: ${f.problem}`,
  }),
  DMC_ERR_PKI_CMS_NO_TRUST_ANCHOR: defineError<{ received: string[] }>('DMC_ERR_PKI_CMS_NO_TRUST_ANCHOR', {
    message: (f) =>
      `MDM-Signature: verifyDetached needs trustedCaPem or expectedCertDer, received options ${shown(f.received)}`,
  }),
});
