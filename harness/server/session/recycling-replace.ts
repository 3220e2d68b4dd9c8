/**
 * Atomic replacement of a file (write a temporary file, rename it over the live one) that does not allocate a
 * new inode on every write, done with synchronous calls.
 *
 * Why no new inode: creating a file is by far the dearest step of a write-then-rename. On the ext4 root of these
 * 2-core VMs (CI and a lab's nightly runner alike) it costs 13 to 680 us of CPU, swinging within minutes, where
 * rewriting a file that exists costs about 12 to 60 us, a hard link about 15 to 30 and a rename about 10 to 50.
 * The queue file is replaced after messages of every session (issue #13, benchmarks/server.bench.ts).
 *
 * Why synchronous: each call of the callback API is a round trip through libuv's thread pool (a thread woken, the
 * result posted back to the event loop). For these small files that hand-over costs more CPU than the system call
 * itself: a whole replace (open, write, close, link, rename) took 270 to 320 us of CPU through the pool against 40
 * to 60 us done synchronously (a loop of 1,000 on this VM). The event loop waits for the system calls instead,
 * tens of microseconds on a local disk. So the data folder belongs on a local file system (`dmc server --help`).
 *
 * How: the live file's previous inode becomes the next write's temporary file. Per live path `L` there are two
 * spare names, `S0` and `S1`; after every write one of them names an inode that nobody else holds:
 * 1. rewrite that spare with the new text from its start (cut to length only when the new text is shorter);
 * 2. hard-link the live inode `L` to the other spare name, so the rename does not free it;
 * 3. rename the spare over `L`: the atomic step, exactly as with a fresh temporary file.
 * The other name is now the spare. Readers see the old text or the new text, never a mix, as before.
 *
 * The one hazard is writing into a spare that is still a second name of the live file: a crash between steps 2
 * and 3 leaves one. So a spare found on disk (the first write of a path in a process, or any write after a failed
 * step) is used only when it is a regular file with a link count of 1, opened without following symbolic links;
 * otherwise `S0` is created exclusively, after removing the name in the way (removing a name never touches the
 * live file's data). Writes to one path cannot overlap: each runs to its end before the call returns.
 */
import { closeSync, constants, fstatSync, ftruncateSync, linkSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

/** The names a spare of `livePath` may have: never `.json`, so QueueStore.loadAll never reads them. */
export function spareNames(livePath: string): [string, string] {
  return [`${livePath}.spare0.tmp`, `${livePath}.spare1.tmp`];
}

/** A spare inode only we hold: which name it has, and how many bytes it holds (it is cut only when longer). */
interface Spare {
  index: 0 | 1;
  bytes: number;
}

/** Read-write, never through a symbolic link (O_NOFOLLOW does not exist on Windows, where it is left out). */
const OPEN_EXISTING = constants.O_RDWR | (constants.O_NOFOLLOW ?? 0);
const CREATE_NEW = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

export class RecyclingReplace {
  /** Per path written in this process: its spare (none: look on disk at the next write) and the live file's size. */
  readonly #paths = new Map<string, { spare: Spare | undefined; liveBytes: number }>();
  /** How each write found its temporary file, for tests: a spare it kept, one it verified on disk, one it created. */
  readonly counts = { kept: 0, adopted: 0, created: 0 };

  /** Replaces `path` with `text` (UTF-8) before returning; throws the file system's error when a step fails. */
  write(path: string, text: string): void {
    const names = spareNames(path);
    const data = Buffer.from(text, 'utf8');
    const known = this.#paths.get(path);
    // Forgotten until this write has ended: after a failed step the next write verifies what is on disk.
    this.#paths.delete(path);
    const kept = known?.spare === undefined ? undefined : openKept(names, known.spare);
    if (kept !== undefined) this.counts.kept += 1;
    const { index, fd, bytes } = kept ?? this.#claim(names);
    try {
      // A descriptor just opened is at offset 0: writeFileSync writes all of it from the start, in as many calls as
      // it takes.
      writeFileSync(fd, data);
      if (data.length < bytes) ftruncateSync(fd, data.length);
    } finally {
      closeSync(fd);
    }
    const other = index === 0 ? 1 : 0;
    const linked = linkLive(path, names[other]);
    renameSync(names[index], path);
    // The old live inode is the spare now; its size is known only when this process wrote it (else: always cut).
    this.#paths.set(path, { spare: linked ? { index: other, bytes: known?.liveBytes ?? Number.POSITIVE_INFINITY } : undefined, liveBytes: data.length });
  }

  /** A spare from disk that only this name holds, or `S0` created afresh. */
  #claim(names: [string, string]): Spare & { fd: number } {
    for (const index of [0, 1] as const) {
      const found = openVerified(names[index]);
      if (found !== undefined) {
        this.counts.adopted += 1;
        return { index, ...found };
      }
    }
    this.counts.created += 1;
    let fd: number;
    try {
      fd = openSync(names[0], CREATE_NEW, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A second name of the live file, a link or a folder left in the way: the name goes, the data stays.
      unlinkSync(names[0]);
      fd = openSync(names[0], CREATE_NEW, 0o600);
    }
    return { index: 0, fd, bytes: 0 };
  }
}

/** The spare this process kept; undefined (verify on disk instead) when it is gone. */
function openKept(names: [string, string], kept: Spare): (Spare & { fd: number }) | undefined {
  try {
    return { ...kept, fd: openSync(names[kept.index], OPEN_EXISTING) };
  } catch {
    return undefined;
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

/**
 * Step 2: the live inode gets the spare name; a name in the way (a crash's leftover) is removed first. A link that
 * fails (the first write, with no live file yet; a file system without hard links) only means no spare for the
 * next write.
 */
function linkLive(livePath: string, spareName: string): boolean {
  try {
    try {
      linkSync(livePath, spareName);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      unlinkSync(spareName);
      linkSync(livePath, spareName);
    }
    return true;
  } catch {
    return false;
  }
}
