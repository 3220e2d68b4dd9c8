/**
 * The record of device certificates the harness CA issued, kept in `<dataDir>/pki/issued.json` so a restarted
 * server still recognises the client certificates of devices it enrolled earlier.
 */
import { z } from 'zod';
import { errors } from './errors.js';
import { readIfExists, writeFileAtomic } from './pki-files.js';

export const IssuedCertificateRecordSchema = z.object({
  /** Upper-case hex SHA-1 of the certificate DER. */
  thumbprint: z.string().regex(/^[0-9A-F]{40}$/),
  /** Upper-case hex serial number. */
  serialNumber: z.string().regex(/^[0-9A-F]+$/),
  subject: z.string(),
  deviceId: z.string().min(1),
  enrollmentType: z.enum(['Device', 'User']),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
  issuedAt: z.iso.datetime(),
  certPem: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
});
export type IssuedCertificateRecord = z.infer<typeof IssuedCertificateRecordSchema>;

const IssuedFileSchema = z.object({
  version: z.literal(1),
  certificates: z.array(IssuedCertificateRecordSchema),
});

export class IssuedStore {
  readonly #path: string;
  readonly #byThumbprint = new Map<string, IssuedCertificateRecord>();
  /** Serialises writes: two enrollments finishing together must not lose each other's record. */
  #writing: Promise<void> = Promise.resolve();

  private constructor(path: string, records: IssuedCertificateRecord[]) {
    this.#path = path;
    for (const record of records) this.#byThumbprint.set(record.thumbprint, record);
  }

  static async open(path: string): Promise<IssuedStore> {
    const text = await readIfExists(path);
    if (text === undefined) return new IssuedStore(path, []);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw errors.DMC_ERR_PKI_STORE_CORRUPT.create({ path, problem: `not JSON (${(cause as Error).message})` }, { cause });
    }
    const parsed = IssuedFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? issue.path.join('.') || '(root)' : '(root)';
      throw errors.DMC_ERR_PKI_STORE_CORRUPT.create({ path, problem: `${where}: ${issue?.message ?? 'invalid'}` });
    }
    return new IssuedStore(path, parsed.data.certificates);
  }

  find(thumbprint: string): IssuedCertificateRecord | undefined {
    return this.#byThumbprint.get(thumbprint.replace(/[\s:]/g, '').toUpperCase());
  }

  list(): IssuedCertificateRecord[] {
    return [...this.#byThumbprint.values()];
  }

  async add(record: IssuedCertificateRecord): Promise<void> {
    this.#byThumbprint.set(record.thumbprint, IssuedCertificateRecordSchema.parse(record));
    const write = this.#writing.then(() =>
      writeFileAtomic(this.#path, `${JSON.stringify({ version: 1, certificates: this.list() }, null, 2)}\n`, { secret: false }),
    );
    // A failed write must not block later ones; the caller of this add still sees the failure.
    this.#writing = write.catch(() => undefined);
    await write;
  }
}
