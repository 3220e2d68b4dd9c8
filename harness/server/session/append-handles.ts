/**
 * Descriptors kept open for appending to files (a device's queue journal, its transcript), so an append is one
 * write, not an open, a write and a close.
 *
 * Why: on the ext4 root of these VMs, opening a file that exists cost up to about 90 us of CPU in the server bench
 * (100 devices x 3 sessions: 4 % of the server's main thread for the queue journal's opens alone), against a few
 * microseconds for the write itself (issue #13, benchmarks/server.bench.ts).
 *
 * Safe against a file removed, replaced or moved away behind the server's back (a person deleting a transcript, a
 * folder removed under a running server, logrotate renaming a transcript to `.1`): before each append the path is
 * looked up (lstat, about 1 us more than an fstat of the descriptor) and a kept descriptor whose file is no longer
 * the one the path names is closed and the path opened again, so the line lands where the path points, or the open
 * fails and says so, exactly as an open per append did. Until 2026-12 only the link count was read, which a rename
 * keeps: a rotated transcript went on growing under its new name and the path stayed missing. A file that the owner
 * itself is about to replace by a rename is still `forget()`-ed first, so its descriptor is not kept a moment longer.
 *
 * Bounded: at most `limit` descriptors, the least recently used closed first, so a thousand devices cost no more
 * than the limit; `keptDescriptorLimit()` keeps each owner's limit to an eighth of the process's open-file limit,
 * so kept files never crowd out the devices' sockets.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';

/** Never through a symbolic link (O_NOFOLLOW does not exist on Windows, where it is left out). */
const APPEND = constants.O_WRONLY | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0);

/**
 * `wanted`, or less: an eighth of this process's limit of open files (the soft limit in Linux's /proc/self/limits,
 * which Node raises to the hard limit at start-up), so the transcripts and the queue journals together hold at most
 * a quarter of it. Where the limit cannot be read, at most 64.
 */
export function keptDescriptorLimit(wanted: number): number {
  let limits: string;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return Math.min(wanted, 64);
  }
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
  if (soft === undefined) return Math.min(wanted, 64);
  return soft === 'unlimited' ? wanted : Math.min(wanted, Math.floor(Number(soft) / 8));
}

/** A kept descriptor and the file it was opened on (inode numbers past 2^53 lose low bits: a false match is left to chance). */
interface Kept {
  fd: number;
  dev: number;
  ino: number;
}

export class AppendHandles {
  /** Path to descriptor, in order of last use (a Map keeps insertion order: the first is the least recent). */
  readonly #open = new Map<string, Kept>();
  readonly #limit: number;
  readonly #create: boolean;
  #closed = false;

  /** `create`: a missing file is created (mode 0o666 less the umask, as appendFile does); else the open fails. */
  constructor(options: { limit: number; create: boolean }) {
    this.#limit = options.limit;
    this.#create = options.create;
  }

  /** Appends `data` at the end of `path`'s file before returning; throws the file system's error when it fails. */
  append(path: string, data: string | Buffer): void {
    let kept = this.#open.get(path);
    if (kept !== undefined) {
      this.#open.delete(path);
      const named = lstatSync(path, { throwIfNoEntry: false });
      if (named === undefined || named.ino !== kept.ino || named.dev !== kept.dev) {
        closeSync(kept.fd);
        kept = undefined;
      }
    }
    kept ??= this.#openFile(path);
    try {
      writeFileSync(kept.fd, data);
    } catch (err) {
      closeSync(kept.fd);
      throw err;
    }
    if (this.#closed) {
      closeSync(kept.fd);
      return;
    }
    this.#open.set(path, kept);
    if (this.#open.size > this.#limit) this.#closeOldest();
  }

  #openFile(path: string): Kept {
    const fd = openSync(path, this.#create ? APPEND | constants.O_CREAT : APPEND, 0o666);
    try {
      const { dev, ino } = fstatSync(fd);
      return { fd, dev, ino };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Closes `path`'s descriptor, if one is kept: its file is about to be replaced. */
  forget(path: string): void {
    const kept = this.#open.get(path);
    if (kept === undefined) return;
    this.#open.delete(path);
    closeSync(kept.fd);
  }

  /** Closes every descriptor; later appends still work, each opening and closing its file. */
  close(): void {
    this.#closed = true;
    for (const { fd } of this.#open.values()) closeSync(fd);
    this.#open.clear();
  }

  /** How many descriptors are open, for tests. */
  get size(): number {
    return this.#open.size;
  }

  #closeOldest(): void {
    const [path, kept] = this.#open.entries().next().value as [string, Kept];
    this.#open.delete(path);
    closeSync(kept.fd);
  }
}
