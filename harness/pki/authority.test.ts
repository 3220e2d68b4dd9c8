import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { x509 } from './der.js';
import { loadOrCreateAuthority } from './authority.js';
import { parseWindowsCsr } from './windows-csr.js';
import { REAL_DEVICE_ID, realWindowsCsrBase64, withTempDir } from './test-support.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

test('the CA survives a restart; the server certificate is reused, then re-issued when the hosts change', async () => {
  await withTempDir('persist', async (dataDir) => {
    const first = await loadOrCreateAuthority({ dataDir, hosts: ['mdm.lab.example', '192.168.56.10'] });
    assert.deepEqual(first.loadReport, { caCreated: true, serverCertificateIssued: true, serverCertificateReason: 'no server certificate yet' });
    assert.equal(first.caCertPath, join(dataDir, 'pki', 'ca.cert.pem'));
    for (const key of ['ca.key.pem', 'server.key.pem']) {
      assert.equal((await stat(join(dataDir, 'pki', key))).mode & 0o777, 0o600, key);
    }

    const second = await loadOrCreateAuthority({ dataDir, hosts: ['MDM.lab.example', '192.168.56.10'] });
    assert.equal(second.caThumbprint, first.caThumbprint);
    assert.equal(second.caCertPem, first.caCertPem);
    assert.equal(second.serverCertPem, first.serverCertPem, 'same hosts (case aside): the server certificate is reused');
    assert.deepEqual(second.loadReport, { caCreated: false, serverCertificateIssued: false, serverCertificateReason: undefined });

    const third = await loadOrCreateAuthority({ dataDir, hosts: ['mdm.lab.example'] });
    assert.equal(third.caThumbprint, first.caThumbprint);
    assert.notEqual(third.serverCertPem, first.serverCertPem);
    assert.equal(
      third.loadReport.serverCertificateReason,
      'host list changed from mdm.lab.example,192.168.56.10,localhost,127.0.0.1 to mdm.lab.example,localhost,127.0.0.1',
    );

    // 380 days on, the 397-day server certificate is inside its last 30 days: same CA, new server certificate.
    const later = await loadOrCreateAuthority({ dataDir, hosts: ['mdm.lab.example'] }, new Date(Date.now() + 380 * 86_400_000));
    assert.equal(later.caThumbprint, first.caThumbprint);
    assert.notEqual(later.serverCertPem, third.serverCertPem);
    assert.equal(later.loadReport.serverCertificateReason, 'expires within 30 days');
  });
});

test('the CA is a sha256 RSA-2048 CA and the server certificate chains to it with every SAN', async () => {
  await withTempDir('chain', async (dataDir) => {
    const authority = await loadOrCreateAuthority({ dataDir, hosts: ['mdm.lab.example', '10.0.0.5'] });
    const ca = new X509Certificate(authority.caCertPem);
    assert.equal(ca.ca, true);
    assert.equal(ca.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    const caParsed = new x509.X509Certificate(authority.caCertPem);
    assert.equal(caParsed.signatureAlgorithm.hash?.name ?? '', 'SHA-256');
    const usages = caParsed.getExtension(x509.KeyUsagesExtension);
    assert.ok(usages && (usages.usages & x509.KeyUsageFlags.keyCertSign) !== 0, 'keyCertSign');

    const server = new X509Certificate(authority.serverCertPem);
    assert.equal(server.verify(ca.publicKey), true);
    assert.equal(server.checkIssued(ca), true);
    assert.notEqual(server.subject, server.issuer, 'not self-signed');
    assert.equal(server.ca, false);
    assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(server.subjectAltName, 'DNS:mdm.lab.example, IP Address:10.0.0.5, DNS:localhost, IP Address:127.0.0.1');
    assert.equal(server.checkPrivateKey((await import('node:crypto')).createPrivateKey(authority.serverKeyPem)), true);
    assert.equal(new x509.X509Certificate(authority.serverCertPem).signatureAlgorithm.hash?.name ?? '', 'SHA-256');
    // Keys stay out of logs: neither JSON nor inspect shows them.
    assert.doesNotMatch(JSON.stringify(authority), /PRIVATE KEY/);
    assert.doesNotMatch((await import('node:util')).inspect(authority, { depth: 5 }), /PRIVATE KEY/);
  });
});

test('the real Windows CSR gets a CA-signed clientAuth certificate that a restart still knows', async () => {
  await withTempDir('issue', async (dataDir) => {
    const authority = await loadOrCreateAuthority({ dataDir, hosts: [] });
    const csr = parseWindowsCsr(await realWindowsCsrBase64());
    const issued = await authority.issueDeviceCertificate(csr, { enrollmentType: 'Device', deviceId: REAL_DEVICE_ID, validityDays: 30 });
    assert.match(issued.thumbprint, /^[0-9A-F]{40}$/);
    assert.match(issued.serialNumber, /^[0-9A-F]+$/);
    assert.equal(issued.subject, `CN=${REAL_DEVICE_ID}`);

    const cert = new X509Certificate(Buffer.from(issued.certDer));
    const ca = new X509Certificate(authority.caCertPem);
    assert.equal(cert.issuer, ca.subject);
    assert.equal(cert.checkIssued(ca), true);
    assert.equal(cert.verify(ca.publicKey), true);
    assert.deepEqual(cert.keyUsage, [CLIENT_AUTH]);
    assert.deepEqual(Buffer.from(cert.publicKey.export({ format: 'der', type: 'spki' })), Buffer.from(csr.publicKey));
    const parsed = new x509.X509Certificate(issued.certPem);
    assert.equal(parsed.signatureAlgorithm.hash?.name ?? '', 'SHA-256');
    const usages = parsed.getExtension(x509.KeyUsagesExtension)!.usages;
    assert.equal(usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    assert.equal(Math.round((issued.notAfter.getTime() - Date.now()) / 86_400_000), 30);

    // Without a deviceId option the CSR's device ID extension names the subject; serials are random.
    const again = await authority.issueDeviceCertificate(await realWindowsCsrBase64(), { enrollmentType: 'User' });
    assert.equal(again.subject, `CN=${REAL_DEVICE_ID}`);
    assert.notEqual(again.serialNumber, issued.serialNumber);

    const reloaded = await loadOrCreateAuthority({ dataDir, hosts: [] });
    const record = reloaded.findIssuedByThumbprint(issued.thumbprint.toLowerCase());
    assert.equal(record?.deviceId, REAL_DEVICE_ID);
    assert.equal(record?.enrollmentType, 'Device');
    assert.equal(reloaded.listIssued().length, 2);
    const check = reloaded.verifyClientCertificate(issued.certDer);
    assert.equal(check.valid, true);
    assert.equal(check.valid && check.record?.thumbprint, issued.thumbprint);
    // Past its notAfter the same certificate is refused.
    const late = reloaded.verifyClientCertificate(issued.certPem, new Date(issued.notAfter.getTime() + 1000));
    assert.deepEqual(late, { valid: false, thumbprint: issued.thumbprint, reason: `expired on ${issued.notAfter.toISOString()}` });
  });
});

test('issuing refuses bad options with the value received', async () => {
  await withTempDir('options', async (dataDir) => {
    const authority = await loadOrCreateAuthority({ dataDir, hosts: [] });
    const csr = parseWindowsCsr(await realWindowsCsrBase64());
    await assert.rejects(authority.issueDeviceCertificate(csr, { enrollmentType: 'Device', validityDays: 0 }), {
      code: 'DMC_ERR_PKI_ISSUE_INVALID_OPTIONS',
      message: 'Device certificate: option validityDays must be an integer from 1 to 3650, received "0"',
    });
    await assert.rejects(authority.issueDeviceCertificate(csr, { enrollmentType: 'Machine' as 'Device' }), {
      message: 'Device certificate: option enrollmentType must be "Device" or "User", received "Machine"',
    });
  });
});

test('a broken CA or issued.json stops the start instead of being replaced', async () => {
  await withTempDir('broken', async (dataDir) => {
    await loadOrCreateAuthority({ dataDir, hosts: [] });
    const issued = join(dataDir, 'pki', 'issued.json');
    await writeFile(issued, JSON.stringify({ version: 1, certificates: [{ thumbprint: 'abc' }] }));
    await assert.rejects(loadOrCreateAuthority({ dataDir, hosts: [] }), {
      code: 'DMC_ERR_PKI_STORE_CORRUPT',
      message: `Issued-certificate record ${issued} cannot be read: certificates.0.thumbprint: Invalid string: must match pattern /^[0-9A-F]{40}$/`,
    });
    await rm(issued);
    const caKey = join(dataDir, 'pki', 'ca.key.pem');
    const caCertBefore = await readFile(join(dataDir, 'pki', 'ca.cert.pem'), 'utf8');
    await rm(caKey);
    await assert.rejects(loadOrCreateAuthority({ dataDir, hosts: [] }), {
      code: 'DMC_ERR_PKI_CA_INVALID',
      message: `Harness CA in ${join(dataDir, 'pki')}: ca.key.pem is missing`,
    });
    assert.equal(await readFile(join(dataDir, 'pki', 'ca.cert.pem'), 'utf8'), caCertBefore, 'the CA certificate was left alone');
    await assert.rejects(loadOrCreateAuthority({ dataDir, hosts: ['bad_host!'] }), {
      code: 'DMC_ERR_PKI_INVALID_HOST',
      message: 'Server certificate: host "bad_host!" is neither an IP address nor a valid DNS name',
    });
  });
});
