/**
 * Turning a queued draft into the command that goes on the wire, and tracking what the device answers for it.
 *
 * A draft gets fresh CmdIDs (MS-MDM 2.2.3.2: CmdID is unique within a message) each time it is put in a message.
 * Each command of the tree (an Atomic/Sequence and every child) becomes a DeliveryNode; the session's awaiting map
 * is keyed by `<server MsgID>:<CmdID>` so a device Status/Results (MsgRef, CmdRef) finds its node.
 */
import { buildCommandXml } from '../../syncml/index.js';
import type { Command, CommandDraft, Item, NestedCommand } from '../../syncml/types.js';
import type { QueuedCommand } from './draft-schema.js';
import { surelyBuildableDraft } from './draft-check.js';

export interface StatusValue {
  /** Status.Data as sent, e.g. "200". */
  code: string;
  /** The same code as a number (NaN only if the device sent something that is not a number). */
  number: number;
}

export interface ItemStatus extends StatusValue {
  TargetRef: string[];
  SourceRef: string[];
}

export interface ResultItem {
  LocURI: string;
  Format?: string;
  Type?: string;
  /** Item.Data as text; Data given as embedded XML is its markup. */
  Data: string;
}

/** What a script gets back for one command it queued (and, nested, for each child of an Atomic/Sequence). */
export interface CommandResult {
  /** The queued command's id (same for the children of a container). */
  ticket: string;
  command: { draft: CommandDraft; kind: CommandDraft['kind']; CmdID: string; MsgID: string };
  /** The device's Status for the command; undefined for NoResp, or when the device never answered. */
  status: StatusValue | undefined;
  /** Every Status the device sent for this command (one per item when it answers items separately). */
  items: ItemStatus[];
  /** Results items for a Get (reassembled when the device sent them in chunks). */
  results: ResultItem[];
  /** The children's results, in order, for Atomic and Sequence. */
  children: CommandResult[];
  /** 213 statuses for the chunks of a large object sent in several messages. */
  chunks: StatusValue[];
  sessionId: string;
  /** True when the device ended its package without answering (recorded as a device protocol error too). */
  unanswered: boolean;
}

export interface DeliveryNode {
  key: string;
  ticket: string | undefined;
  kind: Command['kind'];
  cmdId: string;
  msgId: string;
  noResp: boolean;
  /** This delivery is a chunk that is not the last one: its 213 does not complete the command. */
  partialChunk: boolean;
  result: CommandResult | undefined;
  /** Set once the node needs nothing more from the device. */
  done: boolean;
}

export function statusValue(code: string): StatusValue {
  return { code, number: Number(code) };
}

export function dataText(data: Item['Data']): string {
  if (data === undefined) return '';
  return typeof data === 'string' ? data : data.xml;
}

/** The first LocURI a command names (its first item's Target, or Source): used in messages and summaries. */
export function locUriOf(draft: CommandDraft): string {
  if (draft.kind === 'Atomic' || draft.kind === 'Sequence') {
    const first = draft.commands[0];
    return first === undefined ? '' : locUriOf(first);
  }
  const item = draft.Item[0];
  return item?.Target?.LocURI ?? item?.Source?.LocURI ?? '';
}

export function describeDraft(draft: CommandDraft): string {
  const loc = locUriOf(draft);
  return loc === '' ? draft.kind : `${draft.kind} ${loc}`;
}

export interface Materialized {
  command: NestedCommand;
  nodes: DeliveryNode[];
  root: CommandResult;
}

/**
 * Gives `draft` fresh CmdIDs from `nextCmdId` and builds the result tree and nodes to await.
 * `noteChunk` marks a chunk that is not the last, so its 213 leaves the command open.
 */
export function materialize(
  draft: CommandDraft,
  ticket: string | undefined,
  msgId: string,
  sessionId: string,
  nextCmdId: () => string,
  partialChunk = false,
): Materialized {
  const nodes: DeliveryNode[] = [];
  const walk = (d: CommandDraft): { command: NestedCommand; result: CommandResult } => {
    const cmdId = nextCmdId();
    const result = openResult(ticket ?? '', { draft: d, kind: d.kind, CmdID: cmdId, MsgID: msgId }, sessionId, false);
    const noResp = d.NoResp === true;
    nodes.push({
      key: `${msgId}:${cmdId}`,
      ticket,
      kind: d.kind,
      cmdId,
      msgId,
      noResp,
      partialChunk,
      result,
      done: noResp,
    });
    if (d.kind === 'Atomic' || d.kind === 'Sequence') {
      const children = d.commands.map(walk);
      result.children = children.map((c) => c.result);
      const { commands: _drafts, ...rest } = d;
      return { command: { ...rest, CmdID: cmdId, commands: children.map((c) => c.command) } as NestedCommand, result };
    }
    return { command: { ...d, CmdID: cmdId } as NestedCommand, result };
  };
  const { command, result } = walk(draft);
  return { command, nodes, root: result };
}

/** The result of a command given up without ever being answered (see the re-queue rule in engine.ts). */
export function unansweredResult(entry: QueuedCommand, sessionId: string): CommandResult {
  return openResult(entry.ticket, { draft: entry.draft, kind: entry.draft.kind, CmdID: '', MsgID: '' }, sessionId, true);
}

/** A result with nothing from the device in it yet. */
function openResult(ticket: string, command: CommandResult['command'], sessionId: string, unanswered: boolean): CommandResult {
  return { ticket, command, status: undefined, items: [], results: [], children: [], chunks: [], sessionId, unanswered };
}

/**
 * Why `draft` could not be put in a message, or undefined when it can: the schema accepts some drafts the builder
 * refuses (an Alert with empty Data, a control character, embedded XML that is not well-formed), and a queued
 * command that cannot be built would fail every later reply of its device. Built once with placeholder CmdIDs.
 */
export function draftBuildProblem(draft: CommandDraft): { path: string; problem: string } | undefined {
  return surelyBuildableDraft(draft) ? undefined : buildProblemByBuilding(draft);
}

/** draftBuildProblem without the quick yes: the builder itself decides (draft-check.test.ts compares the two). */
export function buildProblemByBuilding(draft: CommandDraft): { path: string; problem: string } | undefined {
  let next = 0;
  try {
    buildCommandXml(materialize(draft, undefined, '1', '', () => String(++next)).command as Command);
    return undefined;
  } catch (err) {
    const fields = (err as { fields?: { path?: unknown; problem?: unknown; codePoint?: unknown } }).fields;
    // The builder's path names the placeholder CmdIDs: the script knows its draft by position, not by those.
    const path = typeof fields?.path === 'string' ? fields.path.replace(/^SyncBody\//, '').replace(/\[CmdID=\d+\]/g, '') : '(root)';
    const problem =
      typeof fields?.problem === 'string' ? fields.problem
        : typeof fields?.codePoint === 'string' ? `contains ${fields.codePoint}, which XML 1.0 cannot carry`
          : (err as Error).message;
    return { path, problem };
  }
}
