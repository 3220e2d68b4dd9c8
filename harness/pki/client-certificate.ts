/**
 * Checking the certificate a device presented in the TLS handshake (MS-MDM 2.1: the device authenticates
 * with the MDM client certificate it received at enrollment). The answer is a verdict, not an exception: an
 * unknown or foreign certificate is something a device does, and the server turns it into a 401 or a digest
 * challenge.
 */
import { X509Certificate } from 'node:crypto';
import { thumbprintOf } from './der.js';
import type { IssuedCertificateRecord } from './issued-store.js';
import { OID } from './oids.js';

export type ClientCertificateCheck =
  | {
      valid: true;
      thumbprint: string;
      /** Upper-case hex. */
      serialNumber: string;
      /** node's rendering, e.g. `CN=B5B9...`. */
      subject: string;
      /** The issuing record, when this harness data folder still has it (issued.jsonl). */
      record: IssuedCertificateRecord | undefined;
    }
  | { valid: false; reason: string; thumbprint?: string };

export function verifyClientCertificate(
  input: Uint8Array | string | X509Certificate,
  ca: X509Certificate,
  findRecord: (thumbprint: string) => IssuedCertificateRecord | undefined,
  now: Date,
): ClientCertificateCheck {
  let cert: X509Certificate;
  try {
    // A TLS socket's getPeerX509Certificate() is already parsed: parsing its DER again cost ~0.3 ms per connection.
    cert = input instanceof X509Certificate ? input : new X509Certificate(typeof input === 'string' ? input : Buffer.from(input));
  } catch (err) {
    return { valid: false, reason: `not an X.509 certificate (${(err as Error).message})` };
  }
  const thumbprint = thumbprintOf(cert.raw);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    return { valid: false, thumbprint, reason: `not issued by the harness CA (issuer ${JSON.stringify(cert.issuer.replace(/\n/g, ', '))})` };
  }
  if (cert.ca) return { valid: false, thumbprint, reason: 'a CA certificate, not a device certificate' };
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore) return { valid: false, thumbprint, reason: `not valid before ${notBefore.toISOString()}` };
  if (now > notAfter) return { valid: false, thumbprint, reason: `expired on ${notAfter.toISOString()}` };
  // node's X509Certificate.keyUsage lists the extended key usage OIDs (undefined when the extension is absent).
  if (!(cert.keyUsage ?? []).includes(OID.clientAuth)) {
    return { valid: false, thumbprint, reason: 'extended key usage lacks clientAuth (1.3.6.1.5.5.7.3.2)' };
  }
  return {
    valid: true,
    thumbprint,
    serialNumber: cert.serialNumber.toUpperCase(),
    subject: cert.subject.replace(/\n/g, ', '),
    record: findRecord(thumbprint),
  };
}
