import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { loadOrCreateAuthority } from './authority.js';
import type { Authority } from './authority.js';
import { buildWindowsLikeCsr } from './windows-csr-builder.js';
import { withTempDir } from './test-support.js';

/** What the server saw of one request: the peer certificate's DER and the authority's verdict on it. */
interface Seen {
  peerDer: Buffer | undefined;
  verdict: ReturnType<Authority['verifyClientCertificate']> | undefined;
}

async function get(port: number, authority: Authority, client: { key: string; cert: string }): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/ManagementServer/MDM.svc', ca: authority.caCertPem, ...client },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body) as Seen));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('over real TLS the server sees the device certificate and the authority accepts only its own', async () => {
  await withTempDir('tls', async (dir) => {
    const authority = await loadOrCreateAuthority({ dataDir: `${dir}/harness`, hosts: [] });
    const foreign = await loadOrCreateAuthority({ dataDir: `${dir}/other`, hosts: [] });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const deviceId = '0123456789ABCDEF0123456789ABCDEF';
    const csr = buildWindowsLikeCsr({ deviceId, privateKey });
    const ours = await authority.issueDeviceCertificate(csr, { enrollmentType: 'Device' });
    const theirs = await foreign.issueDeviceCertificate(csr, { enrollmentType: 'Device' });

    const server = createServer(authority.httpsOptions(), (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const peerDer = peer.raw;
      const seen = { peerDer: peerDer?.toString('base64'), verdict: peerDer ? authority.verifyClientCertificate(peerDer) : undefined };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(seen));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const good = await get(port, authority, { key: keyPem, cert: ours.certPem });
      assert.equal(good.peerDer, Buffer.from(ours.certDer).toString('base64'));
      assert.equal(good.verdict?.valid, true);
      assert.equal(good.verdict?.valid && good.verdict.thumbprint, ours.thumbprint);
      assert.equal(good.verdict?.valid && good.verdict.record?.deviceId, deviceId);

      // The handshake lets a foreign certificate through (digest fallback needs that); the identity check does not.
      const bad = await get(port, authority, { key: keyPem, cert: theirs.certPem });
      assert.equal(bad.peerDer, Buffer.from(theirs.certDer).toString('base64'));
      const foreignCa = new (await import('node:crypto')).X509Certificate(foreign.caCertPem);
      assert.deepEqual(bad.verdict, {
        valid: false,
        thumbprint: theirs.thumbprint,
        reason: `not issued by the harness CA (issuer ${JSON.stringify(foreignCa.subject.replace(/\n/g, ', '))})`,
      });
    } finally {
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
    }
  });
});
