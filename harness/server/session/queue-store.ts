/**
 * `<dataDir>/queues/<deviceId>.json`: a device's queue, in-flight commands, session summaries and DevInfo.
 * Reads are zod-checked. The file is a journal (journal-file.ts): each write appends the whole new state as one
 * JSON line, the last whole line is the current state (`tail -n 1 <file> | jq .`), and the file is written whole
 * again, atomically, when a start found it with a torn tail, after a failed write, and once it has grown past
 * 64 KiB and four of its newest lines. The calls are synchronous (recycling-replace.ts says why).
 *
 * Two ways to ask for a write (engine.ts step 5 says which the engine uses when):
 * - `save()`: written at the end of the current turn of the event loop, so a burst of saves for one device (a
 *   script queueing many syncs at once) is one write carrying every change; the promise settles once it is on disk.
 * - `saveLater()`: session progress that may lag. Written with the device's next `save()`, by `flush()`, or at
 *   the latest `progressDelayMs` later (default 5 s), so a session of two messages writes its file twice, not three
 *   times (issue #13: each write costs tens to hundreds of microseconds of CPU here).
 * A write that fails leaves the device marked; `flush()` writes it again.
 */
import { mkdirSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from './errors.js';
import { draftBuildProblem } from './delivery.js';
import { deviceFileSchema, type DeviceFile, type SessionSummary } from './draft-schema.js';
import { JournalFile, parseCurrentState } from './journal-file.js';

/** Windows device ids are hex or GUIDs (with braces); anything else could escape the queues folder. */
const DEVICE_ID = /^[A-Za-z0-9_.{}-]{1,128}$/;

export function checkDeviceId(deviceId: string): void {
  if (!DEVICE_ID.test(deviceId) || deviceId === '.' || deviceId === '..') {
    throw errors.DMC_ERR_SESSION_BAD_DEVICE_ID.create({ deviceId });
  }
}

export function emptyDeviceFile(deviceId: string): DeviceFile {
  return { version: 1, deviceId, queue: [], inFlight: [], sessionCount: 0, sessions: [], devInfo: {} };
}

/** An ended session's summary never changes (engine.ts and loadAll freeze it): its JSON is made once, not at every write. */
const summaryJson = new WeakMap<SessionSummary, string>();

function summaryText(summary: SessionSummary): string {
  let text = summaryJson.get(summary);
  if (text === undefined) {
    text = JSON.stringify(summary);
    summaryJson.set(summary, text);
  }
  return text;
}

/**
 * `JSON.parse(deviceFileJson(file))` equals `file`, with `sessions` written last. Why not `JSON.stringify(file)`:
 * the file keeps up to 50 session summaries, and serialising them again at each of a session's two writes cost
 * about 25 us per write in a loop (3 with this), and about 7 % of a long-running server's main thread. One line,
 * not indented: an indent is about a third slower and 40 % longer (`jq . <file>` shows it indented).
 */
export function deviceFileJson(file: DeviceFile): string {
  const { sessions, ...rest } = file;
  const head = JSON.stringify(rest);
  const list = `"sessions":[${sessions.map(summaryText).join(',')}]`;
  return head === '{}' ? `{${list}}` : `${head.slice(0, -1)},${list}}`;
}

/**
 * The device file at `path`, its current state (the journal's last whole line), validated. A file that is not JSON,
 * does not match the schema or holds a command no message can carry is DMC_ERR_SESSION_STORE_CORRUPT, naming the
 * path and the first field that failed.
 */
export async function readDeviceFile(path: string): Promise<DeviceFile> {
  return deviceFileFrom(await readFile(path, 'utf8'), path);
}

/** The device file in `text`, read from `path` (named in errors), validated as readDeviceFile says. */
function deviceFileFrom(text: string, path: string): DeviceFile {
  let json: unknown;
  try {
    json = parseCurrentState(text);
  } catch (err) {
    throw errors.DMC_ERR_SESSION_STORE_CORRUPT.create({ path, problem: `not JSON (${(err as Error).message})` });
  }
  const parsed = deviceFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw errors.DMC_ERR_SESSION_STORE_CORRUPT.create({ path, problem: `${where}: ${issue?.message ?? 'invalid'}` });
  }
  // A command no message can carry would fail every reply of its device: refused like any other corruption.
  for (const [list, entries] of [['queue', parsed.data.queue], ['inFlight', parsed.data.inFlight]] as const) {
    entries.forEach((entry, index) => {
      const unbuildable = draftBuildProblem(entry.draft);
      if (unbuildable !== undefined) {
        throw errors.DMC_ERR_SESSION_STORE_CORRUPT.create({ path, problem: `${list}.${index}.draft: ${unbuildable.path}: ${unbuildable.problem}` });
      }
    });
  }
  // Frozen like the engine's own (deviceFileJson caches their text).
  for (const summary of parsed.data.sessions) Object.freeze(summary);
  return parsed.data;
}

interface Waiting {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function waiting(): Waiting {
  let resolve: () => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface Slot {
  file: DeviceFile;
  /** A write due at the end of this turn, and who waits for it. */
  due: Waiting | undefined;
  /** A saveLater() not written yet, and the timer that writes it at the latest. */
  lagging: boolean;
  timer: NodeJS.Timeout | undefined;
  /** The last write failed and nothing newer has landed: flush() tries again. */
  failed: boolean;
}

export const DEFAULT_PROGRESS_DELAY_MS = 5000;

export class QueueStore {
  readonly dir: string;
  private readonly slots = new Map<string, Slot>();
  private readonly journal = new JournalFile();
  private readonly progressDelayMs: number;
  private dirMade = false;
  /** Writes made, for tests. */
  writes = 0;

  constructor(dataDir: string, options: { progressDelayMs?: number } = {}) {
    this.dir = join(dataDir, 'queues');
    this.progressDelayMs = options.progressDelayMs ?? DEFAULT_PROGRESS_DELAY_MS;
  }

  pathOf(deviceId: string): string {
    return join(this.dir, `${deviceId}.json`);
  }

  /** Every device file under the folder, validated. A corrupt file stops open(): losing a queue silently is worse. */
  async loadAll(): Promise<DeviceFile[]> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort();
    const files: DeviceFile[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      const raw = await readFile(path);
      files.push(deviceFileFrom(raw.toString('utf8'), path));
      // Ends in a whole line: appended to from this start's first write (journal-file.ts says why that is safe).
      if (raw.at(-1) === 0x0a) this.journal.adopt(path, raw.length);
    }
    return files;
  }

  /** Writes `file` at the end of this turn (with every other save of the device made before then). */
  save(file: DeviceFile): Promise<void> {
    const slot = this.slotOf(file);
    if (slot.due === undefined) {
      const due = waiting();
      slot.due = due;
      queueMicrotask(() => {
        slot.due = undefined;
        try {
          this.writeNow(slot);
          due.resolve();
        } catch (err) {
          due.reject(err);
        }
      });
    }
    return slot.due.promise;
  }

  /** Session progress: written with the device's next save(), by flush(), or after progressDelayMs at the latest. */
  saveLater(file: DeviceFile): void {
    const slot = this.slotOf(file);
    slot.lagging = true;
    if (slot.due !== undefined || slot.timer !== undefined) return;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (!slot.lagging) return;
      try {
        this.writeNow(slot);
      } catch {
        // Marked failed: flush() (on close) writes it again.
      }
    }, this.progressDelayMs);
    // A lagging write never keeps the process alive; close() flushes it.
    slot.timer.unref();
  }

  /** Writes every device with a lagging or failed write now, and waits for those due this turn. */
  async flush(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const slot of this.slots.values()) {
      if (slot.due !== undefined) pending.push(slot.due.promise);
      else if (slot.lagging || slot.failed) pending.push(this.save(slot.file));
    }
    await Promise.all(pending);
  }

  /** Closes the files kept open for appends (journal-file.ts); a later write still works, opening its file again. */
  closeFiles(): void {
    this.journal.close();
  }

  private slotOf(file: DeviceFile): Slot {
    let slot = this.slots.get(file.deviceId);
    if (slot === undefined) {
      slot = { file, due: undefined, lagging: false, timer: undefined, failed: false };
      this.slots.set(file.deviceId, slot);
    }
    slot.file = file;
    return slot;
  }

  /** Serialised and written now, so this write carries exactly the state of this moment; throws when it fails. */
  private writeNow(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.lagging = false;
    this.writes += 1;
    const line = deviceFileJson(slot.file);
    try {
      if (!this.dirMade) mkdirSync(this.dir, { recursive: true });
      this.dirMade = true;
      this.journal.write(this.pathOf(slot.file.deviceId), line);
      slot.failed = false;
    } catch (err) {
      // The folder may have been removed under a running server: make it again next time.
      this.dirMade = false;
      slot.failed = true;
      throw err;
    }
  }
}
