/**
 * Atomic replacement of a file (write a temporary file, rename it over the live one) that does not allocate a
 * new inode on every write, done with synchronous calls.
 *
 * Why no new inode: creating a file is by far the dearest step of a write-then-rename. On the ext4 root of these
 * 2-core VMs (CI and a lab's nightly runner alike) it costs 13 to 850 us of CPU, swinging within minutes, where
 * rewriting a file that exists costs about 12 to 60 us, a hard link about 15 to 30 and a rename about 10 to 50.
 * The queue journal (journal-file.ts) is written whole this way at a device's first write, after a torn or failed
 * write, and whenever it has grown past its bound (issue #13, benchmarks/server.bench.ts).
 *
 * Why synchronous: each call of the callback API is a round trip through libuv's thread pool (a thread woken, the
 * result posted back to the event loop). For these small files that hand-over costs more CPU than the system call
 * itself: a whole replace (open, write, close, link, rename) took 270 to 320 us of CPU through the pool against 40
 * to 60 us done synchronously (a loop of 1,000 on this VM). The event loop waits for the system calls instead,
 * tens of microseconds on a local disk. So the data folder belongs on a local file system (`dmc server --help`).
 *
 * How: the previous inode of a live file becomes a spare, and any write in the same folder may take a spare as its
 * temporary file. Spares are named `.spare-<n>.tmp` in the folder of the files they serve. A write of live path `L`:
 * 1. takes a spare (or creates one when none is free) and rewrites it with the new text from its start (cut to
 *    length only when the new text is shorter);
 * 2. hard-links `L` to a fresh spare name, so the rename does not free the old inode;
 * 3. renames the taken spare over `L`: the atomic step, exactly as with a fresh temporary file.
 * The fresh name now holds the old inode alone and joins the folder's free spares. Readers see the old text or the
 * new text, never a mix.
 *
 * Why shared by the folder, not kept per file: a file's first write has no previous inode to give back, so with a
 * spare per file every file created two inodes (its first write and its second); shared, the second write takes
 * the inode another file's write just gave back, and a new device costs one file creation, not two (100 devices
 * of one session each: 101 creations instead of 200).
 *
 * The one hazard is writing into a spare that is still a second name of a live file: a crash between steps 2 and 3
 * leaves one. So a spare found on disk (the folder's names, read once per process, or a spare whose write failed)
 * is used only when it is a regular file with a link count of 1, opened without following symbolic links; one that
 * is not is removed (removing a name never touches a live file's data). Writes cannot overlap: each runs to its end
 * before the call returns.
 */
import { closeSync, constants, fstatSync, ftruncateSync, linkSync, openSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A spare's name: never `.json`, so QueueStore.loadAll never reads it. */
const SPARE_NAME = /^\.spare-(\d{1,15})\.tmp$/;
/** Spares of the earlier scheme (one pair per file, `<file>.spare0.tmp`): taken like any other, so none is left behind. */
const EARLIER_SPARE_NAME = /\.spare[01]\.tmp$/;

/** Read-write, never through a symbolic link (O_NOFOLLOW does not exist on Windows, where it is left out). */
const OPEN_EXISTING = constants.O_RDWR | (constants.O_NOFOLLOW ?? 0);
const CREATE_NEW = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** A spare opened for this write: its path, descriptor and size. */
interface Taken {
  path: string;
  fd: number;
  bytes: number;
}

/** The spares of one folder. */
interface Folder {
  readonly dir: string;
  /** Spares this process gave back, nobody else naming them. */
  free: string[];
  /** Names found on disk (or left by a failed write), to be verified before use. */
  unverified: string[];
  /** The folder's names have been read in this process. */
  read: boolean;
  /** The number of the next fresh spare name. */
  next: number;
}

export class RecyclingReplace {
  readonly #folders = new Map<string, Folder>();
  /** How each write found its temporary file, for tests: a spare it gave back, one it verified on disk, one it created. */
  readonly counts = { kept: 0, adopted: 0, created: 0 };

  /** Replaces `path` with `content` (text as UTF-8) before returning; throws the file system's error when a step fails. */
  write(path: string, content: string | Buffer): void {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const folder = this.#folderOf(dirname(path));
    const spare = this.#take(folder);
    try {
      try {
        // A descriptor just opened is at offset 0: writeFileSync writes all of it from the start, in as many calls
        // as it takes.
        writeFileSync(spare.fd, data);
        if (data.length < spare.bytes) ftruncateSync(spare.fd, data.length);
      } finally {
        closeSync(spare.fd);
      }
    } catch (err) {
      folder.unverified.push(spare.path);
      throw err;
    }
    const previous = this.#linkLive(folder, path);
    try {
      renameSync(spare.path, path);
    } catch (err) {
      // The taken spare is whole but unused; the fresh name is a second name of the live file, which verification
      // refuses (and removes) before any write could reach it.
      folder.unverified.push(spare.path);
      if (previous !== undefined) folder.unverified.push(previous);
      throw err;
    }
    // The old live inode is a free spare now.
    if (previous !== undefined) folder.free.push(previous);
  }

  #folderOf(dir: string): Folder {
    let folder = this.#folders.get(dir);
    if (folder === undefined) {
      folder = { dir, free: [], unverified: [], read: false, next: 0 };
      this.#folders.set(dir, folder);
    }
    if (!folder.read) readSpares(folder);
    return folder;
  }

  /** A free spare, else one from disk that nothing else names, else a new one. */
  #take(folder: Folder): Taken {
    for (let path = folder.free.pop(); path !== undefined; path = folder.free.pop()) {
      let fd: number | undefined;
      try {
        fd = openSync(path, OPEN_EXISTING);
        // Its size read now, not remembered: the live file may have grown since it was written whole (the queue
        // journal appends to it), and a spare not cut to the new length would keep the old text's tail.
        const bytes = fstatSync(fd).size;
        this.counts.kept += 1;
        return { path, fd, bytes };
      } catch {
        // Gone (removed by hand): the next one.
        if (fd !== undefined) closeSync(fd);
      }
    }
    for (let path = folder.unverified.pop(); path !== undefined; path = folder.unverified.pop()) {
      const found = openVerified(path);
      if (found !== undefined) {
        this.counts.adopted += 1;
        return { path, ...found };
      }
      // A second name of a live file, a link or a folder: the name goes, any data stays.
      try {
        unlinkSync(path);
      } catch {
        // Already gone, or a folder: left alone, never written.
      }
    }
    this.counts.created += 1;
    for (;;) {
      const path = freshName(folder);
      try {
        return { path, bytes: 0, fd: openSync(path, CREATE_NEW, 0o600) };
      } catch (err) {
        // A name in use (another process's spare, or one made since the folder was read): the next number.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  }

  /**
   * Step 2: the live inode gets a fresh spare name, returned. Undefined when there is no live file yet (the first
   * write) or the file system refuses hard links: this write then gives no spare back.
   */
  #linkLive(folder: Folder, livePath: string): string | undefined {
    for (;;) {
      const path = freshName(folder);
      try {
        linkSync(livePath, path);
        return path;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
      }
    }
  }
}

/** A spare name not used yet in this process (one left on disk makes the create or link say EEXIST). */
function freshName(folder: Folder): string {
  return join(folder.dir, `.spare-${folder.next++}.tmp`);
}

/** Reads the folder's spare names once: they wait as unverified, and fresh names are numbered after them. */
function readSpares(folder: Folder): void {
  let names: string[];
  try {
    names = readdirSync(folder.dir);
  } catch {
    // No folder yet (the write will say so): read again next time.
    return;
  }
  folder.read = true;
  // Sorted, so which one is tried first does not depend on the file system's order.
  for (const name of names.sort()) {
    const numbered = SPARE_NAME.exec(name);
    if (numbered !== null) folder.next = Math.max(folder.next, Number(numbered[1]) + 1);
    if (numbered !== null || EARLIER_SPARE_NAME.test(name)) folder.unverified.push(join(folder.dir, name));
  }
}

/** `path` opened for writing when it is a regular file that no other name holds, else undefined. */
function openVerified(path: string): { fd: number; bytes: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, OPEN_EXISTING);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.nlink === 1) return { fd, bytes: stat.size };
  } catch {
    // Unreadable metadata: not trusted.
  }
  closeSync(fd);
  return undefined;
}
