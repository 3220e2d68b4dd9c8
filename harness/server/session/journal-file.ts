/**
 * A file that holds a state as JSON Lines: every line is a whole state, the last whole line is the current one.
 * A write appends the new state to the file this process wrote before (one write through a descriptor kept open,
 * append-handles.ts), and writes the file whole (recycling-replace.ts: a spare inode renamed over it, atomic) only
 * when appending is not known to be safe.
 *
 * Why append: the atomic replace (open a spare, write, cut it to length, hard-link, rename) is the dearest part of
 * the queue file's two writes per session. In the server bench (100 devices x 3 sessions) it took 13 % of the
 * server's main thread, about 0.55 ms per session, where an append to a file that exists costs a fraction of that:
 * the file's link and rename, and cutting a spare to a shorter length, are metadata changes the file system journals
 * (issue #13, benchmarks/server.bench.ts).
 *
 * Why it is as safe as the replace: a line is appended with one write of the whole line ending in `\n`, and a JSON
 * line never holds a raw `\n` (JSON.stringify escapes it). A crash during the append leaves at most a tail without
 * `\n` after the last whole line; the reader ignores that tail, so the state is the previous one, exactly what a
 * crash before the rename gave. The writer appends only to a file it wrote whole or appended to in this process
 * without a failure, or that its reader found ending in `\n` at this start (adopt()). The first write of a file
 * with a torn tail or none at all, any write after a failed one, and a write that would make the file larger than
 * COMPACT_BYTES and four times its new line are written whole, which also drops any torn tail and the old lines.
 *
 * Synchronous, like recycling-replace.ts (which says why).
 */
import { AppendHandles, keptDescriptorLimit } from './append-handles.js';
import { RecyclingReplace } from './recycling-replace.js';

/** A file grows by appends up to this size (or four lines of the newest size, if larger) before it is written whole. */
export const COMPACT_BYTES = 64 * 1024;
/** Descriptors kept open for appends (append-handles.ts): enough for every device of a lab, bounded for a fleet. */
const OPEN_FILES = keptDescriptorLimit(256);

export class JournalFile {
  readonly #replace = new RecyclingReplace();
  /** Appends only to files that exist: one that vanished is written whole by the next write after the failure. */
  readonly #handles = new AppendHandles({ limit: OPEN_FILES, create: false });
  /** The size of each file this process last wrote or appended to without a failure: only these take appends. */
  readonly #bytes = new Map<string, number>();
  /** How writes went, for tests: appended, or written whole. */
  readonly counts = { appended: 0, whole: 0 };

  /** Makes `line` (one JSON text, no `\n` inside) the file's current state before returning; throws when it fails. */
  write(path: string, line: string): void {
    const data = Buffer.from(`${line}\n`, 'utf8');
    const known = this.#bytes.get(path);
    // Forgotten until this write has ended: after a failure the next write is a whole one.
    this.#bytes.delete(path);
    if (known !== undefined && known + data.length <= Math.max(COMPACT_BYTES, 4 * data.length)) {
      this.#handles.append(path, data);
      this.counts.appended += 1;
      this.#bytes.set(path, known + data.length);
      return;
    }
    // The kept descriptor would still reach the old inode, which the replace keeps as a spare for another file.
    this.#handles.forget(path);
    this.#replace.write(path, data);
    this.counts.whole += 1;
    this.#bytes.set(path, data.length);
  }

  /**
   * Takes `path`, of `bytes` bytes and ending in `\n` as its reader just found it, as a file that appends may
   * follow. Its last whole line is the state the reader took, and an append after it becomes the new last line, so
   * this start's first write need not write it whole (at a restart with many devices, one atomic replace per device).
   */
  adopt(path: string, bytes: number): void {
    this.#bytes.set(path, bytes);
  }

  /** Closes the descriptors kept for appends; a later write still works, opening its file again. */
  close(): void {
    this.#handles.close();
  }
}

/**
 * The current state in a journal file's `text`, parsed: the text itself when it is one JSON document (a file of one
 * write, or one a person wrote or indented by hand), else its last whole line. A tail after the last `\n` is an
 * append a crash cut short and is left out. Throws the SyntaxError of what it tried last.
 */
export function parseCurrentState(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (whole) {
    const complete = text.slice(0, text.lastIndexOf('\n') + 1).trimEnd();
    if (complete === '') throw whole;
    return JSON.parse(complete.slice(complete.lastIndexOf('\n') + 1));
  }
}
