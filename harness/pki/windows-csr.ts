/**
 * Reading the PKCS #10 request (RFC 2986) the Windows enrollment client sends in the MS-WSTEP
 * RequestSecurityToken BinarySecurityToken (MS-MDE2 3.4.4.1.1.1: ValueType ...#PKCS10, base64).
 *
 * What real Windows sends (captured from Windows 10 19043, see fixtures/README.md):
 * - the subject CN is a PrintableString holding `!` and ending in a NUL byte, which strict parsers reject;
 * - the signature algorithm is the old OIW OID 1.3.14.3.2.29 (sha1WithRSASignature);
 * - an extensionRequest carries 1.3.6.1.4.1.311.66.1.0, an OCTET STRING of the device ID in ASCII plus NUL.
 * So the request is walked with asn1js by hand and its signature checked with node:crypto over the exact
 * CertificationRequestInfo bytes received.
 */
import { createPublicKey, verify } from 'node:crypto';
import { bitStringBytes, children, directoryString, integer, oid, octetString, parseDer, rawBytes, sequence, setOf } from './asn1-read.js';
import type { Block } from './asn1-read.js';
import { decodeBase64Strict } from './der.js';
import { errors } from './errors.js';
import { OID, RSA_SIGNATURE_HASH } from './oids.js';
import type { HashName } from './oids.js';

export interface CsrExtension {
  oid: string;
  critical: boolean;
  /** extnValue's content octets. */
  value: Uint8Array;
}

export interface WindowsCsr {
  /** The request as received (DER). */
  der: Uint8Array;
  /** Subject CN with trailing NUL bytes removed: what a certificate subject should carry. */
  subjectCommonName: string;
  /** Subject CN exactly as sent, NUL included. */
  subjectCommonNameRaw: string;
  /** ASN.1 string type of the CN as sent (Windows: PrintableString). */
  subjectCommonNameStringType: string;
  /** From extension 1.3.6.1.4.1.311.66.1.0, trailing NULs removed; undefined when the request has none. */
  deviceId: string | undefined;
  /** The subject public key as SubjectPublicKeyInfo DER (RSA). */
  publicKey: Uint8Array;
  signatureAlgorithmOid: string;
  signatureHash: HashName;
  /** Always true: a request whose signature does not verify is rejected with DMC_ERR_PKI_CSR_BAD_SIGNATURE. */
  signatureValid: true;
  extensions: CsrExtension[];
}

/** Removes the NUL terminator(s) Windows appends to C strings it copies into ASN.1. */
export function stripTrailingNul(text: string): string {
  return text.replace(/\u0000+$/, '');
}

function toDer(input: string | Uint8Array): Uint8Array {
  if (typeof input !== 'string') return input;
  const der = decodeBase64Strict(input);
  if (der === undefined) throw errors.DMC_ERR_PKI_CSR_NOT_BASE64.create({ length: input.length, received: input });
  return der;
}

function readCommonName(subject: Block): { text: string; stringType: string } {
  const where = 'CertificationRequestInfo.subject';
  const seen: string[] = [];
  for (const rdn of sequence(subject, where)) {
    for (const atv of setOf(rdn, `${where} RDN`, 1)) {
      const [type, value] = sequence(atv, `${where} AttributeTypeAndValue`, 2);
      const typeOid = oid(type, `${where} AttributeTypeAndValue.type`);
      seen.push(typeOid);
      if (typeOid === OID.commonName) return directoryString(value, `${where} CN value`);
    }
  }
  throw errors.DMC_ERR_PKI_CSR_MISSING_COMMON_NAME.create({ subjectAttributes: seen });
}

function readExtensions(attributes: Block | undefined): CsrExtension[] {
  // RFC 2986 4.1: attributes [0] IMPLICIT SET OF Attribute; only extensionRequest matters here.
  if (attributes === undefined) return [];
  const where = 'CertificationRequestInfo.attributes';
  const id = (attributes as { idBlock?: { tagClass: number; tagNumber: number } }).idBlock;
  if (id?.tagClass !== 3 || id.tagNumber !== 0) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `expected [0] IMPLICIT SET, found tag class ${id?.tagClass} number ${id?.tagNumber}` });
  }
  const extensions: CsrExtension[] = [];
  for (const attribute of children(attributes, where, 0)) {
    const [type, values] = sequence(attribute, `${where} Attribute`, 2);
    if (oid(type, `${where} Attribute.type`) !== OID.extensionRequest) continue;
    for (const value of setOf(values, `${where} extensionRequest values`)) {
      for (const extension of sequence(value, 'extensionRequest Extensions')) {
        const parts = sequence(extension, 'extensionRequest Extension', 2);
        const extOid = oid(parts[0], 'Extension.extnID');
        const hasCritical = parts.length === 3;
        const criticalBlock = hasCritical ? parts[1] : undefined;
        const critical = criticalBlock !== undefined && (criticalBlock as { valueBlock?: { value?: unknown } }).valueBlock?.value === true;
        extensions.push({ oid: extOid, critical, value: octetString(parts[hasCritical ? 2 : 1], `Extension ${extOid} extnValue`) });
      }
    }
  }
  return extensions;
}

/** Parses and verifies a Windows enrollment CSR; throws a DmcError (DMC_ERR_PKI_CSR_*) naming what was wrong. */
export function parseWindowsCsr(input: string | Uint8Array): WindowsCsr {
  const der = toDer(input);
  // RFC 2986 4.2: CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature }
  const [info, algorithm, signatureBits] = sequence(parseDer(der, 'CertificationRequest'), 'CertificationRequest', 3);
  const [version, subject, spki, attributes] = sequence(info, 'CertificationRequestInfo', 3);
  const versionNumber = integer(version, 'CertificationRequestInfo.version');
  if (versionNumber !== 0) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where: 'CertificationRequestInfo.version', problem: `expected 0 (v1), found ${versionNumber}` });
  }
  const cn = readCommonName(subject!);
  const [keyAlgorithm] = sequence(spki, 'subjectPKInfo', 2);
  const keyOid = oid(sequence(keyAlgorithm, 'subjectPKInfo.algorithm', 1)[0], 'subjectPKInfo.algorithm.algorithm');
  if (keyOid !== OID.rsaEncryption) throw errors.DMC_ERR_PKI_CSR_UNSUPPORTED_KEY.create({ oid: keyOid });
  const extensions = readExtensions(attributes);

  const signatureAlgorithmOid = oid(sequence(algorithm, 'signatureAlgorithm', 1)[0], 'signatureAlgorithm.algorithm');
  const signatureHash = RSA_SIGNATURE_HASH[signatureAlgorithmOid];
  if (signatureHash === undefined) {
    throw errors.DMC_ERR_PKI_CSR_UNSUPPORTED_SIGNATURE_ALGORITHM.create({ oid: signatureAlgorithmOid });
  }
  const signature = bitStringBytes(signatureBits, 'signature');
  const publicKey = rawBytes(spki!);
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  } catch (cause) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create(
      { where: 'subjectPKInfo', problem: `node:crypto cannot load the RSA key (${(cause as Error).message})` },
      { cause },
    );
  }
  // RFC 2986 4.2: the signature is computed over the DER of certificationRequestInfo, so verify the bytes
  // as received; re-encoding would "fix" the CN and break the signature.
  const subjectCommonName = stripTrailingNul(cn.text);
  if (!verify(signatureHash, rawBytes(info!), key, signature)) {
    throw errors.DMC_ERR_PKI_CSR_BAD_SIGNATURE.create({ algorithmOid: signatureAlgorithmOid, subjectCommonName });
  }

  const deviceIdExtension = extensions.find((e) => e.oid === OID.msDeviceId);
  return {
    der,
    subjectCommonName,
    subjectCommonNameRaw: cn.text,
    subjectCommonNameStringType: cn.stringType,
    deviceId: deviceIdExtension && stripTrailingNul(Buffer.from(deviceIdExtension.value).toString('latin1')),
    publicKey,
    signatureAlgorithmOid,
    signatureHash,
    signatureValid: true,
    extensions,
  };
}
