/**
 * Transcripts: every HTTP exchange as one JSON line, appended as it happens to
 * `<dataDir>/transcripts/<deviceId>/<sessionId or 'enrollment'>.jsonl`. Exchanges that name no device yet
 * (discovery, policy, refused messages without a readable SyncHdr) go to the `unidentified` folder. Bodies and
 * headers are redacted before they are written.
 *
 * Appended with a synchronous call once the response has gone out, so a line is written before the next request is
 * read. The callback API's round trip through libuv's thread pool cost far more CPU than the append itself: 120 us
 * against 12 for a file that exists, 190 to 240 against 63 for a new one (session/recycling-replace.ts says more).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
    const dir = dirname(path);
    try {
      if (!this.#madeDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.#madeDirs.add(dir);
      }
      appendFileSync(path, line, 'utf8');
    } catch {
      // Counted, not thrown: a full disk must not fail the device's session. The folder is made again next time.
      this.#madeDirs.delete(dir);
      this.#failures += 1;
    }
  }

  /** How many lines could not be written (disk full, permissions). */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Resolves once every line recorded so far is written: at once, as record() writes before it returns. Kept for
   * the callers that read transcripts back (calibration, the campaign, tests), so they need not know how lines are
   * written.
   */
  async flush(): Promise<void> {}
}

/**
 * What a server says on stop when transcript lines were lost (a failed line never fails the device's session, so
 * this is where a full disk shows), or undefined when none were. `who` names the server in the sentence.
 */
export function lostTranscriptLines(writer: TranscriptWriter, who: string): string | undefined {
  if (writer.failures === 0) return undefined;
  return `${who}: ${writer.failures} transcript line(s) could not be written under ${writer.dir} (disk full, permissions, or a file in the folder's place)`;
}
