/** Object identifiers the PKI layer reads or writes, named as their defining documents name them. */
export const OID = {
  /** RFC 8017 A.1: rsaEncryption, the SubjectPublicKeyInfo algorithm of an RSA key. */
  rsaEncryption: '1.2.840.113549.1.1.1',
  /** RFC 8017 A.2.4: sha1WithRSAEncryption. */
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  /** The old OIW form sha1WithRSASignature, which the Windows enrollment client still puts on its CSR. */
  sha1WithRSASignatureOiw: '1.3.14.3.2.29',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  /** PKCS #9 / RFC 2985 5.4.2: extensionRequest attribute of a PKCS #10 request. */
  extensionRequest: '1.2.840.113549.1.9.14',
  /** X.520 commonName. */
  commonName: '2.5.4.3',
  /** Microsoft's device ID request extension, seen on the Windows enrollment CSR (an OCTET STRING of ASCII + NUL). */
  msDeviceId: '1.3.6.1.4.1.311.66.1.0',
  /** RFC 5652 4 / 5.1: id-data and id-signedData content types. */
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  /** RFC 5652 11.1-11.3: contentType, messageDigest, signingTime signed attributes. */
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  /** RFC 5280 4.2.1.12 extended key usages. */
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** RSA signature algorithm OIDs -> the hash node:crypto needs to verify them. */
export const RSA_SIGNATURE_HASH: Readonly<Record<string, HashName>> = {
  [OID.sha1WithRSASignatureOiw]: 'sha1',
  [OID.sha1WithRSAEncryption]: 'sha1',
  [OID.sha256WithRSAEncryption]: 'sha256',
  [OID.sha384WithRSAEncryption]: 'sha384',
  [OID.sha512WithRSAEncryption]: 'sha512',
};

/** Digest algorithm OIDs (CMS SignerInfo.digestAlgorithm) -> node hash name. */
export const DIGEST_HASH: Readonly<Record<string, HashName>> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};
