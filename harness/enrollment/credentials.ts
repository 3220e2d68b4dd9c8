/**
 * OnPremise authentication (MS-MDE2 3.3.4.1.1.1, 3.4.4.1.1.1): the WS-Security UsernameToken with a PasswordText
 * password, checked against the run's credentials. Comparison hashes both sides first so its time does not
 * depend on where the strings differ, or on their lengths.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { errors } from './errors.js';
import type { UsernameToken } from './soap-xml.js';

export interface RunCredentials {
  user: string;
  password: string;
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** Returns the authenticated user name (the enrollment's UPN); throws the fault-mapped error otherwise. */
export function checkUsernameToken(token: UsernameToken | undefined, credentials: RunCredentials, endpoint: string): string {
  if (token === undefined || token.password === undefined) {
    throw errors.DMC_ERR_ENROLLMENT_MISSING_CREDENTIALS.create({ endpoint });
  }
  // Both checks always run, so a wrong user and a wrong password take the same time.
  const userOk = sameSecret(token.username.toLowerCase(), credentials.user.toLowerCase());
  const passwordOk = sameSecret(token.password, credentials.password);
  if (!userOk || !passwordOk) {
    throw errors.DMC_ERR_ENROLLMENT_BAD_CREDENTIALS.create({ endpoint, username: token.username });
  }
  return token.username;
}
