/**
 * The SyncML answer to a message `handle()` refused (unknown session, duplicate or out-of-order MsgID): a SyncHdr
 * Status whose Data is the HTTP-level verdict mapped to a SyncML code, and Final, so the device's log shows why.
 * The HTTP layer sends it with the error's `httpStatus`.
 */
import type { DmcError } from '../../errors.js';
import type { SyncML } from '../../syncml/types.js';
import { SessionStatus } from './codes.js';

export function errorReply(message: SyncML, error: DmcError, serverLocURI?: string): SyncML {
  const hdr = message.SyncHdr;
  return {
    SyncHdr: {
      VerDTD: '1.2',
      VerProto: 'DM/1.2',
      SessionID: hdr.SessionID,
      MsgID: '1',
      Target: { LocURI: hdr.Source.LocURI },
      Source: { LocURI: serverLocURI ?? hdr.Target.LocURI },
    },
    SyncBody: {
      commands: [
        {
          kind: 'Status',
          CmdID: '1',
          MsgRef: hdr.MsgID,
          CmdRef: '0',
          Cmd: 'SyncHdr',
          TargetRef: [hdr.Target.LocURI],
          SourceRef: [hdr.Source.LocURI],
          // 400 Bad request: the message is well formed but belongs to no session we can continue.
          Data: SessionStatus.badRequest,
          // The error code travels in an Item so a transcript shows which rule was broken.
          Item: [{ Data: error.code }],
        },
      ],
      Final: true,
    },
  };
}
