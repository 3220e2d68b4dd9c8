/**
 * Removes secrets from what the server writes to transcripts: UsernameToken passwords, SyncML Cred data (digests),
 * AAUTHSECRET values inside the wap-provisioningdoc (also inside the base64 BinarySecurityToken that carries it),
 * PEM private keys, and credential-bearing HTTP headers. Works on text because it must also cover bodies that did
 * not parse.
 */

export const REDACTED = '[redacted]';

const PASSWORD = /(<(?:[\w-]+:)?Password\b[^>]*>)[\s\S]*?(<\/(?:[\w-]+:)?Password>)/g;
/** A Password element whose closing tag is missing or mangled (a broken request still carries the password). */
const PASSWORD_UNCLOSED = /(<(?:[\w-]+:)?Password\b[^>]*>)(?!\[redacted\])[^<]+/g;
const CRED = /<Cred>[\s\S]*?<\/Cred>/g;
const DATA = /(<Data\b[^>]*>)[\s\S]*?(<\/Data>)/g;
const AAUTHSECRET = /(name="AAUTHSECRET"\s+value=")[^"]*(")/g;
const AAUTHSECRET_ESCAPED = /(name=&quot;AAUTHSECRET&quot;\s+value=&quot;)[\s\S]*?(&quot;)/g;
const PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;
const PROVISION_DOC_TOKEN = /(<(?:[\w-]+:)?BinarySecurityToken\b[^>]*DeviceEnrollmentProvisionDoc[^>]*>)([^<]*)(<\/(?:[\w-]+:)?BinarySecurityToken>)/g;
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

function redactProvisioningToken(base64: string): string {
  const doc = Buffer.from(base64.trim(), 'base64').toString('utf8');
  if (!doc.includes('wap-provisioningdoc')) return REDACTED;
  return Buffer.from(redactText(doc), 'utf8').toString('base64');
}

/**
 * Each pattern runs only when its literal part is in the text: a pattern without it cannot match, and the six scans
 * of every body cost about 150 µs per management message (issue #13, benchmarks/server.bench.ts) where `includes`
 * costs a few.
 *
 * `knownSecrets`: values the caller knows are secret (the server's enrollment password): replaced wherever they
 * appear, also in text no pattern recognises (a mangled request, an XML parser's message quoting it).
 */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  // Shorter values would redact ordinary words; a 1-3 character password is not a secret worth the name anyway.
  for (const secret of knownSecrets) if (secret.length >= 4 && out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  if (out.includes('BinarySecurityToken')) {
    out = out.replace(PROVISION_DOC_TOKEN, (_m, open: string, b64: string, close: string) => `${open}${redactProvisioningToken(b64)}${close}`);
  }
  if (out.includes('Password')) out = out.replace(PASSWORD, `$1${REDACTED}$2`).replace(PASSWORD_UNCLOSED, `$1${REDACTED}`);
  if (out.includes('<Cred>')) out = out.replace(CRED, (cred) => cred.replace(DATA, `$1${REDACTED}$2`));
  if (out.includes('AAUTHSECRET')) {
    out = out.replace(AAUTHSECRET, `$1${REDACTED}$2`).replace(AAUTHSECRET_ESCAPED, `$1${REDACTED}$2`);
  }
  if (out.includes('PRIVATE KEY-----')) {
    out = out.replace(PRIVATE_KEY, `-----BEGIN $1PRIVATE KEY-----${REDACTED}-----END $1PRIVATE KEY-----`);
  }
  return out;
}

export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
  }
  return out;
}
