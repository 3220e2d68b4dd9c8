/**
 * The MDM-Signature header: a base64 CMS SignedData (RFC 5652), detached, over the HTTP body. MS-MDM 3.1.5.x
 * (RequireMessageSigning in the DMClient CSP) has the device sign each SyncML message with its MDM client
 * certificate and include that certificate; the server checks it against the certificate it issued.
 *
 * pkijs encodes and decodes the CMS structures; the RSA operations run on node:crypto so both functions stay
 * synchronous and usable inside a request hook. A device's bad signature is a verdict ({ valid: false, reason }),
 * never an exception.
 */
import * as asn1js from 'asn1js';
import { KeyObject, X509Certificate, createHash, createPrivateKey, sign, verify } from 'node:crypto';
import { decodeBase64Strict, pemToDer, pkijs, thumbprintOf, toArrayBuffer } from './der.js';
import { errors } from './errors.js';
import { DIGEST_HASH, OID, RSA_SIGNATURE_HASH } from './oids.js';

export interface DetachedSigner {
  certPem: string;
  /** The certificate's private key: a KeyObject or PEM text. */
  privateKey: KeyObject | string;
}

export interface VerifyDetachedOptions {
  /** Accept a signer certificate issued by this CA (and within its validity). */
  trustedCaPem?: string;
  /** Accept exactly this signer certificate (DER). */
  expectedCertDer?: Uint8Array;
  /** The time validity is checked at; default now. */
  now?: Date;
}

export type DetachedVerification =
  | { valid: true; signerThumbprint: string; signerSubject: string }
  | { valid: false; reason: string; signerThumbprint?: string };

const sha256Algorithm = () => new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() });

/** RFC 5652 5.4: the signature covers the signed attributes DER-encoded as an explicit SET OF. */
function encodeSignedAttributesForSignature(attributes: pkijs.Attribute[]): Uint8Array {
  return new Uint8Array(new asn1js.Set({ value: attributes.map((a) => a.toSchema()) }).toBER(false));
}

/** Signs `body` as MDM-Signature: CMS SignedData, detached, SHA-256, signer certificate included. */
export function signDetached(body: Uint8Array, signer: DetachedSigner, signingTime = new Date()): string {
  const certDer = pemToDer(signer.certPem, 'CERTIFICATE');
  if (certDer === undefined) throw errors.DMC_ERR_PKI_CMS_SIGN_FAILED.create({ problem: 'certPem holds no PEM certificate' });
  let key: KeyObject;
  try {
    key = typeof signer.privateKey === 'string' ? createPrivateKey(signer.privateKey) : signer.privateKey;
  } catch {
    throw errors.DMC_ERR_PKI_CMS_SIGN_FAILED.create({ problem: 'privateKey is not a readable private key' });
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa' || !new X509Certificate(Buffer.from(certDer)).checkPrivateKey(key)) {
    throw errors.DMC_ERR_PKI_CMS_SIGN_FAILED.create({ problem: 'privateKey is not the RSA key of certPem' });
  }
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(certDer));
  // RFC 5652 5.3: with signed attributes present, contentType and messageDigest are mandatory; DER needs the
  // SET OF sorted by encoding, and verifiers that re-encode (OpenSSL) would otherwise compute other bytes.
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: signingTime })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: createHash('sha256').update(body).digest() })] }),
  ]
    .map((attribute) => ({ attribute, der: Buffer.from(attribute.toSchema().toBER(false)) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map((x) => x.attribute);
  const signature = sign('sha256', encodeSignedAttributesForSignature(attributes), key);
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: sha256Algorithm(),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() }),
    signature: new asn1js.OctetString({ valueHex: signature }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256Algorithm()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [cert],
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER(false)).toString('base64');
}

function findSignerCertificate(signedData: pkijs.SignedData, signerInfo: pkijs.SignerInfo): pkijs.Certificate | undefined {
  const candidates = (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const sid = signerInfo.sid;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return candidates.find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber));
  }
  // RFC 5652 5.3: otherwise sid is [0] SubjectKeyIdentifier.
  const wanted = Buffer.from((sid as asn1js.Primitive).valueBlock.valueHexView);
  return candidates.find((c) => {
    const ski = c.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
    return ski !== undefined && Buffer.from(ski.valueBlock.valueHexView).equals(wanted);
  });
}

function attributeValue(signerInfo: pkijs.SignerInfo, type: string): asn1js.AsnType | undefined {
  return signerInfo.signedAttrs?.attributes.find((a) => a.type === type)?.values[0];
}

/** Checks an MDM-Signature value against the body; `valid: false` carries the first problem found. */
export function verifyDetached(body: Uint8Array, signatureBase64: string, options: VerifyDetachedOptions): DetachedVerification {
  if (options.trustedCaPem === undefined && options.expectedCertDer === undefined) {
    throw errors.DMC_ERR_PKI_CMS_NO_TRUST_ANCHOR.create({ received: Object.keys(options) });
  }
  const der = decodeBase64Strict(signatureBase64);
  if (der === undefined) return { valid: false, reason: 'MDM-Signature is not base64' };
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || parsed.offset !== der.byteLength) return { valid: false, reason: 'MDM-Signature is not one DER element' };
  let signedData: pkijs.SignedData;
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: parsed.result });
    if (contentInfo.contentType !== OID.signedData) {
      return { valid: false, reason: `MDM-Signature content type is ${contentInfo.contentType}, expected signedData ${OID.signedData}` };
    }
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (err) {
    return { valid: false, reason: `MDM-Signature is not a CMS SignedData (${(err as Error).message})` };
  }
  if (signedData.encapContentInfo.eContent !== undefined) return { valid: false, reason: 'MDM-Signature is not detached: it carries eContent' };
  if (signedData.signerInfos.length !== 1) return { valid: false, reason: `MDM-Signature has ${signedData.signerInfos.length} SignerInfos, expected 1` };
  const signerInfo = signedData.signerInfos[0]!;
  const signerCert = findSignerCertificate(signedData, signerInfo);
  if (signerCert === undefined) return { valid: false, reason: 'MDM-Signature does not include the signer certificate' };
  const certDer = new Uint8Array(signerCert.toSchema().toBER(false));
  const signerThumbprint = thumbprintOf(certDer);
  const fail = (reason: string): DetachedVerification => ({ valid: false, reason, signerThumbprint });

  const digestHash = DIGEST_HASH[signerInfo.digestAlgorithm.algorithmId];
  if (digestHash === undefined) return fail(`digest algorithm ${signerInfo.digestAlgorithm.algorithmId} is not supported`);
  const sigOid = signerInfo.signatureAlgorithm.algorithmId;
  const signatureHash = sigOid === OID.rsaEncryption ? digestHash : RSA_SIGNATURE_HASH[sigOid];
  if (signatureHash === undefined) return fail(`signature algorithm ${sigOid} is not supported`);

  let signedBytes: Uint8Array;
  if (signerInfo.signedAttrs !== undefined) {
    const digest = attributeValue(signerInfo, OID.messageDigest);
    if (!(digest instanceof asn1js.OctetString)) return fail('signed attributes lack messageDigest');
    const bodyDigest = createHash(digestHash).update(body).digest();
    if (!bodyDigest.equals(Buffer.from(digest.valueBlock.valueHexView))) {
      return fail(`messageDigest does not match the body (${digestHash.toUpperCase()})`);
    }
    const contentType = attributeValue(signerInfo, OID.contentType);
    if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== signedData.encapContentInfo.eContentType) {
      return fail('signed attributes lack a contentType equal to eContentType');
    }
    // RFC 5652 5.4: verify over the attributes as received, with the [0] IMPLICIT tag replaced by SET (0x31).
    signedBytes = new Uint8Array(signerInfo.signedAttrs.encodedValue.slice(0));
    signedBytes[0] = 0x31;
  } else {
    signedBytes = body;
  }
  const signer = new X509Certificate(Buffer.from(certDer));
  if (!verify(signatureHash, signedBytes, signer.publicKey, Buffer.from(signerInfo.signature.valueBlock.valueHexView))) {
    return fail('signature does not verify with the signer certificate');
  }

  if (options.expectedCertDer !== undefined && !Buffer.from(options.expectedCertDer).equals(Buffer.from(certDer))) {
    return fail(`signer ${signerThumbprint} is not the expected certificate ${thumbprintOf(options.expectedCertDer)}`);
  }
  if (options.trustedCaPem !== undefined) {
    const ca = new X509Certificate(options.trustedCaPem);
    if (!signer.checkIssued(ca) || !signer.verify(ca.publicKey)) return fail(`signer ${signerThumbprint} is not issued by the trusted CA`);
    const now = options.now ?? new Date();
    if (now < new Date(signer.validFrom) || now > new Date(signer.validTo)) {
      return fail(`signer ${signerThumbprint} is outside its validity (${signer.validFrom} to ${signer.validTo})`);
    }
  }
  return { valid: true, signerThumbprint, signerSubject: signer.subject.replace(/\n/g, ', ') };
}
