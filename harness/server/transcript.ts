/**
 * Transcripts: every HTTP exchange as one JSON line, appended as it happens to
 * `<dataDir>/transcripts/<deviceId>/<sessionId or 'enrollment'>.jsonl`. Exchanges that name no device yet
 * (discovery, policy, refused messages without a readable SyncHdr) go to the `unidentified` folder. Bodies and
 * headers are redacted before they are written.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExchangeRecord } from '../enrollment/index.js';
import { redactHeaders, redactText } from './redact.js';

export const UNIDENTIFIED = 'unidentified';

/** A path segment from a device or session ID: no separators, no dot-dot, bounded length. */
export function safeSegment(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100);
  return cleaned === '' ? '_' : cleaned;
}

export class TranscriptWriter {
  readonly dir: string;
  readonly #chains = new Map<string, Promise<void>>();
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

  /** Appends one exchange; lines of one file keep their order. Never throws into the request path. */
  record(exchange: ExchangeRecord): void {
    const path = this.pathFor(exchange.deviceId, exchange.sessionId);
    const line = `${JSON.stringify({
      ...exchange,
      request: { headers: redactHeaders(exchange.request.headers), body: redactText(exchange.request.body, this.#secrets) },
      response: { ...exchange.response, headers: redactHeaders(exchange.response.headers), body: redactText(exchange.response.body, this.#secrets) },
    })}\n`;
    const previous = this.#chains.get(path) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const dir = join(path, '..');
        if (!this.#madeDirs.has(dir)) {
          await mkdir(dir, { recursive: true });
          this.#madeDirs.add(dir);
        }
        await appendFile(path, line, 'utf8');
      })
      .catch(() => {
        this.#failures += 1;
      });
    this.#chains.set(path, next);
  }

  /** How many lines could not be written (disk full, permissions); shown by the server on stop. */
  get failures(): number {
    return this.#failures;
  }

  async flush(): Promise<void> {
    await Promise.all(this.#chains.values());
  }
}
