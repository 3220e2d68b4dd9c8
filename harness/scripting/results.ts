/**
 * Reading what `device.sync()` returned. A suite that gathers many checks into one sync (DESIGN.md, "Sessions are
 * the expensive thing") reads its slice by LocURI, asserts a status, takes a Get's value.
 */
import type { CommandResult } from '../server/session/index.js';
import { errors } from './errors.js';

function commandName(result: CommandResult): string {
  const draft = result.command.draft;
  const loc =
    draft.kind === 'Atomic' || draft.kind === 'Sequence'
      ? `${draft.commands.length} command(s)`
      : (draft.Item[0]?.Target?.LocURI ?? draft.Item[0]?.Source?.LocURI ?? '');
  return `${draft.kind} ${loc} (CmdID ${result.command.CmdID}, MsgID ${result.command.MsgID})`;
}

/** The result's status when it is one of `codes`; otherwise throws DMC_ERR_SCRIPTING_UNEXPECTED_STATUS. */
export function expectStatus(result: CommandResult, ...codes: string[]): string {
  const received = result.status?.code;
  if (received !== undefined && codes.includes(received)) return received;
  throw errors.DMC_ERR_SCRIPTING_UNEXPECTED_STATUS.create({
    command: commandName(result),
    expected: codes,
    received,
    sessionId: result.sessionId,
  });
}

/** The single value a Get returned (Item.Data); throws DMC_ERR_SCRIPTING_NO_RESULTS when there is not exactly one. */
export function valueOf(result: CommandResult): string {
  const [only, ...rest] = result.results;
  if (only === undefined || rest.length > 0) {
    throw errors.DMC_ERR_SCRIPTING_NO_RESULTS.create({
      command: commandName(result),
      status: result.status?.code,
      count: result.results.length,
    });
  }
  return only.Data;
}

/** The result of the command (containers searched too) whose first item targets `locUri`. */
export function resultFor(results: readonly CommandResult[], locUri: string): CommandResult {
  const flat: CommandResult[] = [];
  const walk = (r: CommandResult): void => {
    flat.push(r);
    r.children.forEach(walk);
  };
  results.forEach(walk);
  const target = (r: CommandResult): string | undefined => {
    const d = r.command.draft;
    return d.kind === 'Atomic' || d.kind === 'Sequence' ? undefined : d.Item[0]?.Target?.LocURI;
  };
  const found = flat.find((r) => target(r) === locUri);
  if (found !== undefined) return found;
  throw errors.DMC_ERR_SCRIPTING_NO_SUCH_COMMAND.create({
    locUri,
    known: flat.map(target).filter((t): t is string => t !== undefined),
  });
}
