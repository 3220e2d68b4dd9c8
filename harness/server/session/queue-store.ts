/**
 * `<dataDir>/queues/<deviceId>.json`: a device's queue, in-flight commands, session summaries and DevInfo.
 * Reads are zod-checked; writes go to a temporary file that is renamed over the old one (rename is atomic on
 * one file system), and writes for one device are chained so an older state never lands after a newer one.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from './errors.js';
import { deviceFileSchema, type DeviceFile } from './draft-schema.js';

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

export class QueueStore {
  readonly dir: string;
  private readonly chains = new Map<string, Promise<void>>();
  private tmpCounter = 0;

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

  /** Queues a write of `file` (a snapshot is taken now) after the device's earlier writes. */
  save(file: DeviceFile): Promise<void> {
    const text = `${JSON.stringify(file, null, 2)}\n`;
    const path = this.pathOf(file.deviceId);
    const tmp = `${path}.${process.pid}.${++this.tmpCounter}.tmp`;
    const previous = this.chains.get(file.deviceId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        await mkdir(this.dir, { recursive: true });
        await writeFile(tmp, text, 'utf8');
        await rename(tmp, path);
      });
    this.chains.set(file.deviceId, next);
    return next;
  }

  /** Waits for every queued write. */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()].map((p) => p.catch(() => undefined)));
  }
}
