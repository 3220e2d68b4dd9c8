/**
 * The queue file's atomic replace that recycles inodes (recycling-replace.ts): every write lands whole, the live
 * file is never written in place (a hard link taken to it before a write still reads the old text after), the
 * previous inode is reused instead of a new file being created, a spare found on disk is used only when nothing
 * else names it, and a symbolic link in a spare's place is never followed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
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
    // Long and short texts in turn: a recycled inode is rewritten from its start and cut when the text is shorter.
    const text = (version: number): string => `version ${version}\n${'x'.repeat(version % 3 === 1 ? 9000 : 3)}`;
    for (let version = 1; version <= 7; version += 1) {
      const keep = join(dir, `keep-${version}`);
      if (version > 1) await link(live, keep);
      writer.write(live, text(version));
      assert.equal(await readFile(live, 'utf8'), text(version));
      // The inode that was live before this write still holds its own text: the write went to another inode.
      if (version > 1) assert.equal(await readFile(keep, 'utf8'), text(version - 1));
      inodes.push((await stat(live)).ino);
    }
    // The first write has no live file to keep; the second finds no spare; from then on nothing is created.
    assert.deepEqual(writer.counts, { kept: 5, adopted: 0, created: 2 });
    assert.equal(new Set(inodes.slice(1)).size, 2);
    assert.deepEqual(inodes.slice(3), [inodes[1], inodes[2], inodes[1], inodes[2]]);
  });
});

test('after a restart the spare on disk is verified and reused, and cut to the new length', async () => {
  await withDir(async (dir) => {
    const live = join(dir, 'device.json');
    const before = new RecyclingReplace();
    before.write(live, `long ${'y'.repeat(5000)}\n`);
    before.write(live, 'short\n');
    const spareInode = (await stat(spareNames(live)[1])).ino;

    const after = new RecyclingReplace();
    after.write(live, 'after the restart\n');
    assert.equal(await readFile(live, 'utf8'), 'after the restart\n');
    assert.equal((await stat(live)).ino, spareInode, 'the spare was not the inode written');
    assert.deepEqual(after.counts, { kept: 0, adopted: 1, created: 0 });
  });
});

test('a spare left by a crash as a second name of the live file is not written: the live text survives until the rename', async () => {
  await withDir(async (dir) => {
    const live = join(dir, 'device.json');
    await writeFile(live, 'before the crash\n');
    const [s0, s1] = spareNames(live);
    // A crash between "link" and "rename" leaves both spare names: one a link to the live inode, one a stale copy.
    await link(live, s0);
    await writeFile(s1, 'stale spare, longer than what comes next\n');
    const keep = join(dir, 'keep');
    await link(live, keep);

    const writer = new RecyclingReplace();
    writer.write(live, 'after the restart\n');
    assert.equal(await readFile(live, 'utf8'), 'after the restart\n');
    assert.equal(await readFile(keep, 'utf8'), 'before the crash\n', 'the old live inode was written in place');
    // The old live inode is the spare now (no longer live), and the next write reuses it.
    writer.write(live, 'and again\n');
    assert.equal(await readFile(live, 'utf8'), 'and again\n');
    assert.deepEqual(writer.counts, { kept: 1, adopted: 1, created: 0 });
  });
});

test('a symbolic link in a spare\'s place is removed, never followed', async () => {
  await withDir(async (dir) => {
    const live = join(dir, 'device.json');
    const outside = join(dir, 'elsewhere.txt');
    await writeFile(outside, 'not ours\n');
    await writeFile(live, 'live\n');
    await symlink(outside, spareNames(live)[0]);

    const writer = new RecyclingReplace();
    writer.write(live, 'new\n');
    assert.equal(await readFile(live, 'utf8'), 'new\n');
    assert.equal(await readFile(outside, 'utf8'), 'not ours\n');
    await assert.rejects(readlink(spareNames(live)[0]), { code: 'ENOENT' });
    assert.deepEqual(writer.counts, { kept: 0, adopted: 0, created: 1 });
  });
});

test('a failed write throws the file system\'s error, and the next one verifies what is on disk', async () => {
  await withDir(async (dir) => {
    const live = join(dir, 'sub', 'device.json');
    const writer = new RecyclingReplace();
    assert.throws(() => writer.write(live, 'no folder\n'), { code: 'ENOENT' });
    await mkdir(join(dir, 'sub'));
    writer.write(live, 'one\n');
    writer.write(live, 'two\n');
    writer.write(live, 'three\n');
    assert.equal(await readFile(live, 'utf8'), 'three\n');
    assert.deepEqual(writer.counts, { kept: 1, adopted: 0, created: 3 });
  });
});
