/**
 * The campaign's secret scan (secret-scan.ts): a secret in a transcript file is found on whichever line it is,
 * reported once per file with the secret masked, and a clean file gives nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskedContext, secretsInFile, secretsInText, type NamedSecret } from './secret-scan.js';

const SECRETS: NamedSecret[] = [['the password', 'pw-Secret-42'], ['the digest secret', 'ZGlnZXN0']];

test('a secret on a later line of a transcript file is found once, masked; a clean file gives nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dmc-secret-scan-'));
  try {
    const leaky = join(dir, 'leaky.jsonl');
    const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ n: i, body: '<SyncML/>' }));
    lines[700] = JSON.stringify({ n: 700, body: 'Basic pw-Secret-42 and again pw-Secret-42' });
    lines[900] = JSON.stringify({ n: 900, body: 'pw-Secret-42' });
    await writeFile(leaky, `${lines.join('\n')}\n`);
    const found = await secretsInFile(leaky, SECRETS);
    assert.deepEqual([...found.keys()], ['the password']);
    const context = found.get('the password')!;
    assert.match(context, /"n\\":700/, 'the first line that holds it');
    assert.ok(!context.includes('pw-Secret-42') && context.includes('<SECRET>'));

    const clean = join(dir, 'clean.jsonl');
    await writeFile(clean, `${lines.filter((_, i) => i !== 700 && i !== 900).join('\n')}\n`);
    assert.equal((await secretsInFile(clean, SECRETS)).size, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('in a log, every secret is found and masked wherever it is', () => {
  const log = `start\nauth header ZGlnZXN0 seen\n${'x'.repeat(500)} pw-Secret-42 end`;
  const found = secretsInText(log, SECRETS);
  assert.equal(found.size, 2);
  assert.equal(found.get('the digest secret'), JSON.stringify('start\nauth header <SECRET> seen\n' + 'x'.repeat(54)), '160 characters before it, 60 after');
  assert.equal(maskedContext('a pw-Secret-42 b', 'pw-Secret-42'), JSON.stringify('a <SECRET> b'));
});
