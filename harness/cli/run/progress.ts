/**
 * `dmc run`'s progress: one line per device whenever its state changes (and every heartbeat while it runs):
 *   [lab-pc-1] 4/12 done (3 passed, 1 failed) · running DMC-POLL-003 · 7 sessions · 1m05s
 * Read from two append-only files that grow while Playwright runs: the progress reporter's events (plan, begin,
 * end) and the conformance reporter's results.partial.jsonl (verdicts and sessions of finished tests).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { testEntrySchema, type Verdict } from '../../report/results-model.js';
import type { ProgressEvent } from './progress-reporter.js';

interface DeviceState {
  total: number | undefined;
  done: number;
  sessions: number;
  verdicts: Map<Verdict, number>;
  running: string | undefined;
  /** When the device was first seen busy; a device is listed from then on. */
  startedAt: number | undefined;
}

/** Reads the lines appended to a file since the last call; a partial last line waits for its newline. */
export class JsonlTail {
  private offset = 0;
  private rest = '';

  constructor(readonly file: string) {}

  read(): unknown[] {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return [];
    }
    // The reporter truncates results.partial.jsonl when a run starts; start over then.
    if (size < this.offset) this.offset = 0;
    if (size === this.offset) return [];
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.rest + buffer.toString('utf8')).split('\n');
    this.rest = lines.pop() ?? '';
    return lines.filter((l) => l.trim() !== '').flatMap((l) => {
      try {
        return [JSON.parse(l) as unknown];
      } catch {
        return [];
      }
    });
  }
}

export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m === 0 ? `${s}s` : `${m}m${String(s).padStart(2, '0')}s`;
}

export class ProgressTracker {
  private readonly devices = new Map<string, DeviceState>();
  private readonly events: JsonlTail;
  private readonly partial: JsonlTail;
  private readonly lastPrinted = new Map<string, string>();
  private readonly lastPrintedAt = new Map<string, number>();
  /** Elapsed time counts from the start of the run, the same clock for every device. */
  private readonly runStartedAt: number;

  constructor(
    progressFile: string,
    partialFile: string,
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly heartbeatMs = 30_000,
  ) {
    this.runStartedAt = now();
    this.events = new JsonlTail(progressFile);
    this.partial = new JsonlTail(partialFile);
  }

  private device(name: string): DeviceState {
    let state = this.devices.get(name);
    if (state === undefined) {
      state = { total: undefined, done: 0, sessions: 0, verdicts: new Map(), running: undefined, startedAt: undefined };
      this.devices.set(name, state);
    }
    return state;
  }

  /** Reads what the files gained and prints a line for each device whose state changed (or is due a heartbeat). */
  poll(): void {
    for (const raw of this.events.read()) {
      const event = raw as ProgressEvent;
      if (typeof event.target !== 'string') continue;
      const state = this.device(event.target);
      if (event.event === 'plan') state.total = event.total;
      else if (event.event === 'begin') {
        state.running = event.id;
        state.startedAt ??= this.now();
      } else if (event.event === 'end' && state.running === event.id) state.running = undefined;
    }
    for (const raw of this.partial.read()) {
      const parsed = testEntrySchema.safeParse(raw);
      if (!parsed.success) continue;
      const state = this.device(parsed.data.target);
      state.startedAt ??= this.now();
      state.done += 1;
      state.sessions += parsed.data.sessions ?? 0;
      state.verdicts.set(parsed.data.verdict, (state.verdicts.get(parsed.data.verdict) ?? 0) + 1);
      if (state.running === parsed.data.id) state.running = undefined;
    }
    for (const [name, state] of this.devices) {
      if (state.startedAt === undefined) continue;
      const line = this.line(name, state);
      const withoutTime = line.replace(/ · [^·]+$/, '');
      const due = state.running !== undefined && this.now() - (this.lastPrintedAt.get(name) ?? 0) >= this.heartbeatMs;
      if (this.lastPrinted.get(name) !== withoutTime || due) {
        this.lastPrinted.set(name, withoutTime);
        this.lastPrintedAt.set(name, this.now());
        this.write(`${line}\n`);
      }
    }
  }

  line(name: string, state: DeviceState): string {
    const counts = [...state.verdicts].map(([verdict, n]) => `${n} ${verdict}`).join(', ');
    const done = `${state.done}${state.total === undefined ? '' : `/${state.total}`} done${counts === '' ? '' : ` (${counts})`}`;
    const running = state.running === undefined ? '' : ` · running ${state.running}`;
    const sessions = ` · ${state.sessions} session${state.sessions === 1 ? '' : 's'}`;
    return `[${name}] ${done}${running}${sessions} · ${formatElapsed(this.now() - this.runStartedAt)}`;
  }
}
