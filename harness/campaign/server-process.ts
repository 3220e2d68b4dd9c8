/**
 * A server under test in a CHILD process, driven over IPC: the process that sends the load (or the fuzzed input)
 * never shares an event loop with the server, a crash of the server is seen as a crash (the child exits), and the
 * RSS it reports is the server's own. The benchmarks (benchmarks/server.bench.ts) and the reliability campaign
 * both start their servers this way.
 *
 * Messages in both directions are objects with a `type`; a message with an `id` is matched to its request by
 * `type:id`, one without by `type` alone.
 */
import { fork, type ChildProcess } from 'node:child_process';

export interface ServerMessage {
  type: string;
  id?: number;
}

/** Omit over each member of a union (plain Omit would keep only the keys all members share). */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServerProcess<In extends ServerMessage, Out extends ServerMessage> {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<string, (message: Out) => void>();
  readonly #stderr: Buffer[] = [];
  #nextId = 0;
  #exit: ServerExit | undefined;
  /** Resolves when the child exits, for whatever reason. */
  readonly exited: Promise<ServerExit>;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: Out) => {
      const key = message.id === undefined ? message.type : `${message.type}:${message.id}`;
      const resolve = this.#waiting.get(key);
      this.#waiting.delete(key);
      resolve?.(message);
    });
    child.stderr?.on('data', (chunk: Buffer) => this.#stderr.push(chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((this.#exit = { code, signal }))));
  }

  /**
   * Forks `entry` (a TypeScript module, run through tsx) with `args`, and waits for its `ready` message.
   * `captureStderr`: keep what the child writes on stderr (its log) for `stderrText()` instead of passing it on.
   */
  static async start<In extends ServerMessage, Out extends ServerMessage>(
    entry: string,
    args: string[],
    options: { execArgv?: string[]; captureStderr?: boolean; name?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<{ server: ServerProcess<In, Out>; ready: Out }> {
    const execArgv = ['--import', 'tsx', ...(options.execArgv ?? [])];
    const stderr = options.captureStderr === true ? 'pipe' : 'inherit';
    const child = fork(entry, args, { execArgv, stdio: ['ignore', 'inherit', stderr, 'ipc'], ...(options.env === undefined ? {} : { env: options.env }) });
    const server = new ServerProcess<In, Out>(child);
    const failed = server.exited.then((exit) => {
      const tail = server.stderrText().slice(-2000);
      throw new Error(`${options.name ?? 'server'} exited with ${exit.code ?? exit.signal} before it was ready${tail ? `: ${tail}` : ''}`);
    });
    failed.catch(() => undefined);
    const ready = await Promise.race([server.expect('ready'), failed]);
    return { server, ready };
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The exit of the child if it has exited. */
  get exit(): ServerExit | undefined {
    return this.#exit;
  }

  /** What the child wrote on stderr so far (with captureStderr). */
  stderrText(): string {
    return Buffer.concat(this.#stderr).toString('utf8');
  }

  /** The next message with this key (`type` or `type:id`). */
  expect(key: string): Promise<Out> {
    return new Promise((resolve) => this.#waiting.set(key, resolve));
  }

  send(message: In): void {
    this.#child.send(message);
  }

  /** Sends a request with a fresh id and waits for the answer of `replyType` with the same id (or the child's exit). */
  async request(message: WithoutId<In>, replyType: string): Promise<Out> {
    const id = ++this.#nextId;
    const answer = this.expect(`${replyType}:${id}`);
    if (this.#exit !== undefined) throw new Error(`server process has exited (${this.#exit.code ?? this.#exit.signal})`);
    this.#child.send({ ...message, id });
    const gone = this.exited.then((exit) => {
      throw new Error(`server process exited (${exit.code ?? exit.signal}) while waiting for ${replyType}`);
    });
    gone.catch(() => undefined);
    return Promise.race([answer, gone]);
  }

  /** Sends `stop` and waits for `stopped` and the exit; a child that already exited is left as it is. */
  async stop(stopMessage: In): Promise<void> {
    if (this.#exit !== undefined) return;
    const stopped = this.expect('stopped');
    this.#child.send(stopMessage);
    await Promise.race([stopped, this.exited]);
    await this.exited;
  }

  /** Ends the child at once (a test that gave up on it). */
  kill(): void {
    if (this.#exit === undefined) this.#child.kill('SIGKILL');
  }
}
