/**
 * Composing the server's reply: SyncHdr Status first, the Statuses for the device's commands, then as many queued
 * commands as fit in the device's MaxMsgSize.
 *
 * OMA-DM 1.2 Protocol, "Multiple Messages in Package": a message without <Final/> says the package goes on.
 * - the device's message had no Final: we answer with Statuses and Alert 1222 (next message), no commands, no Final;
 * - our package does not fit in one message: we end the message without Final and the device asks for the rest
 *   with Alert 1222; a large object's chunks travel one per message, each message but the last without Final.
 * A reply that holds only Status elements and Final ends the session (MS-MDM 3.1.5).
 * A requestpending heartbeat (DMClient CSP, EnableOmaDmKeepAliveMessage) comes without Final while the device still
 * works on our commands: it is acknowledged with Statuses only and no Final, so the session stays open and the
 * device sends its answers (or the next heartbeat) when it can.
 */
import type { Alert, Command, Status, SyncHdr, SyncML } from '../../syncml/types.js';
import { buildCommandXml, buildSyncML } from '../../syncml/index.js';
import { byteLength, chunkData, chunkDraft, isChunkable, safeEnd } from './chunking.js';
import { SessionAlert } from './codes.js';
import { locUriOf, materialize, type Materialized } from './delivery.js';
import type { QueuedCommand } from './draft-schema.js';
import { errors } from './errors.js';
import type { StatusDraft } from './inbound.js';
import type { DeviceState, Session, Tracked } from './session-state.js';

export interface ComposeInput {
  device: DeviceState;
  session: Session;
  serverLocURI: string;
  /** SyncHdr Status and the Statuses for the device's commands, in order. */
  statuses: StatusDraft[];
  /** The device's package is not complete (no Final): ask for its next message, send nothing of ours. */
  askForMore: boolean;
  /** The device is still working (requestpending): acknowledge only, keep the session open. */
  devicePending: boolean;
  /** The device aborted the session (Alert 1223): its Statuses and Final only, nothing queued goes out. */
  aborted?: boolean;
  /** A queued command that can never be sent to this device. */
  reject(entry: QueuedCommand, error: ReturnType<typeof errors.DMC_ERR_SESSION_COMMAND_TOO_LARGE.create>): void;
}

export interface ComposeOutput {
  message: SyncML;
  final: boolean;
  /** Only Status elements and Final: this reply ends the session. */
  ends: boolean;
}

export function messageBytes(message: SyncML): number {
  return byteLength(buildSyncML(message));
}

export function composeReply(input: ComposeInput): ComposeOutput {
  const { session, device } = input;
  const msgId = String(++session.serverMsgId);
  let counter = 0;
  const nextCmdId = (): string => String(++counter);
  const SyncHdr: SyncHdr = {
    VerDTD: '1.2',
    VerProto: 'DM/1.2',
    SessionID: session.sessionId,
    MsgID: msgId,
    Target: { LocURI: session.deviceLocURI },
    Source: { LocURI: input.serverLocURI },
  };
  const body: Command[] = input.statuses.map((s): Status => ({ ...s, CmdID: nextCmdId() }));
  const statusCount = body.length;
  const message = (final: boolean, extra: Command[] = []): SyncML => ({
    SyncHdr,
    SyncBody: { commands: [...body, ...extra], Final: final },
  });
  const limit = session.maxMsgSize;
  const fits = (candidate: SyncML): boolean => limit === undefined || messageBytes(candidate) <= limit;
  // buildSyncML writes the commands one after another with nothing between them, so a message's size is the size of
  // the message without the command plus the command's own bytes (buildCommandXml). Counting that way, filling a
  // message under MaxMsgSize builds each command once instead of the whole message again for every command
  // (quadratic), and the SyncHdr once instead of once per command.
  let bodyBytes: number | undefined;
  const ownBytes = (command: Command): number => byteLength(buildCommandXml(command));
  /** `fits(message(true, [command]))`, counted as above; returns the command's bytes when it fits, else -1. */
  const fitsNext = (command: Command): number => {
    if (limit === undefined) return 0;
    bodyBytes ??= messageBytes(message(true));
    const bytes = ownBytes(command);
    return bodyBytes + bytes <= limit ? bytes : -1;
  };
  // The smallest message a command could ever travel in: header, SyncHdr Status, the command.
  const fitsAlone = (command: Command): boolean =>
    limit === undefined ||
    messageBytes({ SyncHdr, SyncBody: { commands: [body[0] as Command, command], Final: true } }) <= limit;

  if (input.aborted === true) return { message: message(true), final: true, ends: true };
  if (input.askForMore || input.devicePending) {
    if (input.askForMore) {
      const alert: Alert = { kind: 'Alert', CmdID: nextCmdId(), Data: SessionAlert.nextMessage, Item: [] };
      body.push(alert);
      session.awaiting.set(`${msgId}:${alert.CmdID}`, {
        key: `${msgId}:${alert.CmdID}`,
        ticket: undefined,
        kind: 'Alert',
        cmdId: alert.CmdID,
        msgId,
        noResp: false,
        partialChunk: false,
        result: undefined,
        done: false,
      });
    }
    return { message: message(false), final: false, ends: false };
  }

  const track = (entry: QueuedCommand, m: Materialized): void => {
    for (const node of m.nodes) session.awaiting.set(node.key, node);
    session.summary.commandsSent += m.nodes.length;
    const existing = session.tracked.get(entry.ticket);
    if (existing === undefined) {
      m.root.command.draft = entry.draft;
      session.tracked.set(entry.ticket, { entry, root: m.root, nodes: m.nodes } satisfies Tracked);
      return;
    }
    // A later chunk of the same object: its Status lands on the command's single result.
    for (const node of m.nodes) node.result = existing.root;
    existing.root.command.CmdID = m.root.command.CmdID;
    existing.root.command.MsgID = msgId;
    existing.nodes.push(...m.nodes);
  };

  /** Puts as much of the object as fits; returns false when not even one character fits. */
  const placeChunk = (): boolean => {
    const object = session.outgoingObject;
    if (object === undefined) return true;
    const { entry, data } = object;
    const saved = counter;
    const attempt = (end: number): { m: Materialized; last: boolean } => {
      counter = saved;
      const draft = chunkDraft(entry.draft, data, object.offset, end);
      const last = end >= data.length;
      return { m: materialize(draft, entry.ticket, msgId, session.sessionId, nextCmdId, !last), last };
    };
    let lo = object.offset + 1;
    let hi = data.length;
    let best = 0;
    // Binary search over raw ends; a raw end inside a surrogate pair stands for the end just after the pair
    // when the chunk would be empty, otherwise for the end just before it.
    const effective = (raw: number): number => {
      const end = safeEnd(data, raw);
      return end > object.offset ? end : Math.min(raw + 1, data.length);
    };
    while (lo <= hi) {
      const raw = Math.floor((lo + hi) / 2);
      const end = effective(raw);
      const { m, last } = attempt(end);
      if (fits(message(true, [m.command]))) {
        best = Math.max(best, end);
        lo = raw + 1;
      } else hi = raw - 1;
    }
    if (best === 0) {
      counter = saved;
      return false;
    }
    const { m, last } = attempt(best);
    body.push(m.command);
    bodyBytes = undefined;
    track(entry, m);
    object.offset = best;
    if (last) session.outgoingObject = undefined;
    return true;
  };

  if (session.outgoingObject !== undefined) {
    placeChunk();
    if (session.outgoingObject !== undefined) return { message: message(false), final: false, ends: false };
  }

  const queue = device.file.queue;
  while (queue.length > 0) {
    const entry = queue[0] as QueuedCommand;
    const objectBytes = isChunkable(entry.draft) ? byteLength(chunkData(entry.draft)) : 0;
    if (session.maxObjSize !== undefined && objectBytes > session.maxObjSize) {
      queue.shift();
      input.reject(entry, tooLarge(device, entry, objectBytes, session.maxObjSize));
      continue;
    }
    const saved = counter;
    const m = materialize(entry.draft, entry.ticket, msgId, session.sessionId, nextCmdId);
    const bytes = fitsNext(m.command);
    if (bytes >= 0) {
      body.push(m.command);
      if (bodyBytes !== undefined) bodyBytes += bytes;
      queue.shift();
      device.file.inFlight.push(entry);
      track(entry, m);
      continue;
    }
    counter = saved;
    if (isChunkable(entry.draft)) {
      // OMA-DM large objects: a chunked item starts a message of its own only if nothing else is pending in it.
      const data = chunkData(entry.draft);
      // The smallest first chunk: one character (two UTF-16 units when it is a surrogate pair).
      const smallest = safeEnd(data, 1) || 2;
      const probe = materialize(chunkDraft(entry.draft, data, 0, smallest), entry.ticket, msgId, session.sessionId, () => '1', true);
      counter = saved;
      queue.shift();
      if (!fitsAlone(probe.command)) {
        input.reject(entry, tooLarge(device, entry, messageBytes(message(true, [m.command])), limit ?? 0));
        continue;
      }
      device.file.inFlight.push(entry);
      session.outgoingObject = { entry, data, offset: 0 };
      placeChunk();
      break;
    }
    if (fitsAlone(m.command)) break;
    queue.shift();
    input.reject(entry, tooLarge(device, entry, messageBytes(message(true, [m.command])), limit ?? 0));
  }

  const final = queue.length === 0 && session.outgoingObject === undefined;
  const ends = final && body.length === statusCount;
  return { message: message(final), final, ends };
}

function tooLarge(device: DeviceState, entry: QueuedCommand, bytes: number, limit: number) {
  return errors.DMC_ERR_SESSION_COMMAND_TOO_LARGE.create({
    deviceId: device.deviceId,
    kind: entry.draft.kind,
    locUri: locUriOf(entry.draft),
    bytes,
    limit,
  });
}
