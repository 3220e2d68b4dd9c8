/**
 * SyncML MD5 digest (OMA DM 1.2 Security 5.4.1, `syncml:auth-md5`):
 *   Cred.Data = B64( MD5( B64( MD5( name ":" secret ) ) ":" nonce ) )
 * where nonce is the raw nonce bytes (the NextNonce travels base64-encoded with Meta.Format b64, and the digest is
 * computed over the decoded bytes).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Chal } from '../syncml/index.js';

export const AUTH_MD5 = 'syncml:auth-md5';

export function computeMd5Digest(name: string, secret: string, nonceBase64: string): string {
  const inner = createHash('md5').update(`${name}:${secret}`, 'utf8').digest('base64');
  return createHash('md5')
    .update(Buffer.concat([Buffer.from(`${inner}:`, 'utf8'), Buffer.from(nonceBase64, 'base64')]))
    .digest('base64');
}

export function digestMatches(received: string, expected: string): boolean {
  const a = Buffer.from(received.trim(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function freshNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The Chal a Status carries so the device retries (or continues) with this nonce. */
export function md5Challenge(nonceBase64: string): Chal {
  return { Meta: { Format: 'b64', Type: AUTH_MD5, NextNonce: nonceBase64 } };
}
