/**
 * Client certificates the harness never issued, for the authentication cases: one from another CA, and one the
 * harness CA signed but that has expired (signed here with the CA key of the campaign's own data folder, since the
 * server issues only valid certificates).
 */
import { webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
// ../pki/index.js sets @peculiar/x509's crypto provider to node's webcrypto.
import { derToPem, pemToDer } from '../pki/index.js';

const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const DAY = 86_400_000;

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface ClientPair {
  certPem: string;
  keyPem: string;
}

async function leaf(input: { cn: string; issuer: string; signingKey: CryptoKey; notBefore: Date; notAfter: Date }): Promise<ClientPair> {
  const keys = (await webcrypto.subtle.generateKey({ ...ALG, modulusLength: 1024 }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01' + Date.now().toString(16),
    subject: `CN=${input.cn}`,
    issuer: input.issuer,
    notBefore: input.notBefore,
    notAfter: input.notAfter,
    publicKey: keys.publicKey,
    signingKey: input.signingKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    ],
  });
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: cert.toString('pem'), keyPem: derToPem(pkcs8, 'PRIVATE KEY') };
}

/** A client certificate for `deviceId` from a CA the harness does not know. */
export async function certificateFromAnotherCa(deviceId: string): Promise<ClientPair> {
  const ca = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  return leaf({ cn: deviceId, issuer: 'CN=Some Other CA', signingKey: ca.privateKey, notBefore: new Date(now - DAY), notAfter: new Date(now + 30 * DAY) });
}

/** A client certificate for `deviceId`, signed by the harness CA of `dataDir`, that expired yesterday. */
export async function expiredHarnessCertificate(dataDir: string, deviceId: string): Promise<ClientPair> {
  const caCert = new x509.X509Certificate(await readFile(join(dataDir, 'pki', 'ca.cert.pem'), 'utf8'));
  const der = pemToDer(await readFile(join(dataDir, 'pki', 'ca.key.pem'), 'utf8'), 'PRIVATE KEY');
  if (der === undefined) throw new Error(`no PKCS #8 CA key in ${dataDir}/pki`);
  const signingKey = await webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const now = Date.now();
  return leaf({ cn: deviceId, issuer: caCert.subject, signingKey, notBefore: new Date(now - 10 * DAY), notAfter: new Date(now - DAY) });
}
