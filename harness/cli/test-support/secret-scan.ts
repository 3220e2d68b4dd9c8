/**
 * Searching files for secrets the way a leak would show them: the secret as it is, UTF-16LE (PowerShell's
 * -EncodedCommand), inside base64 at any of the three byte alignments (a secret in a base64 blob such as a
 * provisioning document or an encoded command), base64url, hex; private keys as PEM blocks and as their key
 * material (the JWK private part, whatever format or wrapping the key was written in).
 */
import { createHash, createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import ssh2 from 'ssh2';

export interface Needle {
  /** What the secret is (never the secret itself: this label is printed when a test fails). */
  label: string;
  text: string;
}

/** The part of base64(prefix of `k` bytes + secret) that depends only on the secret, for k = 0, 1, 2. */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const core = encoded.slice(k === 0 ? 0 : 4, -4);
    if (core.length >= 8) cores.push(core);
  }
  return cores;
}

/** Every form in which `secret` would give itself away in a text file. */
export function secretNeedles(label: string, secret: string | Buffer): Needle[] {
  const forms: Array<[string, Buffer]> = typeof secret === 'string'
    ? [['utf8', Buffer.from(secret, 'utf8')], ['utf16le', Buffer.from(secret, 'utf16le')]]
    : [['bytes', secret]];
  const needles: Needle[] = [];
  for (const [form, bytes] of forms) {
    if (form !== 'bytes') needles.push({ label: `${label} (${form === 'utf8' ? 'plain' : 'UTF-16LE'})`, text: bytes.toString(form === 'utf8' ? 'utf8' : 'latin1') });
    for (const core of base64Cores(bytes)) {
      needles.push({ label: `${label} (base64 of ${form})`, text: core });
      needles.push({ label: `${label} (base64url of ${form})`, text: core.replace(/\+/g, '-').replace(/\//g, '_') });
    }
    if (bytes.length >= 8) needles.push({ label: `${label} (hex of ${form})`, text: bytes.toString('hex') });
  }
  return needles.filter((n) => n.text.length >= 8);
}

/** SyncML MD5 digest: the stored form of an account, b64(md5(name:secret)), gives the account away as well. */
export function digestAccountNeedles(label: string, account: { name: string; secret: string }): Needle[] {
  const hashed = createHash('md5').update(`${account.name}:${account.secret}`).digest('base64');
  return [...secretNeedles(`${label} secret`, account.secret), { label: `${label} H(name:secret)`, text: hashed }];
}

export const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----([\s\S]*?)-----END \1PRIVATE KEY-----/g;

/**
 * The private keys in a text (PEM blocks, also JSON-escaped inside a JSON file), each as the needles of its key
 * material: the JWK private component (RSA d, Ed25519 seed), so the key is found again however it is encoded.
 */
export function privateKeyNeedles(label: string, text: string): Needle[] {
  const needles: Needle[] = [];
  const unescaped = text.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
  for (const match of unescaped.matchAll(PEM_BLOCK)) {
    let pem = match[0];
    if (match[1] === 'OPENSSH ') {
      const parsed = ssh2.utils.parseKey(pem);
      if (parsed instanceof Error) throw new Error(`${label}: an OpenSSH key that ssh2 cannot parse: ${parsed.message}`);
      pem = parsed.getPrivatePEM();
    }
    const jwk = createPrivateKey(pem).export({ format: 'jwk' });
    const material = Buffer.from(String(jwk.d), 'base64url');
    needles.push(...secretNeedles(`${label} private key material`, material.subarray(0, Math.min(material.length, 48))));
  }
  return needles;
}

/** Every file under `dir`, relative to `root`, skipping directories `skip` says to skip (by their path). */
export function filesUnder(root: string, dir: string, skip: (relativeDir: string) => boolean = () => false): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skip(path) ? [] : filesUnder(root, path, skip);
    return entry.isFile() ? [path] : [];
  });
}

export interface Finding {
  file: string;
  found: string[];
}

/** The files of a zip archive (stored or deflated), read through its central directory. */
export function unzip(zip: Buffer): Array<{ name: string; data: Buffer }> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const files: Array<{ name: string; data: Buffer }> = [];
  for (let i = 0; i < entries; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + size);
    files.push({ name, data: method === 0 ? raw : inflateRawSync(raw) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

/** Playwright's HTML report carries its data (test steps, attachments) as a base64 zip inside index.html. */
const EMBEDDED_ZIP = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/g;

/**
 * Text of a file with line wrapping and JSON escapes removed, so a wrapped base64 body still matches; an HTML
 * report's embedded zip is opened and its files appended.
 */
function searchable(path: string): string {
  const raw = readFileSync(path).toString('latin1');
  const embedded = [...raw.matchAll(EMBEDDED_ZIP)].flatMap((m) => unzip(Buffer.from(m[1]!, 'base64')).map((f) => f.data.toString('latin1')));
  return [raw, ...embedded].join('\n').replace(/\\[nr]|[\r\n]/g, '').replace(/\\\//g, '/');
}

/** The files (under `root`) in which any needle occurs, with the labels of what was found. */
export function scan(root: string, files: readonly string[], needles: readonly Needle[]): Finding[] {
  const findings: Finding[] = [];
  for (const file of files) {
    const text = searchable(join(root, file));
    const found = new Set<string>();
    if (PEM_PRIVATE_KEY.test(text)) found.add('a PEM private key block');
    for (const needle of needles) if (text.includes(needle.text)) found.add(needle.label);
    if (found.size > 0) findings.push({ file: relative('.', file), found: [...found].sort() });
  }
  return findings;
}

export function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}
