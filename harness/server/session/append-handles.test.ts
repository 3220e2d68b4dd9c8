/**
 * Descriptors kept open for appends (append-handles.ts): lines land in order, at most `limit` descriptors are
 * open, and a file removed or replaced behind the writer's back is reached again through its path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppendHandles } from './append-handles.js';
import { filesOpenUnder, withTempDir } from './test-support.js';

const withDir = (body: (dir: string) => Promise<void>): Promise<void> => withTempDir('append', body);

/** `device.jsonl` in a fresh folder and two writers of it, one that creates the file and one that does not; both closed after. */
async function withWriters(body: (path: string, creating: AppendHandles, existing: AppendHandles) => Promise<void>): Promise<void> {
  await withDir(async (dir) => {
    const creating = new AppendHandles({ limit: 4, create: true });
    const existing = new AppendHandles({ limit: 4, create: false });
    try {
      await body(join(dir, 'device.jsonl'), creating, existing);
    } finally {
      creating.close();
      existing.close();
    }
  });
}

test('appends land in order in each file, with at most `limit` descriptors open, and close() closes them all', async () => {
  await withDir(async (dir) => {
    const handles = new AppendHandles({ limit: 2, create: true });
    const paths = ['a', 'b', 'c'].map((name) => join(dir, `${name}.jsonl`));
    for (let round = 1; round <= 3; round += 1) {
      for (const path of paths) handles.append(path, `${round}\n`);
    }
    for (const path of paths) assert.equal(await readFile(path, 'utf8'), '1\n2\n3\n');
    assert.equal(handles.size, 2);
    // The two used last are open; where /proc is missing, only the count above is checked.
    const open = (): string[] | undefined => filesOpenUnder(dir)?.map((path) => basename(path)).sort();
    assert.deepEqual(open() ?? ['b.jsonl', 'c.jsonl'], ['b.jsonl', 'c.jsonl']);
    handles.close();
    assert.equal(handles.size, 0);
    assert.deepEqual(open() ?? [], []);
    // After close() an append still works, and keeps nothing open.
    handles.append(paths[0]!, '4\n');
    assert.equal(await readFile(paths[0]!, 'utf8'), '1\n2\n3\n4\n');
    assert.equal(handles.size, 0);
    assert.deepEqual(open() ?? [], []);
  });
});

test('a file removed while its descriptor is kept is created again (create), or the append fails (no create)', async () => {
  await withWriters(async (path, creating, existing) => {
    creating.append(path, 'one\n');
    await unlink(path);
    creating.append(path, 'two\n');
    assert.equal(await readFile(path, 'utf8'), 'two\n', 'the line went to the path, not to the removed file');

    existing.append(path, 'three\n');
    await unlink(path);
    assert.throws(() => existing.append(path, 'four\n'), { code: 'ENOENT' });
    assert.equal(existing.size, 0, 'no descriptor kept after a failure');
  });
});

test('a file replaced by a rename behind the writer gets the next line; forget() drops a descriptor', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'device.jsonl');
    const handles = new AppendHandles({ limit: 4, create: false });
    try {
      await writeFile(path, '');
      handles.append(path, 'old\n');
      await writeFile(join(dir, 'new'), 'new\n');
      await rename(join(dir, 'new'), path);
      handles.append(path, 'next\n');
      assert.equal(await readFile(path, 'utf8'), 'new\nnext\n');
      handles.forget(path);
      assert.equal(handles.size, 0);
      handles.append(path, 'last\n');
      assert.equal(await readFile(path, 'utf8'), 'new\nnext\nlast\n');
    } finally {
      handles.close();
    }
  });
});

test('a file moved away (logrotate\'s rename) keeps what it had; the next line starts a new file at the path', async () => {
  await withWriters(async (path, creating, existing) => {
    creating.append(path, 'before\n');
    await rename(path, `${path}.1`);
    creating.append(path, 'after\n');
    assert.equal(await readFile(`${path}.1`, 'utf8'), 'before\n', 'the rotated file does not grow');
    assert.equal(await readFile(path, 'utf8'), 'after\n');

    existing.append(path, 'kept\n');
    await rename(path, `${path}.2`);
    assert.throws(() => existing.append(path, 'lost?\n'), { code: 'ENOENT' }, 'without create, a moved file is a failed write, as a removed one');
    assert.equal(await readFile(`${path}.2`, 'utf8'), 'after\nkept\n');
  });
});

test('the kept descriptors stay within an eighth of the process\'s open-file limit', { skip: !existsSync('/proc/self/limits') && 'no /proc' }, () => {
  // A process whose limit is 256 (hard and soft, so Node cannot raise it) keeps at most 32 per owner.
  const module = fileURLToPath(new URL('./append-handles.ts', import.meta.url));
  const script = `import { keptDescriptorLimit } from ${JSON.stringify(module)}; console.log(keptDescriptorLimit(256), keptDescriptorLimit(10));`;
  const child = spawnSync('bash', ['-c', 'ulimit -n 256 && exec "$0" --import tsx --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' });
  assert.equal(child.stderr, '');
  assert.equal(child.stdout.trim(), '32 10');
});
