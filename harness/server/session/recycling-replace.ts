/**
 * Atomic replacement of a file (write a temporary file, rename it over the live one) that does not allocate a
 * new inode on every write.
 *
 * Why: creating a file is by far the dearest step of a write-then-rename. On the ext4 root of these 2-core VMs
 * (CI and a lab's nightly runner alike) it costs 260 to 440 us of CPU, where truncating and rewriting a file
 * that exists costs about 12 us, a hard link about 15 and a rename about 9 (measured with a loop of 1,000
 * synchronous calls). The queue file is replaced after most messages of every session, so a fresh temporary
 * file each time was the largest single cost of a session in `npm run bench` (issue #13).
 *
 * How: the live file's previous inode becomes the next write's temporary file. Per live path `L` there are two
 * spare names, `S0` and `S1`; one of them (`spare`) names an inode that only we hold (link count 1):
 * 1. rewrite `spare` with the new text (from its start, then cut to length), close;
 * 2. hard-link the live inode `L` to the other spare name, so the rename does not free it;
 * 3. rename `spare` over `L`: the atomic step, exactly as with a fresh temporary file.
 * The other name is now the spare. Readers see the old text or the new text, never a mix, as before.
 *
 * The one hazard is truncating a spare that is still a second name of the live file: a crash between steps 2
 * and 3 leaves one. So a spare from disk is never trusted: the first write of a path in a process, and any write
 * after a failed step, takes the safe path (create `S0` exclusively, link, rename; see #safeWrite).
 * Writes to one path must not overlap; QueueStore runs at most one per device, and a second is refused here.
 */
import { close, ftruncate, link, open, rename, unlink, writeFile } from 'node:fs';
import { promisify } from 'node:util';

// Callback fs through promisify, not fs/promises: a FileHandle costs about twice the CPU per call
// (benchmarks/server.bench.ts).
const openFile = promisify(open);
const writeWhole = promisify(writeFile);
const cutTo = promisify(ftruncate);
const closeFile = promisify(close);
const renameFile = promisify(rename);

/** The names a spare of `livePath` may have: never `.json`, so QueueStore.loadAll never reads them. */
export function spareNames(livePath: string): [string, string] {
  return [`${livePath}.spare0.tmp`, `${livePath}.spare1.tmp`];
}

interface PathState {
  /** The spare name whose inode is ours alone, or undefined when the next write must take the safe path. */
  spare: 0 | 1 | undefined;
  busy: boolean;
}

type Errno = NodeJS.ErrnoException | null;

export class RecyclingReplace {
  readonly #paths = new Map<string, PathState>();
  /** Writes that reused a spare inode, and writes that created a file: for tests. */
  recycled = 0;
  created = 0;

  /** Replaces `path` with `text` (UTF-8). The returned promise settles once the rename has happened (or failed). */
  write(path: string, text: string): Promise<void> {
    const state = this.#paths.get(path) ?? { spare: undefined, busy: false };
    this.#paths.set(path, state);
    if (state.busy) return Promise.reject(new Error(`${path}: a write is already running (writes to one file must not overlap)`));
    state.busy = true;
    const names = spareNames(path);
    const run = state.spare === undefined ? this.#safeWrite(path, names, text) : this.#recycledWrite(path, names, state.spare, text);
    return run.then(
      (spare) => {
        state.spare = spare;
        state.busy = false;
      },
      (err: unknown) => {
        state.spare = undefined;
        state.busy = false;
        throw err;
      },
    );
  }

  /** Steps 1 to 3 with a spare we hold; resolves with the spare for the next write. */
  #recycledWrite(path: string, names: [string, string], spare: 0 | 1, text: string): Promise<0 | 1 | undefined> {
    this.recycled += 1;
    const other = spare === 0 ? 1 : 0;
    return writeText(names[spare], 'r+', text)
      .then(() => linkOrNot(path, names[other]))
      .then((linked) => renameFile(names[spare], path).then(() => (linked === true ? other : undefined)));
  }

  /**
   * Nothing on disk is trusted. `S0` is created exclusively (never truncated: it could be a crash's second name of
   * the live file), written and renamed over `path`; before that the live inode is linked to `S1`, so the next
   * write can recycle it. A name left by a crash is removed when it is in the way, and only then: removing a
   * name never touches the live file's data.
   */
  #safeWrite(path: string, names: [string, string], text: string): Promise<0 | 1 | undefined> {
    this.created += 1;
    return writeText(names[0], 'wx', text)
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
        return removeIfPresent(names[0]).then(() => writeText(names[0], 'wx', text));
      })
      .then(() => linkOrNot(path, names[1]))
      .then((linked) => (linked !== 'exists' ? linked : removeIfPresent(names[1]).then(() => linkOrNot(path, names[1]))))
      .then((linked) => renameFile(names[0], path).then(() => (linked === true ? 1 : undefined)));
  }
}

/**
 * `r+` (a spare we hold) rewrites the file from its start and then cuts it to length, where `w` (O_TRUNC) would
 * free every data block and allocate them again: 38 to 54 us against 61 to 67 for a 6 KB file here. `wx` creates.
 */
async function writeText(path: string, flags: 'r+' | 'wx', text: string): Promise<void> {
  const fd = await openFile(path, flags, 0o600);
  try {
    // A freshly opened descriptor is at offset 0, so writeFile writes from the start (all of it, in as many calls
    // as it takes).
    await writeWhole(fd, text, 'utf8');
    if (flags === 'r+') await cutTo(fd, Buffer.byteLength(text, 'utf8'));
  } finally {
    await closeFile(fd);
  }
}

/**
 * Step 2. A link that fails (the first write, when there is no live file yet; a file system without hard links)
 * only means no spare for the next write: the rename still replaces the file atomically.
 */
function linkOrNot(livePath: string, spareName: string): Promise<boolean | 'exists'> {
  return new Promise((resolve) => link(livePath, spareName, (err) => resolve(err === null ? true : err.code === 'EEXIST' ? 'exists' : false)));
}

function removeIfPresent(path: string): Promise<void> {
  return new Promise((resolve, reject) => unlink(path, (err) => (err === null || err.code === 'ENOENT' ? resolve() : reject(err))));
}
