import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDer, rawBytes, sequence } from './asn1-read.js';
import { DmcError } from '../errors.js';
import { parseWindowsCsr } from './windows-csr.js';
import { buildWindowsLikeCsr, encodeWindowsCertificationRequestInfo } from './windows-csr-builder.js';
import { REAL_CN, REAL_DEVICE_ID, realWindowsCsrBase64, withTempDir } from './test-support.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

test('the real Windows 10 CSR parses and its SHA-1 (OIW OID) signature verifies', async () => {
  const csr = parseWindowsCsr(await realWindowsCsrBase64());
  assert.equal(csr.subjectCommonName, REAL_CN);
  assert.equal(csr.subjectCommonNameRaw, `${REAL_CN}\u0000`);
  assert.equal(csr.subjectCommonNameStringType, 'PrintableString');
  assert.equal(csr.deviceId, REAL_DEVICE_ID);
  assert.equal(csr.signatureAlgorithmOid, '1.3.14.3.2.29');
  assert.equal(csr.signatureHash, 'sha1');
  assert.equal(csr.signatureValid, true);
  assert.deepEqual(csr.extensions.map((e) => e.oid), ['1.3.6.1.4.1.311.66.1.0']);
  // The public key is a usable 2048-bit RSA SPKI.
  const key = createPublicKey({ key: Buffer.from(csr.publicKey), format: 'der', type: 'spki' });
  assert.equal(key.asymmetricKeyType, 'rsa');
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
});

test('a CSR whose signature was altered is rejected with the algorithm and CN named', async () => {
  const der = Buffer.from(await realWindowsCsrBase64(), 'base64');
  der[der.length - 10]! ^= 0x01;
  assert.throws(() => parseWindowsCsr(new Uint8Array(der)), (err: unknown) => {
    assert.ok(err instanceof DmcError);
    assert.equal(err.code, 'DMC_ERR_PKI_CSR_BAD_SIGNATURE');
    assert.equal(
      err.message,
      `Windows CSR: the signature (1.3.14.3.2.29) does not verify with the CSR's own public key (subject CN "${REAL_CN}")`,
    );
    return true;
  });
});

test('a CSR whose signed CN was changed fails the signature check', async () => {
  const der = Buffer.from(await realWindowsCsrBase64(), 'base64');
  const at = der.indexOf(Buffer.from('!B5B9', 'latin1'));
  der[at + 1] = 'C'.charCodeAt(0);
  assert.throws(() => parseWindowsCsr(new Uint8Array(der)), { code: 'DMC_ERR_PKI_CSR_BAD_SIGNATURE' });
});

test('non-base64 and truncated input name what was wrong', async () => {
  assert.throws(() => parseWindowsCsr('MIIC%%not-base64'), {
    code: 'DMC_ERR_PKI_CSR_NOT_BASE64',
    message: 'Windows CSR: expected base64 text, received 16 chars starting "MIIC%%not-base64"',
  });
  const der = Buffer.from(await realWindowsCsrBase64(), 'base64');
  assert.throws(() => parseWindowsCsr(new Uint8Array(der.subarray(0, 300))), { code: 'DMC_ERR_PKI_CSR_MALFORMED' });
  assert.throws(() => parseWindowsCsr(new Uint8Array(Buffer.concat([der, Buffer.from([0])]))), {
    code: 'DMC_ERR_PKI_CSR_MALFORMED',
    message: 'Windows CSR: CertificationRequest is malformed: 1 trailing bytes after the DER element',
  });
});

test('the builder reproduces the captured CertificationRequestInfo byte for byte', async () => {
  const csr = parseWindowsCsr(await realWindowsCsrBase64());
  const captured = rawBytes(sequence(parseDer(csr.der, 'CertificationRequest'), 'CertificationRequest', 3)[0]!);
  const rebuilt = encodeWindowsCertificationRequestInfo({
    commonName: csr.subjectCommonName,
    deviceId: REAL_DEVICE_ID,
    subjectPublicKeyInfo: csr.publicKey,
  });
  assert.equal(Buffer.from(rebuilt).toString('hex'), Buffer.from(captured).toString('hex'));
});

test('a built CSR round-trips through the parser with every quirk in place', () => {
  const der = buildWindowsLikeCsr({ deviceId: 'A1B2C3D4E5F60718293A4B5C6D7E8F90', privateKey });
  const csr = parseWindowsCsr(Buffer.from(der).toString('base64'));
  assert.equal(csr.deviceId, 'A1B2C3D4E5F60718293A4B5C6D7E8F90');
  assert.match(csr.subjectCommonNameRaw, /^[0-9A-F-]{30}!A1B2C3D4E5F60718293A4B5C6D7E8F90\u0000$/);
  assert.equal(csr.subjectCommonNameStringType, 'PrintableString');
  assert.equal(csr.signatureAlgorithmOid, '1.3.14.3.2.29');
  assert.deepEqual(
    Buffer.from(csr.publicKey),
    createPublicKey(privateKey).export({ format: 'der', type: 'spki' }),
  );
  // The raw device ID extension holds ASCII plus NUL, not a nested DER string.
  assert.equal(Buffer.from(csr.extensions[0]!.value).toString('latin1'), 'A1B2C3D4E5F60718293A4B5C6D7E8F90\u0000');
});

test('the builder refuses a non-RSA key and a device ID with a NUL', () => {
  const { privateKey: ecKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.throws(() => buildWindowsLikeCsr({ deviceId: 'X', privateKey: ecKey }), {
    code: 'DMC_ERR_PKI_CSR_BUILD_INVALID_INPUT',
    message: 'Windows-like CSR builder: privateKey must be an RSA private KeyObject, received a private ec KeyObject',
  });
  assert.throws(() => buildWindowsLikeCsr({ deviceId: 'AB\u0000', privateKey }), {
    code: 'DMC_ERR_PKI_CSR_BUILD_INVALID_INPUT',
    message: 'Windows-like CSR builder: deviceId must be non-empty printable ASCII, received "AB\\u0000"',
  });
});

test('openssl req -verify accepts both the real and the built CSR', { skip: !hasOpenssl && 'openssl not installed' }, async () => {
  await withTempDir('openssl', async (dir) => {
    const built = buildWindowsLikeCsr({ deviceId: REAL_DEVICE_ID, privateKey });
    for (const [name, der] of [
      ['real.der', Buffer.from(await realWindowsCsrBase64(), 'base64')],
      ['built.der', Buffer.from(built)],
    ] as const) {
      const path = join(dir, name);
      await writeFile(path, der);
      // OpenSSL 3 reports "Certificate request self-signature verify OK" on stderr and exits non-zero on failure.
      const run = spawnSync('openssl', ['req', '-in', path, '-inform', 'DER', '-noout', '-verify'], { encoding: 'utf8' });
      assert.equal(run.status, 0, `${name}: ${run.stderr}`);
      assert.match(`${run.stdout}${run.stderr}`, /verify OK/, name);
    }
    // The same check on a tampered request says failure, so the assertion above can fail.
    const tampered = Buffer.from(built);
    tampered[tampered.length - 10]! ^= 0x01;
    await writeFile(join(dir, 'tampered.der'), tampered);
    const run = spawnSync('openssl', ['req', '-in', join(dir, 'tampered.der'), '-inform', 'DER', '-noout', '-verify'], { encoding: 'utf8' });
    assert.doesNotMatch(`${run.stdout}${run.stderr}`, /verify OK/);
  });
});
