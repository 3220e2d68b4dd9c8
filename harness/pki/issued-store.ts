/**
 * The record of device certificates the harness CA issued, kept in `<dataDir>/pki/issued.jsonl` so a restarted
 * server still recognises the client certificates of devices it enrolled earlier.
 *
 * One JSON record per line, appended (issue #3): issuing the 1,000th certificate writes one line, not the whole
 * history again. Records that arrive while an append runs go out together in the next one. A crash can leave at
 * most a torn last line without its newline: that record's `add()` never resolved, so its certificate was never
 * handed out; the line is dropped when the store opens. Any other unreadable line stops the start.
 *
 * The earlier format, `issued.json` (`{ version: 1, certificates: [...] }`, rewritten on every issue), is still
 * read: it is validated, its records are written to `issued.jsonl` (atomically) and the old file is removed.
 */
import { appendFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { normalThumbprint } from './der.js';
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

const LegacyFileSchema = z.object({
  version: z.literal(1),
  certificates: z.array(IssuedCertificateRecordSchema),
});

function firstIssue(error: z.ZodError, prefix: string[] = []): string {
  const issue = error.issues[0];
  const where = [...prefix, ...(issue?.path ?? []).map(String)].join('.') || '(root)';
  return `${where}: ${issue?.message ?? 'invalid'}`;
}

function readJson(path: string, text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw errors.DMC_ERR_PKI_STORE_CORRUPT.create({ path, problem: `${where}not JSON (${(cause as Error).message})` }, { cause });
  }
}

/** The records of an `issued.jsonl` text, and whether its last line was torn by a crash. */
function parseLines(path: string, text: string): { records: IssuedCertificateRecord[]; tornTail: boolean } {
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const records: IssuedCertificateRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = IssuedCertificateRecordSchema.safeParse(readJson(path, line, `line ${index + 1}: `));
    if (!parsed.success) throw errors.DMC_ERR_PKI_STORE_CORRUPT.create({ path, problem: `line ${index + 1}: ${firstIssue(parsed.error)}` });
    records.push(parsed.data);
  });
  // Text after the last newline is an append that did not finish: its add() never resolved.
  return { records, tornTail: last.trim() !== '' };
}

const toLines = (records: IssuedCertificateRecord[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join('');

export class IssuedStore {
  readonly #path: string;
  readonly #byThumbprint = new Map<string, IssuedCertificateRecord>();
  /** Records waiting for the next append, and the promise that append settles. */
  #batch: { lines: string[]; done: Promise<void> } | undefined;
  #appending: Promise<void> | undefined;

  private constructor(path: string, records: IssuedCertificateRecord[]) {
    this.#path = path;
    for (const record of records) this.#byThumbprint.set(record.thumbprint, record);
  }

  /** Opens `path` (JSON lines), migrating `legacyPath` (the whole-file format) into it when that exists. */
  static async open(path: string, legacyPath?: string): Promise<IssuedStore> {
    const text = await readIfExists(path);
    const { records, tornTail } = text === undefined ? { records: [], tornTail: false } : parseLines(path, text);
    const legacyText = legacyPath === undefined ? undefined : await readIfExists(legacyPath);
    if (legacyPath === undefined || legacyText === undefined) {
      if (tornTail) await writeFileAtomic(path, toLines(records), { secret: false });
      return new IssuedStore(path, records);
    }
    const legacy = LegacyFileSchema.safeParse(readJson(legacyPath, legacyText, ''));
    if (!legacy.success) throw errors.DMC_ERR_PKI_STORE_CORRUPT.create({ path: legacyPath, problem: firstIssue(legacy.error) });
    // Both files exist only when a migration stopped before removing the old one: keep the union.
    const merged = new Map(legacy.data.certificates.map((r) => [r.thumbprint, r]));
    for (const record of records) merged.set(record.thumbprint, record);
    await writeFileAtomic(path, toLines([...merged.values()]), { secret: false });
    await rm(legacyPath, { force: true });
    return new IssuedStore(path, [...merged.values()]);
  }

  find(thumbprint: string): IssuedCertificateRecord | undefined {
    return this.#byThumbprint.get(normalThumbprint(thumbprint));
  }

  list(): IssuedCertificateRecord[] {
    return [...this.#byThumbprint.values()];
  }

  /** Records a certificate; resolves once its line is on disk. */
  async add(record: IssuedCertificateRecord): Promise<void> {
    const checked = IssuedCertificateRecordSchema.parse(record);
    this.#byThumbprint.set(checked.thumbprint, checked);
    const line = `${JSON.stringify(checked)}\n`;
    if (this.#batch !== undefined) {
      this.#batch.lines.push(line);
      return this.#batch.done;
    }
    const lines = [line];
    // Appends never overlap: a second one waits for the first, gathering every record that arrives meanwhile.
    const done = (this.#appending ?? Promise.resolve()).then(() => {
      if (this.#batch?.lines === lines) this.#batch = undefined;
      return appendFile(this.#path, lines.join(''), { mode: 0o644 });
    });
    this.#batch = { lines, done };
    const settled = done.catch(() => undefined);
    this.#appending = settled;
    void settled.then(() => {
      if (this.#appending === settled) this.#appending = undefined;
    });
    return done;
  }
}
