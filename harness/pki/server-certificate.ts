/**
 * The harness CA and the HTTPS server certificate, made with selfsigned (v5: WebCrypto, `ca` option to sign a
 * leaf with an existing CA). SHA-256 and RSA 2048 always: Windows refuses SHA-1 server certificates.
 */
import './der.js'; // loads reflect-metadata before selfsigned pulls in @peculiar/x509
import { generate } from 'selfsigned';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { errors } from './errors.js';

export const CA_VALIDITY_DAYS = 3650;
export const SERVER_VALIDITY_DAYS = 397;
/** A server certificate closer than this to its end is re-issued at start-up. */
export const SERVER_RENEW_BEFORE_DAYS = 30;
/** Certificates start an hour early: test VMs restored from snapshots often run a little behind. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

export async function createCaCertificate(now = new Date()): Promise<KeyAndCert> {
  // A short random suffix tells two harness installations' CAs apart in a device's certificate store.
  const commonName = `DMClient Conformance Harness CA ${randomBytes(4).toString('hex').toUpperCase()}`;
  const result = await generate(
    [
      { name: 'commonName', value: commonName },
      { name: 'organizationName', value: 'dmclient-conformance' },
    ],
    {
      keyType: 'rsa',
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
      notAfterDate: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  );
  return { keyPem: result.private, certPem: result.cert };
}

/**
 * The host list a server certificate covers: the given names and addresses (trimmed, DNS names lower-cased,
 * `[v6]` brackets dropped, duplicates removed, order kept) plus localhost and 127.0.0.1. The first entry is the CN.
 */
export function normalizeHosts(hosts: readonly string[]): string[] {
  const out: string[] = [];
  for (const given of [...hosts, 'localhost', '127.0.0.1']) {
    let host = given.trim();
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    if (host === '') continue;
    if (isIP(host) === 0) {
      host = host.toLowerCase();
      // RFC 1123 labels, no wildcards: a typo here would give a certificate Windows rejects.
      if (!/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(host)) {
        throw errors.DMC_ERR_PKI_INVALID_HOST.create({ host: given });
      }
    }
    if (!out.includes(host)) out.push(host);
  }
  return out;
}

export async function createServerCertificate(ca: KeyAndCert, hosts: readonly string[], now = new Date()): Promise<KeyAndCert> {
  const result = await generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
    notAfterDate: new Date(now.getTime() + SERVER_VALIDITY_DAYS * DAY_MS),
    ca: { key: ca.keyPem, cert: ca.certPem },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hosts.map((host) => (isIP(host) === 0 ? { type: 2 as const, value: host } : { type: 7 as const, ip: host })),
      },
    ],
  });
  return { keyPem: result.private, certPem: result.cert };
}

/** Why the stored server certificate must be replaced, or undefined when it can stay. */
export function serverCertificateProblem(
  server: { cert: X509Certificate; keyPem: string; hosts: readonly string[] },
  ca: X509Certificate,
  wantedHosts: readonly string[],
  now = new Date(),
): string | undefined {
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
  if (!same(server.hosts, wantedHosts)) return `host list changed from ${server.hosts.join(',')} to ${wantedHosts.join(',')}`;
  if (!server.cert.checkIssued(ca) || !server.cert.verify(ca.publicKey)) return 'not signed by the current CA';
  try {
    if (!server.cert.checkPrivateKey(createPrivateKey(server.keyPem))) return 'key does not match the certificate';
  } catch {
    return 'key file is not a readable private key';
  }
  const uncovered = wantedHosts.find((h) => (isIP(h) === 0 ? server.cert.checkHost(h) === undefined : server.cert.checkIP(h) === undefined));
  if (uncovered !== undefined) return `certificate does not cover ${uncovered}`;
  if (new Date(server.cert.validTo).getTime() - now.getTime() < SERVER_RENEW_BEFORE_DAYS * DAY_MS) return 'expires within 30 days';
  return undefined;
}
