/**
 * Transcripts: every HTTP exchange as one JSON line, appended as it happens to
 * `<dataDir>/transcripts/<deviceId>/<sessionId or 'enrollment'>.jsonl`. Exchanges that name no device yet
 * (discovery, policy, refused messages without a readable SyncHdr) go to the `unidentified` folder. Bodies and
 * headers are redacted before they are written.
 */
import { appendFile, mkdir } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExchangeRecord } from '../enrollment/index.js';
import { redactHeaders, redactText } from './redact.js';

export const UNIDENTIFIED = 'unidentified';

/** A path segment from a device or session ID: no separators, no dot-dot, bounded length. */
export function safeSegment(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100);
  return cleaned === '' ? '_' : cleaned;
}

/** The lines of one transcript file waiting for, or being written by, the one append that runs for it. */
interface FileSlot {
  lines: string[];
  idle: (() => void)[];
}

export class TranscriptWriter {
  readonly dir: string;
  /** Files with a write in progress; a file leaves the map when its last write lands, so the map stays small. */
  readonly #busy = new Map<string, FileSlot>();
  readonly #madeDirs = new Set<string>();
  #failures = 0;

  readonly #secrets: readonly string[];

  /** `secrets`: values redacted wherever they appear (see redactText). */
  constructor(dataDir: string, options: { secrets?: readonly string[] } = {}) {
    this.dir = join(dataDir, 'transcripts');
    this.#secrets = options.secrets ?? [];
  }

  /** The file an exchange for this device and session is written to. */
  pathFor(deviceId: string | undefined, sessionId: string | undefined): string {
    return join(this.dir, safeSegment(deviceId ?? UNIDENTIFIED), `${safeSegment(sessionId ?? 'enrollment')}.jsonl`);
  }

  /**
   * Appends one exchange; lines of one file keep their order. Never throws into the request path.
   * Lines that arrive while their file is being written go out together in the next append. Callback fs, not
   * fs/promises: an appendFile through a FileHandle costs about twice the CPU (benchmarks/server.bench.ts).
   */
  record(exchange: ExchangeRecord): void {
    const path = this.pathFor(exchange.deviceId, exchange.sessionId);
    const line = `${JSON.stringify({
      ...exchange,
      request: { headers: redactHeaders(exchange.request.headers), body: redactText(exchange.request.body, this.#secrets) },
      response: { ...exchange.response, headers: redactHeaders(exchange.response.headers), body: redactText(exchange.response.body, this.#secrets) },
    })}\n`;
    const slot = this.#busy.get(path);
    if (slot !== undefined) {
      slot.lines.push(line);
      return;
    }
    const fresh: FileSlot = { lines: [line], idle: [] };
    this.#busy.set(path, fresh);
    this.#write(path, fresh);
  }

  #write(path: string, slot: FileSlot): void {
    const lines = slot.lines;
    slot.lines = [];
    const done = (err: NodeJS.ErrnoException | null): void => {
      if (err !== null) this.#failures += lines.length;
      if (slot.lines.length > 0) return this.#write(path, slot);
      this.#busy.delete(path);
      for (const resolve of slot.idle) resolve();
    };
    const dir = dirname(path);
    const append = (): void => appendFile(path, lines.join(''), 'utf8', done);
    if (this.#madeDirs.has(dir)) return append();
    mkdir(dir, { recursive: true }, (err) => {
      if (err !== null) return done(err);
      this.#madeDirs.add(dir);
      append();
    });
  }

  /** How many lines could not be written (disk full, permissions); shown by the server on stop. */
  get failures(): number {
    return this.#failures;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.#busy.values()].map((slot) => new Promise<void>((resolve) => slot.idle.push(resolve))));
  }
}
