/**
 * The secret scan behind run-secrets.test.ts finds a secret planted the ways a leak would write it (plain, in a
 * PowerShell -EncodedCommand, inside base64 at each alignment, in JSON-escaped PEM, in a zip embedded in HTML), and
 * finds nothing in the same files without it: a scan that cannot fail would make that test worthless.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { test } from 'node:test';
import { privateKeyNeedles, scan, secretNeedles } from './secret-scan.js';

const SECRET = 'Sw0rdfish-Lab-42';

/** A one-file zip (deflated), as Playwright's HTML report embeds its data. */
function zipOf(name: string, data: Buffer): Buffer {
  const body = deflateRawSync(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(8, 8); local.writeUInt32LE(body.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(8, 10); central.writeUInt32LE(body.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(name.length, 28);
  const head = Buffer.concat([local, Buffer.from(name), body]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10); end.writeUInt32LE(46 + name.length, 12); end.writeUInt32LE(head.length, 16);
  return Buffer.concat([head, central, Buffer.from(name), end]);
}

test('a planted secret is found in each encoding, and clean files give nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmc-secret-scan-'));
  try {
    const key = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const der = generateKeyPairSync('ed25519').privateKey;
    const derPem = der.export({ format: 'pem', type: 'pkcs8' }).toString();
    const planted: Record<string, string> = {
      'plain.log': `login with ${SECRET} ok`,
      'encoded-command.txt': `powershell.exe -EncodedCommand ${Buffer.from(`$p = '${SECRET}'`, 'utf16le').toString('base64')}`,
      ...Object.fromEntries([0, 1, 2].map((k) => [`b64-${k}.txt`, Buffer.from(`${'x'.repeat(k)}${SECRET}`).toString('base64')])),
      'escaped.json': JSON.stringify({ key }),
      'der-only.txt': Buffer.from(der.export({ format: 'der', type: 'pkcs8' })).toString('base64'),
      'report.html': `<script>x="data:application/zip;base64,${zipOf('a.json', Buffer.from(`{"body":"${SECRET}"}`)).toString('base64')}"</script>`,
    };
    for (const [name, text] of Object.entries(planted)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'clean.json'), JSON.stringify({ password: '<secret>', key: '[redacted]' }));
    const needles = [...secretNeedles('the secret', SECRET), ...privateKeyNeedles('key', derPem)];
    const findings = scan(dir, [...Object.keys(planted), 'clean.json'], needles);
    assert.deepEqual(findings.map((f) => f.file).sort(), Object.keys(planted).sort(), JSON.stringify(findings, null, 1));
    assert.ok(findings.find((f) => f.file === 'der-only.txt')?.found.includes('key private key material (base64 of bytes)'), 'the key found from its material alone');
    assert.ok(findings.find((f) => f.file === 'escaped.json')?.found.includes('a PEM private key block'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
