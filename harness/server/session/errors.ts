/**
 * Errors of the OMA-DM session engine. Two families:
 * - request errors (`httpStatus` set): the device's message cannot belong to any session; `handle()` throws them
 *   and the HTTP layer answers with that status and `errorReply()`'s SyncHdr Status;
 * - device protocol errors (no `httpStatus`): the device broke a rule inside a session; the engine records them
 *   (`DeviceHandle.protocolErrors()`, the `protocolError` event) and carries on, because a device's mistake must
 *   never crash the server.
 */
import { defineError, defineErrors, shown } from '../../errors.js';

export const errors = defineErrors({
  DMC_ERR_SESSION_UNKNOWN_SESSION: defineError<{ deviceId: string; sessionId: string; msgId: string }>(
    'DMC_ERR_SESSION_UNKNOWN_SESSION',
    {
      message: (f) =>
        `device ${shown(f.deviceId)} sent SyncHdr.MsgID ${shown(f.msgId)} for SyncHdr.SessionID ${shown(f.sessionId)}, ` +
        'but no such session is open (a session starts with MsgID 1)',
      httpStatus: 400,
    },
  ),
  DMC_ERR_SESSION_DUPLICATE_MSGID: defineError<{ deviceId: string; sessionId: string; msgId: string; lastMsgId: string }>(
    'DMC_ERR_SESSION_DUPLICATE_MSGID',
    {
      message: (f) =>
        `device ${shown(f.deviceId)} sent SyncHdr.MsgID ${shown(f.msgId)} again in session ${shown(f.sessionId)} ` +
        `(last MsgID seen: ${shown(f.lastMsgId)})`,
      httpStatus: 409,
    },
  ),
  DMC_ERR_SESSION_OUT_OF_ORDER_MSGID: defineError<{ deviceId: string; sessionId: string; msgId: string; expected: string }>(
    'DMC_ERR_SESSION_OUT_OF_ORDER_MSGID',
    {
      message: (f) =>
        `device ${shown(f.deviceId)} sent SyncHdr.MsgID ${shown(f.msgId)} in session ${shown(f.sessionId)}, ` +
        `expected ${shown(f.expected)}`,
      httpStatus: 400,
    },
  ),
  DMC_ERR_SESSION_BAD_MSGID: defineError<{ deviceId: string; msgId: string }>('DMC_ERR_SESSION_BAD_MSGID', {
    message: (f) => `device ${shown(f.deviceId)} sent SyncHdr.MsgID ${shown(f.msgId)}, which is not a positive integer`,
    httpStatus: 400,
  }),
  DMC_ERR_SESSION_ENGINE_CLOSED: defineError<{ deviceId: string }>('DMC_ERR_SESSION_ENGINE_CLOSED', {
    message: (f) => `the session engine is closed; it cannot serve device ${shown(f.deviceId)}`,
    httpStatus: 503,
  }),
  DMC_ERR_SESSION_STORE_CORRUPT: defineError<{ path: string; problem: string }>('DMC_ERR_SESSION_STORE_CORRUPT', {
    message: (f) => `queue file ${shown(f.path)} is not a valid device queue: ${f.problem}`,
  }),
  DMC_ERR_SESSION_BAD_DEVICE_ID: defineError<{ deviceId: string }>('DMC_ERR_SESSION_BAD_DEVICE_ID', {
    message: (f) =>
      `device id ${shown(f.deviceId)} cannot name a queue file (allowed: letters, digits, "-", "_", ".", "{", "}", 1-128 chars)`,
    httpStatus: 400,
  }),
  DMC_ERR_SESSION_COMMAND_TOO_LARGE: defineError<{ deviceId: string; kind: string; locUri: string; bytes: number; limit: number }>(
    'DMC_ERR_SESSION_COMMAND_TOO_LARGE',
    {
      message: (f) =>
        `${f.kind} ${shown(f.locUri)} for device ${shown(f.deviceId)} needs ${f.bytes} bytes but the device accepts ` +
        `${f.limit} (MaxMsgSize, or MaxObjSize for one item); only a single-item command can be sent in chunks`,
    },
  ),
  DMC_ERR_SESSION_INVALID_DRAFT: defineError<{ deviceId: string; index: number; path: string; problem: string }>(
    'DMC_ERR_SESSION_INVALID_DRAFT',
    {
      message: (f) =>
        `command ${f.index} given to sync() for device ${shown(f.deviceId)} is not a valid SyncML command draft ` +
        `at ${shown(f.path)}: ${f.problem}`,
    },
  ),
  DMC_ERR_SESSION_SYNC_TIMEOUT: defineError<{
    deviceId: string;
    timeoutMs: number;
    pending: string[];
    lastSessionId: string | undefined;
    lastSessionAt: string | undefined;
  }>('DMC_ERR_SESSION_SYNC_TIMEOUT', {
    message: (f) =>
      `device ${shown(f.deviceId)}: ${f.pending.length} command(s) still pending after ${f.timeoutMs} ms: ` +
      `${f.pending.join(', ')}; ` +
      (f.lastSessionId === undefined
        ? 'no session seen for this device'
        : `last session ${shown(f.lastSessionId)} at ${f.lastSessionAt ?? 'unknown time'}`),
  }),
  DMC_ERR_SESSION_WAIT_TIMEOUT: defineError<{ deviceId: string; timeoutMs: number; sessionCount: number }>(
    'DMC_ERR_SESSION_WAIT_TIMEOUT',
    {
      message: (f) =>
        `device ${shown(f.deviceId)} did not complete a session within ${f.timeoutMs} ms ` +
        `(${f.sessionCount} session(s) seen before)`,
    },
  ),
  DMC_ERR_SESSION_BAD_TIMEOUT: defineError<{ deviceId: string; call: string; timeout: string }>('DMC_ERR_SESSION_BAD_TIMEOUT', {
    message: (f) =>
      `${f.call} for device ${shown(f.deviceId)} was given timeout ${f.timeout}: it must be a number of milliseconds ` +
      'above 0 and at most 2147483647 (about 24.8 days; Node fires longer timers at once)',
  }),
  DMC_ERR_SESSION_CLOSED_WHILE_WAITING: defineError<{ deviceId: string; pending: string[] }>(
    'DMC_ERR_SESSION_CLOSED_WHILE_WAITING',
    {
      message: (f) =>
        `the session engine closed while device ${shown(f.deviceId)} still had ${f.pending.length} command(s) ` +
        `pending: ${f.pending.join(', ')} (they stay queued on disk)`,
    },
  ),
  // Device protocol errors: recorded, never thrown at the HTTP layer.
  DMC_ERR_SESSION_UNMATCHED_STATUS: defineError<{ deviceId: string; sessionId: string; msgRef: string; cmdRef: string; cmd: string }>(
    'DMC_ERR_SESSION_UNMATCHED_STATUS',
    {
      message: (f) =>
        `device ${shown(f.deviceId)} sent a Status (Cmd ${shown(f.cmd)}, MsgRef ${shown(f.msgRef)}, CmdRef ` +
        `${shown(f.cmdRef)}) in session ${shown(f.sessionId)} that matches no command the server sent`,
    },
  ),
  DMC_ERR_SESSION_UNMATCHED_RESULTS: defineError<{ deviceId: string; sessionId: string; msgRef: string; cmdRef: string }>(
    'DMC_ERR_SESSION_UNMATCHED_RESULTS',
    {
      message: (f) =>
        `device ${shown(f.deviceId)} sent Results (MsgRef ${shown(f.msgRef)}, CmdRef ${shown(f.cmdRef)}) in session ` +
        `${shown(f.sessionId)} that match no Get the server sent`,
    },
  ),
  DMC_ERR_SESSION_MISSING_STATUS: defineError<{ deviceId: string; sessionId: string; msgId: string; cmdId: string; kind: string }>(
    'DMC_ERR_SESSION_MISSING_STATUS',
    {
      message: (f) =>
        `device ${shown(f.deviceId)} ended its package in session ${shown(f.sessionId)} without a Status for ` +
        `${f.kind} CmdID ${shown(f.cmdId)} of server message ${shown(f.msgId)}`,
    },
  ),
  DMC_ERR_SESSION_CHUNK_SIZE_MISMATCH: defineError<{ deviceId: string; locUri: string; declared: string; received: number }>(
    'DMC_ERR_SESSION_CHUNK_SIZE_MISMATCH',
    {
      message: (f) =>
        `device ${shown(f.deviceId)} sent a chunked item for ${shown(f.locUri)} whose first chunk declared Meta.Size ` +
        `${shown(f.declared)}, but the chunks add up to ${f.received} bytes`,
    },
  ),
  DMC_ERR_SESSION_UNEXPECTED_COMMAND: defineError<{ deviceId: string; sessionId: string; kind: string; cmdId: string }>(
    'DMC_ERR_SESSION_UNEXPECTED_COMMAND',
    {
      message: (f) =>
        `device ${shown(f.deviceId)} sent ${f.kind} CmdID ${shown(f.cmdId)} in session ${shown(f.sessionId)}; ` +
        'a management server does not execute device commands (answered 406)',
    },
  ),
});

export type SessionErrorCode = keyof typeof errors;
