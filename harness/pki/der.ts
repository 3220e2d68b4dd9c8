/**
 * Small encodings every PKI file needs: PEM <-> DER, the Windows-style thumbprint, strict base64, and the one
 * place that wires node's WebCrypto into @peculiar/x509 and pkijs.
 */
// @peculiar/x509 resolves its algorithm registry through tsyringe, which needs the Reflect metadata polyfill
// loaded before it; ESM evaluates imports in order, so this line must stay first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import * as pkijs from 'pkijs';
import { createHash, webcrypto } from 'node:crypto';

// Both libraries look up a global crypto provider; set it from node so no code depends on a browser global.
x509.cryptoProvider.set(webcrypto);
pkijs.setEngine('node-webcrypto', new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto }));

export { x509, pkijs };

/** Upper-case hex SHA-1 of a certificate's DER, spelled as Windows shows it (certmgr, Get-ChildItem Cert:). */
export function thumbprintOf(der: Uint8Array): string {
  return createHash('sha1').update(der).digest('hex').toUpperCase();
}

/** A thumbprint as `thumbprintOf` spells it, from one typed or copied with spaces, colons or lower case. */
export function normalThumbprint(thumbprint: string): string {
  return thumbprint.replace(/[\s:]/g, '').toUpperCase();
}

export function derToPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER inside the first PEM block with this label, or undefined when there is none. */
export function pemToDer(pem: string, label: string): Uint8Array | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (match?.[1] === undefined) return undefined;
  return new Uint8Array(Buffer.from(match[1].replace(/\s+/g, ''), 'base64'));
}

/**
 * Decodes base64 strictly. Node's decoder silently skips characters outside the alphabet, which would turn
 * garbage from a device into a few random bytes instead of a clear error. Whitespace (line breaks inside XML
 * text) is allowed; URL-safe characters are not.
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** A fresh positive serial number (RFC 5280 4.1.2.2: positive, at most 20 octets) as lower-case hex. */
export function randomSerialHex(bytes = 16): string {
  const raw = webcrypto.getRandomValues(new Uint8Array(bytes));
  raw[0] = (raw[0]! & 0x7f) | 0x01; // high bit clear keeps it positive; low bit set keeps the first octet non-zero
  return Buffer.from(raw).toString('hex');
}

/** Copies a view into an ArrayBuffer of its own, as WebCrypto-based APIs expect BufferSource without offsets. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
