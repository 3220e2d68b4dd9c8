/**
 * SyncML DM 1.2 as MS-MDM uses it, one type per protocol element, spelled as the spec spells it
 * (SyncML Representation Protocol 1.2, OMA-DM 1.2 "DM Representation", MS-MDM 2.2).
 *
 * Identifiers (SessionID, MsgID, CmdID, MsgRef, CmdRef) stay strings: the spec types them as PCDATA, SessionID may
 * be hex, and matching a Status to its command must compare exactly what was on the wire.
 */

/** `<Target>` / `<Source>` (and `<Item><Target>` / `<Item><Source>`). */
export interface LocationElement {
  LocURI: string;
  LocName?: string;
}

/** `<Meta>`: the children Windows uses, all in the `syncml:metinf` namespace on the wire. */
export interface Meta {
  Format?: string;
  Type?: string;
  Size?: string;
  MaxMsgSize?: string;
  MaxObjSize?: string;
  NextNonce?: string;
  Mark?: string;
  Version?: string;
}

/**
 * `<Data>`: text, or XML embedded as child elements (Windows sends some Results this way).
 * Text is unescaped on parse and escaped on build; `xml` is the children's markup kept verbatim.
 */
export type Data = string | { xml: string };

export interface Item {
  Target?: LocationElement;
  Source?: LocationElement;
  Meta?: Meta;
  Data?: Data;
  /** `<MoreData/>`: this item is one chunk of a large object (OMA-DM 1.2, large object handling). */
  MoreData?: boolean;
}

/** `<Cred>`: credentials in the SyncHdr or in a Status (MD5 digest is `Meta.Type = syncml:auth-md5`). */
export interface Cred {
  Meta?: Meta;
  Data: string;
}

/** `<Chal>`: an authentication challenge in a Status (Format b64, Type syncml:auth-md5, NextNonce). */
export interface Chal {
  Meta: Meta;
}

export interface SyncHdr {
  VerDTD: string;
  VerProto: string;
  SessionID: string;
  MsgID: string;
  Target: LocationElement;
  Source: LocationElement;
  RespURI?: string;
  NoResp?: boolean;
  Cred?: Cred;
  Meta?: Meta;
}

interface CommandBase {
  CmdID: string;
  NoResp?: boolean;
}

export interface Alert extends CommandBase {
  kind: 'Alert';
  /** The alert code, e.g. 1201 (client-initiated session), 1222 (more messages), 1224 (generic), 1226. */
  Data: string;
  Correlator?: string;
  Cred?: Cred;
  Item: Item[];
}

/** Add, Delete, Get, Replace and Exec share one shape: a Meta for all items and a list of items. */
interface ItemCommand extends CommandBase {
  Cred?: Cred;
  Meta?: Meta;
  Item: Item[];
}

export interface Add extends ItemCommand {
  kind: 'Add';
}
export interface Delete extends ItemCommand {
  kind: 'Delete';
}
export interface Get extends ItemCommand {
  kind: 'Get';
}
export interface Replace extends ItemCommand {
  kind: 'Replace';
}
export interface Exec extends ItemCommand {
  kind: 'Exec';
  Correlator?: string;
}

/** Commands allowed inside Atomic and Sequence (SyncML RepPro 1.2 5.5.2, 5.5.14). */
export type NestedCommand = Add | Alert | Atomic | Delete | Exec | Get | Replace | Sequence;

export interface Atomic extends CommandBase {
  kind: 'Atomic';
  Meta?: Meta;
  commands: NestedCommand[];
}

export interface Sequence extends CommandBase {
  kind: 'Sequence';
  Meta?: Meta;
  commands: NestedCommand[];
}

export interface Results extends CommandBase {
  kind: 'Results';
  MsgRef?: string;
  CmdRef: string;
  Meta?: Meta;
  TargetRef?: string;
  SourceRef?: string;
  Item: Item[];
}

export interface Status extends CommandBase {
  kind: 'Status';
  MsgRef: string;
  CmdRef: string;
  /** The element name of the command this Status answers ("SyncHdr" for the header). */
  Cmd: string;
  TargetRef: string[];
  SourceRef: string[];
  Cred?: Cred;
  Chal?: Chal;
  /** The status code, e.g. "200". */
  Data: string;
  Item: Item[];
}

/** Every command that may stand directly under SyncBody, in the order the parser keeps. */
export type Command = NestedCommand | Results | Status;
export type CommandKind = Command['kind'];

export interface SyncBody {
  commands: Command[];
  /** `<Final/>`: this is the last message of the package. */
  Final: boolean;
}

export interface SyncML {
  SyncHdr: SyncHdr;
  SyncBody: SyncBody;
}

/**
 * A command as a script writes it: everything but the CmdIDs, which the server assigns fresh in each message
 * (MS-MDM: CmdIDs are unique within a message). Atomic and Sequence drafts hold drafts.
 */
export type CommandDraft = NestedCommand extends infer C
  ? C extends Atomic | Sequence
    ? Omit<C, 'CmdID' | 'commands'> & { commands: CommandDraft[] }
    : C extends NestedCommand
      ? Omit<C, 'CmdID'>
      : never
  : never;
