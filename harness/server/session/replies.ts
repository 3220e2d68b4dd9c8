/**
 * The header answers every reply starts with. MS-MDM 2.2.6.1 / SyncML RepPro 1.2: the first Status of a message
 * answers the SyncHdr (CmdRef 0, Cmd "SyncHdr", MsgRef = the device's MsgID) and its Data is the authentication
 * verdict: 200, 212 (with Chal NextNonce for MD5 digest), or 401/407 with a Chal when credentials are refused.
 */
import type { SyncML } from '../../syncml/types.js';
import type { AuthOutcome } from './engine.js';
import type { StatusDraft } from './inbound.js';

export function syncHdrStatus(message: SyncML, auth: AuthOutcome): StatusDraft {
  const status = statusForSyncHdr(message, auth.status);
  return auth.chal === undefined ? status : { ...status, Chal: auth.chal };
}

/** The Status that answers the device's SyncHdr with `data` (the builder puts its elements in DTD order). */
export function statusForSyncHdr(message: SyncML, data: string): StatusDraft {
  const hdr = message.SyncHdr;
  return {
    kind: 'Status',
    MsgRef: hdr.MsgID,
    CmdRef: '0',
    Cmd: 'SyncHdr',
    TargetRef: [hdr.Target.LocURI],
    SourceRef: [hdr.Source.LocURI],
    Data: data,
    Item: [],
  };
}

/** A reply that answers the device's SyncHdr with `status` alone and ends the package: nothing else is answered. */
export function syncHdrOnlyReply(message: SyncML, status: StatusDraft, msgId: string, serverLocURI: string): SyncML {
  const hdr = message.SyncHdr;
  return {
    SyncHdr: {
      VerDTD: '1.2',
      VerProto: 'DM/1.2',
      SessionID: hdr.SessionID,
      MsgID: msgId,
      Target: { LocURI: hdr.Source.LocURI },
      Source: { LocURI: serverLocURI },
    },
    SyncBody: { commands: [{ ...status, CmdID: '1' }], Final: true },
  };
}

/** A refusal: the SyncHdr Status with its Chal, and Final; nothing of the device's message is answered. */
export function challengeReply(message: SyncML, auth: AuthOutcome, msgId: string, serverLocURI: string): SyncML {
  return syncHdrOnlyReply(message, syncHdrStatus(message, auth), msgId, serverLocURI);
}
