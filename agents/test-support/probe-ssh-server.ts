/**
 * A small SSH server for the agents' tests (tests only; the virtual device has its own in fixtures/virtual-device).
 * It answers exec requests the way a device would: decode the probe command, then reply as the test's handler
 * says, or with canned schema-valid JSON. It can also misbehave on purpose: hang, exit non-zero, print garbage,
 * or destroy the TCP socket under a running command.
 */
import type { Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection, ServerChannel } from 'ssh2';
import { decodeProbeCommand, type DecodedProbeCommand } from '../probe-invocation.js';
import { isProbeName } from '../probe-catalog.js';
import { cannedOutput } from './canned-outputs.js';
import { sshFingerprint } from '../ssh-agent.js';

const { Server, utils } = ssh2;

export interface KeyPair {
  private: string;
  public: string;
}

/**
 * An ed25519 key pair. ssh2 1.17's generator drops a leading zero byte of the public key about once in 400 keys,
 * and its own parser then rejects the private key ("Malformed OpenSSH private key"): such pairs are drawn again.
 */
export function generateKeyPair(): KeyPair {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}

export function publicKeyFingerprint(pair: KeyPair): string {
  const parsed = utils.parseKey(pair.public);
  if (parsed instanceof Error) throw parsed;
  return sshFingerprint(parsed.getPublicSSH());
}

export interface ExecReply {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  delayMs?: number;
  /** Never answer (until the client closes the channel). */
  hang?: boolean;
  /** Destroy the TCP socket instead of answering (after writing `stdout`, when given: a cut in mid-output). */
  dropConnection?: boolean;
}

export interface ExecCall extends DecodedProbeCommand {
  /** 1 for the first TCP connection the server accepted, 2 for the next... */
  connection: number;
  commandLine: string;
}

export type ExecHandler = (call: ExecCall) => ExecReply | undefined;

export interface ProbeSshServerOptions {
  user: string;
  password?: string;
  clientKey?: KeyPair;
  hostKey?: KeyPair;
  handler?: ExecHandler;
}

export interface ProbeSshServer {
  port: number;
  hostKeyFingerprint: string;
  calls: ExecCall[];
  connections: number;
  maxConcurrent: number;
  /** Authentication attempts as "method:user" (never the secret). */
  authAttempts: string[];
  /** Ends every client connection (as a device reboot or an sshd restart would). */
  disconnectAll(): void;
  close(): Promise<void>;
}

export async function startProbeSshServer(options: ProbeSshServerOptions): Promise<ProbeSshServer> {
  const hostKey = options.hostKey ?? generateKeyPair();
  const allowedKey = options.clientKey === undefined ? undefined : utils.parseKey(options.clientKey.public);
  if (allowedKey instanceof Error) throw allowedKey;
  const clients = new Set<Connection>();
  let running = 0;
  const state: ProbeSshServer = {
    port: 0,
    hostKeyFingerprint: publicKeyFingerprint(hostKey),
    calls: [],
    connections: 0,
    maxConcurrent: 0,
    authAttempts: [],
    disconnectAll: () => {
      for (const client of clients) client.end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end();
        server.close(() => resolve());
      }),
  };

  const answer = (stream: ServerChannel, client: Connection, call: ExecCall | undefined, reply: ExecReply): void => {
    running++;
    state.maxConcurrent = Math.max(state.maxConcurrent, running);
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      running--;
    };
    stream.on('close', end);
    if (reply.dropConnection === true) {
      const drop = (): void => {
        (client as unknown as { _sock: Socket })._sock.destroy();
        end();
      };
      if (reply.stdout === undefined) return drop();
      stream.write(reply.stdout);
      setTimeout(drop, 50); // the first half of the output reaches the client before the socket goes
      return;
    }
    if (reply.hang === true) return;
    setTimeout(() => {
      if (done) return;
      if (reply.stderr !== undefined) stream.stderr.write(reply.stderr);
      const stdout = reply.stdout ?? (call !== undefined && isProbeName(call.probe) ? JSON.stringify(cannedOutput(call.probe, call.args)) : '');
      stream.write(stdout);
      stream.exit(reply.exitCode ?? 0);
      stream.end();
      end();
    }, reply.delayMs ?? 0);
  };

  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    clients.add(client);
    state.connections++;
    const connection = state.connections;
    client.on('close', () => clients.delete(client));
    client.on('error', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      state.authAttempts.push(`${ctx.method}:${ctx.username}`);
      if (ctx.username !== options.user) return ctx.reject();
      if (ctx.method === 'password' && options.password !== undefined && ctx.password === options.password) return ctx.accept();
      if (ctx.method === 'publickey' && allowedKey !== undefined && ctx.key.algo === allowedKey.type && ctx.key.data.equals(allowedKey.getPublicSSH())) {
        if (ctx.signature === undefined || ctx.blob === undefined) return ctx.accept();
        return allowedKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject();
      }
      return ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (accept, _reject, info) => {
          const stream = accept();
          let call: ExecCall | undefined;
          try {
            call = { ...decodeProbeCommand(info.command), connection, commandLine: info.command };
          } catch (err) {
            answer(stream, client, undefined, { stdout: '', stderr: `${(err as Error).message}\n`, exitCode: 1 });
            return;
          }
          state.calls.push(call);
          answer(stream, client, call, options.handler?.(call) ?? {});
        });
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as { port: number }).port;
  return state;
}
