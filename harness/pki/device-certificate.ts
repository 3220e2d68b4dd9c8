/**
 * Issuing the MDM client certificate for a Windows CSR (MS-MDE2 3.4.5.1: the enrollment response's
 * wap-provisioningdoc carries it in CertificateStore/My/<...>/EncodedCertificate).
 *
 * selfsigned cannot do this: it signs only keys it generates or is given as a private+public pair, and here the
 * device keeps its private key, so the certificate is built with @peculiar/x509 around the CSR's public key.
 */
import type { webcrypto } from 'node:crypto';
import { x509, randomSerialHex, thumbprintOf, toArrayBuffer, derToPem } from './der.js';
import { errors } from './errors.js';
import type { WindowsCsr } from './windows-csr.js';

export type EnrollmentType = 'Device' | 'User';

export interface IssueOptions {
  enrollmentType: EnrollmentType;
  /** Subject CN of the certificate; default: the CSR's device ID extension, else its CN without the NUL. */
  deviceId?: string;
  /** Default 365. */
  validityDays?: number;
}

export interface IssuedDeviceCertificate {
  certPem: string;
  certDer: Uint8Array;
  /** Upper-case hex SHA-1 of certDer, as Windows shows it. */
  thumbprint: string;
  /** Upper-case hex. */
  serialNumber: string;
  /** RFC 4514 text, e.g. `CN=B5B954E81FBCB94EB79BD08BE625F4EE`. */
  subject: string;
  deviceId: string;
  enrollmentType: EnrollmentType;
  notBefore: Date;
  notAfter: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Same backdating as the server certificate: a VM clock a little behind must not see a future certificate. */
const BACKDATE_MS = 60 * 60 * 1000;

function checkOptions(csr: WindowsCsr, options: IssueOptions): { deviceId: string; validityDays: number } {
  if (options.enrollmentType !== 'Device' && options.enrollmentType !== 'User') {
    throw errors.DMC_ERR_PKI_ISSUE_INVALID_OPTIONS.create({ option: 'enrollmentType', received: options.enrollmentType, expected: '"Device" or "User"' });
  }
  const deviceId = options.deviceId ?? csr.deviceId ?? csr.subjectCommonName;
  // X.520 ub-common-name is 64; a NUL or control character would give a subject Windows displays wrongly.
  if (typeof deviceId !== 'string' || !/^[\x20-\x7e]{1,64}$/.test(deviceId)) {
    throw errors.DMC_ERR_PKI_ISSUE_INVALID_OPTIONS.create({ option: 'deviceId', received: deviceId, expected: '1 to 64 printable ASCII characters' });
  }
  const validityDays = options.validityDays ?? 365;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 3650) {
    throw errors.DMC_ERR_PKI_ISSUE_INVALID_OPTIONS.create({ option: 'validityDays', received: validityDays, expected: 'an integer from 1 to 3650' });
  }
  return { deviceId, validityDays };
}

export async function issueDeviceCertificate(
  ca: { cert: x509.X509Certificate; signingKey: webcrypto.CryptoKey },
  csr: WindowsCsr,
  options: IssueOptions,
  now = new Date(),
): Promise<IssuedDeviceCertificate> {
  const { deviceId, validityDays } = checkOptions(csr, options);
  const notBefore = new Date(Math.max(now.getTime() - BACKDATE_MS, ca.cert.notBefore.getTime()));
  // A certificate never outlives its CA: chain validation would fail from that day on.
  const notAfter = new Date(Math.min(now.getTime() + validityDays * DAY_MS, ca.cert.notAfter.getTime()));
  const publicKey = await x509.PublicKey.create(toArrayBuffer(csr.publicKey));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: [{ CN: [deviceId] }],
    // The CA's subject Name object as parsed, so the issuer bytes equal the CA certificate's subject bytes.
    issuer: ca.cert.subjectName,
    notBefore,
    notAfter,
    publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
    ],
  });
  const certDer = new Uint8Array(cert.rawData);
  return {
    certPem: derToPem(certDer, 'CERTIFICATE'),
    certDer,
    thumbprint: thumbprintOf(certDer),
    serialNumber: cert.serialNumber.toUpperCase(),
    subject: cert.subject,
    deviceId,
    enrollmentType: options.enrollmentType,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}
