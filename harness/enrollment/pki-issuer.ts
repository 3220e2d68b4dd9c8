/** The harness CA (harness/pki) as the WSTEP endpoint's CertificateIssuer. */
import type { Authority } from '../pki/index.js';
import { parseWindowsCsr } from '../pki/index.js';
import type { CertificateIssuer } from './certificate-issuer.js';

export function issuerFromAuthority(authority: Authority): CertificateIssuer {
  return {
    caCertificateDer: authority.caCertDer,
    parseCsr(csrBase64) {
      const csr = parseWindowsCsr(csrBase64);
      return { subjectCommonName: csr.subjectCommonName, deviceId: csr.deviceId };
    },
    async issue(csrBase64, options) {
      // MS-MDE2 EnrollmentType Full is a user enrollment (certificate in My/User); Device goes to My/System.
      const issued = await authority.issueDeviceCertificate(csrBase64, {
        enrollmentType: options.enrollmentType === 'Device' ? 'Device' : 'User',
        deviceId: options.deviceId,
      });
      return {
        certPem: issued.certPem,
        certDer: issued.certDer,
        thumbprint: issued.thumbprint,
        serialNumber: issued.serialNumber,
        subject: issued.subject,
      };
    },
  };
}
