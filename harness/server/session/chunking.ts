/**
 * Large objects (OMA-DM 1.2 Protocol, "Large Object Handling"; SyncML RepPro 1.2 MoreData and Meta Size):
 * an item too big for one message travels as chunks in consecutive messages. Every chunk but the last carries
 * <MoreData/>, the first carries Meta.Size (the size of the whole object in bytes), the receiver answers each
 * non-final chunk with 213 (chunk accepted and buffered) and the last one with the command's real status, or
 * 424 when the chunks do not add up to Meta.Size.
 */
import type { CommandDraft, Item } from '../../syncml/types.js';
import { dataText } from './delivery.js';

const encoder = new TextEncoder();

export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Commands whose single item may be split: the ones that carry a value to the device. */
export function isChunkable(draft: CommandDraft): boolean {
  if (draft.kind !== 'Add' && draft.kind !== 'Replace' && draft.kind !== 'Exec') return false;
  if (draft.Item.length !== 1) return false;
  const data = draft.Item[0]?.Data;
  return typeof data === 'string' && data.length > 1;
}

export function chunkData(draft: CommandDraft): string {
  if (draft.kind !== 'Add' && draft.kind !== 'Replace' && draft.kind !== 'Exec') return '';
  return dataText(draft.Item[0]?.Data);
}

/** Moves `end` back so it does not split a UTF-16 surrogate pair (a chunk must be valid text on its own). */
export function safeEnd(text: string, end: number): number {
  if (end <= 0 || end >= text.length) return end;
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}

/** The draft for the chunk `data[start, end)` of `draft`'s only item. */
export function chunkDraft(draft: CommandDraft, data: string, start: number, end: number): CommandDraft {
  if (draft.kind !== 'Add' && draft.kind !== 'Replace' && draft.kind !== 'Exec') return draft;
  const item = draft.Item[0] as Item;
  const first = start === 0;
  const last = end >= data.length;
  const meta = { ...(item.Meta ?? {}) };
  // OMA-DM large objects: Meta.Size (bytes of the whole object) goes on the first chunk only.
  if (first) meta.Size = String(byteLength(data));
  else delete meta.Size;
  const chunkItem: Item = { ...item, Data: data.slice(start, end) };
  if (Object.keys(meta).length > 0) chunkItem.Meta = meta;
  else delete chunkItem.Meta;
  if (last) delete chunkItem.MoreData;
  else chunkItem.MoreData = true;
  return { ...draft, Item: [chunkItem] };
}

/** An object the device is sending in chunks, keyed by command kind and LocURI. */
interface Assembly {
  declaredSize: string | undefined;
  parts: string[];
  meta: Item['Meta'];
}

export type ChunkOutcome =
  | { state: 'partial' }
  | { state: 'complete'; item: Item; declaredSize: string | undefined; receivedBytes: number; sizeMatches: boolean };

export class IncomingObjects {
  private readonly assemblies = new Map<string, Assembly>();

  static keyOf(kind: string, item: Item): string {
    return `${kind}:${item.Source?.LocURI ?? item.Target?.LocURI ?? ''}`;
  }

  /** True while an object is half received (the session must not end then). */
  get pending(): boolean {
    return this.assemblies.size > 0;
  }

  /**
   * Takes one item of a device command. An item without MoreData that continues no assembly is complete as is.
   */
  accept(kind: string, item: Item): ChunkOutcome {
    const key = IncomingObjects.keyOf(kind, item);
    const assembly = this.assemblies.get(key);
    if (item.MoreData === true) {
      if (assembly === undefined) {
        this.assemblies.set(key, { declaredSize: item.Meta?.Size, parts: [dataText(item.Data)], meta: item.Meta });
      } else {
        assembly.parts.push(dataText(item.Data));
      }
      return { state: 'partial' };
    }
    if (assembly === undefined) {
      return { state: 'complete', item, declaredSize: undefined, receivedBytes: 0, sizeMatches: true };
    }
    this.assemblies.delete(key);
    const whole = assembly.parts.join('') + dataText(item.Data);
    const receivedBytes = byteLength(whole);
    const meta = { ...(assembly.meta ?? {}), ...(item.Meta ?? {}) };
    delete meta.Size;
    const complete: Item = { ...item, Data: whole };
    if (Object.keys(meta).length > 0) complete.Meta = meta;
    return {
      state: 'complete',
      item: complete,
      declaredSize: assembly.declaredSize,
      receivedBytes,
      sizeMatches: assembly.declaredSize === undefined || Number(assembly.declaredSize) === receivedBytes,
    };
  }
}
