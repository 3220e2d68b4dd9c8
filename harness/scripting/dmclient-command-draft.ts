/**
 * Commands as a suite writes them: everything but the CmdID. The session that sends them assigns CmdIDs, so a
 * draft can be reused across sessions and never carries a number that might collide (SyncML RepPro 1.2 5.1.6:
 * CmdID is unique within a message, nested commands included).
 */
import type { Add, Alert, Atomic, Delete, Exec, Get, NestedCommand, Replace, Sequence } from '../syncml/types.js';

export type AddDraft = Omit<Add, 'CmdID'>;
export type AlertDraft = Omit<Alert, 'CmdID'>;
export type DeleteDraft = Omit<Delete, 'CmdID'>;
export type ExecDraft = Omit<Exec, 'CmdID'>;
export type GetDraft = Omit<Get, 'CmdID'>;
export type ReplaceDraft = Omit<Replace, 'CmdID'>;
export interface AtomicDraft extends Omit<Atomic, 'CmdID' | 'commands'> {
  commands: CommandDraft[];
}
export interface SequenceDraft extends Omit<Sequence, 'CmdID' | 'commands'> {
  commands: CommandDraft[];
}

/** A command without its CmdID; Atomic and Sequence hold drafts too. */
export type CommandDraft = AddDraft | AlertDraft | AtomicDraft | DeleteDraft | ExecDraft | GetDraft | ReplaceDraft | SequenceDraft;

/** Groups drafts in an Atomic (all succeed or none is applied; OMA-DM 1.2 / SyncML RepPro 1.2 5.5.2). */
export function atomic(...commands: CommandDraft[]): AtomicDraft {
  return { kind: 'Atomic', commands };
}

/** Groups drafts in a Sequence (executed in order; SyncML RepPro 1.2 5.5.14). */
export function sequence(...commands: CommandDraft[]): SequenceDraft {
  return { kind: 'Sequence', commands };
}

/**
 * Gives each draft, depth first in document order (an Atomic before its children), the CmdID `nextCmdId()`
 * returns, e.g. a session's counter. The drafts are not changed.
 */
export function assignCmdIds(drafts: readonly CommandDraft[], nextCmdId: () => string): NestedCommand[] {
  return drafts.map((draft): NestedCommand => {
    const CmdID = nextCmdId();
    if (draft.kind === 'Atomic' || draft.kind === 'Sequence') {
      return { ...draft, CmdID, commands: assignCmdIds(draft.commands, nextCmdId) };
    }
    return { ...draft, CmdID } as NestedCommand;
  });
}
