/**
 * The enrollments of a run, kept under `<dataDir>/enrollments.json` so a restarted server still knows every device,
 * its certificate and its digest credentials. Writes are serialised and atomic.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from './atomic-json.js';

const digestAccountSchema = z.object({ name: z.string().min(1), secret: z.string().min(1), nonce: z.string() });

export const enrollmentRecordSchema = z.object({
  deviceId: z.string().min(1),
  hwDevId: z.string().optional(),
  enrollmentType: z.enum(['Full', 'Device']),
  upn: z.string(),
  providerId: z.string().min(1),
  deviceName: z.string().optional(),
  osVersion: z.string().optional(),
  certificate: z.object({
    thumbprint: z.string().regex(/^[0-9A-F]{40}$/),
    serialNumber: z.string(),
    subject: z.string(),
    pem: z.string(),
  }),
  /** AAUTHLEVEL APPSRV (the client authenticates itself to the server, w7 APPLICATION CSP): the device's SyncML MD5 digest account; `nonce` is the one the next Cred must use. */
  clientDigest: digestAccountSchema,
  /** AAUTHLEVEL CLIENT (the server authenticates itself to the client): the server's digest account as given to the device. */
  serverDigest: digestAccountSchema,
  enrolledAt: z.string(),
  unenrolledAt: z.string().optional(),
});
export type EnrollmentRecord = z.infer<typeof enrollmentRecordSchema>;

const fileSchema = z.object({ version: z.literal(1), enrollments: z.array(enrollmentRecordSchema) });

export class EnrollmentStore {
  readonly path: string;
  readonly #records = new Map<string, EnrollmentRecord>();
  #writing: Promise<void> = Promise.resolve();
  #scheduled: Promise<void> | undefined;

  private constructor(path: string, records: EnrollmentRecord[]) {
    this.path = path;
    for (const record of records) this.#records.set(record.deviceId, record);
  }

  static async open(dataDir: string): Promise<EnrollmentStore> {
    const path = join(dataDir, 'enrollments.json');
    const file = await readJson(path, fileSchema);
    return new EnrollmentStore(path, file?.enrollments ?? []);
  }

  get(deviceId: string): EnrollmentRecord | undefined {
    return this.#records.get(deviceId);
  }

  /** The enrollment whose certificate has this SHA-1 thumbprint (upper-case hex). */
  byThumbprint(thumbprint: string): EnrollmentRecord | undefined {
    const wanted = thumbprint.toUpperCase();
    for (const record of this.#records.values()) {
      if (record.certificate.thumbprint === wanted) return record;
    }
    return undefined;
  }

  list(): EnrollmentRecord[] {
    return [...this.#records.values()];
  }

  /** Adds or replaces (re-enrollment) a device's record and persists the store. */
  async put(record: EnrollmentRecord): Promise<void> {
    this.#records.set(record.deviceId, enrollmentRecordSchema.parse(record));
    await this.#persist();
  }

  /** Changes one record (nonce rotation, unenrollment) and persists the store. */
  async update(deviceId: string, change: (record: EnrollmentRecord) => EnrollmentRecord): Promise<EnrollmentRecord> {
    const current = this.#records.get(deviceId);
    if (current === undefined) throw new Error(`no enrollment for device ${JSON.stringify(deviceId)}`);
    const next = enrollmentRecordSchema.parse(change(current));
    this.#records.set(deviceId, next);
    await this.#persist();
    return next;
  }

  /**
   * Writes are chained so two never race on the temp file, and coalesced: changes made while a write runs are
   * saved together by the next one (a burst of enrollments or nonce rotations costs two writes, not one each).
   */
  #persist(): Promise<void> {
    if (this.#scheduled !== undefined) return this.#scheduled;
    const run = this.#writing.then(() => {
      this.#scheduled = undefined;
      return writeJsonAtomic(this.path, { version: 1, enrollments: [...this.#records.values()] });
    });
    this.#scheduled = run;
    this.#writing = run.catch(() => undefined);
    return run;
  }

  async flush(): Promise<void> {
    await this.#writing;
  }
}
