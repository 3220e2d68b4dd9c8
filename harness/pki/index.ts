/**
 * harness/pki: the harness CA and server certificate, Windows CSRs, device certificates, MDM-Signature (CMS).
 * Imports nothing from server/, fixtures/ or agents/ (see STYLE.md).
 */
export { loadOrCreateAuthority, Authority } from './authority.js';
export type { LoadAuthorityOptions, AuthorityLoadReport } from './authority.js';
export type { ClientCertificateCheck } from './client-certificate.js';
export type { EnrollmentType, IssueOptions, IssuedDeviceCertificate } from './device-certificate.js';
export type { IssuedCertificateRecord } from './issued-store.js';
export { parseWindowsCsr, stripTrailingNul } from './windows-csr.js';
export type { WindowsCsr, CsrExtension } from './windows-csr.js';
export { buildWindowsLikeCsr, encodeWindowsCertificationRequestInfo, windowsLikeCommonName } from './windows-csr-builder.js';
export type { WindowsLikeCsrInput } from './windows-csr-builder.js';
export { signDetached, verifyDetached } from './cms-signature.js';
export type { DetachedSigner, VerifyDetachedOptions, DetachedVerification } from './cms-signature.js';
export { thumbprintOf, normalThumbprint, derToPem, pemToDer } from './der.js';
export { normalizeHosts } from './server-certificate.js';
export { OID } from './oids.js';
export { errors } from './errors.js';
