import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EnrollmentStore, type EnrollmentRecord } from './enrollment-store.js';

const record = (deviceId: string, thumb: string): EnrollmentRecord => ({
  deviceId,
  enrollmentType: 'Full',
  upn: 'user@example.test',
  providerId: 'DMCHarness',
  certificate: { thumbprint: thumb, serialNumber: '01', subject: `CN=${deviceId}`, pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' },
  clientDigest: { name: deviceId, secret: 's', nonce: 'bm9uY2U=' },
  serverDigest: { name: 'DMCHarness', secret: 't', nonce: 'bm9uY2U=' },
  enrolledAt: '2026-01-01T00:00:00.000Z',
});

describe('enrollment store', () => {
  it('keeps every record of a burst of concurrent writes and reads them back after a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dmc-store-'));
    try {
      const store = await EnrollmentStore.open(dir);
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.put(record(`DEV${i}`, i.toString(16).toUpperCase().padStart(40, '0')))));
      await store.update('DEV7', (r) => ({ ...r, clientDigest: { ...r.clientDigest, nonce: 'bmV4dA==' } }));
      const reopened = await EnrollmentStore.open(dir);
      assert.equal(reopened.list().length, 50);
      assert.equal(reopened.get('DEV7')?.clientDigest.nonce, 'bmV4dA==');
      assert.equal(reopened.byThumbprint('7'.padStart(40, '0'))?.deviceId, 'DEV7');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the file and the bad field of a corrupt store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dmc-store-'));
    try {
      const store = await EnrollmentStore.open(dir);
      await store.put(record('DEV1', 'A'.repeat(40)));
      const file = join(dir, 'enrollments.json');
      const json = JSON.parse(await readFile(file, 'utf8'));
      json.enrollments[0].enrollmentType = 'Both';
      await writeFile(file, JSON.stringify(json));
      await assert.rejects(EnrollmentStore.open(dir), {
        code: 'DMC_ERR_ENROLLMENT_STORE_CORRUPT',
        message: `enrollment store ${file} is not valid: enrollments.0.enrollmentType: Invalid option: expected one of "Full"|"Device"`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
