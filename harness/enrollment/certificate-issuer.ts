/**
 * What the WSTEP endpoint needs from a certificate authority. The harness CA (harness/pki) is adapted to it in
 * `pki-issuer.ts`; keeping the endpoint behind this seam lets a run swap in another CA without touching SOAP code.
 */

export interface ParsedDeviceCsr {
  /** The subject CN, trailing NUL removed. */
  subjectCommonName: string;
  /** The device ID from the Microsoft extension 1.3.6.1.4.1.311.66.1.0, when the CSR carries one. */
  deviceId: string | undefined;
}

export interface IssuedDeviceCertificate {
  certPem: string;
  certDer: Uint8Array;
  /** SHA-1 of the DER, upper-case hex. */
  thumbprint: string;
  serialNumber: string;
  /** Subject DN as SSLCLIENTCERTSEARCHCRITERIA matches it (e.g. `CN=B5B954E8...`). */
  subject: string;
}

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
