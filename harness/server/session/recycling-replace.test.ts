/**
 * The queue file's atomic replace that recycles inodes (recycling-replace.ts): every write lands whole, the live
 * file is never written in place (a hard link taken to it before a write still reads the old text after), the
 * previous inode is reused instead of a new file being created, and a spare left by a crash is never truncated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { link, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecyclingReplace, spareNames } from './recycling-replace.js';

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dmc-recycle-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('each write replaces the file whole, never in place, and reuses the inode of the version before last', async () => {
  await withDir(async (dir) => {
    const live = join(dir, 'device.json');
    const writer = new RecyclingReplace();
    const inodes: number[] = [];
    // Long and short texts in turn: a recycled inode is rewritten from its start and cut to the new length.
    const text = (version: number): string => `version ${version}\n${'x'.repeat(version % 3 === 1 ? 9000 : 3)}`;
    for (let version = 1; version <= 6; version += 1) {
      const keep = join(dir, `keep-${version}`);
      if (version > 1) await link(live, keep);
      await writer.write(live, text(version));
      assert.equal(await readFile(live, 'utf8'), text(version));
      // The inode that was live before this write still holds its own text: the write went to another inode.
      if (version > 1) assert.equal(await readFile(keep, 'utf8'), text(version - 1));
      inodes.push((await stat(live)).ino);
    }
    assert.deepEqual({ created: writer.created, recycled: writer.recycled }, { created: 2, recycled: 4 });
    // From the third write on, the two inodes alternate: nothing new is allocated.
    assert.equal(new Set(inodes.slice(1)).size, 2);
    assert.deepEqual(inodes.slice(3), [inodes[1], inodes[2], inodes[1]]);
  });
});

test('a spare left by a crash as a second name of the live file is not truncated: the live text survives until the rename', async () => {
  await withDir(async (dir) => {
    const live = join(dir, 'device.json');
    await writeFile(live, 'before the crash\n');
    const [s0, s1] = spareNames(live);
    // A crash between "link" and "rename" leaves both spare names: one a link to the live inode, one a stale copy.
    await link(live, s0);
    await writeFile(s1, 'stale spare\n');
    const keep = join(dir, 'keep');
    await link(live, keep);

    const writer = new RecyclingReplace();
    await writer.write(live, 'after the restart\n');
    assert.equal(await readFile(live, 'utf8'), 'after the restart\n');
    assert.equal(await readFile(keep, 'utf8'), 'before the crash\n', 'the old live inode was written in place');
    // The old live inode is the spare now (no longer live), and the next write recycles it.
    await writer.write(live, 'and again\n');
    assert.equal(await readFile(live, 'utf8'), 'and again\n');
    assert.deepEqual({ created: writer.created, recycled: writer.recycled }, { created: 1, recycled: 1 });
  });
});

test('overlapping writes to one file are refused; a failed write is followed by a safe one', async () => {
  await withDir(async (dir) => {
    const live = join(dir, 'sub', 'device.json');
    const writer = new RecyclingReplace();
    await assert.rejects(writer.write(live, 'no folder\n'), { code: 'ENOENT' });
    await mkdir(join(dir, 'sub'));
    const first = writer.write(live, 'one\n');
    await assert.rejects(writer.write(live, 'two\n'), /a write is already running/);
    await first;
    await writer.write(live, 'three\n');
    assert.equal(await readFile(live, 'utf8'), 'three\n');
    // The failed write and the one after it take the safe path; so does the third, as the second found no live
    // file to keep as a spare.
    assert.deepEqual({ created: writer.created, recycled: writer.recycled }, { created: 3, recycled: 0 });
    assert.ok(existsSync(spareNames(live)[0]) || existsSync(spareNames(live)[1]), 'a spare is kept for the next write');
  });
});
