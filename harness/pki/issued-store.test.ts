import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IssuedStore, type IssuedCertificateRecord } from './issued-store.js';
import { withTempDir } from './test-support.js';

function record(n: number): IssuedCertificateRecord {
  const hex = n.toString(16).toUpperCase().padStart(40, '0');
  return {
    thumbprint: hex,
    serialNumber: hex.slice(-8),
    subject: `CN=DEVICE${n}`,
    deviceId: `DEVICE${n}`,
    enrollmentType: 'Device',
    notBefore: '2026-11-28T00:00:00.000Z',
    notAfter: '2027-11-28T00:00:00.000Z',
    issuedAt: '2026-11-28T00:00:01.000Z',
    certPem: `-----BEGIN CERTIFICATE-----\nMII${n}\n-----END CERTIFICATE-----\n`,
  };
}

test('concurrent issues append one line each, and a reopened store finds every one', async () => {
  await withTempDir('issued-append', async (dir) => {
    const path = join(dir, 'issued.jsonl');
    const store = await IssuedStore.open(path);
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.add(record(i + 1))));
    await store.add(record(41));
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 41);
    const reopened = await IssuedStore.open(path);
    assert.equal(reopened.list().length, 41);
    assert.equal(reopened.find(record(17).thumbprint.toLowerCase())?.deviceId, 'DEVICE17');
  });
});

test('the earlier issued.json is read, migrated to issued.jsonl and removed', async () => {
  await withTempDir('issued-migrate', async (dir) => {
    const path = join(dir, 'issued.jsonl');
    const legacy = join(dir, 'issued.json');
    await writeFile(legacy, JSON.stringify({ version: 1, certificates: [record(1), record(2)] }, null, 2));
    const store = await IssuedStore.open(path, legacy);
    assert.deepEqual(store.list().map((r) => r.deviceId), ['DEVICE1', 'DEVICE2']);
    await assert.rejects(stat(legacy), { code: 'ENOENT' });
    await store.add(record(3));
    const reopened = await IssuedStore.open(path, legacy);
    assert.deepEqual(reopened.list().map((r) => r.deviceId), ['DEVICE1', 'DEVICE2', 'DEVICE3']);
  });
});

test('a torn last line (a crash mid-append) is dropped; a bad line before it stops the start', async () => {
  await withTempDir('issued-torn', async (dir) => {
    const path = join(dir, 'issued.jsonl');
    const good = `${JSON.stringify(record(1))}\n`;
    await writeFile(path, `${good}{"thumbprint":"00`);
    const store = await IssuedStore.open(path);
    assert.deepEqual(store.list().map((r) => r.deviceId), ['DEVICE1']);
    assert.equal(await readFile(path, 'utf8'), good, 'the torn line is gone, so the next append starts a new line');
    await store.add(record(2));
    assert.equal((await IssuedStore.open(path)).list().length, 2);

    await writeFile(path, `${good}{"thumbprint":"abc"}\n${JSON.stringify(record(2))}\n`);
    await assert.rejects(IssuedStore.open(path), {
      code: 'DMC_ERR_PKI_STORE_CORRUPT',
      message: `Issued-certificate record ${path} cannot be read: line 2: thumbprint: Invalid string: must match pattern /^[0-9A-F]{40}$/`,
    });
    await writeFile(path, `not json\n${good}`);
    await assert.rejects(IssuedStore.open(path), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'DMC_ERR_PKI_STORE_CORRUPT');
      assert.match(err.message, new RegExp(`^Issued-certificate record ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be read: line 1: not JSON \\(`));
      return true;
    });
  });
});
