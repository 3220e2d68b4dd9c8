/**
 * The OMA-DM session engine (MS-MDM 3.1.5, OMA-DM 1.2 Protocol), transport-free: the HTTP layer authenticates the
 * device, parses its SyncML and hands it here; the engine answers with the reply message.
 *
 * Per device and SyncHdr.SessionID:
 * 1. MsgID 1 opens a session (a session still open for the device is abandoned, see `requeueInFlight`);
 *    any other MsgID must be the open session's next one, or `handle()` throws a request error (errors.ts).
 * 2. The device's commands are read (inbound.ts): Status/Results matched to what we sent, DevInfo and alerts recorded.
 * 3. When the device ends its package (Final) without requestpending, any command it left unanswered is settled as
 *    unanswered and recorded as a device protocol error.
 * 4. The reply (outbound.ts) carries SyncHdr Status, Statuses, then queued commands; a reply of only Status and
 *    Final ends the session.
 * 5. The device file `<dataDir>/queues/<deviceId>.json` (queue-store.ts) keeps every queued command safe by one
 *    rule: a command is on disk before any reply carries it. `sync()` has its commands written at the end of the
 *    turn it was called in; a reply that delivers commands whose write has not landed yet waits for it. A reply
 *    that ends the session, or a message that unenrolls the device, is written at once too. Progress inside a
 *    session (in-flight marks, delivery counts, results settled before the last message, DevInfo) is written with
 *    the next of those, or at the latest 5 s later (QueueStore.saveLater): a session of two messages writes
 *    twice, not three times (issue #13). What a crash can lose is that progress: a delivered command is found
 *    queued or in flight and is sent again either way (see `requeueInFlight`, which runs on every restart), its
 *    delivery count may be one short, and a command answered just before the crash may run twice. `close()`
 *    writes everything.
 */
import type { Chal, CommandDraft, SyncML } from '../../syncml/types.js';
import type { DmcError } from '../../errors.js';
import { randomUUID } from 'node:crypto';
import { describeDraft, draftBuildProblem, unansweredResult, type CommandResult } from './delivery.js';
import { surelyValidDraft } from './draft-check.js';
import { commandDraftSchema, copyDrafts, type QueuedCommand, type SessionSummary } from './draft-schema.js';
import { errors } from './errors.js';
import { SessionEventBus, type SessionEventName, type SessionEvents } from './events.js';
import { processInbound } from './inbound.js';
import { challengeReply, syncHdrStatus } from './replies.js';
import { composeReply } from './outbound.js';
import { QueueStore, checkDeviceId, emptyDeviceFile } from './queue-store.js';
import { DeviceState, keepRecent, newSession, positiveInt, type Session } from './session-state.js';
import { DeviceHandle, type DeviceAccess } from './device-handle.js';

export type AuthOutcome =
  | { kind: 'accepted'; status: '200' | '212'; chal?: Chal } // 212 + Chal(NextNonce) when MD5 digest was accepted
  | { kind: 'challenge'; status: '401' | '407'; chal: Chal }; // refuse: SyncHdr Status + Chal + Final, consume nothing

export interface ManagementRequest {
  deviceId: string;
  message: SyncML;
  auth: AuthOutcome;
  receivedAt: Date;
}

export interface SessionEngineOptions {
  dataDir: string;
  /** SyncHdr.Source.LocURI of replies; defaults to the SyncHdr.Target.LocURI the device addressed. */
  serverLocURI?: string;
  /**
   * The largest message the server sends (bytes), whatever the device announces: its own SyncHdr Meta MaxMsgSize
   * still wins when smaller. Unlimited when neither is set. Windows announces none (capture 05), so without this a
   * real device gets every queued command in as few messages as they fit: over 100 KB and 600 commands in one message
   * in the conformance run. A lab whose devices fail on such messages sets it (inventory `harness.maxMsgSize`).
   */
  maxMsgSize?: number;
  /** Sessions that may carry a command without an answer before it is given up as unanswered (default 3). */
  maxDeliveries?: number;
  /** Session summaries kept per device in its queue file (default 50; the count is kept apart). */
  sessionHistory?: number;
}

/** The smaller of two limits, either of which may be absent (no limit). */
function smallest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

export class SessionEngine {
  readonly events = new SessionEventBus();
  private readonly devices = new Map<string, DeviceState>();
  private readonly handles = new Map<string, DeviceHandle>();
  private closed = false;

  private constructor(
    private readonly options: SessionEngineOptions,
    private readonly store: QueueStore,
  ) {}

  /** Opens the engine on `dataDir`, restoring every device's queue. Commands a crashed run left in flight are re-queued. */
  static async open(options: SessionEngineOptions): Promise<SessionEngine> {
    const store = new QueueStore(options.dataDir);
    const engine = new SessionEngine(options, store);
    const pending: Promise<void>[] = [];
    for (const file of await store.loadAll()) {
      const state = new DeviceState(file);
      engine.devices.set(file.deviceId, state);
      if (file.inFlight.length > 0) {
        engine.requeueInFlight(state, undefined);
        pending.push(store.save(state.file));
      }
    }
    await Promise.all(pending);
    return engine;
  }

  on<K extends SessionEventName>(event: K, listener: (payload: SessionEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Device ids the engine knows (from disk or from requests). */
  deviceIds(): string[] {
    return [...this.devices.keys()].sort();
  }

  device(deviceId: string): DeviceHandle {
    let handle = this.handles.get(deviceId);
    if (handle === undefined) {
      handle = new DeviceHandle(this.access(this.state(deviceId)));
      this.handles.set(deviceId, handle);
    }
    return handle;
  }

  async handle(request: ManagementRequest): Promise<SyncML> {
    const { deviceId, message } = request;
    if (this.closed) throw errors.DMC_ERR_SESSION_ENGINE_CLOSED.create({ deviceId });
    const state = this.state(deviceId);
    const hdr = message.SyncHdr;
    const at = request.receivedAt.toISOString();
    if (!/^[1-9]\d{0,9}$/.test(hdr.MsgID)) throw errors.DMC_ERR_SESSION_BAD_MSGID.create({ deviceId, msgId: hdr.MsgID });
    const msgId = Number(hdr.MsgID);

    if (request.auth.kind === 'challenge') return this.challenge(state, request, at);

    const session = this.sessionFor(state, hdr.SessionID, msgId, hdr.Source.LocURI, at);
    session.lastDeviceMsgId = msgId;
    session.summary.messagesIn += 1;
    session.maxMsgSize = smallest(positiveInt(hdr.Meta?.MaxMsgSize) ?? session.maxMsgSize, this.options.maxMsgSize);
    session.maxObjSize = positiveInt(hdr.Meta?.MaxObjSize) ?? session.maxObjSize;
    this.events.emit('messageIn', { deviceId, sessionId: session.sessionId, msgId: hdr.MsgID, message, at });

    const recordError = (error: DmcError): void => this.recordError(state, session, error);
    let unenrolled = false;
    const inbound = processInbound({
      device: state,
      session,
      message,
      at,
      recordError,
      onAlert: (alert, unenrollment) => {
        keepRecent(state.alerts, alert);
        this.events.emit('alert', alert);
        if (unenrollment) {
          unenrolled = true;
          state.file.unenrolledAt = at;
          this.events.emit('unenrollment', alert);
        }
      },
    });
    const sentBefore = session.summary.commandsSent;
    if (inbound.requestPending) for (const listener of state.keepAliveListeners) listener();
    // Alert 1223 (MS-MDM 2.2.7.2, SESSION ABORT): the device leaves the session. Commands it did not answer are not
    // its protocol errors: the session ends as abandoned below and re-queues them (the issue #3 rule).
    if (message.SyncBody.Final && !inbound.requestPending && !inbound.aborted) this.giveUpUnanswered(state, session, recordError);
    this.settle(state, session);

    const hdrStatus = syncHdrStatus(message, request.auth);
    const reply = composeReply({
      device: state,
      session,
      serverLocURI: this.options.serverLocURI ?? hdr.Target.LocURI,
      statuses: [hdrStatus, ...inbound.statuses],
      // A device message without Final that carries Alert 1222 asks for the rest of OUR package; without 1222 it
      // says the device's own package goes on, so we ask for its next message.
      askForMore: !message.SyncBody.Final && !inbound.requestPending && !inbound.nextMessageAsked,
      devicePending: inbound.requestPending,
      aborted: inbound.aborted,
      reject: (entry, error) => {
        state.waiters.get(entry.ticket)?.reject(error);
        state.waiters.delete(entry.ticket);
        this.events.emit('commandRejected', { deviceId, ticket: entry.ticket, error });
      },
    });
    session.summary.messagesOut += 1;
    this.events.emit('messageOut', {
      deviceId,
      sessionId: session.sessionId,
      msgId: reply.message.SyncHdr.MsgID,
      message: reply.message,
      final: reply.final,
      at,
    });
    if (reply.ends) this.endSession(state, session, inbound.aborted ? 'abandoned' : 'completed', at);
    if (!reply.ends && !unenrolled) {
      // Step 5: progress inside a session may lag; see the top of this file.
      this.store.saveLater(state.file);
    } else {
      // Write-behind: a failure leaves the device marked in the store, and close() (flush) writes it again.
      this.store.save(state.file).catch(() => undefined);
    }
    if (session.summary.commandsSent > sentBefore && state.enqueueWritesDone < state.enqueueWrites) {
      // Step 5: commands whose enqueue write has not landed go out only once it has (it carries this reply's
      // in-flight marks too). If it failed, a write of the present state decides, and its failure fails the reply.
      await state.enqueueSaved.catch(() => this.store.save(state.file));
    }
    return reply.message;
  }

  /** Ends open sessions (their in-flight commands go back to the queue), writes every queue, rejects waiters. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const at = new Date().toISOString();
    const writes: Promise<void>[] = [];
    for (const state of this.devices.values()) {
      if (state.session !== undefined) {
        this.endSession(state, state.session, 'closed', at);
        writes.push(this.store.save(state.file));
      }
      const pending = [...state.file.queue, ...state.file.inFlight]
        .filter((e) => state.waiters.has(e.ticket))
        .map((e) => describeDraft(e.draft));
      for (const waiter of state.waiters.values()) {
        waiter.reject(errors.DMC_ERR_SESSION_CLOSED_WHILE_WAITING.create({ deviceId: state.deviceId, pending }));
      }
      state.waiters.clear();
    }
    this.events.emit('engineClosed', { at });
    // Devices without an open session only need what is still being written (or failed) to land.
    try {
      await Promise.all(writes);
      await this.store.flush();
    } finally {
      this.store.closeFiles();
    }
  }

  private state(deviceId: string): DeviceState {
    let state = this.devices.get(deviceId);
    if (state === undefined) {
      checkDeviceId(deviceId);
      state = new DeviceState(emptyDeviceFile(deviceId));
      this.devices.set(deviceId, state);
    }
    return state;
  }

  private sessionFor(state: DeviceState, sessionId: string, msgId: number, deviceLocURI: string, at: string): Session {
    const open = state.session;
    const deviceId = state.deviceId;
    if (msgId === 1) {
      if (open !== undefined && open.sessionId === sessionId) {
        throw errors.DMC_ERR_SESSION_DUPLICATE_MSGID.create({
          deviceId,
          sessionId,
          msgId: '1',
          lastMsgId: String(open.lastDeviceMsgId),
        });
      }
      if (open !== undefined) this.endSession(state, open, 'abandoned', at);
      state.challenged = undefined;
      const session = newSession(sessionId, deviceLocURI, at);
      state.session = session;
      state.file.sessionCount += 1;
      this.events.emit('sessionStarted', { deviceId, sessionId, at });
      return session;
    }
    const challenged = state.challenged;
    if ((open === undefined || open.sessionId !== sessionId) && challenged?.sessionId === sessionId && msgId === challenged.deviceMsgId + 1) {
      // The device answered a challenge with its credentials in the same session (OMA-DM 1.2 Security).
      if (open !== undefined) this.endSession(state, open, 'abandoned', at);
      const session = newSession(sessionId, deviceLocURI, at);
      session.lastDeviceMsgId = challenged.deviceMsgId;
      session.serverMsgId = challenged.serverMsgId;
      state.challenged = undefined;
      state.session = session;
      state.file.sessionCount += 1;
      this.events.emit('sessionStarted', { deviceId, sessionId, at });
      return session;
    }
    if (open === undefined || open.sessionId !== sessionId) {
      throw errors.DMC_ERR_SESSION_UNKNOWN_SESSION.create({ deviceId, sessionId, msgId: String(msgId) });
    }
    if (msgId <= open.lastDeviceMsgId) {
      throw errors.DMC_ERR_SESSION_DUPLICATE_MSGID.create({
        deviceId,
        sessionId,
        msgId: String(msgId),
        lastMsgId: String(open.lastDeviceMsgId),
      });
    }
    if (msgId !== open.lastDeviceMsgId + 1) {
      throw errors.DMC_ERR_SESSION_OUT_OF_ORDER_MSGID.create({
        deviceId,
        sessionId,
        msgId: String(msgId),
        expected: String(open.lastDeviceMsgId + 1),
      });
    }
    return open;
  }

  /**
   * A refused credential consumes nothing queued: no command is read or delivered. The device may retry with its
   * credentials as the next MsgID of the same session (OMA-DM 1.2: what Windows does) or start over with MsgID 1;
   * both are served.
   */
  private challenge(state: DeviceState, request: ManagementRequest, at: string): SyncML {
    const hdr = request.message.SyncHdr;
    const open = state.session;
    const inOpenSession = open !== undefined && open.sessionId === hdr.SessionID;
    const previous = state.challenged?.sessionId === hdr.SessionID ? state.challenged.serverMsgId : 0;
    const msgId = inOpenSession ? open.serverMsgId + 1 : previous + 1;
    const deviceMsgId = Number(hdr.MsgID);
    if (inOpenSession) {
      // Inside a session the challenge takes a MsgID each way; nothing queued is touched.
      open.serverMsgId = msgId;
      open.lastDeviceMsgId = deviceMsgId;
    } else {
      state.challenged = { sessionId: hdr.SessionID, deviceMsgId, serverMsgId: msgId };
    }
    const reply = challengeReply(request.message, request.auth, String(msgId), this.options.serverLocURI ?? hdr.Target.LocURI);
    const deviceId = state.deviceId;
    this.events.emit('messageIn', { deviceId, sessionId: hdr.SessionID, msgId: hdr.MsgID, message: request.message, at });
    this.events.emit('messageOut', { deviceId, sessionId: hdr.SessionID, msgId: reply.SyncHdr.MsgID, message: reply, final: true, at });
    return reply;
  }

  private recordError(state: DeviceState, session: Session | undefined, error: DmcError): void {
    keepRecent(state.protocolErrors, error);
    if (session !== undefined) session.summary.protocolErrors += 1;
    this.events.emit('protocolError', { deviceId: state.deviceId, sessionId: session?.sessionId ?? '', error });
  }

  /** OMA-DM: the device answers a package in its next package; what its completed package left out never comes. */
  private giveUpUnanswered(state: DeviceState, session: Session, recordError: (error: DmcError) => void): void {
    for (const node of session.awaiting.values()) {
      if (node.done) continue;
      node.done = true;
      if (node.result === undefined) continue;
      node.result.unanswered = true;
      recordError(
        errors.DMC_ERR_SESSION_MISSING_STATUS.create({
          deviceId: state.deviceId,
          sessionId: session.sessionId,
          msgId: node.msgId,
          cmdId: node.cmdId,
          kind: node.kind,
        }),
      );
    }
  }

  /** Hands every command the device has fully answered to its waiter. */
  private settle(state: DeviceState, session: Session): void {
    const receiving = new Set(session.incomingTargets.values());
    for (const [ticket, tracked] of session.tracked) {
      if (session.outgoingObject?.entry.ticket === ticket) continue;
      if (!tracked.nodes.every((n) => n.done) || tracked.nodes.some((n) => receiving.has(n))) continue;
      session.tracked.delete(ticket);
      for (const node of tracked.nodes) session.awaiting.delete(node.key);
      state.file.inFlight = state.file.inFlight.filter((e) => e.ticket !== ticket);
      this.deliverResult(state, tracked.root);
    }
  }

  private deliverResult(state: DeviceState, result: CommandResult): void {
    this.events.emit('commandSettled', { deviceId: state.deviceId, result });
    state.waiters.get(result.ticket)?.resolve(result);
    state.waiters.delete(result.ticket);
  }

  private endSession(state: DeviceState, session: Session, end: NonNullable<SessionSummary['end']>, at: string): void {
    this.requeueInFlight(state, session);
    // Frozen: the queue file serialises an ended summary once and reuses the text (queue-store.ts).
    const summary: SessionSummary = Object.freeze({ ...session.summary, endedAt: at, end });
    state.file.sessions.push(summary);
    const keep = this.options.sessionHistory ?? 50;
    if (state.file.sessions.length > keep) state.file.sessions.splice(0, state.file.sessions.length - keep);
    if (state.session === session) state.session = undefined;
    this.events.emit('sessionEnded', { deviceId: state.deviceId, summary });
  }

  /**
   * Decision (issue #3): a command delivered but unanswered when its session ends without the server's Status+Final
   * (the device opened a new session, or the engine closed or crashed) is RE-QUEUED at the front of the queue, in
   * its original order, because an OMA-DM session that broke off may not have reached the device at all. Each such
   * session counts as a delivery; after `maxDeliveries` the command is settled as unanswered instead, so a device
   * that keeps dropping the session on one command cannot loop forever. Commands of this kind may run twice on the
   * device; the result's `unanswered` flag and the queue file's `deliveries` show it.
   */
  private requeueInFlight(state: DeviceState, session: Session | undefined): void {
    const back: QueuedCommand[] = [];
    for (const entry of state.file.inFlight.splice(0)) {
      entry.deliveries += 1;
      if (entry.deliveries < (this.options.maxDeliveries ?? 3)) {
        back.push(entry);
        continue;
      }
      const root = session?.tracked.get(entry.ticket)?.root;
      this.deliverResult(state, {
        ...(root ?? unansweredResult(entry, session?.sessionId ?? '')),
        unanswered: true,
      });
    }
    if (session !== undefined) {
      session.tracked.clear();
      session.outgoingObject = undefined;
    }
    state.file.queue.unshift(...back);
  }

  private access(state: DeviceState): DeviceAccess {
    return {
      state,
      closed: () => this.closed,
      enqueue: (drafts: CommandDraft[]) => {
        if (this.closed) throw errors.DMC_ERR_SESSION_ENGINE_CLOSED.create({ deviceId: state.deviceId });
        drafts.forEach((draft, index) => {
          // The queue file is read back with the same schema: refuse now what could not be restored after a restart.
          // The usual drafts get a quick yes (draft-check.ts); zod decides, and words, everything else.
          if (!surelyValidDraft(draft)) {
            const parsed = commandDraftSchema.safeParse(draft);
            if (!parsed.success) {
              const issue = parsed.error.issues[0];
              throw errors.DMC_ERR_SESSION_INVALID_DRAFT.create({
                deviceId: state.deviceId,
                index,
                path: issue?.path.join('.') || '(root)',
                problem: issue?.message ?? 'invalid',
              });
            }
          }
          // The schema is not the builder: a draft it accepts but no message can carry would fail every later
          // reply of this device, and stay queued across restarts. Refused here, where the script sees why.
          const unbuildable = draftBuildProblem(draft);
          if (unbuildable !== undefined) throw errors.DMC_ERR_SESSION_INVALID_DRAFT.create({ deviceId: state.deviceId, index, ...unbuildable });
        });
        const at = new Date().toISOString();
        // Copies (about 1 us a draft): a script that changes or reuses its objects after sync() changes nothing queued.
        const entries = copyDrafts(drafts).map((draft): QueuedCommand => ({ ticket: randomUUID(), draft, enqueuedAt: at, deliveries: 0 }));
        state.file.queue.push(...entries);
        const number = ++state.enqueueWrites;
        const saved = this.store.save(state.file);
        state.enqueueSaved = saved;
        saved.then(
          () => void (state.enqueueWritesDone = Math.max(state.enqueueWritesDone, number)),
          () => undefined,
        );
        return { entries, saved };
      },
      withdraw: async (tickets: string[]) => {
        const drop = new Set(tickets);
        const before = state.file.queue.length;
        state.file.queue = state.file.queue.filter((e) => !drop.has(e.ticket));
        for (const ticket of tickets) state.waiters.delete(ticket);
        if (state.file.queue.length !== before) await this.store.save(state.file);
      },
      events: this.events,
    };
  }
}
