/**
 * The device file as a journal (journal-file.ts): appends after a whole first write, a whole write again once the
 * file has grown, the last whole line read back, a crash's torn tail left out, and a failed append followed by a
 * whole write. The queue store reads it back through the same reader as a restart does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMPACT_BYTES, JournalFile, parseCurrentState } from './journal-file.js';
import { QueueStore, deviceFileJson, emptyDeviceFile } from './queue-store.js';
import { withTempDir } from './test-support.js';

const withDir = (body: (dir: string) => Promise<void>): Promise<void> => withTempDir('journal', body);

const state = (version: number, pad = 0): string => JSON.stringify({ version, pad: 'x'.repeat(pad) });

test('the first write is whole, the next ones append one line each, and the last whole line is the state', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'DEV.json');
    const journal = new JournalFile();
    try {
      for (let version = 1; version <= 4; version += 1) {
        journal.write(path, state(version));
        assert.deepEqual(parseCurrentState(await readFile(path, 'utf8')), JSON.parse(state(version)));
      }
      assert.equal(await readFile(path, 'utf8'), [1, 2, 3, 4].map((v) => `${state(v)}\n`).join(''));
      assert.deepEqual(journal.counts, { appended: 3, whole: 1 });
    } finally {
      journal.close();
    }
  });
});

test('a write that would grow the file past its bound writes it whole: one line again', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'DEV.json');
    const journal = new JournalFile();
    try {
      // Lines of about a tenth of the bound: nine fit, the tenth write starts the file again.
      const pad = Math.floor(COMPACT_BYTES / 10);
      for (let version = 1; version <= 10; version += 1) journal.write(path, state(version, pad));
      assert.deepEqual(journal.counts, { appended: 8, whole: 2 });
      assert.equal(await readFile(path, 'utf8'), `${state(10, pad)}\n`);
      // Lines larger than the bound: the file grows up to four of them (the first after the small line), then the
      // fourth big one is written whole and the fifth appended to it.
      const big = 2 * COMPACT_BYTES;
      for (let version = 11; version <= 15; version += 1) journal.write(path, state(version, big));
      assert.deepEqual(journal.counts, { appended: 12, whole: 3 });
      assert.equal(await readFile(path, 'utf8'), `${state(14, big)}\n${state(15, big)}\n`);
      assert.deepEqual(parseCurrentState(await readFile(path, 'utf8')), JSON.parse(state(15, big)));
    } finally {
      journal.close();
    }
  });
});

test('a torn append (a crash in the middle of a line) leaves the state before it, and a restart writes the file whole', async () => {
  await withDir(async (dir) => {
    const store = new QueueStore(dir);
    const file = emptyDeviceFile('DEV');
    await store.save({ ...file, sessionCount: 1 });
    await store.save({ ...file, sessionCount: 2 });
    store.closeFiles();
    const path = store.pathOf('DEV');
    const whole = await readFile(path, 'utf8');
    assert.equal(whole.split('\n').length, 3, 'two lines and the final newline');
    // What a crash during the third append can leave: part of the line, no newline.
    await appendFile(path, deviceFileJson({ ...file, sessionCount: 3 }).slice(0, 40));
    const restarted = new QueueStore(dir);
    const [loaded] = await restarted.loadAll();
    assert.equal(loaded?.sessionCount, 2);
    // The first write after a start is whole: the torn tail and the old lines are gone.
    await restarted.save({ ...file, sessionCount: 4 });
    restarted.closeFiles();
    assert.equal(await readFile(path, 'utf8'), `${deviceFileJson({ ...file, sessionCount: 4 })}\n`);
  });
});

test('a restart appends to a file that ends in a whole line from its first write, an indented one included', async () => {
  await withDir(async (dir) => {
    const file = emptyDeviceFile('DEV');
    const store = new QueueStore(dir);
    await store.save({ ...file, sessionCount: 1 });
    await store.save({ ...file, sessionCount: 2 });
    store.closeFiles();
    const path = store.pathOf('DEV');
    const before = await readFile(path, 'utf8');
    const restarted = new QueueStore(dir);
    await restarted.loadAll();
    await restarted.save({ ...file, sessionCount: 3 });
    restarted.closeFiles();
    // The old lines stay and the new one follows them: no whole write at the restart.
    assert.equal(await readFile(path, 'utf8'), `${before}${deviceFileJson({ ...file, sessionCount: 3 })}\n`);
    // A file indented by hand, ending in a newline: the append follows it, and the next start reads the appended state.
    await writeFile(path, `${JSON.stringify({ ...file, sessionCount: 4 }, null, 2)}\n`);
    const third = new QueueStore(dir);
    assert.equal((await third.loadAll())[0]?.sessionCount, 4);
    await third.save({ ...file, sessionCount: 5 });
    third.closeFiles();
    assert.match(await readFile(path, 'utf8'), /^\{\n {2}"version": 1,/);
    assert.equal((await new QueueStore(dir).loadAll())[0]?.sessionCount, 5);
  });
});

test('a restart writes whole a file it found at its bound: the adopted size counts toward compaction', async () => {
  await withDir(async (dir) => {
    const file = emptyDeviceFile('DEV');
    const store = new QueueStore(dir);
    const path = store.pathOf('DEV');
    await store.save(file);
    store.closeFiles();
    // Grown close to the bound by earlier runs: one more line would pass it.
    const line = `${deviceFileJson(file)}\n`;
    await writeFile(path, line.repeat(Math.ceil(COMPACT_BYTES / line.length)));
    const restarted = new QueueStore(dir);
    await restarted.loadAll();
    await restarted.save({ ...file, sessionCount: 7 });
    restarted.closeFiles();
    assert.equal(await readFile(path, 'utf8'), `${deviceFileJson({ ...file, sessionCount: 7 })}\n`);
  });
});

test('an append that fails (the file removed under the server) throws, and the next write is whole', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'DEV.json');
    const journal = new JournalFile();
    try {
      journal.write(path, state(1));
      journal.write(path, state(2));
      await unlink(path);
      // An append never creates the file: it would hold only the newest line after a loss nobody was told of.
      assert.throws(() => journal.write(path, state(3)), { code: 'ENOENT' });
      journal.write(path, state(4));
      assert.equal(await readFile(path, 'utf8'), `${state(4)}\n`);
      assert.deepEqual(journal.counts, { appended: 1, whole: 2 });
    } finally {
      journal.close();
    }
  });
});

test('the reader takes one document whole (as written before the journal, or indented by hand), else the last whole line', () => {
  assert.deepEqual(parseCurrentState('{"a":1}'), { a: 1 }, 'no final newline');
  assert.deepEqual(parseCurrentState('{\n  "a": 1\n}\n\n'), { a: 1 }, 'indented, blank lines after');
  assert.deepEqual(parseCurrentState('{"a":1}\n{"a":2}\n\n'), { a: 2 }, 'blank lines after the last line');
  assert.deepEqual(parseCurrentState('{"a":1}\n{"a":2}\n{"a":'), { a: 2 }, 'a torn tail');
  // No whole line before the tail: nothing to fall back on, so the file is refused, never read as empty.
  assert.throws(() => parseCurrentState('{"a":'), SyntaxError);
  assert.throws(() => parseCurrentState(''), SyntaxError);
  // A last whole line that is not JSON is corruption, not a torn append: refused.
  assert.throws(() => parseCurrentState('{"a":1}\n{"a":2\n'), SyntaxError);
});

test('a corrupt last line is refused by the store with the file named, not skipped for the line before it', async () => {
  await withDir(async (dir) => {
    const store = new QueueStore(dir);
    await store.save(emptyDeviceFile('DEV'));
    store.closeFiles();
    await writeFile(store.pathOf('DEV'), `${deviceFileJson(emptyDeviceFile('DEV'))}\n{"version":1,"deviceId":\n`);
    await assert.rejects(new QueueStore(dir).loadAll(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'DMC_ERR_SESSION_STORE_CORRUPT');
      assert.match(err.message, /DEV\.json/);
      return true;
    });
  });
});

test('a file grown by appends, once written whole, gives back an inode that another file reuses cut to its own length', async () => {
  await withDir(async (dir) => {
    const grown = join(dir, 'A.json');
    const other = join(dir, 'B.json');
    const journal = new JournalFile();
    try {
      // A's inode grows by appends well past the size of its whole write, then A is written whole: its old inode,
      // with all those lines, becomes the folder's spare.
      const pad = Math.floor(COMPACT_BYTES / 10);
      for (let version = 1; version <= 10; version += 1) journal.write(grown, state(version, pad));
      assert.equal(journal.counts.whole, 2);
      // B's first write takes that spare: longer than A's whole write was, shorter than A grew. It must hold B's
      // line and nothing of A's.
      journal.write(other, state(100, 2 * pad));
      assert.equal(await readFile(other, 'utf8'), `${state(100, 2 * pad)}\n`);
    } finally {
      journal.close();
    }
  });
});
