/**
 * The SyncML answer to a message `handle()` refused (unknown session, duplicate or out-of-order MsgID): a SyncHdr
 * Status whose Data is the HTTP-level verdict mapped to a SyncML code, and Final, so the device's log shows why.
 * The HTTP layer sends it with the error's `httpStatus`.
 */
import type { DmcError } from '../../errors.js';
import type { SyncML } from '../../syncml/types.js';
import { SessionStatus } from './codes.js';
import { statusForSyncHdr, syncHdrOnlyReply } from './replies.js';

export function errorReply(message: SyncML, error: DmcError, serverLocURI?: string): SyncML {
  // 400 Bad request: the message is well formed but belongs to no session we can continue. The error code travels
  // in an Item so a transcript shows which rule was broken.
  const status = { ...statusForSyncHdr(message, SessionStatus.badRequest), Item: [{ Data: error.code }] };
  return syncHdrOnlyReply(message, status, '1', serverLocURI ?? message.SyncHdr.Target.LocURI);
}
