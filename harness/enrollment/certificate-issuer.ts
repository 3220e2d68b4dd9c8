/**
 * What the WSTEP endpoint needs from a certificate authority. The harness CA (harness/pki) is adapted to it in
 * `pki-issuer.ts`; keeping the endpoint behind this seam lets a run swap in another CA without touching SOAP code.
 */
import type { IssuedDeviceCertificate as IssuedByAuthority } from '../pki/index.js';

export interface ParsedDeviceCsr {
  /** The subject CN, trailing NUL removed. */
  subjectCommonName: string;
  /** The device ID from the Microsoft extension 1.3.6.1.4.1.311.66.1.0, when the CSR carries one. */
  deviceId: string | undefined;
}

/** What the enrollment answer needs of an issued certificate: the fields of the authority's own record it uses. */
export type IssuedDeviceCertificate = Pick<IssuedByAuthority, 'certPem' | 'certDer' | 'thumbprint' | 'serialNumber' | 'subject'>;

export interface CertificateIssuer {
  /** The CA certificate (DER) Windows installs into Root/System. */
  readonly caCertificateDer: Uint8Array;
  /** Parses and checks a base64 PKCS#10 request; throws a DmcError naming what is wrong. */
  parseCsr(csrBase64: string): ParsedDeviceCsr;
  issue(
    csrBase64: string,
    options: { enrollmentType: 'Full' | 'Device'; deviceId: string },
  ): Promise<IssuedDeviceCertificate>;
}
