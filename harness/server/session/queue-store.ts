/**
 * `<dataDir>/queues/<deviceId>.json`: a device's queue, in-flight commands, session summaries and DevInfo.
 * Reads are zod-checked; writes go to a temporary file that is renamed over the old one (rename is atomic on
 * one file system); the temporary file is the previous version's inode, recycled (recycling-replace.ts).
 *
 * Writes are coalesced per device (issue #3, measured in benchmarks/server.bench.ts): at most one write runs and
 * at most one waits. A `save()` made while a write runs joins the waiting one, which serialises the file when it
 * starts, so it carries every change made up to then; an older state never lands after a newer one. The promise
 * `save()` returns settles once a write that includes the state at the time of the call is on disk (or failed).
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from './errors.js';
import { deviceFileSchema, type DeviceFile } from './draft-schema.js';
import { RecyclingReplace } from './recycling-replace.js';

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

interface Waiting {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Slot {
  file: DeviceFile;
  running: boolean;
  waiting: Waiting | undefined;
  /** The last write failed and nothing newer has landed: flush() tries again. */
  failed: boolean;
}

export class QueueStore {
  readonly dir: string;
  private readonly slots = new Map<string, Slot>();
  private readonly replace = new RecyclingReplace();
  private dirReady: Promise<void> | undefined;
  /** Writes started, for tests and the benchmark's account of disk work. */
  writes = 0;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'queues');
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
      const text = await readFile(path, 'utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw errors.DMC_ERR_SESSION_STORE_CORRUPT.create({ path, problem: `not JSON (${(err as Error).message})` });
      }
      const parsed = deviceFileSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.join('.') || '(root)';
        throw errors.DMC_ERR_SESSION_STORE_CORRUPT.create({ path, problem: `${where}: ${issue?.message ?? 'invalid'}` });
      }
      files.push(parsed.data);
    }
    return files;
  }

  /** Writes `file` (coalesced with other saves of the same device, see above). */
  save(file: DeviceFile): Promise<void> {
    let slot = this.slots.get(file.deviceId);
    if (slot === undefined) {
      slot = { file, running: false, waiting: undefined, failed: false };
      this.slots.set(file.deviceId, slot);
    }
    slot.file = file;
    if (!slot.running) return this.start(slot);
    if (slot.waiting === undefined) {
      let resolve: () => void = () => undefined;
      let reject: (error: unknown) => void = () => undefined;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      slot.waiting = { promise, resolve, reject };
    }
    return slot.waiting.promise;
  }

  /** Waits for every running and waiting write, and writes again the devices whose last write failed. */
  async flush(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const slot of this.slots.values()) {
      if (slot.running || slot.failed) pending.push(this.save(slot.file));
    }
    await Promise.all(pending);
  }

  private start(slot: Slot): Promise<void> {
    slot.running = true;
    this.writes += 1;
    // Serialised now, synchronously: this write carries exactly the state of this moment. One line, not indented:
    // JSON.stringify with an indent is about a third slower and 40 % longer, and this runs up to three times a
    // session (`jq . <file>` shows it indented).
    const text = `${JSON.stringify(slot.file)}\n`;
    const path = this.pathOf(slot.file.deviceId);
    const write = this.write(path, text);
    const next = (): void => {
      slot.running = false;
      const waiting = slot.waiting;
      slot.waiting = undefined;
      if (waiting !== undefined) this.start(slot).then(waiting.resolve, waiting.reject);
    };
    write.then(
      () => {
        slot.failed = false;
        next();
      },
      () => {
        slot.failed = true;
        next();
      },
    );
    return write;
  }

  /** Temporary file, then rename, recycling the previous inode (recycling-replace.ts says why and how). */
  private write(path: string, text: string): Promise<void> {
    this.dirReady ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    const dirReady = this.dirReady;
    return dirReady
      .then(() => this.replace.write(path, text))
      .catch((err: unknown) => {
        // The folder may have been removed under a running server: make it again once, next time.
        if (this.dirReady === dirReady) this.dirReady = undefined;
        throw err;
      });
  }
}
