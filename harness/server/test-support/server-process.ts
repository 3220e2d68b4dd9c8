/**
 * The MDM server in a process of its own, for tests that kill it (SIGKILL) and start it again on the same data
 * directory (as benchmarks/server.bench.ts runs it in a child). Run with `fork(thisFile, [optionsJson])`; the
 * parent drives it over IPC:
 *   → {type:'queue', deviceId, drafts}    queues commands as a suite's device.sync() does (its waiter dies with
 *                                          the process; the commands are the engine's to keep)
 *   → {type:'inspect', deviceId}          what the server knows of the device (enrollment, certificate, queue)
 *   ← {type:'ready', port, discoveryUrl, managementUrl, caCertPath}
 *   ← {type:'messageOut', sessionId, msgId, commands}   each reply the engine sends (command kinds and LocURIs)
 *   ← {type:'settled', ticket, kind, locUri, status, data, sessionId}  each command the device answered
 *   ← {type:'inspected', ...}
 * Nothing here writes to disk itself: what survives a kill is what the server wrote.
 */
import type { CommandDraft } from '../../syncml/types.js';
import { startMdmServer, type MdmServerOptions } from '../start-server.js';

export type ToServer = { type: 'queue'; deviceId: string; drafts: CommandDraft[] } | { type: 'inspect'; deviceId: string };

export interface Inspected {
  type: 'inspected';
  enrolled: boolean;
  certificateThumbprint: string | undefined;
  issuedByCa: boolean;
  pending: { queued: string[]; inFlight: string[] };
  sessionCount: number;
}

export type FromServer =
  | { type: 'ready'; port: number; discoveryUrl: string; managementUrl: string; caCertPath: string }
  | { type: 'messageOut'; sessionId: string; msgId: string; commands: string[] }
  | { type: 'settled'; ticket: string; kind: string; locUri: string; status: string | undefined; data: string | undefined; sessionId: string }
  | Inspected;

const send = (message: FromServer): void => void process.send?.(message);

const options = JSON.parse(process.argv[2] ?? '{}') as MdmServerOptions;
const server = await startMdmServer(options);

server.engine.on('messageOut', ({ sessionId, msgId, message }) => {
  const commands = message.SyncBody.commands
    .filter((c) => c.kind !== 'Status' && c.kind !== 'Results')
    .map((c) => `${c.kind} ${'Item' in c ? (c.Item?.[0]?.Target?.LocURI ?? '') : ''}`.trim());
  send({ type: 'messageOut', sessionId, msgId, commands });
});
server.engine.on('commandSettled', ({ result }) => {
  const item = result.command.draft.kind === 'Atomic' || result.command.draft.kind === 'Sequence' ? undefined : result.command.draft.Item[0];
  send({
    type: 'settled',
    ticket: result.ticket,
    kind: result.command.kind,
    locUri: item?.Target?.LocURI ?? '',
    status: result.status?.code,
    data: result.results[0]?.Data,
    sessionId: result.sessionId,
  });
});

process.on('message', (message: ToServer) => {
  if (message.type === 'queue') {
    // No waiting for the answers: the test kills this process before they come.
    server.device(message.deviceId).sync(message.drafts, { timeout: 600_000 }).catch(() => undefined);
  } else {
    const record = server.enrollments.get(message.deviceId);
    const thumbprint = record?.certificate.thumbprint;
    const handle = server.device(message.deviceId);
    send({
      type: 'inspected',
      enrolled: record !== undefined,
      certificateThumbprint: thumbprint,
      issuedByCa: thumbprint !== undefined && server.authority.findIssuedByThumbprint(thumbprint) !== undefined,
      pending: handle.pending(),
      sessionCount: handle.sessions().count,
    });
  }
});

send({ type: 'ready', port: server.port, discoveryUrl: server.discoveryUrl, managementUrl: server.managementUrl, caCertPath: server.caCertPath });
