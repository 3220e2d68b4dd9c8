import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pkijs, toArrayBuffer } from './der.js';
import { loadOrCreateAuthority } from './authority.js';
import type { Authority } from './authority.js';
import type { IssuedDeviceCertificate } from './device-certificate.js';
import { signDetached, verifyDetached } from './cms-signature.js';
import { buildWindowsLikeCsr } from './windows-csr-builder.js';

const body = new TextEncoder().encode('<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr></SyncML>');
let dir: string;
let authority: Authority;
let device: { key: KeyObject; cert: IssuedDeviceCertificate };
let stranger: { key: KeyObject; cert: IssuedDeviceCertificate };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dmc-pki-cms-'));
  authority = await loadOrCreateAuthority({ dataDir: join(dir, 'harness'), hosts: [] });
  const other = await loadOrCreateAuthority({ dataDir: join(dir, 'other'), hosts: [] });
  const { privateKey: key } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const csr = buildWindowsLikeCsr({ deviceId: 'AAAABBBBCCCCDDDDEEEEFFFF00001111', privateKey: key });
  device = { key, cert: await authority.issueDeviceCertificate(csr, { enrollmentType: 'Device' }) };
  stranger = { key, cert: await other.issueDeviceCertificate(csr, { enrollmentType: 'Device' }) };
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a detached signature by the device certificate verifies against the CA and the expected certificate', () => {
  const signature = signDetached(body, { certPem: device.cert.certPem, privateKey: device.key });
  const byCa = verifyDetached(body, signature, { trustedCaPem: authority.caCertPem });
  assert.deepEqual(byCa, { valid: true, signerThumbprint: device.cert.thumbprint, signerSubject: 'CN=AAAABBBBCCCCDDDDEEEEFFFF00001111' });
  assert.equal(verifyDetached(body, signature, { expectedCertDer: device.cert.certDer }).valid, true);
  // A PEM private key works as well as a KeyObject.
  const fromPem = signDetached(body, { certPem: device.cert.certPem, privateKey: device.key.export({ format: 'pem', type: 'pkcs8' }).toString() });
  assert.equal(verifyDetached(body, fromPem, { trustedCaPem: authority.caCertPem }).valid, true);
});

test('pkijs itself accepts the signature, chain included', async () => {
  const signature = Buffer.from(signDetached(body, { certPem: device.cert.certPem, privateKey: device.key }), 'base64');
  const contentInfo = pkijs.ContentInfo.fromBER(toArrayBuffer(signature));
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  const ca = pkijs.Certificate.fromBER(toArrayBuffer(authority.caCertDer));
  const result = await signedData.verify({ signer: 0, data: toArrayBuffer(body), trustedCerts: [ca], checkChain: true, extendedMode: true });
  assert.equal(result.signatureVerified, true);
});

test('openssl cms -verify accepts the signature', { skip: spawnSync('openssl', ['version']).status !== 0 && 'openssl not installed' }, async () => {
  const files = { sig: join(dir, 'sig.der'), body: join(dir, 'body.xml'), ca: join(dir, 'ca.pem') };
  await writeFile(files.sig, Buffer.from(signDetached(body, { certPem: device.cert.certPem, privateKey: device.key }), 'base64'));
  await writeFile(files.body, body);
  await writeFile(files.ca, authority.caCertPem);
  const args = ['cms', '-verify', '-inform', 'DER', '-in', files.sig, '-content', files.body, '-binary', '-CAfile', files.ca, '-purpose', 'any', '-out', '/dev/null'];
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /Verification successful/);
});

test('a tampered body, a changed signature and a foreign signer each give valid:false with a reason', () => {
  const signature = signDetached(body, { certPem: device.cert.certPem, privateKey: device.key });
  const tampered = new Uint8Array(body);
  tampered[5]! ^= 0x20;
  assert.deepEqual(verifyDetached(tampered, signature, { trustedCaPem: authority.caCertPem }), {
    valid: false,
    signerThumbprint: device.cert.thumbprint,
    reason: 'messageDigest does not match the body (SHA256)',
  });

  // The RSA signature is the last element of the DER; flipping its last bit breaks only the signature.
  const der = Buffer.from(signature, 'base64');
  der[der.length - 1]! ^= 0x01;
  assert.deepEqual(verifyDetached(body, der.toString('base64'), { trustedCaPem: authority.caCertPem }), {
    valid: false,
    signerThumbprint: device.cert.thumbprint,
    reason: 'signature does not verify with the signer certificate',
  });

  const foreign = signDetached(body, { certPem: stranger.cert.certPem, privateKey: stranger.key });
  assert.deepEqual(verifyDetached(body, foreign, { trustedCaPem: authority.caCertPem }), {
    valid: false,
    signerThumbprint: stranger.cert.thumbprint,
    reason: `signer ${stranger.cert.thumbprint} is not issued by the trusted CA`,
  });
  assert.deepEqual(verifyDetached(body, foreign, { expectedCertDer: device.cert.certDer }), {
    valid: false,
    signerThumbprint: stranger.cert.thumbprint,
    reason: `signer ${stranger.cert.thumbprint} is not the expected certificate ${device.cert.thumbprint}`,
  });
});

test('garbage in the header is a verdict, not an exception', () => {
  const options = { trustedCaPem: authority.caCertPem };
  assert.deepEqual(verifyDetached(body, 'not base64 at all!', options), { valid: false, reason: 'MDM-Signature is not base64' });
  assert.deepEqual(verifyDetached(body, 'AAAA', options), { valid: false, reason: 'MDM-Signature is not one DER element' });
  const notCms = Buffer.from(authority.caCertDer).toString('base64');
  const verdict = verifyDetached(body, notCms, options);
  assert.equal(verdict.valid, false);
  assert.match(verdict.valid ? '' : verdict.reason, /^MDM-Signature is not a CMS SignedData \(/);
});

test('the harness own mistakes throw: no trust anchor, or a key that is not the certificate key', () => {
  assert.throws(() => verifyDetached(body, 'AAAA', {}), {
    code: 'DMC_ERR_PKI_CMS_NO_TRUST_ANCHOR',
    message: 'MDM-Signature: verifyDetached needs trustedCaPem or expectedCertDer, received options "[]"',
  });
  const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  assert.throws(() => signDetached(body, { certPem: device.cert.certPem, privateKey: otherKey }), {
    code: 'DMC_ERR_PKI_CMS_SIGN_FAILED',
    message: 'MDM-Signature: cannot sign the body: privateKey is not the RSA key of certPem',
  });
});
