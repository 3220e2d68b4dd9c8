/**
 * In-memory state of one device and of its open OMA-DM session. The persisted part (queue, in-flight commands,
 * session summaries, DevInfo) lives in `file`, which the engine writes after every change (queue-store.ts
 * coalesces the writes).
 */
import type { DmcError } from '../../errors.js';
import type { CommandResult, DeliveryNode } from './delivery.js';
import type { DeviceFile, QueuedCommand, SessionSummary } from './draft-schema.js';
import type { DeviceAlert } from './events.js';
import { IncomingObjects } from './chunking.js';

/** A queued command that went out in this session and is not settled yet. */
export interface Tracked {
  entry: QueuedCommand;
  root: CommandResult;
  nodes: DeliveryNode[];
}

/** A large object being sent to the device in chunks, one chunk per message. */
export interface OutgoingObject {
  entry: QueuedCommand;
  data: string;
  /** Characters of `data` already sent. */
  offset: number;
}

export interface Session {
  sessionId: string;
  deviceLocURI: string;
  /** Last SyncHdr.MsgID the device sent. */
  lastDeviceMsgId: number;
  /** Last SyncHdr.MsgID the server sent (MS-MDM: starts at 1, up by 1 per message). */
  serverMsgId: number;
  maxMsgSize: number | undefined;
  maxObjSize: number | undefined;
  /** Delivered commands awaiting a Status, keyed `<server MsgID>:<CmdID>`. */
  awaiting: Map<string, DeliveryNode>;
  tracked: Map<string, Tracked>;
  outgoingObject: OutgoingObject | undefined;
  incoming: IncomingObjects;
  /** The Get a chunked Results belongs to, by IncomingObjects key, for the chunks after the first. */
  incomingTargets: Map<string, DeliveryNode>;
  summary: SessionSummary;
}

export interface Waiter {
  resolve: (result: CommandResult) => void;
  reject: (error: DmcError) => void;
}

/**
 * How many alerts, and how many protocol errors, a device keeps in memory; beyond that the oldest go. A server that
 * runs for weeks must not grow by every session's alerts (about 1.4 KB a session). 200 alerts is the last 100
 * sessions or so, far more than a suite looks back; the events carry every one.
 */
export const KEPT_PER_DEVICE = 200;

/** Appends `item`, dropping the oldest entry once `list` holds `limit`. */
export function keepRecent<T>(list: T[], item: T, limit = KEPT_PER_DEVICE): void {
  if (list.length >= limit) list.shift();
  list.push(item);
}

export class DeviceState {
  session: Session | undefined;
  /** The most recent KEPT_PER_DEVICE of each. */
  readonly protocolErrors: DmcError[] = [];
  readonly alerts: DeviceAlert[] = [];
  readonly waiters = new Map<string, Waiter>();
  /** Called whenever a requestpending alert arrives, so sync() timers restart. */
  readonly keepAliveListeners = new Set<() => void>();
  /**
   * Enqueue writes asked for, and those known to be on disk. While they differ, a reply that delivers commands
   * waits for its own write: a command must never reach the device before it is on disk (engine.ts, step 5).
   */
  enqueueWrites = 0;
  enqueueWritesDone = 0;
  /**
   * The write of the latest enqueue: it lands once a write carrying that queue (and so every earlier enqueue) is on
   * disk. A reply that delivers commands waits for this one, not for the coalesced write after it.
   */
  enqueueSaved: Promise<void> = Promise.resolve();
  /**
   * The last message refused with a challenge (401/407) while no session of that SessionID was open. OMA-DM 1.2
   * keeps the session going after a challenge: the device sends its credentials in its next message (MsgID + 1)
   * and the server's MsgIDs go on from the challenge reply, so that message opens the session here.
   */
  challenged: { sessionId: string; deviceMsgId: number; serverMsgId: number } | undefined;

  constructor(public file: DeviceFile) {}

  get deviceId(): string {
    return this.file.deviceId;
  }

  lastSession(): { sessionId: string; at: string } | undefined {
    if (this.session !== undefined) return { sessionId: this.session.sessionId, at: this.session.summary.startedAt };
    const last = this.file.sessions[this.file.sessions.length - 1];
    return last === undefined ? undefined : { sessionId: last.sessionId, at: last.endedAt ?? last.startedAt };
  }
}

export function newSession(sessionId: string, deviceLocURI: string, startedAt: string): Session {
  return {
    sessionId,
    deviceLocURI,
    lastDeviceMsgId: 0,
    serverMsgId: 0,
    maxMsgSize: undefined,
    maxObjSize: undefined,
    awaiting: new Map(),
    tracked: new Map(),
    outgoingObject: undefined,
    incoming: new IncomingObjects(),
    incomingTargets: new Map(),
    summary: {
      sessionId,
      startedAt,
      messagesIn: 0,
      messagesOut: 0,
      commandsSent: 0,
      statusesReceived: 0,
      resultsReceived: 0,
      protocolErrors: 0,
    },
  };
}

/** Parses a decimal Meta value (MaxMsgSize, MaxObjSize); anything else counts as absent. */
export function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}
