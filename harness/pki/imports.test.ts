import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { relative, resolve } from 'node:path';

// STYLE.md: harness/pki imports nothing from server/, fixtures/ or agents/ (the server depends on pki, not the
// reverse, and the virtual device must reach the harness only over the network).
test('harness/pki imports nothing from harness/server, fixtures or agents', async () => {
  const folder = fileURLToPath(new URL('./', import.meta.url));
  const root = resolve(folder, '../..');
  const files = (await readdir(folder)).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 5);
  const offending: string[] = [];
  for (const file of files) {
    const text = await readFile(resolve(folder, file), 'utf8');
    for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.[^'"]*)['"]/g)) {
      const target = relative(root, resolve(folder, match[1]!)).split('\\').join('/');
      if (/^(harness\/server|fixtures|agents)(\/|$)/.test(target)) offending.push(`${file}: ${match[1]}`);
    }
  }
  assert.deepEqual(offending, []);
});
