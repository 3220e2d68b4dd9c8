/**
 * Typed builders of device messages for the engine's tests: what a Windows OMA-DM client would send, built as
 * SyncML objects (never as text), plus a scripted device that answers a server message command by command.
 */
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, Item, Meta, NestedCommand, Results, Status, SyncML } from '../../syncml/types.js';
import type { DeviceFile } from './draft-schema.js';
import { SessionEngine, type AuthOutcome, type SessionEngineOptions } from './engine.js';
import { readDeviceFile } from './queue-store.js';

export const SERVER_URI = 'https://mdm.test/ManagementServer/MDM.svc';
export const DEVICE_ID = 'B5B954E81FBCB94EB79BD08BE625F4EE';
export const ACCEPTED: AuthOutcome = { kind: 'accepted', status: '200' };

export function deviceMessage(options: {
  sessionId: string;
  msgId: string;
  commands: Command[];
  final?: boolean;
  meta?: Meta;
}): SyncML {
  return {
    SyncHdr: {
      VerDTD: '1.2',
      VerProto: 'DM/1.2',
      SessionID: options.sessionId,
      MsgID: options.msgId,
      Target: { LocURI: SERVER_URI },
      Source: { LocURI: DEVICE_ID },
      ...(options.meta === undefined ? {} : { Meta: options.meta }),
    },
    SyncBody: { commands: options.commands, Final: options.final ?? true },
  };
}

/** Alert 1201 and Alert 1224 LoginStatus, as every Windows session starts. */
export function sessionStart(): Command[] {
  return [
    { kind: 'Alert', CmdID: '2', Data: '1201', Item: [] },
    { kind: 'Alert', CmdID: '3', Data: '1224', Item: [{ Meta: { Type: 'com.microsoft/MDM/LoginStatus' }, Data: 'user' }] },
  ];
}

export function status(cmdId: string, msgRef: string, cmdRef: string, cmd: string, code: string, items: Item[] = []): Status {
  return { kind: 'Status', CmdID: cmdId, MsgRef: msgRef, CmdRef: cmdRef, Cmd: cmd, TargetRef: [], SourceRef: [], Data: code, Item: items };
}

export function results(cmdId: string, msgRef: string, cmdRef: string, locUri: string, data: string, meta?: Meta): Results {
  const item: Item = { Source: { LocURI: locUri }, Data: data, ...(meta === undefined ? {} : { Meta: meta }) };
  return { kind: 'Results', CmdID: cmdId, MsgRef: msgRef, CmdRef: cmdRef, Item: [item] };
}

/**
 * What a device answers to `reply`: Status for the SyncHdr, a Status per command (and per Atomic/Sequence child),
 * Results for every Get from `values` (LocURI → value). `code` picks a status per command (default 200).
 */
export function answer(
  reply: SyncML,
  values: Record<string, string> = {},
  code: (command: NestedCommand) => string = chunkAwareOk,
): Command[] {
  const msgRef = reply.SyncHdr.MsgID;
  let id = 0;
  const next = (): string => String(++id);
  const out: Command[] = [status(next(), msgRef, '0', 'SyncHdr', '200')];
  const walk = (command: Command): void => {
    if (command.kind === 'Status' || command.kind === 'Results') return;
    if (command.kind === 'Get') {
      for (const item of command.Item) {
        const loc = item.Target?.LocURI ?? '';
        out.push(results(next(), msgRef, command.CmdID, loc, values[loc] ?? ''));
      }
    }
    out.push(status(next(), msgRef, command.CmdID, command.kind, code(command)));
    if (command.kind === 'Atomic' || command.kind === 'Sequence') command.commands.forEach(walk);
  };
  reply.SyncBody.commands.forEach(walk);
  return out;
}

/** 213 for a chunk that is not the last (large object handling), 200 otherwise. */
export function chunkAwareOk(command: NestedCommand): string {
  return 'Item' in command && command.Item.some((i) => i.MoreData === true) ? '213' : '200';
}

export function serverCommands(reply: SyncML): Command[] {
  return reply.SyncBody.commands.filter((c) => c.kind !== 'Status');
}

export async function withEngine<T>(
  run: (engine: SessionEngine, dataDir: string) => Promise<T>,
  options: Partial<SessionEngineOptions> = {},
): Promise<T> {
  return withTempDir('session', async (dataDir) => {
    const engine = await SessionEngine.open({ dataDir, serverLocURI: SERVER_URI, ...options });
    try {
      return await run(engine, dataDir);
    } finally {
      await engine.close();
    }
  });
}

/** A fresh folder under the system's temporary folder for `run`, removed after it whatever happens. */
export async function withTempDir<T>(prefix: string, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `dmc-${prefix}-`));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The test device's queue file under `dataDir`, read as a restart reads it (zod-checked, the journal's last line). */
export function deviceFileOnDisk(dataDir: string): Promise<DeviceFile> {
  return readDeviceFile(join(dataDir, 'queues', `${DEVICE_ID}.json`));
}

export function send(engine: SessionEngine, message: SyncML, auth: AuthOutcome = ACCEPTED): Promise<SyncML> {
  return engine.handle({ deviceId: DEVICE_ID, message, auth, receivedAt: new Date('2026-11-28T10:00:00Z') });
}

/** Files under `dir` this process holds open (Linux's /proc), or undefined where there is no /proc. */
export function filesOpenUnder(dir: string): string[] | undefined {
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return undefined;
  }
  const prefix = `${realpathSync(dir)}/`;
  return fds.flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(prefix) ? [target] : [];
    } catch {
      return []; // closed meanwhile (readdir's own descriptor)
    }
  });
}
