/**
 * Keeps every layer's error registry and docs/errors/*.md in step (after fastify's errors test):
 * each registry key equals its code, codes are unique and well formed, each code is documented with a cause and a
 * fix, and the docs name no code that no longer exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DmcError, defineError, readFailureReason, shown, type ErrorRegistry } from './errors.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function registryFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : registryFiles(path);
    return entry.name === 'errors.ts' && path !== join(root, 'harness', 'errors.ts') ? [path] : [];
  });
}

async function loadRegistries(): Promise<Map<string, ErrorRegistry>> {
  const files = ['harness', 'agents', 'fixtures'].flatMap((dir) => registryFiles(join(root, dir)));
  const registries = new Map<string, ErrorRegistry>();
  for (const file of files) {
    const module = (await import(pathToFileURL(file).href)) as { errors?: ErrorRegistry };
    assert.ok(module.errors, `${relative(root, file)} must export \`errors\` built with defineErrors`);
    registries.set(relative(root, file), module.errors);
  }
  return registries;
}

function documentedCodes(): Map<string, { file: string; section: string }> {
  const docsDir = join(root, 'docs', 'errors');
  const documented = new Map<string, { file: string; section: string }>();
  for (const name of readdirSync(docsDir).filter((n) => n.endsWith('.md'))) {
    const text = readFileSync(join(docsDir, name), 'utf8');
    for (const section of text.split(/^## /m).slice(1)) {
      const code = section.split('\n', 1)[0]!.trim();
      if (code.startsWith('DMC_ERR_')) documented.set(code, { file: `docs/errors/${name}`, section });
    }
  }
  return documented;
}

test('every registry key equals its code, and codes are unique and well formed', async () => {
  const registries = await loadRegistries();
  assert.ok(registries.size > 0, 'no layer registry found');
  const seen = new Map<string, string>();
  for (const [file, registry] of registries) {
    for (const [key, definition] of Object.entries(registry)) {
      assert.equal(definition.code, key, `${file}: key ${key} holds code ${definition.code}`);
      assert.match(key, /^DMC_ERR_[A-Z0-9]+(_[A-Z0-9]+)+$/, `${file}: ${key} is not DMC_ERR_<LAYER>_<WHAT>`);
      assert.ok(!seen.has(key), `${key} is defined in both ${seen.get(key)} and ${file}`);
      seen.set(key, file);
    }
  }
});

test('every code is documented with a cause and a fix, and every documented code exists', async () => {
  const registries = await loadRegistries();
  const codes = new Set([...registries.values()].flatMap((registry) => Object.keys(registry)));
  const documented = documentedCodes();
  for (const code of codes) {
    const doc = documented.get(code);
    assert.ok(doc, `${code} has no section in docs/errors/*.md`);
    assert.match(doc.section, /^Cause:/m, `${doc.file}: ${code} has no "Cause:" line`);
    assert.match(doc.section, /^Fix:/m, `${doc.file}: ${code} has no "Fix:" line`);
  }
  for (const [code, doc] of documented) {
    assert.ok(codes.has(code), `${doc.file} documents ${code}, which no registry defines`);
  }
});

test('an error renders its message from its fields and survives a trip through JSON', () => {
  const definition = defineError<{ probe: string; exitCode: number }>('DMC_ERR_TEST_EXAMPLE', {
    message: ({ probe, exitCode }) => `probe ${shown(probe)} exited with ${exitCode}`,
    httpStatus: 502,
  });
  const error = definition.create({ probe: 'os-info', exitCode: 3 });
  assert.ok(error instanceof DmcError);
  assert.equal(error.message, 'probe "os-info" exited with 3');
  assert.equal(error.httpStatus, 502);
  const crossed: unknown = JSON.parse(JSON.stringify(error));
  assert.ok(definition.is(crossed));
  assert.deepEqual(crossed, { code: 'DMC_ERR_TEST_EXAMPLE', message: error.message, fields: { probe: 'os-info', exitCode: 3 } });
});

test('shown() quotes and cuts long values', () => {
  assert.equal(shown('abc'), '"abc"');
  assert.equal(shown('x'.repeat(130), 10), `"${'x'.repeat(10)}… (130 chars)"`);
  assert.equal(shown(42), '"42"');
  assert.equal(shown(undefined), 'nothing');
  assert.equal(shown('undefined'), '"undefined"');
});

test('readFailureReason words what the file system said for a path the message already names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmc-read-reason-'));
  try {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, 'x');
    const failure = (read: () => unknown): unknown => {
      try {
        read();
      } catch (err) {
        return err;
      }
      assert.fail('the read should have failed');
    };
    assert.equal(readFailureReason(failure(() => readFileSync(join(dir, 'missing.yaml')))), 'no such file');
    assert.equal(readFailureReason(failure(() => readdirSync(join(dir, 'missing'))), 'folder'), 'no such folder');
    assert.equal(readFailureReason(failure(() => readFileSync(dir))), 'it is a directory');
    assert.equal(readFailureReason(failure(() => readdirSync(file)), 'folder'), 'not a folder');
    assert.equal(readFailureReason(failure(() => readFileSync(join(file, 'x')))), 'a part of the path is a file, not a directory (ENOTDIR)');
    // Tests run as root here, where no permission is ever refused: the errno is made as Node makes it.
    const denied = Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES', syscall: 'open', path: file });
    assert.equal(readFailureReason(denied), 'permission denied (EACCES)');
    assert.equal(readFailureReason(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })), 'EIO: i/o error, read');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
