/**
 * Transcripts: every HTTP exchange as one JSON line, appended as it happens to one file per device,
 * `<dataDir>/transcripts/<deviceId>.jsonl`: its enrollment and all its OMA-DM sessions, each line naming its
 * `endpoint` (discovery, policy, enrollment, management) and `sessionId` ('enrollment' for the enrollment
 * endpoints). Exchanges that name no device yet (discovery, policy, refused messages without a readable SyncHdr) go
 * to `unidentified.jsonl`. Bodies and headers are redacted before they are written.
 *
 * Why one file per device, not a folder with a file per session (as until issue #13's last round): creating a file
 * or a folder is the dearest file-system call on the ext4 root of these 2-core VMs, 13 to 850 us of CPU and swinging
 * within minutes, where appending to a file that exists costs 12 to 16 us (tmpfs: about 20 for either). A file per
 * session paid that once per session: up to a fifth of the server's CPU for a session of two messages.
 * `jq -c 'select(.sessionId == "5")' <file>` gives one session back.
 *
 * Appended with a synchronous call once the response has gone out, so a line is written before the next request is
 * read. The callback API's round trip through libuv's thread pool cost far more CPU than the append itself: 120 us
 * against 12 for a file that exists (session/recycling-replace.ts says more). The files stay open between appends
 * (session/append-handles.ts: bounded, and a file removed or moved away meanwhile, by a person or logrotate, is created
 * again at its path) until `close()`.
 */
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { z } from 'zod';
import type { ExchangeRecord } from '../enrollment/index.js';
import { redactHeaders, redactText } from './redact.js';
import { AppendHandles, keptDescriptorLimit } from './session/append-handles.js';

/** Transcript files kept open for appends: enough for every device of a lab, bounded for a fleet. */
const OPEN_FILES = keptDescriptorLimit(256);

export const UNIDENTIFIED = 'unidentified';
/** The endpoint family of OMA-DM sessions (ExchangeRecord.endpoint). */
export const MANAGEMENT = 'management';

/**
 * One transcript line as record() writes it, the fields readers rely on. Checked when read back: the file is on
 * disk, where a person or a crash may have changed it.
 */
export const transcriptLineSchema = z.object({
  at: z.string(),
  endpoint: z.string(),
  deviceId: z.string().optional(),
  sessionId: z.string().optional(),
  url: z.string(),
  request: z.object({ headers: z.record(z.string(), z.unknown()), body: z.string() }),
  response: z.object({ status: z.number(), body: z.string() }),
  errorCode: z.string().optional(),
});
export type TranscriptLine = z.infer<typeof transcriptLineSchema>;

/** A path segment from a device or session ID: no separators, no dot-dot, bounded length. */
function safeSegment(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100);
  return cleaned === '' ? '_' : cleaned;
}

/**
 * The lines of the transcript file at `path` as written, read as a stream: a device's file holds every exchange it
 * ever had with a server that keeps its data folder (the unidentified exchanges of `npm run fuzz` come to about
 * 860 MB), more than one string holds. None when there is no file (no exchange yet); any other failure to open it
 * is thrown, so a reader never takes an unreadable file for an empty one. The file is closed however the caller
 * stops.
 */
export async function* transcriptFileLines(path: string): AsyncGenerator<string> {
  let input;
  try {
    input = (await open(path)).createReadStream({ encoding: 'utf8' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    yield* createInterface({ input, crlfDelay: Infinity });
  } finally {
    input.destroy();
  }
}

/** The records of the transcript file at `path`, streamed; a line that is not a record() line is named by line. */
export async function* transcriptRecords(path: string): AsyncGenerator<TranscriptLine> {
  let number = 0;
  for await (const line of transcriptFileLines(path)) {
    const record = transcriptLine(line, path, ++number);
    if (record !== undefined) yield record;
  }
}

/** Line `number` of the transcript file at `path` as a record, undefined when blank; throws naming the line when not one. */
function transcriptLine(line: string, path: string, number: number): TranscriptLine | undefined {
  if (line.trim() === '') return undefined;
  let parsed;
  try {
    parsed = transcriptLineSchema.safeParse(JSON.parse(line));
  } catch (err) {
    throw new Error(`${path}:${number}: not a transcript line (${(err as Error).message})`);
  }
  if (!parsed.success) throw new Error(`${path}:${number}: not a transcript line (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

export class TranscriptWriter {
  readonly dir: string;
  #dirMade = false;
  #failures = 0;

  readonly #secrets: readonly string[];
  readonly #files = new AppendHandles({ limit: OPEN_FILES, create: true });

  /** `secrets`: values redacted wherever they appear (see redactText). */
  constructor(dataDir: string, options: { secrets?: readonly string[] } = {}) {
    this.dir = join(dataDir, 'transcripts');
    this.#secrets = options.secrets ?? [];
  }

  /** The transcript file of a device (`unidentified.jsonl` for exchanges that name no device). */
  pathFor(deviceId: string | undefined): string {
    return join(this.dir, `${safeSegment(deviceId ?? UNIDENTIFIED)}.jsonl`);
  }

  /** Appends one exchange; lines of one file keep their order. Never throws into the request path. */
  record(exchange: ExchangeRecord): void {
    const path = this.pathFor(exchange.deviceId);
    const line = `${JSON.stringify({
      ...exchange,
      request: { headers: redactHeaders(exchange.request.headers), body: redactText(exchange.request.body, this.#secrets) },
      response: { ...exchange.response, headers: redactHeaders(exchange.response.headers), body: redactText(exchange.response.body, this.#secrets) },
    })}\n`;
    try {
      if (!this.#dirMade) {
        mkdirSync(this.dir, { recursive: true });
        this.#dirMade = true;
      }
      this.#files.append(path, line);
    } catch {
      // Counted, not thrown: a full disk must not fail the device's session. The folder is made again next time.
      this.#dirMade = false;
      this.#failures += 1;
    }
  }

  /**
   * The exchanges of one endpoint family (OMA-DM sessions unless told) in a device's transcript, in the order they
   * were written; none when the file cannot be read (the device has no exchange yet). A line that is not one
   * record() wrote is an error naming the file and line.
   */
  async exchangesOf(deviceId: string, endpoint: string = MANAGEMENT): Promise<TranscriptLine[]> {
    const found: TranscriptLine[] = [];
    for await (const record of transcriptRecords(this.pathFor(deviceId))) if (record.endpoint === endpoint) found.push(record);
    return found;
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

  /** Closes the files kept open; a line recorded later is still written, its file opened and closed for it. */
  close(): void {
    this.#files.close();
  }
}

/**
 * What a server says on stop when transcript lines were lost (a failed line never fails the device's session, so
 * this is where a full disk shows), or undefined when none were. `who` names the server in the sentence.
 */
export function lostTranscriptLines(writer: TranscriptWriter, who: string): string | undefined {
  if (writer.failures === 0) return undefined;
  return `${who}: ${writer.failures} transcript line(s) could not be written under ${writer.dir} (disk full, permissions, or something else where the folder or a device's file should be)`;
}
