/**
 * The queue file's atomic replace that recycles inodes (recycling-replace.ts): every write lands whole, the live
 * file is never written in place (a hard link taken to it before a write still reads the old text after), the
 * previous inode is reused instead of a new file being created, by any file of the folder, a spare found on disk
 * is used only when nothing else names it, and a symbolic link in a spare's place is never followed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecyclingReplace } from './recycling-replace.js';
import { withTempDir } from './test-support.js';

const withDir = (body: (dir: string) => Promise<void>): Promise<void> => withTempDir('recycle', body);

/** The spare files of a folder, with their link counts (a spare that is not a live file's second name has 1). */
async function sparesIn(dir: string): Promise<Array<{ name: string; ino: number; nlink: number }>> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.tmp')).sort();
  return Promise.all(names.map(async (name) => {
    const { ino, nlink } = await stat(join(dir, name));
    return { name, ino, nlink };
  }));
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

test('the files of a folder share their spares: a new file costs one file creation, not two', async () => {
  await withDir(async (dir) => {
    const writer = new RecyclingReplace();
    const files = Array.from({ length: 100 }, (_, i) => join(dir, `device-${i}.json`));
    // As the server writes them: every device's first write (its commands queued), then every second (its session ended).
    for (const wave of [1, 2, 3]) {
      for (const file of files) writer.write(file, `${file} wave ${wave}\n`);
    }
    for (const file of files) assert.equal(await readFile(file, 'utf8'), `${file} wave 3\n`);
    // 100 first writes create; the first second write creates, and every later write takes the inode the write
    // before it gave back.
    assert.deepEqual(writer.counts, { kept: 199, adopted: 0, created: 101 });
    const spares = await sparesIn(dir);
    assert.equal(spares.length, 1);
    assert.equal(spares[0]!.nlink, 1, 'the spare is no live file\'s second name');
  });
});

test('after a restart the spare on disk is verified and reused, and cut to the new length', async () => {
  await withDir(async (dir) => {
    const live = join(dir, 'device.json');
    const before = new RecyclingReplace();
    before.write(live, `long ${'y'.repeat(5000)}\n`);
    before.write(live, 'short\n');
    const [spare] = await sparesIn(dir);

    const after = new RecyclingReplace();
    after.write(live, 'after the restart\n');
    assert.equal(await readFile(live, 'utf8'), 'after the restart\n');
    assert.equal((await stat(live)).ino, spare!.ino, 'the spare was not the inode written');
    assert.deepEqual(after.counts, { kept: 0, adopted: 1, created: 0 });
  });
});

for (const [scheme, names] of [['this', ['.spare-0.tmp', '.spare-1.tmp']], ['the earlier per-file', ['device.json.spare0.tmp', 'device.json.spare1.tmp']]] as const) {
  test(`a spare left by a crash as a second name of the live file is not written: the live text survives (${scheme} scheme's names)`, async () => {
    await withDir(async (dir) => {
      const live = join(dir, 'device.json');
      await writeFile(live, 'before the crash\n');
      // A crash between "link" and "rename" leaves two spares: one a link to the live inode (tried first: names are
      // taken from the end of their sorted list), one a stale copy.
      await writeFile(join(dir, names[0]), 'stale spare, longer than what comes next\n');
      await link(live, join(dir, names[1]));
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
      // Both names the crash left are gone; the one spare left is named by nothing else.
      const spares = await sparesIn(dir);
      assert.deepEqual(spares.map((s) => s.nlink), [1]);
      assert.ok(!spares.some((s) => (names as readonly string[]).includes(s.name)), spares.map((s) => s.name).join(', '));
    });
  });
}

test('a symbolic link in a spare\'s place is removed, never followed', async () => {
  await withDir(async (dir) => {
    const live = join(dir, 'device.json');
    const outside = join(dir, 'elsewhere.txt');
    await writeFile(outside, 'not ours\n');
    await writeFile(live, 'live\n');
    await symlink(outside, join(dir, '.spare-0.tmp'));

    const writer = new RecyclingReplace();
    writer.write(live, 'new\n');
    assert.equal(await readFile(live, 'utf8'), 'new\n');
    assert.equal(await readFile(outside, 'utf8'), 'not ours\n');
    await assert.rejects(readlink(join(dir, '.spare-0.tmp')), { code: 'ENOENT' });
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
