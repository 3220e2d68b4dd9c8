/**
 * The harness certificate authority: one CA per data folder, kept across runs so a device that trusted it
 * (the enrollment response installs it in the device's Root store) keeps trusting the server, plus the HTTPS
 * server certificate it signs and the device certificates it issues from Windows CSRs.
 */
import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { inspect } from 'node:util';
import { z } from 'zod';
import { pemToDer, thumbprintOf, toArrayBuffer, x509 } from './der.js';
import { issueDeviceCertificate } from './device-certificate.js';
import type { IssueOptions, IssuedDeviceCertificate } from './device-certificate.js';
import { errors } from './errors.js';
import { IssuedStore } from './issued-store.js';
import type { IssuedCertificateRecord } from './issued-store.js';
import { ensurePkiDir, pkiPaths, readIfExists, writeFileAtomic } from './pki-files.js';
import type { PkiPaths } from './pki-files.js';
import { createCaCertificate, createServerCertificate, normalizeHosts, serverCertificateProblem } from './server-certificate.js';
import type { KeyAndCert } from './server-certificate.js';
import { verifyClientCertificate } from './client-certificate.js';
import type { ClientCertificateCheck } from './client-certificate.js';
import { parseWindowsCsr } from './windows-csr.js';
import type { WindowsCsr } from './windows-csr.js';

export interface LoadAuthorityOptions {
  /** The harness state folder; the CA lives in `<dataDir>/pki/`. */
  dataDir: string;
  /** Host names and IP addresses devices use to reach the server; localhost and 127.0.0.1 are always added. */
  hosts: readonly string[];
}

export interface AuthorityLoadReport {
  caCreated: boolean;
  serverCertificateIssued: boolean;
  /** Why the server certificate was (re-)issued, e.g. `host list changed from ... to ...`; undefined if reused. */
  serverCertificateReason: string | undefined;
}

const ServerMetaSchema = z.object({ hosts: z.array(z.string()).min(1) });

async function loadCa(paths: PkiPaths, now: Date): Promise<{ pems: KeyAndCert; created: boolean }> {
  const [keyPem, certPem] = await Promise.all([readIfExists(paths.caKey), readIfExists(paths.caCert)]);
  if (keyPem === undefined && certPem === undefined) {
    const pems = await createCaCertificate(now);
    // The key lands first: a certificate without its key would be reported as a broken CA on the next start.
    await writeFileAtomic(paths.caKey, pems.keyPem, { secret: true });
    await writeFileAtomic(paths.caCert, pems.certPem, { secret: false });
    return { pems, created: true };
  }
  // Never replace a half-present or broken CA silently: enrolled devices trust exactly this one.
  if (keyPem === undefined || certPem === undefined) {
    throw errors.DMC_ERR_PKI_CA_INVALID.create({ path: paths.dir, problem: `${keyPem === undefined ? 'ca.key.pem' : 'ca.cert.pem'} is missing` });
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw errors.DMC_ERR_PKI_CA_INVALID.create({ path: paths.caCert, problem: 'not a PEM certificate' });
  }
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    throw errors.DMC_ERR_PKI_CA_INVALID.create({ path: paths.caKey, problem: 'not a readable PEM private key' });
  }
  if (!matches) throw errors.DMC_ERR_PKI_CA_INVALID.create({ path: paths.dir, problem: 'ca.key.pem does not belong to ca.cert.pem' });
  if (!cert.ca) throw errors.DMC_ERR_PKI_CA_INVALID.create({ path: paths.caCert, problem: 'the certificate is not a CA (basicConstraints CA:false)' });
  if (new Date(cert.validTo) <= now) {
    throw errors.DMC_ERR_PKI_CA_INVALID.create({ path: paths.caCert, problem: `the CA expired on ${new Date(cert.validTo).toISOString()}` });
  }
  return { pems: { keyPem, certPem }, created: false };
}

async function loadServer(paths: PkiPaths, ca: KeyAndCert, hosts: string[], now: Date): Promise<{ pems: KeyAndCert; reason: string | undefined }> {
  const [keyPem, certPem, metaText] = await Promise.all([
    readIfExists(paths.serverKey),
    readIfExists(paths.serverCert),
    readIfExists(paths.serverMeta),
  ]);
  let reason = 'no server certificate yet';
  if (keyPem !== undefined && certPem !== undefined && metaText !== undefined) {
    let meta: z.infer<typeof ServerMetaSchema> | undefined;
    try {
      meta = ServerMetaSchema.parse(JSON.parse(metaText));
    } catch {
      meta = undefined;
    }
    let cert: X509Certificate | undefined;
    try {
      cert = new X509Certificate(certPem);
    } catch {
      cert = undefined;
    }
    // The server certificate is derived data: anything unreadable is simply issued again.
    if (meta === undefined || cert === undefined) reason = 'server.json or server.cert.pem unreadable';
    else {
      const problem = serverCertificateProblem({ cert, keyPem, hosts: meta.hosts }, new X509Certificate(ca.certPem), hosts, now);
      if (problem === undefined) return { pems: { keyPem, certPem }, reason: undefined };
      reason = problem;
    }
  }
  const pems = await createServerCertificate(ca, hosts, now);
  await writeFileAtomic(paths.serverKey, pems.keyPem, { secret: true });
  await writeFileAtomic(paths.serverCert, pems.certPem, { secret: false });
  await writeFileAtomic(paths.serverMeta, `${JSON.stringify({ hosts }, null, 2)}\n`, { secret: false });
  return { pems, reason };
}

export class Authority {
  readonly caCertPem: string;
  readonly caCertPath: string;
  /** Upper-case hex SHA-1 of the CA certificate: what a device's Root store lists. */
  readonly caThumbprint: string;
  readonly serverCertPem: string;
  readonly serverCertPath: string;
  /** The hosts the server certificate covers (normalised, localhost and 127.0.0.1 included). */
  readonly hosts: readonly string[];
  readonly loadReport: AuthorityLoadReport;
  readonly #serverKeyPem: string;
  readonly #caCert: X509Certificate;
  readonly #caCertX509: x509.X509Certificate;
  readonly #caSigningKey: webcrypto.CryptoKey;
  readonly #issued: IssuedStore;

  /** Use loadOrCreateAuthority. */
  constructor(init: {
    paths: PkiPaths;
    ca: KeyAndCert;
    server: KeyAndCert;
    hosts: string[];
    caSigningKey: webcrypto.CryptoKey;
    issued: IssuedStore;
    loadReport: AuthorityLoadReport;
  }) {
    this.caCertPem = init.ca.certPem;
    this.caCertPath = init.paths.caCert;
    this.serverCertPem = init.server.certPem;
    this.serverCertPath = init.paths.serverCert;
    this.#serverKeyPem = init.server.keyPem;
    this.hosts = Object.freeze([...init.hosts]);
    this.loadReport = init.loadReport;
    this.#caCert = new X509Certificate(init.ca.certPem);
    this.#caCertX509 = new x509.X509Certificate(init.ca.certPem);
    this.caThumbprint = thumbprintOf(this.#caCert.raw);
    this.#caSigningKey = init.caSigningKey;
    this.#issued = init.issued;
  }

  /** PEM private key of the server certificate, for fastify's `https: { key, cert }`. Never log it. */
  get serverKeyPem(): string {
    return this.#serverKeyPem;
  }

  get caCertDer(): Uint8Array {
    return new Uint8Array(this.#caCert.raw);
  }

  /**
   * Options for node's https / fastify `https`: the server certificate, and the CA as the list of acceptable
   * client-certificate issuers. Unauthorised clients are let through the handshake (rejectUnauthorized false)
   * because some Windows builds present no client certificate and fall back to SyncML MD5 digest.
   */
  httpsOptions(): { key: string; cert: string; ca: string[]; requestCert: true; rejectUnauthorized: false } {
    return { key: this.#serverKeyPem, cert: this.serverCertPem, ca: [this.caCertPem], requestCert: true, rejectUnauthorized: false };
  }

  /** Issues the MDM client certificate for a Windows CSR (parsed, or base64 / DER to be parsed and verified). */
  async issueDeviceCertificate(csr: WindowsCsr | string | Uint8Array, options: IssueOptions): Promise<IssuedDeviceCertificate> {
    const request = typeof csr === 'string' || csr instanceof Uint8Array ? parseWindowsCsr(csr) : csr;
    const issued = await issueDeviceCertificate({ cert: this.#caCertX509, signingKey: this.#caSigningKey }, request, options);
    await this.#issued.add({
      thumbprint: issued.thumbprint,
      serialNumber: issued.serialNumber,
      subject: issued.subject,
      deviceId: issued.deviceId,
      enrollmentType: issued.enrollmentType,
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      issuedAt: new Date().toISOString(),
      certPem: issued.certPem,
    });
    return issued;
  }

  /** The record of a certificate this CA issued (thumbprint in any case, colons and spaces ignored). */
  findIssuedByThumbprint(thumbprint: string): IssuedCertificateRecord | undefined {
    return this.#issued.find(thumbprint);
  }

  listIssued(): IssuedCertificateRecord[] {
    return this.#issued.list();
  }

  /** The TLS client-certificate identity check: issued by this CA, within validity, clientAuth EKU. */
  verifyClientCertificate(cert: Uint8Array | string | X509Certificate, now = new Date()): ClientCertificateCheck {
    return verifyClientCertificate(cert, this.#caCert, (t) => this.#issued.find(t), now);
  }

  toJSON(): Record<string, unknown> {
    return { caCertPath: this.caCertPath, caThumbprint: this.caThumbprint, serverCertPath: this.serverCertPath, hosts: this.hosts };
  }

  [inspect.custom](): string {
    return `Authority ${inspect(this.toJSON())}`;
  }
}

/**
 * Loads the CA from `<dataDir>/pki/` or creates it, then reuses the server certificate unless the host list
 * changed, it expires within 30 days, or it no longer matches the CA or its key, in which case it is re-issued.
 */
export async function loadOrCreateAuthority(options: LoadAuthorityOptions, now = new Date()): Promise<Authority> {
  const paths = pkiPaths(options.dataDir);
  const hosts = normalizeHosts(options.hosts);
  await ensurePkiDir(paths);
  const ca = await loadCa(paths, now);
  const server = await loadServer(paths, ca.pems, hosts, now);
  const issued = await IssuedStore.open(paths.issued, paths.issuedLegacy);
  const caKeyDer = pemToDer(ca.pems.keyPem, 'PRIVATE KEY');
  if (caKeyDer === undefined) throw errors.DMC_ERR_PKI_CA_INVALID.create({ path: paths.caKey, problem: 'not a PKCS #8 PEM ("BEGIN PRIVATE KEY")' });
  const caSigningKey = await webcrypto.subtle.importKey('pkcs8', toArrayBuffer(caKeyDer), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  return new Authority({
    paths,
    ca: ca.pems,
    server: server.pems,
    hosts,
    caSigningKey,
    issued,
    loadReport: { caCreated: ca.created, serverCertificateIssued: server.reason !== undefined, serverCertificateReason: server.reason },
  });
}
