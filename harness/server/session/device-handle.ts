/**
 * What a suite holds for one device: `await device.sync([...drafts])` queues the commands, waits until sessions
 * have carried them and the device has answered, and returns one typed result per draft, in the order given.
 *
 * It lives beside the engine (not in harness/scripting) because the engine hands it out and harness/server must
 * not import harness/scripting (DESIGN.md, "Layers, one direction"); harness/scripting re-exports it.
 */
import type { DmcError } from '../../errors.js';
import type { CommandDraft } from '../../syncml/types.js';
import { describeDraft, type CommandResult } from './delivery.js';
import type { QueuedCommand, SessionSummary } from './draft-schema.js';
import { errors } from './errors.js';
import type { DeviceAlert, SessionEventBus } from './events.js';
import type { DeviceState } from './session-state.js';

/** The engine's side of a handle (engine.ts builds it). */
export interface DeviceAccess {
  state: DeviceState;
  /** The engine has closed: nothing will be queued or answered any more. */
  closed(): boolean;
  /** Appends to the queue synchronously (so waiters are in place before any session can answer) and writes it. */
  enqueue(drafts: CommandDraft[]): { entries: QueuedCommand[]; saved: Promise<void> };
  /** Takes commands that were never delivered back out of the queue. */
  withdraw(tickets: string[]): Promise<void>;
  events: SessionEventBus;
}

export interface SyncOptions {
  /** Milliseconds to wait for the device's answers; restarts whenever the device sends requestpending. Default 60000. */
  timeout?: number;
}

export interface SessionsView {
  /** Sessions the device started, over the queue file's lifetime. */
  count: number;
  /** The session in progress, if any (counts so far). */
  open: SessionSummary | undefined;
  /** Ended sessions, oldest first (the most recent ones the queue file keeps). */
  history: SessionSummary[];
}

export class DeviceHandle {
  constructor(private readonly access: DeviceAccess) {}

  get deviceId(): string {
    return this.access.state.deviceId;
  }

  /**
   * Queues `drafts` (copied at once: changing or reusing the objects afterwards changes nothing queued) and resolves
   * with one result per draft, in order, once the device has answered them all.
   */
  async sync(drafts: CommandDraft[], options: SyncOptions = {}): Promise<CommandResult[]> {
    if (drafts.length === 0) return [];
    const timeoutMs = this.timeoutOf(options.timeout, 'sync()');
    const { state } = this.access;
    const { entries, saved } = this.access.enqueue(drafts);
    // The promise's own resolve/reject are the waiter: no closures per command (this runs for every command a script
    // queues). A command is settled once the engine has taken its waiter out of `state.waiters`.
    const results = entries.map((entry) => new Promise<CommandResult>((resolve, reject) => void state.waiters.set(entry.ticket, { resolve, reject })));
    let timer: NodeJS.Timeout | undefined;
    let fail: (error: DmcError) => void = () => undefined;
    const timedOut = new Promise<never>((_, reject) => {
      fail = reject;
    });
    const arm = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => void this.timeOut(entries, timeoutMs).then(fail), timeoutMs);
    };
    // The device's requestpending heartbeat says it is still working on our commands: do not time them out.
    state.keepAliveListeners.add(arm);
    arm();
    // Combined now, before any await, so a waiter rejected early (engine closing) always has a handler.
    const outcome = Promise.race([this.settleTogether(entries, results), timedOut]);
    outcome.catch(() => undefined);
    try {
      await saved;
      return await outcome;
    } finally {
      clearTimeout(timer);
      state.keepAliveListeners.delete(arm);
    }
  }

  /**
   * The results of one sync(), or its first failure (a command too large for the device) once nothing else of it
   * is on its way: the commands still queued are withdrawn with it, and those already sent are answered first.
   * Rejecting at the first failure left its siblings running on the device after the caller saw the error.
   */
  private async settleTogether(entries: QueuedCommand[], results: Promise<CommandResult>[]): Promise<CommandResult[]> {
    const { state } = this.access;
    let first: { error: unknown } | undefined;
    const onFailure = (error: unknown): void => {
      if (first !== undefined) return;
      first = { error };
      // Closing keeps the queue for the next run; the engine settles every waiter itself.
      if (this.access.closed()) return;
      const unsent = this.stillQueued(entries);
      const waiters = unsent.map((e) => state.waiters.get(e.ticket));
      // withdraw() drops them from the queue at once (the write follows); a failed write is the store's to retry.
      this.access.withdraw(unsent.map((e) => e.ticket)).catch(() => undefined);
      for (const waiter of waiters) waiter?.reject(error as DmcError);
    };
    for (const result of results) result.catch(onFailure);
    const settled = await Promise.allSettled(results);
    if (first !== undefined) throw first.error;
    return settled.map((s) => (s as PromiseFulfilledResult<CommandResult>).value);
  }

  /** Those of `entries` that never left the queue (not delivered to the device): the ones a sync can withdraw. */
  private stillQueued(entries: QueuedCommand[]): QueuedCommand[] {
    const queued = new Set(this.access.state.file.queue.map((e) => e.ticket));
    return entries.filter((e) => queued.has(e.ticket));
  }

  private async timeOut(entries: QueuedCommand[], timeoutMs: number): Promise<DmcError> {
    const { state } = this.access;
    const pending = entries.filter((e) => state.waiters.has(e.ticket));
    const last = state.lastSession();
    // Commands that never left the queue are withdrawn: nobody waits for them any more. Delivered ones stay
    // tracked; their results still reach the `commandSettled` event. A failed write still times the sync out: the
    // store keeps the device marked and close() (flush) writes its queue again.
    await this.access.withdraw(this.stillQueued(pending).map((e) => e.ticket)).catch(() => undefined);
    for (const entry of pending) state.waiters.delete(entry.ticket);
    return errors.DMC_ERR_SESSION_SYNC_TIMEOUT.create({
      deviceId: state.deviceId,
      timeoutMs,
      pending: pending.map((e) => describeDraft(e.draft)),
      lastSessionId: last?.sessionId,
      lastSessionAt: last?.at,
    });
  }

  sessions(): SessionsView {
    const { state } = this.access;
    return {
      count: state.file.sessionCount,
      open: state.session === undefined ? undefined : { ...state.session.summary },
      history: state.file.sessions.map((s) => ({ ...s })),
    };
  }

  /**
   * Resolves with the summary of the next session of this device that ends (completed or not); rejects when the
   * timeout passes or the engine closes first.
   */
  waitForSession(options: { timeout?: number } = {}): Promise<SessionSummary> {
    const { state, events } = this.access;
    let timeoutMs: number;
    try {
      timeoutMs = this.timeoutOf(options.timeout, 'waitForSession()');
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.access.closed()) return Promise.reject(errors.DMC_ERR_SESSION_ENGINE_CLOSED.create({ deviceId: state.deviceId }));
    return new Promise((resolve, reject) => {
      const stop = (): void => {
        clearTimeout(timer);
        offEnded();
        offClosed();
      };
      const offEnded = events.on('sessionEnded', ({ deviceId, summary }) => {
        if (deviceId !== state.deviceId) return;
        stop();
        resolve({ ...summary });
      });
      // close() ends open sessions first (sessionEnded 'closed' above), then says it has closed.
      const offClosed = events.on('engineClosed', () => {
        stop();
        reject(errors.DMC_ERR_SESSION_ENGINE_CLOSED.create({ deviceId: state.deviceId }));
      });
      const timer = setTimeout(() => {
        stop();
        reject(
          errors.DMC_ERR_SESSION_WAIT_TIMEOUT.create({ deviceId: state.deviceId, timeoutMs, sessionCount: state.file.sessionCount }),
        );
      }, timeoutMs);
    });
  }

  /** A timeout option checked: Node fires a timer of Infinity, NaN, <= 0 or over 2^31-1 ms after 1 ms. */
  private timeoutOf(timeout: number | undefined, call: string): number {
    if (timeout === undefined) return 60_000;
    if (Number.isFinite(timeout) && timeout > 0 && timeout <= 2_147_483_647) return timeout;
    throw errors.DMC_ERR_SESSION_BAD_TIMEOUT.create({ deviceId: this.access.state.deviceId, call, timeout: String(timeout) });
  }

  /** ./DevInfo values the device reported (LocURI → value). */
  devInfo(): Record<string, string> {
    return { ...this.access.state.file.devInfo };
  }

  /** The device's most recent alerts (KEPT_PER_DEVICE, session-state.ts), oldest first. */
  alerts(): DeviceAlert[] {
    return [...this.access.state.alerts];
  }

  /** When the device sent Alert 1226 unenrollment, or undefined. */
  unenrolledAt(): string | undefined {
    return this.access.state.file.unenrolledAt;
  }

  /**
   * Device protocol errors recorded since the engine opened, the most recent KEPT_PER_DEVICE, oldest first (a harness
   * verdict: device error, not failure).
   */
  protocolErrors(): DmcError[] {
    return [...this.access.state.protocolErrors];
  }

  /** Commands waiting for a session, and those delivered but not answered yet. */
  pending(): { queued: string[]; inFlight: string[] } {
    const { file } = this.access.state;
    return { queued: file.queue.map((e) => describeDraft(e.draft)), inFlight: file.inFlight.map((e) => describeDraft(e.draft)) };
  }
}
