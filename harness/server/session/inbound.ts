/**
 * Reading one device message inside its session: every device command gets its Status (except Status itself,
 * which is never answered, SyncML RepPro 1.2 "Status"), device Status and Results are matched to the commands the
 * server sent (MsgRef + CmdRef), DevInfo and alerts are recorded.
 */
import type { DmcError } from '../../errors.js';
import type { Command, Item, Results, Status, SyncML } from '../../syncml/types.js';
import { errors } from './errors.js';
import { IncomingObjects } from './chunking.js';
import {
  REQUEST_PENDING_TYPE,
  SessionAlert,
  SessionStatus,
  UNENROLLMENT_TYPE_PREFIX,
} from './codes.js';
import { dataText, statusValue, type DeliveryNode } from './delivery.js';
import type { DeviceAlert } from './events.js';
import type { DeviceState, Session } from './session-state.js';

export type StatusDraft = Omit<Status, 'CmdID'>;

export interface InboundContext {
  device: DeviceState;
  session: Session;
  message: SyncML;
  at: string;
  recordError(error: DmcError): void;
  onAlert(alert: DeviceAlert, unenrollment: boolean): void;
}

export interface InboundOutcome {
  /** Statuses for the device's commands, in the order of the commands (MS-MDM 2.2.6.1). */
  statuses: StatusDraft[];
  /** The device sent Alert 1224 requestpending: it is still working on our commands. */
  requestPending: boolean;
  /** The device sent Alert 1222: it asks for the rest of our package. */
  nextMessageAsked: boolean;
  /** The device sent Alert 1223: it ends the session now and reads no more of ours. */
  aborted: boolean;
}

function statusFor(msgId: string, command: Command, code: string): StatusDraft {
  return { kind: 'Status', MsgRef: msgId, CmdRef: command.CmdID, Cmd: command.kind, TargetRef: [], SourceRef: [], Data: code, Item: [] };
}

function findNode(session: Session, msgRef: string | undefined, cmdRef: string): DeliveryNode | undefined {
  if (msgRef !== undefined) return session.awaiting.get(`${msgRef}:${cmdRef}`);
  // Results.MsgRef is optional: take the latest server message that sent this CmdID.
  let found: DeliveryNode | undefined;
  for (const node of session.awaiting.values()) if (node.cmdId === cmdRef) found = node;
  return found;
}

export function processInbound(ctx: InboundContext): InboundOutcome {
  const { session, device, message } = ctx;
  const msgId = message.SyncHdr.MsgID;
  const outcome: InboundOutcome = { statuses: [], requestPending: false, nextMessageAsked: false, aborted: false };
  const answer = (command: Command, code: string): void => {
    if (command.NoResp !== true) outcome.statuses.push(statusFor(msgId, command, code));
  };

  for (const command of message.SyncBody.commands) {
    switch (command.kind) {
      case 'Status':
        takeStatus(ctx, command);
        break;
      case 'Results':
        answer(command, takeResults(ctx, command));
        break;
      case 'Alert': {
        const types = command.Item.map((i) => i.Meta?.Type ?? '');
        const alert: DeviceAlert = {
          deviceId: device.deviceId,
          sessionId: session.sessionId,
          code: command.Data,
          types,
          data: command.Item.map((i) => dataText(i.Data)),
          at: ctx.at,
        };
        const unenrollment =
          command.Data === SessionAlert.genericAlert && types.some((t) => t.startsWith(UNENROLLMENT_TYPE_PREFIX));
        if (command.Data === SessionAlert.clientEvent && types.some((t) => t.endsWith(REQUEST_PENDING_TYPE))) {
          outcome.requestPending = true;
        }
        if (command.Data === SessionAlert.nextMessage) outcome.nextMessageAsked = true;
        if (command.Data === SessionAlert.sessionAbort) outcome.aborted = true;
        ctx.onAlert(alert, unenrollment);
        answer(command, SessionStatus.ok);
        break;
      }
      case 'Replace':
      case 'Add': {
        // Windows reports ./DevInfo with Replace in its first message (MS-MDM 4, capture 05).
        let code: string = SessionStatus.ok;
        for (const item of command.Item) {
          const taken = takeItem(ctx, command.kind, item);
          if (taken === 'partial') code = SessionStatus.chunkAccepted;
          else if (taken === 'mismatch') code = SessionStatus.sizeMismatch;
          else {
            const loc = taken.Source?.LocURI ?? taken.Target?.LocURI ?? '';
            if (loc.startsWith('./DevInfo/')) device.file.devInfo[loc] = dataText(taken.Data);
          }
        }
        answer(command, code);
        break;
      }
      default:
        ctx.recordError(
          errors.DMC_ERR_SESSION_UNEXPECTED_COMMAND.create({
            deviceId: device.deviceId,
            sessionId: session.sessionId,
            kind: command.kind,
            cmdId: command.CmdID,
          }),
        );
        answer(command, SessionStatus.notSupported);
    }
  }
  return outcome;
}

function takeStatus(ctx: InboundContext, status: Status): void {
  const { session, device } = ctx;
  if (status.CmdRef === '0' && status.Cmd === 'SyncHdr') return;
  const node = session.awaiting.get(`${status.MsgRef}:${status.CmdRef}`);
  if (node === undefined) {
    ctx.recordError(
      errors.DMC_ERR_SESSION_UNMATCHED_STATUS.create({
        deviceId: device.deviceId,
        sessionId: session.sessionId,
        msgRef: status.MsgRef,
        cmdRef: status.CmdRef,
        cmd: status.Cmd,
      }),
    );
    return;
  }
  session.summary.statusesReceived += 1;
  node.done = true;
  const result = node.result;
  if (result === undefined) return;
  if (node.partialChunk && status.Data === SessionStatus.chunkAccepted) {
    result.chunks.push(statusValue(status.Data));
    return;
  }
  // Any other answer to a chunk that is not the last one refuses the object: the rest is not sent (it would reach
  // the device as a new object without its Meta.Size), and the command settles with this Status.
  if (node.partialChunk && session.outgoingObject?.entry.ticket === result.ticket) session.outgoingObject = undefined;
  result.status ??= statusValue(status.Data);
  result.items.push({ ...statusValue(status.Data), TargetRef: status.TargetRef, SourceRef: status.SourceRef });
}

/** Returns the Status code for the Results command. */
function takeResults(ctx: InboundContext, results: Results): string {
  const { session, device } = ctx;
  session.summary.resultsReceived += 1;
  let node = findNode(session, results.MsgRef, results.CmdRef);
  let code: string = SessionStatus.ok;
  for (const item of results.Item) {
    const key = IncomingObjects.keyOf('Results', item);
    node ??= session.incomingTargets.get(key);
    const taken = takeItem(ctx, 'Results', item);
    if (taken === 'partial') {
      if (node !== undefined) session.incomingTargets.set(key, node);
      code = SessionStatus.chunkAccepted;
      continue;
    }
    session.incomingTargets.delete(key);
    if (taken === 'mismatch') {
      code = SessionStatus.sizeMismatch;
      continue;
    }
    if (node?.result === undefined) continue;
    const meta = { ...(results.Meta ?? {}), ...(taken.Meta ?? {}) };
    node.result.results.push({
      LocURI: taken.Source?.LocURI ?? taken.Target?.LocURI ?? '',
      ...(meta.Format === undefined ? {} : { Format: meta.Format }),
      ...(meta.Type === undefined ? {} : { Type: meta.Type }),
      Data: dataText(taken.Data),
    });
  }
  if (node === undefined) {
    ctx.recordError(
      errors.DMC_ERR_SESSION_UNMATCHED_RESULTS.create({
        deviceId: device.deviceId,
        sessionId: session.sessionId,
        msgRef: results.MsgRef ?? '',
        cmdRef: results.CmdRef,
      }),
    );
  }
  return code;
}

/** Runs an item through large-object reassembly. */
function takeItem(ctx: InboundContext, kind: string, item: Item): Item | 'partial' | 'mismatch' {
  const outcome = ctx.session.incoming.accept(kind, item);
  if (outcome.state === 'partial') return 'partial';
  if (!outcome.sizeMatches) {
    ctx.recordError(
      errors.DMC_ERR_SESSION_CHUNK_SIZE_MISMATCH.create({
        deviceId: ctx.device.deviceId,
        locUri: item.Source?.LocURI ?? item.Target?.LocURI ?? '',
        declared: outcome.declaredSize ?? '',
        received: outcome.receivedBytes,
      }),
    );
    return 'mismatch';
  }
  return outcome.item;
}
