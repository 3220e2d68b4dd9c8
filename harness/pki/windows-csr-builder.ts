/**
 * Builds a PKCS #10 request the way the Windows enrollment client does, quirks included, for the virtual device
 * and for tests. Every byte mirrors the captured Windows 10 request (fixtures/04-enroll-post.http): a test
 * rebuilds that request's CertificationRequestInfo from its CN, device ID and key and gets the same bytes.
 */
import * as asn1js from 'asn1js';
import { KeyObject, createPublicKey, randomUUID, sign } from 'node:crypto';
import { errors } from './errors.js';
import { OID } from './oids.js';

export interface WindowsLikeCsrInput {
  /** The device ID (Windows: 32 upper-case hex digits), written to extension 1.3.6.1.4.1.311.66.1.0. */
  deviceId: string;
  /**
   * Subject CN without the NUL (the builder appends it). Default: Windows' shape, the first 30 characters of an
   * upper-case GUID, `!`, the device ID; 30 + 1 + 32 + the NUL fill X.520's 64-character CN limit exactly.
   */
  commonName?: string;
  /** RSA private key that signs the request. */
  privateKey: KeyObject;
  /** RSA public key put into the request; default: derived from privateKey. */
  publicKey?: KeyObject;
}

function checkText(input: string, value: unknown): string {
  // PrintableString and the extension hold single bytes; a NUL inside would end the string on Windows.
  if (typeof value !== 'string' || value.length === 0 || !/^[\x20-\x7e]+$/.test(value)) {
    throw errors.DMC_ERR_PKI_CSR_BUILD_INVALID_INPUT.create({
      input,
      problem: `must be non-empty printable ASCII, received ${JSON.stringify(String(value)).slice(0, 80)}`,
    });
  }
  return value;
}

function checkRsaKey(input: string, key: unknown, type: 'private' | 'public'): KeyObject {
  if (!(key instanceof KeyObject) || key.type !== type || key.asymmetricKeyType !== 'rsa') {
    const got = key instanceof KeyObject ? `${key.type} ${key.asymmetricKeyType ?? 'secret'} KeyObject` : typeof key;
    throw errors.DMC_ERR_PKI_CSR_BUILD_INVALID_INPUT.create({ input, problem: `must be an RSA ${type} KeyObject, received a ${got}` });
  }
  return key;
}

/** Windows' default subject CN shape, see WindowsLikeCsrInput.commonName. */
export function windowsLikeCommonName(deviceId: string): string {
  return `${randomUUID().toUpperCase().slice(0, 30)}!${deviceId}`;
}

/**
 * The CertificationRequestInfo DER (RFC 2986 4.1) with Windows' quirks: CN as PrintableString with a trailing
 * NUL, and an extensionRequest holding the device ID + NUL as the raw content of the extension's OCTET STRING.
 */
export function encodeWindowsCertificationRequestInfo(input: {
  commonName: string;
  deviceId: string;
  subjectPublicKeyInfo: Uint8Array;
}): Uint8Array {
  const commonName = checkText('commonName', input.commonName);
  const deviceId = checkText('deviceId', input.deviceId);
  const spki = asn1js.fromBER(input.subjectPublicKeyInfo);
  if (spki.offset !== input.subjectPublicKeyInfo.byteLength) {
    throw errors.DMC_ERR_PKI_CSR_BUILD_INVALID_INPUT.create({ input: 'subjectPublicKeyInfo', problem: 'is not one DER element' });
  }
  const info = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({
        value: [
          new asn1js.Set({
            value: [
              new asn1js.Sequence({
                value: [
                  new asn1js.ObjectIdentifier({ value: OID.commonName }),
                  // asn1js does not check PrintableString's alphabet, which is what lets `!` and NUL through.
                  new asn1js.PrintableString({ value: `${commonName}\u0000` }),
                ],
              }),
            ],
          }),
        ],
      }),
      spki.result,
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.ObjectIdentifier({ value: OID.extensionRequest }),
              new asn1js.Set({
                value: [
                  new asn1js.Sequence({
                    value: [
                      new asn1js.Sequence({
                        value: [
                          new asn1js.ObjectIdentifier({ value: OID.msDeviceId }),
                          new asn1js.OctetString({ valueHex: Buffer.from(`${deviceId}\u0000`, 'latin1') }),
                        ],
                      }),
                    ],
                  }),
                ],
              }),
            ],
          }),
        ],
      }),
    ],
  });
  return new Uint8Array(info.toBER(false));
}

/** A DER PKCS #10 request signed with SHA-1 under the old OIW OID 1.3.14.3.2.29, as Windows signs it. */
export function buildWindowsLikeCsr(input: WindowsLikeCsrInput): Uint8Array {
  const privateKey = checkRsaKey('privateKey', input.privateKey, 'private');
  const publicKey = input.publicKey === undefined ? createPublicKey(privateKey) : checkRsaKey('publicKey', input.publicKey, 'public');
  const deviceId = checkText('deviceId', input.deviceId);
  const info = encodeWindowsCertificationRequestInfo({
    commonName: input.commonName ?? windowsLikeCommonName(deviceId),
    deviceId,
    subjectPublicKeyInfo: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
  });
  const signature = sign('sha1', info, privateKey);
  const request = new asn1js.Sequence({
    value: [
      asn1js.fromBER(info).result,
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.sha1WithRSASignatureOiw }), new asn1js.Null()] }),
      new asn1js.BitString({ valueHex: signature }),
    ],
  });
  return new Uint8Array(request.toBER(false));
}
